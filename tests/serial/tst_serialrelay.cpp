// SerialRelay: a pseudo-terminal Arduino and a real relay on loopback: lines both ways without
// the board's own echo, the prefix filter, the queue while the relay is down, unplugging.
#include "fakearduino.h"
#include "relayserver.h"
#include "serialrelay.h"
#include "testpeer.h"

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// SerialRelay end to end: a pty Arduino, a SerialDevice, a RelayLink, a real RelayServer on
// loopback and a TCP peer that plays another exhibit program.
class tst_SerialRelay : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void linesBothWaysWithoutOwnEcho();
    void relayWithoutEcho();
    void echoOfALineTheRelayCutIsRecognised();
    void queueLargerThanEchoMemoryIsNotEchoed();
    void prefixFilter();
    void relayDownAndBackWithQueue();
    void withoutQueueLinesAreDroppedAndCounted();
    void unplugDropsRelayMessagesUntilReplug();

private:
    // Starts the relay (echo as asked), the Arduino, the device, the link and the peer.
    bool start(bool echo = true, const SerialRelay::Settings &settings = {});
    bool startRelay(quint16 port);

    QTemporaryDir m_dir;
    std::unique_ptr<RelayServer> m_relay;
    std::unique_ptr<FakeArduino> m_arduino;
    std::unique_ptr<SerialDevice> m_device;
    std::unique_ptr<RelayLink> m_link;
    std::unique_ptr<SerialRelay> m_serialRelay;
    std::unique_ptr<TestPeer> m_peer;
    bool m_echo = true;
};

void tst_SerialRelay::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QLoggingCategory::setFilterRules(
        QStringLiteral("socketserver.serial=false\nsocketserver.serial.*=false"));
}

void tst_SerialRelay::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_SerialRelay::cleanup()
{
    m_serialRelay.reset();
    m_peer.reset();
    m_link.reset();
    m_device.reset();
    m_arduino.reset();
    m_relay.reset();
}

bool tst_SerialRelay::startRelay(quint16 port)
{
    RelayConfig config;
    config.port = port;
    config.echo = m_echo;
    m_relay = std::make_unique<RelayServer>();
    return m_relay->start(config);
}

bool tst_SerialRelay::start(bool echo, const SerialRelay::Settings &settings)
{
    m_echo = echo;
    if (!startRelay(0))
        return false;
    const QString path = m_dir.filePath(QStringLiteral("arduino"));
    m_arduino = std::make_unique<FakeArduino>(path);
    if (!m_arduino->plugIn())
        return false;
    SerialDevice::Settings serial;
    serial.settleMs = 0;
    m_device = std::make_unique<SerialDevice>(DeviceMatch::path(path), serial);
    m_link = std::make_unique<RelayLink>();
    m_serialRelay = std::make_unique<SerialRelay>(m_device.get(), m_link.get(), settings);
    m_device->start();
    m_link->open(QStringLiteral("127.0.0.1"), m_relay->port());
    m_peer = std::make_unique<TestPeer>();
    return m_peer->connectTo(QHostAddress::LocalHost, m_relay->port()) && QTest::qWaitFor([this] {
        return m_relay->clientCount() == 2 && m_link->state() == RelayLink::State::Connected
            && m_device->state() == SerialDevice::State::Ready;
    });
}

void tst_SerialRelay::linesBothWaysWithoutOwnEcho()
{
    QVERIFY(start());
    QVERIFY(m_arduino->write("button,1\r\n"));
    QTRY_COMPARE(m_peer->received(), QByteArray("button,1\n"));
    m_peer->send("led,on\n");
    // The relay echoes button,1 to the serial relay before led,on: had it been written to the
    // board, the board would never have received exactly this.
    QTRY_COMPARE(m_arduino->received(), QByteArray("led,on\n"));
    QCOMPARE(m_serialRelay->echoesSkipped(), 1);
    QCOMPARE(m_serialRelay->pendingEchoes(), 0);

    // Another client may say what the board said: that is not an echo.
    m_peer->send("button,1\n");
    QTRY_COMPARE(m_arduino->received(), QByteArray("led,on\nbutton,1\n"));
}

void tst_SerialRelay::relayWithoutEcho()
{
    QVERIFY(start(false));
    QVERIFY(m_arduino->write("button,1\n"));
    QTRY_COMPARE(m_peer->received(), QByteArray("button,1\n"));
    m_peer->send("led,on\n");
    QTRY_COMPARE(m_arduino->received(), QByteArray("led,on\n"));
    QCOMPARE(m_serialRelay->echoesSkipped(), 0);
    QCOMPARE(m_serialRelay->pendingEchoes(), 1); // waits for an echo that never comes

    // What is remembered stays bounded however much the board says.
    QByteArray many;
    for (int i = 0; i < 3 * SerialRelay::kEchoMemory; ++i)
        many += "count," + QByteArray::number(i) + '\n';
    QVERIFY(m_arduino->write(many));
    QTRY_COMPARE(m_peer->received().count('\n'), 1 + 3 * SerialRelay::kEchoMemory);
    QCOMPARE(m_serialRelay->pendingEchoes(), SerialRelay::kEchoMemory);
    m_peer->send("led,off\n");
    QTRY_COMPARE(m_arduino->received(), QByteArray("led,on\nled,off\n"));
}

