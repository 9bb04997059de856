// The UDP port (--udp-port) and OSC (--osc) on the relay, with real sockets on loopback: a
// RelayServer in the test process, QUdpSocket peers and targets, QTcpSocket clients. Datagrams
// become messages and messages become datagrams; peers come, are forgotten and are refused
// under the same limits as connections; every drop is counted and logged once.
#include "netaddress.h"
#include "osccodec.h"
#include "relayfixture.h"
#include "relayserver.h"
#include "udpsession.h"

#include "categorylog.h"
#include "requiretool.h"
#include "testprocess.h"

#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QUdpSocket>
#include <QtEndian>

#include <optional>

namespace {

using Datagrams = QList<QByteArray>;

RelayConfig testConfig()
{
    RelayConfig config;
    config.port = 0;
    config.udpEnabled = true;
    config.udpPort = 0;
    return config;
}

RelayConfig oscConfig()
{
    RelayConfig config = testConfig();
    config.osc = true;
    return config;
}

// A program on the UDP port: a socket on loopback that sends datagrams and keeps the ones it
// gets. received() reads them straight from the socket, so that once a datagram sent after
// them has arrived elsewhere, what it has not got was not sent to it.
class UdpPeer
{
public:
    explicit UdpPeer(const QHostAddress &address = QHostAddress(QHostAddress::LocalHost))
        : m_address(address)
    {
        m_bound = m_socket.bind(address, 0);
    }

    bool isBound() const { return m_bound; }
    quint16 port() const { return m_socket.localPort(); }
    /// Sends @p datagram to the relay's UDP port @p port, on this peer's address family.
    void send(const QByteArray &datagram, quint16 port)
    {
        m_socket.writeDatagram(datagram, m_address, port);
    }
    Datagrams received()
    {
        while (m_socket.hasPendingDatagrams())
            m_received.append(m_socket.receiveDatagram().data());
        return m_received;
    }

private:
    QHostAddress m_address;
    QUdpSocket m_socket;
    bool m_bound = false;
    Datagrams m_received;
};

QByteArray encodeOsc(const QByteArray &line, const QList<OscCodec::TypeRule> &rules = {})
{
    OscCodec codec(rules);
    QByteArray datagram;
    if (!codec.encode(line, datagram))
        qFatal("not an OSC message: %s", line.constData());
    return datagram;
}

// The lines OscCodec reads in @p datagram, or "(malformed: why)".
QByteArrayList decodeOsc(const QByteArray &datagram)
{
    OscCodec codec;
    MessageBatch batch;
    const OscCodec::Error error = codec.decode(datagram, batch);
    if (error != OscCodec::Error::None)
        return {"(malformed: " + QString(OscCodec::errorText(error)).toUtf8() + ')'};
    QByteArrayList lines;
    for (qsizetype i = 0; i < batch.count(); ++i)
        lines.append(batch.payload(i).toByteArray());
    return lines;
}

// An OSC bundle (time tag "immediately") of @p elements.
QByteArray oscBundle(const QByteArrayList &elements)
{
    QByteArray bundle("#bundle\0\0\0\0\0\0\0\0\1", 16);
    for (const QByteArray &element : elements) {
        char size[4];
        qToBigEndian<qint32>(qint32(element.size()), size);
        bundle += QByteArray(size, 4) + element;
    }
    return bundle;
}

// The client in relay().clients() with address @p address and port @p port.
std::optional<ClientInfo> findClient(
    RelayServer &relay, quint16 port, const QHostAddress &address = QHostAddress::LocalHost)
{
    const QList<ClientInfo> clients = relay.clients();
    for (const ClientInfo &client : clients) {
        if (client.port == port && client.address == address)
            return client;
    }
    return std::nullopt;
}

// True when @p received holds "prefix:0" .. "prefix:count-1", in order, among other lines.
bool hasEveryLineInOrder(const QByteArray &received, const QByteArray &prefix, int count)
{
    int next = 0;
    const QList<QByteArray> lines = received.split('\n');
    for (const QByteArray &line : lines) {
        if (!line.startsWith(prefix + ':'))
            continue;
        if (line.mid(prefix.size() + 1).toInt() != next)
            return false;
        ++next;
    }
    return next == count;
}

} // namespace

class tst_UdpRelay : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    // Datagrams to messages, text mode.
    void datagramLinesAreMessages_data();
    void datagramLinesAreMessages();
    // Messages to datagrams.
    void messagesGoToTargetsAndPeers_data();
    void messagesGoToTargetsAndPeers();
    void silentPeerIsForgotten();
    // Refusals and drops.
    void notAllowedSenderIsRefused();
    void sendersTakeNoClientSlot();
    void newcomerReplacesTheQuietestSender();
    void oversizeLineIsDropped();
    void datagramTooBigForThePathIsNotSent();
    void safeDatagramBytes_data();
    void safeDatagramBytes();
    // OSC.
    void oscDatagramReachesTcpClients_data();
    void oscDatagramReachesTcpClients();
    void oscsendReachesTcpClients();
    void lineReachesOscPeerAsOsc();
    void lineNotOscIsNotSentToOscPeers_data();
    void lineNotOscIsNotSentToOscPeers();
    void oscTypesForceTheTypes();
    void malformedOscDatagramIsDropped();
    void oversizeOscMessageIsDropped();
    void dropLogIsBoundedForManySenders();
    // The peer's life and the relay's.
    void kickedPeerComesBackAsNewPeer();
    void ipv6PeerAndTarget();
    void udpPortInUse();
    void targetOfTheOtherFamily();
    void refusalLogOfManyAddressesIsBounded();
    void targetOnTheRelaysOwnPort_data();
    void targetOnTheRelaysOwnPort();
    void countersAndStop();
    void burstOfDatagramsLeavesTcpServed();

