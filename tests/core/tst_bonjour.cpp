// Bonjour (DNS-SD) against a real avahi-daemon on a private bus, confined to lo (AvahiDaemon):
// relays in this process announce _socketserver._tcp (or not), avahi-browse sees them with their
// TXT; RelayBrowser finds them and avahi-publish'ed services, sees them leave and come back; name
// conflicts with services on this "machine" and on a second daemon (another machine); no daemon
// at all, and the daemon stopped and restarted under an announced relay.
#include "avahidaemon.h"
#include "bonjour.h"
#include "categorylog.h"
#include "relayfixture.h"
#include "relayserver.h"

#include <QHostInfo>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <algorithm>
#include <optional>

namespace {

constexpr int kAnnounceMs = 15000; // avahi probes for about a second; browsing takes one more
constexpr int kRetriedMs = Bonjour::kRetryMs + kAnnounceMs; // after the next retry

// Every name carries this process's id, and only such services count: other test runs on this
// machine share lo's mDNS.
QString unique(const QString &name)
{
    return QStringLiteral("%1 (test %2)").arg(name).arg(QCoreApplication::applicationPid());
}
QString unique(const char *name)
{
    return unique(QString::fromUtf8(name));
}

template<typename T> QList<T> ours(const QList<T> &services)
{
    QList<T> list;
    for (const T &service : services)
        if (service.name.contains(unique("").trimmed()))
            list.append(service);
    return list;
}

// The service named @p name in @p services.
std::optional<AvahiService> named(const QList<AvahiService> &services, const QString &name)
{
    const auto found = std::find_if(services.begin(), services.end(),
        [&](const AvahiService &service) { return service.name == name; });
    if (found == services.end())
        return std::nullopt;
    return *found;
}

// For a failure message: the services as avahi-browse saw them, and the relay's log.
QString describe(const QList<AvahiService> &services)
{
    QStringList lines;
    for (const AvahiService &service : services)
        lines.append(QStringLiteral("'%1' %2 %3:%4 [%5]")
                         .arg(service.name, service.host, service.address)
                         .arg(service.port)
                         .arg(service.txt.join(u' ')));
    return QStringLiteral("avahi-browse saw %1 service(s):\n").arg(services.size())
        + lines.join(u'\n') + QStringLiteral("\nrelay log:\n") + CategoryLog::lines.join(u'\n');
}

// For a failure message: the relays a RelayBrowser lists.
QString describe(const RelayBrowser &browser)
{
    QStringList lines;
    for (const FoundRelay &relay : browser.relays())
        lines.append(
            QStringLiteral("'%1' %2 %3 v%4 eol %5 ws %6 local '%7'")
                .arg(relay.name, relay.hostName, relay.endpoint(), relay.version, relay.eol)
                .arg(relay.webSocketPort)
                .arg(relay.localName));
    return QStringLiteral("browser (available %1, '%2') lists:\n")
               .arg(browser.isAvailable())
               .arg(browser.errorString())
        + lines.join(u'\n');
}

RelayConfig anyConfig(const QString &name = QString())
{
    RelayConfig config;
    config.bind = RelayConfig::Bind::Any;
    config.port = 0;
    config.name = name;
    return config;
}

RelayAnnouncer::State announcement(RelayFixture &relay)
{
    return relay.relay().announcer().state();
}

QString describe(RelayFixture &relay)
{
    const RelayAnnouncer &announcer = relay.relay().announcer();
    return QStringLiteral("announcer: state %1, name '%2', error '%3'\nrelay log:\n%4")
        .arg(int(announcer.state()))
        .arg(announcer.name(), announcer.errorString(), CategoryLog::lines.join(u'\n'));
}

} // namespace

