// Black-box checks of the socketserver-panel program's command line: help, version, errors.
// They need no screen: the options are read before the window system is touched. And SIGTERM
// with a client connected, under the offscreen platform.
#include "testpeer.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <csignal>

namespace {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

Result run(const QStringList &args)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(SOCKETSERVER_PANEL_BINARY), args);
    if (!process.waitForFinished(10000))
        return {};
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
        QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class tst_PanelBinary : public QObject
{
    Q_OBJECT

private slots:
    void help();
    void version();
    void badOptions_data();
    void badOptions();
    void terminateWithClientExits();
    void logFileInTheLogFolder();
};

void tst_PanelBinary::help()
{
    const Result result = run({QStringLiteral("--help")});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.startsWith(QStringLiteral("Usage: socketserver-panel")));
    QVERIFY(result.out.contains(QStringLiteral("--start")));
    QCOMPARE(result.err, QString());
}

void tst_PanelBinary::version()
{
    const Result result = run({QStringLiteral("--version")});
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out, QStringLiteral("socketserver-panel " SOCKETSERVER_VERSION "\n"));
}

void tst_PanelBinary::badOptions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error");
    QTest::newRow("port") << QStringList{"--port", "99999"}
                          << "socketserver-panel: --port: '99999' is not a port number (0 to "
                             "65535)\n";
    QTest::newRow("bind") << QStringList{"--bind", "kitchen"}
                          << "socketserver-panel: --bind: 'kitchen' is not an IP address (nor "
                             "localhost, any or lan)\n";
    QTest::newRow("unknown") << QStringList{"--fast"}
                             << "socketserver-panel: unknown option '--fast'\n";
}

void tst_PanelBinary::badOptions()
{
    QFETCH(QStringList, args);
    QFETCH(QString, error);
    const Result result = run(args);
    QCOMPARE(result.exitCode, 2);
    QCOMPARE(result.out, QString());
    QCOMPARE(result.err,
        error + QStringLiteral("Run 'socketserver-panel --help' to see the options.\n"));
}

// A kiosk shutting down sends SIGTERM: the panel exits with status 0 although a client that
// takes nothing is connected (closing the window would ask about it, and nobody answers).
void tst_PanelBinary::terminateWithClientExits()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    quint16 port = 0;
    {
        QTcpServer probe; // a free port; a panel started with --port 0 would not say which
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    // Saved settings: a client may fall far behind before it counts as stuck, so it is still
    // connected, with much queued for it, when SIGTERM comes.
    {
        QDir().mkpath(home.filePath(QStringLiteral("config/SocketServer")));
        QFile saved(home.filePath(QStringLiteral("config/SocketServer/socketserver-panel.conf")));
        QVERIFY(saved.open(QIODevice::WriteOnly));
        saved.write("[General]\nmax-client-buffer=104857600\n");
    }
    QProcess panel;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("TMPDIR"), home.path()); // the single-instance lock and socket
    env.insert(QStringLiteral("USER"), QUuid::createUuid().toString(QUuid::Id128));
    panel.setProcessEnvironment(env);
    panel.setProcessChannelMode(QProcess::ForwardedChannels);
    panel.start(QStringLiteral(SOCKETSERVER_PANEL_BINARY),
        {QStringLiteral("--start"), QStringLiteral("--port"), QString::number(port)});
    QVERIFY(panel.waitForStarted(5000));

    TestPeer peer;
    const auto connectPeer = [&peer, port] {
        peer.socket().abort(); // after a refused attempt, while the panel starts
        return peer.connectTo(QHostAddress::LocalHost, port);
    };
    QTRY_VERIFY_WITH_TIMEOUT(connectPeer(), 20000);
    // Echo is on: everything sent comes back, and as the peer takes nothing, the relay's
    // output for it backs up, so closing it cleanly takes longer than the grace period.
    peer.stopReading();
    const QByteArray line(1000, 'x');
    QByteArray lots;
    for (int i = 0; i < 20000; ++i)
        lots += line + '\n';
    peer.send(lots);
    // All of it taken by the relay: what it echoed exceeds the system's buffers by far.
    QTRY_COMPARE_WITH_TIMEOUT(peer.socket().bytesToWrite(), qint64(0), 30000);

    ::kill(pid_t(panel.processId()), SIGTERM);
    const bool exited = panel.waitForFinished(30000);
    if (!exited) {
        panel.kill();
        panel.waitForFinished(5000);
    }
    QVERIFY2(exited, "the panel did not exit after SIGTERM");
    QCOMPARE(panel.exitStatus(), QProcess::NormalExit);
    QCOMPARE(panel.exitCode(), 0);
}

