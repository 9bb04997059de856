// The test client finds relays by name with Bonjour, against a real avahi-daemon confined to
// lo (AvahiDaemon): socketserver-testclient --headless --find, the real binary started as a
// process, and the window's Host field listing the relays found (offscreen). The relays run in
// this process, announced through the fixture's daemon; other services come from avahi-publish.
#include "avahidaemon.h"
#include "connectionsession.h"
#include "connectiontab.h"
#include "headlessclient.h"
#include "mainwindow.h"
#include "relayserver.h"
#include "testpeer.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

constexpr int kTimeoutMs = 15000;
// --find's own wait, and then some: how long a client that gives up may take.
constexpr int kGiveUpMs = HeadlessClient::kFindWaitMs + 10000;

QtMessageHandler g_testHandler = nullptr;

// The offscreen platform cannot resize a window to its size hints (it says so whenever a dock
// changes them), nor raise a popup or give it the keyboard; that says nothing about the program.
// Every other message goes on to Qt Test, where failOnWarning() catches it.
void dropOffscreenNoise(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (message == QLatin1String("This plugin does not support propagateSizeHints()")
        || message == QLatin1String("This plugin does not support raise()")
        || message == QLatin1String("This plugin does not support grabbing the keyboard"))
        return;
    g_testHandler(type, context, message);
}

// socketserver-testclient as a process, on the fixture's bus. The relays run in this process,
// so nothing here blocks the event loop: waits are qWaitFor.
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

    void start(const QProcessEnvironment &environment, const QStringList &args)
    {
        QProcessEnvironment env = environment;
        env.remove(QStringLiteral("AVAHI_COMPAT_NOWARN")); // the program quiets avahi itself
        m_process.setProcessEnvironment(env);
        m_process.start(QStringLiteral(TESTCLIENT_BINARY), QStringList{"--headless"} + args);
    }
    bool waitForExit(int timeoutMs = kTimeoutMs)
    {
        return QTest::qWaitFor(
            [this] { return m_process.state() == QProcess::NotRunning; }, timeoutMs);
    }
    bool waitForOut(const QByteArray &text)
    {
        return QTest::qWaitFor([&] { return out().contains(text); }, kTimeoutMs);
    }
    bool waitForErr(const QByteArray &text)
    {
        return QTest::qWaitFor([&] { return err().contains(text); }, kTimeoutMs);
    }
    QByteArray out() { return m_out += m_process.readAllStandardOutput(); }
    QByteArray err() { return m_err += m_process.readAllStandardError(); }
    /// stderr's lines; each must match one of @p patterns (else a failure message).
    QString unexpectedErrLine(const QStringList &patterns)
    {
        for (const QByteArray &line : err().split('\n')) {
            if (line.isEmpty())
                continue;
            bool expected = false;
            for (const QString &pattern : patterns)
                expected = expected
                    || QRegularExpression(QLatin1Char('^') + pattern + QLatin1Char('$'))
                           .match(QString::fromUtf8(line))
                           .hasMatch();
            if (!expected)
                return QStringLiteral("unexpected on stderr: ") + QString::fromUtf8(line);
        }
        return QString();
    }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
};

// A service name unique to this run, "Gallery 2 · 4711": avahi fixtures of other suites run at
// the same time on lo would see our relays, and we theirs.
QString named(const char *name)
{
    return QStringLiteral("%1 \u00b7 %2")
        .arg(QLatin1String(name))
        .arg(QCoreApplication::applicationPid());
}

QString quoted(const QString &text)
{
    return QRegularExpression::escape(text);
}

} // namespace

class tst_FindRelay : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void findsByNameAndExchangesMessages();
    void findsTheOnlyRelay();
    void severalRelaysAndNoName();
    void unknownNameGivesUp();
    void retryFollowsTheRelayToItsNewAddress();
    void withoutBonjourSaysSoAndGivesUp();
    void windowListsFoundRelaysAndChoosingConnects();
    void windowWithoutBonjourStillConnects();

