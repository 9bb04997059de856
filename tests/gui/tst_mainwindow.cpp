// The real panel window, driven like a technician would: real relay, real TCP clients, real
// widgets (offscreen). Settings live in a temporary INI file; questions and file dialogs are
// answered by the test.
#include "clientsmodel.h"
#include "expectedmodel.h"
#include "httpget.h"
#include "panelfixture.h"
#include "panellog.h"
#include "panelsettings.h"
#include "panelshutdown.h"
#include "settingsform.h"
#include "testpeer.h"
#include "trafficmodel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

// Takes the URLs the panel opens with QDesktopServices, instead of the desktop.
class UrlCatcher : public QObject
{
    Q_OBJECT

public:
    Q_INVOKABLE void open(const QUrl &url) { urls.append(url); }
    QList<QUrl> urls;
};

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void startShowsClientsAndCounters();
    void disconnectRemovesClient();
    void portInUseShowsError();
    void settingsSurviveRestart();
    void settingsThatNeedEachOtherKept();
    void exportedSettingsStartDaemon();
    void closeAsksWhileClientsConnected();
    void sendToAllAndTraffic();
    void terminationNeverAsks();
    void startOnOpenSavedAtOnce();
    void commandLineOverridesNotSaved();
    void missingAddressShownOnce();
    void clientsTableFitsDefaultSize();
    void waitingHintIsASentence();
    void expectedClientsEditedSavedAndWatched();
    void badExpectedClientIsRefused();
    void expectedStateTexts_data();
    void expectedStateTexts();
    void monitoringAddressesShown();
    void showLogFolder();

private:
    static void addExpected(Panel &panel, const QString &name, const QString &match);
    QString settingsFile() const { return m_dir->filePath(QStringLiteral("panel.ini")); }
    std::unique_ptr<Panel> openPanel(quint16 port = 0);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_MainWindow::initTestCase()
{
    // Open at login writes here, never into the real home.
    QVERIFY(qputenv("XDG_CONFIG_HOME", QDir::tempPath().toUtf8() + "/tst_mainwindow-xdg"));
}

void tst_MainWindow::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_MainWindow::cleanup()
{
    m_dir.reset();
}

// A panel whose port field says port (0: a free one), shown on screen.
std::unique_ptr<Panel> tst_MainWindow::openPanel(quint16 port)
{
    auto panel = std::make_unique<Panel>(settingsFile());
    panel->child<QSpinBox>("port")->setValue(port);
    panel->window.show();
    return panel;
}

