#include "relayserver.h"

#include "byteescape.h"
#include "filelimit.h"
#include "flashpolicy.h"
#include "logging.h"
#include "messagebatch.h"
#include "mqttbridge.h"
#include "netaddress.h"
#include "outgoingmessages.h"
#include "streamsession.h"
#include "udpport.h"
#include "udpsession.h"
#include "webgateway.h"
#include "websocketsession.h"

#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>
#include <utility>

namespace {

constexpr int kTrafficLogLinesPerSecond = 200;
constexpr int kTapPeriodMs = 1000; // the tap shows kTapMessagesPerSecond per period
constexpr qsizetype kTrafficLogMessageBytes = 200; // longer messages are shown truncated
constexpr int kRetryListenMs = 2000; // while the address to listen on is not on this machine
constexpr int kRetryAcceptMs = 1000; // after accept() failed, e.g. out of file descriptors
constexpr int kListenBacklog = 4096; // connections the system queues before the relay takes them
constexpr long kSpareFiles = 32; // open files besides the clients: listeners, logs, stdio
constexpr int kRefusalLogPeriodMs = 5000; // one line per refused address per period
constexpr qsizetype kRefusalLogAddresses = 1024; // addresses remembered for that
constexpr int kExpectedSampleMs = 1000; // expected clients are judged once a second

QString listenError(const QTcpServer &listener, const QHostAddress &address, quint16 port)
{
    const QString where = NetAddress::endpoint(address, port);
    switch (listener.serverError()) {
    case QAbstractSocket::AddressInUseError:
        return QStringLiteral("cannot listen on %1: the port is already in use "
                              "(is another socketserver running? --port chooses another)")
            .arg(where);
    case QAbstractSocket::SocketAddressNotAvailableError:
        return QStringLiteral("cannot listen on %1: %2 is not an address of this machine")
            .arg(where, address.toString());
    case QAbstractSocket::SocketAccessError:
        return QStringLiteral("cannot listen on %1: permission denied "
                              "(ports below 1024 need administrator rights)")
            .arg(where);
    default:
        return QStringLiteral("cannot listen on %1: %2").arg(where, listener.errorString());
    }
}

} // namespace

RelayServer::RelayServer(QObject *parent)
    : QObject(parent)
    , m_trafficLog(kTrafficLogLinesPerSecond, 1000)
    , m_tapThrottle(kTapMessagesPerSecond, kTapPeriodMs)
    , m_fullLog(1, kRefusalLogPeriodMs)
{
    connect(
        &m_heartbeat, &QTimer::timeout, this, [this] { sendLocally(m_config.heartbeatMessage); });
    m_retry.setInterval(kRetryListenMs);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        if (listenAll())
            m_retry.stop();
    });
    m_expectedSampler.setInterval(kExpectedSampleMs);
    connect(&m_expectedSampler, &QTimer::timeout, this, &RelayServer::sampleExpected);
    connect(&m_announcer, &RelayAnnouncer::stateChanged, this, [this] {
        logAnnouncement();
        emit announcementChanged();
    });
}

bool RelayServer::start(const RelayConfig &config)
{
    Q_ASSERT(!isListening() && !isWaiting());
    m_config = config;
    m_stats = {};
    m_running.start();
    m_stopping = false;
    raiseFileLimit();
    if (m_config.mqtt.isEnabled()) { // its files are checked now; it connects once listening
        m_bridge = new MqttBridge(m_config.mqtt, m_config.maxMessageBytes, this);
        if (!m_bridge->prepare()) {
            m_errorString = m_bridge->errorString();
            delete std::exchange(m_bridge, nullptr);
            return false;
        }
    }
    if (listenAll())
        return true;
    if (!m_addressMissing || !m_config.waitForAddress) {
        delete std::exchange(m_bridge, nullptr);
        return false;
    }
    qCWarning(lcRelay).noquote() << m_errorString
            + QStringLiteral(" (yet): waiting for it, trying again every %1 s")
                  .arg(kRetryListenMs / 1000);
    m_retry.start();
    return true;
}

