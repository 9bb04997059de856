// Black-box tests of the socketserver binary: started as a process, talked to over loopback.
#include "httpget.h"
#include "promtool.h"
#include "testpeer.h"
#include "testprocess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocalSocket>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <csignal>

namespace {

// A running socketserver, stopped when the test ends.
class Daemon : public TestProcess
{
public:
    // Starts socketserver with args.
    bool launch(const QStringList &args)
    {
        return TestProcess::start(QStringLiteral(SOCKETSERVER_BINARY), args);
    }

    // Starts socketserver with args and waits for its start-up line; returns the port.
    quint16 start(const QStringList &args)
    {
        if (!launch(args))
            return 0;
        static const QRegularExpression listening(QStringLiteral("listening on .*:(\\d+)"));
        QRegularExpressionMatch match;
        if (!waitForOutput(listening, &match))
            return 0;
        return quint16(match.captured(1).toUInt());
    }
};

// The text of the file at path; empty when it is not there.
QString fileText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Runs socketserver to completion (for options that make it exit at once).
ProgramResult run(const QStringList &args)
{
    return runToEnd(QStringLiteral(SOCKETSERVER_BINARY), args);
}

} // namespace

class tst_Daemon : public QObject
{
    Q_OBJECT

private slots:
    void helpGoesToStdout();
    void version();
    void badOptionFailsWithOneSentence_data();
    void badOptionFailsWithOneSentence();
    void bannerAndTelnetSession();
    void legacyCommandLine();
    void consoleBroadcastsStdin();
    void consoleStopsReadingAtEndOfInput();
    void terminationSignalExitsZero_data();
    void terminationSignalExitsZero();
    void portInUse();
    void addressNotOnThisMachine();
    void waitsForItsAddress();
    void configFile();
    void bannerShowsWebSocketAndLocalSocket();
    void expectedClientMissingOnceThenBack();
    void metricsPassPromtool();
    void logFileTakesEveryLine();
    void logFileRotates();
    void logFileReopenedAtSighup();
    void logFileThatCannotBeOpenedStopsTheStart();
    void logFileOnAFullDiskReportedOnce();
    void hangupWithoutLogFileKeepsRunning();
    void startFailureAlsoInTheLogFile();
};

void tst_Daemon::helpGoesToStdout()
{
    const ProgramResult result = run({QStringLiteral("--help")});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.startsWith(QStringLiteral("Usage: socketserver [options] [IP] [PORT]")));
    QVERIFY(result.out.contains(QStringLiteral("--max-clients N")));
    QCOMPARE(result.err, QString());
}

void tst_Daemon::version()
{
    const ProgramResult result = run({QStringLiteral("--version")});
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out, QStringLiteral("socketserver " SOCKETSERVER_VERSION "\n"));
}

void tst_Daemon::badOptionFailsWithOneSentence_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown option")
        << QStringList{"--bogus"} << "socketserver: unknown option '--bogus'\n";
    QTest::newRow("bad port") << QStringList{"99999"}
                              << "socketserver: port: '99999' is not a port number (0 to 65535)\n";
}

void tst_Daemon::badOptionFailsWithOneSentence()
{
    QFETCH(QStringList, args);
    QFETCH(QString, error);
    const ProgramResult result = run(args);
    QCOMPARE(result.exitCode, 2);
    QCOMPARE(result.out, QString());
    QCOMPARE(result.err, error + "Run 'socketserver --help' to see the options.\n");
}

