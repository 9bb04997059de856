// LoginItem: "Open at login" for the panel. Linux: an XDG autostart .desktop file (in
// $XDG_CONFIG_HOME/autostart, else ~/.config/autostart); macOS: a LaunchAgent plist in
// ~/Library/LaunchAgents; Windows: a value under the user's Run key. Plain functions of the
// file system (or registry); the window's check box forwards to it.
#pragma once

#include <QString>

class LoginItem
{
public:
    /// @p program: the command to run at login (the panel's own path by default).
    explicit LoginItem(const QString &program = QString());

    bool isEnabled() const;
    /// Adds or removes the login item; false with errorString() when that fails.
    bool setEnabled(bool on);
    QString errorString() const { return m_error; }

    /// Where the login item is stored (a file, or the registry key on Windows).
    QString location() const;

    /// Why @p program must not be opened at login from where it is, in a sentence for the
    /// window; empty when it may. An app run from a disk image (/Volumes/...) or from the
    /// temporary copy macOS makes of a downloaded app (App Translocation) is gone after the
    /// next restart: it must be moved to Applications first. setEnabled() asks on macOS.
    static QString locationProblem(const QString &program);

private:
    QString m_program;
    QString m_error;
};
