// The panel's side of Bonjour: the settings form's network name and "Announce on the network",
// as PanelSettings stores them, and the relay's announcement in the window's status area, with a
// real avahi-daemon (AvahiDaemon, on a private bus: the test never talks to the machine's) and
// without one. Real widgets (offscreen).
#include "avahidaemon.h"
#include "bonjour.h"
#include "panelfixture.h"
#include "settingsform.h"
#include "testpeer.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

namespace {

const QString kGreen = QStringLiteral("#2e9d44");
const QString kAmber = QStringLiteral("#e0a526");
const QString kGrey = QStringLiteral("#9e9e9e");

// A name no other test on this machine announces (their avahi-daemons on lo see each other).
QString uniqueName(const QString &base)
{
    return QStringLiteral("%1 %2").arg(base).arg(QCoreApplication::applicationPid());
}

// The relay's settings for a panel that announces itself on loopback as @p name.
RelayConfig announcing(const QString &name)
{
    RelayConfig config;
    config.bind = RelayConfig::Bind::Any;
    config.port = 0;
    config.name = name;
    return config;
}

// Whether avahi-browse sees @p name (on @p port, unless 0) within 10 s (or, with @p seen false,
// stops seeing it).
bool browseShows(AvahiDaemon &avahi, const QString &name, quint16 port, bool seen = true)
{
    QDeadlineTimer deadline(10000);
    do {
        QTest::qWait(100); // the relay's own events (a request ended is released in the loop)
        const QList<AvahiService> services = avahi.browse();
        const bool found = std::any_of(services.cbegin(), services.cend(),
            [&](const AvahiService &s) { return s.name == name && (!port || s.port == port); });
        if (found == seen)
            return true;
    } while (!deadline.hasExpired());
    return false;
}

} // namespace

class tst_PanelBonjour : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void formShowsAndReturnsName();
    void badNameIsRefused_data();
    void badNameIsRefused();
    void settingsRoundTrip_data();
    void settingsRoundTrip();
    void settingsSurviveRestart();
    void localhostIsNotAnnounced();
    void announcedNameShownAndBrowsed();
    void takenNameShownRenamed();
    void reasonShownWithoutBonjourService();
    void announcedWhenBonjourServiceComesBack();

private:
    QString settingsFile() const { return m_dir->filePath(QStringLiteral("panel.ini")); }
    std::unique_ptr<Panel> openPanel(const RelayConfig &config);
    bool startAvahi();

    AvahiDaemon m_avahi;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_PanelBonjour::initTestCase()
{
    // Every DNS-SD call of this process goes to the fixture's bus, from the first: the D-Bus
    // library reads the bus's address once. Before the fixture starts, there is no Bonjour.
    m_avahi.useInThisProcess();
}

void tst_PanelBonjour::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_PanelBonjour::cleanup()
{
    m_dir.reset();
}

// A panel with @p config saved as its settings, shown on screen.
std::unique_ptr<Panel> tst_PanelBonjour::openPanel(const RelayConfig &config)
{
    {
        PanelSettings settings(settingsFile());
        settings.setRelayConfig(config);
        settings.sync();
    }
    auto panel = std::make_unique<Panel>(settingsFile());
    panel->window.show();
    return panel;
}

// The fixture's avahi-daemon, started unless it runs.
bool tst_PanelBonjour::startAvahi()
{
    return m_avahi.isRunning() || m_avahi.start();
}

