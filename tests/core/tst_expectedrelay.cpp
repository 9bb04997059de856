// Expected clients (--expect) on a real RelayServer with real clients on loopback: naming by
// address (127.0.0.1, 127.0.0.2 and ::1 tell clients apart: Linux routes all of 127/8 to lo)
// and by prefix, missing after the grace, silent, back, the alarm message and the log lines.
#include "relayfixture.h"
#include "relayoptions.h"
#include "relayserver.h"

#include <QTcpSocket>
#include <QTest>

namespace {

using State = ExpectedClientStatus::State;

// The log lines the relay wrote during a test, after Qt Test's own handler saw them.
QStringList g_log;
QtMessageHandler g_testHandler = nullptr;

void recordLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    g_log.append(message);
    g_testHandler(type, context, message);
}

RelayConfig configFor(const QStringList &args)
{
    RelayOptions options = parseRelayOptions(args);
    options.config.port = 0;
    return options.config;
}

qsizetype linesWith(const QString &text)
{
    return g_log.filter(text).size();
}

} // namespace

class tst_ExpectedRelay : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void nothingExpectedNamesNobody();
    void presentMissingAlarmBack();
    void addressesTellClientsApart();
    void prefixNamesTheClientThatSendsIt();
    void silentThenBack();

private:
    State stateOf(int index) { return relay().expectedClients().at(index).state; }
    QString nameOf(quint64 id)
    {
        const QList<ClientInfo> clients = relay().clients();
        for (const ClientInfo &client : clients) {
            if (client.id == id)
                return client.name;
        }
        return QStringLiteral("(gone)");
    }
    quint64 lastClientId() { return relay().clients().constLast().id; }
    RelayServer &relay() { return m_fixture.relay(); }
    TestPeer &peer(int i) { return m_fixture.peer(i); }

    RelayFixture m_fixture;
};

void tst_ExpectedRelay::init()
{
    // Warnings other than the ones a test expects (ignoreMessage) fail it: each line comes once.
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    g_log.clear();
    g_testHandler = qInstallMessageHandler(recordLog);
}

void tst_ExpectedRelay::cleanup()
{
    m_fixture.reset();
    qInstallMessageHandler(g_testHandler);
}

void tst_ExpectedRelay::nothingExpectedNamesNobody()
{
    QVERIFY2(m_fixture.start(configFor({}), 1), qPrintable(relay().errorString()));
    QVERIFY(relay().expectedClients().isEmpty());
    peer(0).send("kiosk3:hello\n");
    QTRY_COMPARE(peer(0).received(), QByteArray("kiosk3:hello\n"));
    QCOMPARE(relay().clients().constFirst().name, QString());
}

// The story of the issue: a kiosk is there, goes away, is missing after the grace (one line,
// one alarm message to the others), and comes back (one line, one message).
void tst_ExpectedRelay::presentMissingAlarmBack()
{
    const RelayConfig config = configFor({"--expect", "kiosk=127.0.0.2", "--expect-grace", "1",
        "--alarm-message", "socketserver:alarm:{name}:{state}:{address}"});
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString())); // from 127.0.0.1
    QCOMPARE(relay().clients().constFirst().name, QString());
    QCOMPARE(relay().expectedClients().size(), 1);
    QCOMPARE(relay().expectedClients().constFirst().name, QStringLiteral("kiosk"));
    QCOMPARE(relay().expectedClients().constFirst().match, QStringLiteral("127.0.0.2"));
    QCOMPARE(stateOf(0), State::Waiting);

    auto kiosk = std::make_unique<TestPeer>();
    QVERIFY(kiosk->socket().bind(QHostAddress(QStringLiteral("127.0.0.2"))));
    QVERIFY(kiosk->connectTo(QHostAddress::LocalHost, relay().port()));
    QTRY_COMPARE(relay().clientCount(), 2);
    const quint64 kioskId = lastClientId();
    QCOMPARE(nameOf(kioskId), QStringLiteral("kiosk"));
    QTRY_COMPARE(stateOf(0), State::Present);
    QCOMPARE(relay().expectedClients().constFirst().clientId, kioskId);
    QCOMPARE(
        relay().expectedClients().constFirst().address, QHostAddress(QStringLiteral("127.0.0.2")));

    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(
            QStringLiteral("^expected client kiosk \\(127\\.0\\.0\\.2\\) missing since "
                           "\\d\\d:\\d\\d:\\d\\d$")));
    kiosk.reset();
    QTRY_COMPARE(relay().clientCount(), 1);
    QTRY_COMPARE(stateOf(0), State::Missing);
    QCOMPARE(relay().expectedClients().constFirst().clientId, 0u);
    const QByteArray missing = "socketserver:alarm:kiosk:missing:127.0.0.2\n";
    QTRY_COMPARE(peer(0).received(), missing);
    // Two more samples: nothing more is said.
    QTest::qWait(2500);
    QCOMPARE(peer(0).received(), missing);
    QCOMPARE(linesWith(QStringLiteral("expected client kiosk")), 1);

    TestPeer back;
    QVERIFY(back.socket().bind(QHostAddress(QStringLiteral("127.0.0.2"))));
    QVERIFY(back.connectTo(QHostAddress::LocalHost, relay().port()));
    QTRY_COMPARE(stateOf(0), State::Present);
    QTRY_COMPARE(peer(0).received(), missing + "socketserver:alarm:kiosk:back:127.0.0.2\n");
    QTest::qWait(1500);
    QCOMPARE(
        linesWith(QStringLiteral("expected client kiosk (127.0.0.2) back (missing since ")), 1);
    QCOMPARE(linesWith(QStringLiteral("expected client kiosk")), 2);
    QCOMPARE(back.received(), QByteArray("socketserver:alarm:kiosk:back:127.0.0.2\n"));
}