void tst_Daemon::bannerAndTelnetSession()
{
    Daemon daemon;
    const quint16 port = daemon.start({"-v", "--port", "0"});
    QVERIFY(port != 0);
    QVERIFY2(daemon.output().contains(QStringLiteral("listening on 127.0.0.1:%1").arg(port)),
        qPrintable(daemon.output()));
    QVERIFY(daemon.output().contains(QStringLiteral("eol auto, echo on, max 1024 clients")));

    TestPeer telnet;
    TestPeer other;
    QVERIFY(telnet.connectTo(QHostAddress::LocalHost, port));
    QVERIFY(daemon.waitForOutput(QRegularExpression(QStringLiteral("connected, now 1 client"))));
    QVERIFY(other.connectTo(QHostAddress::LocalHost, port));
    QVERIFY(daemon.waitForOutput(QRegularExpression(QStringLiteral("connected, now 2 client"))));

    telnet.send("hello\x1b\r\n");
    QTRY_COMPARE(telnet.received(), QByteArray("hello\x1b\r\n")); // telnet sees its own line
    QTRY_COMPARE(other.received(), QByteArray("hello\x1b\n"));
    // The verbose log shows the message escaped, with time and peer.
    QVERIFY(daemon.waitForOutput(QRegularExpression(
        QStringLiteral("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} 127\\.0\\.0\\.1:%1: "
                       "hello\\\\x1b$")
            .arg(telnet.socket().localPort()),
        QRegularExpression::MultilineOption)));

    telnet.socket().disconnectFromHost();
    QVERIFY(daemon.waitForOutput(
        QRegularExpression(QStringLiteral("disconnected \\(closed by client\\), now 1 client"))));
}

void tst_Daemon::legacyCommandLine()
{
    Daemon daemon;
    const quint16 port = daemon.start({"0", "-V", "-L", "-M", "1", "-E", "0", "14"});
    QVERIFY(port != 0);
    QVERIFY2(daemon.output().contains(QStringLiteral("eol 0,14, echo on, max 1 clients")),
        qPrintable(daemon.output()));

    TestPeer flash;
    QVERIFY(flash.connectTo(QHostAddress::LocalHost, port));
    flash.send(QByteArrayLiteral("a\nb\0\x0e"));
    QTRY_COMPARE(flash.received(), QByteArrayLiteral("a\nb\0\x0e"));

    TestPeer second;
    QVERIFY(second.connectTo(QHostAddress::LocalHost, port));
    QTRY_COMPARE(second.received(), QByteArrayLiteral("server full (1 clients)\0\x0e"));
    QTRY_VERIFY(!second.isConnected());
}

void tst_Daemon::consoleBroadcastsStdin()
{
    Daemon daemon;
    const quint16 port = daemon.start({"-c", "--port", "0"});
    QVERIFY(port != 0);
    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, port));
    client.send("ready\n");
    QTRY_COMPARE(client.received(), QByteArray("ready\n")); // the relay has this client now

    daemon.process().write("typed at the server\r\n");
    QTRY_COMPARE(client.received(), QByteArray("ready\ntyped at the server\n"));
    daemon.process().write("no newline");
    daemon.process().closeWriteChannel(); // end of input still sends the last line
    QTRY_COMPARE(client.received(), QByteArray("ready\ntyped at the server\nno newline\n"));
    QVERIFY(daemon.waitForOutput(QRegularExpression(QStringLiteral("console: end of input"))));
    QCOMPARE(daemon.process().state(), QProcess::Running);
}

void tst_Daemon::consoleStopsReadingAtEndOfInput()
{
    Daemon daemon;
    daemon.process().setStandardInputFile(QProcess::nullDevice());
    const quint16 port = daemon.start({"-c", "--verbose", "--port", "0"});
    QVERIFY(port != 0);
    QVERIFY(daemon.waitForOutput(QRegularExpression(QStringLiteral("console: end of input"))));

    // Still relaying, and the traffic log shows it: that line comes many turns of the event
    // loop after the end of input. Input that has ended stays readable, so a console still
    // watching it would be woken at every turn and log the end of input again each time.
    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, port));
    client.send("still relaying\n");
    QTRY_COMPARE(client.received(), QByteArray("still relaying\n"));
    QVERIFY(daemon.waitForOutput(QRegularExpression(QStringLiteral(":\\d+: still relaying"))));
    QCOMPARE(daemon.output().count(QStringLiteral("console: end of input")), 1);
    QCOMPARE(daemon.process().state(), QProcess::Running);
}

