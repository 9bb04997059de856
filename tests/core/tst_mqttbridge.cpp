// The MQTT bridge against a real mosquitto broker: relays in this process joined to one topic,
// with real TCP and WebSocket clients, and mosquitto's own mosquitto_pub and mosquitto_sub as
// the other MQTT programs. The broker is killed, restarted, given passwords; a fake broker that
// speaks only MQTT 3.1.1 is refused.
#include "categorylog.h"
#include "mosquittobroker.h"
#include "mqttbridge.h"
#include "relayfixture.h"
#include "relayserver.h"
#include "wspeer.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <array>

namespace {

const QString kTopic = QStringLiteral("museum/gallery2");

// The bridge's log lines that contain @p text, in any letter case.
int logCount(const QString &text)
{
    return CategoryLog::count(text, Qt::CaseInsensitive);
}

RelayConfig bridgedConfig(const MosquittoBroker &broker)
{
    RelayConfig config;
    config.port = 0;
    config.mqtt.url = broker.url();
    config.mqtt.topic = kTopic;
    return config;
}

MqttStatus status(RelayFixture &relay)
{
    return relay.relay().mqttStatus().value_or(MqttStatus());
}

bool isConnected(RelayFixture &relay)
{
    return status(relay).state == MqttStatus::State::Connected;
}

bool isWaiting(RelayFixture &relay)
{
    return status(relay).state == MqttStatus::State::Waiting;
}

// For a failure message: the bridge as a monitor sees it, and the log so far.
QString describe(RelayFixture &relay)
{
    const MqttStatus s = status(relay);
    return QStringLiteral("%1 (problem '%2'; published %3, received %4, away %5, backlog %6, "
                          "oversize %7, connects %8)\nlog:\n%9")
        .arg(s.text(), s.problem)
        .arg(s.published)
        .arg(s.received)
        .arg(s.droppedAway)
        .arg(s.droppedBacklog)
        .arg(s.droppedOversize)
        .arg(s.connects)
        .arg(CategoryLog::lines.join(u'\n'));
}

// The messages in @p received, each ended with @p eol (an unended tail is left out).
QList<QByteArray> messages(const QByteArray &received, const QByteArray &eol = "\n")
{
    QList<QByteArray> list;
    qsizetype from = 0;
    for (qsizetype end; (end = received.indexOf(eol, from)) >= 0; from = end + eol.size())
        list.append(received.mid(from, end - from));
    return list;
}

// The messages of @p all that start with @p prefix, in their order.
QList<QByteArray> startingWith(const QList<QByteArray> &all, char prefix)
{
    QList<QByteArray> list;
    for (const QByteArray &message : all)
        if (message.startsWith(prefix))
            list.append(message);
    return list;
}

// Every byte value but the pair "\r\n" (the terminator of the tests in exact mode): NULs, a lone
// CR and LF, and bytes that are not UTF-8.
QByteArray binaryPayload(char first)
{
    QByteArray bytes(1, first);
    for (int i = 0; i < 256; ++i)
        bytes.append(char(i));
    return bytes + QByteArray("\xc3\x28 \xed\xa0\x80 \xff\xfe\0end", 13);
}

} // namespace

class tst_MqttBridge : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void messagesCrossBothWaysExactlyOnce();
    void lineEndingsAndWebSocket();
    void mosquittoClientsSeeAndReachTheRelays();
    void heartbeatWelcomeAndAlarmsStayLocal();
    void brokerKilledAndRestarted();
    void password();
    void directionOutAndIn();
    void oversizeFromBrokerIsDropped();
    void queueWhileBrokerIsAway();
    void brokerWithoutMqtt5IsRefused();
    void threeRelaysWithHundredClientsEach();
    void sharedClientIdIsSaidOnce();
    void tlsBrokerDownIsRefusedAtOnce();
    void messageTheBrokerCannotTakeIsDropped();
    void publishRefusedByTheBrokersAcl();
    void refusedSubscriptionIsSaid();

private:
    MosquittoBroker m_broker;
};

void tst_MqttBridge::initTestCase()
{
    CategoryLog::install("socketserver.mqtt");
}

void tst_MqttBridge::init()
{
    REQUIRE_MOSQUITTO_BROKER();
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    CategoryLog::lines.clear();
    QVERIFY2(m_broker.start(), qPrintable(m_broker.errorString()));
}

void tst_MqttBridge::cleanup()
{
    m_broker.stop();
}