void tst_ExpectedRelay::addressesTellClientsApart()
{
    const RelayConfig config = configFor({"--expect", "four=127.0.0.1", "--expect", "six=::1",
        "--expect", "two=::ffff:127.0.0.2", "--expect-grace", "600"});
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    if (!relay().listenAddresses().contains(QHostAddress(QHostAddress::LocalHostIPv6)))
        QSKIP("IPv6 is not available on this machine");
    QCOMPARE(nameOf(lastClientId()), QStringLiteral("four"));
    TestPeer six;
    QVERIFY(six.connectTo(QHostAddress::LocalHostIPv6, relay().port()));
    QTRY_COMPARE(relay().clientCount(), 2);
    QCOMPARE(nameOf(lastClientId()), QStringLiteral("six"));
    QTRY_COMPARE(stateOf(1), State::Present);
    QCOMPARE(stateOf(0), State::Present);
    QCOMPARE(stateOf(2), State::Waiting);
    QCOMPARE(relay().expectedClients().at(2).match, QStringLiteral("127.0.0.2"));

    // The log names them: the traffic lines say who sent.
    QCOMPARE(relay().clients().constLast().peerName(),
        QStringLiteral("six ([::1]:%1)").arg(six.socket().localPort()));

    // From 127.0.0.2 (Linux routes all of 127/8 to the loopback; elsewhere the address may not
    // be there): the IPv4-mapped form given to --expect matches it.
    QTcpSocket two;
    if (!two.bind(QHostAddress(QStringLiteral("127.0.0.2"))))
        QSKIP("127.0.0.2 is not an address of this machine");
    two.connectToHost(QHostAddress::LocalHost, relay().port());
    QVERIFY(two.waitForConnected(5000));
    QTRY_COMPARE(relay().clientCount(), 3);
    QCOMPARE(nameOf(lastClientId()), QStringLiteral("two"));
    QTRY_COMPARE(stateOf(2), State::Present);
}

void tst_ExpectedRelay::prefixNamesTheClientThatSendsIt()
{
    const RelayConfig config
        = configFor({"--expect", "kiosk3=prefix:kiosk3:", "--expect-grace", "600"});
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    const quint64 first = relay().clients().at(0).id;
    const quint64 second = relay().clients().at(1).id;

    peer(0).send("main:hello\n");
    QTRY_COMPARE(peer(1).received(), QByteArray("main:hello\n"));
    QCOMPARE(nameOf(first), QString());
    peer(0).send("kiosk3:ready\n");
    QTRY_COMPARE(nameOf(first), QStringLiteral("kiosk3"));
    QTRY_COMPARE(stateOf(0), State::Present);
    QCOMPARE(relay().expectedClients().constFirst().clientId, first);

    // Matched already: another client using the prefix is not kiosk3 too.
    peer(1).send("kiosk3:me too\n");
    QTRY_COMPARE(peer(0).received().count('\n'), 3);
    QCOMPARE(nameOf(second), QString());

    // Once kiosk3 is gone, the next client to send the prefix is kiosk3.
    peer(0).socket().disconnectFromHost();
    QTRY_COMPARE(relay().clientCount(), 1);
    QTRY_COMPARE(stateOf(0), State::Waiting);
    peer(1).send("kiosk3:now me\n");
    QTRY_COMPARE(nameOf(second), QStringLiteral("kiosk3"));
    QTRY_COMPARE(stateOf(0), State::Present);
}

void tst_ExpectedRelay::silentThenBack()
{
    const RelayConfig config = configFor({"--expect", "sensor=127.0.0.1", "--expect-silence", "2",
        "--expect-grace", "0", "--alarm-message", "{name} {state}"});
    QVERIFY2(m_fixture.start(config, 2), qPrintable(relay().errorString()));
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(QStringLiteral("^expected client sensor \\(127\\.0\\.0\\.1\\) silent "
                                          "since \\d\\d:\\d\\d:\\d\\d$")));
    QTRY_COMPARE(stateOf(0), State::Silent);
    QTRY_COMPARE(peer(1).received(), QByteArray("sensor silent\n"));
    peer(0).send("heartbeat\n");
    QTRY_COMPARE(stateOf(0), State::Present);
    QTRY_COMPARE(peer(1).received(), QByteArray("sensor silent\nheartbeat\nsensor back\n"));
    QCOMPARE(
        linesWith(QStringLiteral("expected client sensor (127.0.0.1) back (silent since ")), 1);
}

QTEST_GUILESS_MAIN(tst_ExpectedRelay)
#include "tst_expectedrelay.moc"
