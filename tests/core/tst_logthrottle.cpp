// LogThrottle: lines per period, the count of what was held back, on an injected clock.
#include "logthrottle.h"

#include <QTest>

// The throttle reads a clock the tests move by hand: nothing here depends on real time.
class tst_LogThrottle : public QObject
{
    Q_OBJECT

private slots:
    void limitsLinesPerPeriod();
    void nextPeriodAllowsAgain();
    void periodStartsAtTheFirstLine();
    void skipCountsWithoutAsking();

private:
    LogThrottle throttle(int maxLines, int periodMs)
    {
        return LogThrottle(maxLines, periodMs, [this] { return m_nowMs; });
    }

    qint64 m_nowMs = 0;
};

void tst_LogThrottle::limitsLinesPerPeriod()
{
    m_nowMs = 0;
    LogThrottle lines = throttle(3, 1000);
    QVERIFY(lines.allow());
    QVERIFY(lines.allow());
    QVERIFY(lines.allow());
    QVERIFY(!lines.allow());
    m_nowMs = 999;
    QVERIFY(!lines.allow());
    QCOMPARE(lines.takeSkipped(), 2);
    QCOMPARE(lines.takeSkipped(), 0);
}

void tst_LogThrottle::nextPeriodAllowsAgain()
{
    m_nowMs = 0;
    LogThrottle lines = throttle(2, 1000);
    QVERIFY(lines.allow());
    QVERIFY(lines.allow());
    QVERIFY(!lines.allow());
    m_nowMs = 1000;
    QVERIFY(lines.allow());
    QVERIFY(lines.allow());
    QVERIFY(!lines.allow());
    QCOMPARE(lines.takeSkipped(), 2); // skipped lines are kept until taken, across periods
    m_nowMs = 5000; // periods without a line do not add up
    QVERIFY(lines.allow());
    QVERIFY(lines.allow());
    QVERIFY(!lines.allow());
}

void tst_LogThrottle::periodStartsAtTheFirstLine()
{
    m_nowMs = 0;
    LogThrottle lines = throttle(1, 1000);
    m_nowMs = 900;
    QVERIFY(lines.allow());
    m_nowMs = 1500;
    QVERIFY(!lines.allow());
    m_nowMs = 1900;
    QVERIFY(lines.allow());
}

void tst_LogThrottle::skipCountsWithoutAsking()
{
    m_nowMs = 0;
    LogThrottle lines = throttle(1, 1000);
    QVERIFY(lines.allow());
    lines.skip(10);
    QVERIFY(!lines.allow());
    QCOMPARE(lines.takeSkipped(), 11);
}

QTEST_APPLESS_MAIN(tst_LogThrottle)
#include "tst_logthrottle.moc"