void tst_Daemon::terminationSignalExitsZero_data()
{
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
}

void tst_Daemon::terminationSignalExitsZero()
{
    QFETCH(int, signal);
    Daemon daemon;
    const quint16 port = daemon.start({"--port", "0"});
    QVERIFY(port != 0);
    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, port));
    client.send("hi\n");
    QTRY_COMPARE(client.received(), QByteArray("hi\n"));

    ::kill(pid_t(daemon.process().processId()), signal);
    QVERIFY(daemon.process().waitForFinished(10000));
    QCOMPARE(daemon.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(daemon.process().exitCode(), 0);
    QTRY_VERIFY(!client.isConnected());
    QVERIFY(daemon.output().contains(QStringLiteral(": stopping")));
    // Without -v: no line per connection or message.
    QVERIFY2(!daemon.output().contains(QStringLiteral("connected")), qPrintable(daemon.output()));
    QVERIFY(!daemon.output().contains(QStringLiteral(": hi")));
}

void tst_Daemon::portInUse()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    const ProgramResult result = run({"--port", QString::number(occupant.serverPort())});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.err,
        QStringLiteral("socketserver: cannot listen on 127.0.0.1:%1: the port is already in "
                       "use (is another socketserver running? --port chooses another)\n")
            .arg(occupant.serverPort()));
}

void tst_Daemon::addressNotOnThisMachine()
{
    // TEST-NET-3: never an address of this machine.
    const ProgramResult result = run({"203.0.113.77", "0", "--no-wait"});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.err,
        QStringLiteral("socketserver: cannot listen on 203.0.113.77:0: 203.0.113.77 is "
                       "not an address of this machine\n"));
}

void tst_Daemon::waitsForItsAddress()
{
    // At boot the relay may start before the network is up: it waits for its address.
    Daemon daemon;
    QVERIFY(daemon.launch({"203.0.113.77", "0"}));
    QVERIFY(daemon.waitForOutput(QRegularExpression(QStringLiteral(
        "warning: cannot listen on 203\\.0\\.113\\.77:0: 203\\.0\\.113\\.77 is not an address of "
        "this machine \\(yet\\): waiting for it, trying again every 2 s\n"))));
    QCOMPARE(daemon.process().state(), QProcess::Running);
    daemon.process().terminate();
    QVERIFY(daemon.process().waitForFinished(10000));
    QCOMPARE(daemon.process().exitCode(), 0);
    QVERIFY(!daemon.output().contains(QStringLiteral("listening on")));
}

void tst_Daemon::configFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("exhibit.ini"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("port = 6780\neol = crlf\nwelcome = hello visitor\n");
    file.close();

    Daemon daemon;
    const quint16 port = daemon.start({"--config", path, "--port", "0"}); // command line wins
    QVERIFY(port != 0 && port != 6780);
    QVERIFY(daemon.output().contains(QStringLiteral("eol crlf")));
    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, port));
    QTRY_COMPARE(client.received(), QByteArray("hello visitor\r\n"));
}

