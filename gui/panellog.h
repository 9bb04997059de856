// PanelLog: the panel's log file, so that a technician can read what the relay did at 3 am,
// after the window was closed or the machine restarted. Every line of the relay's log (the
// socketserver.* categories: start, stop, connections, disconnections with their reasons,
// warnings) goes to socketserver-panel.log in the platform's log folder, in the daemon's format
// and rotated as its --log-file is; the lines the panel printed before still go to stderr.
#pragma once

#include <QLoggingCategory>
#include <QString>

class RotatingLog;

Q_DECLARE_LOGGING_CATEGORY(lcPanel) // socketserver.panel: the panel opens, starts, stops, quits

namespace PanelLog {

/// Where the log is kept: ~/Library/Logs/SocketServer on macOS, elsewhere the application's
/// local data folder (~/.local/share/SocketServer/socketserver-panel on Linux,
/// %LOCALAPPDATA%\SocketServer\socketserver-panel on Windows).
QString folder();
/// folder()/socketserver-panel.log.
QString filePath();

/// Sends the relay's log lines to @p file as well (connections and disconnections included,
/// which the panel shows nowhere else); @p file must stay until qInstallMessageHandler(nullptr).
void install(RotatingLog *file);

} // namespace PanelLog
