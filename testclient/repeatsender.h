// RepeatSender: sends a message every N ms, M times (or until stopped): the periodic test
// broadcaster. It calls a send function given at construction; a send that fails (not
// connected) is not counted, so M counts messages that went out. Owned by a ConnectionSession
// or by the headless client.
#pragma once

#include <QObject>
#include <QTimer>

#include <functional>

class RepeatSender : public QObject
{
    Q_OBJECT

public:
    /// Sends one message; returns false when it could not be sent.
    using SendFunction = std::function<bool()>;

    explicit RepeatSender(SendFunction send, QObject *parent = nullptr);

    /// Sends at once, then every @p intervalMs, until @p count messages went out (0: until
    /// stop()). Restarts when already running.
    void start(int intervalMs, int count);
    void stop();

    bool isRunning() const { return m_timer.isActive(); }
    int sentCount() const { return m_sent; }
    /// The number asked for; 0 for "until stopped".
    int count() const { return m_count; }

signals:
    void progressed(int sent, int count);
    /// All messages went out, or stop() was called.
    void finished();

private:
    void sendOne();

    SendFunction m_send;
    QTimer m_timer;
    int m_sent = 0;
    int m_count = 0;
};
