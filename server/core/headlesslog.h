// HeadlessLog: how the programs without a window (the daemon, the serial relay, the test
// client's --headless mode) write their log. Every line gets a timestamp; information goes to
// stdout, warnings and errors to stderr, or every line to a log file (the daemon's --log-file);
// each line is flushed as it is written, so a pipe or a log collector sees it at once.
#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

class RotatingLog;

namespace HeadlessLog {

/// Installs the log format; @p verbose also shows the socketserver.* debug categories
/// (every connection and message). With @p file, every line goes to it instead of stdout and
/// stderr; it must stay until the handler is replaced (qInstallMessageHandler(nullptr)).
void install(bool verbose, RotatingLog *file = nullptr);

/// One log line as the log shows it: "2024-05-01 14:03:07.123 warning: MESSAGE\n".
QByteArray formatLine(QtMsgType type, const QString &message);

} // namespace HeadlessLog
