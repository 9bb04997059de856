// SignalWatcher: brings SIGINT and SIGTERM to the event loop as a Qt signal. The handler only
// writes the signal number to a socket pair; a QSocketNotifier reads it on the event loop,
// where it is safe to act. One per process, owned by main().
#pragma once

#include <QObject>

class QSocketNotifier;

class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

signals:
    /// SIGINT or SIGTERM arrived; @p name is "SIGINT" or "SIGTERM".
    void terminationRequested(const QString &name);

private:
    void readSignal();

    QSocketNotifier *m_notifier = nullptr;
};
