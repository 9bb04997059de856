// The relay's limits, each shown with real sockets on loopback: one bad client (one that
// floods, never reads, never ends its line, or comes from where it should not) only ever
// affects itself.
#include "clientsession.h"
#include "filelimit.h"
#include "relayfixture.h"
#include "relayserver.h"
#include "tcpstate.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

#ifdef Q_OS_LINUX
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#endif

namespace {

RelayConfig testConfig()
{
    RelayConfig config;
    config.port = 0;
    return config;
}

// count numbered lines "prefix:N" of the given length, back to back.
QByteArray numberedLines(const QByteArray &prefix, int first, int count, int length)
{
    QByteArray lines;
    for (int i = first; i < first + count; ++i) {
        QByteArray line = prefix + ':' + QByteArray::number(i) + ':';
        line += QByteArray(std::max<qsizetype>(0, length - line.size() - 1), 'x') + '\n';
        lines += line;
    }
    return lines;
}

// True when lines holds exactly "prefix:first" .. "prefix:first+count-1", in order.
bool hasEveryLineInOrder(const QByteArray &received, const QByteArray &prefix, int count)
{
    int next = 0;
    const QList<QByteArray> lines = received.split('\n');
    for (const QByteArray &line : lines) {
        if (!line.startsWith(prefix + ':'))
            continue;
        if (line.split(':').value(1).toInt() != next)
            return false;
        ++next;
    }
    return next == count;
}

} // namespace

class tst_RelayLimits : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void clientThatNeverReadsIsDisconnected();
    void clientSlowForTooLongIsDisconnected();
    void smallClientBufferIsKept();
    void burstFromManySendersIsNotStuck();
    void endlessLineIsDroppedClientStays();
    void floodDoesNotStarveOthers();
    void allowList_data();
    void allowList();
    void refusalsAreLoggedOncePerAddress();
    void serverFullIsLoggedOncePerPeriod();
    void manyConnectionsLeaveNothingBehind();
    void socketOptionsOnEveryConnection();
    void fileLimitIsRaised();

private:
    RelayServer &relay() { return m_fixture.relay(); }
    TestPeer &peer(int i) { return m_fixture.peer(i); }

    RelayFixture m_fixture;
};

// Qt warns of misuse (a read on a closed socket, a connect to a missing signal): any warning
// a test does not expect is a failure.
void tst_RelayLimits::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_RelayLimits::cleanup()
{
    m_fixture.reset();
}

void tst_RelayLimits::clientThatNeverReadsIsDisconnected()
{
    RelayConfig config = testConfig();
    config.maxClientBuffer = 1024 * 1024;
    QVERIFY2(
        m_fixture.start(config, 3), qPrintable(relay().errorString())); // sender, reader, stuck
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(gone.isValid());
    peer(2).stopReading();
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(QStringLiteral("^disconnecting 127\\.0\\.0\\.1:\\d+: it does not read "
                                          "what is sent to it \\(\\d+ bytes waiting\\)$")));

    // Far more than the system's socket buffers can hold for the stuck client.
    constexpr int kLines = 400000; // 64 bytes each: 25 MB
    peer(0).send(numberedLines("m", 0, kLines, 64));

    QTRY_COMPARE_WITH_TIMEOUT(gone.count(), 1, 30000);
    QVERIFY(gone.first().at(1).toString().startsWith(QStringLiteral("not reading")));
    QCOMPARE(gone.first().at(0).value<ClientInfo>().port, peer(2).socket().localPort());
#ifdef Q_OS_LINUX
    // Dropped with a reset: its connection is over at once, though it never read what waits
    // (a plain close would leave it open behind megabytes that never move).
    QTRY_COMPARE(tcpState(peer(2).socket()), int(TCP_CLOSE));
#endif
    // The others got everything, whole and in order.
    QTRY_COMPARE_WITH_TIMEOUT(peer(1).received().count('\n'), kLines, 30000);
    QVERIFY(hasEveryLineInOrder(peer(1).received(), "m", kLines));
    QTRY_COMPARE_WITH_TIMEOUT(peer(0).received().count('\n'), kLines, 30000);
    QCOMPARE(relay().clientCount(), 2);
}

