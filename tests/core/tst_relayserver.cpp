// RelayServer over real loopback sockets: echo, ordering under load, line endings per client,
// limits, welcome and heartbeat, counters and the tap, disconnecting, stopping, and listening
// (ports in use, addresses not here yet, the LAN address).
#include "netaddress.h"
#include "relayfixture.h"
#include "relayserver.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <vector>

namespace {

RelayConfig testConfig()
{
    RelayConfig config;
    config.port = 0; // the tests read the real port
    config.announce = false; // not through this machine's Bonjour (tst_bonjour tests that)
    return config;
}

} // namespace

class tst_RelayServer : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void listensOnBothLocalhostAddresses();
    void echoesToEveryClientIncludingSender();
    void noEchoLeavesSenderOut();
    void messageSplitAcrossWrites();
    void orderUnderLoad();
    void readerThatPausesGetsEverythingInOrder();
    void autoModeAnswersEachClientItsWay();
    void echoFollowsEachMessagesEnding();
    void exactTerminatorForAll();
    void bytesAreRelayedExactly();
    void unterminatedTailIsRelayedOnDisconnect();
    void maxClients();
    void welcome();
    void heartbeat();
    void oversizeMessageIsDroppedClientStays();
    void countersPerClient();
    void tapIsOffByDefault();
    void tapShowsMessagesAtABoundedRate();
    void disconnectClient();
    void disconnectClientThatDoesNotRead();
    void stopClosesClients();
    void stopEndsClientThatDoesNotRead();
    void portInUse();
    void addressNotOnThisMachine();
    void waitsForItsAddress();
    void listensOnTheLanAddress();

private:
    bool fillOutputOf(int stuck);
    RelayServer &relay() { return m_fixture.relay(); }
    TestPeer &peer(int i) { return m_fixture.peer(i); }

    RelayFixture m_fixture;
};

// Qt warns of misuse (a read on a closed socket, a connect to a missing signal): any warning
// a test does not expect is a failure.
void tst_RelayServer::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_RelayServer::cleanup()
{
    m_fixture.reset();
}

void tst_RelayServer::listensOnBothLocalhostAddresses()
{
    QVERIFY2(m_fixture.start(testConfig(), 1), qPrintable(relay().errorString()));
    const QList<QHostAddress> addresses = relay().listenAddresses();
    QVERIFY(addresses.contains(QHostAddress(QHostAddress::LocalHost)));
    if (!addresses.contains(QHostAddress(QHostAddress::LocalHostIPv6)))
        QSKIP("IPv6 is not available on this machine");

    // A client that resolves "localhost" to ::1 (as Node.js does) talks with an IPv4 one.
    TestPeer v6;
    QVERIFY(v6.connectTo(QHostAddress::LocalHostIPv6, relay().port()));
    QTRY_COMPARE(relay().clientCount(), 2);
    v6.send("from v6\n");
    QTRY_COMPARE(peer(0).received(), QByteArray("from v6\n"));
    peer(0).send("from v4\n");
    QTRY_COMPARE(v6.received(), QByteArray("from v6\nfrom v4\n"));
}

void tst_RelayServer::echoesToEveryClientIncludingSender()
{
    QVERIFY2(m_fixture.start(testConfig(), 3), qPrintable(relay().errorString()));
    peer(0).send("computer2:main:changecolor:ball27,red\n");
    for (int i = 0; i < 3; ++i)
        QTRY_COMPARE(peer(i).received(), QByteArray("computer2:main:changecolor:ball27,red\n"));
}

void tst_RelayServer::noEchoLeavesSenderOut()
{
    RelayConfig config = testConfig();
    config.echo = false;
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    peer(0).send("one\n");
    peer(1).send("two\n");
    QTRY_COMPARE(peer(1).received(), QByteArray("one\n"));
    QTRY_COMPARE(peer(0).received(), QByteArray("two\n"));
}

