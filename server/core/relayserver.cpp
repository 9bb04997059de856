#include "relayserver.h"

#include "byteescape.h"
#include "clientsession.h"
#include "filelimit.h"
#include "logging.h"
#include "messagebatch.h"
#include "netaddress.h"

#include <QTcpServer>
#include <QTcpSocket>

#include <array>

namespace {

constexpr int kTrafficLogLinesPerSecond = 200;
constexpr qsizetype kTrafficLogMessageBytes = 200; // longer messages are shown truncated
constexpr int kRetryListenMs = 2000; // while the address to listen on is not on this machine
constexpr int kRetryAcceptMs = 1000; // after accept() failed, e.g. out of file descriptors
constexpr int kListenBacklog = 4096; // connections the system queues before the relay takes them
constexpr long kSpareFiles = 32; // open files besides the clients: listeners, logs, stdio
constexpr int kRefusalLogPeriodMs = 5000; // one line per refused address per period
constexpr qsizetype kRefusalLogAddresses = 1024; // addresses remembered for that

// Messages first..last of batch, each followed by terminator, in one buffer.
QByteArray encode(
    const MessageBatch &batch, qsizetype first, qsizetype last, QByteArrayView terminator)
{
    qsizetype size = 0;
    for (qsizetype i = first; i < last; ++i)
        size += batch.payload(i).size() + terminator.size();
    QByteArray block;
    block.reserve(size);
    for (qsizetype i = first; i < last; ++i)
        block.append(batch.payload(i)).append(terminator);
    return block;
}

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
    , m_tapThrottle(kTapMessagesPerSecond, 1000)
    , m_fullLog(1, kRefusalLogPeriodMs)
{
    connect(&m_heartbeat, &QTimer::timeout, this, [this] { broadcast(m_config.heartbeatMessage); });
    m_retry.setInterval(kRetryListenMs);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        if (listenAll())
            m_retry.stop();
    });
}

bool RelayServer::start(const RelayConfig &config)
{
    Q_ASSERT(!isListening() && !isWaiting());
    m_config = config;
    m_stats = {};
    m_stopping = false;
    raiseFileLimit();
    if (listenAll())
        return true;
    if (!m_addressMissing || !m_config.waitForAddress)
        return false;
    qCWarning(lcRelay).noquote() << m_errorString
            + QStringLiteral(" (yet): waiting for it, trying again every %1 s")
                  .arg(kRetryListenMs / 1000);
    m_retry.start();
    return true;
}

