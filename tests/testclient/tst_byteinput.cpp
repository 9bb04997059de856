// ByteInput: what a person types (escapes, hex) turned into bytes, and refused when malformed.
#include "byteescape.h"
#include "byteinput.h"

#include <QTest>

// ByteInput: escaped text and hex to bytes, and back through ByteEscape::toDisplay().
class tst_ByteInput : public QObject
{
    Q_OBJECT

private slots:
    void fromEscaped_data();
    void fromEscaped();
    void badEscape_data();
    void badEscape();
    void fromHex_data();
    void fromHex();
    void badHex_data();
    void badHex();
    void roundTripsWithToDisplay_data();
    void roundTripsWithToDisplay();
};

void tst_ByteInput::fromEscaped_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("plain") << QStringLiteral("computer2:main:changecolor:ball27,red")
                           << QByteArray("computer2:main:changecolor:ball27,red");
    QTest::newRow("empty") << QString() << QByteArray();
    QTest::newRow("newline") << QStringLiteral("a\\nb") << QByteArray("a\nb");
    QTest::newRow("cr lf tab") << QStringLiteral("\\r\\n\\t") << QByteArray("\r\n\t");
    QTest::newRow("nul") << QStringLiteral("x\\0y") << QByteArray("x\0y", 3);
    QTest::newRow("backslash") << QStringLiteral("C:\\\\dir") << QByteArray("C:\\dir");
    QTest::newRow("hex byte") << QStringLiteral("\\x1b[0m") << QByteArray("\x1b[0m");
    QTest::newRow("hex upper case") << QStringLiteral("\\xFF\\xfe") << QByteArray("\xff\xfe");
    QTest::newRow("utf-8") << QStringLiteral("caf\u00e9 \u2192")
                           << QByteArray("caf\xc3\xa9 \xe2\x86\x92");
    QTest::newRow("escape after utf-8") << QStringLiteral("\u00e9\\n") << QByteArray("\xc3\xa9\n");
}

void tst_ByteInput::fromEscaped()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, bytes);
    const ByteInput::Result result = ByteInput::fromEscaped(text);
    QVERIFY2(result.isValid(), qPrintable(result.error));
    QCOMPARE(result.bytes, bytes);
}

void tst_ByteInput::badEscape_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown") << QStringLiteral("ab\\q")
                             << QStringLiteral("Unknown escape \\q at character 3: use \\n, \\r, "
                                               "\\t, \\0, \\\\ or \\xNN.");
    QTest::newRow("lone backslash at the end")
        << QStringLiteral("abc\\")
        << QStringLiteral("A lone \\ ends the text at character 4: write \\\\ for a backslash.");
    QTest::newRow("\\x without digits") << QStringLiteral(
        "\\x") << QStringLiteral("\\x at character 1 needs two hex digits, e.g. \\x1b.");
    QTest::newRow("\\x with one digit") << QStringLiteral(
        "a\\x1") << QStringLiteral("\\x at character 2 needs two hex digits, e.g. \\x1b.");
    QTest::newRow("\\x with a non-hex digit") << QStringLiteral(
        "\\x1g") << QStringLiteral("\\x at character 1 needs two hex digits, e.g. \\x1b.");
}

void tst_ByteInput::badEscape()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const ByteInput::Result result = ByteInput::fromEscaped(text);
    QVERIFY(!result.isValid());
    QCOMPARE(result.error, error);
    QVERIFY(result.bytes.isEmpty());
}

void tst_ByteInput::fromHex_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("spaced") << QStringLiteral("48 65 6c") << QByteArray("Hel");
    QTest::newRow("packed") << QStringLiteral("48656c") << QByteArray("Hel");
    QTest::newRow("upper case") << QStringLiteral("4A 4B") << QByteArray("JK");
    QTest::newRow("0x and commas") << QStringLiteral("0x48,0x65, 0x6c") << QByteArray("Hel");
    QTest::newRow("colons") << QStringLiteral("00:0e") << QByteArray("\0\x0e", 2);
    QTest::newRow("surrounding space") << QStringLiteral("  0a\t") << QByteArray("\n");
    QTest::newRow("empty") << QString() << QByteArray();
}

void tst_ByteInput::fromHex()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, bytes);
    const ByteInput::Result result = ByteInput::fromHex(text);
    QVERIFY2(result.isValid(), qPrintable(result.error));
    QCOMPARE(result.bytes, bytes);
}

void tst_ByteInput::badHex_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("not hex") << QStringLiteral("48 zz")
                             << QStringLiteral("\"zz\" is not hexadecimal: use the digits 0-9 and "
                                               "the letters a-f.");
    QTest::newRow("odd digits") << QStringLiteral("48 656")
                                << QStringLiteral("\"656\" is not a whole number of bytes: write "
                                                  "each byte as two digits, e.g. 0a.");
    QTest::newRow("bare 0x") << QStringLiteral("0x")
                             << QStringLiteral("\"0x\" is not a whole number of bytes: write each "
                                               "byte as two digits, e.g. 0a.");
}

void tst_ByteInput::badHex()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const ByteInput::Result result = ByteInput::fromHex(text);
    QVERIFY(!result.isValid());
    QCOMPARE(result.error, error);
}

void tst_ByteInput::roundTripsWithToDisplay_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("text") << QByteArray("hello");
    QTest::newRow("control bytes") << QByteArray("a\r\n\t\0\x1b\x7f z", 10);
    QTest::newRow("backslashes") << QByteArray("\\x41 \\n \\");
    QTest::newRow("utf-8") << QByteArray("\xc3\xa9t\xc3\xa9");
    QTest::newRow("two-, three- and four-byte utf-8")
        << QByteArray("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    QTest::newRow("byte order mark inside") << QByteArray("a\xef\xbb\xbfz");
    QTest::newRow("C1 control") << QByteArray("\xc2\x85\xc2\x9f");
    QTest::newRow("zero-width and direction marks")
        << QByteArray("\xe2\x80\x8b\xe2\x80\x8f\xe2\x80\xae\xe2\x81\xa6\xe2\x80\xa9");
    QTest::newRow("invalid utf-8") << QByteArray("\xc3(\xff\xfe\xed\xa0\x80");
    QByteArray every;
    for (int i = 0; i < 256; ++i)
        every += char(i);
    QTest::newRow("every byte") << every;
}

void tst_ByteInput::roundTripsWithToDisplay()
{
    QFETCH(QByteArray, bytes);
    const QString shown = ByteEscape::toDisplay(bytes);
    const ByteInput::Result back = ByteInput::fromEscaped(shown);
    QVERIFY2(back.isValid(), qPrintable(back.error));
    QCOMPARE(back.bytes, bytes);

    const ByteInput::Result fromHex = ByteInput::fromHex(ByteInput::toHex(bytes));
    QVERIFY2(fromHex.isValid(), qPrintable(fromHex.error));
    QCOMPARE(fromHex.bytes, bytes);
}

QTEST_APPLESS_MAIN(tst_ByteInput)
#include "tst_byteinput.moc"
