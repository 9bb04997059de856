// ExpectedClients: the exhibit's inventory (--expect), judged. Told once a second which named
// clients are connected (RelayServer samples them; naming them is its job), it decides for each
// expected client whether it is waiting, present, missing or silent, and returns the changes
// worth an alarm: gone missing or silent, and back. Pure: no sockets, no timers, the clocks
// injected, so that tests step through time. Durations (grace, silence) are measured on a
// steady clock: the time of day, used only to say when, may jump (a machine without a clock
// chip sets it from the network after boot, which must not make everyone missing at once).
#pragma once

#include "clientinfo.h"
#include "relayconfig.h"

#include <QDateTime>
#include <QHostAddress>
#include <QList>

#include <functional>

/// One expected client as monitors see it (the panel, /health, /metrics).
struct ExpectedClientStatus
{
    enum class State
    {
        Waiting, ///< not there, but within the grace (after start, or after it left)
        Present, ///< connected (and not silent)
        Missing, ///< away for longer than the grace
        Silent, ///< connected, but has sent nothing for --expect-silence seconds
    };
    /// "waiting", "present", "missing", "silent".
    static QString stateName(State state);

    QString name;
    QString match; ///< as --expect takes it: "192.168.1.23" or "prefix:kiosk3:"
    State state = State::Waiting;
    /// Present: when the client connected; Silent: when it last sent something; Missing and
    /// Waiting: when it was noticed gone (or the relay started).
    QDateTime since;
    quint64 clientId = 0; ///< the matched client (ClientInfo::id) while connected; else 0
    QHostAddress address; ///< its address while connected (null for a local socket)
};

/// A change to tell the log and, with --alarm-message, every client.
struct ExpectedClientAlarm
{
    QString name;
    QString state; ///< "missing", "silent" or "back"
    QString where; ///< the client's address (the last one seen), else its match
    QDateTime since; ///< missing or silent since; for "back", since when it had been away
    QString was; ///< for "back": "missing" or "silent"

    /// "expected client kiosk3 (192.168.1.23) missing since 02:14:07", or "... back (missing
    /// since 02:14:07)".
    QString logLine() const;
    /// @p messageTemplate with {name}, {state} and {address} filled in.
    QByteArray message(const QByteArray &messageTemplate) const;
};

class ExpectedClients
{
public:
    /// Milliseconds: on a steady clock (any origin) to measure durations, or since the epoch
    /// to tell the time of day. Tests pass their own.
    using Clock = std::function<qint64()>;
    static qint64 steadyClock();

    /// Watches @p config's expected clients, from now (the start of the grace).
    explicit ExpectedClients(const RelayConfig &config, Clock steady = &steadyClock,
        Clock wall = &QDateTime::currentMSecsSinceEpoch);

    /// Judges every expected client from @p named, the connected clients that have a name
    /// (ClientInfo::name); returns what changed that is worth telling, in the inventory's order.
    QList<ExpectedClientAlarm> sample(const QList<ClientInfo> &named);
    /// The state of each expected client at the last sample(), in the inventory's order.
    QList<ExpectedClientStatus> statuses() const;

private:
    struct Watch
    {
        ExpectedClientStatus status;
        qint64 goneSinceMs = 0; // when it was noticed gone, or the start
        QString where; // the last address seen, else the match
        bool alarmed = false; // missing or silent was told, back is not yet
        QString alarmState;
        QDateTime alarmSince;
    };

    QDateTime timeOf(qint64 steadyMs, qint64 nowMs) const; // a steady time as a time of day

    Clock m_clock; // steady
    Clock m_wallClock;
    qint64 m_startMs;
    qint64 m_graceMs;
    qint64 m_silenceMs; // 0: never silent
    QList<Watch> m_watches;
};
