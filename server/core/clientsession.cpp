#include "clientsession.h"

#include "keepalive.h"
#include "logging.h"

#include <QTcpSocket>
#include <QTimer>
#include <QVariant>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace {
// Qt reads at most this much per client per event-loop turn: a client that floods cannot make
// the relay buffer without bound, nor starve the others.
constexpr qint64 kReadChunkBytes = 64 * 1024;
constexpr int kDropLogPeriodMs = 10000; // one oversize warning per client per 10 s

#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL; // a vanished peer is an error to Qt, not a SIGPIPE
#else
constexpr int kSendFlags = 0; // macOS: Qt sets SO_NOSIGPIPE on its sockets instead
#endif
} // namespace

ClientSession::ClientSession(
    quint64 id, QTcpSocket *socket, const RelayConfig &config, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_codec(config.terminator, config.maxMessageBytes)
    , m_lineEnding(config.terminator.initialEnding())
    , m_maxOutput(config.maxClientBuffer)
    , m_slowOutput(config.slowClientBuffer)
    , m_slowSeconds(config.slowClientSeconds)
    , m_dropLog(1, kDropLogPeriodMs)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kReadChunkBytes);
    KeepAlive::enable(m_socket);
    // Messages are small and interactive, and the relay already writes all of a read at once:
    // Nagle's algorithm would only add delay.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, QVariant(1));
    m_info.id = id;
    m_info.address = socket->peerAddress();
    m_info.port = socket->peerPort();
    m_info.connectedSince = QDateTime::currentDateTime();
    m_lastActivityMs = m_info.connectedSince.toMSecsSinceEpoch();

    connect(m_socket, &QTcpSocket::readyRead, this, &ClientSession::readAvailable);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &ClientSession::checkOutputBudget);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (!m_closeReason.isEmpty())
            return;
        m_closeReason = error == QAbstractSocket::RemoteHostClosedError
            ? QStringLiteral("closed by client")
            : m_socket->errorString();
    });
    connect(m_socket, &QTcpSocket::disconnected, this, &ClientSession::onDisconnected);
}

ClientInfo ClientSession::info() const
{
    ClientInfo info = m_info;
    info.lastActivity = QDateTime::fromMSecsSinceEpoch(m_lastActivityMs);
    info.droppedMessages = m_codec.droppedMessages();
    return info;
}

void ClientSession::send(const QByteArray &block, qint64 messageCount)
{
    if (m_closing)
        return;
    write(block);
    m_info.messagesOut += messageCount;
    m_info.bytesOut += block.size();
    checkOutputBudget();
}

void ClientSession::sendMessage(QByteArrayView message)
{
    QByteArray block;
    const QByteArrayView terminator = m_codec.terminator().bytesFor(m_lineEnding);
    block.reserve(message.size() + terminator.size());
    block.append(message).append(terminator);
    send(block, 1);
}

void ClientSession::close(const QString &reason)
{
    if (m_closing)
        return;
    m_closeReason = reason;
    m_closing = true;
    m_socket->disconnectFromHost(); // may emit disconnected() at once
}

// Hands @p block to the system at once when nothing waits in Qt's write buffer, and leaves to
// Qt only what the system did not take. Through Qt alone, every small block would first be
// copied into a new 16 KiB buffer per client and sent a loop turn later: for one message to
// 10,000 clients that is 160 MB of memory touched, and most of the time the broadcast takes.
void ClientSession::write(const QByteArray &block)
{
#ifdef Q_OS_UNIX
    if (m_socket->bytesToWrite() == 0) {
        const qint64 sent = ::send(
            int(m_socket->socketDescriptor()), block.constData(), size_t(block.size()), kSendFlags);
        if (sent == block.size())
            return;
        if (sent > 0) {
            m_socket->write(block.constData() + sent, block.size() - sent);
            return;
        }
        // Nothing sent: the system's buffer is full (Qt waits for room), or the connection
        // failed (Qt finds out and reports it as usual).
    }
#endif
    m_socket->write(block);
}

// Qt's write buffer grows without bound, so what waits for this client is watched here.
void ClientSession::checkOutputBudget()
{
    const qint64 waiting = m_socket->bytesToWrite();
    if (waiting <= m_slowOutput) {
        m_slowSince.invalidate();
        return;
    }
    if (!m_slowSince.isValid())
        m_slowSince.start();
    const bool stuck = waiting > m_maxOutput || m_slowSince.hasExpired(m_slowSeconds * 1000LL);
    if (!stuck || m_closing)
        return;
    m_closing = true;
    m_closeReason = QStringLiteral("not reading: %1 bytes were waiting for it").arg(waiting);
    qCWarning(lcClients,
        "disconnecting %s: it does not read what is sent to it "
        "(%lld bytes waiting)",
        qUtf8Printable(peerName()), waiting);
    // Not from here: send() is called while the relay walks its list of clients.
    QTimer::singleShot(0, m_socket, &QTcpSocket::abort);
}

void ClientSession::readAvailable()
{
    if (!m_socket->isOpen()) // after abort()
        return;
    const QByteArray bytes = m_socket->readAll();
    if (bytes.isEmpty())
        return;
    m_info.bytesIn += bytes.size();
    m_lastActivityMs = QDateTime::currentMSecsSinceEpoch(); // cheap, unlike a QDateTime per read
    m_batch.clear();
    m_codec.feed(bytes, m_batch);
    logDroppedMessages();
    if (m_batch.isEmpty())
        return;
    m_info.messagesIn += m_batch.count();
    emit messagesReceived(this, m_batch);
}

// One warning per client per 10 s at most, however many oversize messages it sends.
void ClientSession::logDroppedMessages()
{
    if (m_codec.droppedMessages() == m_droppedLogged)
        return;
    m_droppedLogged = m_codec.droppedMessages();
    if (m_dropLog.allow())
        qCWarning(lcClients,
            "%s sent a message longer than %lld bytes: dropped it (%lld so far)",
            qUtf8Printable(peerName()), qint64(m_codec.maxMessageBytes()), m_droppedLogged);
}

void ClientSession::onDisconnected()
{
    readAvailable(); // whatever arrived with the close
    m_closing = true;
    m_batch.clear();
    m_codec.finish(m_batch);
    logDroppedMessages();
    if (!m_batch.isEmpty()) {
        m_info.messagesIn += m_batch.count();
        emit messagesReceived(this, m_batch);
    }
    emit disconnected(
        this, m_closeReason.isEmpty() ? QStringLiteral("closed by client") : m_closeReason);
}