void tst_Daemon::bannerShowsWebSocketAndLocalSocket()
{
    QTemporaryDir dir;
    const QString local = dir.filePath(QStringLiteral("relay.sock"));
    Daemon daemon;
    const quint16 port = daemon.start({"--port", "0", "--ws-port", "0", "--local", local});
    QVERIFY2(port != 0, qPrintable(daemon.output()));
    QRegularExpressionMatch match;
    QVERIFY2(daemon.waitForOutput(QRegularExpression(QStringLiteral(
                                      "web pages connect to ws://127\\.0\\.0\\.1:(\\d+)/.*; the "
                                      "built-in page: http://127\\.0\\.0\\.1:(\\d+)/")),
                 &match),
        qPrintable(daemon.output()));
    QCOMPARE(match.captured(1), match.captured(2));
    QVERIFY(match.captured(1).toUInt() != port);
    QVERIFY(daemon.waitForOutput(
        QRegularExpression(QStringLiteral("monitoring: http://127\\.0\\.0\\.1:%1/health and "
                                          "http://127\\.0\\.0\\.1:%1/metrics")
                               .arg(match.captured(1)))));
    QVERIFY(daemon.waitForOutput(
        QRegularExpression(QStringLiteral("programs on this machine connect to the local socket ")
            + QRegularExpression::escape(local))));
    // The page is there, where the banner says.
    TestPeer browser;
    QVERIFY(browser.connectTo(QHostAddress::LocalHost, quint16(match.captured(2).toUInt())));
    browser.send("GET / HTTP/1.1\r\n\r\n");
    QTRY_VERIFY(browser.received().startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(QFileInfo::exists(local));
    daemon.process().terminate();
    QVERIFY(daemon.process().waitForFinished(10000));
    QCOMPARE(daemon.process().exitCode(), 0);
    QVERIFY(!QFileInfo::exists(local)); // removed on exit
}

// With --log-file the terminal gets one line saying where the log is; the file gets the rest.
void tst_Daemon::logFileTakesEveryLine()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("relay.log"));
    Daemon daemon;
    QVERIFY(daemon.launch({"-v", "--port", "0", "--log-file", path}));
    QVERIFY(daemon.waitForOutput(QRegularExpression(QStringLiteral("the log goes to "))));
    QTRY_VERIFY(fileText(path).contains(QStringLiteral("listening on")));
    const QRegularExpressionMatch banner = QRegularExpression(
        QStringLiteral("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} "
                       "socketserver \\S+ listening on 127\\.0\\.0\\.1:(\\d+) "))
                                               .match(fileText(path));
    QVERIFY2(banner.hasMatch(), qPrintable(fileText(path)));
    const auto port = quint16(banner.captured(1).toUInt());

    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, port));
    client.send("hello\n");
    QTRY_COMPARE(client.received(), QByteArray("hello\n"));
    QTRY_VERIFY(fileText(path).contains(QStringLiteral("connected, now 1 client")));
    QTRY_VERIFY(fileText(path).contains(QStringLiteral(": hello\n"))); // flushed per line
    client.socket().disconnectFromHost();
    QTRY_VERIFY(fileText(path).contains(QStringLiteral("disconnected (closed by client)")));

    daemon.process().terminate();
    QVERIFY(daemon.process().waitForFinished(10000));
    QCOMPARE(daemon.process().exitCode(), 0);
    QVERIFY(fileText(path).contains(QStringLiteral("SIGTERM: stopping\n")));
    QCOMPARE(daemon.output(), QStringLiteral("socketserver: the log goes to %1\n").arg(path));
}