private:
    RelayServer &relay() { return m_fixture.relay(); }
    TestPeer &peer(int i) { return m_fixture.peer(i); }

    RelayFixture m_fixture;
};

void tst_UdpRelay::initTestCase()
{
    CategoryLog::install("socketserver.clients"); // refusals and drops are logged there
}

// Any other warning (Qt's on misuse of a socket, the relay's) is a failure.
void tst_UdpRelay::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    CategoryLog::lines.clear();
}

void tst_UdpRelay::cleanup()
{
    m_fixture.reset();
}

void tst_UdpRelay::datagramLinesAreMessages_data()
{
    QTest::addColumn<QString>("eol");
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QByteArray>("tcpReceives");
    QTest::addColumn<int>("messages");

    QTest::newRow("lf") << "auto" << QByteArray("a\nb\nc\n") << QByteArray("a\nb\nc\n") << 3;
    QTest::newRow("crlf") << "auto" << QByteArray("a\r\nb\r\n") << QByteArray("a\nb\n") << 2;
    QTest::newRow("nul") << "auto" << QByteArray("a\0b\0", 4) << QByteArray("a\nb\n") << 2;
    QTest::newRow("mixed") << "auto" << QByteArray("a\nb\r\nc\0d", 8) << QByteArray("a\nb\nc\nd\n")
                           << 4;
    QTest::newRow("empty lines skipped")
        << "auto" << QByteArray("\n\na\r\n\r\n\0\nb\n\n", 12) << QByteArray("a\nb\n") << 2;
    QTest::newRow("no line ending")
        << "auto" << QByteArray("one message") << QByteArray("one message\n") << 1;
    QTest::newRow("last line unended") << "auto" << QByteArray("a\nb") << QByteArray("a\nb\n") << 2;
    QTest::newRow("lone cr is data") << "auto" << QByteArray("a\rb\n") << QByteArray("a\rb\n") << 1;
    QTest::newRow("exact crlf") << "crlf" << QByteArray("a\r\nb\nc\r\nd")
                                << QByteArray("a\r\nb\nc\r\nd\r\n") << 3;
    QTest::newRow("exact 0,14") << "0,14"
                                << QByteArray("a\0\x0e"
                                              "b\0c\n\0\x0e\0\x0e",
                                       11)
                                << QByteArray("a\0\x0e"
                                              "b\0c\n\0\x0e",
                                       9)
                                << 2;
}

// Each non-empty line of a datagram is one message to a TCP client; the last needs no ending.
void tst_UdpRelay::datagramLinesAreMessages()
{
    QFETCH(QString, eol);
    QFETCH(QByteArray, datagram);
    QFETCH(QByteArray, tcpReceives);
    QFETCH(int, messages);
    RelayConfig config = testConfig();
    config.terminator = *Terminator::fromName(eol);
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    UdpPeer sender;
    sender.send(datagram, relay().udpPort());
    QTRY_COMPARE(peer(0).received(), tcpReceives);
    QCOMPARE(relay().stats().messagesIn, messages);
    QCOMPARE(relay().stats().clientsAccepted[ClientInfo::Kind::Udp], 1);
}

void tst_UdpRelay::messagesGoToTargetsAndPeers_data()
{
    QTest::addColumn<bool>("echo");
    QTest::newRow("echo") << true;
    QTest::newRow("no echo") << false;
}

// Each relayed message is one datagram, without its line ending, to each --udp-target and to
// each peer heard lately; the sending peer gets its own back as RelayConfig::echo says.
void tst_UdpRelay::messagesGoToTargetsAndPeers()
{
    QFETCH(bool, echo);
    UdpPeer target1;
    UdpPeer target2;
    RelayConfig config = testConfig();
    config.echo = echo;
    config.udpTargets = {{QHostAddress(QHostAddress::LocalHost), target1.port()},
        {QHostAddress(QHostAddress::LocalHost), target2.port()}};
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    QCOMPARE(relay().clientCount(), 3); // the targets are there from the start

    UdpPeer talker;
    talker.send("hello", relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("hello\n"));
    peer(0).send("one\ntwo\r\n");

    const Datagrams all{"hello", "one", "two"};
    QTRY_COMPARE(target1.received(), all);
    QTRY_COMPARE(target2.received(), all);
    QTRY_COMPARE(talker.received(), (echo ? all : Datagrams{"one", "two"}));
    QCOMPARE(relay().stats().messagesIn, 3);
}