void tst_MainWindow::startShowsClientsAndCounters()
{
    auto panel = openPanel();
    QAbstractItemModelTester clientsTester(
        panel->window.clientsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester trafficTester(
        panel->window.trafficModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(panel->stateText().startsWith(QStringLiteral("Stopped")));
    QPushButton *startStop = panel->child<QPushButton>("startStop");
    QCOMPARE(startStop->text(), QStringLiteral("Start"));

    QTest::mouseClick(startStop, Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    QCOMPARE(startStop->text(), QStringLiteral("Stop"));
    const quint16 port = panel->controller.relay()->port();
    QVERIFY(port != 0);
    QCOMPARE(panel->child<QLabel>("hint")->text(),
        QStringLiteral("Programs on this computer connect to localhost, port %1").arg(port));
    QVERIFY(!panel->child<QSpinBox>("port")->isEnabled()); // greyed while running

    TestPeer a, b, c;
    for (TestPeer *peer : {&a, &b, &c})
        QVERIFY(peer->connectTo(QHostAddress::LocalHost, port));
    auto *view = panel->child<QTableView>("clients");
    QTRY_COMPARE(view->model()->rowCount(), 3);
    QVERIFY(panel->stateText().contains(QStringLiteral("3 clients")));
    QCOMPARE(view->model()->index(2, ClientsModel::Port).data().toUInt(), c.socket().localPort());

    const auto messagesIn = [view](int row) {
        return view->model()->index(row, ClientsModel::MessagesIn).data().toString();
    };
    QCOMPARE(messagesIn(0), QStringLiteral("0"));
    a.send("one\ntwo\n");
    QTRY_COMPARE(messagesIn(0), QStringLiteral("2"));
    QTRY_COMPARE(
        view->model()->index(1, ClientsModel::MessagesOut).data().toString(), QStringLiteral("2"));

    QTest::mouseClick(startStop, Qt::LeftButton);
    QTRY_COMPARE(panel->controller.state(), RelayController::State::Stopped);
    QTRY_COMPARE(view->model()->rowCount(), 0);
    QCOMPARE(startStop->text(), QStringLiteral("Start"));
    QVERIFY(panel->child<QSpinBox>("port")->isEnabled());
}

void tst_MainWindow::disconnectRemovesClient()
{
    auto panel = openPanel();
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    const quint16 port = panel->controller.relay()->port();
    TestPeer a, b;
    QVERIFY(a.connectTo(QHostAddress::LocalHost, port));
    QVERIFY(b.connectTo(QHostAddress::LocalHost, port));
    auto *view = panel->child<QTableView>("clients");
    QTRY_COMPARE(view->model()->rowCount(), 2);
    auto *disconnect = panel->child<QPushButton>("disconnect");
    QVERIFY(!disconnect->isEnabled()); // nothing selected

    view->selectRow(0);
    QVERIFY(disconnect->isEnabled());
    QTest::mouseClick(disconnect, Qt::LeftButton);
    QTRY_COMPARE(a.socket().state(), QAbstractSocket::UnconnectedState);
    QTRY_COMPARE(view->model()->rowCount(), 1);
    QCOMPARE(view->model()->index(0, ClientsModel::Port).data().toUInt(), b.socket().localPort());
    QVERIFY(b.isConnected());
}

void tst_MainWindow::portInUseShowsError()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    auto panel = openPanel(occupier.serverPort());
    auto *error = panel->child<QLabel>("error");
    QVERIFY(!error->isVisible());

    // The panel's log says it too.
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(QStringLiteral("^cannot start: cannot listen on .*already in use")));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Stopped);
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QStringLiteral("already in use")), qPrintable(error->text()));
    QVERIFY(error->text().contains(QString::number(occupier.serverPort())));
    QVERIFY(panel->stateText().startsWith(QStringLiteral("Stopped")));

    // Another port: the error goes away.
    occupier.close();
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    QVERIFY(!error->isVisible());
}

void tst_MainWindow::settingsSurviveRestart()
{
    {
        auto panel = openPanel(4567);
        panel->child<QSpinBox>("maxClients")->setValue(12);
        panel->child<QComboBox>("eol")->setCurrentText(QStringLiteral("crlf"));
        panel->child<QCheckBox>("echo")->setChecked(false);
        panel->child<QSpinBox>("heartbeat")->setValue(7);
        panel->child<QLineEdit>("allow")->setText(QStringLiteral("127.0.0.0/8"));
        panel->child<QCheckBox>("startOnOpen")->setChecked(true);
        panel->child<QComboBox>("bind")->setCurrentIndex(1); // every interface
        QVERIFY(panel->window.close()); // saves the settings, as Start does
    }
    Panel reopened(settingsFile());
    QCOMPARE(reopened.child<QSpinBox>("port")->value(), 4567);
    QCOMPARE(reopened.child<QSpinBox>("maxClients")->value(), 12);
    QCOMPARE(reopened.child<QComboBox>("eol")->currentText(), QStringLiteral("crlf"));
    QVERIFY(!reopened.child<QCheckBox>("echo")->isChecked());
    QCOMPARE(reopened.child<QSpinBox>("heartbeat")->value(), 7);
    QCOMPARE(reopened.child<QLineEdit>("allow")->text(), QStringLiteral("127.0.0.0/8"));
    QVERIFY(reopened.child<QCheckBox>("startOnOpen")->isChecked());
    QCOMPARE(reopened.child<QComboBox>("bind")->currentIndex(), 1);
    const RelayConfig saved = reopened.settings.relayConfig();
    QCOMPARE(saved.bind, RelayConfig::Bind::Any);
    QCOMPARE(saved.port, 4567);
    QCOMPARE(saved.terminator.name(), QStringLiteral("crlf"));

    // Keys are the daemon's option names.
    QSettings raw(settingsFile(), QSettings::IniFormat);
    QCOMPARE(raw.value(QStringLiteral("port")).toString(), QStringLiteral("4567"));
    QCOMPARE(raw.value(QStringLiteral("max-clients")).toString(), QStringLiteral("12"));
    QCOMPARE(raw.value(QStringLiteral("no-echo")).toString(), QStringLiteral("true"));

    // A value edited by hand into nonsense falls back to its default, the rest stays.
    raw.setValue(QStringLiteral("max-clients"), QStringLiteral("lots"));
    raw.sync();
    PanelSettings edited(settingsFile());
    QCOMPARE(edited.relayConfig().maxClients, RelayConfig().maxClients);
    QCOMPARE(edited.relayConfig().port, 4567);
}

