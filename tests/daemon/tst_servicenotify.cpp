// Black-box tests of the daemon under a service manager: the test plays systemd's end of the
// notify protocol (a datagram socket named by NOTIFY_SOCKET) and starts the real socketserver.
#include "testpeer.h"
#include "testprocess.h"

#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

// systemd's side: a Unix datagram socket at a path, or at '@name' in Linux's abstract namespace.
// Keeps every line the daemon sent, in order.
class NotifySocket
{
public:
    ~NotifySocket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    bool bind(const QByteArray &name)
    {
        sockaddr_un address = {};
        address.sun_family = AF_UNIX;
        if (size_t(name.size()) >= sizeof address.sun_path)
            return false;
        std::memcpy(address.sun_path, name.constData(), size_t(name.size()));
        if (name.startsWith('@'))
            address.sun_path[0] = '\0';
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
        const auto length = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(name.size()));
        return m_fd >= 0 && ::bind(m_fd, reinterpret_cast<sockaddr *>(&address), length) == 0;
    }

    /// Waits (10 s at most) for a line matching @p pattern after the one found last; true when
    /// it came. Calling it again for the same pattern waits for the next such line.
    bool waitFor(const QString &pattern)
    {
        const QRegularExpression expression(pattern);
        QDeadlineTimer deadline(10000);
        for (;;) {
            for (; m_next < m_lines.size(); ++m_next) {
                if (expression.match(QString::fromUtf8(m_lines[m_next])).hasMatch()) {
                    ++m_next;
                    return true;
                }
            }
            if (deadline.hasExpired() || !receive(int(deadline.remainingTime())))
                return false;
        }
    }

    /// Every line received so far.
    QByteArrayList lines() const { return m_lines; }

private:
    // Waits up to @p timeoutMs for one datagram and keeps its lines.
    bool receive(int timeoutMs)
    {
        pollfd waiting = {m_fd, POLLIN, 0};
        if (::poll(&waiting, 1, timeoutMs) != 1)
            return false;
        char buffer[4096];
        const ssize_t size = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (size < 0)
            return false;
        m_lines += QByteArray(buffer, size).split('\n');
        return true;
    }

    int m_fd = -1;
    QByteArrayList m_lines;
    qsizetype m_next = 0; // where the next waitFor() starts looking
};

// The environment of a daemon under systemd: NOTIFY_SOCKET (none when empty) and the watchdog.
QProcessEnvironment serviceEnvironment(const QByteArray &notifySocket,
    const QString &watchdogUsec = QString(), const QString &watchdogPid = QString())
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"})
        environment.remove(QLatin1String(name)); // ctest itself may run under systemd
    if (!notifySocket.isEmpty())
        environment.insert(QStringLiteral("NOTIFY_SOCKET"), QString::fromUtf8(notifySocket));
    if (!watchdogUsec.isEmpty())
        environment.insert(QStringLiteral("WATCHDOG_USEC"), watchdogUsec);
    if (!watchdogPid.isEmpty())
        environment.insert(QStringLiteral("WATCHDOG_PID"), watchdogPid);
    return environment;
}

const QRegularExpression kBanner(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));

// Waits for the banner of @p daemon; returns its port (0 when it did not come).
quint16 waitForBanner(TestProcess &daemon)
{
    QRegularExpressionMatch match;
    if (!daemon.waitForOutput(kBanner, &match))
        return 0;
    return quint16(match.captured(1).toUInt());
}

// Stops @p daemon as systemd does (SIGTERM); true when it exited cleanly.
bool terminate(TestProcess &daemon)
{
    daemon.process().terminate();
    return daemon.process().waitForFinished(10000)
        && daemon.process().exitStatus() == QProcess::NormalExit
        && daemon.process().exitCode() == 0;
}

} // namespace

class tst_ServiceNotify : public QObject
{
    Q_OBJECT

private slots:
    void readyComesAfterTheStartUpLines();
    void readyWatchdogStatusStopping_data();
    void readyWatchdogStatusStopping();
    void watchdogOnlyForItsOwnPid_data();
    void watchdogOnlyForItsOwnPid();
    void notReadyWhileWaitingForItsAddress();
    void withoutNotifySocket();
    void unusableNotifySocketIsLoggedOnce_data();
    void unusableNotifySocketIsLoggedOnce();

private:
    QTemporaryDir m_dir;
};