// Two relays on one broker: 1000 numbered messages and a binary one from a client of each reach
// every client of both, byte for byte, each sender's in order, each once: the sender's own
// clients get its local echo and no second copy from the broker, and nothing loops.
void tst_MqttBridge::messagesCrossBothWaysExactlyOnce()
{
    RelayConfig config = bridgedConfig(m_broker);
    config.terminator = *Terminator::fromName(QStringLiteral("crlf")); // NULs and LFs are data
    RelayFixture a;
    RelayFixture b;
    QVERIFY2(a.start(config, 2), qPrintable(a.relay().errorString()));
    QVERIFY2(b.start(config, 2), qPrintable(b.relay().errorString()));
    QTRY_VERIFY2(isConnected(a), qPrintable(describe(a)));
    QTRY_VERIFY2(isConnected(b), qPrintable(describe(b)));

    const int count = 1000;
    QList<QByteArray> fromA = {binaryPayload('A')};
    QList<QByteArray> fromB = {binaryPayload('B')};
    for (int i = 0; i < count; ++i) {
        fromA.append("A" + QByteArray::number(i).rightJustified(4, '0'));
        fromB.append("B" + QByteArray::number(i).rightJustified(4, '0'));
    }
    a.peer(0).send(fromA.join("\r\n") + "\r\n");
    b.peer(0).send(fromB.join("\r\n") + "\r\n");

    RelayFixture *relays[] = {&a, &b};
    for (RelayFixture *relay : relays) {
        for (int i = 0; i < 2; ++i) {
            TestPeer &peer = relay->peer(i);
            QTRY_VERIFY2_WITH_TIMEOUT(messages(peer.received(), "\r\n").size() >= 2 * (count + 1),
                qPrintable(
                    QStringLiteral("%1 messages\n").arg(messages(peer.received(), "\r\n").size())
                    + describe(a) + u'\n' + describe(b)),
                20000);
        }
    }
    QTest::qWait(1000); // an echo loop or a duplicate would arrive meanwhile
    for (RelayFixture *relay : relays) {
        for (int i = 0; i < 2; ++i) {
            const QList<QByteArray> got = messages(relay->peer(i).received(), "\r\n");
            QCOMPARE(got.size(), 2 * (count + 1));
            QCOMPARE(startingWith(got, 'A'), fromA);
            QCOMPARE(startingWith(got, 'B'), fromB);
        }
    }
    QCOMPARE(status(a).published, count + 1);
    QCOMPARE(status(a).received, count + 1);
    QCOMPARE(status(b).published, count + 1);
    QCOMPARE(status(b).received, count + 1);
}

// Messages from the broker reach each client in its own wire form: a CRLF client and an LF
// client on one relay, a WebSocket client (one message each) on the other.
void tst_MqttBridge::lineEndingsAndWebSocket()
{
    RelayConfig webConfig = bridgedConfig(m_broker);
    webConfig.webSocketEnabled = true;
    webConfig.webSocketPort = 0;
    RelayFixture a;
    RelayFixture b;
    QVERIFY2(a.start(webConfig, 1), qPrintable(a.relay().errorString()));
    QVERIFY2(b.start(bridgedConfig(m_broker), 2), qPrintable(b.relay().errorString()));
    WsPeer ws;
    ws.open(a.relay().webSocketPort());
    QTRY_VERIFY(ws.isConnected());
    QTRY_COMPARE(a.relay().clientCount(), 2);
    QTRY_VERIFY2(isConnected(a), qPrintable(describe(a)));
    QTRY_VERIFY2(isConnected(b), qPrintable(describe(b)));

    TestPeer &crlf = b.peer(0);
    TestPeer &lf = b.peer(1);
    crlf.send("telnet says hi\r\n");
    QTRY_COMPARE(a.peer(0).received(), QByteArray("telnet says hi\n"));
    lf.send("caf\xc3\xa9\n\xff\xfe raw\n");
    QTRY_COMPARE(a.peer(0).received(), QByteArray("telnet says hi\ncaf\xc3\xa9\n\xff\xfe raw\n"));
    QTRY_COMPARE(ws.texts().size(), 3);
    ws.socket().sendTextMessage(QStringLiteral("from the web page"));
    QTRY_COMPARE(crlf.received(),
        QByteArray("telnet says hi\r\ncaf\xc3\xa9\r\n\xff\xfe raw\r\nfrom the web page\r\n"));
    QTRY_COMPARE(lf.received(),
        QByteArray("telnet says hi\ncaf\xc3\xa9\n\xff\xfe raw\nfrom the web page\n"));
    QTRY_COMPARE(a.peer(0).received(),
        QByteArray("telnet says hi\ncaf\xc3\xa9\n\xff\xfe raw\nfrom the web page\n"));
    // One WebSocket message each; text when it is UTF-8, as a local client's would be.
    QTRY_COMPARE(ws.texts(),
        (QList<QByteArray>{
            "telnet says hi", "caf\xc3\xa9", "\xff\xfe raw (binary)", "from the web page"}));
}