// The form shows the name (the default as a hint when there is none) and the announcement, and
// gives both back; the name is greyed out while the relay is not to be announced.
void tst_PanelBonjour::formShowsAndReturnsName()
{
    SettingsForm form;
    form.setConfig(RelayConfig());
    auto *name = form.findChild<QLineEdit *>(QStringLiteral("name"));
    auto *announce = form.findChild<QCheckBox *>(QStringLiteral("announce"));
    QVERIFY(name && announce);
    QCOMPARE(name->text(), QString());
    QCOMPARE(name->placeholderText(), Bonjour::defaultName());
    QVERIFY(name->placeholderText().startsWith(QStringLiteral("SocketServer on ")));
    QVERIFY(announce->isChecked());
    QVERIFY(name->isEnabled());
    QString error = QStringLiteral("not set");
    RelayConfig config = form.config(&error);
    QCOMPARE(error, QString());
    QCOMPARE(config.name, QString()); // the default, whatever this machine is called then
    QVERIFY(config.announce);

    name->setText(QStringLiteral("  Gallery 2 "));
    config = form.config(&error);
    QCOMPARE(error, QString());
    QCOMPARE(config.name, QStringLiteral("Gallery 2"));
    name->setText(QStringLiteral("   ")); // nothing typed but spaces: the default
    QCOMPARE(form.config(&error).name, QString());
    QCOMPARE(error, QString());

    RelayConfig off;
    off.name = QStringLiteral("Gallery \"East\", 2");
    off.announce = false;
    form.setConfig(off);
    QCOMPARE(name->text(), off.name);
    QVERIFY(!announce->isChecked());
    QVERIFY(!name->isEnabled());
    config = form.config(&error);
    QCOMPARE(error, QString());
    QCOMPARE(config.name, off.name);
    QVERIFY(!config.announce);
    announce->click();
    QVERIFY(name->isEnabled());
    QVERIFY(form.config(&error).announce);

    // While the relay runs, both are greyed out; afterwards the name only when not announced.
    form.setRelaySettingsEnabled(false);
    QVERIFY(!name->isEnabled() && !announce->isEnabled());
    form.setRelaySettingsEnabled(true);
    QVERIFY(name->isEnabled() && announce->isEnabled());
    announce->click();
    form.setRelaySettingsEnabled(false);
    form.setRelaySettingsEnabled(true);
    QVERIFY(!name->isEnabled());
}

void tst_PanelBonjour::badNameIsRefused_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("error");
    const QString longName = QString(64, u'x');
    QTest::newRow("64 bytes")
        << longName
        << QStringLiteral("Network name: the name \"%1\" is longer than 63 bytes").arg(longName);
    // 32 two-byte letters: 32 characters, 64 bytes.
    const QString accented = QString(32, QChar(0xe9));
    QTest::newRow("64 bytes in UTF-8")
        << accented
        << QStringLiteral("Network name: the name \"%1\" is longer than 63 bytes").arg(accented);
    QTest::newRow("a tab") << "Gallery\t2"
                           << "Network name: the name \"Gallery\t2\" has a control character";
}

// A name Bonjour cannot take stops Start with one sentence naming the field, and nothing is
// saved.
void tst_PanelBonjour::badNameIsRefused()
{
    QFETCH(QString, name);
    QFETCH(QString, error);
    auto panel = openPanel(RelayConfig());
    panel->child<QSpinBox>("port")->setValue(0);
    panel->child<QLineEdit>("name")->setText(name);
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Stopped);
    auto *errorLabel = panel->child<QLabel>("error");
    QVERIFY(errorLabel->isVisible());
    QCOMPARE(errorLabel->text(), error);
    QSettings raw(settingsFile(), QSettings::IniFormat);
    QVERIFY(!raw.contains(QStringLiteral("name")));

    // Corrected, it starts.
    panel->child<QLineEdit>("name")->setText(QStringLiteral("Gallery 2"));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    QVERIFY(!errorLabel->isVisible());
    QCOMPARE(panel->controller.relay()->config().name, QStringLiteral("Gallery 2"));
}

void tst_PanelBonjour::settingsRoundTrip_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("announce");
    QTest::newRow("spaces") << "Gallery 2" << true;
    QTest::newRow("quotes and a comma") << "Gallery \"East\", 2" << true;
    QTest::newRow("a backslash and a semicolon") << "Room\\4; upstairs" << true;
    QTest::newRow("accents, not announced") << "Salle d'été (2)" << false;
    QTest::newRow("default name, not announced") << "" << false;
}

