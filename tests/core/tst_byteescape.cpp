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