// A value that is right only beside another (a message longer than the default output budget,
// with a larger budget) is kept, however the storage orders them.
void tst_MainWindow::settingsThatNeedEachOtherKept()
{
    RelayConfig config;
    config.maxClientBuffer = 8 * 1024 * 1024;
    config.maxMessageBytes = 5 * 1024 * 1024; // over the default budget of 4 MiB
    {
        PanelSettings settings(settingsFile());
        settings.setRelayConfig(config);
        settings.sync();
    }
    const RelayConfig saved = PanelSettings(settingsFile()).relayConfig();
    QCOMPARE(saved.maxClientBuffer, config.maxClientBuffer);
    QCOMPARE(saved.maxMessageBytes, config.maxMessageBytes);
}

// The exported INI file starts the real daemon with the same settings.
void tst_MainWindow::exportedSettingsStartDaemon()
{
    auto panel = openPanel();
    panel->child<QSpinBox>("maxClients")->setValue(33);
    panel->child<QComboBox>("eol")->setCurrentText(QStringLiteral("nul"));
    panel->child<QCheckBox>("echo")->setChecked(false);
    panel->child<QSpinBox>("heartbeat")->setValue(9);
    // No longer than the output budget (4 MiB by default): the daemon would refuse that.
    panel->child<QSpinBox>("maxMessageBytes")->setValue(64 * 1024 * 1024);
    QCOMPARE(panel->child<QSpinBox>("maxMessageBytes")->value(), 4 * 1024 * 1024);
    panel->child<QSpinBox>("maxMessageBytes")->setValue(2000);
    panel->child<QSpinBox>("wsPort")->setValue(0); // on, any free port
    panel->child<QCheckBox>("flashPolicy")->setChecked(true);
    const QString path = m_dir->filePath(QStringLiteral("exported.ini"));
    panel->window.setFileChooser([&path](const QString &, const QString &) { return path; });
    QAction *exportAction = panel->window.findChild<QAction *>(QStringLiteral("exportSettings"));
    QVERIFY(exportAction);
    exportAction->trigger();
    QVERIFY(QFile::exists(path));

    QProcess daemon;
    daemon.setProcessChannelMode(QProcess::MergedChannels);
    daemon.start(QStringLiteral(SOCKETSERVER_BINARY),
        {QStringLiteral("--config"), path, QStringLiteral("--port"), QStringLiteral("0")});
    QVERIFY(daemon.waitForStarted(5000));
    QByteArray output;
    QTRY_VERIFY_WITH_TIMEOUT(
        (output += daemon.readAllStandardOutput()).contains("web pages connect to"), 10000);
    daemon.kill();
    daemon.waitForFinished(5000);
    const QString line = QString::fromUtf8(output);
    QVERIFY2(line.contains(QStringLiteral("eol nul, echo off, max 33 clients, max message 2000 "
                                          "bytes, heartbeat every 9 s, Flash policy")),
        qPrintable(line));
    QVERIFY2(
        line.contains(QStringLiteral("web pages connect to ws://127.0.0.1:")), qPrintable(line));
    QVERIFY2(line.contains(QStringLiteral("127.0.0.1:")), qPrintable(line));
}

