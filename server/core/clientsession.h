// ClientSession: one connected client, whatever carries it. The base of the session kinds
// (StreamSession: TCP and local sockets; WebSocketSession: web pages). Keeps what every kind
// shares: the client's counters, its output budget and how it closes. A client that stops
// reading only ever hurts itself: once too much output waits for it, it is disconnected.
// Created and owned by RelayServer, removed with deleteLater() after disconnected().
#pragma once

#include "clientinfo.h"
#include "messagebatch.h"
#include "relayconfig.h"
#include "relaystats.h"

#include <QElapsedTimer>
#include <QObject>

class OutgoingMessages;

class ClientSession : public QObject
{
    Q_OBJECT

public:
    quint64 id() const { return m_info.id; }
    ClientInfo::Kind kind() const { return m_info.kind; }
    QString peerName() const { return m_info.peerName(); }
    /// The expected client this is (see RelayConfig::expected); empty for the others.
    const QString &name() const { return m_info.name; }
    /// The address it connects from (null for a local socket).
    QHostAddress address() const { return m_info.address; }
    void setName(const QString &name) { m_info.name = name; }
    /// A snapshot of the client's address and counters.
    ClientInfo info() const;
    /// How long it has sent nothing.
    qint64 idleMs() const { return m_idle.elapsed(); }
    /// Adds the client's counts (messages sent, bytes, drops) to the relay's @p stats.
    void addCountsTo(RelayStats &stats) const;
    /// Why the connection ended (or is ending): valid once disconnected() is emitted.
    Disconnect closeCause() const { return m_closeCause; }

    /// How this client wants messages ended: learned from what it sends in auto mode.
    /// (A WebSocket client has no use for it: its transport frames each message.)
    LineEnding lineEnding() const { return m_lineEnding; }
    void setLineEnding(LineEnding ending) { m_lineEnding = ending; }

    /// False once the session is closing: it then takes no more output.
    bool isOpen() const { return !m_closing; }

    /// Queues @p messages for sending, in this client's wire form. When the client is over its
    /// output budget it is disconnected instead (from the event loop, not from here).
    virtual void send(OutgoingMessages &messages) = 0;
    /// Queues one message written by the relay itself, ended the way this client wants.
    virtual void sendMessage(QByteArrayView message) = 0;
    /// Sends what is queued, then closes; disconnected() reports @p reason, closeCause()
    /// @p cause. A client that does not take what is queued within a grace period (2 s) is
    /// dropped then.
    void close(Disconnect cause, const QString &reason);

signals:
    /// Complete messages arrived (a batch per read; valid only during the emission).
    void messagesReceived(ClientSession *session, const MessageBatch &batch);
    /// The connection is gone; any unterminated tail has been delivered as a last batch.
    void disconnected(ClientSession *session, const QString &reason);

protected:
    ClientSession(quint64 id, ClientInfo::Kind kind, const RelayConfig &config, QObject *parent);

    /// Output queued and not yet taken by the system.
    virtual qint64 bytesWaiting() const = 0;
    /// Starts a clean close: queued output is sent first; @p reason is the one close() was given.
    virtual void closeConnection(const QString &reason) = 0;
    /// Drops the connection at once.
    virtual void abortConnection() = 0;
    /// Hands the system as much queued output as it takes now, without waiting.
    virtual void flushOutput() = 0;

    /// Disconnects the client when more output waits for it than its budget allows (over the
    /// maximum: once the system has been offered what is queued).
    void checkOutputBudget();
    /// Counts a read of @p bytes and the messages in @p batch, and hands them to the relay.
    void received(qint64 bytes, const MessageBatch &batch);
    /// Counts output queued for the client.
    void sent(qint64 messages, qint64 bytes);
    /// The reason disconnected() will give, unless one was set before.
    void setCloseReason(Disconnect cause, const QString &reason);
    /// Reports the connection gone (once): disconnected() with the reason.
    void reportDisconnected();
    bool isClosing() const { return m_closing; }
    void setClosing() { m_closing = true; }

    ClientInfo m_info;

private:
    void judgeOutput();
    void disconnectStuck(qint64 waiting);

    qint64 m_lastActivityMs; // m_info.lastActivity, filled in by info()
    QElapsedTimer m_idle; // since the client last sent something: m_info.idleMs
    LineEnding m_lineEnding;
    qint64 m_maxOutput;
    qint64 m_slowOutput;
    int m_slowSeconds;
    QElapsedTimer m_slowSince; // valid while more than m_slowOutput bytes wait
    QString m_closeReason;
    Disconnect m_closeCause = Disconnect::ClientClosed;
    bool m_closing = false;
    bool m_reported = false;
    bool m_judgePending = false; // judgeOutput() is due in the event loop
};
