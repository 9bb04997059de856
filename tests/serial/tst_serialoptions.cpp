// parseSerialOptions(): socketserver-serial's command line as tables; --help; the device match
// and the port list.
#include "bonjour.h"
#include "devicematch.h"
#include "serialoptions.h"
#include "serialportentry.h"

#include <QTest>

namespace {

// One line that names every option's outcome, so that a table row states all of it.
QString describe(const SerialOptions &o)
{
    return QStringLiteral("device=%1 serial=%2 settle=%3 deviceEol=%4 host=%5 port=%6 eol=%7 "
                          "prefix=%8 queue=%9 verbose=%10 find=%11")
        .arg(o.device.describe(), o.serial.describe())
        .arg(o.serial.settleMs)
        .arg(o.serial.lineEnd.name(), o.host)
        .arg(o.port)
        .arg(o.relayTerminator.name(), QString::fromUtf8(o.prefix))
        .arg(o.queueLimit)
        .arg(int(o.verbose))
        .arg(o.find ? u'"' + *o.find + u'"' : QStringLiteral("none"));
}

} // namespace

class tst_SerialOptions : public QObject
{
    Q_OBJECT

private slots:
    void valid_data();
    void valid();
    void errors_data();
    void errors();
    void actions_data();
    void actions();
    void findNeedsBonjour();
    void helpMentionsEveryOption();
    void relayLineEnd();
    void deviceMatch_data();
    void deviceMatch();
    void portList();
};

void tst_SerialOptions::valid_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    const QString dev = QStringLiteral("device=/dev/ttyACM0 ");
    const QString rest
        = QStringLiteral("host=localhost port=6780 eol=auto prefix= queue=0 verbose=0 find=none");
    const QString defaults = dev + "serial=9600 8N1 settle=2000 deviceEol=lf ";
    const QString found = "host=localhost port=6780 eol=auto prefix= queue=0 verbose=";
    QTest::newRow("defaults") << QStringList{"--device", "/dev/ttyACM0"}
                              << dev + "serial=9600 8N1 settle=2000 deviceEol=lf " + rest;
    QTest::newRow("serial settings") << QStringList{"--device=/dev/ttyACM0", "--baud", "115200",
        "--data-bits", "7", "--parity", "even", "--stop-bits", "2", "--flow", "hardware",
        "--settle-ms", "0"} << dev + "serial=115200 7E2 RTS/CTS settle=0 deviceEol=lf " + rest;
    QTest::newRow("software flow, odd, 1.5") << QStringList{"--device", "/dev/ttyACM0", "--parity",
        "odd", "--stop-bits", "1.5", "--flow",
        "software"} << dev + "serial=9600 8O1.5 XON/XOFF settle=2000 deviceEol=lf " + rest;
    QTest::newRow("relay side") << QStringList{"--device", "/dev/ttyACM0", "--host", "10.0.0.2",
        "--port", "5783", "--eol", "0,14", "--prefix", "arduino1:", "--queue", "50", "-v"}
                                << dev
            + "serial=9600 8N1 settle=2000 deviceEol=lf host=10.0.0.2 port=5783 eol=0,14 "
              "prefix=arduino1: queue=50 verbose=1 find=none";
    QTest::newRow("device eol") << QStringList{"--device", "/dev/ttyACM0", "--device-eol", "crlf"}
                                << dev + "serial=9600 8N1 settle=2000 deviceEol=crlf " + rest;
    QTest::newRow("match VID:PID") << QStringList{"--match",
        "2341:0043"} << "device=USB id 2341:0043 serial=9600 8N1 settle=2000 deviceEol=lf " + rest;
    QTest::newRow("match serial")
        << QStringList{"--match", "85736323838351F0E1B1"}
        << "device=serial number 85736323838351F0E1B1 serial=9600 8N1 settle=2000 deviceEol=lf "
            + rest;
    QTest::newRow("last device wins") << QStringList{"--match", "2341:0043", "--device",
        "/dev/ttyACM0"} << dev + "serial=9600 8N1 settle=2000 deviceEol=lf " + rest;
    // --find NAME instead of --host/--port; NAME may be left out (the only relay announced).
    QTest::newRow("find a name") << QStringList{"--device", "/dev/ttyACM0", "--find", "Gallery 2"}
                                 << defaults + found + "0 find=\"Gallery 2\"";
    QTest::newRow("find=name, trimmed") << QStringList{"--device", "/dev/ttyACM0",
        "--find= Gallery 2 "} << defaults + found + "0 find=\"Gallery 2\"";
    QTest::newRow("find alone, last")
        << QStringList{"--device", "/dev/ttyACM0", "--find"} << defaults + found + "0 find=\"\"";
    QTest::newRow("find alone, before an option") << QStringList{"--find", "--device",
        "/dev/ttyACM0", "--find", "-v"} << defaults + found + "1 find=\"\"";
    QTest::newRow("find= empty") << QStringList{"--device", "/dev/ttyACM0", "--find="}
                                 << defaults + found + "0 find=\"\"";
}

