// AppNapBlocker: while active, macOS must not throttle this process (App Nap), even when its
// window is hidden: the relay has to answer clients at full speed. Elsewhere it does nothing.
// Owned by whoever serves (RelayController).
#pragma once

#include <QString>

class AppNapBlocker
{
public:
    AppNapBlocker() = default;
    ~AppNapBlocker() { end(); }
    AppNapBlocker(const AppNapBlocker &) = delete;
    AppNapBlocker &operator=(const AppNapBlocker &) = delete;

    /// Starts an activity that keeps App Nap away, giving @p reason to the system.
    void begin(const QString &reason);
    void end();

private:
    bool m_active = false;
    [[maybe_unused]] void *m_activity = nullptr; // the NSObject activity token on macOS
};
