// TrafficModel: fed by a real relay's signals and message tap; capped, paused, cleared, saved.
#include "netaddress.h"
#include "relayfixture.h"
#include "trafficmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

class tst_TrafficModel : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup() { m_fixture.reset(); }
    void logsConnectionsAndMessages();
    void capped();
    void pauseAndClear();

private:
    RelayFixture m_fixture;
};

void tst_TrafficModel::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_TrafficModel::logsConnectionsAndMessages()
{
    RelayConfig config;
    config.port = 0;
    QVERIFY(m_fixture.start(config, 0));
    TrafficModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRelay(&m_fixture.relay());

    TestPeer peer;
    QVERIFY(peer.connectTo(QHostAddress::LocalHost, m_fixture.relay().port()));
    QTRY_COMPARE(model.rowCount(), 1);
    const QString name = NetAddress::endpoint(QHostAddress::LocalHost, peer.socket().localPort());
    QCOMPARE(model.index(0, TrafficModel::Client).data().toString(), name);
    QCOMPARE(model.index(0, TrafficModel::Message).data().toString(), QStringLiteral("connected"));

    peer.send("hello\tthere\n");
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, TrafficModel::Client).data().toString(), name);
    QCOMPARE(model.index(1, TrafficModel::Message).data().toString(),
        QStringLiteral("hello\\tthere")); // escaped
    QCOMPARE(
        model.index(1, 0).data(TrafficModel::KindRole).toInt(), int(TrafficModel::Kind::Message));

    m_fixture.relay().broadcast("from the relay");
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(2, TrafficModel::Client).data().toString(), QStringLiteral("relay"));

    peer.socket().disconnectFromHost();
    QTRY_COMPARE(model.rowCount(), 4);
    QVERIFY(model.index(3, TrafficModel::Message)
                .data()
                .toString()
                .startsWith(QStringLiteral("disconnected")));

    const QStringList lines = model.toText().split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QVERIFY(lines.at(1).endsWith(name + QStringLiteral("\thello\\tthere")));
}

void tst_TrafficModel::capped()
{
    TrafficModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(20);
    for (int i = 0; i < 100; ++i)
        model.append(TrafficModel::Kind::Message, i, QStringLiteral("c"), QString::number(i));
    QVERIFY(model.rowCount() <= 20);
    QVERIFY(model.rowCount() >= 18);
    // The newest stay, in order.
    QCOMPARE(model.index(model.rowCount() - 1, TrafficModel::Message).data().toString(),
        QStringLiteral("99"));
    QCOMPARE(model.index(0, TrafficModel::Message).data().toString(),
        QString::number(100 - model.rowCount()));
    model.setMaxRows(5);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.index(0, TrafficModel::Message).data().toString(), QStringLiteral("95"));
}

void tst_TrafficModel::pauseAndClear()
{
    TrafficModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(TrafficModel::Kind::Message, 0, QStringLiteral("a"), QStringLiteral("before"));
    model.setPaused(true);
    QVERIFY(model.isPaused());
    model.append(TrafficModel::Kind::Message, 1, QStringLiteral("a"), QStringLiteral("missed"));
    model.append(TrafficModel::Kind::Message, 2, QStringLiteral("a"), QStringLiteral("missed"));
    QCOMPARE(model.rowCount(), 1);
    model.setPaused(false);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, 0).data(TrafficModel::KindRole).toInt(), int(TrafficModel::Kind::Note));
    QVERIFY(model.index(1, TrafficModel::Message).data().toString().contains(u'2'));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.toText(), QString());
}

QTEST_MAIN(tst_TrafficModel)
#include "tst_trafficmodel.moc"