// Listens on every address of the configuration (and the local socket), or on none.
bool RelayServer::listenAll()
{
    m_errorString.clear();
    m_addressMissing = false;
    const QList<QHostAddress> addresses = addressesToListenOn();
    if (addresses.isEmpty())
        return false;
    if (!listenTcp(addresses, m_config.port, false)
        || (m_config.webSocketEnabled && !listenTcp(addresses, m_config.webSocketPort, true))
        || (!m_config.localServerName.isEmpty() && !listenLocal())
        || (m_config.udpEnabled && !listenUdp(listenAddresses()))) {
        closeListeners();
        return false;
    }
    if (m_config.webSocketEnabled) {
        delete m_gateway;
        m_gateway = new WebGateway(
            m_config, [this] { return snapshot(); }, this);
        connect(m_gateway, &WebGateway::webSocketConnected, this, &RelayServer::admitWebSocket);
        connect(m_gateway, &WebGateway::webSocketRefused, this,
            [this](Refusal reason) { ++m_stats.clientsRefused[reason]; });
    }
    m_flashPolicy.clear();
    if (m_config.flashPolicy) {
        QList<quint16> ports = {port()};
        if (m_config.webSocketEnabled)
            ports.append(webSocketPort());
        m_flashPolicy = FlashPolicy::answer(ports);
    }
    if (m_config.heartbeatSeconds > 0)
        m_heartbeat.start(m_config.heartbeatSeconds * 1000);
    if (!m_config.expected.isEmpty()) { // the grace starts now that clients can connect
        m_expected = std::make_unique<ExpectedClients>(m_config);
        findUnmatchedPrefixes();
        m_expectedSampler.start();
    }
    startBridge();
    emit listening(); // the start-up lines come first, then the targets and the announcement
    for (const auto &[address, port] : std::as_const(m_config.udpTargets))
        m_udp->addPeer(m_nextClientId++, address, port, true);
    announce();
    return true;
}

// Announces the relay with Bonjour, unless it is only for this machine or told not to. A relay
// on one address is announced on that address's interface only.
void RelayServer::announce()
{
    if (!m_config.announce || m_config.bind == RelayConfig::Bind::Localhost)
        return;
    quint32 interfaceIndex = 0; // every interface
    if (m_config.bind != RelayConfig::Bind::Any) {
        const QHostAddress address = m_listeners.first()->serverAddress();
        if (address.isLoopback())
            return;
        interfaceIndex = NetAddress::interfaceIndex(address);
    }
    RelayAnnouncer::TxtRecord txt = {{"txtvers", "1"}, {"version", SOCKETSERVER_VERSION},
        {"eol", m_config.terminator.name().toUtf8()}};
    if (m_config.webSocketEnabled)
        txt.append({"ws", QByteArray::number(webSocketPort())});
    if (!m_config.localServerName.isEmpty())
        txt.append({"local", m_config.localServerName.toUtf8()});
    m_announcer.start(m_config.name.isEmpty() ? Bonjour::defaultName() : m_config.name, port(), txt,
        interfaceIndex);
}

// One line per change of the announcement: Bonjour going away and coming back is told once.
void RelayServer::logAnnouncement()
{
    switch (m_announcer.state()) {
    case RelayAnnouncer::State::Off:
    case RelayAnnouncer::State::Registering:
        break;
    case RelayAnnouncer::State::Announced:
        if (m_announcer.name() == m_announcer.requestedName())
            qCInfo(lcRelay).noquote()
                << QStringLiteral("announced on the network as \"%1\" (Bonjour)")
                       .arg(m_announcer.name());
        else
            qCWarning(lcRelay).noquote()
                << QStringLiteral("the name \"%1\" is in use on the network: announced as "
                                  "\"%2\" (Bonjour; --name chooses another)")
                       .arg(m_announcer.requestedName(), m_announcer.name());
        break;
    case RelayAnnouncer::State::Unavailable:
        qCWarning(lcRelay).noquote()
            << QStringLiteral("not announced on the network: %1%2")
                   .arg(m_announcer.errorString(),
                       Bonjour::isBuiltIn() ? QStringLiteral("; trying again every %1 s")
                                                  .arg(Bonjour::kRetryMs / 1000)
                                            : QString());
        break;
    }
}