// What the relays publish is on the topic byte for byte, as mosquitto_sub sees it; what
// mosquitto_pub publishes (MQTT 5 or 3.1.1) reaches the relays' clients.
void tst_MqttBridge::mosquittoClientsSeeAndReachTheRelays()
{
    RelayConfig exactConfig = bridgedConfig(m_broker);
    exactConfig.terminator = *Terminator::fromName(QStringLiteral("crlf"));
    RelayFixture a;
    RelayFixture b;
    QVERIFY2(a.start(exactConfig, 1), qPrintable(a.relay().errorString()));
    QVERIFY2(b.start(bridgedConfig(m_broker), 1), qPrintable(b.relay().errorString()));
    QTRY_VERIFY2(isConnected(a), qPrintable(describe(a)));
    QTRY_VERIFY2(isConnected(b), qPrintable(describe(b)));
    MosquittoSubscriber sub;
    QVERIFY2(sub.start(m_broker, kTopic, 3), sub.errors().constData());

    const QByteArray binary = binaryPayload('x');
    a.peer(0).send(binary + "\r\nsecond\r\n");
    QTRY_COMPARE(b.peer(0).received(), binary + "\n" + "second\n");
    b.peer(0).send("from b\n");
    QVERIFY2(sub.waitForEnd(), sub.errors().constData());
    QCOMPARE(sub.payloads(), (QList<QByteArray>{binary, "second", "from b"}));

    QCOMPARE(mosquittoPublish(m_broker, kTopic, "hello"), 0);
    QCOMPARE(mosquittoPublish(m_broker, kTopic, "hello 3.1.1", {"-V", "mqttv311"}), 0);
    QCOMPARE(mosquittoPublish(m_broker, kTopic, binary, {"-V", "mqttv5"}), 0);
    QTRY_COMPARE(a.peer(0).received(),
        binary + "\r\nsecond\r\nfrom b\r\nhello\r\nhello 3.1.1\r\n" + binary + "\r\n");
    QTRY_COMPARE(
        b.peer(0).received(), binary + "\nsecond\nfrom b\nhello\nhello 3.1.1\n" + binary + "\n");
}

