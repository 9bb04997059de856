// RelayLink: the client side of the relay, shared by the serial relay and the test client.
// One TCP connection to a relay, cut into messages by a FrameCodec, that reconnects by itself
// when asked to: after a lost connection or a failed attempt it waits 1 s, then 2, 4, ... up to
// 30 s, each wait jittered by up to a fifth so that many clients of a restarted relay do not
// all come back in the same instant. A connection that stayed up 10 s resets the wait to 1 s.
#pragma once

#include "framecodec.h"
#include "messagebatch.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

class QTcpSocket;

class RelayLink : public QObject
{
    Q_OBJECT

public:
    enum class State
    {
        Disconnected, ///< not connected and not trying (before open(), after close())
        Connecting, ///< an attempt is under way
        Connected,
        WaitingToRetry, ///< the last attempt failed or the connection was lost: retrying soon
    };
    Q_ENUM(State)

    /// @p terminator cuts what the relay sends into messages; messages longer than
    /// @p maxMessageBytes are dropped.
    explicit RelayLink(const Terminator &terminator = Terminator(),
        qsizetype maxMessageBytes = 64 * 1024, QObject *parent = nullptr);

    /// When on (the default), a failed attempt or a lost connection is retried with backoff;
    /// when off, the link goes back to Disconnected and stays there.
    void setAutoReconnect(bool on) { m_autoReconnect = on; }
    bool autoReconnect() const { return m_autoReconnect; }

    /// Connects to the relay at @p host:@p port (closing any connection first).
    void open(const QString &host, quint16 port);
    /// Sends what is queued, then disconnects; no retry follows.
    void close();
    /// Like close(), for a program about to exit: once what is queued has gone out, tells the
    /// relay there is nothing more (a half-close) and keeps reading, dropping what comes,
    /// until the relay closes its side; then Disconnected. At most 2 s after the call. Closing at
    /// once while the relay's messages wait unread would make the system answer with a reset that
    /// throws away what was sent and the relay has not read yet.
    void finish();

    State state() const { return m_state; }
    /// How what the relay sends is cut into messages (the relay cuts what it gets the same way).
    const Terminator &terminator() const { return m_codec.terminator(); }
    QString host() const { return m_host; }
    quint16 port() const { return m_port; }
    /// Why the last attempt failed or the connection was lost, in words; empty when connected.
    QString errorString() const { return m_errorString; }
    /// Milliseconds until the next attempt while WaitingToRetry, else -1.
    int retryInMs() const;

    /// Sends @p message followed by @p terminator (empty: the message is sent as it is).
    /// Returns false, sending nothing, unless Connected.
    bool send(QByteArrayView message, QByteArrayView terminator = "\n");
    /// Bytes written but not yet taken by the network.
    qint64 bytesToWrite() const;

    /// The wait before retry number @p attempt (0 for the first), before jitter: 1 s doubling
    /// up to 30 s.
    static int backoffMs(int attempt);
    /// backoffMs() less up to a fifth, at random, so that many clients of one restarted server
    /// do not all come back at once. The MQTT bridge waits for its broker the same way.
    static int jitteredBackoffMs(int attempt);

signals:
    void stateChanged(RelayLink::State state);
    /// One complete message from the relay, without its terminator.
    void messageReceived(const QByteArray &message);

private:
    void connectNow();
    void readAvailable();
    void onDisconnected();
    void halfCloseWhenSent();
    void scheduleRetry();
    void setState(State state);

    QTcpSocket *m_socket;
    FrameCodec m_codec;
    MessageBatch m_batch;
    QTimer m_retry;
    QTimer m_connectTimeout;
    QTimer m_finishTimeout; // how long finish() may take
    bool m_finishing = false;
    bool m_halfClosed = false;
    QString m_host;
    quint16 m_port = 0;
    QString m_errorString;
    State m_state = State::Disconnected;
    QElapsedTimer m_connectedFor;
    int m_attempt = 0; // attempts since the last connection that lasted
    bool m_autoReconnect = true;
};