// A peer silent for --udp-peer-seconds is forgotten (Silent) and gets nothing more; a target
// is never forgotten; a forgotten peer that talks again is a new peer.
void tst_UdpRelay::silentPeerIsForgotten()
{
    UdpPeer target;
    RelayConfig config = testConfig();
    config.udpPeerSeconds = 1;
    config.udpTargets = {{QHostAddress(QHostAddress::LocalHost), target.port()}};
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    QSignalSpy came(&relay(), &RelayServer::clientConnected);
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);

    UdpPeer talker;
    talker.send("hello", relay().udpPort());
    QTRY_COMPARE(came.count(), 1);
    const auto first = came.takeFirst().at(0).value<ClientInfo>();
    QCOMPARE(first.port, talker.port());

    QTRY_COMPARE_WITH_TIMEOUT(gone.count(), 1, 10000);
    const auto forgotten = gone.first().at(0).value<ClientInfo>();
    QCOMPARE(forgotten.id, first.id);
    QCOMPARE(gone.first().at(1).toString(), QStringLiteral("silent for 1 s (--udp-peer-seconds)"));
    QCOMPARE(relay().stats().clientsDisconnected[Disconnect::Silent], 1);
    // The target, silent for longer, stays.
    QVERIFY(findClient(relay(), target.port()));
    QVERIFY(!findClient(relay(), talker.port()));

    peer(0).send("after\n");
    QTRY_COMPARE(target.received(), (Datagrams{"hello", "after"}));
    QCOMPARE(talker.received(), Datagrams{"hello"});

    talker.send("again", relay().udpPort());
    QTRY_COMPARE(came.count(), 1);
    QVERIFY(came.first().at(0).value<ClientInfo>().id > first.id);
    QTRY_COMPARE(talker.received(), (Datagrams{"hello", "again"}));
    QCOMPARE(relay().stats().clientsAccepted[ClientInfo::Kind::Udp], 3); // target, twice talker
    QCOMPARE(gone.count(), 1);
}

// Datagrams from outside the allow list are dropped, counted, and logged once per 5 s.
void tst_UdpRelay::notAllowedSenderIsRefused()
{
    UdpPeer target; // admitted by the configuration, not by the allow list
    RelayConfig config = testConfig();
    config.allow.append(QHostAddress::parseSubnet(QStringLiteral("10.0.0.0/8")));
    config.udpTargets = {{QHostAddress(QHostAddress::LocalHost), target.port()}};
    QVERIFY2(m_fixture.start(config, 0), qPrintable(relay().errorString()));

    UdpPeer stranger;
    constexpr int kDatagrams = 20;
    for (int i = 0; i < kDatagrams; ++i)
        stranger.send("let me in " + QByteArray::number(i) + '\n', relay().udpPort());
    QTRY_COMPARE(relay().stats().clientsRefused[Refusal::NotAllowed], kDatagrams);
    relay().broadcast("marker"); // after every refused datagram
    QTRY_COMPARE(target.received(), Datagrams{"marker"});
    QCOMPARE(stranger.received(), Datagrams{});
    QCOMPARE(relay().clientCount(), 1);
    QCOMPARE(relay().stats().messagesIn, 0);
    QCOMPARE(CategoryLog::count(QStringLiteral("refused")), 1);
    QCOMPARE(CategoryLog::count(QStringLiteral("refused 127.0.0.1 - not in the allow list")), 1);
}

// UDP peers take no --max-clients slot: with the relay full of TCP clients a new sender is
// still heard, and a TCP newcomer is still refused.
void tst_UdpRelay::sendersTakeNoClientSlot()
{
    RelayConfig config = testConfig();
    config.maxClients = 2;
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));

    UdpPeer sender;
    sender.send("room for me?", relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("room for me?\n"));
    QTRY_COMPARE(peer(1).received(), QByteArray("room for me?\n"));
    QTRY_COMPARE(sender.received(), Datagrams{"room for me?"});
    QCOMPARE(relay().clientCount(), 3);

    QTcpSocket late;
    late.connectToHost(QHostAddress::LocalHost, relay().port());
    QTRY_COMPARE(relay().stats().clientsRefused[Refusal::Full], 1);
    QCOMPARE(relay().clientCount(), 3);
}