void tst_SerialOptions::valid()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    if (!args.filter(QStringLiteral("--find")).isEmpty() && !Bonjour::isBuiltIn())
        QSKIP("built without Bonjour: --find is refused (findNeedsBonjour)");
    const SerialOptions options = parseSerialOptions(args);
    QCOMPARE(options.error, QString());
    QCOMPARE(options.action, SerialOptions::Action::Run);
    QCOMPARE(describe(options), expected);
}

void tst_SerialOptions::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error");
    QTest::newRow("no device") << QStringList{}
                               << "no device given: use --device PATH or --match ID (--list "
                                  "shows the serial ports)";
    QTest::newRow("unknown") << QStringList{"--device", "x", "--bogus"}
                             << "unknown option '--bogus'";
    QTest::newRow("bare word")
        << QStringList{"/dev/ttyACM0"}
        << "unknown option '/dev/ttyACM0' (the device is given with --device PATH or --match ID)";
    QTest::newRow("missing value") << QStringList{"--device"} << "--device needs a value (PATH)";
    QTest::newRow("bad baud") << QStringList{"--device", "x", "--baud", "fast"}
                              << "--baud: 'fast' is not a whole number from 50 to 4000000";
    QTest::newRow("bad data bits") << QStringList{"--device", "x", "--data-bits", "9"}
                                   << "--data-bits: '9' is not 5, 6, 7 or 8";
    QTest::newRow("bad parity") << QStringList{"--device", "x", "--parity", "maybe"}
                                << "--parity: 'maybe' is not none, even, odd, space or mark";
    QTest::newRow("bad stop bits") << QStringList{"--device", "x", "--stop-bits", "3"}
                                   << "--stop-bits: '3' is not 1, 1.5 or 2";
    QTest::newRow("bad flow") << QStringList{"--device", "x", "--flow", "yes"}
                              << "--flow: 'yes' is not none, hardware or software";
    QTest::newRow("bad settle") << QStringList{"--device", "x", "--settle-ms", "-1"}
                                << "--settle-ms: '-1' is not a whole number from 0 to 60000";
    QTest::newRow("bad port") << QStringList{"--device", "x", "--port", "0"}
                              << "--port: '0' is not a port number (1 to 65535)";
    QTest::newRow("bad queue") << QStringList{"--device", "x", "--queue", "many"}
                               << "--queue: 'many' is not a whole number from 0 to 1000000";
    QTest::newRow("bad match") << QStringList{"--match", "2341:00431"}
                               << "--match: '2341:00431' is neither a USB VID:PID in hex such as "
                                  "2341:0043 nor a serial number";
    QTest::newRow("bad eol") << QStringList{"--device", "x", "--eol", "semicolon"}
                             << "--eol: 'semicolon' is not a line end: use lf, crlf, cr, nul, "
                                "auto or character codes from 0 to 255 such as 0,14";
    QTest::newRow("switch with value")
        << QStringList{"--device", "x", "--verbose=yes"} << "--verbose takes no value";
    const QString findAndAddress = "--find looks the relay up by its name: give either --find "
                                   "or --host and --port, not both";
    QTest::newRow("find and host") << QStringList{"--device", "x", "--host", "10.0.0.2", "--find",
        "Gallery 2"} << findAndAddress;
    QTest::newRow("port and find alone")
        << QStringList{"--device", "x", "--find", "--port", "6780"} << findAndAddress;
    QTest::newRow("find a name with a control character") << QStringList{"--device", "x", "--find",
        "Gallery\t2"} << "--find: the name \"Gallery\t2\" has a control character";
    QTest::newRow("find a name too long")
        << QStringList{"--device", "x", "--find", QString(64, u'x')}
        << "--find: the name \"" + QString(64, u'x') + "\" is longer than 63 bytes";
    QTest::newRow("find without a device")
        << QStringList{"--find", "Gallery 2"}
        << "no device given: use --device PATH or --match ID (--list shows the serial ports)";
}

