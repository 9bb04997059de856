#include "streamsession.h"

#include "directwrite.h"
#include "flashpolicy.h"
#include "keepalive.h"
#include "logging.h"
#include "outgoingmessages.h"

#include <QLocalSocket>
#include <QTcpSocket>
#include <QVariant>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace {
// Qt reads at most this much per client per event-loop turn: a client that floods cannot make
// the relay buffer without bound, nor starve the others.
constexpr qint64 kReadChunkBytes = 64 * 1024;
constexpr int kDropLogPeriodMs = 10000; // one oversize warning per client per 10 s
} // namespace

StreamSession::StreamSession(
    quint64 id, QTcpSocket *socket, const RelayConfig &config, QObject *parent)
    : StreamSession(id, ClientInfo::Kind::Tcp, socket, config, parent)
{ }

StreamSession::StreamSession(quint64 id, ClientInfo::Kind kind, QTcpSocket *socket,
    const RelayConfig &config, QObject *parent)
    : ClientSession(id, kind, config, parent)
    , m_device(socket)
    , m_tcp(socket)
    , m_codec(config.terminator, config.maxMessageBytes)
    , m_dropLog(1, kDropLogPeriodMs)
{
    socket->setParent(this);
    socket->setReadBufferSize(kReadChunkBytes);
    KeepAlive::enable(socket);
    // Messages are small and interactive, and the relay already writes all of a read at once:
    // Nagle's algorithm would only add delay.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, QVariant(1));
    m_info.address = socket->peerAddress();
    m_info.port = socket->peerPort();

    connect(socket, &QTcpSocket::readyRead, this, &StreamSession::readAvailable);
    connect(socket, &QTcpSocket::bytesWritten, this, &StreamSession::checkOutputBudget);
    connect(socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::RemoteHostClosedError)
            setCloseReason(Disconnect::ClientClosed, QStringLiteral("closed by client"));
        else
            setCloseReason(Disconnect::ConnectionLost, m_tcp->errorString());
    });
    connect(socket, &QTcpSocket::disconnected, this, &StreamSession::onDisconnected);
}

StreamSession::StreamSession(
    quint64 id, QLocalSocket *socket, const RelayConfig &config, QObject *parent)
    : ClientSession(id, ClientInfo::Kind::Local, config, parent)
    , m_device(socket)
    , m_local(socket)
    , m_codec(config.terminator, config.maxMessageBytes)
    , m_dropLog(1, kDropLogPeriodMs)
{
    socket->setParent(this);
    socket->setReadBufferSize(kReadChunkBytes);

    connect(socket, &QLocalSocket::readyRead, this, &StreamSession::readAvailable);
    connect(socket, &QLocalSocket::bytesWritten, this, &StreamSession::checkOutputBudget);
    connect(
        socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError error) {
            if (error == QLocalSocket::PeerClosedError)
                setCloseReason(Disconnect::ClientClosed, QStringLiteral("closed by client"));
            else
                setCloseReason(Disconnect::ConnectionLost, m_local->errorString());
        });
    connect(socket, &QLocalSocket::disconnected, this, &StreamSession::onDisconnected);
}

void StreamSession::setFlashPolicy(const QByteArray &policy)
{
    m_policy = policy;
    m_policyWait.setSingleShot(true);
    connect(&m_policyWait, &QTimer::timeout, this, &StreamSession::endPolicyWait);
    m_policyWait.start(kPolicyWaitMs);
}

void StreamSession::send(OutgoingMessages &messages)
{
    if (isClosing())
        return;
    const QByteArray &block = encode(messages);
    write(block);
    sent(messages.count(), block.size());
    checkOutputBudget();
}

void StreamSession::sendMessage(QByteArrayView message)
{
    if (isClosing())
        return;
    const QByteArray block = encode(message);
    write(block);
    sent(1, block.size());
    checkOutputBudget();
}

const QByteArray &StreamSession::encode(OutgoingMessages &messages)
{
    return messages.block(lineEnding());
}

QByteArray StreamSession::encode(QByteArrayView message)
{
    QByteArray block;
    const QByteArrayView terminator = m_codec.terminator().bytesFor(lineEnding());
    block.reserve(message.size() + terminator.size());
    block.append(message).append(terminator);
    return block;
}

qint64 StreamSession::bytesWaiting() const
{
    return m_device->bytesToWrite() + m_held.size();
}

