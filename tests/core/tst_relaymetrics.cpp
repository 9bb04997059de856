// Unit tests of RelayMetrics: the /health and /metrics documents built from snapshots.
#include "relaymetrics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace {

// A relay listening on TCP, WebSocket and a local socket, with a few clients and counts.
RelaySnapshot listening()
{
    RelaySnapshot snapshot;
    snapshot.version = QStringLiteral("1.2.3");
    snapshot.startTime = QDateTime(QDate(2024, 5, 1), QTime(8, 0), Qt::UTC);
    snapshot.time = snapshot.startTime.addSecs(3725);
    snapshot.listening = true;
    snapshot.tcpAddresses = {QStringLiteral("127.0.0.1:6780"), QStringLiteral("[::1]:6780")};
    snapshot.webSocketAddresses = {QStringLiteral("127.0.0.1:6781")};
    snapshot.localPath = QStringLiteral("/tmp/relay.sock");
    snapshot.udpAddresses = {QStringLiteral("127.0.0.1:7000")};
    snapshot.maxClients = 10;
    snapshot.clients[ClientInfo::Kind::Tcp] = 3;
    snapshot.clients[ClientInfo::Kind::WebSocket] = 2;
    snapshot.clients[ClientInfo::Kind::Local] = 1;
    return snapshot;
}

RelaySnapshot full()
{
    RelaySnapshot snapshot = listening();
    snapshot.maxClients = 6;
    return snapshot;
}

RelaySnapshot stopping()
{
    RelaySnapshot snapshot = listening();
    snapshot.listening = false;
    snapshot.notListening = QStringLiteral("stopping");
    snapshot.tcpAddresses.clear();
    snapshot.webSocketAddresses.clear();
    snapshot.localPath.clear();
    snapshot.udpAddresses.clear();
    return snapshot;
}

// listening() with the exhibit's inventory: kiosk1 here, kiosk2 in its grace, kiosk3 in @p state.
RelaySnapshot withExpected(ExpectedClientStatus::State state)
{
    using State = ExpectedClientStatus::State;
    RelaySnapshot snapshot = listening();
    const QDateTime since(QDate(2024, 5, 1), QTime(8, 30), Qt::UTC);
    snapshot.expected = {
        {QStringLiteral("kiosk1"), QStringLiteral("192.168.1.21"), State::Present, since, 7, {}},
        {QStringLiteral("kiosk2"), QStringLiteral("192.168.1.22"), State::Waiting, since, 0, {}},
        {QStringLiteral("kiosk3"), QStringLiteral("prefix:kiosk3:"), state, since, 0, {}},
    };
    return snapshot;
}

// The "checks" entries under @p key, as {componentId: entry}.
QHash<QString, QJsonObject> entries(const QJsonObject &health, const QString &key)
{
    QHash<QString, QJsonObject> byId;
    const QJsonArray list = health.value(QStringLiteral("checks")).toObject().value(key).toArray();
    for (const QJsonValue &entry : list)
        byId.insert(
            entry.toObject().value(QStringLiteral("componentId")).toString(), entry.toObject());
    return byId;
}

} // namespace

Q_DECLARE_METATYPE(RelaySnapshot)

class tst_RelayMetrics : public QObject
{
    Q_OBJECT

private slots:
    void health_data();
    void health();
    void healthChecks();
    void healthOfExpectedClients();
    void expectedClientGauges();
    void prometheusDocument();
    void everyLabelValueIsThereAtZero_data();
    void everyLabelValueIsThereAtZero();
    void labelValuesAreEscaped();
};

