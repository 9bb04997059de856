// Black-box tests of socketserver-testclient --headless: the real binary, started as a
// process, against a real RelayServer (or a bare TCP listener, to see the exact bytes).
#include "relayserver.h"
#include "testpeer.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <memory>

#include <sys/socket.h>

namespace {

constexpr int kTimeoutMs = 10000;

// The test client as a process. The relay runs in this process, so nothing here blocks the
// event loop: waits are QTRY/qWaitFor.
class Client
{
public:
    ~Client()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    void start(const QStringList &args)
    {
        m_process.start(QStringLiteral(TESTCLIENT_BINARY), args);
    }
    bool waitForExit()
    {
        return QTest::qWaitFor(
            [this] { return m_process.state() == QProcess::NotRunning; }, kTimeoutMs);
    }
    QByteArray out() { return m_out += m_process.readAllStandardOutput(); }
    QByteArray err() { return m_err += m_process.readAllStandardError(); }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
};

// A bare TCP listener: the bytes a client sends, exactly.
class RawListener
{
public:
    RawListener()
    {
        m_server.listen(QHostAddress::LocalHost);
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, &m_server,
                    [this, socket] { m_received += socket->readAll(); });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    QByteArray received() const { return m_received; }

private:
    QTcpServer m_server;
    QByteArray m_received;
};

// A TCP listener that plays a difficult relay. Each connection gets a line of chatter every
// few milliseconds and is read at most readChunk bytes at a time (0: all at once), at the same
// pace; with hangUpAfter >= 0, the first connection is half-closed (as by a relay that goes
// away; no more chatter) once that many bytes have arrived, and still read to its end.
class DifficultListener
{
public:
    DifficultListener(qsizetype readChunk, qsizetype hangUpAfter)
        : m_readChunk(readChunk)
        , m_hangUpAfter(hangUpAfter)
    {
        m_server.listen(QHostAddress::LocalHost);
        // A small receive window, inherited by each connection: what we have not read waits
        // in the client's send buffer, where a reset from the client would destroy it.
        const int size = 4096;
        ::setsockopt(int(m_server.socketDescriptor()), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    QByteArray received() const { return m_received; }
    int connections() const { return m_connections; }
    int closed() const { return m_closed; }

private:
    void serve(QTcpSocket *socket)
    {
        const bool first = m_connections++ == 0;
        if (m_readChunk > 0)
            socket->setReadBufferSize(m_readChunk);
        auto *timer = new QTimer(socket);
        QObject::connect(timer, &QTimer::timeout, socket, [this, socket, first] {
            if (!(first && m_hungUp))
                socket->write("chatter from the relay\n");
            m_received += m_readChunk > 0 ? socket->read(m_readChunk) : socket->readAll();
            if (first && m_hangUpAfter >= 0 && m_received.size() >= m_hangUpAfter && !m_hungUp) {
                m_hungUp = true;
                socket->flush();
                ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
            }
        });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, [this, socket] {
            m_received += socket->readAll();
            ++m_closed;
            socket->deleteLater();
        });
        timer->start(5);
    }

    QTcpServer m_server;
    qsizetype m_readChunk;
    qsizetype m_hangUpAfter;
    QByteArray m_received;
    int m_connections = 0;
    int m_closed = 0;
    bool m_hungUp = false;
};

quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    return server.serverPort();
}

} // namespace

class tst_Headless : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void helpAndVersion();
    void badOptionExitsTwo_data();
    void badOptionExitsTwo();
    void sendsOnceAndExits();
    void sendsExactBytes_data();
    void sendsExactBytes();
    void broadcasterSendsExactlyCount();
    void largeMessageReachesABusySlowReader();
    void broadcasterCountsAcrossReconnects();
    void listenPrintsTimestampedEscapedLines();
    void listenRaw();
    void sendAndListenSeesItsOwnEcho();
    void connectionRefusedExitsOne();
    void lostConnectionExitsOne();

private:
    bool startRelay();
    std::unique_ptr<TestPeer> connectPeer();
    QStringList at(quint16 port) const
    {
        return {QStringLiteral("--headless"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
            QStringLiteral("--port"), QString::number(port)};
    }

    std::unique_ptr<RelayServer> m_relay;
};

void tst_Headless::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_Headless::cleanup()
{
    m_relay.reset();
}

bool tst_Headless::startRelay()
{
    RelayConfig config;
    config.port = 0;
    m_relay = std::make_unique<RelayServer>();
    return m_relay->start(config);
}

std::unique_ptr<TestPeer> tst_Headless::connectPeer()
{
    auto peer = std::make_unique<TestPeer>();
    const int before = m_relay->clientCount();
    if (!peer->connectTo(QHostAddress::LocalHost, m_relay->port())
        || !QTest::qWaitFor([&] { return m_relay->clientCount() == before + 1; }))
        qWarning("the peer could not connect");
    return peer;
}

