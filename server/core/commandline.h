// CommandLine: what every program's command line shares. Each program writes its long options
// once, as a table of OptionSpec; its parser and its --help (and the daemon's --config reader)
// all read that table.
#pragma once

#include "helptext.h"

#include <QString>
#include <QStringList>
#include <QStringView>

#include <cstddef>
#include <optional>

struct OptionSpec
{
    const char *key; // "port", given as --port
    const char *valueName; // "PORT" in --help; "[NAME]" for a value that may be left out;
                           // nullptr for a switch
    const char *help;
};

namespace CommandLine {

/// True when @p spec's value may be left out ("[NAME]"): the next argument is its value only
/// when it is there and does not start with '-'.
inline bool hasOptionalValue(const OptionSpec &spec)
{
    return spec.valueName && spec.valueName[0] == '[';
}

/// True when the argument after @p spec's option, @p next (nullptr: there is none), is that
/// option's value.
inline bool takesNext(const OptionSpec &spec, const QString *next)
{
    return spec.valueName && next && !(hasOptionalValue(spec) && next->startsWith(u'-'));
}

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

/// What a command line asks for before anything else.
enum class Request
{
    Run, ///< neither --help nor --version
    Help, ///< --help, -h or -?: wins over everything, a mistake included
    Version, ///< --version
};

/// Finds --help (-h, -?) or --version in @p arguments, in any letter case, wherever an option
/// may stand: the value after an option of @p table that takes one is skipped, so that
/// "--welcome --help" is a welcome text, not a request for help.
template<std::size_t N>
Request helpOrVersion(const OptionSpec (&table)[N], const QStringList &arguments)
{
    Request request = Request::Run;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString arg = arguments.at(i).toLower();
        if (arg == u"--help" || arg == u"-h" || arg == u"-?")
            return Request::Help;
        if (arg == u"--version") {
            request = Request::Version;
        } else if (arg.startsWith(u"--") && !arg.contains(u'=')) {
            const OptionSpec *spec = findOption(table, QStringView(arg).mid(2));
            const QString *next = i + 1 < arguments.size() ? &arguments.at(i + 1) : nullptr;
            if (spec && takesNext(*spec, next))
                ++i; // its value, whatever it looks like
        }
    }
    return request;
}

/// @p value as a decimal whole number from @p min to @p max (spaces around it allowed), or
/// nothing when it is not one.
std::optional<qint64> wholeNumber(const QString &value, qint64 min, qint64 max);

} // namespace CommandLine
