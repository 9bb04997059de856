// ClientSession: one connected client. Owns its socket, its FrameCodec, its counters and its
// output budget; hands complete messages to its owner (RelayServer) one batch per read, and
// writes what the relay sends it. A client that stops reading only ever hurts itself: once
// too much output waits for it, it is disconnected. Created and owned by RelayServer, removed
// with deleteLater() after disconnected().
#pragma once

#include "clientinfo.h"
#include "framecodec.h"
#include "logthrottle.h"
#include "messagebatch.h"
#include "relayconfig.h"

#include <QElapsedTimer>
#include <QObject>

class QTcpSocket;

class ClientSession : public QObject
{
    Q_OBJECT

public:
    /// Takes ownership of the connected @p socket; @p config gives framing and limits.
    ClientSession(quint64 id, QTcpSocket *socket, const RelayConfig &config, QObject *parent);

    quint64 id() const { return m_info.id; }
    QString peerName() const { return m_info.peerName(); }
    /// A snapshot of the client's address and counters.
    ClientInfo info() const;

    /// How this client wants messages ended: learned from what it sends in auto mode.
    LineEnding lineEnding() const { return m_lineEnding; }
    void setLineEnding(LineEnding ending) { m_lineEnding = ending; }

    /// False once the session is closing: it then takes no more output.
    bool isOpen() const { return !m_closing; }

    /// Queues @p block (@p messageCount encoded messages) for sending. When the client is
    /// over its output budget it is disconnected instead (from the event loop, not from here).
    void send(const QByteArray &block, qint64 messageCount);
    /// Queues one message written by the relay itself, ended the way this client wants.
    void sendMessage(QByteArrayView message);
    /// Sends what is queued, then closes; disconnected() reports @p reason.
    void close(const QString &reason);

signals:
    /// Complete messages arrived (a batch per read; valid only during the emission).
    void messagesReceived(ClientSession *session, const MessageBatch &batch);
    /// The connection is gone; any unterminated tail has been delivered as a last batch.
    void disconnected(ClientSession *session, const QString &reason);

private:
    void write(const QByteArray &block);
    void readAvailable();
    void checkOutputBudget();
    void logDroppedMessages();
    void onDisconnected();

    QTcpSocket *m_socket;
    FrameCodec m_codec;
    MessageBatch m_batch; // reused from read to read
    ClientInfo m_info;
    qint64 m_lastActivityMs; // m_info.lastActivity, filled in by info()
    LineEnding m_lineEnding;
    qint64 m_maxOutput;
    qint64 m_slowOutput;
    int m_slowSeconds;
    QElapsedTimer m_slowSince; // valid while more than m_slowOutput bytes wait
    qint64 m_droppedLogged = 0;
    LogThrottle m_dropLog;
    QString m_closeReason;
    bool m_closing = false;
};
