// parseRelayOptions(): the daemon's command line, legacy and modern, plus the --config file,
// turned into a RelayConfig or one clear error. Pure: starts nothing, tested as a table.
#pragma once

#include "relayconfig.h"

#include <QString>
#include <QStringList>

struct RelayOptions
{
    enum class Action
    {
        Run, ///< start the relay with `config`
        ShowHelp, ///< --help: print relayOptionsHelp() and exit 0
        ShowVersion, ///< --version
        ListRelays, ///< --list-relays: list the relays announced on the network and exit
        Fail, ///< a bad option or file: print `error` and exit non-zero
    };
    Action action = Action::Run;
    RelayConfig config;
    QString error; ///< one sentence, when action is Fail
};

/// Parses @p arguments (without the program name). Settings apply in this order: defaults,
/// then the --config file, then the command line; the last of a setting wins.
RelayOptions parseRelayOptions(const QStringList &arguments);

/// What is wrong with @p config's limits together (a message longer than the output budget),
/// in one sentence naming the options; empty when nothing is. parseRelayOptions() checks it.
QString relayLimitsProblem(const RelayConfig &config);

/// The complete --help text for the program called @p program.
QString relayOptionsHelp(const QString &program);

/// Every setting of @p config that a --config file (or the panel) keeps, as (key, value) in the
/// option table's order, each value as typed on the command line after --KEY; a setting given
/// several times (expect) once per value. parseRelayOptions() reads them back.
QList<QPair<QString, QString>> relaySettings(const RelayConfig &config);

/// @p config as the text of a --config file: a comment, then one "key = value" line for every
/// setting the file can hold (keys from the option table; an empty allow list is left out),
/// so that parseRelayOptions({"--config", file}) reads the same settings back.
QString relayConfigFileText(const RelayConfig &config);