// The panel writes the relay's log to the platform's log folder, in a temporary home here:
// what happened (start, connections, stop) is there after the panel has gone.
void tst_PanelBinary::logFileInTheLogFolder()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
#ifdef Q_OS_MACOS
    const QString path
        = home.filePath(QStringLiteral("Library/Logs/SocketServer/socketserver-panel.log"));
#else
    const QString path = home.filePath(
        QStringLiteral("data/SocketServer/socketserver-panel/socketserver-panel.log"));
#endif
    quint16 port = 0;
    {
        QTcpServer probe; // a free port; a panel started with --port 0 would not say which
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    QProcess panel;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("TMPDIR"), home.path()); // the single-instance lock and socket
    env.insert(QStringLiteral("USER"), QUuid::createUuid().toString(QUuid::Id128));
    panel.setProcessEnvironment(env);
    panel.start(QStringLiteral(SOCKETSERVER_PANEL_BINARY),
        {QStringLiteral("--start"), QStringLiteral("--port"), QString::number(port)});
    QVERIFY(panel.waitForStarted(5000));
    const auto logText = [&path] {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    };

    TestPeer peer;
    const auto connectPeer = [&peer, port] {
        peer.socket().abort(); // after a refused attempt, while the panel starts
        return peer.connectTo(QHostAddress::LocalHost, port);
    };
    // Once: QTRY_VERIFY would connect again to check what it found.
    QDeadlineTimer deadline(20000);
    while (!connectPeer() && !deadline.hasExpired())
        QTest::qWait(100);
    QVERIFY(peer.isConnected());
    peer.send("not for the log\n");
    QTRY_COMPARE(peer.received(), QByteArray("not for the log\n"));
    QTRY_VERIFY2(
        logText().contains(
            QStringLiteral("127.0.0.1:%1 connected, now 1 client").arg(peer.socket().localPort())),
        qPrintable(logText()));
    peer.socket().disconnectFromHost();
    QTRY_VERIFY(logText().contains(QStringLiteral("disconnected (closed by client), now 0")));
    ::kill(pid_t(panel.processId()), SIGTERM);
    QVERIFY(panel.waitForFinished(10000));
    QCOMPARE(panel.exitCode(), 0);

    const QString text = logText();
    const QString stamp = QStringLiteral("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");
    const QStringList expected = {
        QStringLiteral("socketserver-panel " SOCKETSERVER_VERSION " opened"),
        QStringLiteral(
            "socketserver-panel " SOCKETSERVER_VERSION " listening on 127\\.0\\.0\\.1:%1 ")
            .arg(port),
        QStringLiteral("127\\.0\\.0\\.1:\\d+ connected, now 1 client\\(s\\)"),
        QStringLiteral(
            "127\\.0\\.0\\.1:\\d+ disconnected \\(closed by client\\), now 0 client\\(s\\)"),
        QStringLiteral("SIGTERM: stopping"),
        QStringLiteral("stopped"),
        QStringLiteral("socketserver-panel quits"),
    };
    // In this order, each at the start of a line of its own, after the time.
    const QRegularExpression lines(u'^' + stamp
            + expected.join(QStringLiteral(".*\n(?:.*\n)*?") + stamp) + QStringLiteral("\n"),
        QRegularExpression::MultilineOption);
    QVERIFY2(lines.match(text).hasMatch(), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("not for the log")), qPrintable(text)); // no -v
    // Connections go to the file only: the panel's stderr is as it was.
    const QString err = QString::fromUtf8(panel.readAllStandardError());
    QVERIFY2(!err.contains(QStringLiteral("connected")), qPrintable(err));
}

QTEST_GUILESS_MAIN(tst_PanelBinary)
#include "tst_panelbinary.moc"