void tst_ServiceNotify::readyComesAfterTheStartUpLines()
{
    // The daemon's standard output is a datagram socket to the notify socket too: its log lines
    // and its notifications then arrive in one queue, in the order it sent them.
    NotifySocket systemd;
    const QByteArray socketName = m_dir.filePath(QStringLiteral("notify-order")).toUtf8();
    QVERIFY2(systemd.bind(socketName), std::strerror(errno));
    sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socketName.constData(), size_t(socketName.size()));
    TestProcess daemon;
    daemon.process().setProcessEnvironment(serviceEnvironment(socketName));
    daemon.process().setChildProcessModifier([address] { // in the child, before exec
        const int output = ::socket(AF_UNIX, SOCK_DGRAM, 0);
        if (::connect(output, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0)
            ::dup2(output, STDOUT_FILENO);
    });
    QVERIFY(daemon.start(QStringLiteral(SOCKETSERVER_BINARY), {"--port", "0", "--ws-port", "0"}));

    QVERIFY(systemd.waitFor("^READY=1$"));
    QStringList lines;
    for (const QByteArray &line : systemd.lines())
        lines.append(QString::fromUtf8(line));
    const qsizetype ready = lines.indexOf(QStringLiteral("READY=1"));
    const auto before = [&](const char *pattern) { // a line matching pattern is before READY
        const QRegularExpression expression{QLatin1String(pattern)};
        for (qsizetype i = 0; i < ready; ++i) {
            if (expression.match(lines[i]).hasMatch())
                return true;
        }
        return false;
    };
    QVERIFY2(before("listening on 127\\.0\\.0\\.1:\\d+"), qPrintable(lines.join('|')));
    QVERIFY2(before("web pages connect to"), qPrintable(lines.join('|'))); // the last one
    QVERIFY(terminate(daemon));
}

void tst_ServiceNotify::readyWatchdogStatusStopping_data()
{
    QTest::addColumn<QByteArray>("socketName");
    QTest::newRow("path") << m_dir.filePath(QStringLiteral("notify")).toUtf8();
    QTest::newRow("abstract") << QByteArray("@socketserver-test-") + QByteArray::number(::getpid());
}

void tst_ServiceNotify::readyWatchdogStatusStopping()
{
    QFETCH(QByteArray, socketName);
#ifndef Q_OS_LINUX
    if (socketName.startsWith('@'))
        QSKIP("the abstract socket namespace is Linux's");
#endif
    NotifySocket systemd;
    QVERIFY2(systemd.bind(socketName), std::strerror(errno));
    TestProcess daemon;
    daemon.process().setProcessEnvironment(serviceEnvironment(socketName, "200000"));
    QVERIFY(daemon.start(QStringLiteral(SOCKETSERVER_BINARY), {"--port", "0"}));

    QVERIFY(systemd.waitFor("^READY=1$"));
    QVERIFY(systemd.waitFor("^STATUS=0 clients connected$"));
    const quint16 port = waitForBanner(daemon);

    // The watchdog, again and again, from the event loop.
    for (int i = 0; i < 3; ++i)
        QVERIFY(systemd.waitFor("^WATCHDOG=1$"));

    // The client count follows real clients.
    TestPeer first;
    QVERIFY(first.connectTo(QHostAddress::LocalHost, port));
    QVERIFY(systemd.waitFor("^STATUS=1 client connected$"));
    TestPeer second;
    QVERIFY(second.connectTo(QHostAddress::LocalHost, port));
    QVERIFY(systemd.waitFor("^STATUS=2 clients connected$"));
    second.socket().abort();
    QVERIFY(systemd.waitFor("^STATUS=1 client connected$"));

    QVERIFY(terminate(daemon));
    QVERIFY(systemd.waitFor("^STOPPING=1$"));
    QCOMPARE(systemd.lines().count("READY=1"), 1);
    QVERIFY2(!daemon.output().contains(QStringLiteral("warning")), qPrintable(daemon.output()));
}

void tst_ServiceNotify::watchdogOnlyForItsOwnPid_data()
{
    QTest::addColumn<bool>("itsOwnPid");
    QTest::newRow("its own pid") << true;
    QTest::newRow("another process's pid") << false;
}

void tst_ServiceNotify::watchdogOnlyForItsOwnPid()
{
    QFETCH(bool, itsOwnPid);
    NotifySocket systemd;
    const QByteArray socketName = m_dir.filePath(QStringLiteral("notify-pid")).toUtf8();
    ::unlink(socketName.constData());
    QVERIFY2(systemd.bind(socketName), std::strerror(errno));
    TestProcess daemon;
    // A shell that sets WATCHDOG_PID to its own pid, then becomes the daemon (same pid); or the
    // pid of init, which is never the daemon.
    daemon.process().setProcessEnvironment(
        serviceEnvironment(socketName, "200000", itsOwnPid ? QString() : QStringLiteral("1")));
    QVERIFY(daemon.start(QStringLiteral("/bin/sh"),
        {"-c", itsOwnPid ? "WATCHDOG_PID=$$ exec \"$0\" \"$@\"" : "exec \"$0\" \"$@\"",
            SOCKETSERVER_BINARY, "--port", "0"}));
    QVERIFY(systemd.waitFor("^READY=1$"));
    const quint16 port = waitForBanner(daemon);
    QVERIFY(port != 0);

    if (itsOwnPid) {
        QVERIFY(systemd.waitFor("^WATCHDOG=1$"));
    } else {
        // The client count is sampled once a second: by then a watchdog at 100 ms would have
        // spoken several times.
        TestPeer client;
        QVERIFY(client.connectTo(QHostAddress::LocalHost, port));
        QVERIFY(systemd.waitFor("^STATUS=1 client connected$"));
        QVERIFY2(!systemd.lines().contains("WATCHDOG=1"), systemd.lines().join(' ').constData());
    }
    QVERIFY(terminate(daemon));
}

