#include "serialoptions.h"

#include "bonjour.h"
#include "commandline.h"
#include "helptext.h"

#include <optional>

namespace {

using CommandLine::findOption;
using CommandLine::wholeNumber;

// Every option, written once as data: the parser and --help both read this table.
constexpr OptionSpec kOptions[] = {
    {"list", nullptr,
        "Show the serial ports of this machine (path, description, manufacturer, serial number, "
        "USB VID:PID) and exit."},
    {"device", "PATH",
        "The serial device to use, e.g. /dev/ttyACM0, /dev/cu.usbmodem14101 or COM3. After an "
        "unplug the same path is opened again."},
    {"match", "ID",
        "Find the device by identity instead: a USB VID:PID in hex such as 2341:0043, or a "
        "serial number as --list shows it. The ports are searched again when a device appears, so "
        "a board that comes back under another name (ttyUSB0 -> ttyUSB1) is found."},
    {"baud", "RATE", "Speed in bits per second, as in the sketch's Serial.begin() (default 9600)."},
    {"data-bits", "N", "Data bits: 5, 6, 7 or 8 (default 8)."},
    {"parity", "MODE", "Parity: none, even, odd, space or mark (default none)."},
    {"stop-bits", "N", "Stop bits: 1, 1.5 or 2 (default 1)."},
    {"flow", "MODE",
        "Flow control: none, hardware (RTS/CTS) or software (XON/XOFF) (default none)."},
    {"settle-ms", "MS",
        "After opening the device, wait this long before writing to it (default 2000: an Uno "
        "restarts when the port opens and misses what comes before its sketch runs). Up to 256 "
        "lines from the relay meanwhile are held and written then; more are dropped and "
        "counted."},
    {"device-eol", "MODE",
        "How lines end on the device side. lf (default): a line ends at LF or CRLF (Arduino's "
        "println) and LF is written after each message. crlf: the same, but CRLF is written. "
        "cr, nul or decimal codes such as 13: exactly those bytes, both ways."},
    {"find", "NAME",
        "Find the relay on the network by the name it announces (Bonjour), e.g. --find "
        "\"Gallery 2\", instead of giving --host and --port, and follow it when it restarts on "
        "another address or port. --find alone: the only relay on the network. Until it is "
        "found, the log says what it waits for. 'socketserver --list-relays' shows the names.",
        true},
    {"host", "HOST", "The relay's address (default localhost)."},
    {"port", "PORT", "The relay's port (default 6780)."},
    {"eol", "MODE",
        "How messages from the relay end: auto (default: LF, CRLF or NUL; the relay answers "
        "the way this program writes, LF), or lf, crlf, cr, nul or codes such as 0,14 when "
        "the relay runs with that --eol."},
    {"prefix", "TEXT",
        "Write to the device only messages that start with TEXT, e.g. arduino1: (default: "
        "every message). The message is written whole, prefix included."},
    {"queue", "N",
        "While the relay is unreachable, keep the last N lines from the device and send them "
        "when it is back (default 0: drop them, and log how many)."},
    {"verbose", nullptr, "Log every line relayed, both ways, escaped (-v also does)."},
    {"help", nullptr, "Show this help and exit (-h also does)."},
    {"version", nullptr, "Show the version and exit."},
};

constexpr qint64 kMaxSettleMs = 60000;
constexpr qint64 kMaxQueue = 1000000;

QString numberProblem(const QString &option, const QString &value, qint64 min, qint64 max)
{
    return QStringLiteral("--%1: '%2' is not a whole number from %3 to %4")
        .arg(option, value)
        .arg(min)
        .arg(max);
}

// Applies one option; returns what is wrong with it, or an empty string.
QString apply(SerialOptions &options, const QString &key, const QString &value)
{
    const QString v = value.trimmed().toLower();
    if (key == u"device") {
        if (value.isEmpty())
            return QStringLiteral("--device needs a path such as /dev/ttyACM0");
        options.device = DeviceMatch::path(value);
    } else if (key == u"match") {
        const auto match = DeviceMatch::fromMatch(value);
        if (!match)
            return QStringLiteral("--match: '%1' is neither a USB VID:PID in hex such as "
                                  "2341:0043 nor a serial number")
                .arg(value);
        options.device = *match;
    } else if (key == u"baud") {
        const auto n = wholeNumber(value, 50, 4000000);
        if (!n)
            return numberProblem(key, value, 50, 4000000);
        options.serial.baudRate = qint32(*n);
    } else if (key == u"data-bits") {
        const auto n = wholeNumber(value, 5, 8);
        if (!n)
            return QStringLiteral("--data-bits: '%1' is not 5, 6, 7 or 8").arg(value);
        options.serial.dataBits = QSerialPort::DataBits(*n);
    } else if (key == u"parity") {
        if (v == u"none" || v == u"n")
            options.serial.parity = QSerialPort::NoParity;
        else if (v == u"even" || v == u"e")
            options.serial.parity = QSerialPort::EvenParity;
        else if (v == u"odd" || v == u"o")
            options.serial.parity = QSerialPort::OddParity;
        else if (v == u"space" || v == u"s")
            options.serial.parity = QSerialPort::SpaceParity;
        else if (v == u"mark" || v == u"m")
            options.serial.parity = QSerialPort::MarkParity;
        else
            return QStringLiteral("--parity: '%1' is not none, even, odd, space or mark")
                .arg(value);
    } else if (key == u"stop-bits") {
        if (v == u"1")
            options.serial.stopBits = QSerialPort::OneStop;
        else if (v == u"1.5")
            options.serial.stopBits = QSerialPort::OneAndHalfStop;
        else if (v == u"2")
            options.serial.stopBits = QSerialPort::TwoStop;
        else
            return QStringLiteral("--stop-bits: '%1' is not 1, 1.5 or 2").arg(value);
    } else if (key == u"flow") {
        if (v == u"none")
            options.serial.flowControl = QSerialPort::NoFlowControl;
        else if (v == u"hardware" || v == u"rtscts")
            options.serial.flowControl = QSerialPort::HardwareControl;
        else if (v == u"software" || v == u"xonxoff")
            options.serial.flowControl = QSerialPort::SoftwareControl;
        else
            return QStringLiteral("--flow: '%1' is not none, hardware or software").arg(value);
    } else if (key == u"settle-ms") {
        const auto n = wholeNumber(value, 0, kMaxSettleMs);
        if (!n)
            return numberProblem(key, value, 0, kMaxSettleMs);
        options.serial.settleMs = int(*n);
    } else if (key == u"device-eol" || key == u"eol") {
        const auto terminator = Terminator::fromName(value);
        if (!terminator)
            return QStringLiteral("--%1: '%2' is not a line end: use lf, crlf, cr, nul, auto or "
                                  "character codes from 0 to 255 such as 0,14")
                .arg(key, value);
        if (key == u"eol")
            options.relayTerminator = *terminator;
        else
            options.serial.lineEnd = *terminator;
    } else if (key == u"find") {
        const QString problem = Bonjour::findProblem(value);
        if (!problem.isEmpty())
            return QStringLiteral("--find: ") + problem;
        options.find = value.trimmed();
    } else if (key == u"host") {
        if (value.trimmed().isEmpty())
            return QStringLiteral("--host needs the relay's address");
        options.host = value.trimmed();
    } else if (key == u"port") {
        const auto port = wholeNumber(value, 1, 65535);
        if (!port)
            return QStringLiteral("--port: '%1' is not a port number (1 to 65535)").arg(value);
        options.port = quint16(*port);
    } else if (key == u"prefix") {
        options.prefix = value.toUtf8();
    } else if (key == u"queue") {
        const auto n = wholeNumber(value, 0, kMaxQueue);
        if (!n)
            return numberProblem(key, value, 0, kMaxQueue);
        options.queueLimit = int(*n);
    } else if (key == u"verbose") {
        options.verbose = true;
    } else if (key == u"list") {
        options.action = SerialOptions::Action::ListPorts;
    }
    return {};
}

SerialOptions failure(const QString &error)
{
    SerialOptions result;
    result.action = SerialOptions::Action::Fail;
    result.error = error;
    return result;
}

} // namespace

