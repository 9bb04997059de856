#include "testclientoptions.h"

#include "bonjour.h"
#include "commandline.h"
#include "helptext.h"

#include <QCoreApplication>

namespace {

using CommandLine::findOption;

// Every option, written once as data: the parser and --help both read this table.
constexpr OptionSpec kOptions[] = {
    {"host", "HOST",
        "The machine the relay runs on: a name or an IP address (default localhost). In the "
        "window, the first tab starts with it."},
    {"port", "PORT", "The relay's TCP port (default 6780). In the window, as --host."},
    {"find", "NAME",
        "With --headless, instead of --host and --port: connect to the relay announced on the "
        "network (Bonjour) as NAME, e.g. \"Gallery 2\"; --find alone: to the only relay "
        "announced. Waits up to 10 s for it to appear (with --retry: for ever, and follows it "
        "to a new address). socketserver --list-relays shows the names.",
        true},
    {"headless", nullptr,
        "Run in the terminal, without a window: send (--send) and/or print what arrives "
        "(--listen), then exit. Exit status 0 on success, 1 when the relay cannot be reached or "
        "the connection is lost, 2 for a mistake on the command line."},
    {"send", "TEXT",
        "Send TEXT once the connection is up, followed by the --eol ending. Escapes: \\n \\r "
        "\\t \\0 \\\\ and \\xNN (a byte in hex, e.g. \\x1b). Without --every or --listen the "
        "program exits once it is sent."},
    {"hex", nullptr,
        "The --send TEXT is hexadecimal bytes, e.g. \"48 65 6c 6c 6f\" or 48656c6c6f."},
    {"eol", "ENDING",
        "The ending appended to each message sent: lf (default), crlf, nul or none. The relay "
        "sends you messages ended the same way."},
    {"every", "MS",
        "Send the --send message again every MS milliseconds: a periodic test broadcaster. "
        "Runs until --count messages are sent, or until Ctrl+C."},
    {"count", "N",
        "With --every: stop sending after N messages (default: never stop), then exit unless "
        "--listen is given. With --retry, N counts the messages that went out, across "
        "reconnections."},
    {"listen", nullptr,
        "Print each message that arrives, one per line: the date and time to the millisecond, a "
        "space, and the message with control bytes escaped (\\r, \\0, \\x1b...). Runs until "
        "Ctrl+C or the relay goes away."},
    {"raw", nullptr,
        "With --listen: print each message's bytes as they are (no time, no escapes), each "
        "followed by a newline, whatever ending it arrived with."},
    {"retry", nullptr,
        "When the relay cannot be reached or goes away, keep trying (after 1 s, then 2, 4... up "
        "to 30 s) instead of exiting with status 1."},
    {"help", nullptr, "Show this help and exit."},
    {"version", nullptr, "Show the version and exit."},
};

TestClientOptions failure(const QString &error)
{
    TestClientOptions options;
    options.action = TestClientOptions::Action::Fail;
    options.error = error;
    return options;
}

QString tr(const char *text)
{
    return QCoreApplication::translate("TestClientOptions", text);
}

// Reads a whole number from min to max, or says why it is not one.
std::optional<int> number(
    const QString &option, const QString &value, int min, int max, QString *error)
{
    if (const auto n = CommandLine::wholeNumber(value, min, max))
        return int(*n);
    *error = tr("--%1 takes a whole number from %2 to %3, not \"%4\".")
                 .arg(option)
                 .arg(min)
                 .arg(max)
                 .arg(value);
    return std::nullopt;
}

} // namespace