void tst_MainWindow::closeAsksWhileClientsConnected()
{
    auto panel = openPanel();
    QVERIFY(panel->window.close()); // stopped: no question
    QVERIFY(panel->questions.isEmpty());
    panel->window.show();
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QVERIFY(panel->window.close()); // running without clients: no question either
    QVERIFY(panel->questions.isEmpty());

    panel->window.show();
    TestPeer peer;
    QVERIFY(peer.connectTo(QHostAddress::LocalHost, panel->controller.relay()->port()));
    QTRY_COMPARE(panel->controller.relay()->clientCount(), 1);
    panel->answer = false;
    QVERIFY(!panel->window.close());
    QCOMPARE(panel->questions.size(), 1);
    QVERIFY(panel->questions.first().contains(QStringLiteral("1 client")));
    QVERIFY(panel->window.isVisible());
    panel->answer = true;
    QVERIFY(panel->window.close());
    QCOMPARE(panel->questions.size(), 2);
}

// The send line reaches every client; the traffic log shows it and can be saved.
void tst_MainWindow::sendToAllAndTraffic()
{
    auto panel = openPanel();
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    TestPeer peer;
    QVERIFY(peer.connectTo(QHostAddress::LocalHost, panel->controller.relay()->port()));
    QTRY_COMPARE(panel->controller.relay()->clientCount(), 1);
    auto *line = panel->child<QLineEdit>("sendLine");
    QTest::keyClicks(line, QStringLiteral("lights off"));
    QTest::mouseClick(panel->child<QPushButton>("send"), Qt::LeftButton);
    QTRY_COMPARE(peer.received(), QByteArray("lights off\n"));
    QCOMPARE(line->text(), QString());

    peer.send("visitor 1\n");
    auto *traffic = panel->child<QTableView>("traffic");
    QTRY_COMPARE(traffic->model()->rowCount(), 3); // connected, lights off, visitor 1
    QTest::keyClicks(panel->child<QLineEdit>("filter"), QStringLiteral("visitor"));
    QCOMPARE(traffic->model()->rowCount(), 1);
    QCOMPARE(traffic->model()->index(0, TrafficModel::Message).data().toString(),
        QStringLiteral("visitor 1"));

    const QString path = m_dir->filePath(QStringLiteral("traffic.txt"));
    panel->window.setFileChooser([&path](const QString &, const QString &) { return path; });
    QTest::mouseClick(panel->child<QPushButton>("save"), Qt::LeftButton);
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const QByteArray text = saved.readAll();
    QCOMPARE(text.count('\n'), 3); // the whole log, not only what the filter shows
    QVERIFY(text.contains("\trelay\tlights off\n"));

    QTest::mouseClick(panel->child<QPushButton>("clear"), Qt::LeftButton);
    QCOMPARE(panel->window.trafficModel()->rowCount(), 0);
}

