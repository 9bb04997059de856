// The web port's monitoring pages with a real relay and real clients of every kind: /metrics
// moves as clients connect, send, are refused and go, each counted by its transport or reason;
// /health says pass, warn (full) and fail (stopping), with the HTTP status a checker reads.
#include "httpget.h"
#include "relayfixture.h"
#include "relayserver.h"
#include "webgateway.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

namespace {

RelayConfig testConfig(const QTemporaryDir &dir)
{
    RelayConfig config;
    config.port = 0;
    config.webSocketEnabled = true;
    config.webSocketPort = 0;
    config.localServerName = dir.filePath(QStringLiteral("relay.sock"));
    return config;
}

QByteArray status(const HttpResponse &response)
{
    return QJsonDocument::fromJson(response.body)
        .object()
        .value(QStringLiteral("status"))
        .toString()
        .toUtf8();
}

} // namespace

class tst_Monitoring : public QObject
{
    Q_OBJECT

private slots:
    void cleanup() { m_fixture.reset(); }
    void metricsMoveWithRealClients();
    void healthPassWarnFail();
    void headAnswersWithoutBody();
    void pagesFollowTheAllowList();

private:
    RelayServer &relay() { return m_fixture.relay(); }
    // The samples of /metrics, as served now.
    QHash<QByteArray, double> metrics()
    {
        const HttpResponse response = httpGet(relay().webSocketPort(), "/metrics");
        if (response.status != 200
            || response.header("content-type") != "text/plain; version=0.0.4; charset=utf-8")
            return {};
        return metricSamples(response.body);
    }

    RelayFixture m_fixture;
};

void tst_Monitoring::metricsMoveWithRealClients()
{
    QTemporaryDir dir;
    RelayConfig config = testConfig(dir);
    config.maxClients = 4;
    config.maxMessageBytes = 64;
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));

    QHash<QByteArray, double> m = metrics();
    QCOMPARE(m.value("socketserver_clients{transport=\"tcp\"}", -1), 1);
    QCOMPARE(m.value("socketserver_clients{transport=\"websocket\"}", -1), 0);
    QCOMPARE(m.value("socketserver_max_clients", -1), 4);
    QCOMPARE(m.value("socketserver_build_info{version=\"" SOCKETSERVER_VERSION "\"}", -1), 1);
    QVERIFY(
        qAbs(m.value("socketserver_start_time_seconds") - QDateTime::currentSecsSinceEpoch()) < 60);

    QWebSocket ws;
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(relay().webSocketPort())));
    QLocalSocket local;
    local.connectToServer(config.localServerName);
    QTRY_COMPARE(relay().clientCount(), 3);
    m = metrics();
    for (const char *transport : {"tcp", "websocket", "local"}) {
        const QByteArray label = QByteArray("{transport=\"") + transport + "\"}";
        QCOMPARE(m.value("socketserver_clients" + label, -1), 1);
        QCOMPARE(m.value("socketserver_clients_accepted_total" + label, -1), 1);
    }

    // One message to three clients (echo on): "hello\n" to the TCP and local clients, a 7-byte
    // frame to the WebSocket.
    m_fixture.peer(0).send("hello\n");
    QTRY_COMPARE(m_fixture.peer(0).received(), QByteArray("hello\n"));
    m = metrics();
    QCOMPARE(m.value("socketserver_messages_received_total", -1), 1);
    QCOMPARE(m.value("socketserver_messages_delivered_total", -1), 3);
    QCOMPARE(m.value("socketserver_received_bytes_total", -1), 6);
    QCOMPARE(m.value("socketserver_delivered_bytes_total", -1), 6 + 6 + 7);

    // A TCP message over the limit is dropped; the client stays.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("longer than 64 bytes")));
    m_fixture.peer(0).send(QByteArray(100, 'x') + '\n');
    QTRY_COMPARE(relay().stats().messagesDropped, 1);
    m = metrics();
    QCOMPARE(m.value("socketserver_messages_dropped_total{reason=\"oversize\"}", -1), 1);
    QCOMPARE(m.value("socketserver_messages_received_total", -1), 1);
    QCOMPARE(m.value("socketserver_received_bytes_total", -1), 6 + 101);

    // Full: the fifth is refused.
    TestPeer fourth;
    QVERIFY(fourth.connectTo(QHostAddress::LocalHost, relay().port()));
    QTRY_COMPARE(relay().clientCount(), 4);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("server full")));
    TestPeer fifth;
    QVERIFY(fifth.connectTo(QHostAddress::LocalHost, relay().port()));
    QTRY_VERIFY(!fifth.isConnected());
    QCOMPARE(metrics().value("socketserver_clients_refused_total{reason=\"full\"}", -1), 1);

    // Gone, each for its reason: closed by the client, kicked, a WebSocket message too big.
    fourth.socket().disconnectFromHost();
    QTRY_COMPARE(relay().clientCount(), 3);
    for (const ClientInfo &client : relay().clients()) {
        if (client.kind == ClientInfo::Kind::Local)
            QVERIFY(relay().disconnectClient(client.id));
    }
    QTRY_COMPARE(relay().clientCount(), 2);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("longer than 64 bytes")));
    ws.sendTextMessage(QString(100, QLatin1Char('y')));
    QTRY_COMPARE(relay().clientCount(), 1);
    m = metrics();
    QCOMPARE(m.value("socketserver_clients_disconnected_total{reason=\"client_closed\"}", -1), 1);
    QCOMPARE(m.value("socketserver_clients_disconnected_total{reason=\"kicked\"}", -1), 1);
    QCOMPARE(m.value("socketserver_clients_disconnected_total{reason=\"oversize\"}", -1), 1);
    QCOMPARE(m.value("socketserver_messages_dropped_total{reason=\"oversize\"}", -1), 2);
    QCOMPARE(m.value("socketserver_clients{transport=\"websocket\"}", -1), 0);
    QCOMPARE(m.value("socketserver_clients{transport=\"local\"}", -1), 0);
    QCOMPARE(m.value("socketserver_clients_accepted_total{transport=\"tcp\"}", -1), 2);
    // The counts of the clients that are gone stay in the totals.
    QCOMPARE(m.value("socketserver_delivered_bytes_total", -1), 6 + 6 + 7);

    // The relay stops: the last client is counted as such.
    relay().stop();
    QTRY_COMPARE(relay().clientCount(), 0);
    QCOMPARE(relay().stats().clientsDisconnected[Disconnect::RelayStopping], 1);
    QCOMPARE(relay().stats().clientsDisconnected.total(), 4);
}

