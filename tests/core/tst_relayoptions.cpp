// parseRelayOptions(): the daemon's command line, legacy and modern, and --config files, as
// tables of good and bad input; --help; the settings written back (relaySettings(),
// relayConfigFileText()) and read again.
#include "relayoptions.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

// One line that names every setting, so that a table row states the whole outcome.
QString describe(const RelayConfig &c)
{
    return QStringLiteral("bind=%1 port=%2 max=%3 eol=%4 echo=%5 verbose=%6 console=%7 "
                          "heartbeat=%8 size=%9 ws=%10 origins=%11 local=%12 flash=%13")
        .arg(c.bindName())
        .arg(c.port)
        .arg(c.maxClients)
        .arg(c.terminator.name())
        .arg(int(c.echo))
        .arg(int(c.verbose))
        .arg(int(c.console))
        .arg(c.heartbeatSeconds)
        .arg(c.maxMessageBytes)
        .arg(c.webSocketEnabled ? QString::number(c.webSocketPort) : QStringLiteral("off"))
        .arg(c.webSocketOrigins.join(u','))
        .arg(c.localServerName)
        .arg(int(c.flashPolicy));
}

// The expected clients and their settings, in one line.
QString describeExpected(const RelayConfig &c)
{
    QStringList expected;
    for (const Expectation &e : c.expected)
        expected.append(e.name + u'=' + e.matchText());
    return QStringLiteral("expect=%1 silence=%2 grace=%3 alarm=%4")
        .arg(expected.join(u','))
        .arg(c.expectSilenceSeconds)
        .arg(c.expectGraceSeconds)
        .arg(QString::fromUtf8(c.alarmMessage));
}

// The MQTT bridge's settings, with the broker as read from the URL, in one line.
QString describeMqtt(const RelayConfig &c)
{
    const MqttSettings &m = c.mqtt;
    const auto broker = MqttSettings::brokerFromUrl(m.url);
    return QStringLiteral("mqtt=%1 broker=%2 tls=%3 topic=%4 direction=%5 user=%6 password=%7 "
                          "ca=%8 id=%9 qos=%10 queue=%11")
        .arg(m.url, broker ? broker->displayName() : QStringLiteral("none"))
        .arg(broker ? int(broker->tls) : -1)
        .arg(m.topic, MqttSettings::directionName(m.direction), m.user, m.passwordFile, m.caFile,
            m.clientId)
        .arg(m.qos)
        .arg(m.queue);
}

// The UDP port's settings, in one line.
QString describeUdp(const RelayConfig &c)
{
    QStringList targets;
    for (const auto &[address, port] : c.udpTargets)
        targets.append(
            (address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']'
                                                                 : address.toString())
            + u':' + QString::number(port));
    QStringList types;
    for (const OscCodec::TypeRule &rule : c.oscTypes)
        types.append(QString::fromUtf8(rule.address + '=' + rule.tags));
    return QStringLiteral("udp=%1 targets=%2 peer-seconds=%3 osc=%4 types=%5")
        .arg(c.udpEnabled ? QString::number(c.udpPort) : QStringLiteral("off"), targets.join(u','))
        .arg(c.udpPeerSeconds)
        .arg(int(c.osc))
        .arg(types.join(u','));
}

QString defaultsWith(const QString &key, const QString &value)
{
    QString line = describe(RelayConfig());
    const qsizetype start = line.indexOf(key + u'=');
    const qsizetype end = line.indexOf(u' ', start);
    return line.replace(start, (end < 0 ? line.size() : end) - start, key + u'=' + value);
}

// parseRelayOptions(@p args), with --config naming a file of @p file's text unless it is empty.
RelayOptions parseWithFile(QStringList args, const QByteArray &file)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("exhibit.ini"));
    QFile ini(path);
    if (!file.isEmpty() && ini.open(QIODevice::WriteOnly) && ini.write(file) == file.size()) {
        ini.close();
        args << QStringLiteral("--config") << path;
    }
    return parseRelayOptions(args);
}

} // namespace

class tst_RelayOptions : public QObject
{
    Q_OBJECT

private slots:
    void valid_data();
    void valid();
    void errors_data();
    void errors();
    void helpAndVersion_data();
    void helpAndVersion();
    void texts();
    void configFile();
    void configFileErrors_data();
    void configFileErrors();
    void helpMentionsEveryOption();
    void expected_data();
    void expected();
    void expectedOnTheCommandLineReplacesTheFiles();
    void allowList_data();
    void allowList();
    void limits();
    void configFileTextRoundTrip_data();
    void configFileTextRoundTrip();
    void settingsRoundTrip_data();
    void settingsRoundTrip();
    void logFile_data();
    void logFile();
    void mqtt_data();
    void mqtt();
    void bonjour_data();
    void bonjour();
    void udp_data();
    void udp();

private:
    static void compareConfigs(const RelayConfig &b, const RelayConfig &a);
};

