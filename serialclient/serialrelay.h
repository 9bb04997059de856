// SerialRelay: wires one SerialDevice to one RelayLink. Each line from the device becomes one
// message to the relay; each message from the relay is written to the device as one line,
//  - unless it is the relay's echo of a line this device sent (the relay sends every message
//    back to its sender, in order): those are recognised and skipped, so a board never reads
//    its own lines. What is remembered is bounded (kEchoMemory lines more than the queue,
//    kEchoWindowMs each) so that a relay run with --no-echo, which never echoes, costs
//    nothing;
//  - unless a prefix is set and the message does not start with it.
// While the relay is unreachable, lines from the device are dropped and counted, or the last
// queueLimit of them are kept and sent when it is back. Logs the relay's state, one line per
// change, and with --verbose each line relayed. Owns neither the device nor the link.
#pragma once

#include "messagebatch.h"
#include "relaylink.h"
#include "serialdevice.h"

#include <QElapsedTimer>
#include <QObject>

#include <deque>

class SerialRelay : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        QByteArray prefix; ///< forward to the device only messages starting with this
        int queueLimit = 0; ///< device lines kept while the relay is unreachable
        QByteArray relayLineEnd = QByteArray("\n"); ///< appended to each message to the relay
    };

    static constexpr int kEchoMemory = 64;
    static constexpr int kEchoWindowMs = 5000;

    SerialRelay(
        SerialDevice *device, RelayLink *link, const Settings &settings, QObject *parent = nullptr);

    /// Lines from the device lost because the relay was unreachable (or the queue was full).
    qint64 droppedFromDevice() const { return m_droppedFromDevice; }
    /// Messages from the relay lost because the device was not open or not reading.
    qint64 droppedFromRelay() const { return m_droppedFromRelay; }
    /// Messages from the relay not written because they lack the prefix.
    qint64 filtered() const { return m_filtered; }
    /// Echoes of the device's own lines skipped (pieces, when the relay cut a line).
    qint64 echoesSkipped() const { return m_echoesSkipped; }
    /// Device lines waiting for the relay.
    qsizetype queued() const { return qsizetype(m_queue.size()); }
    /// Device lines sent whose echo may still come.
    qsizetype pendingEchoes() const { return qsizetype(m_echoes.size()); }

private:
    struct Echo
    {
        QByteArray line;
        qint64 sentAtMs;
    };

    void onDeviceLine(const QByteArray &line);
    void onRelayMessage(const QByteArray &message);
    void onLinkState(RelayLink::State state);
    void sendToRelay(const QByteArray &line);
    void forgetOldEchoes();

    SerialDevice *m_device;
    RelayLink *m_link;
    Settings m_settings;
    std::deque<QByteArray> m_queue;
    std::deque<Echo> m_echoes; // what the relay will send back of our lines, oldest first
    MessageBatch m_sentPieces; // a line sent, as the relay cuts it
    QElapsedTimer m_clock;
    QString m_relayProblem; // last reason logged for not reaching the relay
    bool m_relayWasUp = false;
    qint64 m_droppedFromDevice = 0;
    qint64 m_droppedFromRelay = 0;
    qint64 m_droppedSinceUp = 0; // lines from the device lost during this outage
    qint64 m_droppedSinceDeviceUp = 0; // messages for the device lost since it last took one
    qint64 m_filtered = 0;
    qint64 m_echoesSkipped = 0;
};