void RelayServer::startBridge()
{
    if (!m_bridge)
        return;
    connect(m_bridge, &MqttBridge::messagesReceived, this, &RelayServer::relayFromBroker);
    connect(m_bridge, &MqttBridge::statusChanged, this, &RelayServer::mqttStatusChanged);
    m_bridge->start(MqttBridge::defaultClientId(port()));
}

// Listens on @p port of every address (the relay's port, or the WebSocket port when @p web).
bool RelayServer::listenTcp(const QList<QHostAddress> &addresses, quint16 port, bool web)
{
    QList<QTcpServer *> &listeners = web ? m_webListeners : m_listeners;
    bool first = true;
    for (const QHostAddress &address : addresses) {
        auto *listener = new QTcpServer(this);
        listener->setListenBacklogSize(kListenBacklog);
        listener->setMaxPendingConnections(kListenBacklog); // Qt's default takes 30 per turn
        if (!listener->listen(address, port)) {
            // A machine with IPv6 switched off still serves localhost on 127.0.0.1.
            const bool optional = address == QHostAddress(QHostAddress::LocalHostIPv6) && !first
                && listener->serverError() != QAbstractSocket::AddressInUseError;
            if (optional) {
                qCInfo(lcRelay).noquote()
                    << "IPv6 localhost is not available:" << listener->errorString();
                delete listener;
                continue;
            }
            m_errorString = listenError(*listener, address, port);
            if (web)
                m_errorString.replace(QStringLiteral("--port"), QStringLiteral("--ws-port"));
            m_addressMissing
                = listener->serverError() == QAbstractSocket::SocketAddressNotAvailableError;
            delete listener;
            return false;
        }
        first = false;
        port = listener->serverPort(); // every address shares the port picked for the first
        connect(listener, &QTcpServer::newConnection, this, [this, listener, web] {
            if (web)
                acceptWebConnections(listener);
            else
                acceptConnections(listener);
        });
        connect(listener, &QTcpServer::acceptError, this, [listener] {
            qCWarning(lcRelay).noquote()
                << "cannot accept a connection:" << listener->errorString()
                << QStringLiteral("- trying again in %1 s").arg(kRetryAcceptMs / 1000);
            listener->pauseAccepting();
            QTimer::singleShot(kRetryAcceptMs, listener, &QTcpServer::resumeAccepting);
        });
        listeners.append(listener);
    }
    return true;
}

// The local socket, for programs on this machine only: its file is readable and writable by
// this user alone, and one left behind by a crash is replaced.
bool RelayServer::listenLocal()
{
    m_localServer = new QLocalServer(this);
    m_localServer->setSocketOptions(QLocalServer::UserAccessOption);
    m_localServer->setMaxPendingConnections(kListenBacklog);
    QLocalServer::removeServer(m_config.localServerName);
    if (!m_localServer->listen(m_config.localServerName)) {
        m_errorString = QStringLiteral("cannot make the local socket %1: %2")
                            .arg(m_config.localServerName, m_localServer->errorString());
        return false;
    }
    connect(
        m_localServer, &QLocalServer::newConnection, this, &RelayServer::acceptLocalConnections);
    return true;
}

// The UDP port, on the addresses TCP got (a machine without IPv6 has no ::1): its peers are
// admitted here like connections (admitUdpPeer()).
bool RelayServer::listenUdp(const QList<QHostAddress> &addresses)
{
    m_udp = new UdpPort(m_config, this);
    connect(m_udp, &UdpPort::strangerHeard, this, &RelayServer::admitUdpPeer);
    connect(m_udp, &UdpPort::peerAdded, this, &RelayServer::addSession);
    if (m_udp->listen(addresses, m_config.udpPort))
        return true;
    m_errorString = m_udp->errorString();
    return false;
}