void tst_RelayServer::messageSplitAcrossWrites()
{
    QVERIFY2(m_fixture.start(testConfig(), 2), qPrintable(relay().errorString()));
    const QByteArray message = "byte by byte\n";
    for (const char c : message) {
        peer(0).send(QByteArray(1, c));
        QVERIFY(peer(0).socket().waitForBytesWritten(1000));
        QCoreApplication::processEvents(); // let the relay read each byte on its own
    }
    QTRY_COMPARE(peer(1).received(), message);
    QCOMPARE(peer(0).received(), message);
}

void tst_RelayServer::orderUnderLoad()
{
    // Three senders write thousands of messages in uneven chunks at once: every receiver
    // gets every message whole, and each sender's messages in the order sent.
    constexpr int kSenders = 3;
    constexpr int kMessages = 3000;
    QVERIFY2(m_fixture.start(testConfig(), kSenders + 1), qPrintable(relay().errorString()));
    for (int s = 0; s < kSenders; ++s) {
        QByteArray all;
        for (int i = 0; i < kMessages; ++i)
            all += "sender" + QByteArray::number(s) + ":" + QByteArray::number(i) + ":"
                + QByteArray(i % 50, 'x') + "\n";
        for (qsizetype at = 0; at < all.size(); at += 997)
            peer(s).send(all.mid(at, 997));
    }
    TestPeer &receiver = peer(kSenders);
    QTRY_COMPARE_WITH_TIMEOUT(receiver.received().count('\n'), kSenders * kMessages, 30000);

    std::vector<int> next(kSenders, 0);
    const QList<QByteArray> lines = receiver.received().split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        const QList<QByteArray> fields = lines.at(i).split(':');
        QCOMPARE(fields.size(), 3);
        const int s = fields.at(0).mid(6).toInt();
        const int n = fields.at(1).toInt();
        QCOMPARE(n, next[size_t(s)]);
        QCOMPARE(fields.at(2), QByteArray(n % 50, 'x'));
        ++next[size_t(s)];
    }
}

