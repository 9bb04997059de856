#include "relayoptions.h"

#include "bonjour.h"
#include "commandline.h"
#include "helptext.h"
#include "netaddress.h"

#include <QFile>
#include <QHash>
#include <QRegularExpression>

#include <algorithm>
#include <optional>

namespace {

using CommandLine::findOption;
using CommandLine::wholeNumber;

// Every modern option, which is also a key of the --config file (a switch there is true or
// false). Written once, as data: the parser, the file reader and --help all read this table.
constexpr OptionSpec kOptions[] = {
    {"bind", "ADDRESS",
        "Where clients can connect: localhost (default: 127.0.0.1 and ::1, programs on this "
        "machine "
        "only), any (every network interface), lan (this machine's LAN address, as -r), or one IP "
        "address of this machine."},
    {"port", "PORT",
        "TCP port to listen on (default 6780). 0 picks a free port; the start-up line says which."},
    {"no-wait", nullptr,
        "Fail at once when the address to listen on is not on this machine. By default the relay "
        "waits for it, trying again every 2 s (an exhibit machine may start the relay before its "
        "network is up)."},
    {"max-clients", "N",
        "Most clients connected at once (default 1024). One more gets the line "
        "\"server full (N clients)\" and is disconnected. The UDP port's programs are not "
        "counted: it keeps up to N of its own, forgetting the one silent the longest for a "
        "newcomer."},
    {"allow", "RANGE",
        "Accept clients only from this address range, e.g. 192.168.1.0/24, 10.0.0.7 or ::1/128; "
        "repeat for several ranges (default: anyone who can reach the relay). Others are "
        "disconnected at once, without a word, and logged."},
    {"eol", "MODE",
        "How messages end. auto (default): at LF, CRLF or NUL, and each client gets messages ended "
        "the way it ends its own (LF until it has sent something). lf, crlf, cr, nul, or decimal "
        "character codes such as 0,14: every message ends with exactly those bytes."},
    {"no-echo", nullptr,
        "Do not send a message back to the client that sent it (by default every client gets "
        "every message, the sender included)."},
    {"max-message-bytes", "BYTES",
        "Longest message accepted (default 65536; at most --max-client-buffer). A longer one is "
        "dropped and logged; its sender stays connected."},
    {"max-client-buffer", "BYTES",
        "Most output that may wait for a client that does not read what it is sent (default "
        "4194304, 4 MiB; more than 1 MiB for 30 s also counts). Past it that client is "
        "disconnected and logged; the others never wait for it."},
    {"ws-port", "PORT",
        "Also accept web pages on this port, over WebSocket (default: off; 0 picks a free port "
        "and the start-up line says which), at the same addresses as TCP. Each WebSocket message "
        "is one message; the same limits apply. A browser opening http://ADDRESS:PORT/ gets a "
        "built-in page to watch the messages and send some; /health and /metrics there are for "
        "monitoring (Prometheus, check_http)."},
    {"ws-origin", "ORIGIN",
        "Accept WebSockets only from web pages at this origin, e.g. http://kiosk.local:8080 "
        "(scheme, host and port, as the browser sends it; a page opened from a file is "
        "\"null\"); repeat for several (default: pages from anywhere). The built-in page is "
        "always allowed."},
    {"local", "NAME",
        "Also accept programs on this machine on a local socket called NAME (default: off): a "
        "Unix domain socket (a NAME without / goes in the temporary directory, e.g. "
        "/tmp/NAME; the start-up line says where), a named pipe on Windows. Only this user may "
        "connect; the socket is removed on exit, and one left by a crash is replaced."},
    {"flash-policy", nullptr,
        "Answer the policy-file request of Flash and AIR players on the TCP port with a policy "
        "that allows the relay's ports, then close that connection. Other clients are not "
        "affected, but their first messages may wait up to 1 s while the relay checks."},
    {"udp-port", "PORT",
        "Also relay UDP datagrams on this port (default: off; 0 picks a free port and the "
        "start-up line says which), at the same addresses as TCP: for TouchDesigner, Max, Pure "
        "Data and other tools that talk UDP. Each line of a datagram is a message (a datagram "
        "without a line ending is one); every message goes out as one datagram, without a line "
        "ending, to the --udp-target programs and to every program that sent a datagram in the "
        "last --udp-peer-seconds. The allow list and the size limit apply."},
    {"udp-target", "ADDRESS:PORT",
        "Also send every message to the program listening at this address and port, e.g. "
        "192.168.1.30:7000, 127.0.0.1:7000 or [::1]:7000 (an address, or localhost; names are "
        "not looked up); repeat for several. For tools that listen and never send."},
    {"udp-peer-seconds", "SECONDS",
        "How long a program that sent a datagram keeps getting the messages after its last one "
        "(default 60), for a tool that talks and listens on one port. Then it is forgotten, "
        "until its next datagram."},
    {"osc", nullptr,
        "The UDP port speaks OSC 1.0 (Open Sound Control) instead of text: an OSC message "
        "becomes the line \"/address arg1 arg2 ...\" (numbers, text in quotes when it holds a "
        "space, blobs as <hex>, true, false, nil; a bundle gives its messages in order), and a "
        "relayed line that starts with / goes out as an OSC message, each argument an int, a "
        "float or a string by its look. Other lines are not sent to OSC programs. Malformed OSC "
        "is dropped, counted and logged."},
    {"osc-types", "ADDRESS=TAGS",
        "Type the arguments of the OSC messages sent to ADDRESS with these OSC type tags instead "
        "of by their look, e.g. /fader=f (1 is sent as the float 1.0) or /label=s (42 is sent "
        "as the string \"42\"); tags i, h, f, d, s, S, c, b; repeat for several addresses."},
    {"name", "NAME",
        "The relay's name on the network (default \"SocketServer on HOST\", with this machine's "
        "name). A relay that listens beyond localhost announces itself with Bonjour "
        "(mDNS/DNS-SD, service type _socketserver._tcp), so that the test client, the serial "
        "relay, --list-relays, Macs and other Bonjour browsers find it by name, whatever its "
        "address. When another relay has the name, this one takes \"NAME (2)\" and the log "
        "says so."},
    {"no-announce", nullptr,
        "Do not announce the relay on the network (it is not announced on localhost anyway)."},
    {"list-relays", nullptr,
        "List the relays announced on the network (name, address, port, web port, version) "
        "after looking for 3 s, and exit: status 0 when it found some, 1 when none (or when "
        "Bonjour is not available on this machine)."},
    {"mqtt", "URL",
        "Share the conversation with relays in other rooms and sites (and any MQTT program) "
        "through an MQTT 5 broker, e.g. mqtt://broker.local or mqtts://broker.museum.org "
        "(default: off; ports 1883 and 8883 unless given). Every message relayed here is "
        "published on --mqtt-topic, and every message published there by others reaches every "
        "client here; heartbeats and welcome lines stay here. While the broker is away the "
        "relay serves as usual and keeps trying (1 to 30 s)."},
    {"mqtt-topic", "TOPIC",
        "The MQTT topic of the conversation (default socketserver), e.g. museum/gallery2. With "
        "--mqtt-direction in, a filter with wildcards such as museum/# listens to many."},
    {"mqtt-direction", "WAY",
        "both (default): publish and listen; out: only publish (a room that reports to a "
        "central screen); in: only listen."},
    {"mqtt-user", "NAME", "The user name to give the broker (default: none)."},
    {"mqtt-password-file", "FILE",
        "Read the broker's password, for --mqtt-user, from the first line of FILE (never give a "
        "password on the command line, where others can see it)."},
    {"mqtt-ca", "FILE",
        "For mqtts://: trust the broker's certificate if this CA (PEM) signed it (default: the "
        "system's trusted CAs)."},
    {"mqtt-client-id", "ID",
        "The MQTT client id (default socketserver-HOST-PORT, with this relay's TCP port, so two "
        "relays on one machine never share one)."},
    {"mqtt-qos", "0|1",
        "0 (default): at most once, the fastest; 1: at least once, the broker acknowledges "
        "each message."},
    {"mqtt-queue", "N",
        "Keep the last N messages while the broker is away and publish them when it is back "
        "(default 0: drop them and count them; at most 100000)."},
    {"expect", "NAME=MATCH",
        "A client the exhibit needs, e.g. kiosk3=192.168.1.23 (the client connecting from that "
        "address) or kiosk3=prefix:kiosk3-hello (the client whose messages start with "
        "kiosk3-hello: a text only that client sends); repeat for several. The log and the panel "
        "show it by NAME; when it is missing (gone for longer "
        "than --expect-grace) or silent (--expect-silence), the log says so once, and once more "
        "when it is back. NAME: letters, digits, - _ and ."},
    {"expect-silence", "SECONDS",
        "An expected client that is connected but has sent nothing for SECONDS is silent (for "
        "programs that send their own heartbeat; default 0: only its presence counts)."},
    {"expect-grace", "SECONDS",
        "How long an expected client may be away, after the relay starts (machines booting) and "
        "after it leaves (a restart), before it is missing (default 120)."},
    {"alarm-message", "TEMPLATE",
        "Also tell every client when an expected client goes missing or silent, and when it is "
        "back, with this message: {name}, {state} (missing, silent or back) and {address} are "
        "filled in, e.g. socketserver:alarm:{name}:{state} (default: no message)."},
    {"heartbeat", "SECONDS",
        "Send a heartbeat message to every client every SECONDS (default 0: no heartbeat)."},
    {"heartbeat-message", "TEXT", "The heartbeat's text (default \"heartbeat\")."},
    {"welcome", "TEXT", "A message sent to each client when it connects (default: none)."},
    {"console", nullptr, "Broadcast each line typed on standard input to every client."},
    {"verbose", nullptr,
        "Log every connection, disconnection (with its reason) and message, with the time."},
    {"log-file", "PATH",
        "Write the log to this file instead of stdout and stderr (default: none), each line as "
        "it happens. Past --log-max-bytes it becomes PATH.1 (PATH.1 becomes PATH.2, and so on; "
        "five old files are kept). SIGHUP reopens it, for logrotate. A file that cannot be "
        "opened stops the relay from starting."},
    {"log-max-bytes", "BYTES",
        "Size at which --log-file is rotated (default 10485760, 10 MiB; at least 65536). 0: "
        "never, when logrotate rotates it."},
    {"config", "FILE",
        "Read settings from FILE, one \"key = value\" per line, keys as the long options without "
        "dashes (port = 5783, no-echo = true). Options on the command line win over the file."},
    {"help", nullptr, "Show this help and exit (-h also does)."},
    {"version", nullptr, "Show the version and exit."},
};

// Legacy options of the original PHP server, kept as they were (any letter case).
constexpr const char *kLegacyHelp[][2] = {
    {"-v", "same as --verbose"},
    {"IP", "same as --bind IP, e.g. 192.168.1.20"},
    {"-l", "same as --bind localhost"},
    {"-r", "same as --bind lan"},
    {"PORT", "same as --port PORT, e.g. 5783"},
    {"-m N", "same as --max-clients N"},
    {"-e CODE...",
        "same as --eol CODE,...: -e 0 14 ends every message with chr(0) chr(14). The "
        "codes (0 to 255) end at the first argument that is not one."},
    {"-c", "same as --console"},
};

// One setting to apply, and where it came from for error messages.
struct Setting
{
    QString key;
    QString value;
    QString origin; // "--port", "-m", "exhibit.ini line 3"
};

std::optional<bool> parseBool(const QString &value)
{
    const QString v = value.trimmed().toLower();
    if (v == u"true" || v == u"yes" || v == u"on" || v == u"1")
        return true;
    if (v == u"false" || v == u"no" || v == u"off" || v == u"0")
        return false;
    return std::nullopt;
}

// "kiosk3=192.168.1.23" or "kiosk3=prefix:kiosk3:", added to config.expected; returns what is
// wrong with it, or an empty string.
QString addExpectation(RelayConfig &config, const QString &value)
{
    static const QRegularExpression namePattern(QStringLiteral("^[A-Za-z0-9._-]+$"));
    const qsizetype equals = value.indexOf(u'=');
    if (equals < 0)
        return QStringLiteral("'%1' is not NAME=MATCH, e.g. kiosk3=192.168.1.23 or "
                              "kiosk3=prefix:kiosk3:")
            .arg(value);
    Expectation expectation;
    expectation.name = value.left(equals).trimmed();
    const QString match = value.mid(equals + 1).trimmed();
    if (expectation.name.isEmpty())
        return QStringLiteral("'%1' has no name before the =").arg(value);
    if (!namePattern.match(expectation.name).hasMatch())
        return QStringLiteral("'%1' is not a name: use letters, digits, - _ and .")
            .arg(expectation.name);
    if (match.startsWith(QStringLiteral("prefix:"))) {
        expectation.prefix = match.mid(7).toUtf8();
        if (expectation.prefix.isEmpty())
            return QStringLiteral("%1: prefix: needs the text its messages start with, e.g. "
                                  "prefix:kiosk3:")
                .arg(expectation.name);
    } else {
        QHostAddress address;
        if (!address.setAddress(match))
            return QStringLiteral("%1: '%2' is neither an IP address nor prefix:TEXT")
                .arg(expectation.name, match);
        expectation.address = NetAddress::unmapped(address);
    }
    for (const Expectation &other : std::as_const(config.expected)) {
        if (other.name == expectation.name)
            return QStringLiteral("%1 is expected twice").arg(expectation.name);
        if (other.matchText() == expectation.matchText())
            return QStringLiteral("%1 and %2 have the same match, %3")
                .arg(other.name, expectation.name, expectation.matchText());
    }
    config.expected.append(expectation);
    return {};
}

// "192.168.1.0/24", "::1/128", or one address ("10.0.0.7": that address alone).
std::optional<QPair<QHostAddress, int>> parseAddressRange(const QString &range)
{
    if (range.contains(u'/')) {
        const auto subnet = QHostAddress::parseSubnet(range);
        if (subnet.second < 0)
            return std::nullopt;
        return subnet;
    }
    QHostAddress address;
    if (!address.setAddress(range))
        return std::nullopt;
    return qMakePair(address, address.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128);
}

// "192.168.1.30:7000", "[::1]:7000" or "localhost:7000" (as 127.0.0.1).
std::optional<QPair<QHostAddress, quint16>> parseUdpTarget(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    else if (host.contains(u':'))
        return std::nullopt; // an IPv6 address needs its brackets
    QHostAddress address(QHostAddress::LocalHost);
    if (host.compare(u"localhost", Qt::CaseInsensitive) != 0 && !address.setAddress(host))
        return std::nullopt;
    const auto port = wholeNumber(text.mid(colon + 1), 1, 65535);
    address = NetAddress::unmapped(address);
    if (!port || address.isMulticast() || address == QHostAddress(QHostAddress::AnyIPv4)
        || address == QHostAddress(QHostAddress::AnyIPv6))
        return std::nullopt;
    return qMakePair(address, quint16(*port));
}

bool isByteCode(const QString &arg)
{
    return !arg.isEmpty() && arg.size() <= 3 && wholeNumber(arg, 0, 255).has_value()
        && std::all_of(arg.begin(), arg.end(), [](QChar c) { return c.isDigit(); });
}

QString numberProblem(const QString &value, qint64 min, qint64 max)
{
    return QStringLiteral("'%1' is not a whole number from %2 to %3").arg(value).arg(min).arg(max);
}

// Applies one setting; returns what is wrong with it, or an empty string.
QString applySetting(RelayConfig &config, const QString &key, const QString &value)
{
    if (key == u"bind") {
        const QString v = value.trimmed().toLower();
        if (v == u"localhost") {
            config.bind = RelayConfig::Bind::Localhost;
        } else if (v == u"any") {
            config.bind = RelayConfig::Bind::Any;
        } else if (v == u"lan") {
            config.bind = RelayConfig::Bind::Lan;
        } else {
            QHostAddress address;
            if (!address.setAddress(value.trimmed()))
                return QStringLiteral("'%1' is not an IP address (nor localhost, any or lan)")
                    .arg(value);
            config.bind = RelayConfig::Bind::Address;
            config.address = address;
        }
    } else if (key == u"port") {
        const auto port = wholeNumber(value, 0, 65535);
        if (!port)
            return QStringLiteral("'%1' is not a port number (0 to 65535)").arg(value);
        config.port = quint16(*port);
    } else if (key == u"max-clients") {
        const auto n = wholeNumber(value, 1, RelayConfig::kMaxClientsLimit);
        if (!n)
            return numberProblem(value, 1, RelayConfig::kMaxClientsLimit);
        config.maxClients = int(*n);
    } else if (key == u"eol") {
        const auto terminator = Terminator::fromName(value);
        if (!terminator)
            return QStringLiteral("'%1' is not a terminator: use auto, lf, crlf, cr, nul or "
                                  "character codes from 0 to 255 such as 0,14")
                .arg(value);
        config.terminator = *terminator;
    } else if (key == u"max-message-bytes") {
        const auto n = wholeNumber(value, 1, RelayConfig::kMaxMessageBytesLimit);
        if (!n)
            return numberProblem(value, 1, RelayConfig::kMaxMessageBytesLimit);
        config.maxMessageBytes = *n;
    } else if (key == u"allow") {
        // A list: "192.168.1.0/24, ::1". Each occurrence adds to it.
        const QStringList ranges
            = value.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
        if (ranges.isEmpty())
            return QStringLiteral("needs an address range such as 192.168.1.0/24");
        for (const QString &range : ranges) {
            const auto subnet = parseAddressRange(range);
            if (!subnet)
                return QStringLiteral("'%1' is not an address range such as 192.168.1.0/24 or "
                                      "::1/128")
                    .arg(range);
            config.allow.append(*subnet);
        }
    } else if (key == u"max-client-buffer") {
        const qint64 min = RelayConfig::kMinClientBuffer;
        const qint64 max = RelayConfig::kMaxClientBuffer;
        const auto n = wholeNumber(value, min, max);
        if (!n)
            return numberProblem(value, min, max);
        config.maxClientBuffer = *n;
    } else if (key == u"heartbeat") {
        const auto n = wholeNumber(value, 0, RelayConfig::kMaxHeartbeatSeconds);
        if (!n)
            return numberProblem(value, 0, RelayConfig::kMaxHeartbeatSeconds);
        config.heartbeatSeconds = int(*n);
    } else if (key == u"heartbeat-message") {
        if (value.isEmpty())
            return QStringLiteral("the heartbeat message must not be empty");
        config.heartbeatMessage = value.toUtf8();
    } else if (key == u"welcome") {
        config.welcome = value.toUtf8();
    } else if (key == u"ws-port") {
        const auto port = wholeNumber(value, 0, 65535);
        if (!port)
            return QStringLiteral("'%1' is not a port number (0 to 65535)").arg(value);
        config.webSocketEnabled = true;
        config.webSocketPort = quint16(*port);
    } else if (key == u"ws-origin") {
        // A list: "http://a.local, http://b.local". Each occurrence adds to it.
        const QStringList origins
            = value.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
        if (origins.isEmpty())
            return QStringLiteral("needs a web page origin such as http://kiosk.local:8080");
        for (const QString &origin : origins) {
            if (origin != u"null" && !origin.contains(QStringLiteral("://")))
                return QStringLiteral("'%1' is not a web page origin such as "
                                      "http://kiosk.local:8080")
                    .arg(origin);
            config.webSocketOrigins.append(origin);
        }
    } else if (key == u"expect") {
        return addExpectation(config, value);
    } else if (key == u"expect-silence" || key == u"expect-grace") {
        const auto n = wholeNumber(value, 0, RelayConfig::kMaxExpectSeconds);
        if (!n)
            return numberProblem(value, 0, RelayConfig::kMaxExpectSeconds);
        (key == u"expect-silence" ? config.expectSilenceSeconds : config.expectGraceSeconds)
            = int(*n);
    } else if (key == u"alarm-message") {
        config.alarmMessage = value.toUtf8();
    } else if (key == u"log-file") {
        if (value.trimmed().isEmpty())
            return QStringLiteral("needs the path of the log file, e.g. "
                                  "/var/log/socketserver/socketserver.log");
        config.logFile = value.trimmed();
    } else if (key == u"log-max-bytes") {
        const auto n = wholeNumber(value, 0, RelayConfig::kMaxLogBytes);
        if (!n || (*n != 0 && *n < RelayConfig::kMinLogBytes))
            return QStringLiteral("'%1' is neither 0 (never rotate) nor a size from %2 to %3 "
                                  "bytes")
                .arg(value)
                .arg(RelayConfig::kMinLogBytes)
                .arg(RelayConfig::kMaxLogBytes);
        config.logMaxBytes = *n;
    } else if (key == u"mqtt") {
        if (!MqttSettings::brokerFromUrl(value))
            return QStringLiteral("'%1' is not a broker address such as mqtt://broker.local, "
                                  "mqtt://192.168.1.5:1883 or mqtts://broker.museum.org")
                .arg(value);
        config.mqtt.url = value.trimmed();
    } else if (key == u"mqtt-topic") {
        const QString problem = MqttSettings::topicProblem(value);
        if (!problem.isEmpty())
            return problem;
        config.mqtt.topic = value;
    } else if (key == u"mqtt-direction") {
        const auto direction = MqttSettings::directionFromName(value);
        if (!direction)
            return QStringLiteral("'%1' is not a direction: use both, out or in").arg(value);
        config.mqtt.direction = *direction;
    } else if (key == u"mqtt-user") {
        config.mqtt.user = value;
    } else if (key == u"mqtt-password-file" || key == u"mqtt-ca") {
        if (value.trimmed().isEmpty())
            return QStringLiteral("needs the path of a file");
        (key == u"mqtt-ca" ? config.mqtt.caFile : config.mqtt.passwordFile) = value.trimmed();
    } else if (key == u"mqtt-client-id") {
        if (value.trimmed().isEmpty() || value.toUtf8().size() > 65535)
            return QStringLiteral("'%1' is not an MQTT client id").arg(value);
        config.mqtt.clientId = value.trimmed();
    } else if (key == u"mqtt-qos") {
        const auto qos = wholeNumber(value, 0, 1);
        if (!qos)
            return QStringLiteral("'%1' is not a quality of service: use 0 or 1").arg(value);
        config.mqtt.qos = int(*qos);
    } else if (key == u"mqtt-queue") {
        const auto n = wholeNumber(value, 0, MqttSettings::kMaxQueue);
        if (!n)
            return numberProblem(value, 0, MqttSettings::kMaxQueue);
        config.mqtt.queue = int(*n);
    } else if (key == u"name") {
        const QString problem = Bonjour::nameProblem(value.trimmed());
        if (!problem.isEmpty())
            return problem;
        config.name = value.trimmed();
    } else if (key == u"udp-port") {
        const auto port = wholeNumber(value, 0, 65535);
        if (!port)
            return QStringLiteral("'%1' is not a port number (0 to 65535)").arg(value);
        config.udpEnabled = true;
        config.udpPort = quint16(*port);
    } else if (key == u"udp-target") {
        const auto target = parseUdpTarget(value.trimmed());
        if (!target)
            return QStringLiteral("'%1' is not an address and port such as 192.168.1.30:7000, "
                                  "localhost:7000 or [::1]:7000 (names are not looked up)")
                .arg(value);
        if (config.udpTargets.contains(*target)) // it would get every message twice
            return QStringLiteral("%1 is given twice")
                .arg(NetAddress::endpoint(target->first, target->second));
        config.udpTargets.append(*target);
    } else if (key == u"udp-peer-seconds") {
        const auto n = wholeNumber(value, 1, RelayConfig::kMaxUdpPeerSeconds);
        if (!n)
            return numberProblem(value, 1, RelayConfig::kMaxUdpPeerSeconds);
        config.udpPeerSeconds = int(*n);
    } else if (key == u"osc-types") {
        const auto rule = OscCodec::parseTypeRule(value.trimmed());
        if (!rule)
            return QStringLiteral("'%1' is not ADDRESS=TAGS such as /fader=f or /mix=ifs (an "
                                  "address starting with /, then OSC type tags from i h f d s "
                                  "S c b)")
                .arg(value);
        for (const OscCodec::TypeRule &other : std::as_const(config.oscTypes)) {
            if (other.address == rule->address)
                return QStringLiteral("%1 is given types twice")
                    .arg(QString::fromUtf8(rule->address));
        }
        config.oscTypes.append(*rule);
    } else if (key == u"local") {
        if (value.trimmed().isEmpty())
            return QStringLiteral("needs a name for the local socket, e.g. socketserver");
        config.localServerName = value.trimmed();
    } else {
        const auto on = parseBool(value);
        if (!on)
            return QStringLiteral("'%1' is neither true nor false").arg(value);
        if (key == u"no-echo")
            config.echo = !*on;
        else if (key == u"no-wait")
            config.waitForAddress = !*on;
        else if (key == u"verbose")
            config.verbose = *on;
        else if (key == u"console")
            config.console = *on;
        else if (key == u"flash-policy")
            config.flashPolicy = *on;
        else if (key == u"no-announce")
            config.announce = !*on;
        else if (key == u"osc")
            config.osc = *on;
    }
    return {};
}

// Turns the command line into settings; returns what is wrong, or an empty string.
QString readCommandLine(const QStringList &args, QList<Setting> &settings)
{
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        const QString lower = arg.toLower();
        const bool hasNext = i + 1 < args.size();
        if (lower.startsWith(u"--")) {
            QString key = lower.mid(2);
            QString value;
            const qsizetype equals = key.indexOf(u'=');
            if (equals >= 0) {
                value = arg.mid(2 + equals + 1);
                key.truncate(equals);
            }
            const OptionSpec *spec = findOption(kOptions, key);
            if (!spec)
                return QStringLiteral("unknown option '%1'").arg(arg);
            if (equals < 0 && spec->valueName) {
                if (!hasNext)
                    return QStringLiteral("--%1 needs a value (%2)")
                        .arg(key, QLatin1String(spec->valueName));
                value = args.at(++i);
            } else if (equals < 0) {
                value = QStringLiteral("true");
            }
            settings.append({key, value, QLatin1String("--") + key});
        } else if (lower == u"-v") {
            settings.append({QStringLiteral("verbose"), QStringLiteral("true"), arg});
        } else if (lower == u"-l") {
            settings.append({QStringLiteral("bind"), QStringLiteral("localhost"), arg});
        } else if (lower == u"-r") {
            settings.append({QStringLiteral("bind"), QStringLiteral("lan"), arg});
        } else if (lower == u"-c") {
            settings.append({QStringLiteral("console"), QStringLiteral("true"), arg});
        } else if (lower == u"-m") {
            if (!hasNext)
                return QStringLiteral("-m needs the maximum number of clients, e.g. -m 22");
            settings.append({QStringLiteral("max-clients"), args.at(++i), arg});
        } else if (lower == u"-e") {
            QStringList codes;
            while (i + 1 < args.size() && isByteCode(args.at(i + 1)))
                codes.append(args.at(++i));
            if (codes.isEmpty())
                return QStringLiteral("-e needs character codes from 0 to 255, e.g. -e 0 14");
            settings.append({QStringLiteral("eol"), codes.join(u','), arg});
        } else if (lower.startsWith(u'-')) {
            return QStringLiteral("unknown option '%1'").arg(arg);
        } else if (std::all_of(arg.begin(), arg.end(), [](QChar c) { return c.isDigit(); })) {
            settings.append({QStringLiteral("port"), arg, QStringLiteral("port")});
        } else if (QHostAddress().setAddress(arg)) {
            settings.append({QStringLiteral("bind"), arg, QStringLiteral("address")});
        } else {
            return QStringLiteral("'%1' is not an option, an IP address or a port number").arg(arg);
        }
    }
    return {};
}