class tst_Bonjour : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void avahiToolsSeeAcrossTwoDaemons();
    void relayOnAnyIsAnnouncedWithItsTxt();
    void defaultNameAndNoOptionalTxt();
    void localhostAndNoAnnounceAnnounceNothing();
    void nameInUseOnThisMachineIsNumbered();
    void nameInUseOnAnotherMachineIsNumbered();
    void twoRelaysWithOneName();
    void stoppedRelayLeavesTheNetwork();
    void relayRestartedAtOnceKeepsItsName();
    void browserFindsRelaysAndFollowsThem();
    void browserKeepsARelayWhoseMachineHasAnotherAddress();
    void finderAloneLooksAgainOnceBonjourIsBack();
    void withoutBonjourTheRelayServesAndSaysSoOnce();
    void avahiRestartedUnderAnAnnouncedRelay();

private:
    AvahiDaemon m_avahi;
};

void tst_Bonjour::initTestCase()
{
    CategoryLog::install("socketserver.relay");
}

void tst_Bonjour::init()
{
    REQUIRE_AVAHI();
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    CategoryLog::lines.clear();
    QVERIFY2(m_avahi.start(), qPrintable(m_avahi.errorString()));
    m_avahi.useInThisProcess();
}

void tst_Bonjour::cleanup()
{
    m_avahi.stop();
}

// The fixture itself, on which every other test stands: a service published through a second
// daemon (another machine) is seen through the first, its name and TXT byte for byte (spaces,
// UTF-8, dots, backslashes, quotes and ';' escaped by avahi-browse on the way), and gone once
// its publisher is stopped.
void tst_Bonjour::avahiToolsSeeAcrossTwoDaemons()
{
    AvahiDaemon other;
    QVERIFY2(other.start(), qPrintable(other.errorString()));
    const QString name = unique("Salle \u00e9 (2) #3.x\\y;z");
    const QString value = QStringLiteral("a \"q\" b\\c;d \u00e9");
    AvahiPublisher publisher;
    QVERIFY2(publisher.start(other, name, 4243,
                 {QStringLiteral("name=") + value, QStringLiteral("flag"), QStringLiteral("ws=")}),
        qPrintable(publisher.output()));

    QList<AvahiService> seen;
    QTRY_VERIFY2_WITH_TIMEOUT(named(seen = ours(m_avahi.browse()), name),
        qPrintable(describe(seen) + m_avahi.errorString()), 10000);
    QCOMPARE(seen.size(), 1);
    const AvahiService service = seen.first();
    QCOMPARE(service.address, QStringLiteral("127.0.0.1"));
    QCOMPARE(service.host, AvahiDaemon::hostName() + QStringLiteral(".local"));
    QCOMPARE(service.port, quint16(4243));
    QCOMPARE(service.txt.size(), 3);
    QCOMPARE(service.txtValue(QStringLiteral("name")), value);
    QCOMPARE(service.txtValue(QStringLiteral("flag")), QStringLiteral(""));
    QVERIFY(!service.txtValue(QStringLiteral("flag")).isNull());
    QCOMPARE(service.txtValue(QStringLiteral("ws")), QStringLiteral(""));
    QVERIFY(service.txtValue(QStringLiteral("absent")).isNull());

    publisher.stop();
    QTRY_VERIFY2_WITH_TIMEOUT(
        (seen = ours(m_avahi.browse())).isEmpty(), qPrintable(describe(seen)), 10000);
}