// Besides the targets, the port keeps as many senders as --max-clients: a newcomer beyond that
// makes it forget the one silent the longest (Silent), logged once per 10 s; targets stay.
void tst_UdpRelay::newcomerReplacesTheQuietestSender()
{
    UdpPeer target;
    RelayConfig config = testConfig();
    config.maxClients = 2;
    config.udpTargets = {{QHostAddress(QHostAddress::LocalHost), target.port()}};
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);

    UdpPeer first;
    UdpPeer second;
    first.send("first", relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("first\n"));
    second.send("second", relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("first\nsecond\n"));
    QCOMPARE(relay().clientCount(), 4); // the TCP client, the target, two senders

    UdpPeer third;
    third.send("third", relay().udpPort());
    QTRY_COMPARE(gone.count(), 1);
    QCOMPARE(gone.first().at(0).value<ClientInfo>().port, first.port());
    QCOMPARE(gone.first().at(1).toString(),
        QStringLiteral("forgotten for a newcomer: too many programs heard from"));
    QTRY_COMPARE(third.received(), Datagrams{"third"});
    QCOMPARE(relay().stats().clientsDisconnected[Disconnect::Silent], 1);

    UdpPeer fourth;
    fourth.send("fourth", relay().udpPort());
    QTRY_COMPARE(gone.count(), 2);
    QCOMPARE(gone.at(1).at(0).value<ClientInfo>().port, second.port());
    QTRY_COMPARE(target.received(), (Datagrams{"first", "second", "third", "fourth"}));
    QVERIFY(findClient(relay(), target.port()));
    QCOMPARE(relay().clientCount(), 4);
    QCOMPARE(CategoryLog::count(QStringLiteral("programs were heard from on the UDP port")), 1);
    QCOMPARE(CategoryLog::count(QStringLiteral("2 programs were heard from on the UDP port within "
                                               "--udp-peer-seconds, the most --max-clients "
                                               "allows: forgetting the one silent the longest, "
                                               "udp 127.0.0.1:%1, for a newcomer")
                                    .arg(first.port())),
        1);
}

// A line over --max-message-bytes is dropped and counted, logged once per 10 s; the rest of
// its datagram is relayed.
void tst_UdpRelay::oversizeLineIsDropped()
{
    RelayConfig config = testConfig();
    config.maxMessageBytes = 10;
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));

    UdpPeer sender;
    const QByteArray longLine(11, 'x');
    sender.send("short\n" + longLine + "\nalso\n" + longLine, relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("short\nalso\n"));
    sender.send(longLine + "\n0123456789", relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("short\nalso\n0123456789\n"));

    const auto client = findClient(relay(), sender.port());
    QVERIFY(client);
    QCOMPARE(client->droppedMessages, 3);
    QCOMPARE(client->messagesIn, 3);
    QCOMPARE(relay().stats().messagesDropped, 3);
    QCOMPARE(CategoryLog::count(QStringLiteral("dropped")), 1);
    QCOMPARE(
        CategoryLog::count(QStringLiteral("udp 127.0.0.1:%1: dropped a line longer than 10 bytes "
                                          "(--max-message-bytes)")
                               .arg(sender.port())),
        1);
}

// A message over the path's safe datagram size is not sent to a UDP peer: counted, one log
// line for that peer however many; smaller ones still go.
void tst_UdpRelay::datagramTooBigForThePathIsNotSent()
{
    RelayConfig config = testConfig();
    config.maxMessageBytes = 128 * 1024; // so that TCP clients may send them
    config.maxClientBuffer = 16 * 1024 * 1024;
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));

    UdpPeer listener;
    listener.send("hello", relay().udpPort());
    QTRY_COMPARE(listener.received(), Datagrams{"hello"});

    const QByteArray biggest(65507, 'z'); // loopback's safe size
    peer(0).send(QByteArray(70000, 'x') + '\n' + QByteArray(70000, 'y') + '\n' + biggest + '\n'
        + QByteArray(65508, 'w') + '\n' + "small\n");
    QTRY_COMPARE(listener.received(), (Datagrams{"hello", biggest, "small"}));

    const auto client = findClient(relay(), listener.port());
    QVERIFY(client);
    QCOMPARE(client->unsentMessages, 3);
    QCOMPARE(client->messagesOut, 3);
    QCOMPARE(relay().stats().messagesUnsent, 3);
    QCOMPARE(CategoryLog::count(QStringLiteral("not sending")), 1);
    QCOMPARE(CategoryLog::count(
                 QStringLiteral("not sending a datagram of 70000 bytes to udp 127.0.0.1:%1: "
                                "more than the 65507 bytes that reach it whole")
                     .arg(listener.port())),
        1);
    // The TCP client takes them all, the listener's "hello" first.
    QTRY_COMPARE(peer(0).received().size(), 6 + 70001 * 2 + 65508 + 65509 + 6);
    QCOMPARE(relay().stats().messagesOut, 6 + 3); // the unsent ones are not counted as out
}

void tst_UdpRelay::safeDatagramBytes_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<qsizetype>("bytes");
    QTest::newRow("loopback") << "127.0.0.1" << qsizetype(65507);
    QTest::newRow("beyond a router") << "203.0.113.5" << qsizetype(1472); // TEST-NET-3
}

// Computed only: nothing is sent anywhere.
void tst_UdpRelay::safeDatagramBytes()
{
    QFETCH(QString, address);
    QFETCH(qsizetype, bytes);
    QCOMPARE(
        UdpSession::safeDatagramBytes(QHostAddress(address), QNetworkInterface::allInterfaces()),
        bytes);
}