// Reads the settings of a --config file; returns what is wrong, or an empty string.
QString readConfigFile(const QString &path, QList<Setting> &settings)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return QStringLiteral("cannot read the config file %1: %2").arg(path, file.errorString());
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#') || line.startsWith(u';')
            || (line.startsWith(u'[') && line.endsWith(u']')))
            continue;
        const QString origin = QStringLiteral("%1 line %2").arg(path).arg(lineNumber);
        const qsizetype equals = line.indexOf(u'=');
        if (equals < 0)
            return origin + QStringLiteral(": expected \"key = value\"");
        const QString key = line.left(equals).trimmed().toLower();
        QString value = line.mid(equals + 1).trimmed();
        if (value.size() >= 2 && value.startsWith(u'"') && value.endsWith(u'"'))
            value = value.mid(1, value.size() - 2);
        if (!findOption(kOptions, key) || key == u"config" || key == u"help" || key == u"version"
            || key == u"list-relays")
            return origin + QStringLiteral(": unknown setting '%1'").arg(key);
        settings.append({key, value, origin});
    }
    return {};
}

// The value of a setting that takes one line in a --config file, as typed on the command line;
// nullopt for keys a file cannot hold and for an empty allow list (the reader wants at least
// one range).
std::optional<QString> configFileValue(const RelayConfig &config, const QString &key)
{
    const auto flag = [](bool on) { return on ? QStringLiteral("true") : QStringLiteral("false"); };
    const auto text = [](const QByteArray &bytes) { return QString::fromUtf8(bytes); };
    if (key == u"bind")
        return config.bindName();
    if (key == u"port")
        return QString::number(config.port);
    if (key == u"no-wait")
        return flag(!config.waitForAddress);
    if (key == u"max-clients")
        return QString::number(config.maxClients);
    if (key == u"allow") {
        if (config.allow.isEmpty())
            return std::nullopt;
        QStringList ranges;
        for (const auto &subnet : config.allow)
            ranges.append(subnet.first.toString() + u'/' + QString::number(subnet.second));
        return ranges.join(QStringLiteral(", "));
    }
    if (key == u"eol")
        return config.terminator.name();
    if (key == u"no-echo")
        return flag(!config.echo);
    if (key == u"max-message-bytes")
        return QString::number(config.maxMessageBytes);
    if (key == u"max-client-buffer")
        return QString::number(config.maxClientBuffer);
    if (key == u"heartbeat")
        return QString::number(config.heartbeatSeconds);
    if (key == u"heartbeat-message")
        return text(config.heartbeatMessage);
    if (key == u"welcome")
        return text(config.welcome);
    if (key == u"console")
        return flag(config.console);
    if (key == u"verbose")
        return flag(config.verbose);
    if (key == u"log-file")
        return config.logFile.isEmpty() ? std::nullopt : std::optional(config.logFile);
    if (key == u"log-max-bytes")
        return QString::number(config.logMaxBytes);
    if (key == u"ws-port")
        return config.webSocketEnabled ? std::optional(QString::number(config.webSocketPort))
                                       : std::nullopt;
    if (key == u"ws-origin")
        return config.webSocketOrigins.isEmpty()
            ? std::nullopt
            : std::optional(config.webSocketOrigins.join(QStringLiteral(", ")));
    if (key == u"local")
        return config.localServerName.isEmpty() ? std::nullopt
                                                : std::optional(config.localServerName);
    if (key == u"flash-policy")
        return flag(config.flashPolicy);
    if (key == u"name")
        return config.name.isEmpty() ? std::nullopt : std::optional(config.name);
    if (key == u"no-announce")
        return flag(!config.announce);
    if (key == u"udp-port")
        return config.udpEnabled ? std::optional(QString::number(config.udpPort)) : std::nullopt;
    if (key == u"udp-peer-seconds") // kept like the broker's settings, with the port or not
        return QString::number(config.udpPeerSeconds);
    if (key == u"osc")
        return flag(config.osc);
    // The broker's settings are kept when set, with a broker or not: a bridge turned off in the
    // panel keeps its topic for the day it is turned on again.
    const MqttSettings &mqtt = config.mqtt;
    const MqttSettings defaults;
    const auto unlessDefault = [](bool isDefault, const QString &value) {
        return isDefault ? std::nullopt : std::optional(value);
    };
    if (key == u"mqtt")
        return unlessDefault(mqtt.url.isEmpty(), mqtt.url);
    if (key == u"mqtt-topic")
        return unlessDefault(mqtt.topic == defaults.topic, mqtt.topic);
    if (key == u"mqtt-direction")
        return unlessDefault(
            mqtt.direction == defaults.direction, MqttSettings::directionName(mqtt.direction));
    if (key == u"mqtt-user")
        return unlessDefault(mqtt.user.isEmpty(), mqtt.user);
    if (key == u"mqtt-password-file")
        return unlessDefault(mqtt.passwordFile.isEmpty(), mqtt.passwordFile);
    if (key == u"mqtt-ca")
        return unlessDefault(mqtt.caFile.isEmpty(), mqtt.caFile);
    if (key == u"mqtt-client-id")
        return unlessDefault(mqtt.clientId.isEmpty(), mqtt.clientId);
    if (key == u"mqtt-qos")
        return unlessDefault(mqtt.qos == defaults.qos, QString::number(mqtt.qos));
    if (key == u"mqtt-queue")
        return unlessDefault(mqtt.queue == defaults.queue, QString::number(mqtt.queue));
    if (key == u"expect-silence")
        return QString::number(config.expectSilenceSeconds);
    if (key == u"expect-grace")
        return QString::number(config.expectGraceSeconds);
    if (key == u"alarm-message")
        return text(config.alarmMessage);
    return std::nullopt; // config, list-relays, help, version
}