void tst_RelayOptions::valid_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");

    const QString defaults = describe(RelayConfig());
    QTest::newRow("nothing") << QStringList{} << defaults;
    QTest::newRow("defaults")
        << QStringList{}
        << QStringLiteral(
               "bind=localhost port=6780 max=1024 eol=auto echo=1 verbose=0 console=0 heartbeat=0 "
               "size=65536 ws=off origins= local= flash=0");
    // The original page's examples.
    QTest::newRow("-v") << QStringList{"-v"} << defaultsWith("verbose", "1");
    QTest::newRow("ip and port") << QStringList{"192.168.1.20", "5783"}
                                 << defaultsWith("bind", "192.168.1.20").replace("6780", "5783");
    QTest::newRow("-l") << QStringList{"-l"} << defaults;
    QTest::newRow("-r") << QStringList{"-r"} << defaultsWith("bind", "lan");
    QTest::newRow("port") << QStringList{"5783"} << defaultsWith("port", "5783");
    QTest::newRow("-m 22") << QStringList{"-m", "22"} << defaultsWith("max", "22");
    QTest::newRow("-e 0 14") << QStringList{"-e", "0", "14"} << defaultsWith("eol", "0,14");
    QTest::newRow("-c") << QStringList{"-c"} << defaultsWith("console", "1");
    // Letter case and order do not matter; -e ends at the first argument that is no code.
    QTest::newRow("upper case") << QStringList{"-V", "-L", "-C"}
                                << defaultsWith("verbose", "1").replace("console=0", "console=1");
    QTest::newRow("-e list ends at a port") << QStringList{"-e", "0", "14", "5783"}
                                            << defaultsWith("eol", "0,14").replace("6780", "5783");
    QTest::newRow("-e list ends at an option") << QStringList{
        "-E", "13", "10", "-v"} << defaultsWith("eol", "crlf").replace("verbose=0", "verbose=1");
    QTest::newRow("-e single nul") << QStringList{"-e", "0"} << defaultsWith("eol", "nul");
    QTest::newRow("everything legacy")
        << QStringList{"-c", "5783", "-M", "3", "-e", "0", "-R", "-v"}
        << QStringLiteral("bind=lan port=5783 max=3 eol=nul echo=1 verbose=1 console=1 "
                          "heartbeat=0 size=65536 ws=off origins= local= flash=0");
    QTest::newRow("last address wins") << QStringList{"10.0.0.1", "-l"} << defaults;
    QTest::newRow("ipv6 address") << QStringList{"::1"} << defaultsWith("bind", "::1");
    // Modern options.
    QTest::newRow("--bind any") << QStringList{"--bind", "any"} << defaultsWith("bind", "any");
    QTest::newRow("--bind=lan") << QStringList{"--bind=LAN"} << defaultsWith("bind", "lan");
    QTest::newRow("--bind address")
        << QStringList{"--bind", "127.0.0.1"} << defaultsWith("bind", "127.0.0.1");
    QTest::newRow("--port 0") << QStringList{"--port", "0"} << defaultsWith("port", "0");
    QTest::newRow("--port=65535") << QStringList{"--port=65535"} << defaultsWith("port", "65535");
    QTest::newRow("--max-clients") << QStringList{"--max-clients", "5"} << defaultsWith("max", "5");
    QTest::newRow("--eol crlf") << QStringList{"--eol", "crlf"} << defaultsWith("eol", "crlf");
    QTest::newRow("--eol codes") << QStringList{"--eol", "0,14"} << defaultsWith("eol", "0,14");
    QTest::newRow("--no-echo") << QStringList{"--no-echo"} << defaultsWith("echo", "0");
    QTest::newRow("--verbose") << QStringList{"--Verbose"} << defaultsWith("verbose", "1");
    QTest::newRow("--console") << QStringList{"--console"} << defaultsWith("console", "1");
    QTest::newRow("--heartbeat") << QStringList{"--heartbeat", "5"}
                                 << defaultsWith("heartbeat", "5");
    QTest::newRow("--max-message-bytes")
        << QStringList{"--max-message-bytes", "100"} << defaultsWith("size", "100");
    QTest::newRow("--max-message-bytes as long as the client buffer")
        << QStringList{"--max-message-bytes", "4194304"} << defaultsWith("size", "4194304");
    QTest::newRow("--ws-port") << QStringList{"--ws-port", "6781"} << defaultsWith("ws", "6781");
    QTest::newRow("--ws-port 0") << QStringList{"--ws-port=0"} << defaultsWith("ws", "0");
    QTest::newRow("--ws-origin repeated") << QStringList{"--ws-origin", "http://a.local",
        "--ws-origin", "null"} << defaultsWith("origins", "http://a.local,null");
    QTest::newRow("--local") << QStringList{"--local", "relay"} << defaultsWith("local", "relay");
    QTest::newRow("--flash-policy") << QStringList{"--flash-policy"} << defaultsWith("flash", "1");
    QTest::newRow("mixed legacy and modern") << QStringList{"-v", "--port", "7000", "-m",
        "9"} << defaultsWith("verbose", "1").replace("6780", "7000").replace("max=1024", "max=9");
}

void tst_RelayOptions::valid()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);

    const RelayOptions options = parseRelayOptions(args);
    QCOMPARE(options.error, QString());
    QCOMPARE(options.action, RelayOptions::Action::Run);
    QCOMPARE(describe(options.config), expected);
}