// SIGTERM (a kiosk shutting down) with clients connected: no question, the settings are saved,
// the clients are closed, and the panel may exit.
void tst_MainWindow::terminationNeverAsks()
{
    auto panel = openPanel();
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    TestPeer peer;
    QVERIFY(peer.connectTo(QHostAddress::LocalHost, panel->controller.relay()->port()));
    QTRY_COMPARE(panel->controller.relay()->clientCount(), 1);
    panel->child<QSpinBox>("maxClients")->setValue(21);
    panel->answer = false; // were it asked, it would stay open

    PanelShutdown shutdown(&panel->controller, 60000);
    shutdown.setSaveSettings([&panel] { panel->window.saveSettings(); });
    QSignalSpy finished(&shutdown, &PanelShutdown::finished);
    shutdown.terminate();
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(panel->controller.state(), RelayController::State::Stopped);
    QTRY_COMPARE(peer.socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(panel->questions.isEmpty());
    QCOMPARE(PanelSettings(settingsFile()).relayConfig().maxClients, 21);
}

// A kiosk is switched off at the mains: the tick must already be on disk.
void tst_MainWindow::startOnOpenSavedAtOnce()
{
    auto panel = openPanel();
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    QVERIFY(!PanelSettings(settingsFile()).startOnOpen());
    panel->child<QCheckBox>("startOnOpen")->setChecked(true);
    QVERIFY(PanelSettings(settingsFile()).startOnOpen());
    panel->child<QCheckBox>("startOnOpen")->setChecked(false);
    QVERIFY(!PanelSettings(settingsFile()).startOnOpen());
}

// --port and --bind are for this run only, even when another setting is changed and saved.
void tst_MainWindow::commandLineOverridesNotSaved()
{
    RelayConfig saved;
    saved.port = 4567;
    saved.bind = RelayConfig::Bind::Localhost;
    saved.maxClients = 5;
    // It serves on every interface below: not announced (only tst_panelbonjour announces, and
    // only to its own avahi-daemon).
    saved.announce = false;
    {
        PanelSettings settings(settingsFile());
        settings.setRelayConfig(saved);
        settings.sync();
    }
    {
        Panel panel(settingsFile());
        RelayConfig forThisRun = saved;
        forThisRun.port = 0;
        forThisRun.bind = RelayConfig::Bind::Any;
        panel.window.useForThisRun(forThisRun);
        QCOMPARE(panel.child<QSpinBox>("port")->value(), 0);
        panel.child<QSpinBox>("maxClients")->setValue(12); // an edit: the settings get saved
        QTest::mouseClick(panel.child<QPushButton>("startStop"), Qt::LeftButton);
        QCOMPARE(panel.controller.state(), RelayController::State::Running);
        QCOMPARE(panel.controller.relay()->config().bind, RelayConfig::Bind::Any);
        QVERIFY(panel.window.close());
    }
    RelayConfig result = PanelSettings(settingsFile()).relayConfig();
    QCOMPARE(result.maxClients, 12);
    QCOMPARE(result.port, 4567);
    QCOMPARE(result.bind, RelayConfig::Bind::Localhost);

    // A field changed away from the command line's value is the technician's: saved.
    {
        Panel panel(settingsFile());
        RelayConfig forThisRun = result;
        forThisRun.port = 0;
        panel.window.useForThisRun(forThisRun);
        panel.child<QSpinBox>("port")->setValue(5555);
        QVERIFY(panel.window.close());
    }
    result = PanelSettings(settingsFile()).relayConfig();
    QCOMPARE(result.port, 5555);
    QCOMPARE(result.maxClients, 12);
}

// An address that is not on this computer is listed once, however often the form is filled.
void tst_MainWindow::missingAddressShownOnce()
{
    SettingsForm form;
    auto *bind = form.findChild<QComboBox *>(QStringLiteral("bind"));
    QVERIFY(bind);
    const int available = bind->count();
    RelayConfig config;
    config.bind = RelayConfig::Bind::Address;
    config.address = QHostAddress(QStringLiteral("192.0.2.7")); // TEST-NET-1: never local
    form.setConfig(config);
    form.setConfig(config);
    QCOMPARE(bind->count(), available + 1);
    QVERIFY(bind->currentText().startsWith(QStringLiteral("192.0.2.7 ")));
    config.address = QHostAddress(QStringLiteral("192.0.2.8"));
    form.setConfig(config);
    QCOMPARE(bind->count(), available + 1);
    QVERIFY(bind->currentText().startsWith(QStringLiteral("192.0.2.8 ")));
    QCOMPARE(form.config(nullptr).address, config.address);
    form.setConfig(RelayConfig()); // localhost: on every computer
    QCOMPARE(bind->count(), available);
    QCOMPARE(form.config(nullptr).bind, RelayConfig::Bind::Localhost);
}

// At the window's default size every column of the clients table is visible, without scrolling.
void tst_MainWindow::clientsTableFitsDefaultSize()
{
    auto panel = openPanel();
    QCOMPARE(panel->window.size(), QSize(1100, 680));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    TestPeer a, b;
    QVERIFY(a.connectTo(QHostAddress::LocalHost, panel->controller.relay()->port()));
    QVERIFY(b.connectTo(QHostAddress::LocalHost, panel->controller.relay()->port()));
    auto *view = panel->child<QTableView>("clients");
    QTRY_COMPARE(view->model()->rowCount(), 2);
    a.send(QByteArray(2000, 'x') + '\n');
    const QModelIndex bytesIn = view->model()->index(0, ClientsModel::BytesIn);
    QTRY_VERIFY2(bytesIn.data().toString().contains(QStringLiteral("kb"), Qt::CaseInsensitive),
        qPrintable(bytesIn.data().toString()));
    QHeaderView *header = view->horizontalHeader();
    const int last = ClientsModel::LastActivity;
    QTRY_VERIFY2(header->sectionViewportPosition(last) + header->sectionSize(last)
            <= view->viewport()->width(),
        qPrintable(QStringLiteral("%1 + %2 > %3")
                       .arg(header->sectionViewportPosition(last))
                       .arg(header->sectionSize(last))
                       .arg(view->viewport()->width())));
    QCOMPARE(view->horizontalScrollBar()->maximum(), 0);
    // Each column shows its header and its values whole.
    for (int column = 0; column < ClientsModel::ColumnCount; ++column) {
        const QString text = view->model()->index(0, column).data().toString();
        QVERIFY2(header->sectionSize(column) > view->fontMetrics().horizontalAdvance(text),
            qPrintable(text));
    }
}

// A relay waiting for its address says so in a sentence, not with the option's word.
void tst_MainWindow::waitingHintIsASentence()
{
    Panel panel(settingsFile());
    RelayConfig config;
    config.bind = RelayConfig::Bind::Address;
    config.address = QHostAddress(QStringLiteral("192.0.2.7")); // TEST-NET-1: never local
    config.port = 0;
    panel.window.useForThisRun(config);
    panel.window.show();
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(QStringLiteral("^cannot listen on 192\\.0\\.2\\.7:0: .*waiting")));
    QTest::mouseClick(panel.child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel.controller.state(), RelayController::State::Waiting);
    QCOMPARE(panel.child<QLabel>("hint")->text(),
        QStringLiteral("Waiting for the address 192.0.2.7 to appear on this computer (is the "
                       "network up?)…"));
}