// PanelSettings keeps the name and the announcement under the daemon's option names ("name",
// "no-announce"), and reads them back.
void tst_PanelBonjour::settingsRoundTrip()
{
    QFETCH(QString, name);
    QFETCH(bool, announce);
    RelayConfig config;
    config.name = name;
    config.announce = announce;
    {
        PanelSettings settings(settingsFile());
        settings.setRelayConfig(config);
        settings.sync();
    }
    const RelayConfig read = PanelSettings(settingsFile()).relayConfig();
    QCOMPARE(read.name, name);
    QCOMPARE(read.announce, announce);
    QSettings raw(settingsFile(), QSettings::IniFormat);
    QCOMPARE(raw.contains(QStringLiteral("name")), !name.isEmpty());
    if (!name.isEmpty())
        QCOMPARE(raw.value(QStringLiteral("name")).toString(), name);
    QCOMPARE(raw.value(QStringLiteral("no-announce")).toString(),
        announce ? QStringLiteral("false") : QStringLiteral("true"));
}

// Typed into the window, saved when it closes, shown again when it opens.
void tst_PanelBonjour::settingsSurviveRestart()
{
    const QString typed = QStringLiteral("Gallery \"East\", 2");
    {
        auto panel = openPanel(RelayConfig());
        panel->child<QLineEdit>("name")->setText(typed);
        panel->child<QCheckBox>("announce")->click();
        QVERIFY(panel->window.close());
    }
    Panel reopened(settingsFile());
    QCOMPARE(reopened.settings.relayConfig().name, typed);
    QVERIFY(!reopened.settings.relayConfig().announce);
    QCOMPARE(reopened.child<QLineEdit>("name")->text(), typed);
    QVERIFY(!reopened.child<QCheckBox>("announce")->isChecked());
}

// A relay for this computer only is not announced, and the panel says why (grey: nothing is
// wrong); turned off in the settings, the panel says nothing about it.
void tst_PanelBonjour::localhostIsNotAnnounced()
{
    RelayConfig config;
    config.port = 0;
    auto panel = openPanel(config);
    auto *state = panel->child<QLabel>("announcementState");
    QVERIFY(!state->isVisible());
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    QVERIFY(state->isVisible());
    QCOMPARE(state->text(),
        QStringLiteral("Not announced on the network: the relay listens on this computer only"));
    auto *dot = panel->child<QLabel>("announcementDot");
    QVERIFY2(dot->styleSheet().contains(kGrey), qPrintable(dot->styleSheet()));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QTRY_COMPARE(panel->controller.state(), RelayController::State::Stopped);
    QVERIFY(!state->isVisible());

    panel->child<QCheckBox>("announce")->click();
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    QVERIFY(!state->isVisible());
}