private:
    // Starts the fixture's avahi-daemon and points this process at it.
    bool startAvahi();
    // Starts a relay announced as @p name (on every interface, found at 127.0.0.1 on lo).
    std::unique_ptr<RelayServer> startRelay(const QString &name);
    std::unique_ptr<TestPeer> connectPeer(RelayServer &relay);

    QTemporaryDir m_dir;
    // One for the suite, started by each test that needs it: its bus keeps one address, which
    // this process's D-Bus library reads once.
    AvahiDaemon m_avahi;
};

void tst_FindRelay::initTestCase()
{
    QVERIFY(m_dir.isValid());
    g_testHandler = qInstallMessageHandler(dropOffscreenNoise);
    QSettings::setPath(
        QSettings::IniFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
}

void tst_FindRelay::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_FindRelay::cleanup()
{
    m_avahi.stop();
}

bool tst_FindRelay::startAvahi()
{
    m_avahi.useInThisProcess();
    if (!m_avahi.start()) {
        qWarning("%s", qPrintable(m_avahi.errorString()));
        return false;
    }
    return true;
}

std::unique_ptr<RelayServer> tst_FindRelay::startRelay(const QString &name)
{
    RelayConfig config;
    config.bind = RelayConfig::Bind::Any;
    config.port = 0;
    config.name = name;
    auto relay = std::make_unique<RelayServer>();
    if (!relay->start(config)
        || !QTest::qWaitFor(
            [&] { return relay->announcer().state() == RelayAnnouncer::State::Announced; },
            kTimeoutMs)) {
        qWarning("the relay \"%s\" was not announced: %s", qPrintable(name),
            qPrintable(relay->announcer().errorString()));
        return nullptr;
    }
    return relay;
}

std::unique_ptr<TestPeer> tst_FindRelay::connectPeer(RelayServer &relay)
{
    auto peer = std::make_unique<TestPeer>();
    const int before = relay.clientCount();
    if (!peer->connectTo(QHostAddress::LocalHost, relay.port())
        || !QTest::qWaitFor([&] { return relay.clientCount() == before + 1; }))
        qWarning("the peer could not connect");
    return peer;
}

void tst_FindRelay::findsByNameAndExchangesMessages()
{
    REQUIRE_AVAHI();
    QVERIFY(startAvahi());
    const QString name = named("Gallery 2");
    auto relay = startRelay(name);
    QVERIFY(relay);
    AvahiPublisher other; // another relay on the network, not the one asked for
    QVERIFY2(other.start(m_avahi, named("Gallery 3"), 9), qPrintable(other.output()));
    auto peer = connectPeer(*relay);

    Client listener;
    listener.start(m_avahi.environment(), {"--find", name, "--listen"});
    QTRY_COMPARE_WITH_TIMEOUT(relay->clientCount(), 2, kTimeoutMs);
    peer->send("hello from the exhibit\n");
    QVERIFY2(listener.waitForOut(" hello from the exhibit\n"), listener.err().constData());

    Client sender;
    sender.start(m_avahi.environment(), {"--find", name, "--send", "computer2:reset"});
    QVERIFY(sender.waitForExit());
    QVERIFY2(sender.process().exitCode() == 0, sender.err().constData());
    QTRY_COMPARE(peer->received(), QByteArray("hello from the exhibit\ncomputer2:reset\n"));
    QVERIFY(listener.waitForOut(" computer2:reset\n"));

    const QString found
        = QStringLiteral("found \"%1\" at 127.0.0.1 port %2").arg(name).arg(relay->port());
    QVERIFY(sender.err().endsWith((found + u'\n').toUtf8()));
    const QStringList expected{quoted(found),
        QStringLiteral("waiting up to \\d+ s: ")
            + quoted(QStringLiteral("no relay called \"%1\" on the network (yet)").arg(name))};
    QString unexpected = sender.unexpectedErrLine(expected);
    QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected));
    unexpected = listener.unexpectedErrLine(expected);
    QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected));
}