void tst_RelayMetrics::health_data()
{
    QTest::addColumn<RelaySnapshot>("snapshot");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("output"); // the top-level "output"; absent when empty

    QTest::newRow("listening, room for more") << listening() << "pass"
                                              << "";
    QTest::newRow("full") << full() << "warn"
                          << "full: 6 of 6 clients, newcomers are refused";
    RelaySnapshot over = full();
    over.maxClients = 5;
    QTest::newRow("more than the maximum (lowered)")
        << over << "warn"
        << "full: 6 of 5 clients, newcomers are refused";
    QTest::newRow("stopping") << stopping() << "fail"
                              << "stopping";
    RelaySnapshot waiting = stopping();
    waiting.notListening
        = QStringLiteral("waiting: 192.168.1.20 is not an address of this machine");
    waiting.clients = {};
    QTest::newRow("waiting for its address")
        << waiting << "fail"
        << "waiting: 192.168.1.20 is not an address of this machine";
    RelaySnapshot fullAndStopping = stopping();
    fullAndStopping.maxClients = 6;
    using State = ExpectedClientStatus::State;
    const QString kiosk3 = QStringLiteral("expected client kiosk3 (prefix:kiosk3:) %1 since ")
        + QDateTime(QDate(2024, 5, 1), QTime(8, 30), Qt::UTC).toLocalTime().toString(u"HH:mm:ss");
    QTest::newRow("expected clients present or within their grace")
        << withExpected(State::Present) << "pass"
        << "";
    QTest::newRow("an expected client missing")
        << withExpected(State::Missing) << "fail" << kiosk3.arg(u"missing");
    QTest::newRow("an expected client silent")
        << withExpected(State::Silent) << "fail" << kiosk3.arg(u"silent");
    QTest::newRow("full and stopping: both said, fail wins")
        << fullAndStopping << "fail"
        << "stopping; full: 6 of 6 clients, newcomers are refused";
}

