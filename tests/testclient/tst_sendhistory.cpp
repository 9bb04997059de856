// SendHistory (up and down through what was sent) and RateMeter.
#include "ratemeter.h"
#include "sendhistory.h"

#include <QTest>

// SendHistory (Up/Down in the send line) and RateMeter: pure code.
class tst_SendHistory : public QObject
{
    Q_OBJECT

private slots:
    void browsesBackAndForth();
    void keepsNoDuplicatesInARowAndNoEmptyLines();
    void isCapped();
    void rateMeterCountsAndSamples();
};

void tst_SendHistory::browsesBackAndForth()
{
    SendHistory history;
    QCOMPARE(history.previous(QStringLiteral("typing")), QStringLiteral("typing"));
    history.add(QStringLiteral("one"));
    history.add(QStringLiteral("two"));
    QCOMPARE(history.previous(QStringLiteral("draft")), QStringLiteral("two"));
    QCOMPARE(history.previous(QStringLiteral("two")), QStringLiteral("one"));
    QCOMPARE(history.previous(QStringLiteral("one")), QStringLiteral("one")); // nothing older
    QCOMPARE(history.next(QStringLiteral("one")), QStringLiteral("two"));
    QCOMPARE(history.next(QStringLiteral("two")), QStringLiteral("draft")); // back to the draft
    QCOMPARE(history.next(QStringLiteral("draft")), QStringLiteral("draft"));
}

void tst_SendHistory::keepsNoDuplicatesInARowAndNoEmptyLines()
{
    SendHistory history;
    history.add(QStringLiteral("a"));
    history.add(QStringLiteral("a"));
    history.add(QString());
    history.add(QStringLiteral("b"));
    history.add(QStringLiteral("a"));
    QCOMPARE(history.entries(),
        QStringList({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("a")}));
}

void tst_SendHistory::isCapped()
{
    SendHistory history;
    for (int i = 0; i < SendHistory::kMaxEntries + 5; ++i)
        history.add(QString::number(i));
    QCOMPARE(history.entries().size(), SendHistory::kMaxEntries);
    QCOMPARE(history.entries().constFirst(), QStringLiteral("5"));
    history.setEntries(history.entries() + QStringList{QStringLiteral("x")});
    QCOMPARE(history.entries().size(), SendHistory::kMaxEntries);
    QCOMPARE(history.previous(QString()), QStringLiteral("x"));
}

void tst_SendHistory::rateMeterCountsAndSamples()
{
    RateMeter meter;
    for (int i = 0; i < 6; ++i)
        meter.countIn();
    meter.countOut();
    meter.sample(2000);
    QCOMPARE(meter.inPerSecond(), 3.0);
    QCOMPARE(meter.outPerSecond(), 0.5);
    meter.countIn();
    meter.sample(1000);
    QCOMPARE(meter.inPerSecond(), 1.0);
    QCOMPARE(meter.outPerSecond(), 0.0);
    QCOMPARE(meter.totalIn(), 7);
    QCOMPARE(meter.totalOut(), 1);
}

QTEST_APPLESS_MAIN(tst_SendHistory)
#include "tst_sendhistory.moc"
