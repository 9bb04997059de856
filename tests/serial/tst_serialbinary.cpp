// Black-box tests of the socketserver-serial binary, against the real socketserver binary and
// a pseudo-terminal Arduino.
#include "fakearduino.h"
#include "testpeer.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

// A running program, killed if the test leaves it running; collects what it prints.
class Program
{
public:
    ~Program()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    bool start(const QString &binary, const QStringList &args)
    {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(binary, args);
        return m_process.waitForStarted(5000);
    }
    // Waits until the output has a line matching pattern.
    bool waitFor(const QRegularExpression &pattern, QRegularExpressionMatch *match = nullptr)
    {
        QDeadlineTimer deadline(10000);
        while (!deadline.hasExpired()) {
            m_output += m_process.readAll();
            const QRegularExpressionMatch found = pattern.match(QString::fromUtf8(m_output));
            if (found.hasMatch()) {
                if (match)
                    *match = found;
                return true;
            }
            if (m_process.state() == QProcess::NotRunning)
                return false;
            m_process.waitForReadyRead(100);
        }
        return false;
    }
    QProcess &process() { return m_process; }
    QString output() { return QString::fromUtf8(m_output += m_process.readAll()); }

private:
    QProcess m_process;
    QByteArray m_output;
};

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

Result run(const QStringList &args)
{
    QProcess process;
    process.start(QStringLiteral(SOCKETSERVER_SERIAL_BINARY), args);
    if (!process.waitForFinished(10000)) {
        process.kill();
        return {};
    }
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
        QString::fromUtf8(process.readAllStandardError())};
}

qint64 cpuTicks(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.value(11).toLongLong() + fields.value(12).toLongLong();
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
    const Result help = run({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.startsWith(QStringLiteral("Usage: socketserver-serial")));
    QCOMPARE(help.err, QString());
    const Result version = run({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.out, QStringLiteral("socketserver-serial " SOCKETSERVER_VERSION "\n"));
}

void tst_SerialBinary::badOptionExitsTwo()
{
    const Result result = run({QStringLiteral("--device"), QStringLiteral("x"),
        QStringLiteral("--baud"), QStringLiteral("fast")});
    QCOMPARE(result.exitCode, 2);
    QCOMPARE(result.out, QString());
    QCOMPARE(result.err,
        QStringLiteral("socketserver-serial: --baud: 'fast' is not a whole number from 50 to "
                       "4000000\nRun 'socketserver-serial --help' to see the options.\n"));
}

void tst_SerialBinary::listExitsZero()
{
    const Result result = run({QStringLiteral("--list")});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(!result.out.isEmpty());
    QCOMPARE(result.err, QString());
}

void tst_SerialBinary::relaysBetweenDeviceAndDaemon()
{
    Program daemon;
    QVERIFY(daemon.start(QStringLiteral(SOCKETSERVER_BINARY), {"--port", "0"}));
    QRegularExpressionMatch match;
    QVERIFY(daemon.waitFor(QRegularExpression(QStringLiteral("listening on .*:(\\d+)")), &match));
    const QString port = match.captured(1);

    const QString path = m_dir.filePath(QStringLiteral("arduino"));
    FakeArduino arduino(path);
    QVERIFY(arduino.plugIn());
    Program serial;
    QVERIFY(serial.start(QStringLiteral(SOCKETSERVER_SERIAL_BINARY),
        {"--device", path, "--port", port, "--settle-ms", "0", "--verbose"}));
    QVERIFY2(serial.waitFor(QRegularExpression(QStringLiteral("relay: connected to"))),
        qPrintable(serial.output()));
    QVERIFY(serial.waitFor(QRegularExpression(QStringLiteral("device: opened .* ready"))));

    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, quint16(port.toUInt())));
    // The client speaks first: once the board has its line, the relay has admitted the client.
    client.send("arduino1:led,on\r\n");
    QTRY_COMPARE(arduino.received(), QByteArray("arduino1:led,on\n"));
    QVERIFY(serial.waitFor(QRegularExpression(QStringLiteral("relay -> device: arduino1:led,on"))));
    QVERIFY(arduino.write("button,1\r\n"));
    // The client hears its own line too, and, having written CRLF, gets CRLF.
    QTRY_COMPARE(client.received(), QByteArray("arduino1:led,on\r\nbutton,1\r\n"));

    // Unplugged and back, without a restart.
    arduino.unplug();
    QVERIFY(serial.waitFor(QRegularExpression(QStringLiteral("warning: device: .* went away"))));
    QVERIFY(arduino.plugIn());
    QVERIFY(serial.waitFor(QRegularExpression(QStringLiteral("ready(.|\\n)*ready"))));
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
    Program serial;
    QVERIFY(serial.start(QStringLiteral(SOCKETSERVER_SERIAL_BINARY),
        {"--device", path, "--port", QString::number(closedPort()), "--settle-ms", "0"}));
    QVERIFY(serial.waitFor(QRegularExpression(QStringLiteral("relay: cannot reach"))));
    QVERIFY(serial.waitFor(QRegularExpression(QStringLiteral("ready"))));
    arduino.unplug();
    QVERIFY(serial.waitFor(QRegularExpression(QStringLiteral("no such device"))));
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