void tst_RelayMetrics::health()
{
    QFETCH(RelaySnapshot, snapshot);
    QFETCH(QString, status);
    QFETCH(QString, output);

    QCOMPARE(QLatin1String(RelayMetrics::statusName(RelayMetrics::healthStatus(snapshot))), status);
    QJsonParseError error;
    const QJsonDocument document
        = QJsonDocument::fromJson(RelayMetrics::healthJson(snapshot), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject health = document.object();
    QCOMPARE(health.value(QStringLiteral("status")).toString(), status);
    QCOMPARE(health.contains(QStringLiteral("output")), !output.isEmpty());
    QCOMPARE(health.value(QStringLiteral("output")).toString(), output);
    QCOMPARE(health.value(QStringLiteral("version")).toString(), QStringLiteral("1.2"));
    QCOMPARE(health.value(QStringLiteral("releaseId")).toString(), QStringLiteral("1.2.3"));
}

void tst_RelayMetrics::healthChecks()
{
    const QJsonObject health
        = QJsonDocument::fromJson(RelayMetrics::healthJson(listening())).object();
    QCOMPARE(health.value(QStringLiteral("checks")).toObject().keys(),
        (QStringList{"clients:connected", "relay:listening", "relay:uptime"}));

    const auto listeners = entries(health, QStringLiteral("relay:listening"));
    QCOMPARE(listeners.size(), 4);
    QCOMPARE(listeners.value(QStringLiteral("tcp")).value(QStringLiteral("observedValue")),
        QJsonValue(QJsonArray{"127.0.0.1:6780", "[::1]:6780"}));
    QCOMPARE(listeners.value(QStringLiteral("websocket")).value(QStringLiteral("observedValue")),
        QJsonValue(QJsonArray{"127.0.0.1:6781"}));
    QCOMPARE(listeners.value(QStringLiteral("local")).value(QStringLiteral("observedValue")),
        QJsonValue(QJsonArray{"/tmp/relay.sock"}));
    QCOMPARE(listeners.value(QStringLiteral("udp")).value(QStringLiteral("observedValue")),
        QJsonValue(QJsonArray{"127.0.0.1:7000"}));
    for (const QJsonObject &listener : listeners)
        QCOMPARE(listener.value(QStringLiteral("status")).toString(), QStringLiteral("pass"));

    const auto clients = entries(health, QStringLiteral("clients:connected"));
    QCOMPARE(clients.size(), 6);
    QCOMPARE(
        clients.value(QStringLiteral("tcp")).value(QStringLiteral("observedValue")).toInt(), 3);
    QCOMPARE(
        clients.value(QStringLiteral("websocket")).value(QStringLiteral("observedValue")).toInt(),
        2);
    QCOMPARE(
        clients.value(QStringLiteral("local")).value(QStringLiteral("observedValue")).toInt(), 1);
    QCOMPARE(
        clients.value(QStringLiteral("all")).value(QStringLiteral("observedValue")).toInt(), 6);

    const QJsonObject uptime = health.value(QStringLiteral("checks"))
                                   .toObject()
                                   .value(QStringLiteral("relay:uptime"))
                                   .toArray()
                                   .first()
                                   .toObject();
    QCOMPARE(uptime.value(QStringLiteral("observedValue")).toInt(), 3725);
    QCOMPARE(uptime.value(QStringLiteral("observedUnit")).toString(), QStringLiteral("s"));
    QCOMPARE(
        uptime.value(QStringLiteral("time")).toString(), QStringLiteral("2024-05-01T09:02:05Z"));

    // Not listening: the TCP listener fails with the reason, and the others are not there.
    const QJsonObject stopped
        = QJsonDocument::fromJson(RelayMetrics::healthJson(stopping())).object();
    const auto none = entries(stopped, QStringLiteral("relay:listening"));
    QCOMPARE(none.keys(), QStringList{QStringLiteral("tcp")});
    QCOMPARE(none.value(QStringLiteral("tcp")).value(QStringLiteral("status")).toString(),
        QStringLiteral("fail"));
    QCOMPARE(none.value(QStringLiteral("tcp")).value(QStringLiteral("output")).toString(),
        QStringLiteral("stopping"));
}

// One entry per expected client, under "expected-clients:state", with its state and since when.
void tst_RelayMetrics::healthOfExpectedClients()
{
    const QJsonObject health = QJsonDocument::fromJson(
        RelayMetrics::healthJson(withExpected(ExpectedClientStatus::State::Missing)))
                                   .object();
    const auto expected = entries(health, QStringLiteral("expected-clients:state"));
    QCOMPARE(expected.size(), 3);
    const auto field = [&expected](const char *name, const char *key) {
        return expected.value(QLatin1String(name)).value(QLatin1String(key)).toString();
    };
    QCOMPARE(field("kiosk1", "observedValue"), QStringLiteral("present"));
    QCOMPARE(field("kiosk1", "status"), QStringLiteral("pass"));
    QCOMPARE(field("kiosk2", "observedValue"), QStringLiteral("waiting"));
    QCOMPARE(field("kiosk2", "status"), QStringLiteral("pass"));
    QCOMPARE(field("kiosk3", "observedValue"), QStringLiteral("missing"));
    QCOMPARE(field("kiosk3", "status"), QStringLiteral("fail"));
    QCOMPARE(field("kiosk3", "time"), QStringLiteral("2024-05-01T08:30:00Z"));

    // Without --expect there is no such check at all.
    const QJsonObject plain
        = QJsonDocument::fromJson(RelayMetrics::healthJson(listening())).object();
    QVERIFY(!plain.value(QStringLiteral("checks"))
                 .toObject()
                 .contains(QStringLiteral("expected-clients:state")));
}

// One gauge per expected client: 1 only while present.
void tst_RelayMetrics::expectedClientGauges()
{
    const QByteArray text
        = RelayMetrics::prometheusText(withExpected(ExpectedClientStatus::State::Silent));
    QVERIFY(text.contains("# TYPE socketserver_expected_client_up gauge\n"
                          "socketserver_expected_client_up{name=\"kiosk1\"} 1\n"
                          "socketserver_expected_client_up{name=\"kiosk2\"} 0\n"
                          "socketserver_expected_client_up{name=\"kiosk3\"} 0\n"));
    QVERIFY(!RelayMetrics::prometheusText(listening()).contains("expected_client"));
}

// The whole document for one snapshot: names, HELP and TYPE lines, order, values.
void tst_RelayMetrics::prometheusDocument()
{
    RelaySnapshot snapshot = listening();
    snapshot.startTime = QDateTime::fromMSecsSinceEpoch(1714550400250, Qt::UTC);
    RelayStats &stats = snapshot.stats;
    stats.clientsAccepted[ClientInfo::Kind::Tcp] = 40;
    stats.clientsAccepted[ClientInfo::Kind::WebSocket] = 12;
    stats.clientsAccepted[ClientInfo::Kind::Local] = 1;
    stats.clientsRefused[Refusal::Full] = 2;
    stats.clientsRefused[Refusal::NotAllowed] = 7;
    stats.clientsRefused[Refusal::BadHandshake] = 3;
    stats.clientsRefused[Refusal::OriginNotAllowed] = 4;
    stats.clientsRefused[Refusal::WrongVersion] = 5;
    stats.clientsDisconnected[Disconnect::ClientClosed] = 30;
    stats.clientsDisconnected[Disconnect::ConnectionLost] = 6;
    stats.clientsDisconnected[Disconnect::NotReading] = 1;
    stats.clientsDisconnected[Disconnect::Kicked] = 2;
    stats.clientsDisconnected[Disconnect::Oversize] = 3;
    stats.clientsDisconnected[Disconnect::ProtocolError] = 4;
    stats.clientsDisconnected[Disconnect::FlashPolicy] = 0;
    stats.clientsDisconnected[Disconnect::RelayStopping] = 1;
    stats.messagesIn = 1000;
    stats.messagesOut = 9000;
    stats.bytesIn = 12345;
    stats.bytesOut = 111105;
    stats.messagesDropped = 8;
    stats.datagramsMalformed = 9;
    stats.messagesUnsent = 10;

    const QByteArray expected
        = R"(# HELP socketserver_build_info SocketServer's version, in the label; always 1.
# TYPE socketserver_build_info gauge
socketserver_build_info{version="1.2.3"} 1
# HELP socketserver_start_time_seconds When the relay started, in seconds since the Unix epoch.
# TYPE socketserver_start_time_seconds gauge
socketserver_start_time_seconds 1714550400.250
# HELP socketserver_max_clients Clients the relay admits at most (--max-clients).
# TYPE socketserver_max_clients gauge
socketserver_max_clients 10
# HELP socketserver_clients Clients connected now, by transport.
# TYPE socketserver_clients gauge
socketserver_clients{transport="tcp"} 3
socketserver_clients{transport="websocket"} 2
socketserver_clients{transport="local"} 1
socketserver_clients{transport="udp"} 0
socketserver_clients{transport="osc"} 0
# HELP socketserver_clients_accepted_total Clients admitted since the relay started, by transport.
# TYPE socketserver_clients_accepted_total counter
socketserver_clients_accepted_total{transport="tcp"} 40
socketserver_clients_accepted_total{transport="websocket"} 12
socketserver_clients_accepted_total{transport="local"} 1
socketserver_clients_accepted_total{transport="udp"} 0
socketserver_clients_accepted_total{transport="osc"} 0
# HELP socketserver_clients_refused_total Connections refused since the relay started, by reason.
# TYPE socketserver_clients_refused_total counter
socketserver_clients_refused_total{reason="full"} 2
socketserver_clients_refused_total{reason="not_allowed"} 7
socketserver_clients_refused_total{reason="bad_handshake"} 3
socketserver_clients_refused_total{reason="origin_not_allowed"} 4
socketserver_clients_refused_total{reason="wrong_version"} 5
# HELP socketserver_clients_disconnected_total Clients gone since the relay started, by reason.
# TYPE socketserver_clients_disconnected_total counter
socketserver_clients_disconnected_total{reason="client_closed"} 30
socketserver_clients_disconnected_total{reason="connection_lost"} 6
socketserver_clients_disconnected_total{reason="not_reading"} 1
socketserver_clients_disconnected_total{reason="kicked"} 2
socketserver_clients_disconnected_total{reason="oversize"} 3
socketserver_clients_disconnected_total{reason="protocol_error"} 4
socketserver_clients_disconnected_total{reason="flash_policy"} 0
socketserver_clients_disconnected_total{reason="relay_stopping"} 1
socketserver_clients_disconnected_total{reason="silent"} 0
# HELP socketserver_messages_received_total Messages received from clients.
# TYPE socketserver_messages_received_total counter
socketserver_messages_received_total 1000
# HELP socketserver_messages_delivered_total Messages delivered to clients: one message to ten clients counts ten.
# TYPE socketserver_messages_delivered_total counter
socketserver_messages_delivered_total 9000
# HELP socketserver_received_bytes_total Bytes received from clients, terminators and WebSocket framing included.
# TYPE socketserver_received_bytes_total counter
socketserver_received_bytes_total 12345
# HELP socketserver_delivered_bytes_total Bytes queued for clients, terminators and WebSocket framing included.
# TYPE socketserver_delivered_bytes_total counter
socketserver_delivered_bytes_total 111105
# HELP socketserver_messages_dropped_total Messages received and not relayed, by reason.
# TYPE socketserver_messages_dropped_total counter
socketserver_messages_dropped_total{reason="oversize"} 8
socketserver_messages_dropped_total{reason="malformed"} 9
# HELP socketserver_messages_unsent_total Messages not sent to a UDP peer: over the path's safe datagram size, or refused by the system.
# TYPE socketserver_messages_unsent_total counter
socketserver_messages_unsent_total 10
)";
    const QByteArray text = RelayMetrics::prometheusText(snapshot);
    if (text != expected) {
        const QList<QByteArray> got = text.split('\n');
        const QList<QByteArray> want = expected.split('\n');
        for (qsizetype i = 0; i < qMin(got.size(), want.size()); ++i)
            QCOMPARE(got.at(i), want.at(i));
        QCOMPARE(got.size(), want.size());
    }
}