void tst_RelayLimits::clientSlowForTooLongIsDisconnected()
{
    RelayConfig config = testConfig();
    config.slowClientBuffer = 64 * 1024;
    config.slowClientSeconds = 1;
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(gone.isValid());
    peer(1).stopReading();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^disconnecting 127")));

    // Under the hard limit, but over the soft one for longer than a second.
    peer(0).send(numberedLines("m", 0, 300000, 64));
    QDeadlineTimer deadline(20000);
    for (int i = 0; gone.isEmpty() && !deadline.hasExpired(); ++i) {
        peer(0).send("tick " + QByteArray::number(i) + '\n');
        QTest::qWait(50);
    }
    QCOMPARE(gone.count(), 1);
    QCOMPARE(relay().clientCount(), 1);
}

// A budget under the 1 MiB of the "slow" rule is kept too.
void tst_RelayLimits::smallClientBufferIsKept()
{
    RelayConfig config = testConfig();
    config.maxClientBuffer = 256 * 1024;
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(gone.isValid());
    peer(1).stopReading();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^disconnecting 127")));

    peer(0).send(numberedLines("m", 0, 200000, 64)); // 12.8 MB
    QTRY_COMPARE_WITH_TIMEOUT(gone.count(), 1, 30000);
    const QString reason = gone.first().at(1).toString();
    const QRegularExpressionMatch match
        = QRegularExpression(QStringLiteral("^not reading: (\\d+) bytes were waiting"))
              .match(reason);
    QVERIFY2(match.hasMatch(), qPrintable(reason));
    QVERIFY2(match.captured(1).toLongLong() < 1024 * 1024, qPrintable(reason));
    QCOMPARE(gone.first().at(0).value<ClientInfo>().port, peer(1).socket().localPort());
}

// Many clients send a burst each at once: the relay reads them all in one pass of the event
// loop, and queues all of it for every client before the system could take any. More than a
// client's budget waits for a moment, yet every client reads: none of them is stuck.
void tst_RelayLimits::burstFromManySendersIsNotStuck()
{
    constexpr int kSenders = 80;
    const QByteArray burst = numberedLines("b", 0, 60, 1024); // 60 KiB, one read each
    QVERIFY2(m_fixture.start(testConfig(), 1), qPrintable(relay().errorString())); // a reader
    std::vector<std::unique_ptr<QTcpSocket>> senders;
    qint64 sendersReceived = 0; // the senders get it all too, and only count it
    for (int i = 0; i < kSenders; ++i) {
        senders.push_back(std::make_unique<QTcpSocket>());
        QTcpSocket *sender = senders.back().get();
        QObject::connect(sender, &QTcpSocket::readyRead, sender,
            [sender, &sendersReceived] { sendersReceived += sender->readAll().size(); });
        sender->connectToHost(QHostAddress::LocalHost, relay().port());
        QVERIFY(sender->waitForConnected(5000));
    }
    QTRY_COMPARE(relay().clientCount(), kSenders + 1);
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(gone.isValid());
    QVERIFY(kSenders * burst.size() > relay().config().maxClientBuffer);

    for (const auto &sender : senders)
        sender->write(burst);
    const qint64 total = kSenders * burst.size();
    QTRY_COMPARE_WITH_TIMEOUT(peer(0).received().size(), total, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(sendersReceived, kSenders * total, 30000);
    QCOMPARE(gone.count(), 0);
}

void tst_RelayLimits::endlessLineIsDroppedClientStays()
{
    RelayConfig config = testConfig();
    config.maxMessageBytes = 1024;
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(QStringLiteral("^127\\.0\\.0\\.1:\\d+ sent a message longer than 1024 "
                                          "bytes: dropped it \\(1 so far\\)$")));

    for (int i = 0; i < 100; ++i) // 10 MB without a terminator
        peer(0).send(QByteArray(100 * 1024, 'x'));
    peer(0).send("\nafter\n");
    QTRY_COMPARE_WITH_TIMEOUT(peer(1).received(), QByteArray("after\n"), 30000);
    QVERIFY(peer(0).isConnected());
    QCOMPARE(relay().clients().first().droppedMessages, 1);
    QCOMPARE(relay().clients().first().bytesIn, 100 * 100 * 1024 + 7);
}

