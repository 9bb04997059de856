#include "relaymetrics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace RelayMetrics {

namespace {

// One entry of /health's "checks": its key ("component:measurement") and its result.
struct Check
{
    QString key;
    Status status;
    QJsonObject result; // all but "status"
};

QList<Check> listenerChecks(const RelaySnapshot &snapshot)
{
    const auto listener = [&snapshot](const char *transport, const QStringList &addresses) {
        QJsonObject result{{QStringLiteral("componentId"), QLatin1String(transport)},
            {QStringLiteral("componentType"), QStringLiteral("component")},
            {QStringLiteral("observedValue"), QJsonArray::fromStringList(addresses)}};
        if (!snapshot.listening)
            result.insert(QStringLiteral("output"), snapshot.notListening);
        return Check{QStringLiteral("relay:listening"),
            snapshot.listening ? Status::Pass : Status::Fail, result};
    };
    QList<Check> checks = {listener("tcp", snapshot.tcpAddresses)};
    if (!snapshot.webSocketAddresses.isEmpty())
        checks.append(listener("websocket", snapshot.webSocketAddresses));
    if (!snapshot.localPath.isEmpty())
        checks.append(listener("local", {snapshot.localPath}));
    if (!snapshot.udpAddresses.isEmpty())
        checks.append(listener("udp", snapshot.udpAddresses));
    return checks;
}

Check uptimeCheck(const RelaySnapshot &snapshot)
{
    return {QStringLiteral("relay:uptime"), Status::Pass,
        {{QStringLiteral("componentType"), QStringLiteral("system")},
            {QStringLiteral("observedValue"), snapshot.startTime.secsTo(snapshot.time)},
            {QStringLiteral("observedUnit"), QStringLiteral("s")},
            {QStringLiteral("time"), snapshot.time.toUTC().toString(Qt::ISODate)}}};
}

QList<Check> clientChecks(const RelaySnapshot &snapshot)
{
    const auto count = [](const char *component, qint64 clients) {
        return QJsonObject{{QStringLiteral("componentId"), QLatin1String(component)},
            {QStringLiteral("componentType"), QStringLiteral("component")},
            {QStringLiteral("observedValue"), clients}};
    };
    QList<Check> checks;
    for (int kind = 0; kind < kTransportCount; ++kind) {
        const auto transport = ClientInfo::Kind(kind);
        checks.append({QStringLiteral("clients:connected"), Status::Pass,
            count(transportName(transport), snapshot.clients[transport])});
    }
    QJsonObject all = count("all", snapshot.clients.total());
    qint64 connections = 0; // UDP peers take no --max-clients slot
    for (int kind = 0; kind < kTransportCount; ++kind) {
        if (ClientInfo::isConnection(ClientInfo::Kind(kind)))
            connections += snapshot.clients[ClientInfo::Kind(kind)];
    }
    const bool full = connections >= snapshot.maxClients;
    if (full) {
        all.insert(QStringLiteral("output"),
            QStringLiteral("full: %1 of %2 clients, newcomers are refused")
                .arg(connections)
                .arg(snapshot.maxClients));
    }
    checks.append({QStringLiteral("clients:connected"), full ? Status::Warn : Status::Pass, all});
    return checks;
}

// One entry per expected client: present passes, and so does waiting within its grace;
// missing or silent fails, as the log's warning line says.
QList<Check> expectedChecks(const RelaySnapshot &snapshot)
{
    QList<Check> checks;
    for (const ExpectedClientStatus &client : snapshot.expected) {
        using State = ExpectedClientStatus::State;
        const QString state = ExpectedClientStatus::stateName(client.state);
        QJsonObject result{{QStringLiteral("componentId"), client.name},
            {QStringLiteral("componentType"), QStringLiteral("component")},
            {QStringLiteral("observedValue"), state},
            {QStringLiteral("time"), client.since.toUTC().toString(Qt::ISODate)}};
        const bool failed = client.state == State::Missing || client.state == State::Silent;
        if (failed) {
            result.insert(QStringLiteral("output"),
                QStringLiteral("expected client %1 (%2) %3 since %4")
                    .arg(client.name, client.match, state,
                        client.since.toString(QStringLiteral("HH:mm:ss"))));
        }
        checks.append({QStringLiteral("expected-clients:state"),
            failed ? Status::Fail : Status::Pass, result});
    }
    return checks;
}

// The MQTT bridge: connected passes; anything else warns, as the room still works on its own.
QList<Check> mqttChecks(const RelaySnapshot &snapshot)
{
    if (!snapshot.mqtt)
        return {};
    const MqttStatus &mqtt = *snapshot.mqtt;
    const bool connected = mqtt.state == MqttStatus::State::Connected;
    QJsonObject result{{QStringLiteral("componentId"), mqtt.broker},
        {QStringLiteral("componentType"), QStringLiteral("component")},
        {QStringLiteral("observedValue"),
            connected ? QStringLiteral("connected") : QStringLiteral("not connected")}};
    if (!connected)
        result.insert(QStringLiteral("output"), QStringLiteral("MQTT: ") + mqtt.text());
    return {{QStringLiteral("mqtt:connection"), connected ? Status::Pass : Status::Warn, result}};
}

// Every check of the relay, in the order /health lists them.
QList<Check> checks(const RelaySnapshot &snapshot)
{
    QList<Check> checks = listenerChecks(snapshot);
    checks.append(uptimeCheck(snapshot));
    checks.append(clientChecks(snapshot));
    checks.append(expectedChecks(snapshot));
    checks.append(mqttChecks(snapshot));
    return checks;
}

Status worst(const QList<Check> &checks)
{
    Status status = Status::Pass;
    for (const Check &check : checks)
        status = std::max(status, check.status);
    return status;
}

// "0.1" of "0.1.0": the version of what the relay offers, which a patch release keeps.
QString majorMinor(const QString &version)
{
    return version.section(QLatin1Char('.'), 0, 1);
}

// Prometheus' text format (0.0.4): a family's HELP and TYPE lines, then its samples.
void family(QByteArray &out, QByteArrayView name, QByteArrayView type, QByteArrayView help)
{
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
}

// A label value, escaped as the format says: backslash, double quote and line feed.
QByteArray labelValue(const QString &value)
{
    QByteArray escaped;
    for (const char c : value.toUtf8()) {
        if (c == '\\')
            escaped += "\\\\";
        else if (c == '"')
            escaped += "\\\"";
        else if (c == '\n')
            escaped += "\\n";
        else
            escaped += c;
    }
    return escaped;
}

void sample(QByteArray &out, QByteArrayView name, QByteArrayView labels, QByteArrayView value)
{
    out.append(name);
    if (!labels.isEmpty())
        out.append('{').append(labels).append('}');
    out.append(' ').append(value).append('\n');
}

void sample(QByteArray &out, QByteArrayView name, qint64 value)
{
    sample(out, name, {}, QByteArray::number(value));
}

// A family with one sample per value of an enum, 0 included, so that rates work from the start.
template<typename E, int N>
void samplesBy(QByteArray &out, QByteArrayView name, QByteArrayView label,
    const CountsBy<E, N> &counts, const char *(*valueName)(E))
{
    for (int i = 0; i < N; ++i) {
        const QByteArray labels = label.toByteArray() + "=\"" + valueName(E(i)) + '"';
        sample(out, name, labels, QByteArray::number(counts[E(i)]));
    }
}

} // namespace

