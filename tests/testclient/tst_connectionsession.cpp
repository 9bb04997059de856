// ConnectionSession: one tab's logic against a real relay on loopback: sending, the log,
// pause and clear, the repeat sender, reconnecting, the status in words.
#include "connectionsession.h"
#include "relayserver.h"
#include "repeatsender.h"
#include "testpeer.h"

#include <QAbstractItemModelTester>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTcpServer>
#include <QTest>

#include <memory>

// ConnectionSession against a real RelayServer on loopback.
class tst_ConnectionSession : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void sendsAndSeesTheEcho();
    void sendsEscapesAndHexExactly();
    void badEscapeSendsNothing();
    void logsABurstInOneInsertion();
    void pauseAndClearTakeWaitingMessages();
    void repeatDeliversExactlyCountMessages();
    void repeatStopsOnRequest();
    void repeatNeedsAConnection();
    void repeatStopsWhenTheLinkIsDown();
    void reconnectsAfterTheRelayRestarts();
    void statusInWords();

private:
    std::unique_ptr<RelayServer> startRelay(quint16 port = 0);
    // Connects a TestPeer, which counts what the relay sends to another client.
    std::unique_ptr<TestPeer> connectPeer(RelayServer &relay);
    static int lines(const QByteArray &bytes) { return int(bytes.count('\n')); }
};

void tst_ConnectionSession::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

std::unique_ptr<RelayServer> tst_ConnectionSession::startRelay(quint16 port)
{
    RelayConfig config;
    config.port = port;
    auto relay = std::make_unique<RelayServer>();
    if (!relay->start(config))
        qWarning("cannot start the relay: %s", qPrintable(relay->errorString()));
    return relay;
}

std::unique_ptr<TestPeer> tst_ConnectionSession::connectPeer(RelayServer &relay)
{
    auto peer = std::make_unique<TestPeer>();
    const int before = relay.clientCount();
    if (!peer->connectTo(QHostAddress::LocalHost, relay.port())
        || !QTest::qWaitFor([&] { return relay.clientCount() == before + 1; }))
        qWarning("the peer could not connect");
    return peer;
}