void tst_UdpRelay::oscDatagramReachesTcpClients_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QByteArray>("tcpReceives");

    QTest::newRow("message") << encodeOsc("/a 1 2.5 hi") << QByteArray("/a 1 2.5 hi\n");
    QTest::newRow("bundle") << oscBundle(
        {encodeOsc("/first 1"), encodeOsc("/second \"two words\""), encodeOsc("/third true")})
                            << QByteArray("/first 1\n/second \"two words\"\n/third true\n");
    QTest::newRow("nested bundle") << oscBundle(
        {encodeOsc("/first"), oscBundle({encodeOsc("/second 2")}), encodeOsc("/third")})
                                   << QByteArray("/first\n/second 2\n/third\n");
}

// An OSC datagram reaches TCP clients as its text lines, a bundle's in order.
void tst_UdpRelay::oscDatagramReachesTcpClients()
{
    QFETCH(QByteArray, datagram);
    QFETCH(QByteArray, tcpReceives);
    QVERIFY2(m_fixture.start(oscConfig(), 1), qPrintable(relay().errorString()));
    UdpPeer sender;
    sender.send(datagram, relay().udpPort());
    QTRY_COMPARE(peer(0).received(), tcpReceives);
    QCOMPARE(relay().stats().messagesIn, tcpReceives.count('\n'));
    QCOMPARE(relay().stats().clientsAccepted[ClientInfo::Kind::Osc], 1);
    QCOMPARE(relay().stats().clientsAccepted[ClientInfo::Kind::Udp], 0);
    QCOMPARE(relay().clients().last().kind, ClientInfo::Kind::Osc);
}

// liblo's oscsend, a real OSC program, is heard.
void tst_UdpRelay::oscsendReachesTcpClients()
{
    const QString oscsend = QStandardPaths::findExecutable(QStringLiteral("oscsend"));
    REQUIRE_TOOL(!oscsend.isEmpty(), "liblo-tools", "oscsend, from liblo");
    QVERIFY2(m_fixture.start(oscConfig(), 1), qPrintable(relay().errorString()));
    const ProgramResult sent = runToEnd(oscsend,
        {QStringLiteral("127.0.0.1"), QString::number(relay().udpPort()), QStringLiteral("/scene"),
            QStringLiteral("sifT"), QStringLiteral("the end"), QStringLiteral("3"),
            QStringLiteral("0.5")});
    QVERIFY2(sent.exitCode == 0, qPrintable(sent.err));
    QTRY_COMPARE(peer(0).received(), QByteArray("/scene \"the end\" 3 0.5 true\n"));
}

// A TCP line that is an OSC message reaches an OSC peer as that OSC datagram.
void tst_UdpRelay::lineReachesOscPeerAsOsc()
{
    QVERIFY2(m_fixture.start(oscConfig(), 1), qPrintable(relay().errorString()));
    UdpPeer oscPeer;
    oscPeer.send(encodeOsc("/hello"), relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("/hello\n"));

    peer(0).send("/a 1 2.5 hi\n");
    QTRY_COMPARE(oscPeer.received().size(), 2);
    const QByteArray datagram = oscPeer.received().at(1);
    QCOMPARE(decodeOsc(datagram), QByteArrayList{"/a 1 2.5 hi"});
    QCOMPARE(datagram, QByteArray("/a\0\0,ifs\0\0\0\0\0\0\0\1\x40\x20\0\0hi\0\0", 24));
}

void tst_UdpRelay::lineNotOscIsNotSentToOscPeers_data()
{
    QTest::addColumn<bool>("osc");
    QTest::addColumn<Datagrams>("peerReceives");
    QTest::addColumn<int>("messagesOut"); // all three to the TCP client, and the peer's
    QTest::newRow("osc") << true << Datagrams{encodeOsc("/hello"), encodeOsc("/marker")} << 5;
    QTest::newRow("text") << false << Datagrams{"/hello", "plain words", "/marker"} << 6;
}

// A line not starting with '/' goes to no OSC peer (a text-mode UDP port sends it).
void tst_UdpRelay::lineNotOscIsNotSentToOscPeers()
{
    QFETCH(bool, osc);
    QFETCH(Datagrams, peerReceives);
    QFETCH(int, messagesOut);
    QVERIFY2(
        m_fixture.start(osc ? oscConfig() : testConfig(), 1), qPrintable(relay().errorString()));
    UdpPeer udpPeer;
    udpPeer.send(peerReceives.first(), relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("/hello\n"));
    peer(0).send("plain words\n/marker\n");
    QTRY_COMPARE(udpPeer.received(), peerReceives);
    const auto client = findClient(relay(), udpPeer.port());
    QVERIFY(client);
    QCOMPARE(client->messagesOut, peerReceives.size());
    QTRY_COMPARE(peer(0).received(), QByteArray("/hello\nplain words\n/marker\n"));
    QCOMPARE(relay().stats().messagesOut, messagesOut); // what was sent, not what was relayed
}

