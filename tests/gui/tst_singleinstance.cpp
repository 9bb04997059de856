// One panel per user: a second instance finds the first, asks it to come forward, and quits.
#include "singleinstance.h"

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

QTEST_MAIN(tst_SingleInstance)
#include "tst_singleinstance.moc"
