// WebSocket, local socket and Flash policy clients on the relay, with real sockets: every kind
// of client in one conversation, each getting messages in its own wire form, under the same
// limits.
#include "clientsession.h"
#include "flashpolicy.h"
#include "relayfixture.h"
#include "relayserver.h"
#include "webgateway.h"
#include "wspeer.h"

#include <QFileInfo>
#include <QLocalSocket>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

RelayConfig testConfig()
{
    RelayConfig config;
    config.port = 0;
    config.webSocketEnabled = true;
    config.webSocketPort = 0;
    return config;
}

// A test's local-socket client: collects every byte.
class LocalPeer
{
public:
    LocalPeer()
    {
        QObject::connect(&m_socket, &QLocalSocket::readyRead, &m_socket,
            [this] { m_received += m_socket.readAll(); });
    }
    bool connectTo(const QString &name)
    {
        m_socket.connectToServer(name);
        return m_socket.waitForConnected(5000);
    }
    void send(const QByteArray &bytes) { m_socket.write(bytes); }
    QByteArray received() const { return m_received; }
    QLocalSocket &socket() { return m_socket; }

private:
    QLocalSocket m_socket;
    QByteArray m_received;
};

// Sends @p request on a fresh TCP connection to @p port and returns all that came back before
// the relay closed it.
QByteArray exchange(quint16 port, const QByteArray &request)
{
    TestPeer peer;
    if (!peer.connectTo(QHostAddress::LocalHost, port))
        return "(no connection)";
    peer.send(request);
    if (!QTest::qWaitFor([&peer] { return !peer.isConnected(); }, 10000))
        return "(not closed)";
    return peer.received();
}

QString localName(const QTemporaryDir &dir)
{
    return dir.filePath(QStringLiteral("relay.sock"));
}

} // namespace

class tst_WebSocketRelay : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void everyKindInOneConversation();
    void textOrBinaryFrames();
    void oversizeMessagePerKind();
    void maxClientsCountsEveryKind();
    void allowListAppliesToWebSockets();
    void originRefusedDuringHandshake();
    void builtInPageIsServed_data();
    void builtInPageIsServed();
    void flashPolicyExchangeIsByteExact();
    void flashPolicyLeavesOtherClientsAlone();
    void flashPolicyLookalikeKeepsItsOrder();
    void localSocketIsPrivateAndCleanedUp();
    void staleLocalSocketIsReplaced();

private:
    RelayServer &relay() { return m_fixture.relay(); }
    TestPeer &peer(int i) { return m_fixture.peer(i); }

    RelayFixture m_fixture;
};

void tst_WebSocketRelay::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_WebSocketRelay::cleanup()
{
    m_fixture.reset();
}