// --osc-types types the arguments of the messages to its address; others are typed by look.
void tst_UdpRelay::oscTypesForceTheTypes()
{
    RelayConfig config = oscConfig();
    config.oscTypes = {*OscCodec::parseTypeRule(u"/level=dhS")};
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    UdpPeer oscPeer;
    oscPeer.send(encodeOsc("/hello"), relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("/hello\n"));

    peer(0).send("/level 1 2 3 4\n/other 1 2 3 4\n");
    QTRY_COMPARE(oscPeer.received().size(), 3);
    const QByteArray forced = oscPeer.received().at(1);
    QCOMPARE(forced.mid(8, 8), QByteArray(",dhSi\0\0\0", 8));
    QCOMPARE(decodeOsc(forced), QByteArrayList{"/level 1.0 2 \"3\" 4"});
    const QByteArray byLook = oscPeer.received().at(2);
    QCOMPARE(byLook.mid(8, 8), QByteArray(",iiii\0\0\0", 8));
    QCOMPARE(decodeOsc(byLook), QByteArrayList{"/other 1 2 3 4"});
}

// A datagram that is not OSC 1.0 is dropped and counted; two within 10 s give one log line; the
// peer's good datagrams are still relayed.
void tst_UdpRelay::malformedOscDatagramIsDropped()
{
    QVERIFY2(m_fixture.start(oscConfig(), 1), qPrintable(relay().errorString()));
    UdpPeer sender;
    sender.send(encodeOsc("/ok 1"), relay().udpPort());
    sender.send("not osc\n", relay().udpPort());
    sender.send(encodeOsc("/ok 2") + QByteArray(4, '\0'), relay().udpPort()); // trailing bytes
    sender.send(encodeOsc("/ok 3"), relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("/ok 1\n/ok 3\n"));

    const auto client = findClient(relay(), sender.port());
    QVERIFY(client);
    QCOMPARE(client->malformedDatagrams, 2);
    QCOMPARE(client->messagesIn, 2);
    QCOMPARE(relay().stats().datagramsMalformed, 2);
    QCOMPARE(relay().stats().messagesDropped, 0);
    QCOMPARE(CategoryLog::count(QStringLiteral("dropped")), 1);
    QCOMPARE(CategoryLog::count(
                 QStringLiteral("osc 127.0.0.1:%1: dropped a datagram that is not OSC 1.0 (")
                     .arg(sender.port())),
        1);
}

// --max-message-bytes holds in OSC mode too: a message whose line is longer is dropped and
// counted, the others of its bundle relayed.
void tst_UdpRelay::oversizeOscMessageIsDropped()
{
    RelayConfig config = oscConfig();
    config.maxMessageBytes = 10;
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    UdpPeer sender;
    sender.send(oscBundle({encodeOsc("/short 1"), encodeOsc("/long 123456"), encodeOsc("/ok")}),
        relay().udpPort());
    sender.send(encodeOsc("/blob <0102030405>"), relay().udpPort());
    sender.send(encodeOsc("/last"), relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("/short 1\n/ok\n/last\n"));

    const auto client = findClient(relay(), sender.port());
    QVERIFY(client);
    QCOMPARE(client->droppedMessages, 2);
    QCOMPARE(client->messagesIn, 3);
    QCOMPARE(client->malformedDatagrams, 0);
    QCOMPARE(relay().stats().messagesDropped, 2);
    QCOMPARE(CategoryLog::count(QStringLiteral("dropped")), 1);
    QCOMPARE(
        CategoryLog::count(QStringLiteral("osc 127.0.0.1:%1: dropped a line longer than 10 bytes "
                                          "(--max-message-bytes)")
                               .arg(sender.port())),
        1);
}

// A program that sends each datagram from a new port is a new peer each time: its garbage is
// still logged once per 10 s for the whole port, not once per peer.
void tst_UdpRelay::dropLogIsBoundedForManySenders()
{
    QVERIFY2(m_fixture.start(oscConfig(), 1), qPrintable(relay().errorString()));
    constexpr int kSenders = 20;
    for (int i = 0; i < kSenders; ++i) {
        UdpPeer sender;
        sender.send("garbage " + QByteArray::number(i), relay().udpPort());
        QTRY_COMPARE(relay().stats().datagramsMalformed, i + 1);
    }
    QCOMPARE(relay().stats().clientsAccepted[ClientInfo::Kind::Osc], kSenders);
    QCOMPARE(CategoryLog::count(QStringLiteral("dropped")), 1);
}

// disconnectClient() forgets a peer (Kicked); when it talks again it is a new peer.
void tst_UdpRelay::kickedPeerComesBackAsNewPeer()
{
    QVERIFY2(m_fixture.start(testConfig(), 1), qPrintable(relay().errorString()));
    QSignalSpy came(&relay(), &RelayServer::clientConnected);
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    UdpPeer udpPeer;
    udpPeer.send("hello", relay().udpPort());
    QTRY_COMPARE(came.count(), 1);
    const quint64 id = came.takeFirst().at(0).value<ClientInfo>().id;
    QTRY_COMPARE(udpPeer.received(), Datagrams{"hello"});

    QVERIFY(relay().disconnectClient(id));
    QTRY_COMPARE(gone.count(), 1);
    QCOMPARE(gone.first().at(0).value<ClientInfo>().id, id);
    QCOMPARE(relay().stats().clientsDisconnected[Disconnect::Kicked], 1);
    QCOMPARE(relay().clientCount(), 1);

    udpPeer.send("back", relay().udpPort());
    QTRY_COMPARE(came.count(), 1);
    const auto comeback = came.first().at(0).value<ClientInfo>();
    QCOMPARE(comeback.port, udpPeer.port());
    QVERIFY(comeback.id != id);
    QTRY_COMPARE(peer(0).received(), QByteArray("hello\nback\n"));
    QTRY_COMPARE(udpPeer.received(), (Datagrams{"hello", "back"}));
}

