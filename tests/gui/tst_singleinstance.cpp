// One panel per user: a second instance finds the first, asks it to come forward, and quits.
#include "singleinstance.h"

#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

class tst_SingleInstance : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void secondInstanceActivatesFirst();
    void firstAfterPreviousQuit();
    void launchedTogetherOnePrimary();
    void staleSocketFileReplaced();
};

void tst_SingleInstance::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_SingleInstance::secondInstanceActivatesFirst()
{
    const QString name
        = QStringLiteral("tst-singleinstance-") + QUuid::createUuid().toString(QUuid::Id128);
    SingleInstance first(name);
    QSignalSpy firstPrimary(&first, &SingleInstance::becamePrimary);
    QSignalSpy activated(&first, &SingleInstance::activationRequested);
    QVERIFY(firstPrimary.isValid() && activated.isValid());
    first.start();
    QTRY_COMPARE(firstPrimary.size(), 1);

    SingleInstance second(name);
    QSignalSpy secondPrimary(&second, &SingleInstance::becamePrimary);
    QSignalSpy secondQuits(&second, &SingleInstance::otherInstanceRunning);
    second.start();
    QTRY_COMPARE(secondQuits.size(), 1);
    QTRY_COMPARE(activated.size(), 1);
    QCOMPARE(secondPrimary.size(), 0);
    QCOMPARE(firstPrimary.size(), 1);
}

// Once the first instance is gone, the next one becomes the panel.
void tst_SingleInstance::firstAfterPreviousQuit()
{
    const QString name
        = QStringLiteral("tst-singleinstance-") + QUuid::createUuid().toString(QUuid::Id128);
    {
        SingleInstance gone(name);
        QSignalSpy primary(&gone, &SingleInstance::becamePrimary);
        gone.start();
        QTRY_COMPARE(primary.size(), 1);
    }
    SingleInstance next(name);
    QSignalSpy primary(&next, &SingleInstance::becamePrimary);
    QSignalSpy quits(&next, &SingleInstance::otherInstanceRunning);
    next.start();
    QTRY_COMPARE(primary.size(), 1);
    QCOMPARE(quits.size(), 0);
}

// Two panels launched at the same moment: the lock decides, exactly one becomes the panel and
// the other one brings it forward.
void tst_SingleInstance::launchedTogetherOnePrimary()
{
    const QString name
        = QStringLiteral("tst-singleinstance-") + QUuid::createUuid().toString(QUuid::Id128);
    SingleInstance a(name);
    SingleInstance b(name);
    QSignalSpy aPrimary(&a, &SingleInstance::becamePrimary);
    QSignalSpy bPrimary(&b, &SingleInstance::becamePrimary);
    QSignalSpy aQuits(&a, &SingleInstance::otherInstanceRunning);
    QSignalSpy bQuits(&b, &SingleInstance::otherInstanceRunning);
    QSignalSpy aActivated(&a, &SingleInstance::activationRequested);
    QSignalSpy bActivated(&b, &SingleInstance::activationRequested);
    a.start();
    b.start();
    QTRY_COMPARE(aPrimary.size() + aQuits.size() + bPrimary.size() + bQuits.size(), 2);
    QCOMPARE(aPrimary.size() + bPrimary.size(), 1);
    QCOMPARE(aQuits.size() + bQuits.size(), 1);
    QCOMPARE(aPrimary.size(), bQuits.size());
    QTRY_COMPARE(aActivated.size() + bActivated.size(), 1);
    QCOMPARE(aActivated.size(), aPrimary.size());
}

// A socket file left by a panel that crashed (no lock held) does not keep the next one out.
void tst_SingleInstance::staleSocketFileReplaced()
{
    const QString name
        = QStringLiteral("tst-singleinstance-") + QUuid::createUuid().toString(QUuid::Id128);
    QLocalServer crashed;
    crashed.setSocketOptions(QLocalServer::UserAccessOption);
    QVERIFY(crashed.listen(name));
    const QString path = crashed.fullServerName();
    // Closing the server removes its file: put a plain file in its place, as a crash leaves.
    crashed.close();
    QFile stale(path);
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.close();

    SingleInstance next(name);
    QSignalSpy primary(&next, &SingleInstance::becamePrimary);
    QSignalSpy quits(&next, &SingleInstance::otherInstanceRunning);
    next.start();
    QTRY_COMPARE(primary.size(), 1);
    QCOMPARE(quits.size(), 0);
    QLocalSocket probe;
    probe.connectToServer(name);
    QVERIFY(probe.waitForConnected(5000));
}

QTEST_MAIN(tst_SingleInstance)
#include "tst_singleinstance.moc"