void tst_WebSocketRelay::everyKindInOneConversation()
{
    QTemporaryDir dir;
    RelayConfig config = testConfig();
    config.localServerName = localName(dir);
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    QVERIFY(relay().webSocketPort() != 0);
    QCOMPARE(relay().localServerPath(), localName(dir));
    WsPeer ws;
    ws.open(relay().webSocketPort());
    QTRY_VERIFY(ws.isConnected());
    LocalPeer local;
    QVERIFY(local.connectTo(localName(dir)));
    QTRY_COMPARE(relay().clientCount(), 3);
    const QList<ClientInfo> clients = relay().clients();
    QCOMPARE(clients.at(0).kind, ClientInfo::Kind::Tcp);
    QCOMPARE(clients.at(1).kind, ClientInfo::Kind::WebSocket);
    QCOMPARE(clients.at(2).kind, ClientInfo::Kind::Local);
    QCOMPARE(ClientInfo::kindName(clients.at(1).kind), QStringLiteral("WebSocket"));

    // Each gets every message in its own form: TCP and local ended as each ends its own
    // (LF before it has spoken), the WebSocket one message each, without a terminator.
    peer(0).send("from tcp\r\n");
    QTRY_COMPARE(peer(0).received(), QByteArray("from tcp\r\n"));
    QTRY_COMPARE(local.received(), QByteArray("from tcp\n"));
    QTRY_COMPARE(ws.texts(), QList<QByteArray>{"from tcp"});

    ws.socket().sendTextMessage(QStringLiteral("from ws: \u00e9t\u00e9"));
    QTRY_COMPARE(peer(0).received(), QByteArray("from tcp\r\nfrom ws: \xc3\xa9t\xc3\xa9\r\n"));
    QTRY_COMPARE(local.received(), QByteArray("from tcp\nfrom ws: \xc3\xa9t\xc3\xa9\n"));
    QTRY_COMPARE(ws.texts().size(), 2);
    QCOMPARE(ws.texts().at(1), QByteArray("from ws: \xc3\xa9t\xc3\xa9"));

    local.send(QByteArray("from local\0", 11));
    QTRY_COMPARE(
        local.received(), QByteArray("from tcp\nfrom ws: \xc3\xa9t\xc3\xa9\nfrom local\0", 35));
    QTRY_COMPARE(peer(0).received().endsWith("from local\r\n"), true);
    QTRY_COMPARE(ws.texts().size(), 3);
    QCOMPARE(ws.texts().at(2), QByteArray("from local"));

    // Two messages in one TCP read: two WebSocket messages.
    peer(0).send("a\nb\n");
    QTRY_COMPARE(ws.texts().size(), 5);
    QCOMPARE(ws.texts().mid(3), (QList<QByteArray>{"a", "b"}));

    // The relay's own messages too.
    relay().broadcast("hello all");
    QTRY_COMPARE(ws.texts().size(), 6);
    QCOMPARE(ws.texts().last(), QByteArray("hello all"));
    QTRY_VERIFY(local.received().endsWith(QByteArray("hello all\0", 10)));

    QTRY_COMPARE(relay().clients().at(1).messagesIn, 1);
    QCOMPARE(relay().clients().at(1).messagesOut, 6);
}

void tst_WebSocketRelay::textOrBinaryFrames()
{
    QVERIFY2(m_fixture.start(testConfig(), 1), qPrintable(relay().errorString()));
    WsPeer ws;
    ws.open(relay().webSocketPort());
    QTRY_VERIFY(ws.isConnected());
    // Not UTF-8: a binary frame, byte for byte.
    peer(0).send("\xff\xfe raw\n");
    QTRY_COMPARE(ws.texts(), QList<QByteArray>{"\xff\xfe raw (binary)"});
    // A binary message from the page reaches TCP as it was.
    ws.socket().sendBinaryMessage(QByteArray("\x01\x02\xff", 3));
    QTRY_COMPARE(peer(0).received(), QByteArray("\xff\xfe raw\n\x01\x02\xff\n"));
}

