#include "serialrelay.h"

#include "byteescape.h"
#include "framecodec.h"
#include "seriallogging.h"

namespace {
constexpr qsizetype kShownBytes = 200; // of a line in the verbose log
}

SerialRelay::SerialRelay(
    SerialDevice *device, RelayLink *link, const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_device(device)
    , m_link(link)
    , m_settings(settings)
{
    m_clock.start();
    connect(m_device, &SerialDevice::lineReceived, this, &SerialRelay::onDeviceLine);
    connect(m_link, &RelayLink::messageReceived, this, &SerialRelay::onRelayMessage);
    connect(m_link, &RelayLink::stateChanged, this, &SerialRelay::onLinkState);
}

void SerialRelay::onDeviceLine(const QByteArray &line)
{
    if (line.isEmpty())
        return; // an empty line carries nothing; boards print them around resets
    qCDebug(lcSerialTraffic).noquote()
        << QStringLiteral("device -> relay: ") + ByteEscape::toDisplay(line, kShownBytes);
    if (m_link->state() == RelayLink::State::Connected) {
        sendToRelay(line);
        return;
    }
    if (m_droppedSinceUp == 0 && m_queue.empty()) {
        qCWarning(lcSerial).noquote() << (m_settings.queueLimit > 0
                ? QStringLiteral("relay unreachable: keeping the last %1 lines from the "
                                 "device until it is back")
                      .arg(m_settings.queueLimit)
                : QStringLiteral("relay unreachable: lines from the device are dropped "
                                 "until it is back (--queue N keeps the last N)"));
    }
    if (m_settings.queueLimit <= 0) {
        ++m_droppedFromDevice;
        ++m_droppedSinceUp;
        return;
    }
    m_queue.push_back(line);
    while (qsizetype(m_queue.size()) > m_settings.queueLimit) {
        m_queue.pop_front();
        ++m_droppedFromDevice;
        ++m_droppedSinceUp;
    }
}

void SerialRelay::sendToRelay(const QByteArray &line)
{
    if (!m_link->send(line, m_settings.relayLineEnd))
        return;
    // The relay cuts what it gets as the link does (in its auto mode a NUL inside the line ends
    // a message too): the echo comes back in those pieces.
    const QByteArray sent = line + m_settings.relayLineEnd;
    FrameCodec relayCut(m_link->terminator(), sent.size());
    m_sentPieces.clear();
    relayCut.feed(sent, m_sentPieces);
    for (qsizetype i = 0; i < m_sentPieces.count(); ++i) {
        m_echoes.push_back({m_sentPieces.payload(i).toByteArray(), m_clock.elapsed()});
        // Enough for a whole queue sent at once, whose echoes all come after it.
        if (qsizetype(m_echoes.size()) > kEchoMemory + m_settings.queueLimit)
            m_echoes.pop_front();
    }
}

void SerialRelay::forgetOldEchoes()
{
    const qint64 now = m_clock.elapsed();
    while (!m_echoes.empty() && now - m_echoes.front().sentAtMs > kEchoWindowMs)
        m_echoes.pop_front();
}

void SerialRelay::onRelayMessage(const QByteArray &message)
{
    // The relay keeps each sender's order, so our oldest unanswered piece is the next echo;
    // anything else is another client's message.
    forgetOldEchoes();
    if (!m_echoes.empty() && m_echoes.front().line == message) {
        m_echoes.pop_front();
        ++m_echoesSkipped;
        return;
    }
    if (!m_settings.prefix.isEmpty() && !message.startsWith(m_settings.prefix)) {
        ++m_filtered;
        return;
    }
    if (!m_device->writeLine(message)) {
        if (m_droppedSinceDeviceUp++ == 0)
            qCWarning(lcSerial) << "device not open, or not reading what it is sent: messages "
                                   "for it are dropped until it takes them again";
        ++m_droppedFromRelay;
        return;
    }
    qCDebug(lcSerialTraffic).noquote()
        << QStringLiteral("relay -> device: ") + ByteEscape::toDisplay(message, kShownBytes);
    if (m_droppedSinceDeviceUp > 0) {
        qCInfo(lcSerial).noquote()
            << QStringLiteral("device: takes messages again; %1 were dropped meanwhile")
                   .arg(m_droppedSinceDeviceUp);
        m_droppedSinceDeviceUp = 0;
    }
}

void SerialRelay::onLinkState(RelayLink::State state)
{
    const QString where = QStringLiteral("%1 port %2").arg(m_link->host()).arg(m_link->port());
    if (state == RelayLink::State::Connected) {
        QString line = QStringLiteral("relay: connected to %1").arg(where);
        if (m_droppedSinceUp > 0)
            line += QStringLiteral("; %1 lines from the device were dropped while it was away")
                        .arg(m_droppedSinceUp);
        if (!m_queue.empty())
            line += QStringLiteral("; sending %1 queued lines").arg(m_queue.size());
        qCInfo(lcSerial).noquote() << line;
        m_relayWasUp = true;
        m_relayProblem.clear();
        m_droppedSinceUp = 0;
        m_echoes.clear(); // echoes of a lost connection never come
        while (!m_queue.empty() && m_link->state() == RelayLink::State::Connected) {
            sendToRelay(m_queue.front());
            m_queue.pop_front();
        }
        return;
    }
    if (state != RelayLink::State::WaitingToRetry)
        return;
    const QString reason = m_link->errorString();
    if (m_relayWasUp) {
        qCWarning(lcSerial).noquote()
            << QStringLiteral("relay: lost the connection to %1 (%2); reconnecting by itself")
                   .arg(where, reason);
    } else if (reason != m_relayProblem) {
        qCWarning(lcSerial).noquote()
            << QStringLiteral("relay: cannot reach %1 (%2); trying again by itself, every 1 s "
                              "at first and then less often, up to every 30 s")
                   .arg(where, reason);
    }
    m_relayWasUp = false;
    m_relayProblem = reason;
}