// Help > Show Log Folder opens the folder of the panel's log, made if it is not there yet.
void tst_MainWindow::showLogFolder()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QByteArray realHome = qgetenv("HOME");
    const QByteArray realData = qgetenv("XDG_DATA_HOME");
    const auto restore = qScopeGuard([&] {
        qputenv("HOME", realHome);
        if (realData.isEmpty())
            qunsetenv("XDG_DATA_HOME");
        else
            qputenv("XDG_DATA_HOME", realData);
    });
    qputenv("HOME", home.path().toUtf8());
    qunsetenv("XDG_DATA_HOME");
    UrlCatcher desktop;
    QDesktopServices::setUrlHandler(QStringLiteral("file"), &desktop, "open");
    const auto unset
        = qScopeGuard([] { QDesktopServices::unsetUrlHandler(QStringLiteral("file")); });

    auto panel = openPanel();
    auto *action = panel->window.findChild<QAction *>(QStringLiteral("showLogFolder"));
    QVERIFY(action);
    const QString folder = PanelLog::folder();
    QVERIFY2(folder.startsWith(home.path() + u'/'), qPrintable(folder));
    QVERIFY(!QFileInfo::exists(folder));
    action->trigger();
    QCOMPARE(desktop.urls, QList<QUrl>{QUrl::fromLocalFile(folder)});
    QVERIFY(QFileInfo(folder).isDir());
}