void tst_ServiceNotify::notReadyWhileWaitingForItsAddress()
{
    // 203.0.113.77 (TEST-NET-3) is on no machine: the relay waits for it, retrying every 2 s.
    // It is only ever bound to, never sent to.
    NotifySocket systemd;
    const QByteArray socketName = m_dir.filePath(QStringLiteral("notify-wait")).toUtf8();
    QVERIFY2(systemd.bind(socketName), std::strerror(errno));
    TestProcess daemon;
    daemon.process().setProcessEnvironment(serviceEnvironment(socketName, "200000"));
    QVERIFY(daemon.start(QStringLiteral(SOCKETSERVER_BINARY), {"--bind", "203.0.113.77"}));

    QVERIFY(systemd.waitFor("^STATUS=waiting: cannot listen on 203\\.0\\.113\\.77:6780: "
                            "203\\.0\\.113\\.77 is not an address of this machine$"));
    // Still starting, and alive: each sample asks systemd for more time to start. Three of
    // them span a retry.
    for (int i = 0; i < 3; ++i)
        QVERIFY(systemd.waitFor("^EXTEND_TIMEOUT_USEC=\\d+$"));
    QVERIFY(systemd.waitFor("^WATCHDOG=1$"));
    QCOMPARE(daemon.process().state(), QProcess::Running);

    QVERIFY(terminate(daemon));
    QVERIFY(systemd.waitFor("^STOPPING=1$"));
    QVERIFY2(!systemd.lines().contains("READY=1"), systemd.lines().join(' ').constData());
    QVERIFY(!daemon.output().contains(QStringLiteral("listening on")));
}

void tst_ServiceNotify::withoutNotifySocket()
{
    TestProcess daemon;
    daemon.process().setProcessEnvironment(serviceEnvironment(QByteArray(), "200000"));
    QVERIFY(daemon.start(QStringLiteral(SOCKETSERVER_BINARY), {"--port", "0"}));
    const quint16 port = waitForBanner(daemon);
    QVERIFY(port != 0);
    TestPeer client;
    QVERIFY(client.connectTo(QHostAddress::LocalHost, port));
    client.send("hello\n");
    QTRY_COMPARE(client.received(), QByteArray("hello\n"));
    QVERIFY(terminate(daemon));
    QVERIFY2(!daemon.output().contains(QStringLiteral("warning")), qPrintable(daemon.output()));
}

void tst_ServiceNotify::unusableNotifySocketIsLoggedOnce_data()
{
    QTest::addColumn<QByteArray>("socketName");
    QTest::addColumn<QString>("warning");
    QTest::newRow("nobody listening")
        << m_dir.filePath(QStringLiteral("absent")).toUtf8()
        << "warning: cannot notify the service manager at "
           ".*/absent: No such file or directory \\(not said again\\)";
    QTest::newRow("not a path") << QByteArray("notify")
                                << "warning: NOTIFY_SOCKET=notify is not a Unix socket path: "
                                   "the service manager will not hear from this relay";
}

void tst_ServiceNotify::unusableNotifySocketIsLoggedOnce()
{
    QFETCH(QByteArray, socketName);
    QFETCH(QString, warning);
    TestProcess daemon;
    daemon.process().setProcessEnvironment(serviceEnvironment(socketName, "200000"));
    QVERIFY(daemon.start(QStringLiteral(SOCKETSERVER_BINARY), {"--port", "0"}));
    const quint16 port = waitForBanner(daemon);
    QVERIFY(port != 0);
    QVERIFY(daemon.waitForOutput(QRegularExpression(warning)));
    QTest::qWait(1000); // the watchdog (every 100 ms) and the status would have tried again

    TestPeer client; // serving all the same
    QVERIFY(client.connectTo(QHostAddress::LocalHost, port));
    client.send("hello\n");
    QTRY_COMPARE(client.received(), QByteArray("hello\n"));
    QVERIFY(terminate(daemon));
    QCOMPARE(daemon.output().count(QRegularExpression(warning)), 1);
    QCOMPARE(daemon.output().count(QStringLiteral("warning")), 1);
}

QTEST_GUILESS_MAIN(tst_ServiceNotify)
#include "tst_servicenotify.moc"