// The relay's own lines for its clients (heartbeats, the welcome, alarms) are not published;
// what a client or the console sends is.
void tst_MqttBridge::heartbeatWelcomeAndAlarmsStayLocal()
{
    RelayConfig config = bridgedConfig(m_broker);
    config.heartbeatSeconds = 1;
    config.welcome = "welcome to gallery 2";
    config.expected = {{QStringLiteral("kiosk"), QHostAddress(QStringLiteral("192.0.2.7")), {}}};
    config.expectGraceSeconds = 1;
    config.alarmMessage = "alarm:{name}:{state}";
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("^expected client kiosk")));
    RelayFixture relay;
    QVERIFY2(relay.start(config, 0), qPrintable(relay.relay().errorString()));
    QTRY_VERIFY2(isConnected(relay), qPrintable(describe(relay)));
    MosquittoSubscriber sub;
    QVERIFY2(sub.start(m_broker, kTopic), sub.errors().constData());

    TestPeer peer; // connected now, to be welcomed while the topic is watched
    QVERIFY(peer.connectTo(QHostAddress::LocalHost, relay.relay().port()));
    QTRY_VERIFY(peer.received().startsWith("welcome to gallery 2\n"));
    QTRY_VERIFY_WITH_TIMEOUT(peer.received().contains("heartbeat\n"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(peer.received().contains("alarm:kiosk:missing\n"), 10000);
    peer.send("client message\n");
    QTRY_VERIFY(peer.received().endsWith("client message\n")); // relayed, so published
    relay.relay().broadcast("from the console");
    QTRY_COMPARE(sub.payloads(), (QList<QByteArray>{"client message", "from the console"}));
    const qsizetype heartbeats = peer.received().count("heartbeat\n");
    QTRY_VERIFY_WITH_TIMEOUT(peer.received().count("heartbeat\n") > heartbeats, 10000);
    QTest::qWait(300); // a published heartbeat would reach mosquitto_sub meanwhile
    QCOMPARE(sub.payloads(), (QList<QByteArray>{"client message", "from the console"}));
    QCOMPARE(status(relay).published, 2);
}

// The broker killed and started again: each relay keeps serving its own clients meanwhile,
// both reconnect by themselves, and messages cross again. The log has one line per change.
void tst_MqttBridge::brokerKilledAndRestarted()
{
    RelayFixture a;
    RelayFixture b;
    QVERIFY2(a.start(bridgedConfig(m_broker), 2), qPrintable(a.relay().errorString()));
    QVERIFY2(b.start(bridgedConfig(m_broker), 2), qPrintable(b.relay().errorString()));
    QTRY_VERIFY2(isConnected(a), qPrintable(describe(a)));
    QTRY_VERIFY2(isConnected(b), qPrintable(describe(b)));
    a.peer(0).send("before\n");
    QTRY_COMPARE(b.peer(1).received(), QByteArray("before\n"));

    m_broker.stop();
    QTRY_VERIFY2(isWaiting(a), qPrintable(describe(a)));
    QTRY_VERIFY2(isWaiting(b), qPrintable(describe(b)));
    QVERIFY(!status(a).problem.isEmpty());
    a.peer(0).send("only in room a\n");
    b.peer(1).send("only in room b\n");
    QTRY_COMPARE(a.peer(1).received(), QByteArray("before\nonly in room a\n"));
    QTRY_COMPARE(b.peer(0).received(), QByteArray("before\nonly in room b\n"));
    QTest::qWait(3500); // a few attempts to reconnect fail meanwhile (1 s, then 2 s later)
    QCOMPARE(b.peer(1).received(), QByteArray("before\nonly in room b\n"));

    QVERIFY2(m_broker.restart(), qPrintable(m_broker.errorString()));
    QTRY_VERIFY2_WITH_TIMEOUT(isConnected(a), qPrintable(describe(a)), 40000);
    QTRY_VERIFY2_WITH_TIMEOUT(isConnected(b), qPrintable(describe(b)), 40000);
    QCOMPARE(status(a).connects, 2);
    QCOMPARE(status(b).connects, 2);
    a.peer(1).send("after from a\n");
    QTRY_COMPARE(b.peer(0).received(), QByteArray("before\nonly in room b\nafter from a\n"));
    b.peer(0).send("after from b\n");
    QTRY_COMPARE(
        a.peer(0).received(), QByteArray("before\nonly in room a\nafter from a\nafter from b\n"));

    const QByteArray log = CategoryLog::lines.join(u'\n').toUtf8();
    for (const QString &line : std::as_const(CategoryLog::lines))
        QVERIFY2(line.startsWith(QStringLiteral("MQTT: ")), log.constData());
    for (RelayFixture *relay : {&a, &b})
        QVERIFY2(logCount(QStringLiteral("MQTT: connected to 127.0.0.1:%1 as %2")
                              .arg(m_broker.port())
                              .arg(MqttBridge::defaultClientId(relay->relay().port())))
                == 2,
            log.constData());
    QVERIFY2(logCount(QStringLiteral("MQTT: connected")) == 4, log.constData());
    QVERIFY2(
        logCount(QStringLiteral("MQTT: lost the broker 127.0.0.1:%1").arg(m_broker.port())) == 2,
        log.constData());
    QVERIFY2(logCount(QStringLiteral("MQTT: cannot connect")) <= 2, log.constData());
}

// A broker with a password file: the right password connects; a wrong one waits with the reason,
// said in one log line however often it is tried again, and no password is ever logged.
void tst_MqttBridge::password()
{
    MosquittoBroker broker;
    MosquittoBroker::Options options;
    options.user = QStringLiteral("gallery");
    options.password = QStringLiteral("s3cret-Pass");
    QVERIFY2(broker.start(options), qPrintable(broker.errorString()));
    QTemporaryDir dir;
    const QString right = dir.filePath(QStringLiteral("right"));
    const QString wrong = dir.filePath(QStringLiteral("wrong"));
    for (const auto &[path, text] :
        {std::pair(right, "s3cret-Pass\n"), std::pair(wrong, "guessed\n")}) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write(text) > 0);
    }
    RelayConfig goodConfig = bridgedConfig(broker);
    goodConfig.mqtt.user = options.user;
    goodConfig.mqtt.passwordFile = right;
    RelayConfig badConfig = goodConfig;
    badConfig.mqtt.passwordFile = wrong;
    badConfig.mqtt.clientId = QStringLiteral("wrong-password");
    RelayFixture good;
    RelayFixture bad;
    QVERIFY2(good.start(goodConfig, 1), qPrintable(good.relay().errorString()));
    QVERIFY2(bad.start(badConfig, 1), qPrintable(bad.relay().errorString()));
    QTRY_VERIFY2(isConnected(good), qPrintable(describe(good)));

    // Refused, and tried again three times (1 s, 2 s, 4 s later).
    QTRY_VERIFY2_WITH_TIMEOUT(broker.output().count(QStringLiteral("not authorised")) >= 4,
        qPrintable(broker.output()), 30000);
    QVERIFY2(isWaiting(bad), qPrintable(describe(bad)));
    QVERIFY2(!status(bad).problem.isEmpty(), qPrintable(describe(bad)));
    QVERIFY2(logCount(QStringLiteral("refused")) == 1, qPrintable(describe(bad)));
    QVERIFY2(logCount(QStringLiteral("password")) == 1, qPrintable(describe(bad)));
    QVERIFY2(logCount(QStringLiteral("guessed")) == 0, qPrintable(describe(bad)));
    QVERIFY2(logCount(QStringLiteral("s3cret")) == 0, qPrintable(describe(bad)));
    QVERIFY(!status(bad).problem.contains(QStringLiteral("guessed")));
    QCOMPARE(status(bad).connects, 0);

    // Its room is served all the same.
    bad.peer(0).send("still here\n");
    QTRY_COMPARE(bad.peer(0).received(), QByteArray("still here\n"));
}

