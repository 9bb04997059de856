// SingleInstance: makes sure one panel runs per user. A lock file named after the socket decides
// which instance is the panel: its holder (only it) listens on a local socket named after the
// user, replacing a socket file a crashed panel left. Another instance connects to that socket,
// asks it to show its window, and quits; while the holder is not listening yet, it tries again.
// Owned by main().
#pragma once

#include <QLocalServer>
#include <QLocalSocket>
#include <QLockFile>
#include <QObject>
#include <QTimer>

class SingleInstance : public QObject
{
    Q_OBJECT

public:
    static constexpr int kConnectTimeoutMs = 2000;
    static constexpr int kRetryMs = 50; // while the lock's holder is not listening yet

    /// @p name: the socket's name; empty: "socketserver-panel-<user>".
    explicit SingleInstance(const QString &name = QString(), QObject *parent = nullptr);

    /// Finds out whether another instance runs; one of the two signals below follows.
    void start();

signals:
    /// No other instance runs: this one is the panel (and listens for later launches).
    void becamePrimary();
    /// Another instance runs and has been asked to show its window: this one should quit.
    void otherInstanceRunning();
    /// In the primary instance: a later launch wants the window brought forward.
    void activationRequested();

private:
    void attempt();
    void becomePrimary();

    QString m_name;
    QLockFile m_lock;
    QLocalServer m_server;
    QLocalSocket m_probe;
    QTimer m_timeout;
    QTimer m_retry;
    bool m_decided = false;
    bool m_reached = false; // the probe reached another instance
};