// Fills a new row of the expected clients' editor, as typing would.
void tst_MainWindow::addExpected(Panel &panel, const QString &name, const QString &match)
{
    auto *editor = panel.child<QTableWidget>("expectedEditor");
    QTest::mouseClick(panel.child<QPushButton>("addExpected"), Qt::LeftButton);
    const int row = editor->rowCount() - 1;
    editor->item(row, 0)->setText(name);
    editor->item(row, 1)->setText(match);
}

// The technician lists two kiosks: one connects (from 127.0.0.1), the other (127.0.0.2)
// never does. The table says so, red; the clients table shows the present one by name; the
// list, the times and the alarm message are saved.
void tst_MainWindow::expectedClientsEditedSavedAndWatched()
{
    {
        auto panel = openPanel();
        panel->window.resize(1000, 760); // narrower than the clients table wants
        auto *box = panel->child<QWidget>("expectedBox");
        QVERIFY(!box->isVisible()); // nothing expected, nothing shown
        addExpected(*panel, QStringLiteral("here"), QStringLiteral("127.0.0.1"));
        addExpected(*panel, QStringLiteral("gone"), QStringLiteral("127.0.0.2"));
        addExpected(*panel, QString(), QString()); // an empty row is no expectation
        panel->child<QSpinBox>("expectGrace")->setValue(0);
        panel->child<QSpinBox>("expectSilence")->setValue(3600);
        panel->child<QLineEdit>("alarmMessage")->setText(QStringLiteral("alarm:{name}:{state}"));
        QAbstractItemModelTester tester(
            panel->window.expectedModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);

        TestPeer watcher;
        QTest::ignoreMessage(QtWarningMsg,
            QRegularExpression(QStringLiteral("^expected client gone \\(127\\.0\\.0\\.2\\) "
                                              "missing since ")));
        QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
        QCOMPARE(panel->controller.state(), RelayController::State::Running);
        QVERIFY(box->isVisible());
        auto *view = panel->child<QTableView>("expected");
        QCOMPARE(view->model()->rowCount(), 2);
        QCOMPARE(view->model()->index(1, ExpectedModel::Match).data().toString(),
            QStringLiteral("127.0.0.2"));

        QVERIFY(watcher.connectTo(QHostAddress::LocalHost, panel->controller.relay()->port()));
        QTRY_COMPARE(view->model()->index(0, ExpectedModel::State).data().toString(),
            QStringLiteral("present"));
        QCOMPARE(view->model()->index(0, ExpectedModel::Client).data().toString(),
            QStringLiteral("127.0.0.1"));
        const QModelIndex gone = view->model()->index(1, ExpectedModel::State);
        QTRY_VERIFY(gone.data().toString().startsWith(QStringLiteral("missing for ")));
        QCOMPARE(gone.data(Qt::ForegroundRole).value<QBrush>().color(), QColor(0xc6, 0x28, 0x28));
        QTRY_COMPARE(watcher.received(), QByteArray("alarm:gone:missing\n"));
        auto *clients = panel->child<QTableView>("clients");
        QCOMPARE(clients->model()->index(0, ClientsModel::Address).data().toString(),
            QStringLiteral("here (127.0.0.1)"));
        // Columns as wide as what they show once it has grown (a name, "missing for ..."):
        // their headers alone measured only when the table's layout changed, and cut them.
        const QFontMetrics metrics(clients->font());
        QTRY_VERIFY(clients->columnWidth(ClientsModel::Address)
            >= metrics.horizontalAdvance(QStringLiteral("here (127.0.0.1)")));
        QTRY_VERIFY(view->columnWidth(ExpectedModel::State)
            >= metrics.horizontalAdvance(gone.data().toString()));

        QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
        QTRY_COMPARE(panel->controller.state(), RelayController::State::Stopped);
        QTRY_VERIFY(!box->isVisible());
    }
    const RelayConfig saved = PanelSettings(settingsFile()).relayConfig();
    QCOMPARE(saved.expected.size(), 2);
    QCOMPARE(saved.expected.at(0).name, QStringLiteral("here"));
    QCOMPARE(saved.expected.at(1).matchText(), QStringLiteral("127.0.0.2"));
    QCOMPARE(saved.expectGraceSeconds, 0);
    QCOMPARE(saved.expectSilenceSeconds, 3600);
    QCOMPARE(saved.alarmMessage, QByteArray("alarm:{name}:{state}"));
    Panel reopened(settingsFile());
    auto *editor = reopened.child<QTableWidget>("expectedEditor");
    QCOMPARE(editor->rowCount(), 2);
    QCOMPARE(editor->item(1, 0)->text(), QStringLiteral("gone"));
    QCOMPARE(reopened.child<QSpinBox>("expectGrace")->value(), 0);
}

