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
    const char *valueName; // "PORT" in --help; nullptr for a switch
    const char *help;
    /// The value may be left out ("--find" alone, "--find NAME"): the next argument is its
    /// value unless it starts with "-" (another option); "--find=NAME" gives it in any case.
    bool valueOptional = false;
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

/// True when the argument after @p arguments[@p i], an option of @p spec given without "=", is
/// its value.
inline bool valueFollows(const OptionSpec &spec, const QStringList &arguments, qsizetype i)
{
    return spec.valueName && i + 1 < arguments.size()
        && !(spec.valueOptional && arguments.at(i + 1).startsWith(u'-'));
}

/// The --help entries of @p table, one per option, in the table's order.
template<std::size_t N> QString optionsHelp(const OptionSpec (&table)[N])
{
    QString text;
    for (const OptionSpec &spec : table) {
        QString name = QLatin1String("--") + QLatin1String(spec.key);
        if (spec.valueName && spec.valueOptional)
            name += QLatin1String(" [") + QLatin1String(spec.valueName) + u']';
        else if (spec.valueName)
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
            if (spec && valueFollows(*spec, arguments, i))
                ++i; // its value, whatever it looks like
        }
    }
    return request;
}

/// @p value as a decimal whole number from @p min to @p max (spaces around it allowed), or
/// nothing when it is not one.
std::optional<qint64> wholeNumber(const QString &value, qint64 min, qint64 max);

} // namespace CommandLine