void tst_RelayOptions::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error");

    QTest::newRow("unknown long") << QStringList{"--bogus"} << "unknown option '--bogus'";
    QTest::newRow("unknown short") << QStringList{"-x"} << "unknown option '-x'";
    QTest::newRow("not an address")
        << QStringList{"hello"} << "'hello' is not an option, an IP address or a port number";
    QTest::newRow("port too big") << QStringList{"70000"}
                                  << "port: '70000' is not a port number (0 to 65535)";
    QTest::newRow("--port word") << QStringList{"--port", "http"}
                                 << "--port: 'http' is not a port number (0 to 65535)";
    QTest::newRow("--port missing") << QStringList{"--port"} << "--port needs a value (PORT)";
    QTest::newRow("-m missing") << QStringList{"-m"} << "-m needs the maximum number of clients";
    QTest::newRow("-m zero") << QStringList{"-m", "0"}
                             << "-m: '0' is not a whole number from 1 to 1000000";
    QTest::newRow("-e without codes")
        << QStringList{"-e", "5783"} << "-e needs character codes from 0 to 255";
    QTest::newRow("-e at the end") << QStringList{"-e"} << "-e needs character codes";
    QTest::newRow("--eol word") << QStringList{"--eol", "newline"}
                                << "--eol: 'newline' is not a terminator";
    QTest::newRow("--bind word") << QStringList{"--bind", "office"}
                                 << "--bind: 'office' is not an IP address";
    QTest::newRow("--heartbeat negative")
        << QStringList{"--heartbeat=-1"} << "--heartbeat: '-1' is not a whole number from 0";
    QTest::newRow("--verbose=maybe")
        << QStringList{"--verbose=maybe"} << "--verbose: 'maybe' is neither true nor false";
    QTest::newRow("--allow word") << QStringList{"--allow", "office"}
                                  << "--allow: 'office' is not an address range";
    QTest::newRow("--allow bad prefix") << QStringList{"--allow", "10.0.0.0/33"}
                                        << "--allow: '10.0.0.0/33' is not an address range";
    QTest::newRow("--max-client-buffer tiny") << QStringList{"--max-client-buffer",
        "10"} << "--max-client-buffer: '10' is not a whole number from 65536";
    // One message longer than the output budget would disconnect every client it goes to.
    QTest::newRow("--max-message-bytes over the default client buffer")
        << QStringList{"--max-message-bytes", "8388608"}
        << "--max-message-bytes 8388608 is more than --max-client-buffer 4194304";
    QTest::newRow("--max-client-buffer under --max-message-bytes")
        << QStringList{"--max-message-bytes", "100000", "--max-client-buffer", "65536"}
        << "--max-message-bytes 100000 is more than --max-client-buffer 65536";
    QTest::newRow("--ws-port word")
        << QStringList{"--ws-port", "web"} << "--ws-port: 'web' is not a port number (0 to 65535)";
    QTest::newRow("--ws-origin not an origin")
        << QStringList{"--ws-origin", "kiosk.local"}
        << "--ws-origin: 'kiosk.local' is not a web page origin such as http://kiosk.local:8080";
    QTest::newRow("--local empty")
        << QStringList{"--local="} << "--local: needs a name for the local socket";
    QTest::newRow("--name empty") << QStringList{"--name", " "} << "--name: the name is empty";
    QTest::newRow("--name too long")
        << QStringList{"--name", QString(64, u'x')} << "--name: the name \"xxxx";
    QTest::newRow("--name too long in UTF-8") // 32 characters, 64 bytes
        << QStringList{"--name", QString(32, QChar(0xe9))}
        << "--name: the name \"" + QString(32, QChar(0xe9)) + "\" is longer than 63 bytes";
    QTest::newRow("--name with a control character") << QStringList{
        "--name", "Gallery\t2"} << "--name: the name \"Gallery\t2\" has a control character";
    QTest::newRow("--expect without =")
        << QStringList{"--expect", "kiosk3"} << "--expect: 'kiosk3' is not NAME=MATCH";
    QTest::newRow("--expect empty name")
        << QStringList{"--expect", "=10.0.0.1"} << "--expect: '=10.0.0.1' has no name before the =";
    QTest::newRow("--expect name with a space")
        << QStringList{"--expect", "kiosk 3=10.0.0.1"} << "--expect: 'kiosk 3' is not a name";
    QTest::newRow("--expect bad address")
        << QStringList{"--expect", "kiosk3=10.0.0.300"}
        << "--expect: kiosk3: '10.0.0.300' is neither an IP address nor prefix:TEXT";
    QTest::newRow("--expect empty prefix")
        << QStringList{"--expect", "kiosk3=prefix:"} << "--expect: kiosk3: prefix: needs the text";
    QTest::newRow("--expect empty match")
        << QStringList{"--expect", "kiosk3="} << "--expect: kiosk3: '' is neither an IP address";
    QTest::newRow("--expect twice") << QStringList{"--expect", "k=10.0.0.1", "--expect",
        "k=10.0.0.2"} << "--expect: k is expected twice";
    QTest::newRow("--expect same address twice") << QStringList{"--expect", "a=10.0.0.1",
        "--expect", "b=::ffff:10.0.0.1"} << "--expect: a and b have the same match, 10.0.0.1";
    QTest::newRow("--expect-grace word") << QStringList{"--expect-grace",
        "long"} << "--expect-grace: 'long' is not a whole number from 0 to 604800";
    QTest::newRow("--expect-silence negative") << QStringList{"--expect-silence",
        "-5"} << "--expect-silence: '-5' is not a whole number from 0 to 604800";
    QTest::newRow("--log-file empty")
        << QStringList{"--log-file="} << "--log-file: needs the path of the log file";
    QTest::newRow("--log-max-bytes under the minimum")
        << QStringList{"--log-max-bytes", "65535"}
        << "--log-max-bytes: '65535' is neither 0 (never rotate) nor a size from 65536 to "
           "1073741824 bytes";
    QTest::newRow("--log-max-bytes over the maximum") << QStringList{
        "--log-max-bytes", "1073741825"} << "--log-max-bytes: '1073741825' is neither 0";
    QTest::newRow("--log-max-bytes word")
        << QStringList{"--log-max-bytes", "10M"} << "--log-max-bytes: '10M' is neither 0";
    QTest::newRow("--mqtt http") << QStringList{"--mqtt", "http://x"}
                                 << "--mqtt: 'http://x' is not a broker address such as "
                                    "mqtt://broker.local, mqtt://192.168.1.5:1883 or "
                                    "mqtts://broker.museum.org";
    QTest::newRow("--mqtt without a host")
        << QStringList{"--mqtt", "mqtt://"} << "--mqtt: 'mqtt://' is not a broker address";
    QTest::newRow("--mqtt with a path") << QStringList{"--mqtt", "mqtt://host/path"}
                                        << "--mqtt: 'mqtt://host/path' is not a broker address";
    QTest::newRow("--mqtt with a user") << QStringList{"--mqtt", "mqtt://user@host"}
                                        << "--mqtt: 'mqtt://user@host' is not a broker address";
    QTest::newRow("--mqtt with a password") << QStringList{"--mqtt",
        "mqtt://user:secret@host"} << "--mqtt: 'mqtt://user:secret@host' is not a broker address";
    QTest::newRow("--mqtt with a query") << QStringList{"--mqtt", "mqtt://host?topic=a"}
                                         << "--mqtt: 'mqtt://host?topic=a' is not a broker address";
    QTest::newRow("--mqtt port 0")
        << QStringList{"--mqtt", "mqtt://host:0"} << "--mqtt: 'mqtt://host:0' is not a broker";
    QTest::newRow("--mqtt port too big") << QStringList{"--mqtt", "mqtt://host:65536"}
                                         << "--mqtt: 'mqtt://host:65536' is not a broker";
    QTest::newRow("--mqtt a bare host name")
        << QStringList{"--mqtt", "broker.local"} << "--mqtt: 'broker.local' is not a broker";
    QTest::newRow("--mqtt empty") << QStringList{"--mqtt="} << "--mqtt: '' is not a broker";
    QTest::newRow("--mqtt-topic # not last")
        << QStringList{"--mqtt", "mqtt://host", "--mqtt-topic", "a/#/b", "--mqtt-direction", "in"}
        << "--mqtt-topic: 'a/#/b' is not an MQTT topic: + and # stand for whole levels";
    QTest::newRow("--mqtt-topic # in a level") << QStringList{"--mqtt-topic", "a/b#",
        "--mqtt-direction", "in"} << "--mqtt-topic: 'a/b#' is not an MQTT topic";
    QTest::newRow("--mqtt-topic + in a level") << QStringList{"--mqtt-topic", "a+/b",
        "--mqtt-direction", "in"} << "--mqtt-topic: 'a+/b' is not an MQTT topic";
    QTest::newRow("--mqtt-topic empty")
        << QStringList{"--mqtt-topic="} << "--mqtt-topic: the topic must not be empty";
    // A filter can be listened to, not published to.
    QTest::newRow("--mqtt-password-file without a user") << QStringList{"--mqtt", "mqtt://host",
        "--mqtt-password-file", "/etc/password"} << "--mqtt-password-file needs --mqtt-user";
    QTest::newRow("--mqtt-ca without TLS")
        << QStringList{"--mqtt", "mqtt://broker.local", "--mqtt-ca", "/etc/ca.pem"}
        << "--mqtt-ca is for a broker reached with TLS: write mqtts://broker.local:1883";
    QTest::newRow("--mqtt-topic wildcard, both ways")
        << QStringList{"--mqtt", "mqtt://host", "--mqtt-topic", "museum/#"}
        << "--mqtt-topic museum/#: a topic with the wildcards + or # can only be listened to: "
           "add --mqtt-direction in";
    QTest::newRow("--mqtt-topic wildcard, out")
        << QStringList{"--mqtt", "mqtt://host", "--mqtt-topic", "museum/+/screen",
               "--mqtt-direction", "out"}
        << "--mqtt-topic museum/+/screen: a topic with the wildcards + or # can only be listened";
    QTest::newRow("--mqtt-direction word") << QStringList{"--mqtt-direction",
        "sideways"} << "--mqtt-direction: 'sideways' is not a direction: use both, out or in";
    QTest::newRow("--mqtt-qos 2") << QStringList{"--mqtt-qos", "2"}
                                  << "--mqtt-qos: '2' is not a quality of service: use 0 or 1";
    QTest::newRow("--mqtt-qos word")
        << QStringList{"--mqtt-qos", "once"} << "--mqtt-qos: 'once' is not a quality of service";
    QTest::newRow("--mqtt-queue -1") << QStringList{"--mqtt-queue", "-1"}
                                     << "--mqtt-queue: '-1' is not a whole number from 0 to 100000";
    QTest::newRow("--mqtt-queue 100001")
        << QStringList{"--mqtt-queue", "100001"} << "--mqtt-queue: '100001' is not a whole number";
    QTest::newRow("--mqtt-password-file empty")
        << QStringList{"--mqtt-password-file="} << "--mqtt-password-file: needs the path of a file";
    QTest::newRow("--mqtt-ca empty")
        << QStringList{"--mqtt-ca", " "} << "--mqtt-ca: needs the path of a file";
    QTest::newRow("--mqtt-client-id empty")
        << QStringList{"--mqtt-client-id="} << "--mqtt-client-id: '' is not an MQTT client id";
    QTest::newRow("--mqtt-client-id too long")
        << QStringList{"--mqtt-client-id", QString(65536, u'x')}
        << "--mqtt-client-id: '" + QString(65536, u'x') + "' is not an MQTT client id";
    QTest::newRow("--mqtt missing") << QStringList{"--mqtt"} << "--mqtt needs a value (URL)";
    QTest::newRow("--udp-port word") << QStringList{"--udp-port", "osc"}
                                     << "--udp-port: 'osc' is not a port number (0 to 65535)";
    QTest::newRow("--udp-port too big")
        << QStringList{"--udp-port", "65536"} << "--udp-port: '65536' is not a port number";
    QTest::newRow("--udp-port missing")
        << QStringList{"--udp-port"} << "--udp-port needs a value (PORT)";
    const QString notTarget = QStringLiteral(
        "is not an address and port such as 192.168.1.30:7000, localhost:7000 or [::1]:7000 "
        "(names are not looked up)");
    QTest::newRow("--udp-target a name") << QStringList{"--udp-target", "kiosk.local:7000"}
                                         << "--udp-target: 'kiosk.local:7000' " + notTarget;
    QTest::newRow("--udp-target without a port")
        << QStringList{"--udp-target", "1.2.3.4"} << "--udp-target: '1.2.3.4' " + notTarget;
    QTest::newRow("--udp-target port 0")
        << QStringList{"--udp-target", "1.2.3.4:0"} << "--udp-target: '1.2.3.4:0' " + notTarget;
    QTest::newRow("--udp-target port too big") << QStringList{"--udp-target", "1.2.3.4:65536"}
                                               << "--udp-target: '1.2.3.4:65536' " + notTarget;
    QTest::newRow("--udp-target IPv6 without brackets")
        << QStringList{"--udp-target", "::1:7000"} << "--udp-target: '::1:7000' " + notTarget;
    QTest::newRow("--udp-target any address") << QStringList{"--udp-target", "0.0.0.0:7000"}
                                              << "--udp-target: '0.0.0.0:7000' " + notTarget;
    QTest::newRow("--udp-target any IPv6 address")
        << QStringList{"--udp-target", "[::]:7000"} << "--udp-target: '[::]:7000' " + notTarget;
    QTest::newRow("--udp-target any address, IPv4-mapped") << QStringList{"--udp-target",
        "[::ffff:0.0.0.0]:7000"} << "--udp-target: '[::ffff:0.0.0.0]:7000' " + notTarget;
    QTest::newRow("--udp-target multicast") << QStringList{"--udp-target", "224.0.1.9:7000"}
                                            << "--udp-target: '224.0.1.9:7000' " + notTarget;
    QTest::newRow("--udp-target empty")
        << QStringList{"--udp-target="} << "--udp-target: '' " + notTarget;
    QTest::newRow("--udp-target twice")
        << QStringList{"--udp-target", "127.0.0.1:7000", "--udp-target", "localhost:7000"}
        << "--udp-target: 127.0.0.1:7000 is given twice";
    QTest::newRow("--udp-target twice, IPv4-mapped")
        << QStringList{"--udp-target", "[::ffff:10.0.0.7]:7000", "--udp-target", "10.0.0.7:7000"}
        << "--udp-target: 10.0.0.7:7000 is given twice";
    QTest::newRow("--udp-peer-seconds 0") << QStringList{"--udp-peer-seconds", "0"}
                                          << "--udp-peer-seconds: '0' is not a whole number from "
                                             "1 to 86400";
    QTest::newRow("--udp-peer-seconds over a day") << QStringList{"--udp-peer-seconds",
        "86401"} << "--udp-peer-seconds: '86401' is not a whole number from 1 to 86400";
    QTest::newRow("--osc=maybe") << QStringList{"--osc=maybe"}
                                 << "--osc: 'maybe' is neither true nor false";
    const QString notTypes = QStringLiteral(
        "is not ADDRESS=TAGS such as /fader=f or /mix=ifs (an address starting with /, then "
        "OSC type tags from i h f d s S c b)");
    QTest::newRow("--osc-types without the /")
        << QStringList{"--osc-types", "fader=f"} << "--osc-types: 'fader=f' " + notTypes;
    QTest::newRow("--osc-types without =")
        << QStringList{"--osc-types", "/fader"} << "--osc-types: '/fader' " + notTypes;
    QTest::newRow("--osc-types without tags")
        << QStringList{"--osc-types", "/fader="} << "--osc-types: '/fader=' " + notTypes;
    QTest::newRow("--osc-types a tag it cannot send")
        << QStringList{"--osc-types", "/fader=T"} << "--osc-types: '/fader=T' " + notTypes;
    QTest::newRow("--osc-types a space in the address")
        << QStringList{"--osc-types", "/a b=f"} << "--osc-types: '/a b=f' " + notTypes;
    QTest::newRow("--osc-types one address twice") << QStringList{"--osc-types", "/fader=f",
        "--osc-types", "/fader=i"} << "--osc-types: /fader is given types twice";
    QTest::newRow("missing config") << QStringList{"--config", "/nonexistent/exhibit.ini"}
                                    << "cannot read the config file /nonexistent/exhibit.ini";
}