void RelayServer::closeListeners()
{
    qDeleteAll(m_listeners);
    m_listeners.clear();
    qDeleteAll(m_webListeners);
    m_webListeners.clear();
    delete m_localServer; // removes the socket file
    m_localServer = nullptr;
    delete m_udp; // its peers are closed right after, and never touch it again
    m_udp = nullptr;
}

void RelayServer::raiseFileLimit()
{
    const long wanted = m_config.maxClients + kSpareFiles;
    const long limit = FileLimit::raiseTo(wanted);
    if (limit >= 0 && limit < wanted)
        qCWarning(lcRelay,
            "this process may open only %ld files, so fewer than %d clients can "
            "connect: raise the limit (ulimit -n %ld) or lower --max-clients",
            limit, m_config.maxClients, wanted);
}

QList<QHostAddress> RelayServer::addressesToListenOn()
{
    switch (m_config.bind) {
    case RelayConfig::Bind::Localhost:
        return {QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHostIPv6)};
    case RelayConfig::Bind::Any:
        return {QHostAddress(QHostAddress::Any)};
    case RelayConfig::Bind::Address:
        return {m_config.address};
    case RelayConfig::Bind::Lan:
        break;
    }
    const QList<QHostAddress> candidates = NetAddress::lanAddresses();
    if (candidates.isEmpty()) {
        m_errorString = QStringLiteral("this machine has no LAN address (no network interface "
                                       "is up; -l listens on localhost)");
        m_addressMissing = true;
        return {};
    }
    if (candidates.size() > 1) {
        QStringList names;
        for (const QHostAddress &candidate : candidates)
            names.append(candidate.toString());
        qCInfo(lcRelay).noquote() << "LAN addresses of this machine:"
                                  << names.join(QStringLiteral(", ")) << "- using"
                                  << candidates.first().toString();
    }
    return {candidates.first()};
}

void RelayServer::stop()
{
    m_retry.stop();
    m_announcer.stop();
    m_heartbeat.stop();
    m_expectedSampler.stop();
    m_expected.reset();
    m_unmatchedPrefixes.clear();
    if (m_bridge) {
        m_bridge->stop();
        m_bridge->deleteLater();
        m_bridge = nullptr;
    }
    closeListeners();
    m_stopping = true;
    if (m_sessions.isEmpty()) {
        emit stopped();
        return;
    }
    const QList<ClientSession *> sessions = m_sessions; // close() may remove at once
    for (ClientSession *session : sessions)
        session->close(Disconnect::RelayStopping, QStringLiteral("server stopping"));
}

QList<QHostAddress> RelayServer::listenAddresses() const
{
    QList<QHostAddress> addresses;
    for (const QTcpServer *listener : m_listeners)
        addresses.append(listener->serverAddress());
    return addresses;
}

quint16 RelayServer::port() const
{
    return m_listeners.isEmpty() ? 0 : m_listeners.first()->serverPort();
}

quint16 RelayServer::webSocketPort() const
{
    return m_webListeners.isEmpty() ? 0 : m_webListeners.first()->serverPort();
}

quint16 RelayServer::udpPort() const
{
    return m_udp ? m_udp->port() : 0;
}

QString RelayServer::localServerPath() const
{
    return m_localServer ? m_localServer->fullServerName() : QString();
}

QStringList RelayServer::endpoints(const QList<QTcpServer *> &listeners) const
{
    QStringList names;
    for (const QTcpServer *listener : listeners)
        names.append(NetAddress::endpoint(listener->serverAddress(), listener->serverPort()));
    return names;
}

RelayStats RelayServer::stats() const
{
    RelayStats stats = m_stats;
    for (const ClientSession *session : m_sessions)
        session->addCountsTo(stats);
    return stats;
}