SerialRelay::Settings SerialOptions::relaySettings() const
{
    SerialRelay::Settings settings;
    settings.prefix = prefix;
    settings.queueLimit = queueLimit;
    settings.relayLineEnd
        = relayTerminator.isAuto() ? QByteArray("\n") : relayTerminator.exactBytes();
    return settings;
}

SerialOptions parseSerialOptions(const QStringList &arguments)
{
    SerialOptions result;
    switch (CommandLine::helpOrVersion(kOptions, arguments)) {
    case CommandLine::Request::Help:
        result.action = SerialOptions::Action::ShowHelp;
        return result;
    case CommandLine::Request::Version:
        result.action = SerialOptions::Action::ShowVersion;
        return result;
    case CommandLine::Request::Run:
        break;
    }

    bool addressGiven = false; // --host or --port
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        QString key;
        QString value;
        if (arg == u"-v") {
            key = QStringLiteral("verbose");
        } else if (arg.startsWith(u"--")) {
            key = arg.mid(2);
            const qsizetype equals = key.indexOf(u'=');
            const OptionSpec *spec = findOption(kOptions, equals >= 0 ? key.left(equals) : key);
            if (!spec)
                return failure(QStringLiteral("unknown option '%1'").arg(arg));
            if (equals >= 0) {
                if (!spec->valueName)
                    return failure(QStringLiteral("--%1 takes no value").arg(key.left(equals)));
                value = key.mid(equals + 1);
                key.truncate(equals);
            } else if (spec->valueName) {
                if (CommandLine::valueFollows(*spec, arguments, i))
                    value = arguments.at(++i);
                else if (!spec->valueOptional) // --find without a name: empty
                    return failure(QStringLiteral("--%1 needs a value (%2)")
                                       .arg(key, QLatin1String(spec->valueName)));
            }
        } else {
            return failure(QStringLiteral("unknown option '%1' (the device is given with "
                                          "--device PATH or --match ID)")
                               .arg(arg));
        }
        const QString error = apply(result, key, value);
        if (!error.isEmpty())
            return failure(error);
        addressGiven = addressGiven || key == u"host" || key == u"port";
    }
    if (result.action == SerialOptions::Action::Run
        && result.device.kind() == DeviceMatch::Kind::None)
        return failure(QStringLiteral("no device given: use --device PATH or --match ID "
                                      "(--list shows the serial ports)"));
    if (result.action == SerialOptions::Action::Run && result.find && addressGiven)
        return failure(QStringLiteral("--find looks the relay up by its name: give either "
                                      "--find or --host and --port, not both"));
    return result;
}

QString serialOptionsHelp(const QString &program)
{
    QString text = QStringLiteral("Usage: %1 --device PATH | --match ID [options]\n"
                                  "       %1 --list\n\n")
                       .arg(program);
    text += HelpText::paragraph(
        QStringLiteral("Relays whole lines between one serial device (an Arduino on USB) and "
                       "the SocketServer relay: each line the device prints becomes one message "
                       "to every client of the relay, and each message from the relay is "
                       "written to the device as one line. The device's own lines are not "
                       "written back to it. When the cable is pulled or the board resets, "
                       "the device is reopened by itself as soon as it is back (every second); "
                       "when the relay is down, it reconnects by itself. Ctrl+C or SIGTERM "
                       "stops it."));
    text += QStringLiteral("\nOptions:\n");
    text += CommandLine::optionsHelp(kOptions);
    text += QStringLiteral("\nExamples:\n  %1 --device /dev/ttyACM0 --baud 115200 --prefix "
                           "arduino1:\n  %1 --match 2341:0043 --find \"Gallery 2\"\n")
                .arg(program);
    return text;
}