// Whatever the counts, every family is there with every value of its label, so that a rate
// can be taken from the first scrape on.
void tst_RelayMetrics::everyLabelValueIsThereAtZero_data()
{
    QTest::addColumn<QByteArray>("line");
    for (int i = 0; i < kTransportCount; ++i) {
        const char *transport = transportName(ClientInfo::Kind(i));
        QTest::addRow("clients %s", transport)
            << "socketserver_clients{transport=\"" + QByteArray(transport) + "\"} 0";
        QTest::addRow("accepted %s", transport)
            << "socketserver_clients_accepted_total{transport=\"" + QByteArray(transport) + "\"} 0";
    }
    for (int i = 0; i < kRefusalCount; ++i) {
        const char *reason = refusalName(Refusal(i));
        QTest::addRow("refused %s", reason)
            << "socketserver_clients_refused_total{reason=\"" + QByteArray(reason) + "\"} 0";
    }
    for (int i = 0; i < kDisconnectCount; ++i) {
        const char *reason = disconnectName(Disconnect(i));
        QTest::addRow("disconnected %s", reason)
            << "socketserver_clients_disconnected_total{reason=\"" + QByteArray(reason) + "\"} 0";
    }
    QTest::newRow("dropped") << QByteArray(
        "socketserver_messages_dropped_total{reason=\"oversize\"} 0");
}

void tst_RelayMetrics::everyLabelValueIsThereAtZero()
{
    QFETCH(QByteArray, line);
    RelaySnapshot empty;
    empty.version = QStringLiteral("1.2.3");
    const QList<QByteArray> lines = RelayMetrics::prometheusText(empty).split('\n');
    QVERIFY2(lines.contains(line), line.constData());
}

void tst_RelayMetrics::labelValuesAreEscaped()
{
    RelaySnapshot snapshot = listening();
    snapshot.version = QStringLiteral("1.2\\3 \"beta\"\nx");
    QVERIFY(RelayMetrics::prometheusText(snapshot).contains(
        "socketserver_build_info{version=\"1.2\\\\3 \\\"beta\\\"\\nx\"} 1\n"));
}

QTEST_GUILESS_MAIN(tst_RelayMetrics)
#include "tst_relaymetrics.moc"