// While a reader pauses, what the system's buffers cannot take waits in the relay (and a block
// may be taken only in part): when it reads again, every byte arrives, in order. 16 MB is
// more than loopback's buffers hold, so the relay's own queue is used.
void tst_RelayServer::readerThatPausesGetsEverythingInOrder()
{
    RelayConfig config = testConfig();
    config.maxClientBuffer = 64 << 20; // the system's buffers take several MB: wait past them
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    TestPeer &sender = peer(0);
    TestPeer &reader = peer(1);
    reader.stopReading();
    QByteArray expected;
    for (int i = 0; expected.size() < 16'000'000; ++i)
        expected += QByteArray::number(i) + ':' + QByteArray(i % 700, 'x') + '\n';
    for (qsizetype at = 0; at < expected.size(); at += 40'000)
        sender.send(expected.mid(at, 40'000));
    QTRY_COMPARE_WITH_TIMEOUT(relay().stats().messagesIn, expected.count('\n'), 30000);
    reader.resumeReading();
    QTRY_COMPARE_WITH_TIMEOUT(reader.received().size(), expected.size(), 30000);
    QVERIFY(reader.received() == expected);
}

void tst_RelayServer::autoModeAnswersEachClientItsWay()
{
    QVERIFY2(m_fixture.start(testConfig(), 4),
        qPrintable(
            relay().errorString())); // LF, CRLF (telnet), NUL (Flash) and one that never speaks
    peer(0).send("lf\n");
    QTRY_COMPARE(peer(3).received(), QByteArray("lf\n"));
    peer(1).send("telnet\r\n");
    QTRY_COMPARE(peer(3).received(), QByteArray("lf\ntelnet\n"));
    peer(2).send(QByteArrayLiteral("flash\0"));
    QTRY_COMPARE(peer(3).received(), QByteArray("lf\ntelnet\nflash\n"));

    QTRY_COMPARE(peer(0).received(), QByteArray("lf\ntelnet\nflash\n"));
    QTRY_COMPARE(peer(1).received(), QByteArray("lf\ntelnet\r\nflash\r\n"));
    QTRY_COMPARE(peer(2).received(), QByteArrayLiteral("lf\ntelnet\nflash\0"));
}

void tst_RelayServer::echoFollowsEachMessagesEnding()
{
    // The ending is learned from each message before it is relayed, even within one read.
    QVERIFY2(m_fixture.start(testConfig(), 2), qPrintable(relay().errorString()));
    peer(0).send(QByteArrayLiteral("a\r\nb\nc\0d\r\n"));
    QTRY_COMPARE(peer(0).received(), QByteArrayLiteral("a\r\nb\nc\0d\r\n"));
    QTRY_COMPARE(peer(1).received(), QByteArray("a\nb\nc\nd\n"));
}

void tst_RelayServer::exactTerminatorForAll()
{
    RelayConfig config = testConfig();
    config.terminator = Terminator::exact(QByteArrayLiteral("\0\x0e"));
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    peer(0).send(QByteArrayLiteral("line\nwith\0nul\0\x0e"));
    const QByteArray expected = QByteArrayLiteral("line\nwith\0nul\0\x0e");
    QTRY_COMPARE(peer(1).received(), expected);
    QTRY_COMPARE(peer(0).received(), expected);
}

void tst_RelayServer::bytesAreRelayedExactly()
{
    QVERIFY2(m_fixture.start(testConfig(), 2), qPrintable(relay().errorString()));
    QByteArray binary;
    for (int c = 1; c < 256; ++c) {
        if (c != '\n')
            binary += char(c);
    }
    binary += "\xc3\x28 invalid utf-8\r lone cr";
    peer(0).send(binary + '\n');
    QTRY_COMPARE(peer(1).received(), binary + '\n');
}

void tst_RelayServer::unterminatedTailIsRelayedOnDisconnect()
{
    QVERIFY2(m_fixture.start(testConfig(), 2), qPrintable(relay().errorString()));
    peer(0).send("first\nlast words");
    QTRY_COMPARE(peer(1).received(), QByteArray("first\n"));
    peer(0).socket().disconnectFromHost();
    QTRY_COMPARE(peer(1).received(), QByteArray("first\nlast words\n"));
    QTRY_COMPARE(relay().clientCount(), 1);
}

void tst_RelayServer::maxClients()
{
    RelayConfig config = testConfig();
    config.maxClients = 2;
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    QSignalSpy connectedSpy(&relay(), &RelayServer::clientConnected);
    QVERIFY(connectedSpy.isValid());

    // The refusal is logged once, as a warning.
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(
            QStringLiteral("^refused 127\\.0\\.0\\.1:\\d+ - server full \\(2 clients\\)$")));
    TestPeer third;
    QVERIFY(third.connectTo(QHostAddress::LocalHost, relay().port()));
    QTRY_COMPARE(third.received(), QByteArray("server full (2 clients)\n"));
    QTRY_VERIFY(!third.isConnected());
    QCOMPARE(relay().stats().clientsRefused[Refusal::Full], 1);
    QCOMPARE(relay().clientCount(), 2);
    QCOMPARE(connectedSpy.count(), 0);

    // The two admitted clients are unaffected, and a place frees up when one leaves.
    peer(0).send("still here\n");
    QTRY_COMPARE(peer(1).received(), QByteArray("still here\n"));
    peer(1).socket().disconnectFromHost();
    QTRY_COMPARE(relay().clientCount(), 1);
    TestPeer fourth;
    QVERIFY(fourth.connectTo(QHostAddress::LocalHost, relay().port()));
    QTRY_COMPARE(relay().clientCount(), 2);
}

void tst_RelayServer::welcome()
{
    RelayConfig config = testConfig();
    config.welcome = "welcome to the exhibit";
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    QTRY_COMPARE(peer(0).received(), QByteArray("welcome to the exhibit\n"));

    TestPeer second;
    QVERIFY(second.connectTo(QHostAddress::LocalHost, relay().port()));
    QTRY_COMPARE(second.received(), QByteArray("welcome to the exhibit\n"));
    QCOMPARE(peer(0).received(), QByteArray("welcome to the exhibit\n")); // only newcomers
}

void tst_RelayServer::heartbeat()
{
    RelayConfig config = testConfig();
    config.heartbeatSeconds = 1;
    config.heartbeatMessage = "alive";
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    peer(1).send("hi\r\n"); // heartbeats end the way each client ends its messages
    QTRY_VERIFY_WITH_TIMEOUT(peer(0).received().endsWith("alive\n"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(peer(1).received().endsWith("alive\r\n"), 10000);
}

void tst_RelayServer::oversizeMessageIsDroppedClientStays()
{
    RelayConfig config = testConfig();
    config.maxMessageBytes = 16;
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(QStringLiteral("^127\\.0\\.0\\.1:\\d+ sent a message longer than 16 "
                                          "bytes: dropped it \\(1 so far\\)")));
    peer(0).send(QByteArray(100, 'x') + "\nshort\n");
    QTRY_COMPARE(peer(1).received(), QByteArray("short\n"));
    QVERIFY(peer(0).isConnected());
    QCOMPARE(relay().clients().first().droppedMessages, 1);
}

void tst_RelayServer::countersPerClient()
{
    QVERIFY2(m_fixture.start(testConfig(), 2), qPrintable(relay().errorString()));
    peer(0).send("one\ntwo\n");
    QTRY_COMPARE(peer(1).received(), QByteArray("one\ntwo\n"));
    QTRY_COMPARE(peer(0).received(), QByteArray("one\ntwo\n"));

    const QList<ClientInfo> clients = relay().clients();
    QCOMPARE(clients.size(), 2);
    QCOMPARE(clients.at(0).messagesIn, 2);
    QCOMPARE(clients.at(0).bytesIn, 8);
    QCOMPARE(clients.at(0).messagesOut, 2);
    QCOMPARE(clients.at(1).messagesIn, 0);
    QCOMPARE(clients.at(1).messagesOut, 2);
    QCOMPARE(clients.at(1).bytesOut, 8);
    QVERIFY(clients.at(0).id != clients.at(1).id);
    QVERIFY(clients.at(0).lastActivity >= clients.at(0).connectedSince);
    QCOMPARE(clients.at(1).lastActivity, clients.at(1).connectedSince); // it never spoke
    QCOMPARE(clients.at(0).address, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(clients.at(0).port, peer(0).socket().localPort());
    QCOMPARE(relay().stats().messagesIn, 2);
    QCOMPARE(relay().stats().messagesOut, 4);
}

void tst_RelayServer::tapIsOffByDefault()
{
    QVERIFY2(m_fixture.start(testConfig(), 1), qPrintable(relay().errorString()));
    QSignalSpy tapped(&relay(), &RelayServer::messageTapped);
    peer(0).send("hello\n");
    QTRY_COMPARE(peer(0).received(), QByteArray("hello\n"));
    relay().broadcast("from the relay");
    QTRY_COMPARE(peer(0).received(), QByteArray("hello\nfrom the relay\n"));
    QCOMPARE(tapped.count(), 0);
}

void tst_RelayServer::tapShowsMessagesAtABoundedRate()
{
    QVERIFY2(m_fixture.start(testConfig(), 2), qPrintable(relay().errorString()));
    // The tap's clock stands still unless the test moves it: every message below falls in the
    // same second until then, however fast or slow this machine is.
    qint64 nowMs = 0;
    relay().setTapClock([&nowMs] { return nowMs; });
    relay().setTapEnabled(true);
    QSignalSpy tapped(&relay(), &RelayServer::messageTapped);

    const QByteArray longMessage(RelayServer::kTapMessageBytes + 10, 'x');
    peer(1).send("one\n" + longMessage + '\n');
    QTRY_COMPARE(tapped.count(), 2);
    relay().broadcast("console");
    QCOMPARE(tapped.count(), 3);
    const auto message = [&tapped](int i) { return tapped.at(i).at(0).value<TappedMessage>(); };
    QCOMPARE(message(0).clientId, relay().clients().at(1).id);
    QCOMPARE(message(0).payload, QByteArray("one"));
    QCOMPARE(message(0).skippedBefore, 0);
    QVERIFY(message(0).timeMs > 0);
    QCOMPARE(message(1).payload, longMessage.first(RelayServer::kTapMessageBytes));
    QCOMPARE(message(2).clientId, quint64(0));
    QCOMPARE(message(2).payload, QByteArray("console"));

    // A flood within that second: the tap takes messages up to the rate, in order, and only
    // counts the rest.
    const int rate = RelayServer::kTapMessagesPerSecond;
    const int flood = 3 * rate;
    QByteArray lines;
    for (int i = 0; i < flood; ++i)
        lines += QByteArray::number(i) + '\n';
    peer(0).send(lines);
    QTRY_COMPARE(relay().stats().messagesIn, 2 + flood);
    QCOMPARE(tapped.count(), rate);
    for (int i = 3; i < rate; ++i) {
        QCOMPARE(message(i).payload, QByteArray::number(i - 3));
        QCOMPARE(message(i).skippedBefore, 0);
    }
    relay().broadcast("still the same second");
    QCOMPARE(tapped.count(), rate);

    // The next second: the tap takes messages again, and the first says how many it missed.
    nowMs += 1000;
    relay().broadcast("after the flood");
    QCOMPARE(tapped.count(), rate + 1);
    QCOMPARE(message(rate).payload, QByteArray("after the flood"));
    QCOMPARE(message(rate).skippedBefore, flood - (rate - 3) + 1);
    qint64 seen = 0;
    for (int i = 0; i < tapped.count(); ++i)
        seen += 1 + message(i).skippedBefore;
    QCOMPARE(seen, 3 + flood + 2); // every message tapped or counted, none lost track of
}

void tst_RelayServer::disconnectClient()
{
    QVERIFY2(m_fixture.start(testConfig(), 2), qPrintable(relay().errorString()));
    QSignalSpy spy(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(spy.isValid());
    const quint64 id = relay().clients().first().id;
    QVERIFY(relay().disconnectClient(id));
    QTRY_VERIFY(!peer(0).isConnected());
    QTRY_COMPARE(spy.count(), 1);
    QCOMPARE(spy.first().at(0).value<ClientInfo>().id, id);
    QCOMPARE(relay().clientCount(), 1);
    QVERIFY(!relay().disconnectClient(id));
}

// Makes peer @p stuck stop reading and relays to it until output waits for it in the relay,
// more than the system's buffers hold; peer 0 sends. Needs a large maxClientBuffer.
bool tst_RelayServer::fillOutputOf(int stuck)
{
    peer(stuck).stopReading();
    QByteArray lines;
    while (lines.size() < 16'000'000)
        lines += QByteArray(99, 'x') + '\n';
    peer(0).send(lines);
    QTcpSocket *relaySide = nullptr;
    for (QTcpSocket *socket : relay().findChildren<QTcpSocket *>()) {
        if (socket->peerPort() == peer(stuck).socket().localPort())
            relaySide = socket;
    }
    return relaySide
        && QTest::qWaitFor([&] { return relay().stats().messagesIn == lines.count('\n'); }, 30000)
        && relaySide->bytesToWrite() > 0;
}

// A clean close waits for the client to take what is queued for it, but not for ever.
void tst_RelayServer::disconnectClientThatDoesNotRead()
{
    RelayConfig config = testConfig();
    config.maxClientBuffer = 64 << 20; // not reading, but not over its budget either
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    QVERIFY(fillOutputOf(1));
    QSignalSpy spy(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(spy.isValid());
    const quint64 id = relay().clients().last().id;
    QVERIFY(relay().disconnectClient(id));
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 10000);
    QCOMPARE(spy.first().at(0).value<ClientInfo>().id, id);
    QCOMPARE(spy.first().at(1).toString(), QStringLiteral("disconnected by the relay's operator"));
    QCOMPARE(relay().clientCount(), 1);
}

void tst_RelayServer::stopClosesClients()
{
    QVERIFY2(m_fixture.start(testConfig(), 3), qPrintable(relay().errorString()));
    QSignalSpy stopped(&relay(), &RelayServer::stopped);
    QVERIFY(stopped.isValid());
    relay().stop();
    QTRY_COMPARE(stopped.count(), 1);
    QCOMPARE(relay().clientCount(), 0);
    QVERIFY(!relay().isListening());
    for (int i = 0; i < 3; ++i)
        QTRY_VERIFY(!peer(i).isConnected());
}

void tst_RelayServer::stopEndsClientThatDoesNotRead()
{
    RelayConfig config = testConfig();
    config.maxClientBuffer = 64 << 20; // not reading, but not over its budget either
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    QVERIFY(fillOutputOf(1));
    QSignalSpy stopped(&relay(), &RelayServer::stopped);
    QVERIFY(stopped.isValid());
    relay().stop();
    QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, 10000);
    QCOMPARE(relay().clientCount(), 0);
}

void tst_RelayServer::portInUse()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    RelayConfig config;
    config.port = occupant.serverPort();
    RelayServer relay;
    QVERIFY(!relay.start(config));
    QVERIFY(!relay.isListening());
    QVERIFY2(relay.errorString().contains(QStringLiteral("already in use")),
        qPrintable(relay.errorString()));
}

void tst_RelayServer::addressNotOnThisMachine()
{
    RelayConfig config = testConfig();
    config.bind = RelayConfig::Bind::Address;
    config.address = QHostAddress(QStringLiteral("203.0.113.77")); // TEST-NET-3: never local
    config.waitForAddress = false;
    RelayServer relay;
    QVERIFY(!relay.start(config));
    QVERIFY(!relay.isWaiting());
    QCOMPARE(relay.errorString(),
        QStringLiteral("cannot listen on 203.0.113.77:0: 203.0.113.77 "
                       "is not an address of this machine"));
}

void tst_RelayServer::waitsForItsAddress()
{
    RelayConfig config = testConfig();
    config.bind = RelayConfig::Bind::Address;
    config.address = QHostAddress(QStringLiteral("203.0.113.77"));
    RelayServer relay;
    QSignalSpy listening(&relay, &RelayServer::listening);
    QSignalSpy stopped(&relay, &RelayServer::stopped);
    QVERIFY(listening.isValid() && stopped.isValid());
    QTest::ignoreMessage(QtWarningMsg,
        "cannot listen on 203.0.113.77:0: 203.0.113.77 is not an "
        "address of this machine (yet): waiting for it, trying "
        "again every 2 s");
    QVERIFY(relay.start(config));
    QVERIFY(relay.isWaiting());
    QVERIFY(!relay.isListening());
    QCOMPARE(listening.count(), 0);
    relay.stop();
    QVERIFY(!relay.isWaiting());
    QCOMPARE(stopped.count(), 1);
}

void tst_RelayServer::listensOnTheLanAddress()
{
    const QList<QHostAddress> lan = NetAddress::lanAddresses();
    bool seenV6 = false;
    for (const QHostAddress &address : lan) {
        QVERIFY2(!address.isLoopback() && !address.isLinkLocal(), qPrintable(address.toString()));
        seenV6 = seenV6 || address.protocol() == QAbstractSocket::IPv6Protocol;
        QVERIFY2(!seenV6 || address.protocol() == QAbstractSocket::IPv6Protocol,
            "IPv4 addresses come first");
    }
    RelayConfig config = testConfig();
    config.bind = RelayConfig::Bind::Lan;
    config.waitForAddress = false;
    RelayServer relay;
    if (lan.size() > 1)
        QTest::ignoreMessage(
            QtInfoMsg, QRegularExpression(QStringLiteral("^LAN addresses of this machine: ")));
    if (lan.isEmpty()) {
        QVERIFY(!relay.start(config));
        QVERIFY(relay.errorString().startsWith(QStringLiteral("this machine has no LAN address")));
        QSKIP("this machine has no LAN address");
    }
    QVERIFY2(relay.start(config), qPrintable(relay.errorString()));
    QCOMPARE(relay.listenAddresses(), QList<QHostAddress>{lan.first()});
}

QTEST_GUILESS_MAIN(tst_RelayServer)
#include "tst_relayserver.moc"
