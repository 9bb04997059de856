// Black-box tests of the socketserver binary with --mqtt: relays started as processes, joined
// through a real mosquitto broker (plain and TLS), talked to over loopback. Bad settings stop
// the start; a broker that is away costs nothing locally and is logged once; /metrics shows
// the bridge.
#include "httpget.h"
#include "mosquittobroker.h"
#include "promtool.h"
#include "testpeer.h"
#include "testprocess.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

// The broker, its clients and openssl (for the TLS certificates) are a real part of these
// tests: on Debian ./test.sh installs them, so there a missing one is a failure.
#define REQUIRE_OPENSSL()                                                                          \
    REQUIRE_TOOL(!QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty(), "openssl",  \
        "the openssl command, which makes the test certificates")

namespace {

const QString kTopic = QStringLiteral("museum/gallery2");

// A running socketserver on a free port, stopped when the test ends.
class Relay : public TestProcess
{
public:
    // Starts socketserver --port 0 with args and waits for its start-up line; returns the port.
    quint16 start(const QStringList &args)
    {
        if (!TestProcess::start(QStringLiteral(SOCKETSERVER_BINARY),
                QStringList{QStringLiteral("--port"), "0"} + args))
            return 0;
        QRegularExpressionMatch match;
        if (!waitForOutput(QRegularExpression(QStringLiteral("listening on .*:(\\d+)")), &match))
            return 0;
        return quint16(match.captured(1).toUInt());
    }

    // The port of /metrics and /health, from the start-up lines (with --ws-port).
    quint16 webPort()
    {
        QRegularExpressionMatch match;
        if (!waitForOutput(
                QRegularExpression(QStringLiteral("monitoring: http://127\\.0\\.0\\.1:(\\d+)/")),
                &match))
            return 0;
        return quint16(match.captured(1).toUInt());
    }

