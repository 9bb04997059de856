// RelayServer: the relay. Listens (TCP; optionally WebSocket, a local socket and a UDP port),
// admits clients (one ClientSession each, owned here, whatever their kind; a UDP port's peers
// too), and passes every message from any client to all of them. The daemon and the panel both run
// it. Monitors read it by sampling clients(), stats(), snapshot() and expectedClients(); nothing is
// emitted per message. It names the clients the exhibit expects (--expect) and judges them once a
// second.
#pragma once

#include "bonjour.h"
#include "clientinfo.h"
#include "expectedclients.h"
#include "logthrottle.h"
#include "relayconfig.h"
#include "relaymetrics.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

class ClientSession;
class MessageBatch;
class MqttBridge;
class QIODevice;
class QLocalServer;
class QTcpServer;
class QTcpSocket;
class UdpPort;
class WebGateway;

/// One relayed message as a monitor's traffic view sees it.
struct TappedMessage
{
    qint64 timeMs = 0; ///< when it was relayed, in ms since the epoch
    quint64 clientId = 0; ///< who sent it; 0 for the relay itself (console, heartbeat)
    bool fromBroker = false; ///< from the MQTT broker: another relay or MQTT program (clientId 0)
    QByteArray payload; ///< without its terminator, cut at RelayServer::kTapMessageBytes
    qint64 skippedBefore = 0; ///< messages not tapped since the previous one: over the rate
};

Q_DECLARE_METATYPE(TappedMessage)

class RelayServer : public QObject
{
    Q_OBJECT

public:
    static constexpr int kTapMessagesPerSecond = 200;
    static constexpr qsizetype kTapMessageBytes = 1024;

    explicit RelayServer(QObject *parent = nullptr);

    /// Starts listening as @p config says; listening() is emitted once clients can connect.
    /// When the address is not on this machine yet and config.waitForAddress is set, it waits
    /// (isWaiting()) and retries every 2 s. On failure nothing listens, and errorString() says
    /// why in one sentence.
    bool start(const RelayConfig &config);
    /// Stops listening and closes every client cleanly; stopped() follows when all are gone.
    void stop();

    bool isListening() const { return !m_listeners.isEmpty(); }
    bool isWaiting() const { return m_retry.isActive(); }
    QString errorString() const { return m_errorString; }
    const RelayConfig &config() const { return m_config; }
    /// The addresses listened on, and the one port they share (the real one if 0 was asked).
    QList<QHostAddress> listenAddresses() const;
    quint16 port() const;
    /// The WebSocket port (the real one if 0 was asked), on the same addresses; 0 when off.
    quint16 webSocketPort() const;
    /// The UDP port (the real one if 0 was asked), on the same addresses; 0 when off.
    quint16 udpPort() const;
    /// The local socket's full path (or pipe name); empty when off.
    QString localServerPath() const;

    /// A snapshot of every connected client, in the order they connected.
    QList<ClientInfo> clients() const;
    int clientCount() const { return int(m_sessions.size()); }
    /// The server-wide counters since start(), the connected clients' included.
    RelayStats stats() const;
    /// What the monitoring pages (/health, /metrics) show, as of now.
    RelaySnapshot snapshot() const;
    /// The expected clients (RelayConfig::expected) as judged at the last sample (once a
    /// second while listening), in the configuration's order; empty when stopped.
    QList<ExpectedClientStatus> expectedClients() const;

    /// The MQTT bridge (--mqtt) as of now; nothing without one, or before the relay listens.
    std::optional<MqttStatus> mqttStatus() const;
    /// The relay's announcement on the network (Bonjour): Off on localhost, with --no-announce,
    /// and while not listening.
    const RelayAnnouncer &announcer() const { return m_announcer; }

    /// Sends a message from the relay itself (the console, the panel) to every client, ended
    /// the way each wants, and to the MQTT topic like a client's message.
    void broadcast(QByteArrayView message);
    /// Closes one client's connection; false when there is no such client.
    bool disconnectClient(quint64 id);