TestClientOptions parseTestClientOptions(const QStringList &arguments)
{
    TestClientOptions options;
    switch (CommandLine::helpOrVersion(kOptions, arguments)) {
    case CommandLine::Request::Help:
        options.action = TestClientOptions::Action::ShowHelp;
        return options;
    case CommandLine::Request::Version:
        options.action = TestClientOptions::Action::ShowVersion;
        return options;
    case CommandLine::Request::Run:
        break;
    }

    bool headless = false;
    bool hex = false;
    std::optional<QString> sendText;
    OutgoingMessage::Ending ending = OutgoingMessage::Ending::Lf;
    bool countGiven = false;
    QString error;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (!arg.startsWith(u"--"))
            return failure(tr("Unexpected argument \"%1\": options start with --.").arg(arg));
        QString name = arg.mid(2);
        std::optional<QString> value;
        const qsizetype equals = name.indexOf(u'=');
        if (equals >= 0) {
            value = name.mid(equals + 1);
            name.truncate(equals);
        }
        const OptionSpec *spec = findOption(kOptions, name);
        if (!spec)
            return failure(tr("Unknown option --%1.").arg(name));
        if (spec->valueName && !value) {
            if (CommandLine::valueFollows(*spec, arguments, i))
                value = arguments.at(++i);
            else if (!spec->valueOptional)
                return failure(
                    tr("--%1 needs a value (%2).").arg(name, QLatin1String(spec->valueName)));
        } else if (!spec->valueName && value) {
            return failure(tr("--%1 takes no value.").arg(name));
        }

        if (name == u"host") {
            if (value->trimmed().isEmpty())
                return failure(tr("--host needs a machine name or an IP address."));
            options.host = value->trimmed();
            options.addressGiven = true;
        } else if (name == u"port") {
            const auto port = number(name, *value, 1, 65535, &error);
            if (!port)
                return failure(error);
            options.port = quint16(*port);
            options.addressGiven = true;
        } else if (name == u"find") {
            const QString problem = Bonjour::findProblem(value.value_or(QString()));
            if (!problem.isEmpty())
                return failure(tr("--find: %1.").arg(problem));
            options.find = value.value_or(QString()).trimmed();
        } else if (name == u"headless") {
            headless = true;
        } else if (name == u"send") {
            sendText = *value;
        } else if (name == u"hex") {
            hex = true;
        } else if (name == u"eol") {
            const auto parsed = OutgoingMessage::endingFromName(*value);
            if (!parsed)
                return failure(tr("--eol takes lf, crlf, nul or none, not \"%1\".").arg(*value));
            ending = *parsed;
        } else if (name == u"every") {
            const auto ms = number(name, *value, 1, 24 * 3600 * 1000, &error);
            if (!ms)
                return failure(error);
            options.everyMs = *ms;
        } else if (name == u"count") {
            const auto count = number(name, *value, 1, 1000000000, &error);
            if (!count)
                return failure(error);
            options.count = *count;
            countGiven = true;
        } else if (name == u"listen") {
            options.listen = true;
        } else if (name == u"raw") {
            options.raw = true;
        } else if (name == u"retry") {
            options.retry = true;
        }
    }

    const bool headlessOnly = sendText || options.listen || options.everyMs > 0 || countGiven
        || options.raw || options.retry || hex || options.find;
    if (!headless) {
        if (headlessOnly)
            return failure(tr("--send, --listen, --every, --count, --raw, --retry, --hex and "
                              "--find work only with --headless (the window lists the relays "
                              "found in its Host field)."));
        return options;
    }
    options.action = TestClientOptions::Action::RunHeadless;
    if (options.find && options.addressGiven)
        return failure(tr("--find looks the relay up by its name: give it, or --host and --port, "
                          "not both."));
    if (!sendText && !options.listen)
        return failure(tr("Nothing to do: give --send TEXT, --listen, or both."));
    if (options.everyMs > 0 && !sendText)
        return failure(tr("--every repeats the --send message: give --send TEXT too."));
    if (countGiven && options.everyMs == 0)
        return failure(tr("--count goes with --every: give --every MS too."));
    if (options.raw && !options.listen)
        return failure(tr("--raw changes what --listen prints: give --listen too."));
    if (hex && !sendText)
        return failure(tr("--hex says how to read the --send text: give --send too."));
    if (sendText) {
        OutgoingMessage message;
        message.text = *sendText;
        message.format = hex ? OutgoingMessage::Format::Hex : OutgoingMessage::Format::Text;
        message.ending = ending;
        const ByteInput::Result payload = message.payload();
        if (!payload.isValid())
            return failure(tr("--send: %1").arg(payload.error));
        options.send = message;
        options.sendPayload = payload.bytes;
    }
    return options;
}

QString testClientHelp(const QString &program)
{
    QString help = QStringLiteral("Usage: %1 [--host HOST] [--port PORT]\n"
                                  "       %1 --headless [--host HOST] [--port PORT] [options]\n"
                                  "       %1 --headless --find [NAME] [options]\n\n")
                       .arg(program);
    help += HelpText::paragraph(
        tr("The SocketServer test client connects to a relay like any exhibit "
           "program does, so you can see the messages going around and send your "
           "own: fake another machine, repeat a message, check exactly which bytes "
           "arrive. Without --headless it opens a window (one tab per connection); "
           "with --headless it works in the terminal, for scripts and periodic test "
           "broadcasts."));
    help += QStringLiteral("\nOptions:\n");
    help += CommandLine::optionsHelp(kOptions);
    help += QStringLiteral(
        "\nExamples:\n"
        "  %1\n"
        "      open the window\n"
        "  %1 --headless --send 'computer2:main:reset'\n"
        "      send one message to the relay on this machine, then exit\n"
        "  %1 --headless --host 192.168.1.20 --send ping --every 500 --count 10\n"
        "      send \"ping\" every 500 ms, 10 times\n"
        "  %1 --headless --find 'Gallery 2' --listen --retry\n"
        "      print what the relay announced as \"Gallery 2\" sends, wherever it moves\n"
        "  %1 --headless --listen\n"
        "      print every message the relay sends, with the time, until Ctrl+C\n"
        "  %1 --headless --listen --send 'hello\\x1b' --eol nul\n"
        "      send hello and ESC ended by NUL (as Flash does), then keep listening\n")
                .arg(program);
    return help;
}