void tst_ConnectionSession::sendsAndSeesTheEcho()
{
    auto relay = startRelay();
    ConnectionSession session;
    QAbstractItemModelTester tester(
        session.filteredLog(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    session.open(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_COMPARE(session.state(), RelayLink::State::Connected);
    QTRY_COMPARE(relay->clientCount(), 1);
    auto peer = connectPeer(*relay);

    OutgoingMessage message;
    message.text = QStringLiteral("computer2:main:changecolor:ball27,red");
    QCOMPARE(session.send(message), QString());
    QTRY_COMPARE(session.log()->rowCount(), 2);
    const MessageLogModel::Entry sent = session.log()->entry(0);
    const MessageLogModel::Entry echo = session.log()->entry(1);
    QCOMPARE(sent.direction, MessageLogModel::Direction::Sent);
    QCOMPARE(echo.direction, MessageLogModel::Direction::Received);
    QCOMPARE(sent.bytes, QByteArray("computer2:main:changecolor:ball27,red"));
    QCOMPARE(echo.bytes, sent.bytes);
    QTRY_COMPARE(peer->received(), QByteArray("computer2:main:changecolor:ball27,red\n"));

    // What another client sends arrives too.
    peer->send("computer1:hello\r\n");
    QTRY_COMPARE(session.log()->rowCount(), 3);
    QCOMPARE(session.log()->entry(2).bytes, QByteArray("computer1:hello"));
    QCOMPARE(session.rates().totalOut(), 1);
    QCOMPARE(session.rates().totalIn(), 2);

    session.setFilterText(QStringLiteral("HELLO"));
    QCOMPARE(session.filteredLog()->rowCount(), 1);
}

void tst_ConnectionSession::sendsEscapesAndHexExactly()
{
    auto relay = startRelay();
    auto peer = connectPeer(*relay);
    ConnectionSession session;
    session.open(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_COMPARE(session.state(), RelayLink::State::Connected);
    QTRY_COMPARE(relay->clientCount(), 2);

    OutgoingMessage escaped;
    escaped.text = QStringLiteral("a\\rb\\x1bc\\\\");
    escaped.ending = OutgoingMessage::Ending::CrLf;
    QCOMPARE(session.send(escaped), QString());
    QTRY_COMPARE(peer->received(),
        QByteArray("a\rb\x1b"
                   "c\\\n")); // LF: the peer's own ending
    QTRY_COMPARE(session.log()->rowCount(), 2);
    QCOMPARE(session.log()->index(1, MessageLogModel::TextColumn).data().toString(),
        QStringLiteral("a\\rb\\x1bc\\\\"));

    peer->clearReceived();
    OutgoingMessage hex;
    hex.text = QStringLiteral("48 69 09 7f"); // a NUL would end the message (auto mode)
    hex.format = OutgoingMessage::Format::Hex;
    hex.ending = OutgoingMessage::Ending::Lf;
    QCOMPARE(session.send(hex), QString());
    QTRY_COMPARE(peer->received(), QByteArray("Hi\t\x7f\n"));
    QTRY_COMPARE(session.log()->rowCount(), 4);
    session.log()->setHexView(true);
    QCOMPARE(session.log()->index(3, MessageLogModel::TextColumn).data().toString(),
        QStringLiteral("48 69 09 7f"));
}

// Messages that arrive within one event-loop turn reach the log together, in order, with one
// insertion; the rates count each at once. (The test plays the link: a real socket would
// split a burst over reads at its own pace.)
void tst_ConnectionSession::logsABurstInOneInsertion()
{
    ConnectionSession session;
    QAbstractItemModelTester tester(
        session.filteredLog(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(session.log(), &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(session.log(), &QAbstractItemModel::rowsRemoved);
    QVERIFY(inserted.isValid());
    const int count = MessageLogModel::kDefaultCapacity + 2000; // more than the log holds
    for (int i = 0; i < count; ++i)
        emit session.link()->messageReceived(QByteArray::number(i));
    QCOMPARE(session.rates().totalIn(), count);
    // What waits is bounded like the log: a full log's worth went in at once, as one batch;
    // the rest waits for the event loop.
    QCOMPARE(session.log()->rowCount(), MessageLogModel::kDefaultCapacity);
    QCOMPARE(inserted.count(), 1);
    QTRY_COMPARE(inserted.count(), 2);
    QCOMPARE(removed.count(), 1); // the oldest, to make room
    const int rows = session.log()->rowCount();
    QVERIFY(rows <= MessageLogModel::kDefaultCapacity);
    for (int row = 0; row < rows; ++row) // the newest, in order, up to the last
        QCOMPARE(session.log()->entry(row).bytes, QByteArray::number(count - rows + row));

    emit session.link()->messageReceived("one more");
    session.flushLog(); // at once, without waiting
    QCOMPARE(session.log()->entry(session.log()->rowCount() - 1).bytes, QByteArray("one more"));
    QCOMPARE(inserted.count(), 3);
    QCOMPARE(session.rates().totalIn(), count + 1);
}

// Pause shows what came before it and nothing during it; clear drops what still waited.
void tst_ConnectionSession::pauseAndClearTakeWaitingMessages()
{
    ConnectionSession session;
    emit session.link()->messageReceived("before");
    session.setLogPaused(true);
    QCOMPARE(session.log()->rowCount(), 1);
    emit session.link()->messageReceived("during");
    session.setLogPaused(false);
    emit session.link()->messageReceived("after");
    QTRY_COMPARE(session.log()->rowCount(), 2);
    QCOMPARE(session.log()->entry(1).bytes, QByteArray("after"));

    emit session.link()->messageReceived("cleared");
    session.clearLog();
    QCOMPARE(session.log()->rowCount(), 0);
    emit session.link()->messageReceived("new");
    QTRY_COMPARE(session.log()->rowCount(), 1);
    QCOMPARE(session.log()->entry(0).bytes, QByteArray("new"));
    QCOMPARE(session.rates().totalIn(), 5);
}

void tst_ConnectionSession::badEscapeSendsNothing()
{
    auto relay = startRelay();
    ConnectionSession session;
    OutgoingMessage message;
    message.text = QStringLiteral("ok");
    QCOMPARE(session.send(message), QStringLiteral("Not connected: nothing was sent."));
    session.open(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_COMPARE(session.state(), RelayLink::State::Connected);
    message.text = QStringLiteral("bad \\q");
    QVERIFY(session.send(message).startsWith(QStringLiteral("Unknown escape \\q")));
    QVERIFY(!session.startRepeat(message, 10, 3).isEmpty());
    QVERIFY(!session.repeatSender()->isRunning());
    QCOMPARE(session.log()->rowCount(), 0);
}

void tst_ConnectionSession::repeatDeliversExactlyCountMessages()
{
    auto relay = startRelay();
    auto peer = connectPeer(*relay);
    ConnectionSession session;
    session.open(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_COMPARE(session.state(), RelayLink::State::Connected);
    QTRY_COMPARE(relay->clientCount(), 2);

    QSignalSpy finished(session.repeatSender(), &RepeatSender::finished);
    OutgoingMessage message;
    message.text = QStringLiteral("tick");
    QCOMPARE(session.startRepeat(message, 5, 7), QString());
    QVERIFY(session.repeatSender()->isRunning());
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(session.repeatSender()->sentCount(), 7);
    QTRY_COMPARE(lines(peer->received()), 7);
    // Nothing more comes once it has finished: wait for a marker sent after it.
    peer->send("marker\n");
    QTRY_VERIFY(peer->received().endsWith("marker\n"));
    QCOMPARE(peer->received(), QByteArray("tick\n").repeated(7) + "marker\n");
}

void tst_ConnectionSession::repeatStopsOnRequest()
{
    auto relay = startRelay();
    auto peer = connectPeer(*relay);
    ConnectionSession session;
    session.open(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_COMPARE(session.state(), RelayLink::State::Connected);
    QTRY_COMPARE(relay->clientCount(), 2);
    OutgoingMessage message;
    message.text = QStringLiteral("again");
    QCOMPARE(session.startRepeat(message, 5, 0), QString()); // until stopped
    QTRY_VERIFY(session.repeatSender()->sentCount() >= 3);
    session.stopRepeat();
    QVERIFY(!session.repeatSender()->isRunning());
    const int sent = session.repeatSender()->sentCount();
    peer->send("marker\n");
    QTRY_VERIFY(peer->received().endsWith("marker\n"));
    QCOMPARE(lines(peer->received()), sent + 1);
}

void tst_ConnectionSession::repeatNeedsAConnection()
{
    ConnectionSession session;
    OutgoingMessage message;
    message.text = QStringLiteral("tick");
    QCOMPARE(session.startRepeat(message, 5, 0),
        QStringLiteral("Not connected: connect first, then repeat."));
    QVERIFY(!session.repeatSender()->isRunning());

    auto relay = startRelay();
    session.open(QStringLiteral("127.0.0.1"), relay->port());
    QCOMPARE(session.state(), RelayLink::State::Connecting);
    QVERIFY(!session.startRepeat(message, 5, 0).isEmpty());
    QVERIFY(!session.repeatSender()->isRunning());
}

void tst_ConnectionSession::repeatStopsWhenTheLinkIsDown()
{
    auto relay = startRelay();
    ConnectionSession session;
    session.setAutoReconnect(false);
    session.open(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_COMPARE(session.state(), RelayLink::State::Connected);
    QSignalSpy finished(session.repeatSender(), &RepeatSender::finished);
    OutgoingMessage message;
    message.text = QStringLiteral("tick");
    QCOMPARE(session.startRepeat(message, 5, 0), QString());
    QTRY_VERIFY(session.repeatSender()->sentCount() >= 1);

    relay->stop();
    QTRY_COMPARE(session.state(), RelayLink::State::Disconnected);
    QVERIFY(!session.repeatSender()->isRunning());
    QCOMPARE(finished.count(), 1);
}

void tst_ConnectionSession::reconnectsAfterTheRelayRestarts()
{
    auto relay = startRelay();
    const quint16 port = relay->port();
    ConnectionSession session;
    session.setAutoReconnect(true);
    session.open(QStringLiteral("127.0.0.1"), port);
    QTRY_COMPARE(session.state(), RelayLink::State::Connected);

    relay->stop();
    QTRY_COMPARE(session.state(), RelayLink::State::WaitingToRetry);
    QVERIFY2(session.statusText().startsWith(QStringLiteral("reconnecting in ")),
        qPrintable(session.statusText()));
    relay.reset();
    relay = startRelay(port);
    QVERIFY(relay->isListening());
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), RelayLink::State::Connected, 10000);

    OutgoingMessage message;
    message.text = QStringLiteral("back");
    QCOMPARE(session.send(message), QString());
    QTRY_COMPARE(session.log()->rowCount(), 2);
    QCOMPARE(session.log()->entry(1).bytes, QByteArray("back"));
}

void tst_ConnectionSession::statusInWords()
{
    ConnectionSession session;
    QCOMPARE(session.statusText(), QStringLiteral("disconnected"));
    QCOMPARE(session.title(), QStringLiteral("not connected"));
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    session.setAutoReconnect(false);
    session.open(QStringLiteral("127.0.0.1"), port);
    QCOMPARE(session.statusText(), QStringLiteral("connecting to 127.0.0.1 port %1…").arg(port));
    QCOMPARE(session.title(), QStringLiteral("127.0.0.1:%1").arg(port));
    QTRY_COMPARE(session.state(), RelayLink::State::Disconnected);
    QCOMPARE(session.statusText(), QStringLiteral("disconnected: connection refused"));
}

QTEST_GUILESS_MAIN(tst_ConnectionSession)
#include "tst_connectionsession.moc"
