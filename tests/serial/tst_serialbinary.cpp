// Black-box tests of the socketserver-serial binary, against the real socketserver binary and
// a pseudo-terminal Arduino.
#include "fakearduino.h"
#include "testpeer.h"
#include "testprocess.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

ProgramResult run(const QStringList &args)
{
    return runToEnd(QStringLiteral(SOCKETSERVER_SERIAL_BINARY), args);
}

quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    return server.serverPort();
}

} // namespace

class tst_SerialBinary : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void helpAndVersion();
    void badOptionExitsTwo();
    void listExitsZero();
    void relaysBetweenDeviceAndDaemon();
    void quietWhileEverythingIsDown();

private:
    QTemporaryDir m_dir;
};

void tst_SerialBinary::helpAndVersion()
{
    const ProgramResult help = run({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.startsWith(QStringLiteral("Usage: socketserver-serial")));
    QCOMPARE(help.err, QString());
    const ProgramResult version = run({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.out, QStringLiteral("socketserver-serial " SOCKETSERVER_VERSION "\n"));
}

void tst_SerialBinary::badOptionExitsTwo()
{
    const ProgramResult result = run({QStringLiteral("--device"), QStringLiteral("x"),
        QStringLiteral("--baud"), QStringLiteral("fast")});
    QCOMPARE(result.exitCode, 2);
    QCOMPARE(result.out, QString());
    QCOMPARE(result.err,
        QStringLiteral("socketserver-serial: --baud: 'fast' is not a whole number from 50 to "
                       "4000000\nRun 'socketserver-serial --help' to see the options.\n"));
}

void tst_SerialBinary::listExitsZero()
{
    const ProgramResult result = run({QStringLiteral("--list")});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(!result.out.isEmpty());
    QCOMPARE(result.err, QString());
}

void tst_SerialBinary::relaysBetweenDeviceAndDaemon()
{
    TestProcess daemon;
    QVERIFY(daemon.start(QStringLiteral(SOCKETSERVER_BINARY), {"--port", "0"}));
    QRegularExpressionMatch match;
    QVERIFY(
        daemon.waitForOutput(QRegularExpression(QStringLiteral("listening on .*:(\\d+)")), &match));
    const QString port = match.captured(1);

    const QString path = m_dir.filePath(QStringLiteral("arduino"));
    FakeArduino arduino(path);
    QVERIFY(arduino.plugIn());
    TestProcess serial;
    QVERIFY(serial.start(QStringLiteral(SOCKETSERVER_SERIAL_BINARY),
        {"--device", path, "--port", port, "--settle-ms", "0", "--verbose"}));
    QVERIFY2(serial.waitForOutput(QRegularExpression(QStringLiteral("relay: connected to"))),
        qPrintable(serial.output()));
    QVERIFY(serial.waitForOutput(QRegularExpression(QStringLiteral("device: opened .* ready"))));

    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, quint16(port.toUInt())));
    // The client speaks first: once the board has its line, the relay has admitted the client.
    client.send("arduino1:led,on\r\n");
    QTRY_COMPARE(arduino.received(), QByteArray("arduino1:led,on\n"));
    QVERIFY(serial.waitForOutput(
        QRegularExpression(QStringLiteral("relay -> device: arduino1:led,on"))));
    QVERIFY(arduino.write("button,1\r\n"));
    // The client hears its own line too, and, having written CRLF, gets CRLF.
    QTRY_COMPARE(client.received(), QByteArray("arduino1:led,on\r\nbutton,1\r\n"));

    // Unplugged and back, without a restart.
    arduino.unplug();
    QVERIFY(
        serial.waitForOutput(QRegularExpression(QStringLiteral("warning: device: .* went away"))));
    QVERIFY(arduino.plugIn());
    QVERIFY(serial.waitForOutput(QRegularExpression(QStringLiteral("ready(.|\\n)*ready"))));
    QVERIFY(arduino.write("button,2\n"));
    QTRY_COMPARE(client.received(), QByteArray("arduino1:led,on\r\nbutton,1\r\nbutton,2\r\n"));

    ::kill(pid_t(serial.process().processId()), SIGTERM);
    QVERIFY(serial.process().waitForFinished(5000));
    QCOMPARE(serial.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(serial.process().exitCode(), 0);
}

void tst_SerialBinary::quietWhileEverythingIsDown()
{
    const QString path = m_dir.filePath(QStringLiteral("unplugged"));
    FakeArduino arduino(path);
    QVERIFY(arduino.plugIn());
    TestProcess serial;
    QVERIFY(serial.start(QStringLiteral(SOCKETSERVER_SERIAL_BINARY),
        {"--device", path, "--port", QString::number(closedPort()), "--settle-ms", "0"}));
    QVERIFY(serial.waitForOutput(QRegularExpression(QStringLiteral("relay: cannot reach"))));
    QVERIFY(serial.waitForOutput(QRegularExpression(QStringLiteral("device: opened .* ready"))));
    arduino.unplug();
    QVERIFY2(serial.waitForOutput(QRegularExpression(QStringLiteral("device: no such device"))),
        qPrintable(serial.output()));

    // Left unplugged for a few reopen attempts (one a second), while the relay stays out of
    // reach too. Nothing is asserted about time: the wait only gives the program attempts to
    // make. A slow machine makes fewer, which could hide a line per attempt but never fails a
    // program that logs one line per change.
    QTest::qWait(3500);
    QVERIFY(arduino.plugIn());
    QVERIFY2(serial.waitForOutput(QRegularExpression(QStringLiteral("ready(.|\\n)*ready"))),
        qPrintable(serial.output()));

    // One line per change of state, not one per attempt: what each "device:" line said.
    QStringList said;
    const QStringList lines = serial.output().split(u'\n');
    for (const QString &line : lines) {
        if (line.contains(QStringLiteral("device: opened ")))
            said += QStringLiteral("opened");
        else if (line.contains(QStringLiteral(" went away ")))
            said += QStringLiteral("went away");
        else if (line.contains(QStringLiteral("device: no such device ")))
            said += QStringLiteral("no such device");
        else if (line.contains(QStringLiteral("device: ")))
            said += line; // unexpected: shown whole when the comparison fails
    }
    QVERIFY2(said == QStringList({"opened", "went away", "no such device", "opened"}),
        qPrintable(said.join(QStringLiteral(" | "))));
    QCOMPARE(serial.output().count(QStringLiteral("cannot reach")), 1);
}

QTEST_GUILESS_MAIN(tst_SerialBinary)
#include "tst_serialbinary.moc"