void tst_Headless::helpAndVersion()
{
    Client help;
    help.start({QStringLiteral("--help")});
    QVERIFY(help.waitForExit());
    QCOMPARE(help.process().exitCode(), 0);
    QVERIFY(help.out().startsWith("Usage: socketserver-testclient"));
    QVERIFY(help.out().contains("--listen"));
    QVERIFY(help.err().isEmpty());

    Client version;
    version.start({QStringLiteral("--version")});
    QVERIFY(version.waitForExit());
    QCOMPARE(version.process().exitCode(), 0);
    QCOMPARE(version.out(), QByteArray("socketserver-testclient " SOCKETSERVER_VERSION "\n"));
}

void tst_Headless::badOptionExitsTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("error");
    QTest::newRow("unknown") << QStringList{QStringLiteral("--bogus")}
                             << QByteArray("Unknown option --bogus.");
    QTest::newRow("nothing to do")
        << QStringList{QStringLiteral("--headless")}
        << QByteArray("Nothing to do: give --send TEXT, --listen, or both.");
}

void tst_Headless::badOptionExitsTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, error);
    Client client;
    client.start(args);
    QVERIFY(client.waitForExit());
    QCOMPARE(client.process().exitCode(), 2);
    QCOMPARE(client.err(),
        "socketserver-testclient: " + error
            + "\nRun 'socketserver-testclient --help' to see the options.\n");
    QVERIFY(client.out().isEmpty());
}

void tst_Headless::sendsOnceAndExits()
{
    QVERIFY(startRelay());
    auto peer = connectPeer();
    Client client;
    client.start(at(m_relay->port())
        << QStringLiteral("--send") << QStringLiteral("computer2:main:changecolor:ball27,red"));
    QVERIFY(client.waitForExit());
    QCOMPARE(client.err(), QByteArray());
    QCOMPARE(client.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(client.process().exitCode(), 0);
    QTRY_COMPARE(peer->received(), QByteArray("computer2:main:changecolor:ball27,red\n"));
}

void tst_Headless::sendsExactBytes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("escapes, LF") << QStringList{QStringLiteral("--send"),
        QStringLiteral("a\\tb\\x1b\\\\")}
                                 << QByteArray("a\tb\x1b\\\n");
    QTest::newRow("CRLF") << QStringList{QStringLiteral("--send"), QStringLiteral("hi"),
        QStringLiteral("--eol"), QStringLiteral("crlf")}
                          << QByteArray("hi\r\n");
    QTest::newRow("NUL, as Flash") << QStringList{QStringLiteral("--send"), QStringLiteral("<hi/>"),
        QStringLiteral("--eol"), QStringLiteral("nul")}
                                   << QByteArray("<hi/>\0", 6);
    QTest::newRow("hex, no ending") << QStringList{QStringLiteral("--send"),
        QStringLiteral("00 0e ff"), QStringLiteral("--hex"), QStringLiteral("--eol=none")}
                                    << QByteArray("\0\x0e\xff", 3);
}

void tst_Headless::sendsExactBytes()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, bytes);
    RawListener listener;
    Client client;
    client.start(at(listener.port()) + args);
    QVERIFY(client.waitForExit());
    QCOMPARE(client.process().exitCode(), 0);
    QTRY_COMPARE(listener.received(), bytes);
}

void tst_Headless::broadcasterSendsExactlyCount()
{
    QVERIFY(startRelay());
    auto peer = connectPeer();
    Client client;
    client.start(at(m_relay->port())
        << QStringLiteral("--send") << QStringLiteral("tick") << QStringLiteral("--every")
        << QStringLiteral("10") << QStringLiteral("--count") << QStringLiteral("25"));
    QVERIFY(client.waitForExit());
    QCOMPARE(client.process().exitCode(), 0);
    // Whatever was on its way has arrived once a marker sent afterwards is back.
    peer->send("marker\n");
    QTRY_VERIFY(peer->received().endsWith("marker\n"));
    QCOMPARE(peer->received(), QByteArray("tick\n").repeated(25) + "marker\n");
}

void tst_Headless::largeMessageReachesABusySlowReader()
{
    // Closing while the relay's chatter waits unread would reset the connection and lose
    // what the listener has not read yet.
    DifficultListener listener(4096, -1);
    const QByteArray message(60000, 'x');
    Client client;
    client.start(at(listener.port()) << QStringLiteral("--send") << QString::fromLatin1(message));
    QVERIFY(client.waitForExit());
    QCOMPARE(client.err(), QByteArray());
    QCOMPARE(client.process().exitCode(), 0);
    QTRY_COMPARE(listener.closed(), 1);
    QCOMPARE(listener.received().size(), message.size() + 1);
    QCOMPARE(listener.received(), message + '\n');
}