// Listens on every address of the configuration, or on none.
bool RelayServer::listenAll()
{
    m_errorString.clear();
    m_addressMissing = false;
    const QList<QHostAddress> addresses = addressesToListenOn();
    if (addresses.isEmpty())
        return false;
    quint16 port = m_config.port;
    for (const QHostAddress &address : addresses) {
        auto *listener = new QTcpServer(this);
        listener->setListenBacklogSize(kListenBacklog);
        listener->setMaxPendingConnections(kListenBacklog); // Qt's default takes 30 per turn
        if (!listener->listen(address, port)) {
            // A machine with IPv6 switched off still serves localhost on 127.0.0.1.
            const bool optional = address == QHostAddress(QHostAddress::LocalHostIPv6)
                && !m_listeners.isEmpty()
                && listener->serverError() != QAbstractSocket::AddressInUseError;
            if (optional) {
                qCInfo(lcRelay).noquote()
                    << "IPv6 localhost is not available:" << listener->errorString();
                delete listener;
                continue;
            }
            m_errorString = listenError(*listener, address, port);
            m_addressMissing
                = listener->serverError() == QAbstractSocket::SocketAddressNotAvailableError;
            delete listener;
            qDeleteAll(m_listeners);
            m_listeners.clear();
            return false;
        }
        port = listener->serverPort(); // every address shares the port picked for the first
        connect(listener, &QTcpServer::newConnection, this,
            [this, listener] { acceptConnections(listener); });
        connect(listener, &QTcpServer::acceptError, this, [listener] {
            qCWarning(lcRelay).noquote()
                << "cannot accept a connection:" << listener->errorString()
                << QStringLiteral("- trying again in %1 s").arg(kRetryAcceptMs / 1000);
            listener->pauseAccepting();
            QTimer::singleShot(kRetryAcceptMs, listener, &QTcpServer::resumeAccepting);
        });
        m_listeners.append(listener);
    }
    if (m_config.heartbeatSeconds > 0)
        m_heartbeat.start(m_config.heartbeatSeconds * 1000);
    emit listening();
    return true;
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
    m_heartbeat.stop();
    qDeleteAll(m_listeners);
    m_listeners.clear();
    m_stopping = true;
    if (m_sessions.isEmpty()) {
        emit stopped();
        return;
    }
    const QList<ClientSession *> sessions = m_sessions; // close() may remove at once
    for (ClientSession *session : sessions)
        session->close(QStringLiteral("server stopping"));
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

QList<ClientInfo> RelayServer::clients() const
{
    QList<ClientInfo> infos;
    infos.reserve(m_sessions.size());
    for (const ClientSession *session : m_sessions)
        infos.append(session->info());
    return infos;
}

void RelayServer::broadcast(QByteArrayView message)
{
    qCDebug(lcTraffic).noquote() << "relay:"
                                 << ByteEscape::toDisplay(message, kTrafficLogMessageBytes);
    if (m_tapEnabled)
        tap(0, message);
    const QList<ClientSession *> sessions = m_sessions; // a send may close a client
    for (ClientSession *session : sessions) {
        if (!session->isOpen())
            continue;
        session->sendMessage(message);
        ++m_stats.messagesOut;
    }
}

bool RelayServer::disconnectClient(quint64 id)
{
    for (ClientSession *session : std::as_const(m_sessions)) {
        if (session->id() == id) {
            session->close(QStringLiteral("disconnected by the relay's operator"));
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
        if (m_sessions.size() >= m_config.maxClients) {
            refuseFull(socket);
            continue;
        }
        auto *session = new ClientSession(m_nextClientId++, socket, m_config, this);
        connect(session, &ClientSession::messagesReceived, this, &RelayServer::relay);
        connect(session, &ClientSession::disconnected, this, &RelayServer::removeSession);
        m_sessions.append(session);
        ++m_stats.clientsConnected;
        qCDebug(lcClients).noquote()
            << session->peerName() << "connected, now" << m_sessions.size() << "client(s)";
        if (!m_config.welcome.isEmpty())
            session->sendMessage(m_config.welcome);
        emit clientConnected(session->info());
    }
}

// The newcomer gets one line saying why, then the connection is closed. The log says so once
// per 5 s, so that a crowd of reconnecting clients cannot fill it.
void RelayServer::refuseFull(QTcpSocket *socket)
{
    ++m_stats.clientsRefused;
    const QString reason = QStringLiteral("server full (%1 clients)").arg(m_config.maxClients);
    if (m_fullLog.allow()) {
        const qint64 notLogged = m_fullLog.takeSkipped();
        qCWarning(lcClients).noquote()
            << "refused" << NetAddress::endpoint(socket->peerAddress(), socket->peerPort()) << "-"
            << reason
                + (notLogged ? QStringLiteral("; %1 more refused since the last such line")
                                   .arg(notLogged)
                             : QString());
    }
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->write(reason.toUtf8()
        + m_config.terminator.bytesFor(m_config.terminator.initialEnding()).toByteArray());
    socket->disconnectFromHost();
}

// Not a word to a client outside the allow list; the log says so once per address per 5 s,
// so that a port scan cannot fill it.
void RelayServer::refuseNotAllowed(QTcpSocket *socket)
{
    ++m_stats.clientsRefused;
    const QHostAddress address = socket->peerAddress();
    socket->abort();
    socket->deleteLater();
    QElapsedTimer &logged = m_refusalLogged[address];
    if (logged.isValid() && !logged.hasExpired(kRefusalLogPeriodMs))
        return;
    logged.start();
    qCWarning(lcClients).noquote()
        << "refused" << NetAddress::unmapped(address).toString() << "- not in the allow list";
    if (m_refusalLogged.size() > kRefusalLogAddresses) {
        m_refusalLogged.removeIf(
            [](const auto &entry) { return entry.value().hasExpired(kRefusalLogPeriodMs); });
    }
}

void RelayServer::relay(ClientSession *from, const MessageBatch &batch)
{
    m_stats.messagesIn += batch.count();
    logTraffic(from, batch);
    for (qsizetype i = 0; m_tapEnabled && i < batch.count(); ++i)
        tap(from->id(), batch.payload(i));
    // In auto mode the sender's line ending is learned from each message before that message
    // is relayed, so a change of ending mid-batch splits the batch.
    qsizetype runStart = 0;
    for (qsizetype i = 0; i < batch.count(); ++i) {
        const LineEnding ending = batch.ending(i);
        if (ending != LineEnding::None && ending != from->lineEnding()) {
            deliver(from, batch, runStart, i);
            runStart = i;
            from->setLineEnding(ending);
        }
    }
    deliver(from, batch, runStart, batch.count());
}

// Sends messages first..last of batch to every client: one encoded block per line ending,
// shared by all the clients that want that ending.
void RelayServer::deliver(
    ClientSession *from, const MessageBatch &batch, qsizetype first, qsizetype last)
{
    if (first == last)
        return;
    std::array<QByteArray, kLineEndingCount> blocks;
    const qint64 count = last - first;
    const QList<ClientSession *> sessions = m_sessions; // a send may close a client
    for (ClientSession *to : sessions) {
        if (!to->isOpen() || (to == from && !m_config.echo))
            continue;
        const LineEnding ending = to->lineEnding();
        QByteArray &block = blocks[size_t(ending)];
        if (block.isEmpty()) // never empty once encoded: a terminator is at least one byte
            block = encode(batch, first, last, m_config.terminator.bytesFor(ending));
        to->send(block, count);
        m_stats.messagesOut += count;
    }
}

void RelayServer::logTraffic(ClientSession *from, const MessageBatch &batch)
{
    if (!lcTraffic().isDebugEnabled())
        return;
    for (qsizetype i = 0; i < batch.count(); ++i) {
        if (!m_trafficLog.allow())
            continue;
        if (const qint64 skipped = m_trafficLog.takeSkipped())
            qCDebug(lcTraffic, "(%lld messages not shown: too many to log)", skipped);
        const char *note = batch.ending(i) == LineEnding::None ? " (unterminated)" : "";
        qCDebug(lcTraffic).noquote().nospace()
            << from->peerName() << ": "
            << ByteEscape::toDisplay(batch.payload(i), kTrafficLogMessageBytes) << note;
    }
}

void RelayServer::tap(quint64 clientId, QByteArrayView payload)
{
    if (!m_tapThrottle.allow())
        return;
    TappedMessage message;
    message.timeMs = QDateTime::currentMSecsSinceEpoch();
    message.clientId = clientId;
    message.payload = payload.first(qMin(payload.size(), kTapMessageBytes)).toByteArray();
    message.skippedBefore = m_tapThrottle.takeSkipped();
    emit messageTapped(message);
}

void RelayServer::removeSession(ClientSession *session, const QString &reason)
{
    m_sessions.removeOne(session);
    qCDebug(lcClients).noquote().nospace() << session->peerName() << " disconnected (" << reason
                                           << "), now " << m_sessions.size() << " client(s)";
    emit clientDisconnected(session->info(), reason);
    session->deleteLater();
    if (m_stopping && m_sessions.isEmpty())
        emit stopped();
}
