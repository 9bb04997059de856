// RelayLink: one client connection to a real relay on loopback: messages both ways, the
// backoff schedule, reconnecting after refusals and restarts, finish().
#include "relaylink.h"
#include "relayserver.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>

// RelayLink against a real RelayServer on loopback.
class tst_RelayLink : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void backoffDoublesUpToThirtySeconds();
    void sendsAndReceivesMessages();
    void cutsMessagesWithTheGivenTerminator();
    void sendRefusedWhileNotConnected();
    void refusedAttemptIsRetried();
    void relayThatClosesAtOnceIsRetriedLessOften();
    void reconnectsAfterTheRelayRestarts();
    void withoutAutoReconnectStaysDown();
    void closeForgetsTheLastError();
    void closeStopsRetrying();
    void finishDeliversThenDisconnects();
    void finishEndsAlsoWhenTheRelayTakesNothing();

private:
    /// A relay on a free port; @p port reuses a port from an earlier relay.
    std::unique_ptr<RelayServer> startRelay(quint16 port = 0);
    /// A port nobody listens on.
    static quint16 closedPort();
};

void tst_RelayLink::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

std::unique_ptr<RelayServer> tst_RelayLink::startRelay(quint16 port)
{
    RelayConfig config;
    config.port = port;
    auto relay = std::make_unique<RelayServer>();
    if (!relay->start(config))
        qWarning("cannot start the relay: %s", qPrintable(relay->errorString()));
    return relay;
}

quint16 tst_RelayLink::closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    return server.serverPort(); // closed again when server goes
}

void tst_RelayLink::backoffDoublesUpToThirtySeconds()
{
    QCOMPARE(RelayLink::backoffMs(0), 1000);
    QCOMPARE(RelayLink::backoffMs(1), 2000);
    QCOMPARE(RelayLink::backoffMs(4), 16000);
    QCOMPARE(RelayLink::backoffMs(5), 30000);
    QCOMPARE(RelayLink::backoffMs(1000), 30000);
}

void tst_RelayLink::sendsAndReceivesMessages()
{
    auto relay = startRelay();
    RelayLink a;
    RelayLink b;
    QSignalSpy received(&b, &RelayLink::messageReceived);
    a.open(QStringLiteral("localhost"), relay->port());
    b.open(QStringLiteral("127.0.0.1"), relay->port());
    QCOMPARE(a.state(), RelayLink::State::Connecting);
    QTRY_COMPARE(a.state(), RelayLink::State::Connected);
    QTRY_COMPARE(b.state(), RelayLink::State::Connected);
    QTRY_COMPARE(relay->clientCount(), 2);
    QVERIFY(a.errorString().isEmpty());

    QVERIFY(a.send("one"));
    QVERIFY(a.send("two", "\r\n"));
    QVERIFY(a.send("thr"));
    QTRY_COMPARE(received.count(), 3);
    QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("one"));
    QCOMPARE(received.at(1).at(0).toByteArray(), QByteArray("two"));
    QCOMPARE(received.at(2).at(0).toByteArray(), QByteArray("thr"));
}

void tst_RelayLink::cutsMessagesWithTheGivenTerminator()
{
    RelayConfig config;
    config.port = 0;
    config.terminator = Terminator::exact(QByteArray("\0\x0e", 2));
    RelayServer relay;
    QVERIFY(relay.start(config));
    RelayLink link(config.terminator);
    QSignalSpy received(&link, &RelayLink::messageReceived);
    link.open(QStringLiteral("127.0.0.1"), relay.port());
    QTRY_COMPARE(link.state(), RelayLink::State::Connected);
    QTRY_COMPARE(relay.clientCount(), 1);
    relay.broadcast("a\nb");
    QTRY_COMPARE(received.count(), 1);
    QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("a\nb"));
}

void tst_RelayLink::sendRefusedWhileNotConnected()
{
    RelayLink link;
    QVERIFY(!link.send("nobody"));
    QCOMPARE(link.state(), RelayLink::State::Disconnected);
    QCOMPARE(link.retryInMs(), -1);
}

void tst_RelayLink::refusedAttemptIsRetried()
{
    const quint16 port = closedPort();
    RelayLink link;
    link.open(QStringLiteral("127.0.0.1"), port);
    QTRY_COMPARE(link.state(), RelayLink::State::WaitingToRetry);
    QVERIFY2(
        link.errorString().contains(QStringLiteral("refused")), qPrintable(link.errorString()));
    // Waiting for the next attempt (which one depends on how busy the machine is).
    QVERIFY(link.retryInMs() > 0);
    QVERIFY(link.retryInMs() <= RelayLink::backoffMs(1000));
    QVERIFY(!link.send("lost"));

    // The relay comes up on that port: the next attempt finds it.
    auto relay = startRelay(port);
    QVERIFY(relay->isListening());
    QTRY_COMPARE_WITH_TIMEOUT(link.state(), RelayLink::State::Connected, 10000);
    QVERIFY(link.errorString().isEmpty());
}