void tst_FindRelay::findsTheOnlyRelay()
{
    REQUIRE_AVAHI();
    QVERIFY(startAvahi());
    const QString name = named("Gallery 2");
    auto relay = startRelay(name);
    QVERIFY(relay);
    auto peer = connectPeer(*relay);

    Client sender;
    sender.start(m_avahi.environment(), {"--send", "ping", "--find"});
    QVERIFY(sender.waitForExit());
    QVERIFY2(sender.process().exitCode() == 0, sender.err().constData());
    QTRY_COMPARE(peer->received(), QByteArray("ping\n"));
    const QString unexpected = sender.unexpectedErrLine(
        {quoted(QStringLiteral("found \"%1\" at 127.0.0.1 port %2").arg(name).arg(relay->port())),
            QStringLiteral("waiting up to \\d+ s: (looking for relays on the network|no relay "
                           "announces itself on the network \\(yet\\))")});
    QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected));
}

void tst_FindRelay::severalRelaysAndNoName()
{
    REQUIRE_AVAHI();
    QVERIFY(startAvahi());
    auto relay = startRelay(named("Gallery 2"));
    QVERIFY(relay);
    AvahiPublisher other;
    QVERIFY2(other.start(m_avahi, named("Gallery 3"), 9), qPrintable(other.output()));

    Client client;
    client.start(m_avahi.environment(), {"--find", "--listen"});
    QVERIFY(client.waitForExit(kGiveUpMs));
    QCOMPARE(client.process().exitCode(), 1);
    const QString several
        = QStringLiteral("several relays announce themselves (\"%1\", \"%2\"): say which one")
              .arg(named("Gallery 2"), named("Gallery 3"));
    const QString unexpected = client.unexpectedErrLine(
        {QStringLiteral("waiting up to \\d+ s: (looking for relays on the network|no relay "
                        "announces itself on the network \\(yet\\))"),
            QStringLiteral("waiting up to \\d+ s: ") + quoted(several),
            QStringLiteral("socketserver-testclient: gave up after 10 s: ") + quoted(several)});
    QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected));
    QVERIFY2(
        QString::fromUtf8(client.err())
            .endsWith(
                QStringLiteral("socketserver-testclient: gave up after 10 s: %1\n").arg(several)),
        client.err().constData());
    QCOMPARE(relay->clientCount(), 0);
    QVERIFY(client.out().isEmpty());
}

void tst_FindRelay::unknownNameGivesUp()
{
    REQUIRE_AVAHI();
    QVERIFY(startAvahi());
    auto relay = startRelay(named("Gallery 2"));
    QVERIFY(relay);

    Client client;
    client.start(m_avahi.environment(), {"--find", named("Gallery 9"), "--send", "x"});
    QVERIFY(client.waitForExit(kGiveUpMs));
    QCOMPARE(client.process().exitCode(), 1);
    const QString missing
        = QStringLiteral("no relay called \"%1\" on the network (yet)").arg(named("Gallery 9"));
    QCOMPARE(QString::fromUtf8(client.err()),
        QStringLiteral("waiting up to 10 s: %1\nsocketserver-testclient: gave up after 10 s: %1\n")
            .arg(missing));
    QCOMPARE(relay->clientCount(), 0);
}

