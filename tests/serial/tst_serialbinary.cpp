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
    void idleWhileEverythingIsDown();

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

void tst_SerialBinary::idleWhileEverythingIsDown()
{
#ifndef Q_OS_LINUX
    QSKIP("reads CPU time from /proc");
#endif
    const QString path = m_dir.filePath(QStringLiteral("unplugged"));
    FakeArduino arduino(path);
    QVERIFY(arduino.plugIn());
    TestProcess serial;
    QVERIFY(serial.start(QStringLiteral(SOCKETSERVER_SERIAL_BINARY),
        {"--device", path, "--port", QString::number(closedPort()), "--settle-ms", "0"}));
    QVERIFY(serial.waitForOutput(QRegularExpression(QStringLiteral("relay: cannot reach"))));
    QVERIFY(serial.waitForOutput(QRegularExpression(QStringLiteral("ready"))));
    arduino.unplug();
    QVERIFY(serial.waitForOutput(QRegularExpression(QStringLiteral("no such device"))));
    const qint64 before = cpuTicks(serial.process().processId());
    QVERIFY(before >= 0);
    QTest::qWait(2000);
    // A port left open after its error, or a retry loop without a pause, burns the whole
    // 2 s (200 ticks); waiting costs next to nothing.
    const qint64 used = cpuTicks(serial.process().processId()) - before;
    QVERIFY2(used < 20, qPrintable(QStringLiteral("%1 ticks in 2 s").arg(used)));
    // One line per change of state, not one per attempt.
    QCOMPARE(serial.output().count(QStringLiteral("no such device")), 1);
    QCOMPARE(serial.output().count(QStringLiteral("cannot reach")), 1);
}

QTEST_GUILESS_MAIN(tst_SerialBinary)
#include "tst_serialbinary.moc"