RelaySnapshot RelayServer::snapshot() const
{
    RelaySnapshot snapshot;
    snapshot.version = QStringLiteral(SOCKETSERVER_VERSION);
    // The uptime on a steady clock; the start said in today's time of day, which may have
    // jumped since (set from the network after boot).
    snapshot.time = QDateTime::currentDateTime();
    snapshot.startTime = snapshot.time.addMSecs(-m_running.elapsed());
    snapshot.listening = isListening();
    snapshot.mqtt = mqttStatus();
    if (isWaiting())
        snapshot.notListening = QStringLiteral("waiting: ") + m_errorString;
    else if (m_stopping)
        snapshot.notListening = QStringLiteral("stopping");
    else if (!isListening())
        snapshot.notListening = QStringLiteral("not listening");
    snapshot.tcpAddresses = endpoints(m_listeners);
    snapshot.webSocketAddresses = endpoints(m_webListeners);
    if (m_localServer)
        snapshot.localPath = m_localServer->fullServerName();
    if (m_udp)
        snapshot.udpAddresses = m_udp->endpoints();
    snapshot.maxClients = m_config.maxClients;
    for (const ClientSession *session : m_sessions)
        ++snapshot.clients[session->kind()];
    snapshot.stats = stats();
    snapshot.expected = expectedClients();
    return snapshot;
}

QList<ClientInfo> RelayServer::clients() const
{
    QList<ClientInfo> infos;
    infos.reserve(m_sessions.size());
    for (const ClientSession *session : m_sessions)
        infos.append(session->info());
    return infos;
}

QList<ExpectedClientStatus> RelayServer::expectedClients() const
{
    return m_expected ? m_expected->statuses() : QList<ExpectedClientStatus>();
}

std::optional<MqttStatus> RelayServer::mqttStatus() const
{
    return m_bridge && isListening() ? std::optional(m_bridge->status()) : std::nullopt;
}

void RelayServer::broadcast(QByteArrayView message)
{
    sendLocally(message);
    if (m_bridge)
        m_bridge->publish(message);
}

void RelayServer::sendLocally(QByteArrayView message)
{
    qCDebug(lcTraffic).noquote() << "relay:"
                                 << ByteEscape::toDisplay(message, kTrafficLogMessageBytes);
    if (m_tapEnabled)
        tap(0, message);
    MessageBatch batch;
    batch.append(message, LineEnding::None);
    deliver(nullptr, batch, 0, 1);
}

bool RelayServer::disconnectClient(quint64 id)
{
    for (ClientSession *session : std::as_const(m_sessions)) {
        if (session->id() == id) {
            session->close(
                Disconnect::Kicked, QStringLiteral("disconnected by the relay's operator"));
            return true;
        }
    }
    return false;
}

void RelayServer::acceptConnections(QTcpServer *listener)
{
    while (listener->hasPendingConnections()) {
        QTcpSocket *socket = listener->nextPendingConnection();
        if (!m_config.isAllowed(socket->peerAddress())) {
            refuseNotAllowed(socket);
            continue;
        }
        if (refuseIfFull(socket, ClientInfo::Kind::Tcp))
            continue;
        auto *session = new StreamSession(m_nextClientId++, socket, m_config, this);
        if (!m_flashPolicy.isEmpty())
            session->setFlashPolicy(m_flashPolicy);
        addSession(session);
    }
}

// Connections to the WebSocket port: web pages (the built-in one, or a WebSocket). The allow
// list applies to all of them; the gateway hands on the WebSockets to admitWebSocket().
void RelayServer::acceptWebConnections(QTcpServer *listener)
{
    while (listener->hasPendingConnections()) {
        QTcpSocket *socket = listener->nextPendingConnection();
        if (!m_config.isAllowed(socket->peerAddress())) {
            refuseNotAllowed(socket);
            continue;
        }
        m_gateway->handle(socket);
    }
}

void RelayServer::admitWebSocket(QTcpSocket *socket, const QByteArray &firstFrames)
{
    if (m_stopping) {
        socket->abort();
        socket->deleteLater();
        return;
    }
    socket->setParent(this);
    if (refuseIfFull(socket, ClientInfo::Kind::WebSocket))
        return;
    addSession(new WebSocketSession(m_nextClientId++, socket, firstFrames, m_config, this));
}

void RelayServer::acceptLocalConnections()
{
    while (m_localServer->hasPendingConnections()) {
        QLocalSocket *socket = m_localServer->nextPendingConnection();
        if (refuseIfFull(socket, ClientInfo::Kind::Local))
            continue;
        addSession(new StreamSession(m_nextClientId++, socket, m_config, this));
    }
}