// --mqtt-direction out publishes and takes nothing from the broker; in takes and publishes
// nothing.
void tst_MqttBridge::directionOutAndIn()
{
    RelayConfig outConfig = bridgedConfig(m_broker);
    outConfig.mqtt.direction = MqttSettings::Direction::Out;
    RelayConfig inConfig = bridgedConfig(m_broker);
    inConfig.mqtt.direction = MqttSettings::Direction::In;
    RelayFixture out;
    RelayFixture in;
    RelayFixture both;
    QVERIFY2(out.start(outConfig, 1), qPrintable(out.relay().errorString()));
    QVERIFY2(in.start(inConfig, 1), qPrintable(in.relay().errorString()));
    QVERIFY2(both.start(bridgedConfig(m_broker), 1), qPrintable(both.relay().errorString()));
    QTRY_VERIFY2(isConnected(out), qPrintable(describe(out)));
    QTRY_VERIFY2(isConnected(in), qPrintable(describe(in)));
    QTRY_VERIFY2(isConnected(both), qPrintable(describe(both)));
    MosquittoSubscriber sub;
    QVERIFY2(sub.start(m_broker, kTopic), sub.errors().constData());

    in.peer(0).send("from in\n");
    QTRY_COMPARE(in.peer(0).received(), QByteArray("from in\n"));
    out.peer(0).send("from out\n");
    QTRY_COMPARE(both.peer(0).received(), QByteArray("from out\n"));
    QTRY_COMPARE(in.peer(0).received(), QByteArray("from in\nfrom out\n"));
    QCOMPARE(mosquittoPublish(m_broker, kTopic, "from mqtt"), 0);
    QTRY_COMPARE(both.peer(0).received(), QByteArray("from out\nfrom mqtt\n"));
    QTRY_COMPARE(in.peer(0).received(), QByteArray("from in\nfrom out\nfrom mqtt\n"));
    QTRY_COMPARE_WITH_TIMEOUT(sub.payloads(), (QList<QByteArray>{"from out", "from mqtt"}), 20000);

    QTest::qWait(500); // what should not arrive would arrive meanwhile
    QCOMPARE(out.peer(0).received(), QByteArray("from out\n"));
    QCOMPARE(both.peer(0).received(), QByteArray("from out\nfrom mqtt\n"));
    QCOMPARE(sub.payloads(), (QList<QByteArray>{"from out", "from mqtt"}));
    QCOMPARE(status(out).received, 0);
    QCOMPARE(status(out).published, 1);
    QCOMPARE(status(in).published, 0);
    QCOMPARE(status(in).received, 2);
}