void tst_SerialRelay::echoOfALineTheRelayCutIsRecognised()
{
    QVERIFY(start());
    // NUL is data on the device side, but the relay's auto mode ends a message there: this
    // line comes back as two messages, and neither may reach the board, nor may the next.
    QVERIFY(m_arduino->write(QByteArray("a\0b\nok\n", 7)));
    QTRY_COMPARE(m_peer->received(), QByteArray("a\nb\nok\n"));
    m_peer->send("marker\n");
    QTRY_COMPARE(m_arduino->received(), QByteArray("marker\n"));
    QCOMPARE(m_serialRelay->echoesSkipped(), 3);
    QCOMPARE(m_serialRelay->pendingEchoes(), 0);
}

void tst_SerialRelay::queueLargerThanEchoMemoryIsNotEchoed()
{
    SerialRelay::Settings settings;
    settings.queueLimit = 2 * SerialRelay::kEchoMemory;
    QVERIFY(start(true, settings));
    const quint16 port = m_relay->port();
    m_peer.reset();
    m_relay.reset();
    QTRY_COMPARE(m_link->state(), RelayLink::State::WaitingToRetry);
    QByteArray lines;
    for (int i = 0; i < settings.queueLimit; ++i)
        lines += "q" + QByteArray::number(i) + '\n';
    QVERIFY(m_arduino->write(lines));
    QTRY_COMPARE(m_serialRelay->queued(), settings.queueLimit);

    QVERIFY(startRelay(port));
    QTRY_COMPARE_WITH_TIMEOUT(m_link->state(), RelayLink::State::Connected, 10000);
    m_peer = std::make_unique<TestPeer>();
    QVERIFY(m_peer->connectTo(QHostAddress::LocalHost, port));
    QTRY_COMPARE(m_relay->clientCount(), 2);
    QTRY_COMPARE(m_serialRelay->echoesSkipped(), settings.queueLimit);
    m_peer->send("marker\n");
    QTRY_COMPARE(m_arduino->received(), QByteArray("marker\n"));
}

void tst_SerialRelay::prefixFilter()
{
    SerialRelay::Settings settings;
    settings.prefix = "arduino1:";
    QVERIFY(start(true, settings));
    m_peer->send("arduino2:led,on\nkiosk:hello\narduino1:led,on\n");
    QTRY_COMPARE(m_arduino->received(), QByteArray("arduino1:led,on\n"));
    QCOMPARE(m_serialRelay->filtered(), 2);
    // The prefix filters what goes to the board only.
    QVERIFY(m_arduino->write("anything\n"));
    QTRY_COMPARE(m_peer->received().endsWith("anything\n"), true);
}

void tst_SerialRelay::relayDownAndBackWithQueue()
{
    SerialRelay::Settings settings;
    settings.queueLimit = 2;
    QVERIFY(start(true, settings));
    const quint16 port = m_relay->port();
    m_peer.reset();
    m_relay.reset();
    QTRY_COMPARE(m_link->state(), RelayLink::State::WaitingToRetry);

    QVERIFY(m_arduino->write("one\ntwo\nthree\n"));
    QTRY_COMPARE(m_serialRelay->queued(), 2);
    QCOMPARE(m_serialRelay->droppedFromDevice(), 1); // the oldest went

    QVERIFY(startRelay(port));
    m_relay->setTapEnabled(true);
    QList<QByteArray> relayed;
    connect(m_relay.get(), &RelayServer::messageTapped, this,
        [&relayed](const TappedMessage &message) { relayed.append(message.payload); });
    QTRY_COMPARE_WITH_TIMEOUT(m_link->state(), RelayLink::State::Connected, 10000);
    QTRY_COMPARE(relayed, QList<QByteArray>({"two", "three"}));
    QCOMPARE(m_serialRelay->queued(), 0);

    // Traffic flows again, and the queued lines' echoes were not written to the board.
    m_peer = std::make_unique<TestPeer>();
    QVERIFY(m_peer->connectTo(QHostAddress::LocalHost, port));
    QTRY_COMPARE(m_relay->clientCount(), 2);
    m_peer->send("led,on\n");
    QTRY_COMPARE(m_arduino->received(), QByteArray("led,on\n"));
    QVERIFY(m_arduino->write("four\n"));
    QTRY_COMPARE(m_peer->received(), QByteArray("led,on\nfour\n"));
}

void tst_SerialRelay::withoutQueueLinesAreDroppedAndCounted()
{
    QVERIFY(start());
    m_peer.reset();
    m_relay.reset();
    QTRY_COMPARE(m_link->state(), RelayLink::State::WaitingToRetry);
    QVERIFY(m_arduino->write("one\ntwo\nthree\n"));
    QTRY_COMPARE(m_serialRelay->droppedFromDevice(), 3);
    QCOMPARE(m_serialRelay->queued(), 0);
}

void tst_SerialRelay::unplugDropsRelayMessagesUntilReplug()
{
    QVERIFY(start());
    m_arduino->unplug();
    QTRY_COMPARE(m_device->state(), SerialDevice::State::WaitingForDevice);
    m_peer->send("lost\n");
    QTRY_COMPARE(m_serialRelay->droppedFromRelay(), 1);

    QVERIFY(m_arduino->plugIn());
    QTRY_COMPARE_WITH_TIMEOUT(m_device->state(), SerialDevice::State::Ready, 5000);
    QCOMPARE(m_link->state(), RelayLink::State::Connected); // the relay side never noticed
    m_peer->send("found\n");
    QTRY_COMPARE(m_arduino->received(), QByteArray("found\n"));
    QVERIFY(m_arduino->write("hello again\n"));
    QTRY_COMPARE(m_peer->received(), QByteArray("lost\nfound\nhello again\n"));
}

QTEST_MAIN(tst_SerialRelay)
#include "tst_serialrelay.moc"