void tst_RelayOptions::expected_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");

    QTest::newRow("none") << QStringList{} << "expect= silence=0 grace=120 alarm=";
    QTest::newRow("an address") << QStringList{"--expect", "kiosk3=192.168.1.23"}
                                << "expect=kiosk3=192.168.1.23 silence=0 grace=120 alarm=";
    QTest::newRow("IPv4-mapped is IPv4") << QStringList{"--expect=kiosk3=::ffff:192.168.1.23"}
                                         << "expect=kiosk3=192.168.1.23 silence=0 grace=120 alarm=";
    QTest::newRow("IPv6") << QStringList{"--expect", "pi=fe80::1"}
                          << "expect=pi=fe80::1 silence=0 grace=120 alarm=";
    QTest::newRow("a prefix, = and spaces in it") << QStringList{"--expect",
        "kiosk3=prefix:kiosk 3=on"} << "expect=kiosk3=prefix:kiosk 3=on silence=0 grace=120 alarm=";
    QTest::newRow("several, in order, and the settings")
        << QStringList{"--expect", "kiosk1=10.0.0.1", "--expect",
               "kiosk_2.b=prefix:k2:", "--expect-silence", "30", "--expect-grace", "0",
               "--alarm-message", "socketserver:alarm:{name}:{state}"}
        << "expect=kiosk1=10.0.0.1,kiosk_2.b=prefix:k2: silence=30 grace=0 "
           "alarm=socketserver:alarm:{name}:{state}";
}

void tst_RelayOptions::expected()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const RelayOptions options = parseRelayOptions(args);
    QCOMPARE(options.error, QString());
    QCOMPARE(describeExpected(options.config), expected);
}

// As with allow and ws-origin, expect on the command line replaces the file's list.
void tst_RelayOptions::expectedOnTheCommandLineReplacesTheFiles()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("exhibit.ini"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("expect = kiosk1=10.0.0.1\nexpect = kiosk2 = prefix:kiosk2:\nexpect-grace = 60\n"
               "alarm-message = \"alarm {name} {state}\"\n");
    file.close();
    RelayOptions options = parseRelayOptions({"--config", path});
    QCOMPARE(describeExpected(options.config),
        QStringLiteral("expect=kiosk1=10.0.0.1,kiosk2=prefix:kiosk2: silence=0 grace=60 "
                       "alarm=alarm {name} {state}"));
    options = parseRelayOptions({"--config", path, "--expect", "kiosk9=::1"});
    QCOMPARE(describeExpected(options.config),
        QStringLiteral("expect=kiosk9=::1 silence=0 grace=60 alarm=alarm {name} {state}"));
}