void tst_RelayLink::relayThatClosesAtOnceIsRetriedLessOften()
{
    // A full relay lets the link in and closes at once: that connection must not reset the
    // wait, or the link would come back every second for ever.
    RelayConfig config;
    config.port = 0;
    config.maxClients = 1;
    RelayServer relay;
    QVERIFY(relay.start(config));
    QTcpSocket occupant;
    occupant.connectToHost(QHostAddress::LocalHost, relay.port());
    QTRY_COMPARE(relay.clientCount(), 1);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("server full")));

    RelayLink link;
    QList<int> waits; // retryInMs() as each wait begins
    connect(&link, &RelayLink::stateChanged, this, [&](RelayLink::State state) {
        if (state == RelayLink::State::WaitingToRetry)
            waits.append(link.retryInMs());
    });
    link.open(QStringLiteral("127.0.0.1"), relay.port());
    QTRY_COMPARE_WITH_TIMEOUT(waits.size(), 2, 5000);
    // The second wait is the doubled one (less at most a fifth of jitter).
    // Never more than the wait scheduled (a coarse timer may say a millisecond more).
    QVERIFY2(waits.at(0) <= RelayLink::backoffMs(0), qPrintable(QString::number(waits.at(0))));
    QVERIFY2(waits.at(1) > RelayLink::backoffMs(0), qPrintable(QString::number(waits.at(1))));
    QCOMPARE(relay.clientCount(), 1);
}

void tst_RelayLink::reconnectsAfterTheRelayRestarts()
{
    auto relay = startRelay();
    const quint16 port = relay->port();
    RelayLink link;
    QSignalSpy states(&link, &RelayLink::stateChanged);
    QSignalSpy received(&link, &RelayLink::messageReceived);
    link.open(QStringLiteral("127.0.0.1"), port);
    QTRY_COMPARE(link.state(), RelayLink::State::Connected);

    relay->stop();
    QTRY_COMPARE(link.state(), RelayLink::State::WaitingToRetry);
    QCOMPARE(link.errorString(), QStringLiteral("the relay closed the connection"));
    relay.reset();

    relay = startRelay(port);
    QVERIFY(relay->isListening());
    QTRY_COMPARE_WITH_TIMEOUT(link.state(), RelayLink::State::Connected, 10000);
    QTRY_COMPARE(relay->clientCount(), 1);
    relay->broadcast("back");
    QTRY_COMPARE(received.count(), 1);
    QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("back"));
    QCOMPARE(states.first().at(0).value<RelayLink::State>(), RelayLink::State::Connecting);
}

void tst_RelayLink::withoutAutoReconnectStaysDown()
{
    RelayLink link;
    link.setAutoReconnect(false);
    link.open(QStringLiteral("127.0.0.1"), closedPort());
    QTRY_COMPARE(link.state(), RelayLink::State::Disconnected);
    QVERIFY(!link.errorString().isEmpty());
    QTest::qWait(1500); // longer than the first retry would wait
    QCOMPARE(link.state(), RelayLink::State::Disconnected);
}

void tst_RelayLink::closeForgetsTheLastError()
{
    RelayLink link;
    link.open(QStringLiteral("127.0.0.1"), closedPort());
    QTRY_COMPARE(link.state(), RelayLink::State::WaitingToRetry);
    QVERIFY(!link.errorString().isEmpty());
    link.close();
    QCOMPARE(link.state(), RelayLink::State::Disconnected);
    QCOMPARE(link.errorString(), QString());
}

void tst_RelayLink::closeStopsRetrying()
{
    auto relay = startRelay();
    RelayLink link;
    link.open(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_COMPARE(link.state(), RelayLink::State::Connected);
    QTRY_COMPARE(relay->clientCount(), 1);
    QSignalSpy states(&link, &RelayLink::stateChanged);
    link.close();
    QCOMPARE(link.state(), RelayLink::State::Disconnected);
    QCOMPARE(states.count(), 1);
    QTRY_COMPARE(relay->clientCount(), 0);
    QTest::qWait(1500); // longer than the first retry would wait
    QCOMPARE(link.state(), RelayLink::State::Disconnected);
    QCOMPARE(states.count(), 1);
}

void tst_RelayLink::finishDeliversThenDisconnects()
{
    auto relay = startRelay();
    QTcpSocket peer;
    peer.connectToHost(QHostAddress::LocalHost, relay->port());
    QTRY_COMPARE(relay->clientCount(), 1);
    RelayLink link;
    link.open(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_COMPARE(relay->clientCount(), 2);
    QTRY_COMPARE(link.state(), RelayLink::State::Connected);
    const QByteArray last(60 * 1024, 'x');
    QVERIFY(link.send(last));
    link.finish();
    QVERIFY(!link.send("too late"));
    // The relay reads it all, sees the end, closes: only then is the link Disconnected.
    QTRY_COMPARE(link.state(), RelayLink::State::Disconnected);
    QTRY_COMPARE(relay->clientCount(), 1);
    QTRY_COMPARE(peer.bytesAvailable(), last.size() + 1);
    QCOMPARE(peer.readAll(), last + '\n');
}

void tst_RelayLink::finishEndsAlsoWhenTheRelayTakesNothing()
{
    // A "relay" that accepts and never reads: what is queued never goes out.
    QTcpServer stuck;
    QVERIFY(stuck.listen(QHostAddress::LocalHost));
    RelayLink link;
    link.open(QStringLiteral("127.0.0.1"), stuck.serverPort());
    QTRY_COMPARE(link.state(), RelayLink::State::Connected);
    const QByteArray chunk(60 * 1024, 'x');
    for (int i = 0; i < 200; ++i) // 12 MB: more than the system's buffers take
        QVERIFY(link.send(chunk));
    link.finish();
    QTRY_COMPARE_WITH_TIMEOUT(link.state(), RelayLink::State::Disconnected, 10000);
}

QTEST_GUILESS_MAIN(tst_RelayLink)
#include "tst_relaylink.moc"
