// parseSerialOptions(): socketserver-serial's command line turned into a SerialOptions value
// or one clear error. Pure: opens nothing, tested as a table.
#pragma once

#include "devicematch.h"
#include "serialdevice.h"
#include "serialrelay.h"
#include "terminator.h"

#include <QString>
#include <QStringList>

#include <optional>

struct SerialOptions
{
    enum class Action
    {
        Run, ///< relay between `device` and the relay (at host:port, or found by name)
        ListPorts, ///< --list: print the serial ports and exit 0
        ShowHelp, ///< --help: print serialOptionsHelp() and exit 0
        ShowVersion, ///< --version
        Fail, ///< a bad option: print `error` and exit 2
    };
    Action action = Action::Run;
    DeviceMatch device;
    SerialDevice::Settings serial;
    QString host = QStringLiteral("localhost");
    quint16 port = 6780;
    /// --find: the relay is the one announced on the network (Bonjour) under this name, followed
    /// when it moves; an empty name: the only relay announced. host and port are not used then.
    std::optional<QString> find;
    Terminator relayTerminator; ///< --eol: how messages from the relay end (auto)
    QByteArray prefix;
    int queueLimit = 0;
    bool verbose = false;
    QString error; ///< one sentence, when action is Fail

    /// What the relay side of SerialRelay needs.
    SerialRelay::Settings relaySettings() const;
};

/// Parses @p arguments (without the program name).
SerialOptions parseSerialOptions(const QStringList &arguments);

/// The complete --help text for the program called @p program.
QString serialOptionsHelp(const QString &program);