// A small --log-max-bytes and a client that keeps talking under -v: PATH.1, PATH.2, ...
void tst_Daemon::logFileRotates()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("relay.log"));
    Daemon daemon;
    QVERIFY(daemon.launch({"-v", "--port", "0", "--log-file", path, "--log-max-bytes", "65536"}));
    QTRY_VERIFY(fileText(path).contains(QStringLiteral("listening on")));
    const QRegularExpressionMatch banner
        = QRegularExpression(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+) "))
              .match(fileText(path));
    QVERIFY(banner.hasMatch());
    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, quint16(banner.captured(1).toUInt())));
    // The verbose log shows at most 200 messages a second, so they are sent over time.
    const QByteArray message = QByteArray(150, 'm') + '\n';
    QDeadlineTimer deadline(60000);
    int sent = 0;
    while (!QFileInfo::exists(path + QStringLiteral(".2")) && !deadline.hasExpired()) {
        for (int i = 0; i < 20; ++i)
            client.send(QByteArray::number(++sent) + ' ' + message);
        QTest::qWait(50);
    }
    QVERIFY2(QFileInfo::exists(path + QStringLiteral(".2")), "the log was not rotated twice");

    // Each file holds whole lines, up to the limit, the oldest the start-up line.
    const QRegularExpression logLine(
        QStringLiteral("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\S.*$"));
    for (const QString &name : {path + QStringLiteral(".2"), path + QStringLiteral(".1")}) {
        const qint64 size = QFileInfo(name).size();
        QVERIFY2(size <= 65536 && size > 65536 - 400, qPrintable(QString::number(size)));
        const QString text = fileText(name);
        QVERIFY(text.endsWith(u'\n'));
        const QStringList lines = text.chopped(1).split(u'\n');
        for (const QString &line : lines)
            QVERIFY2(logLine.match(line).hasMatch(), qPrintable(line));
    }
    // Two rotations, not three: at 200 lines a second one takes more than the 50 ms between
    // looks. So PATH.2 is the first file, with the start-up line.
    QVERIFY(!QFileInfo::exists(path + QStringLiteral(".3")));
    QVERIFY(fileText(path + QStringLiteral(".2")).contains(QStringLiteral("listening on")));
    QVERIFY(QFileInfo(path).size() <= 65536);
}

// logrotate's way: move the file, then SIGHUP; the relay writes a new file at the path.
void tst_Daemon::logFileReopenedAtSighup()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("relay.log"));
    Daemon daemon;
    QVERIFY(daemon.launch({"-v", "--port", "0", "--log-file", path}));
    QTRY_VERIFY(fileText(path).contains(QStringLiteral("listening on")));
    const QRegularExpressionMatch banner
        = QRegularExpression(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+) "))
              .match(fileText(path));
    QVERIFY(banner.hasMatch());
    const auto port = quint16(banner.captured(1).toUInt());

    const QString moved = dir.filePath(QStringLiteral("relay.log.1"));
    QVERIFY(QFile::rename(path, moved));
    ::kill(pid_t(daemon.process().processId()), SIGHUP);
    QTRY_VERIFY(fileText(path).contains(QStringLiteral("SIGHUP: log file reopened\n")));
    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, port));
    QTRY_VERIFY(fileText(path).contains(QStringLiteral("connected, now 1 client")));
    QVERIFY(fileText(moved).contains(QStringLiteral("listening on")));
    QVERIFY(!fileText(moved).contains(QStringLiteral("connected, now")));
    QCOMPARE(daemon.process().state(), QProcess::Running);

    // The folder gone: said once on stderr, and the relay runs on; back: logging again.
    QVERIFY(QDir(dir.path()).removeRecursively());
    ::kill(pid_t(daemon.process().processId()), SIGHUP);
    QVERIFY(daemon.waitForOutput(QRegularExpression(QStringLiteral(
        "socketserver: cannot open the log file .*relay\\.log: No such file or directory; "
        "trying again once a minute\n"))));
    client.send("relayed all the same\n");
    QTRY_COMPARE(client.received(), QByteArray("relayed all the same\n"));
    QVERIFY(QDir().mkpath(dir.path()));
    ::kill(pid_t(daemon.process().processId()), SIGHUP);
    QTRY_VERIFY(fileText(path).contains(QStringLiteral("SIGHUP: log file reopened\n")));
    QCOMPARE(daemon.output().count(QStringLiteral("cannot open the log file")), 1);
}

void tst_Daemon::logFileThatCannotBeOpenedStopsTheStart()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("missing/relay.log"));
    const ProgramResult result = run({"--port", "0", "--log-file", path});
    QCOMPARE(result.exitCode, 2);
    QCOMPARE(result.out, QString());
    QCOMPARE(result.err,
        QStringLiteral("socketserver: cannot open the log file %1: No such file or directory\n")
            .arg(path));
}