void tst_MainWindow::badExpectedClientIsRefused()
{
    auto panel = openPanel();
    addExpected(*panel, QStringLiteral("kiosk3"), QStringLiteral("192.168.1.300"));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Stopped);
    QCOMPARE(panel->child<QLabel>("error")->text(),
        QStringLiteral("Expected clients: kiosk3: '192.168.1.300' is neither an IP address nor "
                       "prefix:TEXT"));
    panel->child<QTableWidget>("expectedEditor")->item(0, 1)->setText(QStringLiteral("prefix:"));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QVERIFY(panel->child<QLabel>("error")->text().startsWith(
        QStringLiteral("Expected clients: kiosk3: prefix: needs the text")));
    QCOMPARE(panel->controller.state(), RelayController::State::Stopped);
}

void tst_MainWindow::expectedStateTexts_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<int>("seconds");
    QTest::addColumn<QString>("text");
    const int missing = int(ExpectedClientStatus::State::Missing);
    QTest::newRow("missing 0 s") << missing << 0 << "missing for 0 s";
    QTest::newRow("missing 59 s") << missing << 59 << "missing for 59 s";
    QTest::newRow("missing 5 min") << missing << 5 * 60 + 59 << "missing for 5 min";
    QTest::newRow("missing 2 h 5 min") << missing << 2 * 3600 + 5 * 60 << "missing for 2 h 5 min";
    QTest::newRow("missing 3 d 4 h") << missing << 3 * 86400 + 4 * 3600 << "missing for 3 d 4 h";
    QTest::newRow("silent") << int(ExpectedClientStatus::State::Silent) << 40 << "silent for 40 s";
    QTest::newRow("present") << int(ExpectedClientStatus::State::Present) << 100 << "present";
    QTest::newRow("waiting") << int(ExpectedClientStatus::State::Waiting) << 100 << "waiting";
}

void tst_MainWindow::expectedStateTexts()
{
    QFETCH(int, state);
    QFETCH(int, seconds);
    QFETCH(QString, text);
    const QDateTime now = QDateTime::currentDateTime();
    ExpectedClientStatus status;
    status.state = ExpectedClientStatus::State(state);
    status.since = now.addSecs(-seconds);
    QCOMPARE(ExpectedModel::stateText(status, now), text);
}

// With the web port on, the panel says where /health and /metrics are, and they answer there.
void tst_MainWindow::monitoringAddressesShown()
{
    auto panel = openPanel();
    auto *monitoring = panel->child<QLabel>("monitoring");
    QVERIFY(!monitoring->isVisible());
    panel->child<QSpinBox>("wsPort")->setValue(0); // a free port
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    const quint16 webPort = panel->controller.relay()->webSocketPort();
    QVERIFY(monitoring->isVisible());
    const QString health = QStringLiteral("http://localhost:%1/health").arg(webPort);
    const QString metrics = QStringLiteral("http://localhost:%1/metrics").arg(webPort);
    QCOMPARE(monitoring->text(),
        QStringLiteral("Monitoring: <a href=\"%1\">%1</a> and <a href=\"%2\">%2</a>")
            .arg(health, metrics));
    QCOMPARE(httpGet(webPort, "/health").status, 200);
    QCOMPARE(httpGet(webPort, "/metrics").status, 200);

    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QTRY_COMPARE(panel->controller.state(), RelayController::State::Stopped);
    QVERIFY(!monitoring->isVisible());
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
