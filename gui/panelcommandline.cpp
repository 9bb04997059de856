#include "panelcommandline.h"

#include "commandline.h"
#include "helptext.h"
#include "relayoptions.h"

namespace {

// The panel's own options, written once: the parser's pre-scan and --help read this table.
constexpr OptionSpec kOptions[] = {
    {"start", nullptr, "Start serving as soon as the window opens."},
    {"port", "PORT",
        "TCP port to listen on (saved setting by default, 6780 at first). 0 picks a free port; "
        "the window shows which."},
    {"bind", "ADDRESS",
        "Where clients can connect: localhost (programs on this computer only), any (every "
        "network interface), lan (this computer's LAN address) or one IP address of this "
        "computer (saved setting by default, localhost at first)."},
    {"help", nullptr, "Show this help and exit (-h also does)."},
    {"version", nullptr, "Show the version and exit."},
};

// Qt's own options, which QApplication reads (and removes) itself: with a value, and without.
// Qt accepts them with one dash or two, and "-style=fusion" as well as "-style fusion".
const char *const kQtOptionsWithValue[] = {"platform", "platformpluginpath", "platformtheme",
    "plugin", "qwindowgeometry", "qwindowicon", "qwindowtitle", "session", "style", "stylesheet",
    "display", "geometry", "title", "icon", "name", "qmljsdebugger"};
const char *const kQtFlags[] = {
    "reverse", "widgetcount", "nograb", "dograb", "testability", "sync", "visual", "ncols", "cmap"};

// 0: not one of Qt's options; 1: a flag or "-option=value"; 2: an option followed by its value.
int qtOptionLength(const QString &arg)
{
    if (!arg.startsWith(u'-') || arg.size() < 2)
        return 0;
    QString name = arg.mid(arg.startsWith(QLatin1String("--")) ? 2 : 1);
    const qsizetype equals = name.indexOf(u'=');
    const bool hasValue = equals >= 0;
    if (hasValue)
        name.truncate(equals);
    for (const char *option : kQtOptionsWithValue) {
        if (name == QLatin1String(option))
            return hasValue ? 1 : 2;
    }
    for (const char *flag : kQtFlags) {
        if (name == QLatin1String(flag) && !hasValue)
            return 1;
    }
    return 0;
}

} // namespace

PanelCommandLine PanelCommandLine::parse(const QStringList &arguments)
{
    PanelCommandLine result;
    const auto fail = [&result](const QString &error) {
        result.action = Action::Fail;
        result.error = error;
        return result;
    };
    switch (CommandLine::helpOrVersion(kOptions, arguments)) {
    case CommandLine::Request::Help:
        result.action = Action::ShowHelp;
        return result;
    case CommandLine::Request::Version:
        result.action = Action::ShowVersion;
        return result;
    case CommandLine::Request::Run:
        break;
    }

    QStringList relayArgs; // handed to the core's parser, which checks the values
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        QString key = arg.toLower();
        QString value;
        const qsizetype equals = key.indexOf(u'=');
        if (equals >= 0) {
            value = arg.mid(equals + 1);
            key.truncate(equals);
        }
        if (const int qtLength = qtOptionLength(arg); qtLength > 0) {
            i += qtLength - 1; // QApplication reads it, and its value
            if (i >= arguments.size())
                return fail(QStringLiteral("%1 needs a value").arg(arg));
        } else if (key == u"--start" && equals < 0) {
            result.start = true;
        } else if (key == u"--port" || key == u"--bind") {
            if (equals < 0) {
                if (i + 1 >= arguments.size())
                    return fail(QStringLiteral("%1 needs a value").arg(key));
                value = arguments.at(++i);
            }
            (key == u"--port" ? result.hasPort : result.hasBind) = true;
            relayArgs << key << value;
        } else {
            return fail(QStringLiteral("unknown option '%1'").arg(arg));
        }
    }
    const RelayOptions relay = parseRelayOptions(relayArgs);
    if (relay.action == RelayOptions::Action::Fail)
        return fail(relay.error);
    result.port = relay.config.port;
    result.bind = relay.config.bind;
    result.address = relay.config.address;
    return result;
}

RelayConfig PanelCommandLine::apply(RelayConfig saved) const
{
    if (hasPort)
        saved.port = port;
    if (hasBind) {
        saved.bind = bind;
        saved.address = address;
    }
    return saved;
}

QString PanelCommandLine::help(const QString &program)
{
    QString help
        = QStringLiteral("Usage: %1 [--start] [--port PORT] [--bind ADDRESS]\n\n").arg(program);
    help += HelpText::paragraph(
        QStringLiteral("The SocketServer control panel: a window that runs the message relay for "
                       "an exhibit, shows the address clients must use, the connected clients "
                       "and the traffic. Without options it opens with the settings saved last "
                       "time and waits for Start (or starts at once when \"Start serving when "
                       "the app opens\" is on). Options given here win over the saved settings "
                       "for this run only."));
    help += QStringLiteral("\nOptions:\n");
    help += CommandLine::optionsHelp(kOptions);
    help += u'\n';
    help += HelpText::paragraph(
        QStringLiteral("Only one panel runs at a time: opening it again brings the open window "
                       "forward. For a machine without a screen, use File > Export settings for "
                       "headless use and run: socketserver --config FILE"));
    help += QStringLiteral("\nExample:\n  %1 --start --bind any --port 6780\n").arg(program);
    return help;
}
