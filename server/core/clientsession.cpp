#include "clientsession.h"

#include "logging.h"

#include <QTimer>

namespace {
// How long a clean close waits for the client to take what is queued for it. A client that
// does not read never takes it: after this its connection is dropped, so it is gone for sure.
constexpr int kCloseGraceMs = 2000;
} // namespace

ClientSession::ClientSession(
    quint64 id, ClientInfo::Kind kind, const RelayConfig &config, QObject *parent)
    : QObject(parent)
    , m_lineEnding(config.terminator.initialEnding())
    , m_maxOutput(config.maxClientBuffer)
    , m_slowOutput(config.slowClientBuffer)
    , m_slowSeconds(config.slowClientSeconds)
{
    m_info.id = id;
    m_info.kind = kind;
    m_info.connectedSince = QDateTime::currentDateTime();
    m_lastActivityMs = m_info.connectedSince.toMSecsSinceEpoch();
    m_idle.start();
}

ClientInfo ClientSession::info() const
{
    ClientInfo info = m_info;
    info.lastActivity = QDateTime::fromMSecsSinceEpoch(m_lastActivityMs);
    info.idleMs = m_idle.elapsed();
    return info;
}

void ClientSession::addCountsTo(RelayStats &stats) const
{
    stats.messagesOut += m_info.messagesOut;
    stats.bytesIn += m_info.bytesIn;
    stats.bytesOut += m_info.bytesOut;
    stats.messagesDropped += m_info.droppedMessages;
    stats.datagramsMalformed += m_info.malformedDatagrams;
    stats.messagesUnsent += m_info.unsentMessages;
}

void ClientSession::close(Disconnect cause, const QString &reason)
{
    if (m_closing)
        return;
    m_closeCause = cause;
    m_closeReason = reason;
    m_closing = true;
    QTimer::singleShot(kCloseGraceMs, this, [this] {
        if (!m_reported)
            abortConnection();
    });
    closeConnection(reason); // may report disconnected() at once
}

// Qt's write buffers grow without bound, so what waits for this client is watched here: when
// output is queued for it, and when the system has taken some.
void ClientSession::checkOutputBudget()
{
    if (m_closing)
        return;
    const qint64 waiting = bytesWaiting();
    if (waiting > m_maxOutput) {
        // Qt hands queued output to the system later, from the event loop: what was relayed in
        // this loop turn (from many senders, perhaps) is all still here. Judged once the system
        // has had its chance to take it.
        if (!m_judgePending) {
            m_judgePending = true;
            QTimer::singleShot(0, this, &ClientSession::judgeOutput);
        }
        return;
    }
    if (waiting <= m_slowOutput) {
        m_slowSince.invalidate();
        return;
    }
    if (!m_slowSince.isValid())
        m_slowSince.start();
    if (m_slowSince.hasExpired(m_slowSeconds * 1000LL))
        disconnectStuck(waiting);
}

void ClientSession::judgeOutput()
{
    if (m_closing)
        return;
    flushOutput(); // may report disconnected()
    m_judgePending = false;
    if (m_closing)
        return;
    const qint64 waiting = bytesWaiting();
    if (waiting > m_maxOutput)
        disconnectStuck(waiting);
    else
        checkOutputBudget();
}

void ClientSession::disconnectStuck(qint64 waiting)
{
    m_closing = true;
    m_closeCause = Disconnect::NotReading;
    m_closeReason = QStringLiteral("not reading: %1 bytes were waiting for it").arg(waiting);
    qCWarning(lcClients,
        "disconnecting %s: it does not read what is sent to it "
        "(%lld bytes waiting)",
        qUtf8Printable(peerName()), waiting);
    // Not from here: send() is called while the relay walks its list of clients.
    QTimer::singleShot(0, this, &ClientSession::abortConnection);
}

void ClientSession::received(qint64 bytes, const MessageBatch &batch)
{
    m_info.bytesIn += bytes;
    m_lastActivityMs = QDateTime::currentMSecsSinceEpoch(); // cheap, unlike a QDateTime per read
    m_idle.start();
    if (batch.isEmpty())
        return;
    m_info.messagesIn += batch.count();
    emit messagesReceived(this, batch);
}

void ClientSession::sent(qint64 messages, qint64 bytes)
{
    m_info.messagesOut += messages;
    m_info.bytesOut += bytes;
}

void ClientSession::setCloseReason(Disconnect cause, const QString &reason)
{
    if (!m_closeReason.isEmpty())
        return;
    m_closeCause = cause;
    m_closeReason = reason;
}

void ClientSession::reportDisconnected()
{
    if (m_reported)
        return;
    m_reported = true;
    m_closing = true;
    emit disconnected(
        this, m_closeReason.isEmpty() ? QStringLiteral("closed by client") : m_closeReason);
}