void StreamSession::closeConnection(const QString & /*reason*/)
{
    stopHoldingOutput(); // what was held is sent before the close
    if (m_tcp)
        m_tcp->disconnectFromHost(); // may emit disconnected() at once
    else
        m_local->disconnectFromServer();
}

// Drops the connection with a reset: Qt's abort() alone discards only Qt's own buffer, and the
// system would go on trying to deliver what it holds (megabytes, for a client that does not
// read), the peer seeing an open connection all the while.
void StreamSession::abortConnection()
{
    if (m_tcp) {
#ifdef Q_OS_UNIX
        if (m_tcp->socketDescriptor() >= 0) {
            const linger reset{1, 0}; // on, 0 s: close() sends RST and frees what waits
            ::setsockopt(
                int(m_tcp->socketDescriptor()), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        }
#endif
        m_tcp->abort();
    } else {
        m_local->abort();
    }
}

void StreamSession::flushOutput()
{
    if (m_tcp)
        m_tcp->flush();
    else
        m_local->flush();
}

void StreamSession::write(const QByteArray &block)
{
    if (m_policyWait.isActive())
        m_held.append(block);
    else if (m_tcp)
        DirectWrite::write(m_tcp, block);
    else
        m_device->write(block);
}

void StreamSession::readAvailable()
{
    if (!m_device->isOpen()) // after abort()
        return;
    // One block of all that is here: Qt hands over its read buffer rather than copy out of it.
    QByteArray bytes = m_device->read(m_device->bytesAvailable());
    if (bytes.isEmpty())
        return;
    if (m_policyWait.isActive() && !checkForPolicyRequest(bytes))
        return;
    relayBytes(bytes);
}

void StreamSession::relayBytes(const QByteArray &bytes)
{
    m_batch.clear();
    m_codec.feed(bytes, m_batch);
    logDroppedMessages();
    received(bytes.size(), m_batch);
}

// While the first bytes may still be a policy request, they are kept in m_firstBytes and
// false is returned; once they are not one, @p bytes becomes all of them and true is returned.
bool StreamSession::checkForPolicyRequest(QByteArray &bytes)
{
    m_firstBytes.append(bytes);
    const QByteArrayView request = FlashPolicy::kRequest;
    if (m_firstBytes.startsWith(request)) {
        m_firstBytes.clear(); // answered, never relayed
        m_policyWait.stop();
        m_held.clear();
        m_device->write(m_policy);
        qCDebug(lcClients).noquote() << peerName() << "asked for the Flash policy: answered";
        close(Disconnect::FlashPolicy, QStringLiteral("answered its Flash policy request"));
        return false;
    }
    if (request.startsWith(m_firstBytes))
        return false; // perhaps the start of a request: wait for more
    bytes.swap(m_firstBytes);
    m_firstBytes.clear();
    stopHoldingOutput();
    return true;
}

void StreamSession::stopHoldingOutput()
{
    if (!m_policyWait.isActive() && m_held.isEmpty())
        return;
    m_policyWait.stop();
    QByteArray held;
    held.swap(m_held);
    if (!held.isEmpty())
        write(held);
}

// The wait is over and the first bytes were not a whole policy request: they are data, and
// come before anything the client sends next.
void StreamSession::endPolicyWait()
{
    stopHoldingOutput();
    QByteArray bytes;
    bytes.swap(m_firstBytes);
    if (!bytes.isEmpty())
        relayBytes(bytes);
}

// One warning per client per 10 s at most, however many oversize messages it sends.
void StreamSession::logDroppedMessages()
{
    if (m_codec.droppedMessages() == m_droppedLogged)
        return;
    m_info.droppedMessages += m_codec.droppedMessages() - m_droppedLogged;
    m_droppedLogged = m_codec.droppedMessages();
    if (m_dropLog.allow())
        qCWarning(lcClients, "%s sent a message longer than %lld bytes: dropped it (%lld so far)",
            qUtf8Printable(peerName()), qint64(m_codec.maxMessageBytes()), m_droppedLogged);
}

void StreamSession::onDisconnected()
{
    readAvailable(); // whatever arrived with the close
    setClosing();
    m_policyWait.stop();
    m_batch.clear();
    if (!m_firstBytes.isEmpty()) // the start of a policy request, it seemed: data after all
        m_codec.feed(m_firstBytes, m_batch);
    m_firstBytes.clear();
    m_codec.finish(m_batch);
    logDroppedMessages();
    received(0, m_batch);
    reportDisconnected();
}
