// RelayController: the panel's relay, running in-process on the GUI thread. Starts and stops a
// RelayServer, tracks its state for the window, says in words where clients connect and what
// went wrong, and keeps macOS from napping while it serves. Its start and stop go to the log
// (PanelLog's lcPanel). Owned by the window (or main()).
#pragma once

#include "appnapblocker.h"
#include "relayserver.h"

#include <QObject>

class RelayController : public QObject
{
    Q_OBJECT

public:
    enum class State
    {
        Stopped,
        Waiting, ///< the address to listen on is not on this machine yet
        Running,
        Stopping, ///< closing client connections
    };
    Q_ENUM(State)

    explicit RelayController(QObject *parent = nullptr);

    RelayServer *relay() { return &m_relay; }
    State state() const { return m_state; }

    /// Starts serving with @p config; false (and errorOccurred()) when it cannot listen.
    bool start(const RelayConfig &config);
    /// Closes every client and stops listening; stateChanged(Stopped) follows.
    void stop();
    /// Sends @p text as one message from the relay to every client.
    void broadcast(const QString &text);

    /// "Clients connect to 192.168.1.20, port 6780" (then the web, local and UDP ports: "; OSC
    /// programs to UDP port 7000"), or what the relay waits for.
    QString connectionHint() const;
    /// What a technician pastes into a client's settings: "192.168.1.20:6780".
    QString connectionText() const;
    /// Where a browser or a monitoring system reaches the web port: "http://192.168.1.20:6781/"
    /// (add "health" or "metrics"); empty unless running with the web port on.
    QString webAddress() const;
    /// "Running – 3 clients", "Stopped", ...
    QString stateText() const;

signals:
    void stateChanged(RelayController::State state);
    void errorOccurred(const QString &message);

private:
    void setState(State state);
    QString tcpHint() const; // where TCP clients connect
    QString endpoint(quint16 port) const; // "192.168.1.20:6780": the address to give out
    QString waitingHint() const; // what the relay waits for, in State::Waiting

    RelayServer m_relay;
    State m_state = State::Stopped;
    AppNapBlocker m_appNap;
};