void tst_RelayOptions::errors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, error);

    const RelayOptions options = parseRelayOptions(args);
    QCOMPARE(options.action, RelayOptions::Action::Fail);
    QVERIFY2(options.error.startsWith(error), qPrintable(options.error));
    QVERIFY2(!options.error.contains(u'\n'), "one sentence, one line");
}

void tst_RelayOptions::helpAndVersion_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<RelayOptions::Action>("action");

    QTest::newRow("--help") << QStringList{"--help"} << RelayOptions::Action::ShowHelp;
    QTest::newRow("--HELP") << QStringList{"--HELP"} << RelayOptions::Action::ShowHelp;
    QTest::newRow("help beside a mistake")
        << QStringList{"--bogus", "--help"} << RelayOptions::Action::ShowHelp;
    QTest::newRow("--version") << QStringList{"--version"} << RelayOptions::Action::ShowVersion;
    QTest::newRow("-v is verbose, not version") << QStringList{"-v"} << RelayOptions::Action::Run;
    QTest::newRow("--help as the welcome text")
        << QStringList{"--welcome", "--help"} << RelayOptions::Action::Run;
    QTest::newRow("--version as the heartbeat text")
        << QStringList{"--heartbeat-message", "--version"} << RelayOptions::Action::Run;
    QTest::newRow("help after a value")
        << QStringList{"--welcome", "--help", "--help"} << RelayOptions::Action::ShowHelp;
    QTest::newRow("help after a value given with =")
        << QStringList{"--welcome=x", "--help"} << RelayOptions::Action::ShowHelp;
    QTest::newRow("--list-relays")
        << QStringList{"--list-relays"} << RelayOptions::Action::ListRelays;
    QTest::newRow("--list-relays beside a mistake")
        << QStringList{"--list-relays", "--port", "x"} << RelayOptions::Action::Fail;
}

void tst_RelayOptions::helpAndVersion()
{
    QFETCH(QStringList, args);
    QFETCH(RelayOptions::Action, action);
    QCOMPARE(parseRelayOptions(args).action, action);
}

void tst_RelayOptions::texts()
{
    RelayOptions options
        = parseRelayOptions({"--welcome", "hello there", "--heartbeat-message", "alive?"});
    QCOMPARE(options.action, RelayOptions::Action::Run);
    QCOMPARE(options.config.welcome, QByteArray("hello there"));
    QCOMPARE(options.config.heartbeatMessage, QByteArray("alive?"));

    options = parseRelayOptions({"--heartbeat-message="});
    QCOMPARE(options.action, RelayOptions::Action::Fail);

    // A text that looks like an option is the option's value.
    options = parseRelayOptions({"--welcome", "--help"});
    QCOMPARE(options.action, RelayOptions::Action::Run);
    QCOMPARE(options.config.welcome, QByteArray("--help"));
}

void tst_RelayOptions::configFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("exhibit.ini"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("# An exhibit's relay\n"
               "[socketserver]\n"
               "port = 5783\n"
               "Bind = any\n"
               "eol = crlf\n"
               "no-echo = true\n"
               "welcome = \"hello, visitor\"\n"
               "; a comment\n"
               "\n"
               "max-clients = 40\n");
    file.close();

    RelayOptions options = parseRelayOptions({"--config", path});
    QCOMPARE(options.error, QString());
    QCOMPARE(describe(options.config),
        QStringLiteral("bind=any port=5783 max=40 eol=crlf echo=0 verbose=0 console=0 "
                       "heartbeat=0 size=65536 ws=off origins= local= flash=0"));
    QCOMPARE(options.config.welcome, QByteArray("hello, visitor"));

    // The command line wins over the file, whatever the order.
    options = parseRelayOptions({"6000", "--config", path, "-m", "2"});
    QCOMPARE(options.error, QString());
    QCOMPARE(options.config.port, 6000);
    QCOMPARE(options.config.maxClients, 2);
    QCOMPARE(options.config.bind, RelayConfig::Bind::Any);
}

void tst_RelayOptions::configFileErrors_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("error");

    QTest::newRow("unknown key") << QByteArray("port = 1\ncolour = red\n")
                                 << "line 2: unknown setting 'colour'";
    QTest::newRow("no equals") << QByteArray("port 5783\n") << "line 1: expected \"key = value\"";
    QTest::newRow("bad value") << QByteArray("\nport = many\n")
                               << "line 2: 'many' is not a port number";
    QTest::newRow("message longer than the client buffer")
        << QByteArray("max-client-buffer = 65536\nmax-message-bytes = 65537\n")
        << "line 2: --max-message-bytes 65537 is more than --max-client-buffer 65536";
    QTest::newRow("nested config")
        << QByteArray("config = other.ini\n") << "line 1: unknown setting 'config'";
    QTest::newRow("list-relays is not a setting")
        << QByteArray("list-relays = true\n") << "line 1: unknown setting 'list-relays'";
    QTest::newRow("mqtt not a broker")
        << QByteArray("mqtt = http://x\n") << "line 1: 'http://x' is not a broker address";
    QTest::newRow("mqtt-topic bad wildcard")
        << QByteArray("mqtt = mqtt://host\nmqtt-direction = in\nmqtt-topic = a+/b\n")
        << "line 3: 'a+/b' is not an MQTT topic";
    QTest::newRow("mqtt-topic wildcard without in")
        << QByteArray("mqtt = mqtt://host\nmqtt-topic = museum/#\n")
        << "line 2: --mqtt-topic museum/#: a topic with the wildcards + or # can only be";
    QTest::newRow("mqtt-direction word")
        << QByteArray("mqtt-direction = up\n") << "line 1: 'up' is not a direction";
    QTest::newRow("mqtt-qos 2") << QByteArray("mqtt-qos = 2\n")
                                << "line 1: '2' is not a quality of service";
    QTest::newRow("mqtt-queue too long")
        << QByteArray("mqtt-queue = 100001\n") << "line 1: '100001' is not a whole number from 0";
    QTest::newRow("udp-target a name")
        << QByteArray("udp-port = 7000\nudp-target = kiosk.local:7000\n")
        << "line 2: 'kiosk.local:7000' is not an address and port";
    QTest::newRow("udp-peer-seconds 0")
        << QByteArray("udp-peer-seconds = 0\n") << "line 1: '0' is not a whole number from 1";
    QTest::newRow("osc-types twice in the file")
        << QByteArray("osc-types = /fader=f\nosc-types = /fader=i\n")
        << "line 2: /fader is given types twice";
    QTest::newRow("osc neither true nor false")
        << QByteArray("osc = yes please\n") << "line 1: 'yes please' is neither true nor false";
}

void tst_RelayOptions::configFileErrors()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, error);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.ini"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(contents);
    file.close();

    const RelayOptions options = parseRelayOptions({"--config", path});
    QCOMPARE(options.action, RelayOptions::Action::Fail);
    QVERIFY2(options.error.startsWith(path + u' ' + error), qPrintable(options.error));
}

