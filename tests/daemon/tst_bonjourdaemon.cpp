// Black-box tests of the socketserver binary and Bonjour, against a real avahi-daemon on a
// private bus (avahidaemon.h): the relay announces itself with its TXT record as avahi-browse
// sees it, renames itself on a conflict and says so, is withdrawn when it stops, and serves as
// usual without avahi; --list-relays. The announcer's other cases are in tests/core/tst_bonjour.
#include "avahidaemon.h"
#include "testpeer.h"
#include "testprocess.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QTest>

namespace {

const QString kAnnounced = QStringLiteral("announced on the network as \"%1\" (Bonjour)");
const QString kNotAnnounced = QStringLiteral("not announced on the network: ");
// The relays' names carry this process's id: every avahi-daemon on lo sees every other's services.
const QString kGallery
    = QStringLiteral("Gallery 2 \u00b7 %1").arg(QCoreApplication::applicationPid());
const QString kLeaving
    = QStringLiteral("Leaving \u00b7 %1").arg(QCoreApplication::applicationPid());

// A running socketserver on a free port, stopped when the test ends.
class Relay : public TestProcess
{
public:
    // Starts socketserver --port 0 with args and waits for its start-up line; returns the port.
    quint16 start(const QStringList &args)
    {
        if (!TestProcess::start(QStringLiteral(SOCKETSERVER_BINARY),
                QStringList{QStringLiteral("--port"), "0"} + args))
            return 0;
        QRegularExpressionMatch match;
        if (!waitForOutput(
                QRegularExpression(QStringLiteral("listening on [^(]*(?:port |:)(\\d+)")), &match))
            return 0;
        return quint16(match.captured(1).toUInt());
    }
    bool waitFor(const QString &text)
    {
        return waitForOutput(QRegularExpression(QRegularExpression::escape(text)));
    }
    qsizetype count(const QString &text) { return output().count(text); }
};

// The service avahi-browse sees under @p name, if any.
std::optional<AvahiService> browsed(AvahiDaemon &avahi, const QString &name)
{
    const QList<AvahiService> services = avahi.browse();
    for (const AvahiService &service : services)
        if (service.name == name)
            return service;
    return std::nullopt;
}

} // namespace

class tst_BonjourDaemon : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void announcedWithItsTxtRecordAndListed();
    void nameInUseIsRenamedAndLogged();
    void stoppedRelayIsWithdrawn();
    void withoutBonjourItServesAndSaysSoOnce();

private:
    AvahiDaemon m_avahi;
};

void tst_BonjourDaemon::init()
{
    REQUIRE_AVAHI();
    QVERIFY2(m_avahi.start(), qPrintable(m_avahi.errorString()));
    m_avahi.useInThisProcess(); // the relays and --list-relays started by the test use it
}

void tst_BonjourDaemon::announcedWithItsTxtRecordAndListed()
{
    Relay relay;
    const quint16 port = relay.start(
        {"--bind", "any", "--name", kGallery, "--ws-port", "0", "--local", "tst-bonjour"});
    QVERIFY(port);
    QVERIFY2(relay.waitFor(kAnnounced.arg(kGallery)), qPrintable(relay.output()));
    const QRegularExpressionMatch web
        = QRegularExpression(QStringLiteral("ws://127\\.0\\.0\\.1:(\\d+)/")).match(relay.output());
    QVERIFY(web.hasMatch());

    std::optional<AvahiService> service;
    QTRY_VERIFY2((service = browsed(m_avahi, kGallery)), qPrintable(m_avahi.errorString()));
    QCOMPARE(service->port, port);
    QCOMPARE(service->address, QStringLiteral("127.0.0.1"));
    QCOMPARE(service->txtValue("version"), QStringLiteral(SOCKETSERVER_VERSION));
    QCOMPARE(service->txtValue("eol"), QStringLiteral("auto"));
    QCOMPARE(service->txtValue("ws"), web.captured(1));
    QCOMPARE(service->txtValue("local"), QStringLiteral("tst-bonjour"));

    // --list-relays finds it by its name and says where it is.
    const ProgramResult list = runToEnd(QStringLiteral(SOCKETSERVER_BINARY), {"--list-relays"});
    QCOMPARE(list.exitCode, 0);
    QVERIFY2(list.out.contains(QStringLiteral("%1 \u2014 127.0.0.1:%2").arg(kGallery).arg(port)),
        qPrintable(list.out));
    QVERIFY2(
        list.out.contains(QStringLiteral("web page http://127.0.0.1:%1/").arg(web.captured(1))),
        qPrintable(list.out));
    QVERIFY2(
        list.out.contains(QStringLiteral("version " SOCKETSERVER_VERSION)), qPrintable(list.out));
}