// The values of one setting in a --config file, one line each; none for keys a file cannot
// hold and for empty lists (the reader wants at least one range).
QStringList configFileValues(const RelayConfig &config, const QString &key)
{
    if (key == u"expect") {
        QStringList values;
        for (const Expectation &expectation : config.expected)
            values.append(expectation.name + u'=' + expectation.matchText());
        return values;
    }
    if (key == u"udp-target") {
        QStringList values;
        for (const auto &[address, port] : config.udpTargets)
            values.append(NetAddress::endpoint(address, port));
        return values;
    }
    if (key == u"osc-types") {
        QStringList values;
        for (const OscCodec::TypeRule &rule : config.oscTypes)
            values.append(QString::fromUtf8(rule.address + '=' + rule.tags));
        return values;
    }
    const std::optional<QString> value = configFileValue(config, key);
    return value ? QStringList{*value} : QStringList();
}

RelayOptions failure(const QString &error)
{
    RelayOptions result;
    result.action = RelayOptions::Action::Fail;
    result.error = error;
    return result;
}

} // namespace

RelayOptions parseRelayOptions(const QStringList &arguments)
{
    RelayOptions result;
    switch (CommandLine::helpOrVersion(kOptions, arguments)) {
    case CommandLine::Request::Help:
        result.action = RelayOptions::Action::ShowHelp;
        return result;
    case CommandLine::Request::Version:
        result.action = RelayOptions::Action::ShowVersion;
        return result;
    case CommandLine::Request::Run:
        break;
    }

    QList<Setting> commandLine;
    const QString error = readCommandLine(arguments, commandLine);
    if (!error.isEmpty())
        return failure(error);

    QList<Setting> settings;
    QString configFile;
    for (const Setting &setting : std::as_const(commandLine)) {
        if (setting.key == u"config")
            configFile = setting.value;
    }
    if (!configFile.isEmpty()) {
        const QString fileError = readConfigFile(configFile, settings);
        if (!fileError.isEmpty())
            return failure(fileError);
    }
    // A list given on the command line replaces the file's, as any other setting does.
    const auto onCommandLine = [&commandLine](const QString &key) {
        return std::any_of(commandLine.cbegin(), commandLine.cend(),
            [&key](const Setting &setting) { return setting.key == key; });
    };
    for (const QString &list : {QStringLiteral("allow"), QStringLiteral("ws-origin"),
             QStringLiteral("expect"), QStringLiteral("udp-target"), QStringLiteral("osc-types")}) {
        if (onCommandLine(list))
            settings.removeIf([&list](const Setting &setting) { return setting.key == list; });
    }
    for (const Setting &setting : std::as_const(commandLine)) {
        if (setting.key != u"config")
            settings.append(setting);
    }
    // Where the settings checked together below were given (last).
    QString limitsOrigin; // the later of the two limits
    QHash<QString, QString> origins;
    for (const Setting &setting : std::as_const(settings)) {
        const QString problem = applySetting(result.config, setting.key, setting.value);
        if (!problem.isEmpty())
            return failure(setting.origin + QStringLiteral(": ") + problem);
        if (setting.key == u"max-message-bytes" || setting.key == u"max-client-buffer")
            limitsOrigin = setting.origin;
        origins.insert(setting.key, setting.origin);
    }
    // A file's line is named; an option names itself.
    const auto named = [](const QString &origin, const QString &problem) {
        return origin.startsWith(u'-') ? problem : origin + QStringLiteral(": ") + problem;
    };
    const MqttSettings &mqtt = result.config.mqtt;
    if (MqttSettings::hasWildcards(mqtt.topic) && mqtt.direction != MqttSettings::Direction::In)
        return failure(named(origins.value(QStringLiteral("mqtt-topic")),
            QStringLiteral("--mqtt-topic %1: a topic with the wildcards + or # can only be "
                           "listened to: add --mqtt-direction in, or name one topic")
                .arg(mqtt.topic)));
    // Settings that would do nothing, with a broker (without one they are only kept).
    if (mqtt.isEnabled() && !mqtt.passwordFile.isEmpty() && mqtt.user.isEmpty())
        return failure(named(origins.value(QStringLiteral("mqtt-password-file")),
            QStringLiteral("--mqtt-password-file needs --mqtt-user: a broker takes a password "
                           "only with a user name")));
    const auto broker = MqttSettings::brokerFromUrl(mqtt.url);
    if (!mqtt.caFile.isEmpty() && broker && !broker->tls)
        return failure(named(origins.value(QStringLiteral("mqtt-ca")),
            QStringLiteral("--mqtt-ca is for a broker reached with TLS: write mqtts://%1")
                .arg(broker->displayName())));
    const QString limitsProblem = relayLimitsProblem(result.config);
    if (!limitsProblem.isEmpty())
        return failure(named(limitsOrigin, limitsProblem));
    if (origins.contains(QStringLiteral("list-relays")))
        result.action = RelayOptions::Action::ListRelays;
    return result;
}