    /// The message tap, for monitors that show traffic: while on, messageTapped() is emitted
    /// for relayed messages, at most kTapMessagesPerSecond a second. Off by default: then it
    /// costs nothing.
    void setTapEnabled(bool on) { m_tapEnabled = on; }
    /// For tests: the clock the tap's rate limit reads (the system's monotonic one by default),
    /// so that a test can step from one second to the next. Starts counting afresh.
    void setTapClock(LogThrottle::Clock clock);

signals:
    /// Clients can connect now: listenAddresses() and port() tell where.
    void listening();
    void clientConnected(const ClientInfo &client);
    void clientDisconnected(const ClientInfo &client, const QString &reason);
    /// After stop(), once the last client is gone.
    void stopped();
    /// A message seen by the tap (see setTapEnabled()).
    void messageTapped(const TappedMessage &message);
    /// The MQTT bridge connected, lost its broker or started waiting: see mqttStatus().
    void mqttStatusChanged();
    /// The announcement's state or name changed: see announcer().
    void announcementChanged();

private:
    bool listenAll();
    bool listenTcp(const QList<QHostAddress> &addresses, quint16 port, bool web);
    bool listenLocal();
    bool listenUdp(const QList<QHostAddress> &addresses);
    void startBridge();
    void announce();
    void logAnnouncement();
    void closeListeners();
    QList<QHostAddress> addressesToListenOn();
    void raiseFileLimit();
    void acceptConnections(QTcpServer *listener);
    void acceptWebConnections(QTcpServer *listener);
    void acceptLocalConnections();
    void admitWebSocket(QTcpSocket *socket, const QByteArray &firstFrames);
    void addSession(ClientSession *session);
    bool isFull() const;
    bool refuseIfFull(QIODevice *socket, ClientInfo::Kind kind);
    void refuseNotAllowed(QTcpSocket *socket);
    void countNotAllowed(const QHostAddress &address);
    void countFull(const QString &peer);
    void admitUdpPeer(const QHostAddress &address, quint16 port);
    QStringList endpoints(const QList<QTcpServer *> &listeners) const;
    void relay(ClientSession *from, const MessageBatch &batch);
    void relayFromBroker(const MessageBatch &batch);
    void sendLocally(QByteArrayView message); // heartbeat, alarms: never to the broker
    void deliver(ClientSession *from, const MessageBatch &batch, qsizetype first, qsizetype last);
    void logTraffic(const QString &from, const MessageBatch &batch, bool fromClient);
    void tapBatch(quint64 clientId, const MessageBatch &batch, bool fromBroker = false);
    // False when over the rate.
    bool tap(quint64 clientId, QByteArrayView payload, bool fromBroker = false);
    void removeSession(ClientSession *session, const QString &reason);
    void nameByAddress(ClientSession *session);
    void nameByPrefix(ClientSession *session, QByteArrayView message);
    void findUnmatchedPrefixes();
    void sampleExpected();

    RelayConfig m_config;
    QList<QTcpServer *> m_listeners; // the TCP port, one per address
    QList<QTcpServer *> m_webListeners; // the WebSocket port, one per address
    WebGateway *m_gateway = nullptr; // kept while WebSockets it started may be open
    QLocalServer *m_localServer = nullptr;
    UdpPort *m_udp = nullptr;
    QByteArray m_flashPolicy; // the answer, when --flash-policy
    QList<ClientSession *> m_sessions; // in connection order
    quint64 m_nextClientId = 1;
    RelayStats m_stats; // the clients that are gone: their counts are added when they go
    QElapsedTimer m_running; // since start()
    QString m_errorString;
    bool m_addressMissing = false; // the last listen failed because the address is not here
    QTimer m_retry; // while waiting for the address to appear
    QTimer m_heartbeat;
    LogThrottle m_trafficLog;
    LogThrottle m_tapThrottle;
    bool m_tapEnabled = false;
    QHash<QHostAddress, QElapsedTimer> m_refusalLogged; // when each refused address was logged
    LogThrottle m_fullLog; // "server full" refusals
    bool m_stopping = false;
    std::unique_ptr<ExpectedClients> m_expected; // while listening with expected clients
    QTimer m_expectedSampler;
    // The expected clients known by a prefix that no connected client has matched: while there
    // are any, a client without a name has the first message of each batch it sends compared.
    QList<Expectation> m_unmatchedPrefixes;
    MqttBridge *m_bridge = nullptr; // with --mqtt, from start() to stop()
    RelayAnnouncer m_announcer;
};