void tst_RelayOptions::helpMentionsEveryOption()
{
    const QString help = relayOptionsHelp(QStringLiteral("socketserver"));
    QVERIFY(help.startsWith(QStringLiteral("Usage: socketserver [options] [IP] [PORT]\n")));
    const QStringList expected = {
        "--bind ADDRESS",
        "--port PORT",
        "--max-clients N",
        "--eol MODE",
        "--no-echo",
        "--max-message-bytes BYTES",
        "--heartbeat SECONDS",
        "--heartbeat-message TEXT",
        "--welcome TEXT",
        "--console",
        "--verbose",
        "--config FILE",
        "--help",
        "--version",
        "--allow RANGE",
        "--max-client-buffer BYTES",
        "--no-wait",
        "--expect NAME=MATCH",
        "--expect-silence SECONDS",
        "--expect-grace SECONDS",
        "--alarm-message TEMPLATE",
        "--log-file PATH",
        "--log-max-bytes BYTES",
        "--mqtt URL",
        "--mqtt-topic TOPIC",
        "--mqtt-direction WAY",
        "--mqtt-user NAME",
        "--mqtt-password-file FILE",
        "--mqtt-ca FILE",
        "--mqtt-client-id ID",
        "--mqtt-qos 0|1",
        "--mqtt-queue N",
        "--udp-port PORT",
        "--udp-target ADDRESS:PORT",
        "--udp-peer-seconds SECONDS",
        "--osc  ",
        "--osc-types ADDRESS=TAGS",
        "  -v ",
        "  IP ",
        "  -l ",
        "  -r ",
        "  PORT ",
        "  -m N ",
        "  -e CODE...",
        "  -c ",
    };
    for (const QString &entry : expected)
        QVERIFY2(help.contains(entry), qPrintable(entry));
    for (const QString &line : help.split(u'\n'))
        QVERIFY2(line.size() <= 80, qPrintable(line));
}

void tst_RelayOptions::allowList_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("ranges");

    QTest::newRow("none") << QStringList{} << QStringList{};
    QTest::newRow("one ipv4 range")
        << QStringList{"--allow", "192.168.1.0/24"} << QStringList{"192.168.1.0/24"};
    QTest::newRow("repeated") << QStringList{"--allow", "192.168.1.0/24", "--allow=::1/128"}
                              << QStringList{"192.168.1.0/24", "::1/128"};
    QTest::newRow("one address") << QStringList{"--allow", "10.0.0.7"}
                                 << QStringList{"10.0.0.7/32"};
    QTest::newRow("comma list") << QStringList{"--allow", "10.0.0.0/8, fd00::/8"}
                                << QStringList{"10.0.0.0/8", "fd00::/8"};
}

void tst_RelayOptions::allowList()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, ranges);

    const RelayOptions options = parseRelayOptions(args);
    QCOMPARE(options.error, QString());
    QStringList parsed;
    for (const auto &subnet : options.config.allow)
        parsed.append(subnet.first.toString() + u'/' + QString::number(subnet.second));
    QCOMPARE(parsed, ranges);
}

void tst_RelayOptions::limits()
{
    RelayOptions options = parseRelayOptions({});
    QCOMPARE(options.config.maxClientBuffer, 4 * 1024 * 1024);
    QCOMPARE(options.config.slowClientBuffer, 1024 * 1024);
    QCOMPARE(options.config.slowClientSeconds, 30);
    QCOMPARE(options.config.waitForAddress, true);

    options = parseRelayOptions({"--max-client-buffer", "1048576", "--no-wait"});
    QCOMPARE(options.error, QString());
    QCOMPARE(options.config.maxClientBuffer, 1048576);
    QCOMPARE(options.config.waitForAddress, false);

    // The allow list on the command line replaces the file's.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("exhibit.ini"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("allow = 10.0.0.0/8\nallow = 192.168.0.0/16\n");
    file.close();
    options = parseRelayOptions({"--config", path});
    QCOMPARE(options.config.allow.size(), 2);
    options = parseRelayOptions({"--config", path, "--allow", "::1"});
    QCOMPARE(options.config.allow.size(), 1);
    QCOMPARE(options.config.allow.first().first, QHostAddress(QHostAddress::LocalHostIPv6));
}

QTEST_APPLESS_MAIN(tst_RelayOptions)
#include "tst_relayoptions.moc"

void tst_RelayOptions::configFileTextRoundTrip_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("defaults") << QStringList();
    QTest::newRow("everything changed") << QStringList{"--bind", "192.168.1.20", "--port", "5783",
        "--no-wait", "--max-clients", "40", "--allow", "192.168.1.0/24", "--allow", "::1", "--eol",
        "0,14", "--no-echo", "--max-message-bytes", "1000", "--max-client-buffer", "100000",
        "--heartbeat", "5", "--heartbeat-message", " alive? ", "--welcome", "hello, \"visitor\"",
        "--console", "--verbose"};
    QTest::newRow("web, local, flash")
        << QStringList{"--ws-port", "6781", "--ws-origin", "http://kiosk.local:8080", "--ws-origin",
               "null", "--local", "socketserver", "--flash-policy"};
    QTest::newRow("any, crlf") << QStringList{"--bind", "any", "--eol", "crlf"};
    QTest::newRow("log file") << QStringList{
        "--log-file", "/var/log/socket server/relay.log", "--log-max-bytes", "65536"};
    QTest::newRow("log never rotated") << QStringList{"--log-max-bytes", "0"};
    QTest::newRow("lan") << QStringList{"-r"};
    QTest::newRow("expected clients") << QStringList{"--expect", "kiosk1=192.168.1.21", "--expect",
        "kiosk3=prefix:kiosk3: hi", "--expect", "pi=::1", "--expect-silence", "45",
        "--expect-grace", "300", "--alarm-message", " socketserver:alarm:{name}:{state} "};
    QTest::newRow("mqtt, defaults") << QStringList{"--mqtt", "mqtt://broker.local"};
    QTest::newRow("mqtt, everything changed") << QStringList{"--mqtt",
        "mqtts://broker.museum.org:8884", "--mqtt-topic", "museum/gallery 2", "--mqtt-direction",
        "out", "--mqtt-user", "gallery two", "--mqtt-password-file",
        "/etc/socketserver/mqtt password", "--mqtt-ca", "/etc/socketserver/museum ca.pem",
        "--mqtt-client-id", "gallery2-relay", "--mqtt-qos", "1", "--mqtt-queue", "100000"};
    QTest::newRow("mqtt, listening to a filter") << QStringList{"--mqtt", "mqtt://[::1]:1884",
        "--mqtt-topic", "museum/+/screen/#", "--mqtt-direction", "in", "--mqtt-queue", "0"};
    QTest::newRow("mqtt, spaces at the ends of texts") << QStringList{"--mqtt",
        "mqtt://broker.local", "--mqtt-topic", " museum/gallery2 ", "--mqtt-user", " gallery2 "};
    // Without a broker the other settings are kept too: the panel's bridge switched off.
    QTest::newRow("mqtt settings without a broker") << QStringList{"--mqtt-topic", "museum"};
    QTest::newRow("name, not announced")
        << QStringList{"--name", "Gallery \"2\" \u2014 S\u00fcd", "--no-announce"};
    QTest::newRow("udp, text") << QStringList{
        "--udp-port", "7000", "--udp-target", "192.168.1.30:7001", "--udp-peer-seconds", "5"};
    QTest::newRow("udp, osc, everything") << QStringList{"--udp-port", "0", "--osc", "--udp-target",
        "127.0.0.1:9000", "--udp-target", "[::1]:9001", "--osc-types", "/fader=f", "--osc-types",
        "/mix=ifsSdhcb", "--udp-peer-seconds", "86400"};
    // Without the port the other settings are kept too: the panel's UDP port switched off.
    QTest::newRow("udp settings without the port") << QStringList{"--osc", "--udp-target",
        "10.0.0.5:7000", "--osc-types", "/label=s", "--udp-peer-seconds", "30"};
}