// A full disk costs the log, never the relay: one line on stderr, however much is logged.
void tst_Daemon::logFileOnAFullDiskReportedOnce()
{
#ifndef Q_OS_LINUX
    QSKIP("/dev/full (a device that is always full) is Linux's");
#else
    QTcpServer probe; // a free port: the start-up line goes nowhere
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    Daemon daemon;
    QVERIFY(daemon.launch({"-v", "--port", QString::number(port), "--log-file", "/dev/full"}));
    TestPeer client;
    const auto connectClient = [&client, port] {
        client.socket().abort(); // after a refused attempt, while the relay starts
        return client.connectTo(QHostAddress::LocalHost, port);
    };
    QTRY_VERIFY(connectClient());
    for (int i = 0; i < 5; ++i) {
        client.send("logged nowhere\n");
        QTRY_VERIFY(client.received().count("logged nowhere\n") == i + 1);
    }
    QVERIFY(daemon.waitForOutput(QRegularExpression(QStringLiteral(
        "socketserver: cannot write the log file /dev/full: No space left on device; trying "
        "again once a minute\n"))));
    QCOMPARE(daemon.output().count(QStringLiteral("cannot write")), 1);
    // The lines the file did not take went to stdout and stderr instead, as without a file.
    QVERIFY2(daemon.output().contains(QStringLiteral("connected, now 1 client")),
        qPrintable(daemon.output()));
    QCOMPARE(daemon.process().state(), QProcess::Running);
#endif
}

// A SIGHUP without --log-file (a shared logrotate rule, a stray kill -HUP) does not end the
// relay: systemd does not restart a service that a signal ended cleanly.
void tst_Daemon::hangupWithoutLogFileKeepsRunning()
{
#ifndef Q_OS_UNIX
    QSKIP("SIGHUP is Unix's");
#else
    Daemon daemon;
    const quint16 port = daemon.start({"--port", "0"});
    QVERIFY2(port != 0, qPrintable(daemon.output()));
    ::kill(pid_t(daemon.process().processId()), SIGHUP);
    QVERIFY(
        daemon.waitForOutput(QRegularExpression(QStringLiteral("SIGHUP: no log file to reopen"))));
    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, port));
    client.send("still here\n");
    QTRY_COMPARE(client.received(), QByteArray("still here\n"));
    QCOMPARE(daemon.process().state(), QProcess::Running);
#endif
}

// Why the relay did not start: on stderr as always, and in the file for whoever reads it.
void tst_Daemon::startFailureAlsoInTheLogFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("relay.log"));
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    const ProgramResult result
        = run({"--port", QString::number(occupant.serverPort()), "--log-file", path});
    QCOMPARE(result.exitCode, 1);
    const QString why = QStringLiteral("cannot listen on 127.0.0.1:%1: the port is already in use")
                            .arg(occupant.serverPort());
    QVERIFY2(result.err.startsWith(QStringLiteral("socketserver: ") + why), qPrintable(result.err));
    QVERIFY2(fileText(path).contains(QStringLiteral(" error: ") + why), qPrintable(fileText(path)));
}

