#include "panelcommandline.h"

#include "relayoptions.h"

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
        if (key == u"--start" && equals < 0) {
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