void tst_SerialOptions::errors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, error);
    const SerialOptions options = parseSerialOptions(args);
    QCOMPARE(options.action, SerialOptions::Action::Fail);
    QCOMPARE(options.error, error);
}

void tst_SerialOptions::actions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<SerialOptions::Action>("action");
    QTest::newRow("--help") << QStringList{"--help"} << SerialOptions::Action::ShowHelp;
    QTest::newRow("-h beside a mistake")
        << QStringList{"--bogus", "-h"} << SerialOptions::Action::ShowHelp;
    QTest::newRow("--version") << QStringList{"--version"} << SerialOptions::Action::ShowVersion;
    QTest::newRow("--list needs no device")
        << QStringList{"--list"} << SerialOptions::Action::ListPorts;
    QTest::newRow("--help as the prefix")
        << QStringList{"--list", "--prefix", "--help"} << SerialOptions::Action::ListPorts;
    QTest::newRow("--HELP in capitals") << QStringList{"--HELP"} << SerialOptions::Action::ShowHelp;
    // --find's name may be left out: an option after it is not taken for the name.
    QTest::newRow("--find --help")
        << QStringList{"--find", "--help"} << SerialOptions::Action::ShowHelp;
    QTest::newRow("--find --version")
        << QStringList{"--find", "--version"} << SerialOptions::Action::ShowVersion;
    QTest::newRow("--find -h") << QStringList{"--find", "-h"} << SerialOptions::Action::ShowHelp;
}

void tst_SerialOptions::actions()
{
    QFETCH(QStringList, args);
    QFETCH(SerialOptions::Action, action);
    QCOMPARE(parseSerialOptions(args).action, action);
}

void tst_SerialOptions::findNeedsBonjour()
{
    const SerialOptions options = parseSerialOptions({"--device", "x", "--find", "Gallery 2"});
    if (Bonjour::isBuiltIn()) {
        QCOMPARE(options.action, SerialOptions::Action::Run);
    } else {
        QCOMPARE(options.action, SerialOptions::Action::Fail);
        QCOMPARE(options.error,
            QStringLiteral("--find: this build cannot look for relays (it was built without "
                           "Bonjour): use --host and --port"));
    }
}

void tst_SerialOptions::helpMentionsEveryOption()
{
    const QString help = serialOptionsHelp(QStringLiteral("socketserver-serial"));
    QVERIFY(help.startsWith(QStringLiteral("Usage: socketserver-serial --device PATH")));
    const char *options[] = {"--list", "--device PATH", "--match ID", "--baud RATE",
        "--data-bits N", "--parity MODE", "--stop-bits N", "--flow MODE", "--settle-ms MS",
        "--device-eol MODE", "--find [NAME]", "--host HOST", "--port PORT", "--eol MODE",
        "--prefix TEXT", "--queue N", "--verbose", "--help", "--version"};
    for (const char *option : options)
        QVERIFY2(help.contains(QLatin1String(option)), option);
    const QStringList lines = help.split(u'\n');
    for (const QString &line : lines)
        QVERIFY2(line.size() <= 79, qPrintable(line));
}