// A message from the broker longer than --max-message-bytes is dropped and counted (and logged
// once); one just as long as allowed arrives.
void tst_MqttBridge::oversizeFromBrokerIsDropped()
{
    RelayConfig config = bridgedConfig(m_broker);
    config.maxMessageBytes = 100;
    RelayFixture relay;
    QVERIFY2(relay.start(config, 1), qPrintable(relay.relay().errorString()));
    QTRY_VERIFY2(isConnected(relay), qPrintable(describe(relay)));
    const int logLines = int(CategoryLog::lines.size());

    QCOMPARE(mosquittoPublish(m_broker, kTopic, QByteArray(101, 'x')), 0);
    QCOMPARE(mosquittoPublish(m_broker, kTopic, QByteArray(5000, 'y')), 0);
    QCOMPARE(mosquittoPublish(m_broker, kTopic, QByteArray(100, 'z')), 0);
    QTRY_COMPARE(relay.peer(0).received(), QByteArray(100, 'z') + "\n");
    QCOMPARE(status(relay).droppedOversize, 2);
    QCOMPARE(status(relay).received, 1);
    QVERIFY2(CategoryLog::lines.size() == logLines + 1, qPrintable(describe(relay)));
    QVERIFY2(isConnected(relay), qPrintable(describe(relay)));
}

// While the broker is away, --mqtt-queue 3 keeps the last three messages and publishes them when
// it is back; without a queue they are dropped and counted.
void tst_MqttBridge::queueWhileBrokerIsAway()
{
    // The watcher's session outlives the restart (the broker saves it), so it gets what the
    // relay publishes on reconnecting whichever of the two reconnects first.
    MosquittoBroker broker;
    MosquittoBroker::Options options;
    options.persistence = true;
    QVERIFY2(broker.start(options), qPrintable(broker.errorString()));
    RelayConfig queueConfig = bridgedConfig(broker);
    queueConfig.mqtt.queue = 3;
    RelayFixture queued;
    RelayFixture plain;
    QVERIFY2(queued.start(queueConfig, 1), qPrintable(queued.relay().errorString()));
    QVERIFY2(plain.start(bridgedConfig(broker), 1), qPrintable(plain.relay().errorString()));
    QTRY_VERIFY2(isConnected(queued), qPrintable(describe(queued)));
    QTRY_VERIFY2(isConnected(plain), qPrintable(describe(plain)));
    MosquittoSubscriber sub;
    QVERIFY2(sub.start(broker, kTopic, 4, {"-c", "-q", "1"}), sub.errors().constData());

    broker.stop();
    QTRY_VERIFY2(isWaiting(queued), qPrintable(describe(queued)));
    QTRY_VERIFY2(isWaiting(plain), qPrintable(describe(plain)));
    queued.peer(0).send("q1\nq2\nq3\nq4\nq5\n");
    plain.peer(0).send("p1\np2\n");
    QTRY_COMPARE(queued.peer(0).received(), QByteArray("q1\nq2\nq3\nq4\nq5\n"));
    QTRY_COMPARE(plain.peer(0).received(), QByteArray("p1\np2\n"));
    QTRY_COMPARE(status(queued).droppedAway, 2);
    QTRY_COMPARE(status(plain).droppedAway, 2);

    QVERIFY2(broker.restart(), qPrintable(broker.errorString()));
    QTRY_VERIFY2_WITH_TIMEOUT(isConnected(queued), qPrintable(describe(queued)), 40000);
    QTRY_VERIFY2_WITH_TIMEOUT(isConnected(plain), qPrintable(describe(plain)), 40000);
    queued.peer(0).send("after\n");
    QVERIFY2(sub.waitForEnd(), sub.errors().constData());
    QCOMPARE(sub.payloads(), (QList<QByteArray>{"q3", "q4", "q5", "after"}));
    QCOMPARE(status(queued).published, 4);
    QCOMPARE(status(plain).published, 0);
    QCOMPARE(status(plain).droppedAway, 2);
}

