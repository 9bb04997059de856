// SingleInstance: makes sure one panel runs per user. The first instance listens on a local
// socket named after the user; a later one connects to it, asks it to show its window, and
// quits. Owned by main().
#pragma once

#include <QLocalServer>
#include <QLocalSocket>
#include <QObject>
#include <QTimer>

class SingleInstance : public QObject
{
    Q_OBJECT

public:
    static constexpr int kConnectTimeoutMs = 2000;

    /// @p name: the socket's name; empty: "socketserver-panel-<user>".
    explicit SingleInstance(const QString &name = QString(), QObject *parent = nullptr);

    /// Finds out whether another instance runs; one of the two signals below follows.
    void start();
    QString name() const { return m_name; }

signals:
    /// No other instance runs: this one is the panel (and listens for later launches).
    void becamePrimary();
    /// Another instance runs and has been asked to show its window: this one should quit.
    void otherInstanceRunning();
    /// In the primary instance: a later launch wants the window brought forward.
    void activationRequested();

private:
    void becomePrimary();

    QString m_name;
    QLocalServer m_server;
    QLocalSocket m_probe;
    QTimer m_timeout;
    bool m_decided = false;
    bool m_reached = false; // the probe reached another instance
};