void RelayServer::addSession(ClientSession *session)
{
    connect(session, &ClientSession::messagesReceived, this, &RelayServer::relay);
    connect(session, &ClientSession::disconnected, this, &RelayServer::removeSession);
    m_sessions.append(session);
    ++m_stats.clientsAccepted[session->kind()];
    if (m_expected)
        nameByAddress(session);
    qCDebug(lcClients).noquote() << session->peerName() << "connected, now" << m_sessions.size()
                                 << "client(s)";
    if (!m_config.welcome.isEmpty())
        session->sendMessage(m_config.welcome);
    emit clientConnected(session->info());
}

// The UDP port's peers take no --max-clients slot (UdpPort keeps them to the same number).
bool RelayServer::isFull() const
{
    return m_sessions.size() - (m_udp ? m_udp->peerCount() : 0) >= m_config.maxClients;
}

// Over --max-clients, refuses the newcomer on @p socket (of @p kind): tells it why (a line
// with the initial line ending; to a WebSocket a text message and Close 1013), closes it once
// that is written, counts the refusal and logs it, at most once per 5 s, so that a crowd of
// reconnecting clients cannot fill the log. False, doing nothing, while there is room.
bool RelayServer::refuseIfFull(QIODevice *socket, ClientInfo::Kind kind)
{
    if (!isFull())
        return false;
    auto *tcp = qobject_cast<QAbstractSocket *>(socket);
    countFull(tcp ? (kind == ClientInfo::Kind::WebSocket ? QStringLiteral("ws ") : QString())
                + NetAddress::endpoint(tcp->peerAddress(), tcp->peerPort())
                  : QStringLiteral("a local client"));
    const QString reason = QStringLiteral("server full (%1 clients)").arg(m_config.maxClients);
    if (kind == ClientInfo::Kind::WebSocket) {
        QByteArray frames;
        WebSocketCodec::appendFrame(frames, WebSocketCodec::Text, reason.toUtf8());
        frames += WebSocketCodec::closeFrame(WebSocketCodec::kTryAgainLater, reason);
        socket->write(frames);
    } else {
        socket->write(reason.toUtf8()
            + m_config.terminator.bytesFor(m_config.terminator.initialEnding()).toByteArray());
    }
    if (auto *tcp = qobject_cast<QAbstractSocket *>(socket)) {
        connect(tcp, &QAbstractSocket::disconnected, tcp, &QObject::deleteLater);
        tcp->disconnectFromHost();
    } else if (auto *local = qobject_cast<QLocalSocket *>(socket)) {
        connect(local, &QLocalSocket::disconnected, local, &QObject::deleteLater);
        local->disconnectFromServer();
    }
    return true;
}

// Counts a refusal of @p peer for --max-clients and logs it, at most once per 5 s, so that a
// crowd of reconnecting clients cannot fill the log.
void RelayServer::countFull(const QString &peer)
{
    ++m_stats.clientsRefused[Refusal::Full];
    if (!m_fullLog.allow())
        return;
    const qint64 notLogged = m_fullLog.takeSkipped();
    qCWarning(lcClients).noquote() << QStringLiteral("refused %1 - server full (%2 clients)")
                                          .arg(peer)
                                          .arg(m_config.maxClients)
            + (notLogged
                    ? QStringLiteral("; %1 more refused since the last such line").arg(notLogged)
                    : QString());
}

// Not a word to a client outside the allow list.
void RelayServer::refuseNotAllowed(QTcpSocket *socket)
{
    countNotAllowed(socket->peerAddress());
    socket->abort();
    socket->deleteLater();
}

