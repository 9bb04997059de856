// CommandLine: what every program's command line shares. Each program writes its long options
// once, as a table of OptionSpec; its parser and its --help (and the daemon's --config reader)
// all read that table.
#pragma once

#include "helptext.h"

#include <QString>
#include <QStringView>

#include <cstddef>
#include <optional>

struct OptionSpec
{
    const char *key; // "port", given as --port
    const char *valueName; // "PORT" in --help; nullptr for a switch
    const char *help;
};

namespace CommandLine {

/// The option of @p table called @p key (without the dashes), or nullptr.
template<std::size_t N> const OptionSpec *findOption(const OptionSpec (&table)[N], QStringView key)
{
    for (const OptionSpec &spec : table) {
        if (key == QLatin1String(spec.key))
            return &spec;
    }
    return nullptr;
}

/// The --help entries of @p table, one per option, in the table's order.
template<std::size_t N> QString optionsHelp(const OptionSpec (&table)[N])
{
    QString text;
    for (const OptionSpec &spec : table) {
        QString name = QLatin1String("--") + QLatin1String(spec.key);
        if (spec.valueName)
            name += u' ' + QLatin1String(spec.valueName);
        text += HelpText::option(name, QLatin1String(spec.help));
    }
    return text;
}

/// @p value as a decimal whole number from @p min to @p max (spaces around it allowed), or
/// nothing when it is not one.
std::optional<qint64> wholeNumber(const QString &value, qint64 min, qint64 max);

} // namespace CommandLine