// The relay on every interface with a name: "Announced as" it, green, and avahi-browse sees it
// on the relay's port with its version; stopped, the line goes and so does the service.
void tst_PanelBonjour::announcedNameShownAndBrowsed()
{
    REQUIRE_AVAHI();
    QVERIFY2(startAvahi(), qPrintable(m_avahi.errorString()));
    const QString name = uniqueName(QStringLiteral("Gallery 2"));
    auto panel = openPanel(announcing(name));
    auto *state = panel->child<QLabel>("announcementState");
    auto *dot = panel->child<QLabel>("announcementDot");
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    QVERIFY(state->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(
        state->text(), QStringLiteral("Announced as \"%1\"").arg(name), 10000);
    QVERIFY2(dot->styleSheet().contains(kGreen), qPrintable(dot->styleSheet()));
    const quint16 port = panel->controller.relay()->port();
    QVERIFY2(browseShows(m_avahi, name, port), qPrintable(m_avahi.errorString()));
    const QList<AvahiService> services = m_avahi.browse();
    const auto it = std::find_if(services.cbegin(), services.cend(),
        [&name](const AvahiService &service) { return service.name == name; });
    QVERIFY(it != services.cend());
    QCOMPARE(it->txtValue(QStringLiteral("version")), QStringLiteral(SOCKETSERVER_VERSION));

    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QTRY_COMPARE(panel->controller.state(), RelayController::State::Stopped);
    QVERIFY(!state->isVisible());
    QVERIFY2(browseShows(m_avahi, name, port, false), "still announced after Stop");
}

// Another relay has the name already: the panel's is announced as "NAME (2)", and the panel
// says so in amber (clients that look for NAME find the other one).
void tst_PanelBonjour::takenNameShownRenamed()
{
    REQUIRE_AVAHI();
    QVERIFY2(startAvahi(), qPrintable(m_avahi.errorString()));
    const QString name = uniqueName(QStringLiteral("Lobby"));
    AvahiPublisher other;
    QVERIFY2(other.start(m_avahi, name, 9), qPrintable(other.output()));
    auto panel = openPanel(announcing(name));
    const QString renamed = name + QStringLiteral(" (2)");
    QTest::ignoreMessage(QtWarningMsg,
        qPrintable(QStringLiteral("the name \"%1\" is in use on the network: announced as \"%2\" "
                                  "(Bonjour; --name chooses another)")
                       .arg(name, renamed)));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    auto *state = panel->child<QLabel>("announcementState");
    QTRY_COMPARE_WITH_TIMEOUT(state->text(),
        QStringLiteral("Announced as \"%1\": another relay on the network is called \"%2\"")
            .arg(renamed, name),
        10000);
    auto *dot = panel->child<QLabel>("announcementDot");
    QVERIFY2(dot->styleSheet().contains(kAmber), qPrintable(dot->styleSheet()));
    QVERIFY2(browseShows(m_avahi, renamed, panel->controller.relay()->port()),
        qPrintable(m_avahi.errorString()));
    QVERIFY(browseShows(m_avahi, name, 9)); // the other one keeps its name
}

// No Bonjour service on the machine (Linux without avahi-daemon): the panel says so in amber,
// and the relay serves as usual.
void tst_PanelBonjour::reasonShownWithoutBonjourService()
{
#ifndef Q_OS_LINUX
    QSKIP("Bonjour is the system's own here: the test cannot take it away");
#endif
    if (!Bonjour::isBuiltIn())
        QSKIP("this build has no Bonjour (SOCKETSERVER_BONJOUR=OFF)");
    m_avahi.stop(); // not even the bus
    auto panel = openPanel(announcing(uniqueName(QStringLiteral("Gallery 3"))));
    const QString reason
        = QStringLiteral("the Bonjour service is not running on this machine (on Linux: "
                         "avahi-daemon)");
    QTest::ignoreMessage(QtWarningMsg,
        qPrintable(QStringLiteral("not announced on the network: %1; trying again every 10 s")
                       .arg(reason)));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    auto *state = panel->child<QLabel>("announcementState");
    QTRY_COMPARE(state->text(), QStringLiteral("Not announced on the network: ") + reason);
    QVERIFY(state->isVisible());
    auto *dot = panel->child<QLabel>("announcementDot");
    QVERIFY2(dot->styleSheet().contains(kAmber), qPrintable(dot->styleSheet()));
    QVERIFY(panel->stateText().startsWith(QStringLiteral("Running")));

    TestPeer peer;
    QVERIFY(peer.connectTo(QHostAddress::LocalHost, panel->controller.relay()->port()));
    peer.send("hello\n");
    QTRY_COMPARE(peer.received(), QByteArray("hello\n"));
}

// avahi-daemon started after the relay: within the 10 s retry the relay is announced, and the
// panel says so.
void tst_PanelBonjour::announcedWhenBonjourServiceComesBack()
{
    REQUIRE_AVAHI();
    m_avahi.stop();
    const QString name = uniqueName(QStringLiteral("Gallery 4"));
    auto panel = openPanel(announcing(name));
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("^not announced on the network: ")));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    auto *state = panel->child<QLabel>("announcementState");
    QTRY_VERIFY(state->text().startsWith(QStringLiteral("Not announced on the network: ")));

    QVERIFY2(startAvahi(), qPrintable(m_avahi.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(
        state->text(), QStringLiteral("Announced as \"%1\"").arg(name), Bonjour::kRetryMs + 10000);
    auto *dot = panel->child<QLabel>("announcementDot");
    QVERIFY2(dot->styleSheet().contains(kGreen), qPrintable(dot->styleSheet()));
    QVERIFY2(browseShows(m_avahi, name, panel->controller.relay()->port()),
        qPrintable(m_avahi.errorString()));
}

QTEST_MAIN(tst_PanelBonjour)
#include "tst_panelbonjour.moc"
