// StreamSession: a client on a byte stream, a TCP connection or a local socket. Its bytes go
// through a FrameCodec (split at the terminator, size capped) and it gets one encoded block per
// batch, ended the way it ends its own messages. TCP and local sockets differ only in how they
// close and in their signals' types, so one class serves both. WebSocketSession is a
// StreamSession that frames messages the WebSocket way instead (the protected part below).
//
// Reads are bounded (64 KiB per client per event-loop turn), so that one client that floods
// cannot make the relay buffer without bound, nor starve the others, nor fill every other
// client's output budget within one turn.
//
// With a Flash policy answer set (--flash-policy, TCP only), the client's first bytes are
// looked at before anything else: a Flash player's "<policy-file-request/>\0" gets the answer
// and the connection is closed; anything else is relayed as usual, nothing lost. Until the
// first bytes decide (at most kPolicyWaitMs), output for the client is held back, so that
// a Flash player's answer is never preceded by a relayed message.
#pragma once

#include "clientsession.h"
#include "framecodec.h"
#include "logthrottle.h"

#include <QTimer>

class QIODevice;
class QLocalSocket;
class QTcpSocket;

class StreamSession : public ClientSession
{
    Q_OBJECT

public:
    static constexpr int kPolicyWaitMs = 1000;

    /// Takes ownership of the connected @p socket; @p config gives framing and limits.
    StreamSession(quint64 id, QTcpSocket *socket, const RelayConfig &config, QObject *parent);
    StreamSession(quint64 id, QLocalSocket *socket, const RelayConfig &config, QObject *parent);

    /// Answers a Flash policy-file request with @p policy (NUL-terminated), see above.
    void setFlashPolicy(const QByteArray &policy);

    void send(OutgoingMessages &messages) override;
    void sendMessage(QByteArrayView message) override;

protected:
    StreamSession(quint64 id, ClientInfo::Kind kind, QTcpSocket *socket, const RelayConfig &config,
        QObject *parent);

    qint64 bytesWaiting() const override;
    void closeConnection(const QString &reason) override;
    void abortConnection() override;
    void flushOutput() override;

    /// The wire form of @p messages for this client: lines ended the way it wants them.
    virtual const QByteArray &encode(OutgoingMessages &messages);
    /// The wire form of one message of the relay's.
    virtual QByteArray encode(QByteArrayView message);
    /// Splits what was read into messages and hands them to the relay.
    virtual void relayBytes(const QByteArray &bytes);
    /// The connection is gone: reads what came with the close, reports disconnected().
    virtual void onDisconnected();

    /// Queues @p block for sending, after everything queued before.
    void write(const QByteArray &block);
    /// Reads what the system has for this client (at most 64 KiB) and relays it.
    void readAvailable();
    QTcpSocket *tcpSocket() const { return m_tcp; }

private:
    bool checkForPolicyRequest(QByteArray &bytes);
    void endPolicyWait();
    void stopHoldingOutput();
    void logDroppedMessages();

    QIODevice *m_device;
    QTcpSocket *m_tcp = nullptr; // one of these two is m_device
    QLocalSocket *m_local = nullptr;
    FrameCodec m_codec;
    MessageBatch m_batch; // reused from read to read
    qint64 m_droppedLogged = 0; // the codec's count, as far as logged and in m_info
    LogThrottle m_dropLog;
    // Flash policy: the answer, the first bytes seen so far, the output held back meanwhile.
    QByteArray m_policy;
    QByteArray m_firstBytes;
    QByteArray m_held;
    QTimer m_policyWait;
};
