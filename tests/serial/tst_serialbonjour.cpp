// Black-box tests of socketserver-serial --find against a real avahi-daemon on a private bus
// (avahidaemon.h), the real socketserver binary and a pseudo-terminal Arduino: the bridge finds
// the relay by its name and relays lines; follows it when it restarts on another port; waits
// for a name not (yet) announced, saying so once; --find alone takes the only relay; while
// Bonjour is away it says so once and finds the relay when Bonjour is back.
#include "avahidaemon.h"
#include "fakearduino.h"
#include "testpeer.h"
#include "testprocess.h"

#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

// A socketserver announced on the network (--bind any), stopped when the test ends.
class Relay : public TestProcess
{
public:
    // Starts socketserver --bind any --name NAME --port PORT and waits until it is announced;
    // returns its port (0 when it did not start or was not announced).
    quint16 start(const QString &name, quint16 port = 0)
    {
        if (!TestProcess::start(QStringLiteral(SOCKETSERVER_BINARY),
                {"--bind", "any", "--name", name, "--port", QString::number(port)}))
            return 0;
        QRegularExpressionMatch match;
        if (!waitForOutput(
                QRegularExpression(QStringLiteral("listening on [^(]*(?:port |:)(\\d+)")), &match)
            || !waitForOutput(QRegularExpression(QRegularExpression::escape(
                QStringLiteral("announced on the network as \"%1\"").arg(name)))))
            return 0;
        return quint16(match.captured(1).toUInt());
    }

    // SIGTERM, as a service manager stops it; true once it has exited.
    bool stop()
    {
        ::kill(pid_t(process().processId()), SIGTERM);
        return process().waitForFinished(5000);
    }
};

// A TCP port free now: not one in use (where the relay restarts "elsewhere").
quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::Any);
    return server.serverPort();
}

// How many lines of @p output contain @p text.
qsizetype linesWith(const QString &output, const QString &text)
{
    return output.count(text);
}

} // namespace

class tst_SerialBonjour : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void init();
    void bridgesToTheRelayFoundByNameAndFollowsIt();
    void waitsForAnUnknownNameSayingSoOnce();
    void findAloneTakesTheOnlyRelay();
    void waitsWhileBonjourIsAway();

private:
    // Starts socketserver-serial on @p arduino's device with @p findArgs; true once started.
    bool startSerial(TestProcess &serial, const QString &device, const QStringList &findArgs)
    {
        return serial.start(QStringLiteral(SOCKETSERVER_SERIAL_BINARY),
            QStringList{"--device", device, "--settle-ms", "0"} + findArgs);
    }
    // Lines flow both ways between @p arduino and a new client of the relay on @p port.
    void exchangeLines(FakeArduino &arduino, quint16 port, const QByteArray &tag);

    QTemporaryDir m_dir;
    AvahiDaemon m_avahi;
};

void tst_SerialBonjour::init()
{
    REQUIRE_AVAHI();
    QVERIFY2(m_avahi.start(), qPrintable(m_avahi.errorString()));
    m_avahi.useInThisProcess(); // the relays and the bridge started by the test use it
}

void tst_SerialBonjour::exchangeLines(FakeArduino &arduino, quint16 port, const QByteArray &tag)
{
    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, port));
    arduino.clearReceived();
    // The client speaks first: once the board has its line, the relay has admitted the client.
    client.send("to-board," + tag + "\n");
    QTRY_COMPARE(arduino.received(), "to-board," + tag + "\n");
    QVERIFY(arduino.write("from-board," + tag + "\n"));
    QTRY_COMPARE(client.received(), "to-board," + tag + "\nfrom-board," + tag + "\n");
}

void tst_SerialBonjour::bridgesToTheRelayFoundByNameAndFollowsIt()
{
    Relay relay;
    const quint16 port = relay.start(QStringLiteral("Gallery 2"));
    QVERIFY2(port, qPrintable(relay.output()));

    const QString path = m_dir.filePath(QStringLiteral("arduino"));
    FakeArduino arduino(path);
    QVERIFY(arduino.plugIn());
    TestProcess serial;
    QVERIFY(startSerial(serial, path, {"--find", "Gallery 2"}));
    QVERIFY2(serial.waitForOutput(QRegularExpression(QRegularExpression::escape(
                 QStringLiteral("relaying %1 (9600 8N1) to the relay announced on the network "
                                "as \"Gallery 2\"")
                     .arg(path)))),
        qPrintable(serial.output()));
    QVERIFY2(serial.waitForOutput(QRegularExpression(QRegularExpression::escape(
                 QStringLiteral("relay: found \"Gallery 2\" at 127.0.0.1:%1").arg(port)))),
        qPrintable(serial.output()));
    QVERIFY2(serial.waitForOutput(QRegularExpression(
                 QStringLiteral("relay: connected to 127\\.0\\.0\\.1 port %1").arg(port))),
        qPrintable(serial.output()));
    QVERIFY(serial.waitForOutput(QRegularExpression(QStringLiteral("device: .* ready"))));
    exchangeLines(arduino, port, "1");

    // The relay stops and starts again with the same name on another port: the bridge follows.
    const quint16 newPort = freePort(); // while the relay still holds its port
    QVERIFY(newPort != port);
    QVERIFY(relay.stop());
    Relay moved;
    QVERIFY2(
        moved.start(QStringLiteral("Gallery 2"), newPort) == newPort, qPrintable(moved.output()));
    QVERIFY2(serial.waitForOutput(QRegularExpression(QRegularExpression::escape(
                 QStringLiteral("relay: \"Gallery 2\" moved to 127.0.0.1:%1; connecting there")
                     .arg(newPort)))),
        qPrintable(serial.output()));
    QVERIFY2(serial.waitForOutput(QRegularExpression(
                 QStringLiteral("relay: connected to 127\\.0\\.0\\.1 port %1").arg(newPort))),
        qPrintable(serial.output()));
    exchangeLines(arduino, newPort, "2");
    QCOMPARE(linesWith(serial.output(), QStringLiteral("relay: found ")), 1);

    ::kill(pid_t(serial.process().processId()), SIGTERM);
    QVERIFY(serial.process().waitForFinished(5000));
    QCOMPARE(serial.process().exitCode(), 0);
}

