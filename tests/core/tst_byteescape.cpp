// ByteEscape: bytes shown as unambiguous text for logs and monitors, as a table.
#include "byteescape.h"

#include <QTest>

class tst_ByteEscape : public QObject
{
    Q_OBJECT

private slots:
    void toDisplay_data();
    void toDisplay();
};

void tst_ByteEscape::toDisplay_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("maxBytes");
    QTest::addColumn<QString>("expected");

    QTest::newRow("plain") << QByteArray("hello world") << -1 << QStringLiteral("hello world");
    QTest::newRow("controls") << QByteArrayLiteral("a\r\n\t\x1b") << -1
                              << QStringLiteral("a\\r\\n\\t\\x1b");
    QTest::newRow("nul") << QByteArrayLiteral("a\0b") << -1 << QStringLiteral("a\\0b");
    QTest::newRow("backslash") << QByteArray("a\\b") << -1 << QStringLiteral("a\\\\b");
    QTest::newRow("delete") << QByteArray("\x7f") << -1 << QStringLiteral("\\x7f");
    QTest::newRow("utf-8 text") << QByteArray("caf\xc3\xa9 \xe2\x82\xac") << -1
                                << QStringLiteral("café €");
    QTest::newRow("four-byte utf-8")
        << QByteArray("\xf0\x9f\x98\x80") << -1 << QString::fromUtf8("\xf0\x9f\x98\x80");
    QTest::newRow("byte order mark inside")
        << QByteArray("a\xef\xbb\xbfz") << -1 << QStringLiteral("a\\xef\\xbb\\xbfz");
    QTest::newRow("C1 control") << QByteArray("a\xc2\x85z") << -1 << QStringLiteral("a\\xc2\\x85z");
    QTest::newRow("zero-width space")
        << QByteArray("a\xe2\x80\x8bz") << -1 << QStringLiteral("a\\xe2\\x80\\x8bz");
    QTest::newRow("right-to-left override")
        << QByteArray("\xe2\x80\xaexyz") << -1 << QStringLiteral("\\xe2\\x80\\xaexyz");
    QTest::newRow("line separator")
        << QByteArray("\xe2\x80\xa8") << -1 << QStringLiteral("\\xe2\\x80\\xa8");
    QTest::newRow("bidi isolate") << QByteArray("\xe2\x81\xa6") << -1
                                  << QStringLiteral("\\xe2\\x81\\xa6");
    QTest::newRow("visible neighbours") << QByteArray("\xc2\xa0\xe2\x80\x90\xef\xbb\xbe") << -1
                                        << QString::fromUtf8("\xc2\xa0\xe2\x80\x90\xef\xbb\xbe");
    QTest::newRow("invalid byte") << QByteArray("a\xff") << -1 << QStringLiteral("a\\xff");
    QTest::newRow("lone continuation") << QByteArray("\x80") << -1 << QStringLiteral("\\x80");
    QTest::newRow("truncated sequence") << QByteArray("\xc3") << -1 << QStringLiteral("\\xc3");
    QTest::newRow("overlong") << QByteArray("\xc0\xaf") << -1 << QStringLiteral("\\xc0\\xaf");
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << -1
                               << QStringLiteral("\\xed\\xa0\\x80");
    QTest::newRow("truncated") << QByteArray("abcdef") << 3 << QStringLiteral("abc… (6 bytes)");
    QTest::newRow("exactly the limit") << QByteArray("abc") << 3 << QStringLiteral("abc");
}

void tst_ByteEscape::toDisplay()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, maxBytes);
    QFETCH(QString, expected);
    QCOMPARE(ByteEscape::toDisplay(bytes, maxBytes), expected);
}

QTEST_APPLESS_MAIN(tst_ByteEscape)
#include "tst_byteescape.moc"