// A relay listening on every interface, on a port the system picked, announces itself with that
// port and its TXT record: the version, its --eol, the WebSocket port and the local socket's name;
// and says so in its log.
void tst_Bonjour::relayOnAnyIsAnnouncedWithItsTxt()
{
    const QString name = unique("Gallery 2 \u00e9t\u00e9");
    RelayConfig config = anyConfig(name);
    config.webSocketEnabled = true;
    config.terminator = *Terminator::fromName(QStringLiteral("crlf"));
    config.localServerName
        = QStringLiteral("socketserver-bonjour-%1").arg(QCoreApplication::applicationPid());
    RelayFixture relay;
    QVERIFY2(relay.start(config, 1), qPrintable(relay.relay().errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(announcement(relay), RelayAnnouncer::State::Announced, kAnnounceMs);
    QCOMPARE(relay.relay().announcer().name(), name);

    QList<AvahiService> seen;
    QTRY_VERIFY2_WITH_TIMEOUT(
        named(seen = ours(m_avahi.browse()), name), qPrintable(describe(seen)), kAnnounceMs);
    const AvahiService service = *named(seen, name);
    QVERIFY2(seen.size() == 1, qPrintable(describe(seen)));
    QCOMPARE(service.address, QStringLiteral("127.0.0.1"));
    QCOMPARE(service.port, relay.relay().port());
    QVERIFY(relay.relay().port() != 0);
    QCOMPARE(service.txtValue(QStringLiteral("version")), QStringLiteral(SOCKETSERVER_VERSION));
    QCOMPARE(service.txtValue(QStringLiteral("eol")), QStringLiteral("crlf"));
    QCOMPARE(
        service.txtValue(QStringLiteral("ws")), QString::number(relay.relay().webSocketPort()));
    QVERIFY(relay.relay().webSocketPort() != 0);
    QCOMPARE(service.txtValue(QStringLiteral("local")), config.localServerName);
    QCOMPARE(service.txtValue(QStringLiteral("txtvers")), QStringLiteral("1"));
    QCOMPARE(CategoryLog::count(QStringLiteral("announced on the network as \"%1\"").arg(name)), 1);

    // Announced, it still relays.
    relay.peer(0).send("hello\r\n");
    QTRY_COMPARE(relay.peer(0).received(), QByteArray("hello\r\n"));
}

// Without --name the relay is "SocketServer on HOST"; without WebSockets or a local socket its
// TXT says nothing about them.
void tst_Bonjour::defaultNameAndNoOptionalTxt()
{
    const QString name
        = QStringLiteral("SocketServer on ") + QHostInfo::localHostName().section(u'.', 0, 0);
    QCOMPARE(Bonjour::defaultName(), name);
    RelayFixture relay;
    QVERIFY2(relay.start(anyConfig(), 0), qPrintable(relay.relay().errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(announcement(relay), RelayAnnouncer::State::Announced, kAnnounceMs);
    QCOMPARE(relay.relay().announcer().requestedName(), name);
    // Another test run on this machine may have the name first: then it is "NAME (2)".
    const QString announced = relay.relay().announcer().name();
    QVERIFY2(announced.startsWith(name), qPrintable(announced));
    QList<AvahiService> seen;
    QTRY_VERIFY2_WITH_TIMEOUT(
        named(seen = m_avahi.browse(), announced), qPrintable(describe(seen)), kAnnounceMs);
    const AvahiService service = *named(seen, announced);
    QCOMPARE(service.port, relay.relay().port());
    QCOMPARE(service.txtValue(QStringLiteral("eol")), QStringLiteral("auto"));
    QVERIFY2(service.txtValue(QStringLiteral("ws")).isNull(), qPrintable(service.txt.join(u' ')));
    QVERIFY2(
        service.txtValue(QStringLiteral("local")).isNull(), qPrintable(service.txt.join(u' ')));
}

// A relay for this machine only (localhost, or bound to 127.0.0.1) and one told not to announce
// (--no-announce) put nothing on the network, while a relay on every interface next to them is
// seen.
void tst_Bonjour::localhostAndNoAnnounceAnnounceNothing()
{
    RelayConfig localhost = anyConfig(unique("Localhost"));
    localhost.bind = RelayConfig::Bind::Localhost;
    RelayConfig loopback = anyConfig(unique("Loopback"));
    loopback.bind = RelayConfig::Bind::Address;
    loopback.address = QHostAddress::LocalHost;
    RelayConfig silent = anyConfig(unique("Silent"));
    silent.announce = false;
    RelayFixture relays[3];
    QVERIFY2(relays[0].start(localhost, 1), qPrintable(relays[0].relay().errorString()));
    QVERIFY2(relays[1].start(loopback, 1), qPrintable(relays[1].relay().errorString()));
    QVERIFY2(relays[2].start(silent, 1), qPrintable(relays[2].relay().errorString()));
    RelayFixture seenOne; // once this one is seen, the others would have been too
    QVERIFY2(
        seenOne.start(anyConfig(unique("Seen")), 0), qPrintable(seenOne.relay().errorString()));

    QList<AvahiService> seen;
    QTRY_VERIFY2_WITH_TIMEOUT(named(seen = ours(m_avahi.browse()), unique("Seen")),
        qPrintable(describe(seen)), kAnnounceMs);
    QTest::qWait(1000); // a late announcement would show meanwhile
    seen = ours(m_avahi.browse());
    QVERIFY2(seen.size() == 1, qPrintable(describe(seen)));
    for (RelayFixture &relay : relays) {
        QCOMPARE(announcement(relay), RelayAnnouncer::State::Off);
        QVERIFY(relay.relay().isListening());
    }
    QCOMPARE(CategoryLog::count(QStringLiteral("announced on the network")), 1); // "Seen"'s only
}

// The name is taken on this machine already (avahi-publish, another port): the relay takes
// "NAME (2)", says so once, and both are seen.
void tst_Bonjour::nameInUseOnThisMachineIsNumbered()
{
    const QString name = unique("Gallery 2");
    AvahiPublisher other;
    QVERIFY2(other.start(m_avahi, name, 1), qPrintable(other.output()));
    RelayFixture relay;
    QVERIFY2(relay.start(anyConfig(name), 0), qPrintable(relay.relay().errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(announcement(relay), RelayAnnouncer::State::Announced, kAnnounceMs);
    QCOMPARE(relay.relay().announcer().name(), unique("Gallery 2") + QStringLiteral(" (2)"));
    QCOMPARE(relay.relay().announcer().requestedName(), name);
    QCOMPARE(
        CategoryLog::count(QStringLiteral("the name \"%1\" is in use on the network: announced as "
                                          "\"%1 (2)\"")
                               .arg(name)),
        1);

    QList<AvahiService> seen;
    QTRY_VERIFY2_WITH_TIMEOUT(
        named(seen = ours(m_avahi.browse()), unique("Gallery 2") + QStringLiteral(" (2)"))
            && named(seen, name),
        qPrintable(describe(seen)), kAnnounceMs);
    QCOMPARE(named(seen, unique("Gallery 2") + QStringLiteral(" (2)"))->port, relay.relay().port());
    QCOMPARE(named(seen, name)->port, quint16(1));
}

// The name is taken on another machine (a second avahi-daemon on lo): avahi finds the conflict
// while probing, and the relay is numbered the same way, "NAME (2)", and says so.
void tst_Bonjour::nameInUseOnAnotherMachineIsNumbered()
{
    AvahiDaemon otherMachine;
    QVERIFY2(otherMachine.start(), qPrintable(otherMachine.errorString()));
    const QString name = unique("Gallery 2");
    AvahiPublisher other;
    QVERIFY2(other.start(otherMachine, name, 1), qPrintable(other.output()));
    QList<AvahiService> seen;
    QTRY_VERIFY2_WITH_TIMEOUT(
        named(seen = ours(m_avahi.browse()), name), qPrintable(describe(seen)), kAnnounceMs);

    RelayFixture relay;
    QVERIFY2(relay.start(anyConfig(name), 0), qPrintable(relay.relay().errorString()));
    // (Should this fail with the relay keeping the name and avahi-publish saying "Name
    // collision": avahi-daemon answered the relay's probes too late, a machine far too busy.)
    QTRY_VERIFY2_WITH_TIMEOUT(announcement(relay) == RelayAnnouncer::State::Announced
            && relay.relay().announcer().name() != name,
        qPrintable(describe(relay) + QStringLiteral("\navahi-publish: ") + other.output()),
        kAnnounceMs);
    QTRY_VERIFY2_WITH_TIMEOUT(
        named(seen = ours(otherMachine.browse()), relay.relay().announcer().name()),
        qPrintable(describe(seen)), kAnnounceMs);
    QCOMPARE(named(seen, relay.relay().announcer().name())->port, relay.relay().port());
    QCOMPARE(named(seen, name)->port, quint16(1));
    QCOMPARE(relay.relay().announcer().name(), unique("Gallery 2") + QStringLiteral(" (2)"));
    QCOMPARE(
        CategoryLog::count(QStringLiteral("the name \"%1\" is in use on the network: announced as "
                                          "\"%1 (2)\"")
                               .arg(name)),
        1);
    // Only those two: no name of avahi's own choice ("NAME #2") left on the network.
    QTRY_VERIFY2_WITH_TIMEOUT(
        (seen = ours(otherMachine.browse())).size() == 2, qPrintable(describe(seen)), kAnnounceMs);
}

// Two relays given one name: both are announced, under two names.
void tst_Bonjour::twoRelaysWithOneName()
{
    const QString name = unique("Gallery 2");
    RelayFixture a;
    RelayFixture b;
    QVERIFY2(a.start(anyConfig(name), 0), qPrintable(a.relay().errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(announcement(a), RelayAnnouncer::State::Announced, kAnnounceMs);
    QVERIFY2(b.start(anyConfig(name), 0), qPrintable(b.relay().errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(announcement(b), RelayAnnouncer::State::Announced, kAnnounceMs);
    QCOMPARE(a.relay().announcer().name(), name);
    QCOMPARE(b.relay().announcer().name(), unique("Gallery 2") + QStringLiteral(" (2)"));

    QList<AvahiService> seen;
    QTRY_VERIFY2_WITH_TIMEOUT(
        (seen = ours(m_avahi.browse())).size() == 2, qPrintable(describe(seen)), kAnnounceMs);
    QVERIFY2(named(seen, name) && named(seen, unique("Gallery 2") + QStringLiteral(" (2)")),
        qPrintable(describe(seen)));
    QCOMPARE(named(seen, name)->port, a.relay().port());
    QCOMPARE(named(seen, unique("Gallery 2") + QStringLiteral(" (2)"))->port, b.relay().port());
}

// A stopped relay takes its announcement off the network, and so does a deleted one.
void tst_Bonjour::stoppedRelayLeavesTheNetwork()
{
    RelayFixture stopped;
    RelayFixture deleted;
    QVERIFY2(
        stopped.start(anyConfig(unique("Stopped")), 0), qPrintable(stopped.relay().errorString()));
    QVERIFY2(
        deleted.start(anyConfig(unique("Deleted")), 0), qPrintable(deleted.relay().errorString()));
    QList<AvahiService> seen;
    QTRY_VERIFY2_WITH_TIMEOUT(
        (seen = ours(m_avahi.browse())).size() == 2, qPrintable(describe(seen)), kAnnounceMs);

    stopped.relay().stop();
    QCOMPARE(announcement(stopped), RelayAnnouncer::State::Off);
    deleted.reset();
    QTRY_VERIFY2_WITH_TIMEOUT(
        (seen = ours(m_avahi.browse())).isEmpty(), qPrintable(describe(seen)), kAnnounceMs);
}

// A relay stopped and started again at once (in one go, on a new port) keeps its name: its
// first announcement is withdrawn before the second asks for the name, which is not "in use".
void tst_Bonjour::relayRestartedAtOnceKeepsItsName()
{
    const QString name = unique("Restarted");
    RelayFixture relay;
    QVERIFY2(relay.start(anyConfig(name), 0), qPrintable(relay.relay().errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(announcement(relay), RelayAnnouncer::State::Announced, kAnnounceMs);
    relay.relay().stop();
    QVERIFY2(relay.relay().start(anyConfig(name)), qPrintable(relay.relay().errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(announcement(relay), RelayAnnouncer::State::Announced, kAnnounceMs);
    QVERIFY2(relay.relay().announcer().name() == name, qPrintable(describe(relay)));
    QCOMPARE(CategoryLog::count(QStringLiteral("is in use")), 0);
    QList<AvahiService> seen;
    QTRY_VERIFY2_WITH_TIMEOUT((seen = ours(m_avahi.browse())).size() == 1 && named(seen, name)
            && named(seen, name)->port == relay.relay().port(),
        qPrintable(describe(seen)), kAnnounceMs);
}

// RelayBrowser lists a relay of this process and a service published on another machine, with
// name, host, address, port and TXT; sees the relay leave, and come back on another port.
void tst_Bonjour::browserFindsRelaysAndFollowsThem()
{
    AvahiDaemon otherMachine;
    QVERIFY2(otherMachine.start(), qPrintable(otherMachine.errorString()));
    AvahiPublisher other;
    QVERIFY2(other.start(otherMachine, unique("Gallery 1"), 6790,
                 {QStringLiteral("version=9.9"), QStringLiteral("eol=nul"),
                     QStringLiteral("ws=6791"), QStringLiteral("local=gallery1")}),
        qPrintable(other.output()));
    RelayConfig config = anyConfig(unique("Gallery 2"));
    config.webSocketEnabled = true;
    auto relay = std::make_unique<RelayFixture>();
    QVERIFY2(relay->start(config, 0), qPrintable(relay->relay().errorString()));

    RelayBrowser browser;
    QSignalSpy changes(&browser, &RelayBrowser::relaysChanged);
    browser.start();
    QVERIFY2(browser.isAvailable(), qPrintable(browser.errorString()));
    QTRY_VERIFY2_WITH_TIMEOUT(
        ours(browser.relays()).size() == 2, qPrintable(describe(browser)), kAnnounceMs);
    const QList<FoundRelay> relays = ours(browser.relays());
    QCOMPARE(relays[0].name, unique("Gallery 1")); // sorted by name
    QCOMPARE(relays[1].name, unique("Gallery 2"));

    const FoundRelay gallery1 = *browser.relay(unique("Gallery 1"));
    QCOMPARE(gallery1.address, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(gallery1.hostName, AvahiDaemon::hostName() + QStringLiteral(".local."));
    QCOMPARE(gallery1.port, quint16(6790));
    QCOMPARE(gallery1.version, QStringLiteral("9.9"));
    QCOMPARE(gallery1.eol, QStringLiteral("nul"));
    QCOMPARE(gallery1.webSocketPort, quint16(6791));
    QCOMPARE(gallery1.localName, QStringLiteral("gallery1"));

    const quint16 oldPort = relay->relay().port();
    const FoundRelay gallery2 = *browser.relay(unique("Gallery 2"));
    QCOMPARE(gallery2.address, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(gallery2.port, oldPort);
    QCOMPARE(gallery2.version, QStringLiteral(SOCKETSERVER_VERSION));
    QCOMPARE(gallery2.eol, QStringLiteral("auto"));
    QCOMPARE(gallery2.webSocketPort, relay->relay().webSocketPort());
    QCOMPARE(gallery2.localName, QString());
    QCOMPARE(gallery2.endpoint(), QStringLiteral("127.0.0.1:%1").arg(oldPort));

    // It leaves...
    changes.clear();
    relay.reset();
    QTRY_VERIFY2_WITH_TIMEOUT(
        !browser.relay(unique("Gallery 2")), qPrintable(describe(browser)), kAnnounceMs);
    QVERIFY(changes.count() >= 1);
    QVERIFY(browser.relay(unique("Gallery 1")));

    // ... and comes back on another port (the old one held, so that it cannot be picked again).
    QTcpServer holder;
    QVERIFY2(holder.listen(QHostAddress::Any, oldPort), qPrintable(holder.errorString()));
    relay = std::make_unique<RelayFixture>();
    QVERIFY2(relay->start(config, 0), qPrintable(relay->relay().errorString()));
    QVERIFY(relay->relay().port() != oldPort);
    QTRY_VERIFY2_WITH_TIMEOUT(browser.relay(unique("Gallery 2"))
            && browser.relay(unique("Gallery 2"))->port == relay->relay().port(),
        qPrintable(describe(browser)), kAnnounceMs);
    QVERIFY2(browser.isAvailable(), qPrintable(browser.errorString()));
}

// A relay's machine with two addresses (cable and Wi-Fi) loses the one the relay is listed at:
// the relay stays listed, at the other one.
void tst_Bonjour::browserKeepsARelayWhoseMachineHasAnotherAddress()
{
    const QString host
        = QStringLiteral("two-addresses-%1.local").arg(QCoreApplication::applicationPid());
    AvahiPublisher cable;
    AvahiPublisher wifi;
    AvahiPublisher service;
    QVERIFY2(
        cable.startAddress(m_avahi, host, QStringLiteral("127.0.0.2")), qPrintable(cable.output()));
    QVERIFY2(
        wifi.startAddress(m_avahi, host, QStringLiteral("127.0.0.3")), qPrintable(wifi.output()));
    QVERIFY2(service.start(m_avahi, unique("Two addresses"), 6790, {},
                 QLatin1String(AvahiDaemon::kServiceType), host),
        qPrintable(service.output()));
    RelayBrowser browser;
    browser.start();
    QTRY_VERIFY2_WITH_TIMEOUT(
        browser.relay(unique("Two addresses")), qPrintable(describe(browser)), kAnnounceMs);
    const QHostAddress first = browser.relay(unique("Two addresses"))->address;
    const QHostAddress second(first == QHostAddress(QStringLiteral("127.0.0.2"))
            ? QStringLiteral("127.0.0.3")
            : QStringLiteral("127.0.0.2"));
    QVERIFY2(first == QHostAddress(QStringLiteral("127.0.0.2"))
            || first == QHostAddress(QStringLiteral("127.0.0.3")),
        qPrintable(describe(browser)));

    (first == QHostAddress(QStringLiteral("127.0.0.2")) ? cable : wifi).stop();
    QTRY_VERIFY2_WITH_TIMEOUT(browser.relay(unique("Two addresses"))
            && browser.relay(unique("Two addresses"))->address == second,
        qPrintable(describe(browser)), kAnnounceMs);
    QCOMPARE(browser.relay(unique("Two addresses"))->port, quint16(6790));
}

// RelayFinder with no name, started while Bonjour is away (a client started before avahi-daemon
// at boot), with two relays on the network: once Bonjour is back, it looks before it chooses,
// and says that there are several, instead of taking the first one it resolved.
void tst_Bonjour::finderAloneLooksAgainOnceBonjourIsBack()
{
    AvahiDaemon otherMachine;
    QVERIFY2(otherMachine.start(), qPrintable(otherMachine.errorString()));
    AvahiPublisher one;
    AvahiPublisher two;
    QVERIFY2(one.start(otherMachine, unique("Gallery 1"), 6790), qPrintable(one.output()));
    QVERIFY2(two.start(otherMachine, unique("Gallery 2"), 6791), qPrintable(two.output()));
    m_avahi.stopAvahi();

    RelayFinder finder(QString{});
    QSignalSpy found(&finder, &RelayFinder::found);
    finder.start();
    QVERIFY2(finder.problem().startsWith(QStringLiteral("cannot look for relays: ")),
        qPrintable(finder.problem()));
    QVERIFY2(m_avahi.startAvahi(), qPrintable(m_avahi.errorString()));
    QTRY_VERIFY2_WITH_TIMEOUT(
        finder.problem().startsWith(QStringLiteral("several relays announce themselves")),
        qPrintable(finder.problem() + QStringLiteral(", name '") + finder.name() + u'\''),
        kRetriedMs);
    QVERIFY2(finder.problem().contains(unique("Gallery 1"))
            && finder.problem().contains(unique("Gallery 2")),
        qPrintable(finder.problem()));
    QCOMPARE(found.count(), 0);
    QCOMPARE(finder.name(), QString());
}

// No Bonjour on this machine (no system bus, no avahi-daemon): the relay serves its clients as
// usual, says once that it is not announced, and keeps trying; the browser says it is not
// available. Once they are there (started late at boot), both carry on by themselves.
void tst_Bonjour::withoutBonjourTheRelayServesAndSaysSoOnce()
{
    m_avahi.stop(); // its bus's address stays: this process's libdbus has read it once for all
    RelayFixture relay;
    QVERIFY2(
        relay.start(anyConfig(unique("Gallery 2")), 1), qPrintable(relay.relay().errorString()));
    RelayBrowser browser;
    QSignalSpy availability(&browser, &RelayBrowser::availabilityChanged);
    browser.start();
    QVERIFY(!browser.isAvailable());
    QVERIFY(!browser.errorString().isEmpty());
    QTRY_COMPARE(announcement(relay), RelayAnnouncer::State::Unavailable);
    QVERIFY(!relay.relay().announcer().errorString().isEmpty());

    relay.peer(0).send("hello\n");
    QTRY_COMPARE(relay.peer(0).received(), QByteArray("hello\n"));

    // A retry comes and goes (the announcer's and the browser's); still one line.
    QTest::qWait(Bonjour::kRetryMs + 1000);
    QCOMPARE(CategoryLog::count(QStringLiteral("not announced on the network")), 1);
    QCOMPARE(announcement(relay), RelayAnnouncer::State::Unavailable);
    QVERIFY(!browser.isAvailable());

    QVERIFY2(m_avahi.start(), qPrintable(m_avahi.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(announcement(relay), RelayAnnouncer::State::Announced, kRetriedMs);
    QTRY_VERIFY2_WITH_TIMEOUT(
        browser.relay(unique("Gallery 2")), qPrintable(describe(browser)), kRetriedMs);
    QVERIFY(availability.count() >= 1);
    QVERIFY2(CategoryLog::count(
                 QStringLiteral("announced on the network as \"%1\"").arg(unique("Gallery 2")))
            == 1,
        qPrintable(describe(relay)));
    QCOMPARE(CategoryLog::count(QStringLiteral("not announced on the network")), 1);
}

// avahi-daemon stops under an announced relay (its goodbye takes the relay off the network), and
// starts again: the relay announces itself again by itself, and a browser finds it again.
void tst_Bonjour::avahiRestartedUnderAnAnnouncedRelay()
{
    AvahiDaemon otherMachine; // watches from the network, while this machine's avahi is away
    QVERIFY2(otherMachine.start(), qPrintable(otherMachine.errorString()));
    RelayFixture relay;
    QVERIFY2(
        relay.start(anyConfig(unique("Gallery 2")), 1), qPrintable(relay.relay().errorString()));
    RelayBrowser browser;
    browser.start();
    QList<AvahiService> seen;
    QTRY_VERIFY2_WITH_TIMEOUT(named(seen = ours(otherMachine.browse()), unique("Gallery 2")),
        qPrintable(describe(seen)), kAnnounceMs);
    QTRY_VERIFY2_WITH_TIMEOUT(
        browser.relay(unique("Gallery 2")), qPrintable(describe(browser)), kAnnounceMs);

    m_avahi.stopAvahi();
    QTRY_COMPARE_WITH_TIMEOUT(announcement(relay), RelayAnnouncer::State::Unavailable, kAnnounceMs);
    QTRY_VERIFY2_WITH_TIMEOUT(!browser.isAvailable(), qPrintable(describe(browser)), kAnnounceMs);
    QVERIFY(ours(browser.relays()).isEmpty());
    QTRY_VERIFY2_WITH_TIMEOUT(!named(seen = ours(otherMachine.browse()), unique("Gallery 2")),
        qPrintable(describe(seen)), kAnnounceMs);
    QCOMPARE(CategoryLog::count(QStringLiteral("not announced on the network")), 1);

    QVERIFY2(m_avahi.startAvahi(), qPrintable(m_avahi.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(announcement(relay), RelayAnnouncer::State::Announced, kRetriedMs);
    QCOMPARE(relay.relay().announcer().name(), unique("Gallery 2"));
    QTRY_VERIFY2_WITH_TIMEOUT(named(seen = ours(otherMachine.browse()), unique("Gallery 2")),
        qPrintable(describe(seen)), kAnnounceMs);
    QCOMPARE(named(seen, unique("Gallery 2"))->port, relay.relay().port());
    QTRY_VERIFY2_WITH_TIMEOUT(
        browser.relay(unique("Gallery 2")), qPrintable(describe(browser)), kRetriedMs);
    QCOMPARE(CategoryLog::count(
                 QStringLiteral("announced on the network as \"%1\"").arg(unique("Gallery 2"))),
        2);

    // Clients were served throughout.
    relay.peer(0).send("still here\n");
    QTRY_COMPARE(relay.peer(0).received(), QByteArray("still here\n"));
}

QTEST_GUILESS_MAIN(tst_Bonjour)
#include "tst_bonjour.moc"