void tst_WebSocketRelay::oversizeMessagePerKind()
{
    RelayConfig config = testConfig();
    config.maxMessageBytes = 1024;
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    WsPeer ws;
    ws.open(relay().webSocketPort());
    QTRY_VERIFY(ws.isConnected());
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(gone.isValid());

    // TCP: the line is dropped, the client stays.
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(QStringLiteral("^127\\.0\\.0\\.1:\\d+ sent a message longer than 1024 "
                                          "bytes: dropped it \\(1 so far\\)$")));
    peer(0).send(QByteArray(2000, 'x') + "\nafter\n");
    QTRY_COMPARE(ws.texts(), QList<QByteArray>{"after"});
    QVERIFY(peer(0).isConnected());

    // WebSocket: closed with code 1009.
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(QStringLiteral(
            "^ws 127\\.0\\.0\\.1:\\d+ sent a message longer than 1024 bytes: closed it$")));
    ws.socket().sendTextMessage(QString(2000, u'y'));
    QTRY_COMPARE(ws.socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(ws.socket().closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
    QTRY_COMPARE(gone.count(), 1);
    QCOMPARE(gone.first().at(0).value<ClientInfo>().kind, ClientInfo::Kind::WebSocket);
    QCOMPARE(gone.first().at(0).value<ClientInfo>().droppedMessages, 1);
    QCOMPARE(peer(0).received(), QByteArray("after\n")); // nothing of it was relayed
}

void tst_WebSocketRelay::maxClientsCountsEveryKind()
{
    QTemporaryDir dir;
    RelayConfig config = testConfig();
    config.maxClients = 2;
    config.localServerName = localName(dir);
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    LocalPeer local;
    QVERIFY(local.connectTo(localName(dir)));
    QTRY_COMPARE(relay().clientCount(), 2);

    // A WebSocket over the limit is told why, in a message, and closed.
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(
            QStringLiteral("^refused ws 127.0.0.1:\\d+ - server full \\(2 clients\\)$")));
    WsPeer ws;
    ws.open(relay().webSocketPort());
    QTRY_COMPARE(ws.texts(), QList<QByteArray>{"server full (2 clients)"});
    QTRY_COMPARE(ws.socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(relay().clientCount(), 2);
    QCOMPARE(relay().stats().clientsRefused[Refusal::Full], 1);

    // With the WebSocket in, a local client over the limit is refused as TCP ones are.
    local.socket().disconnectFromServer();
    QTRY_COMPARE(relay().clientCount(), 1);
    WsPeer admitted;
    admitted.open(relay().webSocketPort());
    QTRY_COMPARE(relay().clientCount(), 2);
    LocalPeer another;
    QVERIFY(another.connectTo(localName(dir)));
    QTRY_COMPARE(another.received(), QByteArray("server full (2 clients)\n"));
    QTRY_COMPARE(another.socket().state(), QLocalSocket::UnconnectedState);
    QTRY_COMPARE(relay().stats().clientsRefused[Refusal::Full], 2);
}

void tst_WebSocketRelay::allowListAppliesToWebSockets()
{
    RelayConfig config = testConfig();
    config.allow.append(QHostAddress::parseSubnet(QStringLiteral("192.168.1.0/24")));
    QVERIFY2(m_fixture.start(config, 0), qPrintable(relay().errorString()));
    QTest::ignoreMessage(QtWarningMsg, "refused 127.0.0.1 - not in the allow list");
    WsPeer ws;
    QSignalSpy closed(&ws.socket(), &QWebSocket::disconnected);
    QVERIFY(closed.isValid());
    ws.open(relay().webSocketPort());
    QTRY_COMPARE(relay().stats().clientsRefused[Refusal::NotAllowed], 1);
    QTRY_COMPARE(ws.socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(relay().clientCount(), 0);
    // The page is not served either.
    QCOMPARE(exchange(relay().webSocketPort(), "GET / HTTP/1.1\r\n\r\n"), QByteArray());
}

void tst_WebSocketRelay::originRefusedDuringHandshake()
{
    RelayConfig config = testConfig();
    config.webSocketOrigins = {QStringLiteral("http://kiosk.local:8080")};
    QVERIFY2(m_fixture.start(config, 0), qPrintable(relay().errorString()));

    QTest::ignoreMessage(QtWarningMsg,
        "refused a WebSocket from the web page at http://evil.example - not in --ws-origin");
    WsPeer evil;
    QSignalSpy evilConnected(&evil.socket(), &QWebSocket::connected);
    QVERIFY(evilConnected.isValid());
    evil.open(relay().webSocketPort(), QStringLiteral("http://evil.example"));
    QTRY_COMPARE(evil.socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(evilConnected.count(), 0);

    WsPeer kiosk;
    kiosk.open(relay().webSocketPort(), QStringLiteral("http://KIOSK.local:8080/"));
    QTRY_VERIFY(kiosk.isConnected());
    // The built-in page is always welcome: its origin is where the WebSocket goes (the Host).
    WsPeer page;
    page.open(relay().webSocketPort(),
        QStringLiteral("http://127.0.0.1:%1").arg(relay().webSocketPort()));
    QTRY_VERIFY(page.isConnected());
    QTRY_COMPARE(relay().clientCount(), 2);

    // A page from another host on a port of the same number is not the built-in page.
    const QString other = QStringLiteral("http://evil.example:%1").arg(relay().webSocketPort());
    QTest::ignoreMessage(QtWarningMsg,
        qPrintable(
            QStringLiteral("refused a WebSocket from the web page at %1 - not in --ws-origin")
                .arg(other)));
    WsPeer samePort;
    QSignalSpy samePortConnected(&samePort.socket(), &QWebSocket::connected);
    QVERIFY(samePortConnected.isValid());
    samePort.open(relay().webSocketPort(), other);
    QTRY_COMPARE(samePort.socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(samePortConnected.count(), 0);
    QCOMPARE(relay().clientCount(), 2);
    QCOMPARE(relay().stats().clientsRefused[Refusal::OriginNotAllowed], 2);
}

void tst_WebSocketRelay::builtInPageIsServed_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("statusLine");

    QTest::newRow("page") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                          << QByteArray("HTTP/1.1 200 OK");
    QTest::newRow("page with a query")
        << QByteArray("GET /?send=hi HTTP/1.1\r\n\r\n") << QByteArray("HTTP/1.1 200 OK");
    QTest::newRow("other path") << QByteArray("GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
                                << QByteArray("HTTP/1.1 404 Not Found");
    QTest::newRow("not a GET") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
                               << QByteArray();
    QTest::newRow("not HTTP") << QByteArray("hello\r\n\r\n") << QByteArray();
    QTest::newRow("head too long")
        << QByteArray("GET / HTTP/1.1\r\nX: ") + QByteArray(WebGateway::kMaxHeadBytes, 'x')
        << QByteArray();
}

void tst_WebSocketRelay::builtInPageIsServed()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, statusLine);
    QVERIFY2(m_fixture.start(testConfig(), 0), qPrintable(relay().errorString()));
    const QByteArray response = exchange(relay().webSocketPort(), request);
    if (statusLine.isEmpty()) {
        QCOMPARE(response, QByteArray());
        return;
    }
    QVERIFY2(response.startsWith(statusLine + "\r\n"), response.left(200).constData());
    const qsizetype bodyAt = response.indexOf("\r\n\r\n") + 4;
    const QByteArray head = response.left(bodyAt);
    const QByteArray body = response.mid(bodyAt);
    QVERIFY(head.contains("\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n"));
    QVERIFY(head.contains("\r\nConnection: close\r\n"));
    if (statusLine.contains("200")) {
        QVERIFY(head.contains("\r\nContent-Type: text/html; charset=utf-8\r\n"));
        QCOMPARE(body, WebGateway::page());
        QVERIFY(body.contains("<html"));
        QVERIFY(body.contains("WebSocket"));
    }
    QCOMPARE(relay().clientCount(), 0); // looking at the page is not being a client
}

void tst_WebSocketRelay::flashPolicyExchangeIsByteExact()
{
    RelayConfig config = testConfig();
    config.flashPolicy = true;
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    const QByteArray expected = "<?xml version=\"1.0\"?><cross-domain-policy><allow-access-from "
                                "domain=\"*\" to-ports=\""
        + QByteArray::number(relay().port()) + ',' + QByteArray::number(relay().webSocketPort())
        + "\"/></cross-domain-policy>" + '\0';

    TestPeer flash;
    QVERIFY(flash.connectTo(QHostAddress::LocalHost, relay().port()));
    QTRY_COMPARE(relay().clientCount(), 2);
    relay().broadcast("must not come before the policy");
    // The request in two pieces, as a slow network may deliver it.
    flash.send(QByteArray("<policy-file-"));
    QVERIFY(flash.socket().waitForBytesWritten(1000));
    flash.send(QByteArray("request/>\0", 10));
    QTRY_VERIFY(!flash.isConnected());
    QCOMPARE(flash.received(), expected);
    // Answered, never relayed.
    QCOMPARE(relay().stats().messagesIn, 0);
    QTRY_COMPARE(peer(0).received(), QByteArray("must not come before the policy\n"));
}

void tst_WebSocketRelay::flashPolicyLeavesOtherClientsAlone()
{
    RelayConfig config = testConfig();
    config.flashPolicy = true;
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    // A client whose first bytes look like a request for a while: nothing is lost.
    TestPeer lookalike;
    QVERIFY(lookalike.connectTo(QHostAddress::LocalHost, relay().port()));
    QTRY_COMPARE(relay().clientCount(), 2);
    lookalike.send("<policy");
    QVERIFY(lookalike.socket().waitForBytesWritten(1000));
    lookalike.send(" ok\n");
    QTRY_COMPARE(lookalike.received(), QByteArray("<policy ok\n"));
    QTRY_COMPARE(peer(0).received(), QByteArray("<policy ok\n"));
    // A client that never speaks gets what is relayed, after the short wait at most.
    peer(0).send("to the quiet one\n");
    QTRY_COMPARE(peer(0).received(), QByteArray("<policy ok\nto the quiet one\n"));
    QTRY_COMPARE(lookalike.received(), QByteArray("<policy ok\nto the quiet one\n"));
}

// The start of a request, then nothing until the wait is over: those bytes are data, and come
// first.
void tst_WebSocketRelay::flashPolicyLookalikeKeepsItsOrder()
{
    RelayConfig config = testConfig();
    config.flashPolicy = true;
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    TestPeer lookalike;
    QVERIFY(lookalike.connectTo(QHostAddress::LocalHost, relay().port()));
    QTRY_COMPARE(relay().clientCount(), 2);
    lookalike.send("<p");
    QVERIFY(lookalike.socket().waitForBytesWritten(1000));
    // Output for it is held back while its first bytes may be a request: this arrives once the
    // wait is over.
    relay().broadcast("wait over");
    QTRY_COMPARE(lookalike.received(), QByteArray("wait over\n"));
    lookalike.send("ing\n");
    QTRY_COMPARE(peer(0).received(), QByteArray("wait over\n<ping\n"));
    QTRY_COMPARE(lookalike.received(), QByteArray("wait over\n<ping\n"));
}

void tst_WebSocketRelay::localSocketIsPrivateAndCleanedUp()
{
#ifndef Q_OS_UNIX
    QSKIP("local sockets are files on Unix only");
#else
    QTemporaryDir dir;
    RelayConfig config = testConfig();
    config.localServerName = localName(dir);
    QVERIFY2(m_fixture.start(config, 0), qPrintable(relay().errorString()));
    const QFileInfo socketFile(localName(dir));
    QVERIFY(socketFile.exists());
    const QFile::Permissions others = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup
        | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
    QCOMPARE(socketFile.permissions() & others, QFile::Permissions());
    QVERIFY(socketFile.permissions() & QFile::WriteOwner);

    QSignalSpy stopped(&relay(), &RelayServer::stopped);
    QVERIFY(stopped.isValid());
    relay().stop();
    QTRY_COMPARE(stopped.count(), 1);
    QVERIFY(!QFileInfo::exists(localName(dir)));
#endif
}

void tst_WebSocketRelay::staleLocalSocketIsReplaced()
{
    QTemporaryDir dir;
    {
        // What a crash leaves behind: the socket file, nobody listening.
        QFile stale(localName(dir));
        QVERIFY(stale.open(QIODevice::WriteOnly));
    }
    RelayConfig config = testConfig();
    config.localServerName = localName(dir);
    QVERIFY2(m_fixture.start(config, 1), qPrintable(relay().errorString()));
    LocalPeer local;
    QVERIFY(local.connectTo(localName(dir)));
    local.send("local again\n");
    QTRY_COMPARE(peer(0).received(), QByteArray("local again\n"));
}

QTEST_GUILESS_MAIN(tst_WebSocketRelay)
#include "tst_websocketrelay.moc"
