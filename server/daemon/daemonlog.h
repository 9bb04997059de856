// DaemonLog: how the headless daemon writes its log. Every line gets a timestamp; information
// goes to stdout, warnings and errors to stderr; each line is flushed as it is written, so a
// pipe or a log collector sees it at once.
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcDaemon) // socketserver.daemon: start-up and shutdown

namespace DaemonLog {

/// Installs the log format; @p verbose also shows every connection and message.
void install(bool verbose);

} // namespace DaemonLog