    // How many times the log has said @p text so far.
    qsizetype count(const QString &text) { return output().count(text); }
};

// A client of a relay that has taken part in the conversation (its own first message came
// back), so that it gets everything from now on.
bool joinRelay(TestPeer &client, quint16 port, const QByteArray &hello)
{
    if (!client.connectTo(QHostAddress::LocalHost, port))
        return false;
    client.send(hello);
    return QTest::qWaitFor([&client, &hello] { return client.received().contains(hello); }, 10000);
}

// What /health says: its status, and its check mqtt:connection's.
struct Health
{
    int httpStatus = 0;
    QString status;
    QString mqttStatus;
    QString mqttOutput;
};

Health health(quint16 webPort)
{
    const HttpResponse response = httpGet(webPort, "/health");
    const QJsonObject json = QJsonDocument::fromJson(response.body).object();
    const QJsonObject mqtt = json.value(QStringLiteral("checks"))
                                 .toObject()
                                 .value(QStringLiteral("mqtt:connection"))
                                 .toArray()
                                 .first()
                                 .toObject();
    return {response.status, json.value(QStringLiteral("status")).toString(),
        mqtt.value(QStringLiteral("status")).toString(),
        mqtt.value(QStringLiteral("output")).toString()};
}

// Writes a test CA and a certificate for the host name "localhost" (no IP address) that it
// signed into @p dir: ca.pem, server.pem, server.key. Returns what went wrong, or nothing.
QString makeCertificates(const QTemporaryDir &dir)
{
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    QFile extensions(dir.filePath(QStringLiteral("server.ext")));
    if (!extensions.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write server.ext");
    extensions.write("subjectAltName = DNS:localhost\nbasicConstraints = CA:FALSE\n"
                     "extendedKeyUsage = serverAuth\n");
    extensions.close();
    const QStringList newKey
        = {QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
            QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
    const QList<QStringList> steps = {
        QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + newKey
            + QStringList{QStringLiteral("-keyout"), QStringLiteral("ca.key"),
                QStringLiteral("-out"), QStringLiteral("ca.pem"), QStringLiteral("-days"),
                QStringLiteral("2"), QStringLiteral("-subj"),
                QStringLiteral("/CN=SocketServer test CA")},
        QStringList{QStringLiteral("req")} + newKey
            + QStringList{QStringLiteral("-keyout"), QStringLiteral("server.key"),
                QStringLiteral("-out"), QStringLiteral("server.csr"), QStringLiteral("-subj"),
                QStringLiteral("/CN=localhost")},
        {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
            QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
            QStringLiteral("-CAkey"), QStringLiteral("ca.key"), QStringLiteral("-CAcreateserial"),
            QStringLiteral("-out"), QStringLiteral("server.pem"), QStringLiteral("-days"),
            QStringLiteral("2"), QStringLiteral("-extfile"), QStringLiteral("server.ext")},
    };
    for (const QStringList &args : steps) {
        QProcess process;
        process.setWorkingDirectory(dir.path());
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(openssl, args);
        if (!process.waitForFinished(30000) || process.exitCode() != 0)
            return QStringLiteral("openssl %1 failed: %2")
                .arg(args.join(u' '), QString::fromUtf8(process.readAll()));
    }
    return {};
}

// Starts @p broker with a TLS listener too, its certificates made in @p dir (ca.pem is the
// CA). Returns what went wrong, or nothing.
QString startTlsBroker(MosquittoBroker &broker, const QTemporaryDir &dir)
{
    const QString made = makeCertificates(dir);
    if (!made.isEmpty())
        return made;
    MosquittoBroker::Options options;
    options.caFile = dir.filePath(QStringLiteral("ca.pem"));
    options.certFile = dir.filePath(QStringLiteral("server.pem"));
    options.keyFile = dir.filePath(QStringLiteral("server.key"));
    return broker.start(options) ? QString() : broker.errorString();
}

} // namespace

class tst_MqttDaemon : public QObject
{
    Q_OBJECT

private slots:
    void badSettingsStopTheStart_data();
    void badSettingsStopTheStart();
    void twoRelaysShareTheConversation();
    void brokerAwayAtStartIsLoggedOnceAndJoinedLater();
    void metricsAndHealthFollowTheBridge();
    void tlsWithTheBrokersCa();
    void tlsWithTheSystemsCas();
    void tlsRefusedCertificateWaits_data();
    void tlsRefusedCertificateWaits();
};

void tst_MqttDaemon::badSettingsStopTheStart_data()
{
    QTest::addColumn<QStringList>("args"); // DIR: a folder; BROKER: a port that takes connections
    QTest::addColumn<QString>("mentions");

    QTest::newRow("not a broker address") << QStringList{
        "--mqtt", "http://x"} << "socketserver: --mqtt: 'http://x' is not a broker address";
    QTest::newRow("a topic with # inside a level")
        << QStringList{"--mqtt", "mqtt://BROKER", "--mqtt-topic", "a/b#", "--mqtt-direction", "in"}
        << "socketserver: --mqtt-topic: 'a/b#' is not an MQTT topic";
    QTest::newRow("a filter without --mqtt-direction in")
        << QStringList{"--mqtt", "mqtt://BROKER", "--mqtt-topic", "museum/#"}
        << "socketserver: --mqtt-topic museum/#: a topic with the wildcards + or # can only be "
           "listened to";
    QTest::newRow("password file missing") << QStringList{"--mqtt", "mqtt://BROKER", "--mqtt-user",
        "guide", "--mqtt-password-file", "DIR/missing.pw"}
                                           << "DIR/missing.pw";
    QTest::newRow("password file empty") << QStringList{"--mqtt", "mqtt://BROKER", "--mqtt-user",
        "guide", "--mqtt-password-file", "DIR/empty.pw"}
                                         << "DIR/empty.pw";
    QTest::newRow("CA file missing") << QStringList{"--mqtt", "mqtts://BROKER", "--mqtt-ca",
        "DIR/missing.pem"} << "DIR/missing.pem";
}

// Exit status 2, one sentence on stderr, and the relay neither listened nor went to the broker.
void tst_MqttDaemon::badSettingsStopTheStart()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile empty(dir.filePath(QStringLiteral("empty.pw")));
    QVERIFY(empty.open(QIODevice::WriteOnly));
    empty.close();
    QTcpServer broker; // a broker would be here: nobody may come
    QVERIFY(broker.listen(QHostAddress::LocalHost, 0));
    const QString brokerAddress = QStringLiteral("127.0.0.1:%1").arg(broker.serverPort());
    for (QString &arg : args)
        arg.replace(QStringLiteral("DIR"), dir.path())
            .replace(QStringLiteral("BROKER"), brokerAddress);
    mentions.replace(QStringLiteral("DIR"), dir.path());

    const ProgramResult result = runToEnd(QStringLiteral(SOCKETSERVER_BINARY), args);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(!result.out.contains(QStringLiteral("listening on")), qPrintable(result.out));
    QVERIFY2(result.err.startsWith(QStringLiteral("socketserver: ")), qPrintable(result.err));
    QVERIFY2(result.err.contains(mentions), qPrintable(result.err));
    QStringList lines = result.err.split(u'\n', Qt::SkipEmptyParts);
    lines.removeAll(QStringLiteral("Run 'socketserver --help' to see the options."));
    QVERIFY2(lines.size() == 1, qPrintable(result.err));
    QVERIFY(!broker.waitForNewConnection(100));
}

// Two rooms, one broker: what a client says in one room reaches the other, byte for byte, in
// order, once, with each client's own line ending; so do the console's lines.
void tst_MqttDaemon::twoRelaysShareTheConversation()
{
    REQUIRE_MOSQUITTO_BROKER();
    MosquittoBroker broker;
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    Relay a;
    Relay b;
    const quint16 portA = a.start({"-c", "--mqtt", broker.url(), "--mqtt-topic", kTopic});
    QVERIFY2(portA != 0, qPrintable(a.output()));
    const quint16 portB = b.start({"--mqtt", broker.url(), "--mqtt-topic", kTopic});
    QVERIFY2(portB != 0, qPrintable(b.output()));
    // The start-up lines name the broker and the topic; the default client ids differ.
    QVERIFY2(a.waitForOutput(QRegularExpression(
                 QStringLiteral("other rooms: through the MQTT broker mqtt://127\\.0\\.0\\.1:%1, "
                                "topic museum/gallery2 ")
                     .arg(broker.port()))),
        qPrintable(a.output()));
    for (Relay *relay : {&a, &b}) {
        const quint16 port = relay == &a ? portA : portB;
        QVERIFY2(relay->waitForOutput(QRegularExpression(QStringLiteral(
                     "MQTT: connected to 127\\.0\\.0\\.1:%1 as socketserver-\\S+-%2, "
                     "topic museum/gallery2")
                                                             .arg(broker.port())
                                                             .arg(port))),
            qPrintable(relay->output()));
    }

    TestPeer inB;
    QVERIFY(joinRelay(inB, portB, "b: ready\r\n")); // before A's client: it misses nothing of A's
    TestPeer inA;
    QVERIFY(joinRelay(inA, portA, "a: ready\n"));

    // Room A: bytes that are no text, many messages at once, then the console.
    QByteArray fromA = "a: ready\n"
        + QByteArrayLiteral("bytes \xff\x01 gr\xc3\xbc\xc3\x9f"
                            "e\n");
    inA.send(fromA.sliced(9));
    for (int i = 0; i < 50; ++i)
        fromA += "a" + QByteArray::number(i) + '\n';
    inA.send(fromA.sliced(fromA.indexOf("a0\n")));
    inB.send("from b\r\n");
    QTRY_VERIFY(inA.received().contains("a49\n"));
    a.process().write("typed in room A\n");
    fromA += "typed in room A\n";
    QTRY_VERIFY(inB.received().endsWith("typed in room A\r\n"));
    inB.send("last\r\n");
    QTRY_VERIFY(inA.received().endsWith("last\n"));

    // At B, after its own messages (each once): all of A's, in order, once, ended with CRLF.
    QByteArray atB = inB.received();
    for (const char *own : {"b: ready\r\n", "from b\r\n", "last\r\n"}) {
        QCOMPARE(atB.count(own), 1);
        atB.replace(own, "");
    }
    QCOMPARE(atB, QByteArray(fromA).replace("\n", "\r\n"));
    // At A, the same the other way, ended with LF. B's first message may have reached relay A
    // before or after A's client joined (the way through the broker takes about 1 ms).
    QByteArray atA = inA.received();
    QVERIFY(atA.count("b: ready\n") <= 1);
    atA.replace("b: ready\n", "");
    for (const char *other : {"from b\n", "last\n"}) {
        QCOMPARE(atA.count(other), 1);
        atA.replace(other, "");
    }
    QCOMPARE(atA, fromA);
    QCOMPARE(a.process().state(), QProcess::Running);
    QCOMPARE(b.process().state(), QProcess::Running);
}

// A broker that is not there when the relay starts: the room is served all the same, the log
// says so once (not once per try), and the relay joins the broker when it comes.
void tst_MqttDaemon::brokerAwayAtStartIsLoggedOnceAndJoinedLater()
{
    REQUIRE_MOSQUITTO_BROKER();
    MosquittoBroker broker;
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    broker.stop(); // its port is known, and nothing is there

    Relay relay;
    const quint16 port = relay.start({"--mqtt", broker.url()});
    QVERIFY2(port != 0, qPrintable(relay.output()));
    TestPeer client;
    QVERIFY(joinRelay(client, port, "served\n"));
    const QString cannot
        = QStringLiteral("MQTT: cannot connect to 127.0.0.1:%1").arg(broker.port());
    QTRY_VERIFY2(relay.output().contains(cannot), qPrintable(relay.output()));
    QTest::qWait(7000); // tries at about 1, 2 and 4 s
    QVERIFY2(relay.count(cannot) == 1, qPrintable(relay.output()));
    QCOMPARE(relay.count(QStringLiteral("MQTT: ")), 1);
    client.send("still served\n");
    QTRY_COMPARE(client.received(), QByteArray("served\nstill served\n"));

    // The next try comes at most 16 s after the start (1, 2, 4, 8 s apart, less jitter).
    QVERIFY2(broker.restart(), qPrintable(broker.errorString()));
    QTRY_VERIFY2_WITH_TIMEOUT(
        relay.output().contains(
            QStringLiteral("MQTT: connected to 127.0.0.1:%1").arg(broker.port())),
        qPrintable(relay.output()), 15000);
    QCOMPARE(mosquittoPublish(broker, QStringLiteral("socketserver"), "from the broker"), 0);
    QTRY_COMPARE(client.received(), QByteArray("served\nstill served\nfrom the broker\n"));
    QCOMPARE(relay.count(cannot), 1);
}

// /metrics counts what crosses and what is dropped, and Prometheus' checker takes it; /health
// warns while the broker is away.
void tst_MqttDaemon::metricsAndHealthFollowTheBridge()
{
    REQUIRE_MOSQUITTO_BROKER();
    REQUIRE_PROMTOOL(promtool);
    MosquittoBroker broker;
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    Relay relay;
    const quint16 port = relay.start({"--ws-port", "0", "--mqtt", broker.url()});
    QVERIFY2(port != 0, qPrintable(relay.output()));
    const quint16 webPort = relay.webPort();
    QVERIFY(webPort != 0);
    QVERIFY(relay.waitForOutput(QRegularExpression(QStringLiteral("MQTT: connected to "))));
    const auto sample = [webPort](const QByteArray &name) {
        return metricSamples(httpGet(webPort, "/metrics").body).value(name, -1);
    };
    const QByteArray out = "socketserver_mqtt_messages_total{direction=\"out\"}";
    const QByteArray in = "socketserver_mqtt_messages_total{direction=\"in\"}";
    const QByteArray away = "socketserver_mqtt_dropped_total{reason=\"away\"}";
    QCOMPARE(sample("socketserver_mqtt_connected"), 1);
    QCOMPARE(sample(out), 0);
    QCOMPARE(sample(in), 0);

    TestPeer client;
    QVERIFY(joinRelay(client, port, "one\n"));
    client.send("two\n");
    QTRY_COMPARE(sample(out), 2);
    QCOMPARE(mosquittoPublish(broker, QStringLiteral("socketserver"), "three"), 0);
    QTRY_COMPARE(client.received(), QByteArray("one\ntwo\nthree\n"));
    QTRY_COMPARE(sample(in), 1);
    QCOMPARE(sample(out), 2); // what came from the broker is not published back

    const HttpResponse metrics = httpGet(webPort, "/metrics");
    for (const QByteArray &name :
        {away, QByteArray("socketserver_mqtt_dropped_total{reason=\"backlog\"}"),
            QByteArray("socketserver_mqtt_dropped_total{reason=\"oversize\"}")})
        QVERIFY2(metricSamples(metrics.body).value(name, -1) == 0, name.constData());
    const QByteArray problems = promtoolCheckMetrics(promtool, metrics.body);
    QVERIFY2(problems.isEmpty(), problems.constData());
    Health now = health(webPort);
    QCOMPARE(now.httpStatus, 200);
    QCOMPARE(now.status, QStringLiteral("pass"));
    QCOMPARE(now.mqttStatus, QStringLiteral("pass"));

    // The broker away: counted as dropped, a warning (never a failure), the room served.
    broker.stop();
    QTRY_COMPARE(sample("socketserver_mqtt_connected"), 0);
    client.send("four\n");
    QTRY_COMPARE(client.received(), QByteArray("one\ntwo\nthree\nfour\n"));
    QTRY_COMPARE(sample(away), 1);
    QCOMPARE(sample(out), 2);
    now = health(webPort);
    QCOMPARE(now.httpStatus, 200);
    QCOMPARE(now.status, QStringLiteral("warn"));
    QCOMPARE(now.mqttStatus, QStringLiteral("warn"));
    QVERIFY2(now.mqttOutput.contains(QStringLiteral("127.0.0.1:%1").arg(broker.port())),
        qPrintable(now.mqttOutput));
    QVERIFY2(relay.output().contains(
                 QStringLiteral("MQTT: lost the broker 127.0.0.1:%1").arg(broker.port())),
        qPrintable(relay.output()));
}

// mqtts:// with the broker's CA (--mqtt-ca): a relay on the broker's TLS listener and one on
// its plain listener share the conversation.
void tst_MqttDaemon::tlsWithTheBrokersCa()
{
    REQUIRE_MOSQUITTO_BROKER();
    REQUIRE_OPENSSL();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MosquittoBroker broker;
    const QString problem = startTlsBroker(broker, dir);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QString caFile = dir.filePath(QStringLiteral("ca.pem"));

    Relay secure;
    const quint16 securePort = secure.start({"--mqtt",
        QStringLiteral("mqtts://localhost:%1").arg(broker.tlsPort()), "--mqtt-ca", caFile});
    QVERIFY2(securePort != 0, qPrintable(secure.output()));
    Relay plain;
    const quint16 plainPort = plain.start({"--mqtt", broker.url()});
    QVERIFY2(plainPort != 0, qPrintable(plain.output()));
    QVERIFY2(secure.waitForOutput(QRegularExpression(
                 QStringLiteral("MQTT: connected to localhost:%1 ").arg(broker.tlsPort()))),
        qPrintable(secure.output() + broker.output()));
    QVERIFY2(plain.waitForOutput(QRegularExpression(QStringLiteral("MQTT: connected to "))),
        qPrintable(plain.output()));

    TestPeer inPlain;
    QVERIFY(joinRelay(inPlain, plainPort, "plain: ready\n"));
    TestPeer inSecure;
    QVERIFY(joinRelay(inSecure, securePort, "secure: ready\n"));
    QTRY_COMPARE(inPlain.received(), QByteArray("plain: ready\nsecure: ready\n"));
    inPlain.send("over the plain listener\n");
    QTRY_VERIFY(inSecure.received().endsWith("over the plain listener\n"));
    // The plain relay's first message may have come before or after this client joined.
    QVERIFY2(inSecure.received() == "secure: ready\nover the plain listener\n"
            || inSecure.received() == "secure: ready\nplain: ready\nover the plain listener\n",
        inSecure.received().constData());
    QCOMPARE(secure.count(QStringLiteral("MQTT: ")), 1);
}

// mqtts:// without --mqtt-ca trusts the system's CAs (OpenSSL's: SSL_CERT_FILE names them
// here), at the first connection and at each one after the broker was lost.
void tst_MqttDaemon::tlsWithTheSystemsCas()
{
    REQUIRE_MOSQUITTO_BROKER();
    REQUIRE_OPENSSL();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MosquittoBroker broker;
    const QString problem = startTlsBroker(broker, dir);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    Relay relay;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("SSL_CERT_FILE"), dir.filePath(QStringLiteral("ca.pem")));
    relay.process().setProcessEnvironment(environment);
    const quint16 port
        = relay.start({"--mqtt", QStringLiteral("mqtts://localhost:%1").arg(broker.tlsPort())});
    QVERIFY2(port != 0, qPrintable(relay.output()));
    const QString connected
        = QStringLiteral("MQTT: connected to localhost:%1 ").arg(broker.tlsPort());
    QTRY_VERIFY2(relay.output().contains(connected), qPrintable(relay.output()));