void tst_BonjourDaemon::nameInUseIsRenamedAndLogged()
{
    // A service of that name is on the network already (avahi-publish: another program).
    AvahiPublisher other;
    QVERIFY2(other.start(m_avahi, kGallery, 1), qPrintable(other.output()));
    Relay first;
    Relay second;
    const quint16 firstPort = first.start({"--bind", "any", "--name", kGallery});
    QVERIFY(firstPort);
    const QString renamed
        = QStringLiteral("the name \"%1\" is in use on the network: announced as \"%1 (2)\"")
              .arg(kGallery);
    QVERIFY2(first.waitFor(renamed), qPrintable(first.output()));
    const quint16 secondPort = second.start({"--bind", "any", "--name", kGallery});
    QVERIFY(secondPort);
    QVERIFY2(second.waitFor(QStringLiteral("announced as \"%1 (3)\"").arg(kGallery)),
        qPrintable(second.output()));

    std::optional<AvahiService> service;
    QTRY_VERIFY((service = browsed(m_avahi, kGallery + " (2)")));
    QCOMPARE(service->port, firstPort);
    QTRY_VERIFY((service = browsed(m_avahi, kGallery + " (3)")));
    QCOMPARE(service->port, secondPort);
    QCOMPARE(first.count("announced"), 1); // one line each
    QCOMPARE(second.count("announced"), 1);
}

void tst_BonjourDaemon::stoppedRelayIsWithdrawn()
{
    Relay relay;
    QVERIFY(relay.start({"--bind", "any", "--name", kLeaving}));
    QTRY_VERIFY(browsed(m_avahi, kLeaving));
    relay.process().terminate();
    QVERIFY(relay.process().waitForFinished(5000));
    QTRY_VERIFY(!browsed(m_avahi, kLeaving));

    const ProgramResult list = runToEnd(QStringLiteral(SOCKETSERVER_BINARY), {"--list-relays"});
    QCOMPARE(list.exitCode, 1);
    QVERIFY2(list.out.startsWith(QStringLiteral("No relay announces itself on this network")),
        qPrintable(list.out));
}

void tst_BonjourDaemon::withoutBonjourItServesAndSaysSoOnce()
{
    m_avahi.stop();
    qputenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/system_bus_socket");
    Relay relay;
    const quint16 port = relay.start({"--bind", "any"});
    QVERIFY(port);
    QVERIFY2(relay.waitFor(kNotAnnounced + QStringLiteral("the Bonjour service is not running")),
        qPrintable(relay.output()));

    TestPeer a;
    TestPeer b;
    QVERIFY(a.connectTo(QHostAddress::LocalHost, port));
    QVERIFY(b.connectTo(QHostAddress::LocalHost, port));
    a.send("still served\n");
    QTRY_COMPARE(b.received(), QByteArray("still served\n"));
    QCOMPARE(relay.count(kNotAnnounced), 1); // tst_bonjour checks that retries add no line

    const ProgramResult list = runToEnd(QStringLiteral(SOCKETSERVER_BINARY), {"--list-relays"});
    QCOMPARE(list.exitCode, 1);
    QVERIFY2(list.err.contains(QStringLiteral("cannot look for relays: the Bonjour service is "
                                              "not running")),
        qPrintable(list.err));
}

QTEST_GUILESS_MAIN(tst_BonjourDaemon)
#include "tst_bonjourdaemon.moc"
