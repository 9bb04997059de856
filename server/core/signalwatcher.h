// SignalWatcher: brings SIGINT and SIGTERM (and SIGHUP, when asked) to the event loop as Qt
// signals. The handler only writes the signal number to a socket pair; a QSocketNotifier reads
// it on the event loop, where it is safe to act. One per process, owned by main().
#pragma once

#include <QObject>

class QSocketNotifier;

class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    /// Also watches SIGHUP (which otherwise ends the process), for hangupReceived().
    void watchHangup();

signals:
    /// SIGINT or SIGTERM arrived; @p name is "SIGINT" or "SIGTERM".
    void terminationRequested(const QString &name);
    /// SIGHUP arrived (after watchHangup()): logrotate moved the log file away.
    void hangupReceived();

private:
    void readSignal();

    QSocketNotifier *m_notifier = nullptr;
    bool m_watchingHangup = false;
};