// On the default bind (127.0.0.1 and ::1) a peer on ::1 works both ways, and so does a target.
void tst_UdpRelay::ipv6PeerAndTarget()
{
    UdpPeer v6Peer(QHostAddress::LocalHostIPv6);
    UdpPeer v6Target(QHostAddress::LocalHostIPv6);
    if (!v6Peer.isBound() || !v6Target.isBound())
        QSKIP("no IPv6 on the loopback interface");
    RelayConfig config = testConfig();
    config.udpTargets = {{QHostAddress(QHostAddress::LocalHostIPv6), v6Target.port()}};
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));

    v6Peer.send("from six", relay().udpPort());
    QTRY_COMPARE(peer(0).received(), QByteArray("from six\n"));
    QVERIFY(findClient(relay(), v6Peer.port(), QHostAddress::LocalHostIPv6));
    peer(0).send("to six\n");
    QTRY_COMPARE(v6Peer.received(), (Datagrams{"from six", "to six"}));
    QTRY_COMPARE(v6Target.received(), (Datagrams{"from six", "to six"}));
}

void tst_UdpRelay::udpPortInUse()
{
    UdpPeer squatter;
    RelayConfig config = testConfig();
    config.bind = RelayConfig::Bind::Address;
    config.address = QHostAddress::LocalHost;
    config.udpPort = squatter.port();
    QVERIFY(!m_fixture.start(config, 0));
    QCOMPARE(relay().errorString(),
        QStringLiteral("cannot use UDP port 127.0.0.1:%1: it is already in use (--udp-port "
                       "chooses another)")
            .arg(squatter.port()));
    QVERIFY(!relay().isListening());
    QCOMPARE(relay().udpPort(), 0);
}

void tst_UdpRelay::targetOfTheOtherFamily()
{
    RelayConfig config = testConfig();
    config.bind = RelayConfig::Bind::Address;
    config.address = QHostAddress::LocalHost;
    config.udpTargets = {{QHostAddress(QHostAddress::LocalHostIPv6), 9000}};
    QVERIFY(!m_fixture.start(config, 0));
    QVERIFY2(QRegularExpression(
                 QStringLiteral(
                     "^cannot send to --udp-target \\[::1\\]:9000 from the addresses listened on "
                     "\\(127\\.0\\.0\\.1:\\d+\\): it needs an IPv6 one$"))
                 .match(relay().errorString())
                 .hasMatch(),
        qPrintable(relay().errorString()));
    QVERIFY(!relay().isListening());
    QCOMPARE(relay().udpPort(), 0);
}

// Datagrams refused from more addresses than the relay remembers (forged ones, say): each is
// counted, the first 1024 addresses of a period are logged, and the others are not remembered.
void tst_UdpRelay::refusalLogOfManyAddressesIsBounded()
{
    RelayConfig config = testConfig();
    config.allow.append(QHostAddress::parseSubnet(QStringLiteral("10.0.0.0/8")));
    QVERIFY2(m_fixture.start(config, 0), qPrintable(relay().errorString()));

    constexpr int kAddresses = 1100; // 127.0.0.2 and on: all of 127/8 is this machine
    for (int i = 0; i < kAddresses; ++i) {
        const QHostAddress address(QStringLiteral("127.0.%1.%2").arg(i / 250).arg(i % 250 + 2));
        QUdpSocket sender;
        QVERIFY2(sender.bind(address, 0), qPrintable(address.toString()));
        sender.writeDatagram("let me in", QHostAddress::LocalHost, relay().udpPort());
    }
    QTRY_COMPARE(relay().stats().clientsRefused[Refusal::NotAllowed], kAddresses);
    QCOMPARE(CategoryLog::count(QStringLiteral("- not in the allow list")), 1024);
    QCOMPARE(CategoryLog::count(QStringLiteral("refused 127.0.0.2 - not in the allow list")), 1);
    QCOMPARE(relay().clientCount(), 0);
}

// A target on the relay's own UDP port would send every message back to it for ever: refused.
void tst_UdpRelay::targetOnTheRelaysOwnPort_data()
{
    QTest::addColumn<QString>("target");
    QTest::newRow("127.0.0.1") << QStringLiteral("127.0.0.1");
    QTest::newRow("::1") << QStringLiteral("::1");
}

