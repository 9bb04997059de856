// parseTestClientOptions(): socketserver-testclient's command line turned into a value or one
// clear error. Pure: starts nothing, tested as a table. Without --headless the window opens
// (--host and --port fill in its first tab); with it, the program sends and/or listens in the
// terminal, at --host and --port or at the relay --find finds by name.
#pragma once

#include "outgoingmessage.h"
#include "relayconfig.h"

#include <QString>
#include <QStringList>

#include <optional>

struct TestClientOptions
{
    enum class Action
    {
        RunWindow,
        RunHeadless,
        ShowHelp, ///< print testClientHelp() and exit 0
        ShowVersion,
        Fail, ///< a bad option: print `error` and exit 2
    };
    Action action = Action::RunWindow;
    QString host = QStringLiteral("localhost");
    quint16 port = RelayConfig::kDefaultPort;
    std::optional<OutgoingMessage> send; ///< --send (with --hex, --eol)
    QByteArray sendPayload; ///< send's bytes, already checked
    int everyMs = 0; ///< --every; 0: send once
    int count = 0; ///< --count; 0: until stopped
    bool listen = false;
    bool raw = false;
    bool retry = false;
    bool addressGiven = false; ///< --host or --port: the window connects at once
    /// --find: the name of the relay to connect to (instead of host and port); empty: the only
    /// relay announced.
    std::optional<QString> find;
    QString error; ///< one sentence, when action is Fail
};

/// Parses @p arguments (without the program name).
TestClientOptions parseTestClientOptions(const QStringList &arguments);

/// The complete --help text for the program called @p program.
QString testClientHelp(const QString &program);
