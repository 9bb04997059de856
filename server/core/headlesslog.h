// HeadlessLog: how the programs without a window (the daemon, the serial relay, the test
// client's --headless mode) write their log. Every line gets a timestamp; information goes to
// stdout, warnings and errors to stderr; each line is flushed as it is written, so a pipe or a
// log collector sees it at once.
#pragma once

namespace HeadlessLog {

/// Installs the log format; @p verbose also shows the socketserver.* debug categories
/// (every connection and message).
void install(bool verbose);

} // namespace HeadlessLog
