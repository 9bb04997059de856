#include "panelcommandline.h"

#include "relayoptions.h"

namespace {

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
    for (const QString &arg : arguments) {
        const QString lower = arg.toLower();
        if (lower == u"--help" || lower == u"-h" || lower == u"-?") {
            result.action = Action::ShowHelp;
            return result;
        }
        if (lower == u"--version")
            result.action = Action::ShowVersion;
    }
    if (result.action != Action::Run)
        return result;

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
    return QStringLiteral(
        "Usage: %1 [--start] [--port PORT] [--bind ADDRESS]\n"
        "\n"
        "The SocketServer control panel: a window that runs the message relay for an\n"
        "exhibit, shows the address clients must use, the connected clients and the\n"
        "traffic. Without options it opens with the settings saved last time and waits\n"
        "for Start (or starts at once when \"Start serving when the app opens\" is on).\n"
        "Options given here win over the saved settings for this run only.\n"
        "\n"
        "Options:\n"
        "  --start                 Start serving as soon as the window opens.\n"
        "  --port PORT             TCP port to listen on (saved setting by default,\n"
        "                          6780 at first). 0 picks a free port; the window\n"
        "                          shows which.\n"
        "  --bind ADDRESS          Where clients can connect: localhost (programs on\n"
        "                          this computer only), any (every network\n"
        "                          interface), lan (this computer's LAN address) or\n"
        "                          one IP address of this computer (saved setting by\n"
        "                          default, localhost at first).\n"
        "  --help                  Show this help and exit (-h also does).\n"
        "  --version               Show the version and exit.\n"
        "\n"
        "Only one panel runs at a time: opening it again brings the open window forward.\n"
        "For a machine without a screen, use File > Export settings for headless use\n"
        "and run: socketserver --config FILE\n"
        "\n"
        "Example:\n"
        "  %1 --start --bind any --port 6780\n")
        .arg(program);
}