// An expected client that never comes is logged missing once, after the grace; when it
// connects (from 127.0.0.2: Linux routes 127/8 to lo), it is named and logged back once.
void tst_Daemon::expectedClientMissingOnceThenBack()
{
    Daemon daemon;
    const quint16 port
        = daemon.start({"-v", "--port", "0", "--expect", "kiosk=127.0.0.2", "--expect-grace", "1"});
    QVERIFY(port != 0);
    QVERIFY(daemon.output().contains(QStringLiteral("1 expected client(s), grace 1 s")));
    const QRegularExpression missing(
        QStringLiteral("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} "
                       "warning: expected client kiosk \\(127\\.0\\.0\\.2\\) missing since "
                       "\\d\\d:\\d\\d:\\d\\d$"),
        QRegularExpression::MultilineOption);
    QVERIFY2(daemon.waitForOutput(missing), qPrintable(daemon.output()));
    QTest::qWait(2500); // two more samples
    QCOMPARE(daemon.output().count(QStringLiteral("expected client kiosk")), 1);

    TestPeer kiosk;
    QVERIFY(kiosk.socket().bind(QHostAddress(QStringLiteral("127.0.0.2"))));
    QVERIFY(kiosk.connectTo(QHostAddress::LocalHost, port));
    QVERIFY2(daemon.waitForOutput(QRegularExpression(
                 QStringLiteral("kiosk \\(127\\.0\\.0\\.2:%1\\) connected, now 1 client")
                     .arg(kiosk.socket().localPort()))),
        qPrintable(daemon.output()));
    QVERIFY2(daemon.waitForOutput(QRegularExpression(QStringLiteral(
                 "expected client kiosk \\(127\\.0\\.0\\.2\\) back \\(missing since "))),
        qPrintable(daemon.output()));
    QTest::qWait(1500);
    QCOMPARE(daemon.output().count(QStringLiteral("expected client kiosk")), 2);
}

// What the relay serves on /metrics, with clients of every kind connected, is what Prometheus
// reads: Prometheus' own checker finds no problem in it.
void tst_Daemon::metricsPassPromtool()
{
    REQUIRE_PROMTOOL(promtool);
    QTemporaryDir dir;
    const QString local = dir.filePath(QStringLiteral("relay.sock"));
    Daemon daemon;
    const quint16 port = daemon.start({"--port", "0", "--ws-port", "0", "--local", local,
        "--max-clients", "3", "--expect", "tcp=127.0.0.1", "--expect", "kiosk=prefix:kiosk:"});
    QVERIFY2(port != 0, qPrintable(daemon.output()));
    QRegularExpressionMatch match;
    QVERIFY(daemon.waitForOutput(
        QRegularExpression(QStringLiteral("monitoring: http://127\\.0\\.0\\.1:(\\d+)/health")),
        &match));
    const auto webPort = quint16(match.captured(1).toUInt());

    TestPeer tcp;
    QVERIFY(tcp.connectTo(QHostAddress::LocalHost, port));
    QWebSocket ws;
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(webPort)));
    QLocalSocket localClient;
    localClient.connectToServer(local);
    QTRY_VERIFY(ws.state() == QAbstractSocket::ConnectedState);
    QTRY_VERIFY(localClient.state() == QLocalSocket::ConnectedState);
    tcp.send("hello\n");
    QTRY_COMPARE(tcp.received(), QByteArray("hello\n"));
    TestPeer refused; // the relay is full
    QVERIFY(refused.connectTo(QHostAddress::LocalHost, port));
    QTRY_VERIFY(!refused.isConnected());

    HttpResponse metrics;
    QTRY_VERIFY((metrics = httpGet(webPort, "/metrics"),
        metricSamples(metrics.body).value("socketserver_clients_refused_total{reason=\"full\"}")
            == 1));
    const QHash<QByteArray, double> samples = metricSamples(metrics.body);
    for (const char *transport : {"tcp", "websocket", "local"}) {
        QCOMPARE(
            samples.value("socketserver_clients{transport=\"" + QByteArray(transport) + "\"}"), 1);
    }
    QCOMPARE(samples.value("socketserver_messages_delivered_total"), 3);
    QTRY_COMPARE(metricSamples(httpGet(webPort, "/metrics").body)
                     .value("socketserver_expected_client_up{name=\"tcp\"}", -1),
        1);
    QCOMPARE(samples.value("socketserver_expected_client_up{name=\"kiosk\"}", -1), 0);

    const QByteArray problems = promtoolCheckMetrics(promtool, metrics.body);
    QVERIFY2(problems.isEmpty(), problems.constData());
}

QTEST_GUILESS_MAIN(tst_Daemon)
#include "tst_daemon.moc"