// The log says so once per address per 5 s, so that a port scan (or a flood of datagrams)
// cannot fill it.
void RelayServer::countNotAllowed(const QHostAddress &address)
{
    ++m_stats.clientsRefused[Refusal::NotAllowed];
    auto logged = m_refusalLogged.find(address);
    if (logged == m_refusalLogged.end()) {
        // Addresses remembered are bounded: from a crowd of addresses (forged datagrams) the
        // first kRefusalLogAddresses of each period are logged, the others only counted.
        if (m_refusalLogged.size() >= kRefusalLogAddresses)
            m_refusalLogged.removeIf(
                [](const auto &entry) { return entry.value().hasExpired(kRefusalLogPeriodMs); });
        if (m_refusalLogged.size() >= kRefusalLogAddresses)
            return;
        logged = m_refusalLogged.insert(address, QElapsedTimer());
    } else if (!logged->hasExpired(kRefusalLogPeriodMs)) {
        return;
    }
    logged->start();
    qCWarning(lcClients).noquote()
        << "refused" << NetAddress::unmapped(address).toString() << "- not in the allow list";
}

// A datagram from a program the UDP port does not know yet: a new peer, if the allow list lets
// it. Its datagrams are refused (counted and logged like connections) for as long as it may not.
void RelayServer::admitUdpPeer(const QHostAddress &address, quint16 port)
{
    if (m_config.isAllowed(address))
        m_udp->addPeer(m_nextClientId++, address, port, false);
    else
        countNotAllowed(address);
}

void RelayServer::relay(ClientSession *from, const MessageBatch &batch)
{
    m_stats.messagesIn += batch.count();
    if (!m_unmatchedPrefixes.isEmpty() && from->name().isEmpty())
        nameByPrefix(from, batch.payload(0));
    // A datagram's last line needs no line ending.
    logTraffic(from->peerName(), batch, ClientInfo::isConnection(from->kind()));
    if (m_tapEnabled)
        tapBatch(from->id(), batch);
    // In auto mode the sender's line ending is learned from each message before that message
    // is relayed, so a change of ending mid-batch splits the batch.
    qsizetype runStart = 0;
    for (qsizetype i = 0; i < batch.count(); ++i) {
        const LineEnding ending = batch.ending(i);
        const bool terminated = ending != LineEnding::None && ending != LineEnding::TextMessage
            && ending != LineEnding::BinaryMessage;
        if (terminated && ending != from->lineEnding()) {
            deliver(from, batch, runStart, i);
            runStart = i;
            from->setLineEnding(ending);
        }
    }
    deliver(from, batch, runStart, batch.count());
    if (m_bridge)
        m_bridge->publish(batch);
}

// Messages others published on the MQTT topic: to every client here, as if from the relay.
void RelayServer::relayFromBroker(const MessageBatch &batch)
{
    logTraffic(QStringLiteral("MQTT"), batch, false);
    if (m_tapEnabled)
        tapBatch(0, batch, true);
    deliver(nullptr, batch, 0, batch.count());
}

// Sends messages first..last of batch to every client (@p from is null for the relay's own),
// each in its wire form: a TCP client's block is encoded once per line ending and shared by
// all the clients that want that ending, a WebSocket message once for all WebSockets.
void RelayServer::deliver(
    ClientSession *from, const MessageBatch &batch, qsizetype first, qsizetype last)
{
    if (first == last)
        return;
    OutgoingMessages messages(batch, first, last, m_config.terminator);
    const QList<ClientSession *> sessions = m_sessions; // a send may close a client
    for (ClientSession *to : sessions) {
        if (!to->isOpen() || (to == from && !m_config.echo))
            continue;
        to->send(messages); // counted by the client: a UDP peer may get only some
    }
}

// The -v lines; @p fromClient marks a message a client left unterminated (MQTT messages have
// no terminator to leave out).
void RelayServer::logTraffic(const QString &from, const MessageBatch &batch, bool fromClient)
{
    if (!lcTraffic().isDebugEnabled())
        return;
    for (qsizetype i = 0; i < batch.count(); ++i) {
        if (!m_trafficLog.allow())
            continue;
        if (const qint64 skipped = m_trafficLog.takeSkipped())
            qCDebug(lcTraffic, "(%lld messages not shown: too many to log)", skipped);
        const char *note
            = fromClient && batch.ending(i) == LineEnding::None ? " (unterminated)" : "";
        qCDebug(lcTraffic).noquote().nospace()
            << from << ": " << ByteEscape::toDisplay(batch.payload(i), kTrafficLogMessageBytes)
            << note;
    }
}