void tst_FindRelay::retryFollowsTheRelayToItsNewAddress()
{
    REQUIRE_AVAHI();
    QVERIFY(startAvahi());
    const QString name = named("Gallery 2");
    auto relay = startRelay(name);
    QVERIFY(relay);
    const quint16 firstPort = relay->port();

    Client client;
    client.start(m_avahi.environment(), {"--find", name, "--listen", "--retry"});
    QTRY_COMPARE_WITH_TIMEOUT(relay->clientCount(), 1, kTimeoutMs);
    const QByteArray missing
        = QStringLiteral("waiting: no relay called \"%1\" on the network (yet)\n")
              .arg(name)
              .toUtf8();
    const qsizetype missingBefore = client.err().count(missing); // said before it was found

    // The relay stops: gone from the network; then it is back on another port (as after a
    // restart on a new DHCP address).
    relay.reset();
    QVERIFY(client.waitForErr(QStringLiteral("lost the connection to \"%1\" at 127.0.0.1 port %2")
                                  .arg(name)
                                  .arg(firstPort)
                                  .toUtf8()));
    QVERIFY2(QTest::qWaitFor(
                 [&] { return client.err().count(missing) == missingBefore + 1; }, kTimeoutMs),
        client.err().constData());
    relay = startRelay(name);
    QVERIFY(relay);
    QVERIFY(relay->port() != firstPort);
    QVERIFY2(client.waitForErr(QStringLiteral("found \"%1\" at 127.0.0.1 port %2")
                                   .arg(name)
                                   .arg(relay->port())
                                   .toUtf8()),
        client.err().constData());
    QTRY_COMPARE_WITH_TIMEOUT(relay->clientCount(), 1, kTimeoutMs);
    auto peer = connectPeer(*relay);
    peer->send("after the move\n");
    QVERIFY(client.waitForOut(" after the move\n"));
    QCOMPARE(client.process().state(), QProcess::Running);
}

void tst_FindRelay::withoutBonjourSaysSoAndGivesUp()
{
#ifndef Q_OS_LINUX
    QSKIP("Bonjour is made unavailable by pointing avahi at a D-Bus bus that is not there");
#else
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SYSTEM_BUS_ADDRESS"),
        QStringLiteral("unix:path=") + m_dir.filePath(QStringLiteral("no-bus")));
    Client client;
    client.start(env, {"--find", "Gallery 2", "--listen"});
    QVERIFY(client.waitForExit(kGiveUpMs));
    QCOMPARE(client.process().exitCode(), 1);
    const QString reason = QStringLiteral("cannot look for relays: ")
        + (Bonjour::isBuiltIn()
                ? QStringLiteral("the Bonjour service is not running on this machine (on Linux: "
                                 "avahi-daemon)")
                : QStringLiteral("this build of SocketServer has no Bonjour"));
    QCOMPARE(QString::fromUtf8(client.err()),
        QStringLiteral("waiting up to 10 s: %1\nsocketserver-testclient: gave up after 10 s: %1\n")
            .arg(reason));
#endif
}