void tst_RelayLimits::floodDoesNotStarveOthers()
{
    QVERIFY2(m_fixture.start(testConfig(), 3),
        qPrintable(relay().errorString())); // flooder, normal sender, receiver
    constexpr int kFlood = 500000; // 32 MB
    peer(0).send(numberedLines("flood", 0, kFlood, 64));
    QTRY_VERIFY(peer(2).received().contains("flood:0:"));
    peer(1).send("normal\n");
    QTRY_COMPARE_WITH_TIMEOUT(peer(2).received().count('\n'), kFlood + 1, 60000);

    // The normal message was relayed while the flood went on, not after it.
    const qsizetype normalAt = peer(2).received().indexOf("normal\n");
    const qsizetype lastFloodAt
        = peer(2).received().indexOf("flood:" + QByteArray::number(kFlood - 1));
    QVERIFY(normalAt >= 0);
    QVERIFY2(normalAt < lastFloodAt, "the normal sender waited for the whole flood");
    QVERIFY(hasEveryLineInOrder(peer(2).received(), "flood", kFlood));
}

void tst_RelayLimits::allowList_data()
{
    QTest::addColumn<QString>("range");
    QTest::addColumn<bool>("v4Allowed");
    QTest::addColumn<bool>("v6Allowed");

    QTest::newRow("ipv4 subnet") << "127.0.0.0/8" << true << false;
    QTest::newRow("ipv4 host") << "127.0.0.1/32" << true << false;
    QTest::newRow("other ipv4 subnet") << "192.168.1.0/24" << false << false;
    QTest::newRow("ipv6 host") << "::1/128" << false << true;
}

void tst_RelayLimits::allowList()
{
    QFETCH(QString, range);
    QFETCH(bool, v4Allowed);
    QFETCH(bool, v6Allowed);

    RelayConfig config = testConfig();
    config.allow.append(QHostAddress::parseSubnet(range));
    QVERIFY(m_fixture.start(config, 0));
    const bool haveV6
        = relay().listenAddresses().contains(QHostAddress(QHostAddress::LocalHostIPv6));

    for (const auto &[address, allowed] : {std::pair{QHostAddress::LocalHost, v4Allowed},
             std::pair{QHostAddress::LocalHostIPv6, v6Allowed}}) {
        if (address == QHostAddress::LocalHostIPv6 && !haveV6)
            continue;
        if (allowed) {
            TestPeer peer;
            QVERIFY(peer.connectTo(address, relay().port()));
            peer.send("in\n");
            QTRY_COMPARE(peer.received(), QByteArray("in\n"));
            continue;
        }
        // Refused: closed at once, without a word, and logged.
        QTest::ignoreMessage(QtWarningMsg,
            qPrintable(QStringLiteral("refused %1 - not in the allow list")
                           .arg(QHostAddress(address).toString())));
        TestPeer peer;
        const qint64 refused = relay().stats().clientsRefused[Refusal::NotAllowed];
        peer.connectTo(address, relay().port());
        QTRY_COMPARE(relay().stats().clientsRefused[Refusal::NotAllowed], refused + 1);
        QTRY_VERIFY(!peer.isConnected());
        QCOMPARE(peer.received(), QByteArray());
    }
    QTRY_COMPARE(relay().clientCount(), 0);
    if (!haveV6)
        QSKIP("IPv6 is not available on this machine: only IPv4 was tried");
}

void tst_RelayLimits::refusalsAreLoggedOncePerAddress()
{
    RelayConfig config = testConfig();
    config.allow.append(QHostAddress::parseSubnet(QStringLiteral("192.168.1.0/24")));
    QVERIFY(m_fixture.start(config, 0));
    // A port scan: many connections from one address, one line in the log.
    QTest::ignoreMessage(QtWarningMsg, "refused 127.0.0.1 - not in the allow list");
    QTest::failOnWarning(QRegularExpression(QStringLiteral("refused")));
    for (int i = 0; i < 20; ++i) {
        TestPeer scanner;
        scanner.connectTo(QHostAddress::LocalHost, relay().port());
        QTRY_COMPARE(relay().stats().clientsRefused[Refusal::NotAllowed], i + 1);
    }
}

