// PanelCommandLine: the panel's few options (--start, --port, --bind, --help, --version) for
// kiosks and tests. Port and address are checked by the core's own option parser. Qt's own options
// (-platform, -style, -session, -reverse, ...) are skipped with their values: QApplication reads
// them. Pure.
#pragma once

#include "relayconfig.h"

#include <QString>
#include <QStringList>

struct PanelCommandLine
{
    enum class Action
    {
        Run,
        ShowHelp,
        ShowVersion,
        Fail, ///< `error` says why; exit 2
    };
    Action action = Action::Run;
    bool start = false; ///< --start: serve as soon as the window opens
    bool hasPort = false;
    quint16 port = 0;
    bool hasBind = false;
    RelayConfig::Bind bind = RelayConfig::Bind::Localhost;
    QHostAddress address; ///< with bind Address
    QString error;

    /// Parses @p arguments (without the program name).
    static PanelCommandLine parse(const QStringList &arguments);
    /// The complete --help text.
    static QString help(const QString &program);

    /// @p saved with --port and --bind applied: they win over the saved settings for this run.
    RelayConfig apply(RelayConfig saved) const;
};
