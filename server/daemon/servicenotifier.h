// ServiceNotifier: tells systemd how the relay is doing, with the notify protocol of sd_notify(3)
// (one datagram per message to the Unix socket named by $NOTIFY_SOCKET), without libsystemd:
// READY=1 once the relay listens; STATUS= with what it waits for or how many clients are
// connected, sampled once a second; WATCHDOG=1 from the event loop at half of $WATCHDOG_USEC, so
// that a hung relay is restarted; STOPPING=1 at shutdown. Does nothing when NOTIFY_SOCKET is not
// set (started from a terminal, by launchd, ...). Owned by main().
#pragma once

#include <QByteArray>
#include <QObject>
#include <QTimer>

class RelayServer;

class ServiceNotifier : public QObject
{
    Q_OBJECT

public:
    /// Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment.
    explicit ServiceNotifier(QObject *parent = nullptr);
    ~ServiceNotifier() override;

    /// Reports on @p relay from now on. Call it before relay.start(): READY=1 follows the relay's
    /// listening() signal (so connect the start-up lines to it first).
    void watch(const RelayServer *relay);
    /// Tells the service manager that the relay is stopping; nothing is sent after that.
    void stopping();

private:
    void sampleStatus();
    QByteArray statusLine() const;
    void send(const QByteArray &message);

    const RelayServer *m_relay = nullptr;
    int m_socket = -1; // -1: not started by a service manager, nothing is sent
    QByteArray m_address; // the socket's sockaddr_un, ready for sendto()
    QTimer m_statusTimer;
    QTimer m_watchdogTimer;
    QByteArray m_status; // the last STATUS= line sent
    bool m_sendFailed = false; // a failure is logged once
};
