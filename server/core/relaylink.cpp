#include "relaylink.h"

#include "keepalive.h"

#include <QRandomGenerator>
#include <QTcpSocket>
#include <QVariant>

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

namespace {
constexpr int kFirstRetryMs = 1000;
constexpr int kLastRetryMs = 30000;
constexpr int kConnectTimeoutMs = 10000; // a machine that is off never refuses: give up then
constexpr qint64 kSteadyMs = 10000; // a connection up this long resets the wait to 1 s
constexpr int kFinishTimeoutMs = 2000; // finish(): how long it may take
} // namespace

RelayLink::RelayLink(const Terminator &terminator, qsizetype maxMessageBytes, QObject *parent)
    : QObject(parent)
    , m_socket(new QTcpSocket(this))
    , m_codec(terminator, maxMessageBytes)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &RelayLink::connectNow);
    m_connectTimeout.setSingleShot(true);
    m_connectTimeout.setInterval(kConnectTimeoutMs);
    connect(&m_connectTimeout, &QTimer::timeout, this, [this] {
        m_errorString = tr("no answer from %1 port %2").arg(m_host).arg(m_port);
        m_socket->abort();
    });
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        m_connectTimeout.stop();
        m_connectedFor.start();
        m_errorString.clear();
        KeepAlive::enable(m_socket);
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, QVariant(1));
        setState(State::Connected);
    });
    m_finishTimeout.setSingleShot(true);
    m_finishTimeout.setInterval(kFinishTimeoutMs);
    connect(&m_finishTimeout, &QTimer::timeout, m_socket, &QTcpSocket::abort);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &RelayLink::halfCloseWhenSent);
    connect(m_socket, &QTcpSocket::readyRead, this, &RelayLink::readAvailable);
    connect(m_socket, &QTcpSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        if (state == QAbstractSocket::UnconnectedState)
            onDisconnected();
    });
}

void RelayLink::open(const QString &host, quint16 port)
{
    m_state = State::Disconnected; // what the abort below reports is not a loss
    m_finishing = false;
    m_halfClosed = false;
    m_finishTimeout.stop();
    m_socket->abort();
    m_host = host;
    m_port = port;
    m_attempt = 0;
    m_retry.stop();
    connectNow();
}

void RelayLink::close()
{
    m_retry.stop();
    m_connectTimeout.stop();
    m_finishing = false;
    m_halfClosed = false;
    m_finishTimeout.stop();
    const bool wasUp = m_state != State::Disconnected;
    m_state = State::Disconnected; // what follows is not a loss
    m_errorString.clear(); // closed on purpose: no error to show
    m_socket->disconnectFromHost();
    if (wasUp)
        emit stateChanged(m_state);
}

void RelayLink::finish()
{
    if (m_state != State::Connected) {
        close();
        return;
    }
    m_finishing = true;
    m_finishTimeout.start(); // also bounds the wait for a relay that takes nothing
    halfCloseWhenSent();
}

void RelayLink::halfCloseWhenSent()
{
    if (!m_finishing || m_halfClosed || m_socket->bytesToWrite() > 0)
        return;
#ifdef Q_OS_WIN
    ::shutdown(SOCKET(m_socket->socketDescriptor()), SD_SEND);
#else
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
#endif
    m_halfClosed = true;
}

int RelayLink::retryInMs() const
{
    if (m_state != State::WaitingToRetry)
        return -1;
    // A coarse timer may report a millisecond more than it was given: never more than that.
    return qMin(m_retry.remainingTime(), m_retry.interval());
}

bool RelayLink::send(QByteArrayView message, QByteArrayView terminator)
{
    if (m_state != State::Connected || m_finishing)
        return false;
    QByteArray bytes;
    bytes.reserve(message.size() + terminator.size());
    bytes.append(message).append(terminator);
    m_socket->write(bytes);
    return true;
}

qint64 RelayLink::bytesToWrite() const
{
    return m_socket->bytesToWrite();
}

int RelayLink::backoffMs(int attempt)
{
    if (attempt >= 5) // 2^5 s is past the cap already
        return kLastRetryMs;
    return qMin(kFirstRetryMs << attempt, kLastRetryMs);
}

int RelayLink::jitteredBackoffMs(int attempt)
{
    const int base = backoffMs(attempt);
    return base - int(QRandomGenerator::global()->bounded(base / 5 + 1));
}

void RelayLink::connectNow()
{
    m_codec = FrameCodec(m_codec.terminator(), m_codec.maxMessageBytes()); // nothing half-read
    m_errorString.clear();
    setState(State::Connecting);
    m_connectTimeout.start();
    m_socket->connectToHost(m_host, m_port);
}

void RelayLink::readAvailable()
{
    if (m_finishing) {
        m_socket->readAll(); // read, so that our last bytes are not reset away; not wanted
        return;
    }
    m_batch.clear();
    m_codec.feed(m_socket->readAll(), m_batch);
    for (qsizetype i = 0; i < m_batch.count(); ++i) {
        emit messageReceived(m_batch.payload(i).toByteArray());
        if (m_state != State::Connected) // a receiver closed or reopened the link
            return;
    }
}

// The connection attempt failed, or the connection was lost (not closed by close() or open()).
void RelayLink::onDisconnected()
{
    if (m_finishing) { // the relay closed its side after our half-close, or time ran out
        m_finishing = false;
        m_halfClosed = false;
        m_finishTimeout.stop();
        setState(State::Disconnected);
        return;
    }
    if (m_state != State::Connecting && m_state != State::Connected)
        return;
    m_connectTimeout.stop();
    // A relay that lets us in and closes at once (it is full, or refuses this address) is
    // retried with the growing wait, not every second.
    if (m_state == State::Connected && m_connectedFor.elapsed() >= kSteadyMs)
        m_attempt = 0;
    if (m_errorString.isEmpty()) { // else the connect timeout said why
        m_errorString = m_socket->error() == QAbstractSocket::RemoteHostClosedError
            ? tr("the relay closed the connection")
            : m_socket->errorString();
    }
    scheduleRetry();
}

void RelayLink::scheduleRetry()
{
    if (!m_autoReconnect) {
        m_retry.stop();
        setState(State::Disconnected);
        return;
    }
    m_retry.start(jitteredBackoffMs(m_attempt++));
    setState(State::WaitingToRetry);
}

void RelayLink::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}