// A broker that speaks only MQTT 3.1.1 answers the bridge's MQTT 5 CONNECT with a 3.1.1 CONNACK
// "unacceptable protocol version": the bridge waits, says why once, and keeps serving its room.
void tst_MqttBridge::brokerWithoutMqtt5IsRefused()
{
    QTcpServer oldBroker;
    QVERIFY(oldBroker.listen(QHostAddress::LocalHost, 0));
    int connections = 0;
    connect(&oldBroker, &QTcpServer::newConnection, this, [&oldBroker, &connections] {
        while (QTcpSocket *socket = oldBroker.nextPendingConnection()) {
            ++connections;
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->write(QByteArray("\x20\x02\x00\x01", 4));
                socket->disconnectFromHost();
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    RelayConfig config;
    config.port = 0;
    config.mqtt.url = QStringLiteral("mqtt://127.0.0.1:%1").arg(oldBroker.serverPort());
    RelayFixture relay;
    QVERIFY2(relay.start(config, 1), qPrintable(relay.relay().errorString()));

    QTRY_VERIFY2_WITH_TIMEOUT(
        connections >= 3, qPrintable(describe(relay)), 30000); // tried again twice
    QTRY_VERIFY2(isWaiting(relay), qPrintable(describe(relay)));
    QVERIFY2(status(relay).problem.contains(QStringLiteral("MQTT 5")), qPrintable(describe(relay)));
    QVERIFY2(logCount(QStringLiteral("does not speak MQTT 5")) == 1, qPrintable(describe(relay)));
    QVERIFY2(logCount(QStringLiteral("MQTT: cannot connect")) <= 1, qPrintable(describe(relay)));
    QCOMPARE(status(relay).connects, 0);
    relay.peer(0).send("still here\n");
    QTRY_COMPARE(relay.peer(0).received(), QByteArray("still here\n"));
}

// Three relays with 100 TCP clients each: one message from a client of each relay reaches all
// 300 clients, each once.
void tst_MqttBridge::threeRelaysWithHundredClientsEach()
{
    constexpr int clients = 100;
    std::array<RelayFixture, 3> relays;
    for (RelayFixture &relay : relays)
        QVERIFY2(
            relay.start(bridgedConfig(m_broker), clients), qPrintable(relay.relay().errorString()));
    for (RelayFixture &relay : relays)
        QTRY_VERIFY2(isConnected(relay), qPrintable(describe(relay)));

    QList<QByteArray> sent;
    for (int r = 0; r < 3; ++r) {
        sent.append("from relay " + QByteArray::number(r));
        relays[size_t(r)].peer(r * 10).send(sent.last() + "\n");
    }
    const auto allHaveThree = [&relays] {
        for (RelayFixture &relay : relays)
            for (int i = 0; i < clients; ++i)
                if (messages(relay.peer(i).received()).size() < 3)
                    return false;
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(allHaveThree(), 30000);
    QTest::qWait(500); // a duplicate would arrive meanwhile
    for (size_t r = 0; r < relays.size(); ++r) {
        for (int i = 0; i < clients; ++i) {
            QList<QByteArray> got = messages(relays[r].peer(i).received());
            std::sort(got.begin(), got.end());
            QVERIFY2(got == sent,
                qPrintable(QStringLiteral("relay %1 client %2 got: %3")
                               .arg(r)
                               .arg(i)
                               .arg(QString::fromUtf8(relays[r].peer(i).received()))));
        }
    }
}

// Two relays with one client id: the broker takes the connection from one whenever the other
// connects. Each says so once, not at every reconnection, and says what to do.
void tst_MqttBridge::sharedClientIdIsSaidOnce()
{
    RelayConfig config = bridgedConfig(m_broker);
    config.mqtt.clientId = QStringLiteral("same-id");
    RelayFixture first;
    RelayFixture second;
    QVERIFY2(first.start(config, 0), qPrintable(first.relay().errorString()));
    QTRY_VERIFY2(isConnected(first), qPrintable(describe(first)));
    QVERIFY2(second.start(config, 0), qPrintable(second.relay().errorString()));
    QTRY_VERIFY2_WITH_TIMEOUT(status(first).connects + status(second).connects >= 6,
        qPrintable(describe(first) + describe(second)), 30000);

    const QString log = CategoryLog::lines.join(u'\n');
    QVERIFY2(logCount(QStringLiteral("MQTT: connected")) <= 4, qPrintable(log)); // 2 each
    QVERIFY2(logCount(QStringLiteral("MQTT: lost the broker")) <= 4, qPrintable(log)); // 2 each
    QVERIFY2(logCount(QStringLiteral("does another client use the client id same-id?")) >= 1,
        qPrintable(log));
}

// mqtts:// to a broker that is not there: refused at once, not after the keepalive (20 s) with
// libmosquitto reading the dead socket again and again. (The handshake's first write takes the
// socket's error, so what is left to say is "refused or closed".)
void tst_MqttBridge::tlsBrokerDownIsRefusedAtOnce()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();
    RelayConfig config;
    config.port = 0;
    config.mqtt.url = QStringLiteral("mqtts://127.0.0.1:%1").arg(port);
    RelayFixture relay;
    QVERIFY2(relay.start(config, 0), qPrintable(relay.relay().errorString()));
    QTRY_VERIFY2_WITH_TIMEOUT(status(relay).problem.contains(QStringLiteral("refused")),
        qPrintable(describe(relay)), 10000);
}

// A broker that takes packets of at most 300 bytes: a longer message is dropped, counted and
// said once; shorter ones are published.
void tst_MqttBridge::messageTheBrokerCannotTakeIsDropped()
{
    MosquittoBroker broker;
    MosquittoBroker::Options options;
    options.extraConfig = "max_packet_size 300\n";
    QVERIFY2(broker.start(options), qPrintable(broker.errorString()));
    RelayFixture relay;
    QVERIFY2(relay.start(bridgedConfig(broker), 1), qPrintable(relay.relay().errorString()));
    QTRY_VERIFY2(isConnected(relay), qPrintable(describe(relay)));
    MosquittoSubscriber sub;
    QVERIFY2(sub.start(broker, kTopic, 1), sub.errors().constData());

    relay.peer(0).send(QByteArray(1000, 'x') + '\n' + QByteArray(1000, 'y') + "\nshort\n");
    QTRY_COMPARE(sub.payloads(), QList<QByteArray>{"short"});
    QCOMPARE(status(relay).droppedRefused, 2);
    QCOMPARE(status(relay).published, 1);
    QVERIFY2(logCount(QStringLiteral("was not published")) == 1, qPrintable(describe(relay)));
}

// At QoS 1 the broker acknowledges each message: one its ACL refuses is counted as refused,
// not as published, and said.
void tst_MqttBridge::publishRefusedByTheBrokersAcl()
{
    MosquittoBroker broker;
    MosquittoBroker::Options options;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString acl = dir.filePath(QStringLiteral("acl"));
    QFile aclFile(acl);
    QVERIFY(aclFile.open(QIODevice::WriteOnly));
    aclFile.write("topic read museum/#\n"); // anonymous clients may listen, not speak
    aclFile.close();
    options.extraConfig = "acl_file " + acl.toUtf8() + "\n";
    QVERIFY2(broker.start(options), qPrintable(broker.errorString()));
    RelayConfig config = bridgedConfig(broker);
    config.mqtt.qos = 1;
    RelayFixture relay;
    QVERIFY2(relay.start(config, 1), qPrintable(relay.relay().errorString()));
    QTRY_VERIFY2(isConnected(relay), qPrintable(describe(relay)));

    relay.peer(0).send("not allowed\nnor this\n");
    QTRY_VERIFY2(status(relay).droppedRefused == 2, qPrintable(describe(relay)));
    QCOMPARE(status(relay).published, 0);
    QVERIFY2(logCount(QStringLiteral("was not published")) == 1, qPrintable(describe(relay)));
}

// A broker whose ACL denies the topic answers the subscription with a refusal (EMQX, HiveMQ;
// here a stand-in that speaks just enough MQTT 5): the relay says that nothing will arrive.
void tst_MqttBridge::refusedSubscriptionIsSaid()
{
    QTcpServer strictBroker;
    QVERIFY(strictBroker.listen(QHostAddress::LocalHost, 0));
    connect(&strictBroker, &QTcpServer::newConnection, this, [&strictBroker] {
        while (QTcpSocket *socket = strictBroker.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                const QByteArray packet = socket->readAll();
                if (packet.startsWith('\x10')) { // CONNECT: accepted, no properties
                    socket->write(QByteArray("\x20\x03\x00\x00\x00", 5));
                } else if (packet.startsWith('\x82') && packet.size() >= 4) {
                    // SUBSCRIBE (a short one: one length byte): SUBACK "not authorized"
                    socket->write(
                        QByteArray("\x90\x04", 2) + packet.mid(2, 2) + QByteArray("\x00\x87", 2));
                }
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    RelayConfig config;
    config.port = 0;
    config.mqtt.url = QStringLiteral("mqtt://127.0.0.1:%1").arg(strictBroker.serverPort());
    RelayFixture relay;
    QVERIFY2(relay.start(config, 0), qPrintable(relay.relay().errorString()));
    QTRY_VERIFY2(logCount(QStringLiteral("refused to send this relay topic socketserver")) == 1,
        qPrintable(describe(relay)));
    QVERIFY2(isConnected(relay), qPrintable(describe(relay)));
}

QTEST_GUILESS_MAIN(tst_MqttBridge)
#include "tst_mqttbridge.moc"
