// PanelSettings: the one owner of the panel's QSettings. The relay's settings are stored under
// the daemon's own option names (port, bind, max-clients, eol, no-echo, ...), so that what the
// panel saves and what `socketserver --config` reads are the same words; the panel's own
// preferences live under "panel/". The MQTT broker's password is never stored, only the path of
// the file it is in. Owned by main() (or a test, pointed at a temporary file).
#pragma once

#include "relayconfig.h"

#include <QByteArray>
#include <QSettings>

class PanelSettings
{
public:
    /// The user's settings in the platform's usual place.
    PanelSettings();
    /// Settings in the INI file @p fileName (tests, portable set-ups).
    explicit PanelSettings(const QString &fileName);

    /// The saved relay settings; values that do not parse (edited by hand) keep their default.
    RelayConfig relayConfig() const;
    void setRelayConfig(const RelayConfig &config);

    bool startOnOpen() const;
    void setStartOnOpen(bool on);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);

    /// Writes pending changes to storage now.
    void sync();

private:
    QSettings m_settings;
};
