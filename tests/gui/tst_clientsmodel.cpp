// ClientsModel against a real relay and real TCP clients on loopback.
#include "clientsmodel.h"
#include "relayfixture.h"

#include <QAbstractItemModelTester>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

class tst_ClientsModel : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void rowsFollowConnections();
    void countersAreSampled();
    void onlyChangedRowsAreUpdated();
    void existingClientsAreShown();
    void kindOfEachClient();

private:
    RelayConfig loopback() const
    {
        RelayConfig config;
        config.port = 0;
        return config;
    }

    RelayFixture m_fixture;
};

void tst_ClientsModel::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_ClientsModel::cleanup()
{
    m_fixture.reset();
}

// Rows are inserted and removed per client, keyed by id: removing the middle one keeps the
// others in their rows with their own ids.
void tst_ClientsModel::rowsFollowConnections()
{
    RelayConfig config = loopback();
    QVERIFY(m_fixture.start(config, 0));
    ClientsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QVERIFY(resets.isValid());
    model.setRelay(&m_fixture.relay());
    resets.clear();

    TestPeer a, b, c;
    for (TestPeer *peer : {&a, &b, &c})
        QVERIFY(peer->connectTo(QHostAddress::LocalHost, m_fixture.relay().port()));
    QTRY_COMPARE(model.rowCount(), 3);
    const QList<ClientInfo> clients = m_fixture.relay().clients();
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(model.clientId(row), clients.at(row).id);
        QCOMPARE(model.index(row, ClientsModel::Port).data().toUInt(), clients.at(row).port);
        QCOMPARE(
            model.index(row, ClientsModel::Address).data().toString(), QStringLiteral("127.0.0.1"));
    }
    QCOMPARE(model.index(1, ClientsModel::Port).data().toUInt(), b.socket().localPort());

    b.socket().disconnectFromHost();
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(model.clientId(0), clients.at(0).id);
    QCOMPARE(model.clientId(1), clients.at(2).id);
    QCOMPARE(model.rowOf(clients.at(2).id), 1);
    QCOMPARE(model.rowOf(clients.at(1).id), -1);
    QCOMPARE(resets.size(), 0);
}

// Messages sent by a client show up in its counters (and in everyone's "out").
void tst_ClientsModel::countersAreSampled()
{
    QVERIFY(m_fixture.start(loopback(), 2));
    ClientsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRelay(&m_fixture.relay());
    QCOMPARE(model.rowCount(), 2);
    const auto value = [&model](int row, int column) {
        return model.index(row, column).data(ClientsModel::ValueRole).toLongLong();
    };
    QCOMPARE(value(0, ClientsModel::MessagesIn), 0);

    m_fixture.peer(0).send("one\ntwo\nthree\n");
    QTRY_COMPARE(value(0, ClientsModel::MessagesIn), 3); // by the sampling timer
    QCOMPARE(value(0, ClientsModel::BytesIn), 14);
    QTRY_COMPARE(value(1, ClientsModel::MessagesOut), 3);
    QCOMPARE(value(1, ClientsModel::MessagesIn), 0);
    QVERIFY(model.index(0, ClientsModel::LastActivity)
                .data(ClientsModel::ValueRole)
                .toDateTime()
                .isValid());
    QVERIFY(!model.index(0, ClientsModel::MessagesIn).data().toString().isEmpty());
}

// A sample emits dataChanged for the rows whose counters moved, and for no other.
void tst_ClientsModel::onlyChangedRowsAreUpdated()
{
    RelayConfig config = loopback();
    config.echo = false; // only the receivers' counters move besides the sender's
    QVERIFY(m_fixture.start(config, 3));
    ClientsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRelay(&m_fixture.relay());

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(changed.isValid());
    model.sample();
    QCOMPARE(changed.size(), 0); // nothing moved

    m_fixture.peer(1).send("hello\n");
    QTRY_COMPARE(m_fixture.relay().stats().messagesOut, 2);
    model.sample(); // the timer may have sampled already: the counters move all at once
    QCOMPARE(changed.size(), 3); // sender (in), two receivers (out)
    model.sample();
    QCOMPARE(changed.size(), 3);
    for (const QList<QVariant> &args : std::as_const(changed)) {
        const QModelIndex topLeft = args.at(0).toModelIndex();
        const QModelIndex bottomRight = args.at(1).toModelIndex();
        QCOMPARE(topLeft.row(), bottomRight.row());
        QCOMPARE(topLeft.column(), 0);
        QCOMPARE(bottomRight.column(), ClientsModel::ColumnCount - 1);
    }
}

void tst_ClientsModel::existingClientsAreShown()
{
    QVERIFY(m_fixture.start(loopback(), 2));
    ClientsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRelay(&m_fixture.relay());
    QCOMPARE(model.rowCount(), 2);
    model.setRelay(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

// TCP, WebSocket and local clients in one table, each with its kind.
void tst_ClientsModel::kindOfEachClient()
{
    RelayConfig config = loopback();
    config.webSocketEnabled = true;
    config.localServerName = QStringLiteral("socketserver-tst-clientsmodel-%1")
                                 .arg(QCoreApplication::applicationPid());
    QVERIFY(m_fixture.start(config, 1));
    ClientsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRelay(&m_fixture.relay());

    QWebSocket web;
    web.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_fixture.relay().webSocketPort())));
    QTRY_COMPARE(model.rowCount(), 2);
    QLocalSocket local;
    local.connectToServer(m_fixture.relay().localServerPath());
    QTRY_COMPARE(model.rowCount(), 3);

    const auto text
        = [&model](int row, int column) { return model.index(row, column).data().toString(); };
    QCOMPARE(text(0, ClientsModel::Kind), QStringLiteral("TCP"));
    QCOMPARE(text(1, ClientsModel::Kind), QStringLiteral("WebSocket"));
    QCOMPARE(text(1, ClientsModel::Address), QStringLiteral("127.0.0.1"));
    QCOMPARE(text(2, ClientsModel::Kind), QStringLiteral("local"));
    QCOMPARE(text(2, ClientsModel::Address), QStringLiteral("this computer"));
    QCOMPARE(text(2, ClientsModel::Port), QString());
}

QTEST_MAIN(tst_ClientsModel)
#include "tst_clientsmodel.moc"