const char *statusName(Status status)
{
    switch (status) {
    case Status::Pass:
        return "pass";
    case Status::Warn:
        return "warn";
    case Status::Fail:
        return "fail";
    }
    return "";
}

Status healthStatus(const RelaySnapshot &snapshot)
{
    return worst(checks(snapshot));
}

QByteArray healthJson(const RelaySnapshot &snapshot)
{
    const QList<Check> all = checks(snapshot);
    QJsonObject checksObject;
    QStringList output;
    for (const Check &check : all) {
        QJsonObject result = check.result;
        result.insert(QStringLiteral("status"), QLatin1String(statusName(check.status)));
        QJsonArray results = checksObject.value(check.key).toArray();
        results.append(result);
        checksObject.insert(check.key, results);
        const QString why = result.value(QStringLiteral("output")).toString();
        if (check.status != Status::Pass && !output.contains(why))
            output.append(why);
    }
    QJsonObject health{{QStringLiteral("status"), QLatin1String(statusName(worst(all)))},
        {QStringLiteral("version"), majorMinor(snapshot.version)},
        {QStringLiteral("releaseId"), snapshot.version},
        {QStringLiteral("description"), QStringLiteral("SocketServer message relay")},
        {QStringLiteral("checks"), checksObject}};
    if (!output.isEmpty())
        health.insert(QStringLiteral("output"), output.join(QStringLiteral("; ")));
    return QJsonDocument(health).toJson(QJsonDocument::Indented);
}