void tst_UdpRelay::targetOnTheRelaysOwnPort()
{
    QFETCH(QString, target);
    quint16 port = 0;
    {
        QUdpSocket probe; // a port free now
        QVERIFY(probe.bind(QHostAddress::LocalHost, 0));
        port = probe.localPort();
    }
    RelayConfig config = testConfig();
    config.udpPort = port;
    config.udpTargets = {{QHostAddress(target), port}};
    QVERIFY(!m_fixture.start(config, 0));
    QCOMPARE(relay().errorString(),
        QStringLiteral("--udp-target %1 is this relay's own UDP port: every message would come "
                       "back to it for ever")
            .arg(NetAddress::endpoint(QHostAddress(target), port)));
    QVERIFY(!relay().isListening());
}

// The counters and the snapshot; the welcome message; stop() forgets every peer.
void tst_UdpRelay::countersAndStop()
{
    UdpPeer target;
    RelayConfig config = testConfig();
    config.welcome = "welcome";
    config.udpTargets = {{QHostAddress(QHostAddress::LocalHost), target.port()}};
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    QTRY_COMPARE(target.received(), Datagrams{"welcome"});
    QTRY_COMPARE(peer(0).received(), QByteArray("welcome\n"));
    const quint16 udpPort = relay().udpPort();
    QCOMPARE(relay().snapshot().udpAddresses,
        QStringList({QStringLiteral("127.0.0.1:%1").arg(udpPort),
            QStringLiteral("[::1]:%1").arg(udpPort)}));

    UdpPeer talker;
    talker.send("a\nb\n", udpPort);
    QTRY_COMPARE(talker.received(), (Datagrams{"welcome", "a", "b"}));
    peer(0).send("c\n");
    QTRY_COMPARE(talker.received(), (Datagrams{"welcome", "a", "b", "c"}));
    QTRY_COMPARE(target.received(), (Datagrams{"welcome", "a", "b", "c"}));
    QTRY_COMPARE(peer(0).received(), QByteArray("welcome\na\nb\nc\n"));

    RelayStats stats = relay().stats();
    QCOMPARE(stats.clientsAccepted[ClientInfo::Kind::Udp], 2);
    QCOMPARE(stats.clientsAccepted[ClientInfo::Kind::Tcp], 1);
    QCOMPARE(stats.messagesIn, 3);
    QCOMPARE(stats.messagesOut, 3 + 3 * 3); // the welcomes, then 3 messages to 3 clients
    const auto client = findClient(relay(), talker.port());
    QVERIFY(client);
    QCOMPARE(client->kind, ClientInfo::Kind::Udp);
    QCOMPARE(client->messagesIn, 2);
    QCOMPARE(client->bytesIn, 4);
    QCOMPARE(client->messagesOut, 4);
    QCOMPARE(client->bytesOut, qint64(QByteArray("welcomeabc").size()));
    QCOMPARE(relay().snapshot().clients[ClientInfo::Kind::Udp], 2);

    QSignalSpy stopped(&relay(), &RelayServer::stopped);
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    relay().stop();
    QTRY_COMPARE(stopped.count(), 1);
    QCOMPARE(gone.count(), 3);
    QCOMPARE(relay().clientCount(), 0);
    QCOMPARE(relay().udpPort(), 0);
    stats = relay().stats();
    QCOMPARE(stats.clientsDisconnected[Disconnect::RelayStopping], 3);
    QCOMPARE(stats.messagesIn, 3); // the peers' counts are kept
    QVERIFY(relay().snapshot().udpAddresses.isEmpty());
}

// A burst of datagrams from one peer while two TCP clients talk: every TCP line arrives, in
// order (the port reads a bounded number of datagrams per event-loop turn).
void tst_UdpRelay::burstOfDatagramsLeavesTcpServed()
{
    QVERIFY2(m_fixture.start(testConfig(), 2), qPrintable(relay().errorString()));
    UdpPeer flooder;
    constexpr int kDatagrams = 3000;
    constexpr int kTcpLines = 300;
    int tcpSent = 0;
    for (int i = 0; i < kDatagrams; ++i) {
        flooder.send(
            "udp:" + QByteArray::number(i) + ':' + QByteArray(100, 'u'), relay().udpPort());
        if (i % (kDatagrams / kTcpLines) == 0 && tcpSent < kTcpLines) {
            peer(0).send("p0:" + QByteArray::number(tcpSent) + '\n');
            peer(1).send("p1:" + QByteArray::number(tcpSent) + '\n');
            ++tcpSent;
        }
        if (i % 50 == 0)
            QCoreApplication::processEvents();
    }
    QCOMPARE(tcpSent, kTcpLines);
    for (int i = 0; i < 2; ++i) {
        QTRY_VERIFY_WITH_TIMEOUT(hasEveryLineInOrder(peer(i).received(), "p0", kTcpLines)
                && hasEveryLineInOrder(peer(i).received(), "p1", kTcpLines),
            20000);
    }
    QVERIFY(relay().stats().messagesIn > 2 * kTcpLines); // and datagrams got through too
}

QTEST_MAIN(tst_UdpRelay)
#include "tst_udprelay.moc"
