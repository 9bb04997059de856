#include "connectionsession.h"

#include "linkreason.h"
#include "repeatsender.h"

#include <QDateTime>
#include <QSortFilterProxyModel>

#include <utility>

namespace {
constexpr int kTickMs = 1000; // rates and the retry countdown are refreshed this often
} // namespace

ConnectionSession::ConnectionSession(QObject *parent)
    : QObject(parent)
    , m_link(new RelayLink(Terminator::autoDetect(), 64 * 1024, this))
    , m_log(new MessageLogModel(
          MessageLogModel::kDefaultCapacity, MessageLogModel::kDefaultByteBudget, this))
    , m_filter(new QSortFilterProxyModel(this))
    , m_repeat(new RepeatSender(
          [this] { return sendBytes(m_repeatPayload, m_repeatMessage.terminator()); }, this))
{
    m_filter->setSourceModel(m_log);
    m_filter->setFilterKeyColumn(MessageLogModel::TextColumn);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);

    connect(m_link, &RelayLink::stateChanged, this, [this](RelayLink::State state) {
        // Down for good (no auto-reconnect): nothing more can go out. While waiting to retry,
        // repeat goes on and counts only what is sent once connected again.
        if (state == RelayLink::State::Disconnected)
            m_repeat->stop();
        emit stateChanged(state);
        emit statusChanged(statusText());
    });
    connect(m_link, &RelayLink::messageReceived, this, [this](const QByteArray &message) {
        m_rates.countIn();
        logMessage(MessageLogModel::Direction::Received, message);
    });
    m_logFlush.setSingleShot(true);
    m_logFlush.setInterval(kLogFlushMs);
    connect(&m_logFlush, &QTimer::timeout, this, &ConnectionSession::flushLog);
    m_tick.setInterval(kTickMs);
    connect(&m_tick, &QTimer::timeout, this, &ConnectionSession::tick);
    m_tick.start();
    m_sinceSample.start();
}

void ConnectionSession::open(const QString &host, quint16 port)
{
    m_opened = true;
    m_link->open(host, port);
}

void ConnectionSession::close()
{
    m_repeat->stop();
    m_link->close();
}

QString ConnectionSession::statusText() const
{
    const QString where = tr("%1 port %2").arg(m_link->host()).arg(m_link->port());
    switch (m_link->state()) {
    case RelayLink::State::Connecting:
        return tr("connecting to %1…").arg(where);
    case RelayLink::State::Connected:
        return tr("connected to %1").arg(where);
    case RelayLink::State::WaitingToRetry: {
        const int seconds = (qMax(0, m_link->retryInMs()) + 999) / 1000;
        return tr("reconnecting in %1 s: %2").arg(seconds).arg(linkReason(*m_link));
    }
    case RelayLink::State::Disconnected:
        break;
    }
    if (!m_link->errorString().isEmpty())
        return tr("disconnected: %1").arg(linkReason(*m_link));
    return tr("disconnected");
}

QString ConnectionSession::title() const
{
    if (!m_opened)
        return tr("not connected");
    return QStringLiteral("%1:%2").arg(m_link->host()).arg(m_link->port());
}

QString ConnectionSession::send(const OutgoingMessage &message)
{
    const ByteInput::Result payload = message.payload();
    if (!payload.isValid())
        return payload.error;
    if (!sendBytes(payload.bytes, message.terminator()))
        return tr("Not connected: nothing was sent.");
    return QString();
}

bool ConnectionSession::sendBytes(const QByteArray &payload, const QByteArray &terminator)
{
    if (!m_link->send(payload, terminator))
        return false;
    m_rates.countOut();
    logMessage(MessageLogModel::Direction::Sent, payload);
    return true;
}

void ConnectionSession::logMessage(MessageLogModel::Direction direction, const QByteArray &bytes)
{
    if (m_log->isPaused())
        return;
    m_pendingLog.append({QDateTime::currentMSecsSinceEpoch(), direction, bytes});
    m_pendingBytes += bytes.size();
    // What waits is bounded as the log is: a flood goes in early, as one full batch.
    if (m_pendingLog.size() >= m_log->capacity() || m_pendingBytes >= m_log->byteBudget())
        flushLog();
    else if (!m_logFlush.isActive()) // not restarted: a message waits kLogFlushMs at most
        m_logFlush.start();
}

void ConnectionSession::flushLog()
{
    m_logFlush.stop();
    m_pendingBytes = 0;
    m_log->append(std::exchange(m_pendingLog, {}));
}

void ConnectionSession::setLogPaused(bool paused)
{
    flushLog();
    m_log->setPaused(paused);
}

void ConnectionSession::clearLog()
{
    m_logFlush.stop();
    m_pendingLog.clear();
    m_pendingBytes = 0;
    m_log->clear();
}

QString ConnectionSession::startRepeat(const OutgoingMessage &message, int intervalMs, int count)
{
    const ByteInput::Result payload = message.payload();
    if (!payload.isValid())
        return payload.error;
    if (m_link->state() != RelayLink::State::Connected)
        return tr("Not connected: connect first, then repeat.");
    m_repeatMessage = message;
    m_repeatPayload = payload.bytes;
    m_repeat->start(intervalMs, count);
    return QString();
}

void ConnectionSession::stopRepeat()
{
    m_repeat->stop();
}

void ConnectionSession::setFilterText(const QString &text)
{
    m_filter->setFilterFixedString(text);
}

void ConnectionSession::tick()
{
    m_rates.sample(m_sinceSample.restart());
    emit ratesChanged();
    if (m_link->state() == RelayLink::State::WaitingToRetry)
        emit statusChanged(statusText());
}