QByteArray prometheusText(const RelaySnapshot &snapshot)
{
    QByteArray out;
    const RelayStats &stats = snapshot.stats;

    family(
        out, "socketserver_build_info", "gauge", "SocketServer's version, in the label; always 1.");
    sample(out, "socketserver_build_info", "version=\"" + labelValue(snapshot.version) + '"', "1");
    family(out, "socketserver_start_time_seconds", "gauge",
        "When the relay started, in seconds since the Unix epoch.");
    sample(out, "socketserver_start_time_seconds", {},
        QByteArray::number(snapshot.startTime.toMSecsSinceEpoch() / 1000.0, 'f', 3));
    family(out, "socketserver_max_clients", "gauge",
        "Clients the relay admits at most (--max-clients).");
    sample(out, "socketserver_max_clients", snapshot.maxClients);

    family(out, "socketserver_clients", "gauge", "Clients connected now, by transport.");
    samplesBy(out, "socketserver_clients", "transport", snapshot.clients, transportName);
    family(out, "socketserver_clients_accepted_total", "counter",
        "Clients admitted since the relay started, by transport.");
    samplesBy(out, "socketserver_clients_accepted_total", "transport", stats.clientsAccepted,
        transportName);
    family(out, "socketserver_clients_refused_total", "counter",
        "Connections refused since the relay started, by reason.");
    samplesBy(
        out, "socketserver_clients_refused_total", "reason", stats.clientsRefused, refusalName);
    family(out, "socketserver_clients_disconnected_total", "counter",
        "Clients gone since the relay started, by reason.");
    samplesBy(out, "socketserver_clients_disconnected_total", "reason", stats.clientsDisconnected,
        disconnectName);

    family(
        out, "socketserver_messages_received_total", "counter", "Messages received from clients.");
    sample(out, "socketserver_messages_received_total", stats.messagesIn);
    family(out, "socketserver_messages_delivered_total", "counter",
        "Messages delivered to clients: one message to ten clients counts ten.");
    sample(out, "socketserver_messages_delivered_total", stats.messagesOut);
    family(out, "socketserver_received_bytes_total", "counter",
        "Bytes received from clients, terminators and WebSocket framing included.");
    sample(out, "socketserver_received_bytes_total", stats.bytesIn);
    family(out, "socketserver_delivered_bytes_total", "counter",
        "Bytes queued for clients, terminators and WebSocket framing included.");
    sample(out, "socketserver_delivered_bytes_total", stats.bytesOut);
    family(out, "socketserver_messages_dropped_total", "counter",
        "Messages received and not relayed, by reason.");
    sample(out, "socketserver_messages_dropped_total", "reason=\"oversize\"",
        QByteArray::number(stats.messagesDropped));
    sample(out, "socketserver_messages_dropped_total", "reason=\"malformed\"",
        QByteArray::number(stats.datagramsMalformed));
    family(out, "socketserver_messages_unsent_total", "counter",
        "Messages not sent to a UDP peer: over the path's safe datagram size, or refused by the "
        "system.");
    sample(out, "socketserver_messages_unsent_total", stats.messagesUnsent);

    if (!snapshot.expected.isEmpty()) {
        family(out, "socketserver_expected_client_up", "gauge",
            "1 while the expected client (--expect) is connected and not silent; 0 while it is "
            "missing, silent, or not there yet within its grace.");
    }
    for (const ExpectedClientStatus &client : snapshot.expected) {
        const bool up = client.state == ExpectedClientStatus::State::Present;
        sample(out, "socketserver_expected_client_up", "name=\"" + labelValue(client.name) + '"',
            up ? "1" : "0");
    }

    if (snapshot.mqtt) {
        const MqttStatus &mqtt = *snapshot.mqtt;
        family(out, "socketserver_mqtt_connected", "gauge",
            "1 while the MQTT bridge (--mqtt) is connected to its broker.");
        sample(
            out, "socketserver_mqtt_connected", mqtt.state == MqttStatus::State::Connected ? 1 : 0);
        family(out, "socketserver_mqtt_connections_total", "counter",
            "Connections the MQTT bridge made to its broker: more than 1 means it was lost.");
        sample(out, "socketserver_mqtt_connections_total", mqtt.connects);
        family(out, "socketserver_mqtt_messages_total", "counter",
            "Messages published to the broker (out) and relayed from it (in).");
        sample(out, "socketserver_mqtt_messages_total", "direction=\"out\"",
            QByteArray::number(mqtt.published));
        sample(out, "socketserver_mqtt_messages_total", "direction=\"in\"",
            QByteArray::number(mqtt.received));
        family(out, "socketserver_mqtt_dropped_total", "counter",
            "Messages the MQTT bridge dropped: not published while the broker was away or "
            "slower than the relay or unable to take them, or from the broker and over "
            "--max-message-bytes.");
        sample(out, "socketserver_mqtt_dropped_total", "reason=\"away\"",
            QByteArray::number(mqtt.droppedAway));
        sample(out, "socketserver_mqtt_dropped_total", "reason=\"backlog\"",
            QByteArray::number(mqtt.droppedBacklog));
        sample(out, "socketserver_mqtt_dropped_total", "reason=\"refused\"",
            QByteArray::number(mqtt.droppedRefused));
        sample(out, "socketserver_mqtt_dropped_total", "reason=\"oversize\"",
            QByteArray::number(mqtt.droppedOversize));
    }
    return out;
}

} // namespace RelayMetrics