void tst_Headless::broadcasterCountsAcrossReconnects()
{
    // The "relay" goes away after 5 messages; --retry connects again and the broadcaster
    // sends the rest: 20 in all, then exits.
    DifficultListener listener(0, 5 * 5);
    Client client;
    client.start(at(listener.port())
        << QStringLiteral("--send") << QStringLiteral("tick") << QStringLiteral("--every")
        << QStringLiteral("20") << QStringLiteral("--count") << QStringLiteral("20")
        << QStringLiteral("--retry"));
    QVERIFY(client.waitForExit());
    QCOMPARE(client.process().exitCode(), 0);
    QCOMPARE(listener.connections(), 2);
    QTRY_COMPARE(listener.closed(), 2);
    QCOMPARE(listener.received(), QByteArray("tick\n").repeated(20));
    const QString where = QStringLiteral("127.0.0.1 port %1").arg(listener.port());
    QCOMPARE(QString::fromUtf8(client.err()),
        QStringLiteral("lost the connection to %1: the relay closed the connection; trying again "
                       "in 1 s\nconnected to %1 again\n")
            .arg(where));
}

void tst_Headless::listenPrintsTimestampedEscapedLines()
{
    QVERIFY(startRelay());
    auto peer = connectPeer();
    Client client;
    client.start(at(m_relay->port()) << QStringLiteral("--listen"));
    QTRY_COMPARE_WITH_TIMEOUT(m_relay->clientCount(), 2, kTimeoutMs);
    static const char sent[] = "computer1:a\x1b"
                               "b\tc\\\n\xc3\xa9t\xc3\xa9\0lone\rcr\r\n";
    peer->send(QByteArray(sent, sizeof(sent) - 1));
    QTRY_COMPARE(client.out().count('\n'), 3);
    const QList<QByteArray> lines = client.out().split('\n');
    const QStringList expected = {QStringLiteral("computer1:a\\x1bb\\tc\\\\"),
        QString::fromUtf8("\xc3\xa9t\xc3\xa9"), QStringLiteral("lone\\rcr")};
    static const QRegularExpression line(
        QStringLiteral("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (.*)$"));
    for (int i = 0; i < 3; ++i) {
        const QRegularExpressionMatch match = line.match(QString::fromUtf8(lines.at(i)));
        QVERIFY2(match.hasMatch(), lines.at(i).constData());
        QCOMPARE(match.captured(1), expected.at(i));
    }

    ::kill(pid_t(client.process().processId()), SIGTERM);
    QVERIFY(client.waitForExit());
    QCOMPARE(client.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(client.process().exitCode(), 0);
    QCOMPARE(client.err(), QByteArray());
}

void tst_Headless::listenRaw()
{
    QVERIFY(startRelay());
    auto peer = connectPeer();
    Client client;
    client.start(at(m_relay->port()) << QStringLiteral("--listen") << QStringLiteral("--raw"));
    QTRY_COMPARE_WITH_TIMEOUT(m_relay->clientCount(), 2, kTimeoutMs);
    peer->send(QByteArray("a\x1b\tb\r\n\xff\xfe\0", 9));
    QTRY_COMPARE(client.out(), QByteArray("a\x1b\tb\n\xff\xfe\n"));
    ::kill(pid_t(client.process().processId()), SIGINT);
    QVERIFY(client.waitForExit());
    QCOMPARE(client.process().exitCode(), 0);
}

void tst_Headless::sendAndListenSeesItsOwnEcho()
{
    QVERIFY(startRelay());
    Client client;
    client.start(at(m_relay->port())
        << QStringLiteral("--listen") << QStringLiteral("--send") << QStringLiteral("me\\x1b"));
    QTRY_VERIFY_WITH_TIMEOUT(client.out().endsWith(" me\\x1b\n"), kTimeoutMs);
    QCOMPARE(client.out().count('\n'), 1);
    QCOMPARE(client.process().state(), QProcess::Running);
}

void tst_Headless::connectionRefusedExitsOne()
{
    const quint16 port = closedPort();
    Client client;
    client.start(at(port) << QStringLiteral("--listen"));
    QVERIFY(client.waitForExit());
    QCOMPARE(client.process().exitCode(), 1);
    QCOMPARE(client.err(),
        QStringLiteral("socketserver-testclient: cannot connect to 127.0.0.1 port %1: connection "
                       "refused\n")
            .arg(port)
            .toUtf8());
    QVERIFY(client.out().isEmpty());
}

void tst_Headless::lostConnectionExitsOne()
{
    QVERIFY(startRelay());
    const quint16 port = m_relay->port();
    Client client;
    client.start(at(port) << QStringLiteral("--listen"));
    QTRY_COMPARE_WITH_TIMEOUT(m_relay->clientCount(), 1, kTimeoutMs);
    m_relay->stop();
    QVERIFY(client.waitForExit());
    QCOMPARE(client.process().exitCode(), 1);
    QCOMPARE(client.err(),
        QStringLiteral("socketserver-testclient: lost the connection to 127.0.0.1 port %1: the "
                       "relay closed the connection\n")
            .arg(port)
            .toUtf8());
}

QTEST_GUILESS_MAIN(tst_Headless)
#include "tst_headless.moc"
