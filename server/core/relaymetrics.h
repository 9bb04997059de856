// RelayMetrics: the documents of the web port's monitoring pages, built from a snapshot of
// the relay: GET /health (application/health+json, after draft-inadarei-api-health-check) and
// GET /metrics (the Prometheus text format 0.0.4). Pure functions of a plain value, so that
// tests can check every document from a table; RelayServer takes the snapshot, WebGateway
// serves what these make.
#pragma once

#include "expectedclients.h"
#include "mqttsettings.h"
#include "relaystats.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>

/// What the monitoring pages show: the relay at one moment.
struct RelaySnapshot
{
    QString version; ///< SocketServer's, "0.1.0"
    QDateTime startTime; ///< when the relay was started
    QDateTime time; ///< when this snapshot was taken
    bool listening = false; ///< clients can connect
    QString notListening; ///< why not, when not: "stopping", "waiting for ..."
    QStringList tcpAddresses; ///< "127.0.0.1:6780", "[::1]:6780"
    QStringList webSocketAddresses; ///< the same addresses, on the WebSocket port; empty if off
    QString localPath; ///< the local socket's path; empty when off
    QStringList udpAddresses; ///< the same addresses, on the UDP port; empty if off
    int maxClients = 0;
    CountsBy<ClientInfo::Kind, kTransportCount> clients; ///< connected now
    RelayStats stats;
    QList<ExpectedClientStatus> expected; ///< the exhibit's inventory (--expect), as last judged
    std::optional<MqttStatus> mqtt; ///< the MQTT bridge, with --mqtt
};

namespace RelayMetrics {

/// The overall state /health gives, from the best to the worst.
enum class Status
{
    Pass, ///< listening, with room for more clients
    Warn, ///< listening, but full: newcomers are refused
    Fail, ///< not listening, or an expected client missing or silent
};

/// "pass", "warn" or "fail".
const char *statusName(Status status);

/// The state of the relay in @p snapshot: the worst of its checks (see healthJson()).
Status healthStatus(const RelaySnapshot &snapshot);

/// The /health document: {"status", "version", "releaseId", "description", "output" (why, when
/// not "pass"), "checks": {"relay:listening", "relay:uptime", "clients:connected", and with
/// --expect "expected-clients:state", one entry per expected client; with --mqtt
/// "mqtt:connection", which warns while the bridge is not connected}}.
QByteArray healthJson(const RelaySnapshot &snapshot);

/// The /metrics document: every family with HELP and TYPE lines, every label value of a reason
/// or transport present even at 0; with --expect, socketserver_expected_client_up per name;
/// with --mqtt, the socketserver_mqtt_* families.
QByteArray prometheusText(const RelaySnapshot &snapshot);

} // namespace RelayMetrics