void tst_RelayLimits::serverFullIsLoggedOncePerPeriod()
{
    RelayConfig config = testConfig();
    config.maxClients = 1;
    QVERIFY(m_fixture.start(config, 1));
    // Clients retrying against a full relay: one line in the log, each told why.
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(
            QStringLiteral("^refused 127.0.0.1:\\d+ - server full \\(1 clients\\)$")));
    QTest::failOnWarning(QRegularExpression(QStringLiteral("refused")));
    for (int i = 0; i < 20; ++i) {
        TestPeer retrying;
        retrying.connectTo(QHostAddress::LocalHost, relay().port());
        QTRY_COMPARE(retrying.received(), QByteArray("server full (1 clients)\n"));
        QCOMPARE(relay().stats().clientsRefused[Refusal::Full], i + 1);
    }
}

void tst_RelayLimits::manyConnectionsLeaveNothingBehind()
{
    QVERIFY(m_fixture.start(testConfig(), 0));
    constexpr int kRounds = 20;
    constexpr int kAtOnce = 50; // 1,000 connections in all
    for (int round = 0; round < kRounds; ++round) {
        std::vector<std::unique_ptr<TestPeer>> peers;
        for (int i = 0; i < kAtOnce; ++i) {
            peers.push_back(std::make_unique<TestPeer>());
            QVERIFY(peers.back()->connectTo(QHostAddress::LocalHost, relay().port()));
        }
        QTRY_COMPARE(relay().clientCount(), kAtOnce);
        peers.front()->send("half a mess"); // some leave mid-message
        for (auto &peer : peers)
            peer->socket().abort();
        QTRY_COMPARE(relay().clientCount(), 0);
    }
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QCOMPARE(relay().findChildren<ClientSession *>().size(), 0);
    QCOMPARE(relay().findChildren<QTcpSocket *>().size(), 0);
    QCOMPARE(relay().stats().clientsAccepted.total(), kRounds * kAtOnce);
}

void tst_RelayLimits::socketOptionsOnEveryConnection()
{
    QVERIFY2(m_fixture.start(testConfig(), 1), qPrintable(relay().errorString()));
    const QList<QTcpSocket *> sockets = relay().findChildren<QTcpSocket *>();
    QCOMPARE(sockets.size(), 1);
    QCOMPARE(sockets.first()->socketOption(QAbstractSocket::KeepAliveOption).toInt(), 1);
    QCOMPARE(sockets.first()->socketOption(QAbstractSocket::LowDelayOption).toInt(), 1);
    QCOMPARE(sockets.first()->readBufferSize(), 64 * 1024); // bounded reads per client
#ifdef Q_OS_LINUX
    const int fd = int(sockets.first()->socketDescriptor());
    const auto option = [fd](int name) {
        int value = -1;
        socklen_t size = sizeof value;
        ::getsockopt(fd, IPPROTO_TCP, name, &value, &size);
        return value;
    };
    // About a minute to notice a peer that vanished: 30 s idle + 3 probes 10 s apart.
    QCOMPARE(option(TCP_KEEPIDLE), 30);
    QCOMPARE(option(TCP_KEEPINTVL), 10);
    QCOMPARE(option(TCP_KEEPCNT), 3);
    // The same minute also when messages wait unacknowledged (probes only start after).
    QCOMPARE(option(TCP_USER_TIMEOUT), 60000);
#endif
}

void tst_RelayLimits::fileLimitIsRaised()
{
#ifndef Q_OS_LINUX
    QSKIP("reads the limit with getrlimit on Linux");
#else
    rlimit original = {};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &original), 0);
    if (original.rlim_max != RLIM_INFINITY && original.rlim_max < 1000)
        QSKIP("the hard limit on open files is below 1000 here");
    // Start low, as a macOS app does (256), and ask for room for 1000.
    rlimit low = original;
    low.rlim_cur = 256;
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &low), 0);
    const long raised = FileLimit::raiseTo(1000);
    rlimit now = {};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &now), 0);
    const long neverLowered = FileLimit::raiseTo(500);
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &original), 0);

    QCOMPARE(raised, 1000L);
    QCOMPARE(long(now.rlim_cur), 1000L);
    QCOMPARE(neverLowered, 1000L);
#endif
}

QTEST_GUILESS_MAIN(tst_RelayLimits)
#include "tst_relaylimits.moc"