void tst_SerialOptions::relayLineEnd()
{
    QCOMPARE(parseSerialOptions({"--device", "x"}).relaySettings().relayLineEnd, QByteArray("\n"));
    QCOMPARE(parseSerialOptions({"--device", "x", "--eol", "nul"}).relaySettings().relayLineEnd,
        QByteArray(1, '\0'));
    const SerialRelay::Settings s
        = parseSerialOptions({"--device", "x", "--prefix", "a1:", "--queue", "3"}).relaySettings();
    QCOMPARE(s.prefix, QByteArray("a1:"));
    QCOMPARE(s.queueLimit, 3);
}

void tst_SerialOptions::deviceMatch_data()
{
    QTest::addColumn<QString>("match");
    QTest::addColumn<QString>("found");
    QTest::newRow("VID:PID") << "2341:0043"
                             << "/dev/ttyACM1";
    QTest::newRow("VID:PID upper case, 0x") << "0x2341:0X0043"
                                            << "/dev/ttyACM1";
    QTest::newRow("VID:PID, cu. preferred") << "10c4:ea60"
                                            << "/dev/cu.usbserial-0001";
    QTest::newRow("serial number, any case") << "abc123"
                                             << "/dev/ttyUSB0";
    QTest::newRow("serial number with colons (a MAC address)") << "f4:12:fa:4f:9b:c8"
                                                               << "/dev/ttyACM2";
    QTest::newRow("no such VID:PID") << "2341:0001"
                                     << "";
    QTest::newRow("no such serial") << "zzz"
                                    << "";
}

void tst_SerialOptions::deviceMatch()
{
    QFETCH(QString, match);
    QFETCH(QString, found);
    const QList<SerialPortEntry> ports = {
        {QStringLiteral("/dev/ttyS0"), {}, {}, {}, false, 0, 0},
        {QStringLiteral("/dev/ttyUSB0"), QStringLiteral("CH340"), {}, QStringLiteral("ABC123"),
            true, 0x1a86, 0x7523},
        {QStringLiteral("/dev/ttyACM1"), QStringLiteral("Arduino Uno"),
            QStringLiteral("Arduino (www.arduino.cc)"), QStringLiteral("8573"), true, 0x2341,
            0x0043},
        {QStringLiteral("/dev/ttyACM2"), QStringLiteral("USB JTAG/serial debug unit"),
            QStringLiteral("Espressif"), QStringLiteral("F4:12:FA:4F:9B:C8"), true, 0x303a, 0x1001},
        {QStringLiteral("/dev/tty.usbserial-0001"), {}, {}, {}, true, 0x10c4, 0xea60},
        {QStringLiteral("/dev/cu.usbserial-0001"), {}, {}, {}, true, 0x10c4, 0xea60},
    };
    const auto device = DeviceMatch::fromMatch(match);
    QVERIFY(device);
    QCOMPARE(device->find(ports), found);
}

void tst_SerialOptions::portList()
{
    QCOMPARE(
        SerialPortEntry::describe({}).startsWith(QStringLiteral("No serial ports found.")), true);
    const SerialPortEntry uno{QStringLiteral("/dev/ttyACM0"), QStringLiteral("Arduino Uno"),
        QStringLiteral("Arduino (www.arduino.cc)"), QStringLiteral("8573"), true, 0x2341, 0x43};
    QCOMPARE(SerialPortEntry::describe({uno}),
        QStringLiteral("/dev/ttyACM0\n"
                       "  description:   Arduino Uno\n"
                       "  manufacturer:  Arduino (www.arduino.cc)\n"
                       "  serial number: 8573\n"
                       "  USB VID:PID:   2341:0043\n"));
    QCOMPARE(SerialPortEntry::pathList({}), QStringLiteral("none"));
    QCOMPARE(SerialPortEntry::pathList({uno, uno}), QStringLiteral("/dev/ttyACM0, /dev/ttyACM0"));
}

QTEST_APPLESS_MAIN(tst_SerialOptions)
#include "tst_serialoptions.moc"
