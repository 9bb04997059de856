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
}

ClientInfo ClientSession::info() const
{
    ClientInfo info = m_info;
    info.lastActivity = QDateTime::fromMSecsSinceEpoch(m_lastActivityMs);
    return info;
}

void ClientSession::close(const QString &reason)
{
    if (m_closing)
        return;
    m_closeReason = reason;
    m_closing = true;
    QTimer::singleShot(kCloseGraceMs, this, [this] {
        if (!m_reported)
            abortConnection();
    });
    closeConnection(); // may report disconnected() at once
}

// Qt's write buffers grow without bound, so what waits for this client is watched here.
void ClientSession::checkOutputBudget()
{
    const qint64 waiting = bytesWaiting();
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
    QTimer::singleShot(0, this, &ClientSession::abortConnection);
}

void ClientSession::received(qint64 bytes, const MessageBatch &batch)
{
    m_info.bytesIn += bytes;
    m_lastActivityMs = QDateTime::currentMSecsSinceEpoch(); // cheap, unlike a QDateTime per read
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

void ClientSession::setCloseReason(const QString &reason)
{
    if (m_closeReason.isEmpty())
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