// What relayConfigFileText() writes, the --config reader reads back as the same settings.
void tst_RelayOptions::configFileTextRoundTrip()
{
    QFETCH(QStringList, args);
    const RelayOptions original = parseRelayOptions(args);
    QCOMPARE(original.error, QString());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("exported.ini"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(relayConfigFileText(original.config).toUtf8());
    file.close();

    const RelayOptions read = parseRelayOptions({"--config", path});
    QCOMPARE(read.error, QString());
    compareConfigs(read.config, original.config);
}

// The panel keeps relaySettings() and gives them back as --KEY=VALUE: the same settings.
void tst_RelayOptions::settingsRoundTrip_data()
{
    configFileTextRoundTrip_data();
}

void tst_RelayOptions::settingsRoundTrip()
{
    QFETCH(QStringList, args);
    const RelayOptions original = parseRelayOptions(args);
    QCOMPARE(original.error, QString());

    QStringList again;
    const auto settings = relaySettings(original.config);
    for (const auto &[key, value] : settings) {
        QVERIFY2(!value.startsWith(u'"'), qPrintable(key)); // values as typed, not as in a file
        again.append(QStringLiteral("--%1=%2").arg(key, value));
    }
    const RelayOptions read = parseRelayOptions(again);
    QCOMPARE(read.error, QString());
    compareConfigs(read.config, original.config);
}

void tst_RelayOptions::compareConfigs(const RelayConfig &b, const RelayConfig &a)
{
    QCOMPARE(describe(b), describe(a));
    QCOMPARE(b.bind, a.bind);
    QCOMPARE(b.address, a.address);
    QCOMPARE(b.waitForAddress, a.waitForAddress);
    QCOMPARE(b.allow, a.allow);
    QCOMPARE(b.terminator, a.terminator);
    QCOMPARE(b.maxClientBuffer, a.maxClientBuffer);
    QCOMPARE(b.heartbeatMessage, a.heartbeatMessage);
    QCOMPARE(b.welcome, a.welcome);
    QCOMPARE(describeExpected(b), describeExpected(a));
    QCOMPARE(b.expected, a.expected);
    QCOMPARE(b.logFile, a.logFile);
    QCOMPARE(b.logMaxBytes, a.logMaxBytes);
    // The broker's settings are kept without a broker too (the panel's bridge switched off).
    QCOMPARE(describeMqtt(b), describeMqtt(a));
    QCOMPARE(b.name, a.name);
    QCOMPARE(b.announce, a.announce);
    QCOMPARE(describeUdp(b), describeUdp(a));
}

void tst_RelayOptions::bonjour_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("announce");

    QTest::newRow("defaults: announced, the default name") << QStringList() << QString() << true;
    QTest::newRow("--name") << QStringList{"--name", "Gallery 2"} << "Gallery 2" << true;
    QTest::newRow("--name trimmed") << QStringList{"--name= Gallery 2 "} << "Gallery 2" << true;
    QTest::newRow("--name of 63 bytes")
        << QStringList{"--name", QString(63, u'n')} << QString(63, u'n') << true;
    QTest::newRow("--no-announce") << QStringList{"--no-announce"} << QString() << false;
    QTest::newRow("--no-announce=false") << QStringList{"--no-announce=false"} << QString() << true;
}

void tst_RelayOptions::bonjour()
{
    QFETCH(QStringList, args);
    const RelayOptions options = parseRelayOptions(args);
    QCOMPARE(options.error, QString());
    QTEST(options.config.name, "name");
    QTEST(options.config.announce, "announce");
}

void tst_RelayOptions::logFile_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("file"); // a --config file's text; empty: none
    QTest::addColumn<QString>("logFile");
    QTest::addColumn<qint64>("logMaxBytes");

    const qint64 tenMiB = 10 * 1024 * 1024;
    QTest::newRow("defaults: stdout and stderr")
        << QStringList{} << QByteArray() << QString() << tenMiB;
    QTest::newRow("--log-file") << QStringList{"--log-file", "/var/log/socketserver.log"}
                                << QByteArray() << "/var/log/socketserver.log" << tenMiB;
    QTest::newRow("--log-file=, relative")
        << QStringList{"--log-file=relay.log"} << QByteArray() << "relay.log" << tenMiB;
    QTest::newRow("--log-max-bytes minimum")
        << QStringList{"--log-file", "a.log", "--log-max-bytes", "65536"} << QByteArray() << "a.log"
        << qint64(65536);
    QTest::newRow("--log-max-bytes maximum") << QStringList{"--log-max-bytes=1073741824"}
                                             << QByteArray() << QString() << qint64(1073741824);
    QTest::newRow("--log-max-bytes 0: never rotated")
        << QStringList{"--log-max-bytes", "0"} << QByteArray() << QString() << qint64(0);
    QTest::newRow("config file") << QStringList{}
                                 << QByteArray("log-file = \"/var/log/socket server.log\"\n"
                                               "log-max-bytes = 1048576\n")
                                 << "/var/log/socket server.log" << qint64(1048576);
    QTest::newRow("command line wins over the file")
        << QStringList{"--log-file", "other.log"}
        << QByteArray("log-file = exhibit.log\nlog-max-bytes = 1048576\n") << "other.log"
        << qint64(1048576);
}

void tst_RelayOptions::logFile()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, file);
    QFETCH(QString, logFile);
    QFETCH(qint64, logMaxBytes);

    const RelayOptions options = parseWithFile(args, file);
    QCOMPARE(options.error, QString());
    QCOMPARE(options.config.logFile, logFile);
    QCOMPARE(options.config.logMaxBytes, logMaxBytes);
    QCOMPARE(describe(options.config), describe(RelayConfig())); // nothing else changed
}