void tst_Monitoring::healthPassWarnFail()
{
    QTemporaryDir dir;
    RelayConfig config = testConfig(dir);
    config.maxClients = 2;
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));

    HttpResponse health = httpGet(relay().webSocketPort(), "/health");
    QCOMPARE(health.status, 200);
    QCOMPARE(health.header("content-type"), QByteArray("application/health+json"));
    QCOMPARE(health.header("cache-control"), QByteArray("no-store"));
    QCOMPARE(status(health), QByteArray("pass"));

    TestPeer second;
    QVERIFY(second.connectTo(QHostAddress::LocalHost, relay().port()));
    QTRY_COMPARE(relay().clientCount(), 2);
    health = httpGet(relay().webSocketPort(), "/health");
    QCOMPARE(health.status, 200);
    QCOMPARE(status(health), QByteArray("warn"));
    QVERIFY2(health.body.contains("full: 2 of 2 clients"), health.body.constData());

    // A request that came in while the relay listened, asked once it has stopped listening.
    TestPeer early;
    QVERIFY(early.connectTo(QHostAddress::LocalHost, relay().webSocketPort()));
    auto *gateway = relay().findChild<WebGateway *>();
    QVERIFY(gateway);
    QTRY_COMPARE(gateway->findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly).size(), 1);
    relay().stop();
    health = httpRequest(early, "/health");
    QCOMPARE(health.status, 503);
    QCOMPARE(status(health), QByteArray("fail"));
    QVERIFY2(health.body.contains("\"output\": \"stopping"), health.body.constData());
}

void tst_Monitoring::headAnswersWithoutBody()
{
    QTemporaryDir dir;
    QVERIFY2(m_fixture.start(testConfig(dir), 0), qPrintable(relay().errorString()));
    for (const QByteArray path : {"/health", "/metrics", "/"}) {
        const HttpResponse get = httpGet(relay().webSocketPort(), path);
        const HttpResponse head = httpGet(relay().webSocketPort(), path, "HEAD");
        QCOMPARE(head.status, 200);
        QCOMPARE(head.header("content-type"), get.header("content-type"));
        QVERIFY(head.header("content-length").toInt() > 0);
        QCOMPARE(head.body, QByteArray());
    }
    QCOMPARE(httpGet(relay().webSocketPort(), "/nothing", "HEAD").status, 404);
}

// The allow list guards the monitoring pages as it guards the clients.
void tst_Monitoring::pagesFollowTheAllowList()
{
    QTemporaryDir dir;
    RelayConfig config = testConfig(dir);
    config.allow.append(QHostAddress::parseSubnet(QStringLiteral("192.168.1.0/24")));
    QVERIFY2(m_fixture.start(config, 0), qPrintable(relay().errorString()));
    QTest::ignoreMessage(QtWarningMsg, "refused 127.0.0.1 - not in the allow list");
    const HttpResponse response = httpGet(relay().webSocketPort(), "/metrics");
    QCOMPARE(response.status, 0);
    QCOMPARE(relay().stats().clientsRefused[Refusal::NotAllowed], 1);
}

QTEST_GUILESS_MAIN(tst_Monitoring)
#include "tst_monitoring.moc"