void RelayServer::setTapClock(LogThrottle::Clock clock)
{
    m_tapThrottle = LogThrottle(kTapMessagesPerSecond, kTapPeriodMs, std::move(clock));
}

void RelayServer::tapBatch(quint64 clientId, const MessageBatch &batch, bool fromBroker)
{
    for (qsizetype i = 0; i < batch.count(); ++i) {
        if (!tap(clientId, batch.payload(i), fromBroker)) { // the rest of the batch is only counted
            m_tapThrottle.skip(batch.count() - i - 1);
            return;
        }
    }
}

bool RelayServer::tap(quint64 clientId, QByteArrayView payload, bool fromBroker)
{
    if (!m_tapThrottle.allow())
        return false;
    TappedMessage message;
    message.timeMs = QDateTime::currentMSecsSinceEpoch();
    message.clientId = clientId;
    message.fromBroker = fromBroker;
    message.payload = payload.first(qMin(payload.size(), kTapMessageBytes)).toByteArray();
    message.skippedBefore = m_tapThrottle.takeSkipped();
    emit messageTapped(message);
    return true;
}

void RelayServer::removeSession(ClientSession *session, const QString &reason)
{
    m_sessions.removeOne(session);
    if (m_expected && !session->name().isEmpty())
        findUnmatchedPrefixes(); // it may have been the one with a prefix
    ++m_stats.clientsDisconnected[session->closeCause()];
    session->addCountsTo(m_stats);
    qCDebug(lcClients).noquote().nospace() << session->peerName() << " disconnected (" << reason
                                           << "), now " << m_sessions.size() << " client(s)";
    emit clientDisconnected(session->info(), reason);
    session->deleteLater();
    if (m_stopping && m_sessions.isEmpty())
        emit stopped();
}

// A client from an expected address gets that expectation's name (every client from there).
void RelayServer::nameByAddress(ClientSession *session)
{
    const QHostAddress address = NetAddress::unmapped(session->address());
    for (const Expectation &expectation : std::as_const(m_config.expected)) {
        if (!expectation.address.isNull() && expectation.address == address) {
            session->setName(expectation.name);
            return;
        }
    }
}

// The first client whose message starts with an expected prefix is that expected client.
void RelayServer::nameByPrefix(ClientSession *session, QByteArrayView message)
{
    for (const Expectation &expectation : std::as_const(m_unmatchedPrefixes)) {
        if (message.startsWith(expectation.prefix)) {
            qCDebug(lcClients).noquote()
                << session->peerName() << "is expected client" << expectation.name;
            session->setName(expectation.name);
            findUnmatchedPrefixes();
            return;
        }
    }
}

void RelayServer::findUnmatchedPrefixes()
{
    m_unmatchedPrefixes.clear();
    for (const Expectation &expectation : std::as_const(m_config.expected)) {
        const bool matched = std::any_of(
            m_sessions.cbegin(), m_sessions.cend(), [&expectation](const ClientSession *session) {
                return session->isOpen() && session->name() == expectation.name;
            });
        if (!expectation.prefix.isEmpty() && !matched)
            m_unmatchedPrefixes.append(expectation);
    }
}

// Judges the expected clients from the named ones, and tells what changed: the log, and with
// --alarm-message every client.
void RelayServer::sampleExpected()
{
    QList<ClientInfo> named;
    for (const ClientSession *session : std::as_const(m_sessions)) {
        if (!session->name().isEmpty())
            named.append(session->info());
    }
    const QList<ExpectedClientAlarm> alarms = m_expected->sample(named);
    for (const ExpectedClientAlarm &alarm : alarms) {
        if (alarm.state == u"back")
            qCInfo(lcClients).noquote() << alarm.logLine();
        else
            qCWarning(lcClients).noquote() << alarm.logLine();
        if (!m_config.alarmMessage.isEmpty())
            sendLocally(alarm.message(m_config.alarmMessage));
    }
}