void tst_RelayOptions::mqtt_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("file"); // a --config file's text; empty: none
    QTest::addColumn<QString>("expected");

    QTest::newRow("off by default")
        << QStringList{} << QByteArray()
        << "mqtt= broker=none tls=-1 topic=socketserver direction=both user= password= ca= id= "
           "qos=0 queue=0";
    QTest::newRow("mqtt://, port 1883")
        << QStringList{"--mqtt", "mqtt://broker.local"} << QByteArray()
        << "mqtt=mqtt://broker.local broker=broker.local:1883 tls=0 topic=socketserver "
           "direction=both user= password= ca= id= qos=0 queue=0";
    QTest::newRow("mqtts://, port 8883")
        << QStringList{"--mqtt=mqtts://broker.museum.org"} << QByteArray()
        << "mqtt=mqtts://broker.museum.org broker=broker.museum.org:8883 tls=1 topic=socketserver "
           "direction=both user= password= ca= id= qos=0 queue=0";
    QTest::newRow("a port, a trailing slash")
        << QStringList{"--mqtt", " mqtt://192.168.1.5:1884/ "} << QByteArray()
        << "mqtt=mqtt://192.168.1.5:1884/ broker=192.168.1.5:1884 tls=0 topic=socketserver "
           "direction=both user= password= ca= id= qos=0 queue=0";
    QTest::newRow("IPv6, scheme in capitals")
        << QStringList{"--mqtt", "MQTTS://[::1]:8884"} << QByteArray()
        << "mqtt=MQTTS://[::1]:8884 broker=[::1]:8884 tls=1 topic=socketserver direction=both "
           "user= password= ca= id= qos=0 queue=0";
    QTest::newRow("every option")
        << QStringList{"--mqtt", "mqtts://broker.local", "--mqtt-topic", "museum/gallery2",
               "--mqtt-direction", "OUT", "--mqtt-user", "gallery2", "--mqtt-password-file",
               "/etc/socketserver/mqtt.pw", "--mqtt-ca", "/etc/socketserver/ca.pem",
               "--mqtt-client-id", "gallery2-relay", "--mqtt-qos", "1", "--mqtt-queue", "500"}
        << QByteArray()
        << "mqtt=mqtts://broker.local broker=broker.local:8883 tls=1 topic=museum/gallery2 "
           "direction=out user=gallery2 password=/etc/socketserver/mqtt.pw "
           "ca=/etc/socketserver/ca.pem id=gallery2-relay qos=1 queue=500";
    QTest::newRow("a filter, listening")
        << QStringList{"--mqtt", "mqtt://broker.local", "--mqtt-topic", "museum/+/screen/#",
               "--mqtt-direction", "in"}
        << QByteArray()
        << "mqtt=mqtt://broker.local broker=broker.local:1883 tls=0 topic=museum/+/screen/# "
           "direction=in user= password= ca= id= qos=0 queue=0";
    QTest::newRow("# alone, listening")
        << QStringList{"--mqtt", "mqtt://b", "--mqtt-topic", "#", "--mqtt-direction", "in"}
        << QByteArray()
        << "mqtt=mqtt://b broker=b:1883 tls=0 topic=# direction=in "
           "user= password= ca= id= qos=0 queue=0";
    QTest::newRow("the largest queue")
        << QStringList{"--mqtt", "mqtt://b", "--mqtt-queue", "100000"} << QByteArray()
        << "mqtt=mqtt://b broker=b:1883 tls=0 topic=socketserver direction=both user= "
           "password= ca= id= qos=0 queue=100000";
    QTest::newRow("config file")
        << QStringList{}
        << QByteArray("mqtt = mqtts://broker.local:1884\nmqtt-topic = \"museum/gallery 2\"\n"
                      "mqtt-direction = in\nmqtt-user = guide\nmqtt-password-file = mqtt.pw\n"
                      "mqtt-ca = ca.pem\nmqtt-client-id = lobby\nmqtt-qos = 1\n"
                      "mqtt-queue = 10\n")
        << "mqtt=mqtts://broker.local:1884 broker=broker.local:1884 tls=1 "
           "topic=museum/gallery 2 direction=in user=guide password=mqtt.pw ca=ca.pem id=lobby "
           "qos=1 queue=10";
    // The file's filter is listened to; the command line makes the relay publish as well, so
    // it names one topic too.
    QTest::newRow("command line wins over the file")
        << QStringList{"--mqtt-topic", "museum/lobby", "--mqtt-direction", "both"}
        << QByteArray("mqtt = mqtt://broker.local\nmqtt-topic = museum/#\n"
                      "mqtt-direction = in\nmqtt-qos = 1\n")
        << "mqtt=mqtt://broker.local broker=broker.local:1883 tls=0 topic=museum/lobby "
           "direction=both user= password= ca= id= qos=1 queue=0";
}

void tst_RelayOptions::mqtt()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, file);
    QFETCH(QString, expected);

    const RelayOptions options = parseWithFile(args, file);
    QCOMPARE(options.error, QString());
    QCOMPARE(describeMqtt(options.config), expected);
    QCOMPARE(describe(options.config), describe(RelayConfig())); // nothing else changed
}

void tst_RelayOptions::udp_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("file"); // a --config file's text; empty: none
    QTest::addColumn<QString>("expected");

    QTest::newRow("off by default")
        << QStringList{} << QByteArray() << "udp=off targets= peer-seconds=60 osc=0 types=";
    QTest::newRow("--udp-port") << QStringList{"--udp-port", "7000"} << QByteArray()
                                << "udp=7000 targets= peer-seconds=60 osc=0 types=";
    QTest::newRow("--udp-port 0 picks one") << QStringList{"--udp-port=0"} << QByteArray()
                                            << "udp=0 targets= peer-seconds=60 osc=0 types=";
    QTest::newRow("--udp-target, repeated, IPv4 and IPv6")
        << QStringList{"--udp-port", "7000", "--udp-target", "192.168.1.30:7001", "--udp-target",
               "[::1]:7002"}
        << QByteArray()
        << "udp=7000 targets=192.168.1.30:7001,[::1]:7002 peer-seconds=60 osc=0 types=";
    QTest::newRow("--udp-target localhost is 127.0.0.1")
        << QStringList{"--udp-target", "LocalHost:9000"} << QByteArray()
        << "udp=off targets=127.0.0.1:9000 peer-seconds=60 osc=0 types=";
    QTest::newRow("--udp-target IPv4-mapped is IPv4")
        << QStringList{"--udp-target", " [::ffff:10.0.0.5]:65535 "} << QByteArray()
        << "udp=off targets=10.0.0.5:65535 peer-seconds=60 osc=0 types=";
    QTest::newRow("--udp-peer-seconds, the shortest and the longest")
        << QStringList{"--udp-peer-seconds", "1"} << QByteArray()
        << "udp=off targets= peer-seconds=1 osc=0 types=";
    QTest::newRow("--udp-peer-seconds a day")
        << QStringList{"--udp-peer-seconds=86400"} << QByteArray()
        << "udp=off targets= peer-seconds=86400 osc=0 types=";
    QTest::newRow("--osc, --osc-types repeated")
        << QStringList{"--udp-port", "9000", "--osc", "--osc-types", "/fader=f", "--osc-types",
               "/mix=ifsSdhcb"}
        << QByteArray() << "udp=9000 targets= peer-seconds=60 osc=1 types=/fader=f,/mix=ifsSdhcb";
    QTest::newRow("--osc=false") << QStringList{"--osc=false"} << QByteArray()
                                 << "udp=off targets= peer-seconds=60 osc=0 types=";
    QTest::newRow("config file")
        << QStringList{}
        << QByteArray("udp-port = 7000\nosc = true\nudp-target = 192.168.1.30:7001\n"
                      "udp-target = [::1]:7002\nosc-types = /fader=f\nudp-peer-seconds = 5\n")
        << "udp=7000 targets=192.168.1.30:7001,[::1]:7002 peer-seconds=5 osc=1 types=/fader=f";
    // A list on the command line replaces the file's; the other keys are kept.
    QTest::newRow("command line wins over the file")
        << QStringList{"--udp-target", "10.0.0.5:7000", "--osc-types", "/label=s"}
        << QByteArray("udp-port = 7000\nosc = true\nudp-target = 192.168.1.30:7001\n"
                      "udp-target = [::1]:7002\nosc-types = /fader=f\n")
        << "udp=7000 targets=10.0.0.5:7000 peer-seconds=60 osc=1 types=/label=s";
}

void tst_RelayOptions::udp()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, file);
    QFETCH(QString, expected);

    const RelayOptions options = parseWithFile(args, file);
    QCOMPARE(options.error, QString());
    QCOMPARE(describeUdp(options.config), expected);
    QCOMPARE(describe(options.config), describe(RelayConfig())); // nothing else changed
}