    broker.stop();
    QTRY_VERIFY2(relay.output().contains(QStringLiteral("MQTT: lost the broker")),
        qPrintable(relay.output()));
    QVERIFY2(broker.restart(), qPrintable(broker.errorString()));
    QTRY_VERIFY2_WITH_TIMEOUT(relay.count(connected) == 2, qPrintable(relay.output()), 10000);
    TestPeer client;
    QVERIFY(joinRelay(client, port, "served\n"));
    QCOMPARE(mosquittoPublish(broker, QStringLiteral("socketserver"), "over TLS again"), 0);
    QTRY_COMPARE(client.received(), QByteArray("served\nover TLS again\n"));
}

void tst_MqttDaemon::tlsRefusedCertificateWaits_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("withCa");
    // The test CA is none of the system's.
    QTest::newRow("the system's CAs") << "localhost" << false;
    // The certificate is for localhost, not for the address.
    QTest::newRow("another name than the certificate's") << "127.0.0.1" << true;
}

// A certificate the relay cannot trust: one line saying so, the relay waiting (and trying
// again) and serving its room.
void tst_MqttDaemon::tlsRefusedCertificateWaits()
{
    QFETCH(QString, host);
    QFETCH(bool, withCa);
    REQUIRE_MOSQUITTO_BROKER();
    REQUIRE_OPENSSL();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MosquittoBroker broker;
    const QString problem = startTlsBroker(broker, dir);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QString caFile = dir.filePath(QStringLiteral("ca.pem"));

    QStringList args = {"--ws-port", "0", "--mqtt",
        QStringLiteral("mqtts://%1:%2").arg(host).arg(broker.tlsPort())};
    if (withCa)
        args << QStringLiteral("--mqtt-ca") << caFile;
    Relay relay;
    const quint16 port = relay.start(args);
    QVERIFY2(port != 0, qPrintable(relay.output()));
    const quint16 webPort = relay.webPort();
    QVERIFY(webPort != 0);
    const QRegularExpression refused(QStringLiteral("MQTT: cannot connect to %1:%2: .*certificate")
                                         .arg(QRegularExpression::escape(host))
                                         .arg(broker.tlsPort()),
        QRegularExpression::CaseInsensitiveOption);
    QVERIFY2(relay.waitForOutput(refused), qPrintable(relay.output()));
    QTest::qWait(4000); // tries again at about 1 and 2 s
    QVERIFY2(relay.count(QStringLiteral("MQTT: ")) == 1, qPrintable(relay.output()));
    const Health now = health(webPort);
    QCOMPARE(now.mqttStatus, QStringLiteral("warn"));
    QVERIFY2(now.mqttOutput.contains(QStringLiteral("certificate"), Qt::CaseInsensitive),
        qPrintable(now.mqttOutput));
    QCOMPARE(
        metricSamples(httpGet(webPort, "/metrics").body).value("socketserver_mqtt_connected", -1),
        0);
    TestPeer client;
    QVERIFY(joinRelay(client, port, "served\n"));
}

QTEST_GUILESS_MAIN(tst_MqttDaemon)
#include "tst_mqttdaemon.moc"