QString relayLimitsProblem(const RelayConfig &config)
{
    if (config.maxMessageBytes <= config.maxClientBuffer)
        return {};
    return QStringLiteral("--max-message-bytes %1 is more than --max-client-buffer %2: one message "
                          "that long would disconnect every client it goes to as not reading")
        .arg(config.maxMessageBytes)
        .arg(config.maxClientBuffer);
}

QString relayOptionsHelp(const QString &program)
{
    QString help = QStringLiteral("Usage: %1 [options] [IP] [PORT]\n\n").arg(program);
    help += HelpText::paragraph(
        QStringLiteral("SocketServer relays messages between programs for interactive exhibits: "
                       "every message any client sends reaches every connected client, the "
                       "sender included. A message is a line of text (or any bytes) ended by a "
                       "newline or a NUL. Clients connect over TCP: kiosk apps, Flash/AIR, "
                       "Unity, TouchDesigner, telnet, the serial relay for an Arduino; web pages "
                       "over WebSocket (--ws-port); programs on this machine over a local socket "
                       "(--local)."));
    help += QStringLiteral("\nOptions:\n");
    help += CommandLine::optionsHelp(kOptions);
    help += QStringLiteral(
        "\nOptions of the original SocketServer (letter case does not matter):\n");
    for (const auto &legacy : kLegacyHelp)
        help += HelpText::option(QLatin1String(legacy[0]), QLatin1String(legacy[1]));
    help += QStringLiteral(
        "\nExamples:\n"
        "  %1 -v                     verbose, on localhost port 6780\n"
        "  %1 192.168.1.20 5783      on that address of this machine, port 5783\n"
        "  %1 -r -e 0                on the LAN address, messages end with NUL\n"
        "  %1 --bind any --no-echo   on every interface, no echo to the sender\n"
        "  %1 --config exhibit.ini   settings from a file\n"
        "  %1 --bind any --ws-port 6781\n"
        "                            also web pages: open http://THIS-MACHINE:6781/\n"
        "  %1 -r --expect kiosk3=192.168.1.23\n"
        "                            log when kiosk3 has been away for 2 minutes\n"
        "  %1 -r --mqtt mqtt://broker.local --mqtt-topic museum/gallery2\n"
        "                            share messages with the relays of other rooms\n"
        "  %1 --bind any --udp-port 7000 --osc\n"
        "                            also OSC tools (TouchDesigner, Max, Pure Data)\n"
        "  %1 --bind any --name \"Gallery 2\"\n"
        "                            clients find it as \"Gallery 2\" (Bonjour)\n"
        "  %1 --list-relays          where are the relays on this network?\n"
        "\nTry it: run %1 -v, then in another terminal \"nc localhost 6780\" (or\n"
        "\"telnet localhost 6780\") and type a line: it comes back, and every other\n"
        "client gets it too. Stop the server with Ctrl+C.\n")
                .arg(program);
    return help;
}

QList<QPair<QString, QString>> relaySettings(const RelayConfig &config)
{
    QList<QPair<QString, QString>> settings;
    for (const OptionSpec &spec : kOptions) {
        const QString key = QLatin1String(spec.key);
        const QStringList values = configFileValues(config, key);
        for (const QString &value : values)
            settings.append({key, value});
    }
    return settings;
}

QString relayConfigFileText(const RelayConfig &config)
{
    // Texts are quoted, so that spaces at either end survive the reader's trimming.
    static const QStringList texts = {QStringLiteral("heartbeat-message"),
        QStringLiteral("welcome"), QStringLiteral("alarm-message"), QStringLiteral("log-file"),
        QStringLiteral("mqtt-topic"), QStringLiteral("mqtt-user"), QStringLiteral("name")};
    QString text = QStringLiteral("# SocketServer settings: socketserver --config THIS_FILE\n"
                                  "# One \"key = value\" per line; the keys are the long options "
                                  "(socketserver --help).\n");
    const auto settings = relaySettings(config);
    for (const auto &[key, value] : settings) {
        text += key + QStringLiteral(" = ") + (texts.contains(key) ? u'"' + value + u'"' : value)
            + u'\n';
    }
    return text;
}