void tst_FindRelay::windowListsFoundRelaysAndChoosingConnects()
{
    REQUIRE_AVAHI();
    QVERIFY(startAvahi());
    const QString name = named("Gallery 2");
    auto relay = startRelay(name);
    QVERIFY(relay);

    MainWindow window;
    window.show();
    ConnectionTab *tab = window.currentTab();
    auto *host = tab->findChild<QComboBox *>(QStringLiteral("host"));
    QVERIFY(host);
    const QString typed = host->currentText(); // the last host, as the settings keep it
    const QString label = QStringLiteral("%1 \u2014 127.0.0.1:%2").arg(name).arg(relay->port());
    QTRY_COMPARE_WITH_TIMEOUT(host->findText(label), 0, kTimeoutMs);
    QCOMPARE(host->count(), 1);
    QCOMPARE(host->currentText(), typed); // listing it changed nothing typed
    QVERIFY2(host->toolTip().contains(QStringLiteral("choose a relay found on the network")),
        qPrintable(host->toolTip()));

    // A second tab lists it too, and another relay arriving shows in both.
    ConnectionTab *second = window.addConnection();
    auto *secondHost = second->findChild<QComboBox *>(QStringLiteral("host"));
    QCOMPARE(secondHost->itemText(0), label);
    AvahiPublisher other;
    QVERIFY2(other.start(m_avahi, named("Lobby"), 9), qPrintable(other.output()));
    QTRY_COMPARE_WITH_TIMEOUT(host->count(), 2, kTimeoutMs);
    QCOMPARE(host->itemText(1), named("Lobby") + QStringLiteral(" \u2014 127.0.0.1:9"));
    QCOMPARE(secondHost->count(), 2);
    other.stop();
    QTRY_COMPARE_WITH_TIMEOUT(host->count(), 1, kTimeoutMs);

    // Chosen with the mouse from the open list: host and port filled in, connected.
    QCOMPARE(window.currentTab(), second);
    secondHost->showPopup();
    QAbstractItemView *list = secondHost->view();
    QTRY_VERIFY(list->isVisible());
    const QRect item = list->visualRect(list->model()->index(0, 0));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, item.center());
    QTRY_VERIFY(!list->isVisible());
    QTRY_COMPARE(relay->clientCount(), 1);
    QTRY_COMPARE(second->session()->state(), RelayLink::State::Connected);
    QCOMPARE(secondHost->currentText(), QStringLiteral("127.0.0.1"));
    QCOMPARE(second->findChild<QSpinBox *>(QStringLiteral("port"))->value(), int(relay->port()));
    QCOMPARE(second->session()->title(), QStringLiteral("127.0.0.1:%1").arg(relay->port()));
    QCOMPARE(TestClientSettings().port(), relay->port()); // remembered as one typed would be
    QCOMPARE(host->currentText(), typed); // the other tab is left alone
    QCOMPARE(tab->session()->state(), RelayLink::State::Disconnected);

    // The relay goes: the list says there is none; what the tab connected to stays.
    relay.reset();
    QTRY_COMPARE_WITH_TIMEOUT(
        secondHost->itemText(0), QStringLiteral("No relay found on the network"), kTimeoutMs);
    QCOMPARE(secondHost->count(), 1);
    const auto *items = qobject_cast<QStandardItemModel *>(secondHost->model());
    QVERIFY(!items->item(0)->isEnabled());
    QCOMPARE(secondHost->currentText(), QStringLiteral("127.0.0.1"));
}

void tst_FindRelay::windowWithoutBonjourStillConnects()
{
    m_avahi.useInThisProcess(); // its bus, not started: no Bonjour here
    RelayConfig config;
    config.port = 0;
    RelayServer relay;
    QVERIFY(relay.start(config));

    MainWindow window;
    window.show();
    ConnectionTab *tab = window.currentTab();
    auto *host = tab->findChild<QComboBox *>(QStringLiteral("host"));
    QVERIFY(host);
    const QString note = QStringLiteral("Cannot list the relays on the network: ")
        + (Bonjour::isBuiltIn()
                ? QStringLiteral("the Bonjour service is not running on this machine (on Linux: "
                                 "avahi-daemon)")
                : QStringLiteral("this build of SocketServer has no Bonjour"));
    QCOMPARE(host->count(), 1);
    QCOMPARE(host->itemText(0), note);
    QVERIFY(!qobject_cast<QStandardItemModel *>(host->model())->item(0)->isEnabled());
    QVERIFY2(host->toolTip().endsWith(note), qPrintable(host->toolTip()));

    // Typed and connected as ever (keys go to the combo box, which hands them to its line).
    tab->findChild<QSpinBox *>(QStringLiteral("port"))->setValue(relay.port());
    host->lineEdit()->selectAll();
    QTest::keyClicks(host, QStringLiteral("127.0.0.1"));
    QTest::keyClick(host, Qt::Key_Return);
    QTRY_COMPARE(relay.clientCount(), 1);
    QVERIFY2(tab->session()->state() == RelayLink::State::Connected,
        qPrintable(tab->session()->statusText()));
    QCOMPARE(host->currentText(), QStringLiteral("127.0.0.1"));
}

QTEST_MAIN(tst_FindRelay)
#include "tst_findrelay.moc"