void tst_SerialBonjour::waitsForAnUnknownNameSayingSoOnce()
{
    const QString path = m_dir.filePath(QStringLiteral("waiting"));
    FakeArduino arduino(path);
    QVERIFY(arduino.plugIn());
    TestProcess serial;
    QVERIFY(startSerial(serial, path, {"--find", "Gallery 3"}));
    const QString waiting
        = QStringLiteral("relay: waiting: no relay called \"Gallery 3\" on the network (yet)");
    QVERIFY2(serial.waitForOutput(QRegularExpression(QRegularExpression::escape(waiting))),
        qPrintable(serial.output()));

    // Another relay comes: the bridge goes on waiting, without a word and without connecting.
    Relay other;
    QVERIFY2(other.start(QStringLiteral("Gallery 1")), qPrintable(other.output()));
    Relay wanted;
    const quint16 port = wanted.start(QStringLiteral("Gallery 3"));
    QVERIFY2(port, qPrintable(wanted.output()));
    QVERIFY2(serial.waitForOutput(QRegularExpression(
                 QStringLiteral("relay: connected to 127\\.0\\.0\\.1 port %1").arg(port))),
        qPrintable(serial.output()));
    exchangeLines(arduino, port, "3");

    const QString output = serial.output();
    QVERIFY2(linesWith(output, QStringLiteral("relay: waiting: ")) == 1, qPrintable(output));
    QCOMPARE(linesWith(output, QStringLiteral("relay: found ")), 1);
    QCOMPARE(linesWith(output, QStringLiteral("relay: connected to ")), 1);
    QVERIFY(!output.contains(QStringLiteral("Gallery 1")));
}

void tst_SerialBonjour::findAloneTakesTheOnlyRelay()
{
    Relay relay;
    const quint16 port = relay.start(QStringLiteral("The Only One"));
    QVERIFY2(port, qPrintable(relay.output()));
    const QString path = m_dir.filePath(QStringLiteral("only"));
    FakeArduino arduino(path);
    QVERIFY(arduino.plugIn());
    TestProcess serial;
    QVERIFY(startSerial(serial, path, {"--find"}));
    QVERIFY2(serial.waitForOutput(QRegularExpression(QRegularExpression::escape(
                 QStringLiteral("to the only relay announced on the network")))),
        qPrintable(serial.output()));
    QVERIFY2(serial.waitForOutput(QRegularExpression(QRegularExpression::escape(
                 QStringLiteral("relay: found \"The Only One\" at 127.0.0.1:%1").arg(port)))),
        qPrintable(serial.output()));
    QVERIFY2(serial.waitForOutput(QRegularExpression(
                 QStringLiteral("relay: connected to 127\\.0\\.0\\.1 port %1").arg(port))),
        qPrintable(serial.output()));
    exchangeLines(arduino, port, "only");
    // Said what it waited for once: nothing about "no relay" while it was still looking.
    QVERIFY2(linesWith(serial.output(), QStringLiteral("relay: waiting: ")) == 1,
        qPrintable(serial.output()));
    QVERIFY(serial.output().contains(
        QStringLiteral("relay: waiting: looking for relays on the network")));
}

void tst_SerialBonjour::waitsWhileBonjourIsAway()
{
    m_avahi.stopAvahi(); // the bus stays, as the system bus does when avahi-daemon goes
    const QString path = m_dir.filePath(QStringLiteral("away"));
    FakeArduino arduino(path);
    QVERIFY(arduino.plugIn());
    TestProcess serial;
    QVERIFY(startSerial(serial, path, {"--find", "Gallery 4"}));
    QVERIFY2(serial.waitForOutput(
                 QRegularExpression(QStringLiteral("relay: waiting: cannot look for relays: "))),
        qPrintable(serial.output()));

    // Left a while for the browser's retries (every 10 s). Nothing is asserted about time: a
    // slow machine makes fewer attempts, which could hide a line per attempt but never fails a
    // program that logs one line per change.
    QTest::qWait(12000);
    QVERIFY(serial.process().state() == QProcess::Running); // unattended: it never gives up
    QVERIFY2(m_avahi.startAvahi(), qPrintable(m_avahi.errorString()));
    Relay relay;
    const quint16 port = relay.start(QStringLiteral("Gallery 4"));
    QVERIFY2(port, qPrintable(relay.output()));
    // Found at the browser's next attempt, within Bonjour::kRetryMs.
    QTRY_VERIFY2_WITH_TIMEOUT(
        serial.output().contains(QStringLiteral("relay: connected to 127.0.0.1 port %1").arg(port)),
        qPrintable(serial.output()), 30000);
    exchangeLines(arduino, port, "4");
    QCOMPARE(linesWith(serial.output(), QStringLiteral("cannot look for relays")), 1);
}

QTEST_GUILESS_MAIN(tst_SerialBonjour)
#include "tst_serialbonjour.moc"
