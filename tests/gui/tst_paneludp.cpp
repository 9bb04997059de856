// The panel's side of the UDP port: the settings form's UDP/OSC tab, the UDP settings as
// PanelSettings stores them (and the real daemon reads them), and UDP and OSC programs in the
// client table, with real datagrams on loopback. Real widgets (offscreen).
#include "clientsmodel.h"
#include "panelfixture.h"
#include "settingsform.h"
#include "testpeer.h"
#include "testprocess.h"
#include "trafficmodel.h"

#include <QAction>
#include <QCheckBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <memory>

namespace {

// Every UDP setting away from its default.
RelayConfig everyUdpSetting()
{
    RelayConfig config;
    config.udpEnabled = true;
    config.udpPort = 7000;
    config.udpTargets = {{QHostAddress(QStringLiteral("192.168.1.30")), 7000},
        {QHostAddress(QStringLiteral("::1")), 9000}};
    config.udpPeerSeconds = 30;
    config.osc = true;
    config.oscTypes = {{"/fader", "f"}, {"/mix", "ifs"}};
    return config;
}

// The UDP settings as a list, so that QCOMPARE shows which one differs.
QStringList fields(const RelayConfig &config)
{
    QStringList list = {config.udpEnabled ? QString::number(config.udpPort) : QStringLiteral("off"),
        QString::number(config.udpPeerSeconds),
        config.osc ? QStringLiteral("osc") : QStringLiteral("text")};
    for (const auto &[address, port] : config.udpTargets)
        list.append(QStringLiteral("target %1 %2").arg(address.toString()).arg(port));
    for (const OscCodec::TypeRule &rule : config.oscTypes)
        list.append(QString::fromUtf8("types " + rule.address + '=' + rule.tags));
    return list;
}

// The OSC message "/fader 0.5", made by hand (OSC 1.0: padded strings, big-endian float).
QByteArray faderMessage()
{
    return QByteArray("/fader\0\0,f\0\0\x3f\x00\x00\x00", 16);
}

// A program on loopback with a UDP socket of its own, as TouchDesigner or Max has.
struct UdpProgram
{
    UdpProgram() { bound = socket.bind(QHostAddress::LocalHost, 0); }

    void send(const QByteArray &datagram, quint16 port)
    {
        socket.writeDatagram(datagram, QHostAddress::LocalHost, port);
    }

    // Every datagram that has arrived since the last call.
    QList<QByteArray> received()
    {
        while (socket.hasPendingDatagrams()) {
            QByteArray datagram(int(socket.pendingDatagramSize()), Qt::Uninitialized);
            socket.readDatagram(datagram.data(), datagram.size());
            datagrams.append(datagram);
        }
        return datagrams;
    }

    QUdpSocket socket;
    bool bound = false;
    QList<QByteArray> datagrams;
};

} // namespace

class tst_PanelUdp : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void formShowsAndReturnsEveryField();
    void formReadsListsAsTyped();
    void settingsKeptWhilePortOff();
    void badValueIsRefused_data();
    void badValueIsRefused();
    void settingsRoundTrip();
    void settingsSurviveRestart();
    void exportedSettingsStartDaemon();
    void udpProgramShownAndForgotten();
    void oscProgramsAndTargetShown();
    void udpRowsFitDefaultSize();

private:
    QString settingsFile() const { return m_dir->filePath(QStringLiteral("panel.ini")); }
    std::unique_ptr<Panel> openPanel();
    static QString cell(Panel &panel, int row, int column, int role = Qt::DisplayRole);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_PanelUdp::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_PanelUdp::cleanup()
{
    m_dir.reset();
}

// A panel on a free TCP port, shown on screen.
std::unique_ptr<Panel> tst_PanelUdp::openPanel()
{
    auto panel = std::make_unique<Panel>(settingsFile());
    panel->child<QSpinBox>("port")->setValue(0);
    panel->window.show();
    return panel;
}

QString tst_PanelUdp::cell(Panel &panel, int row, int column, int role)
{
    return panel.window.clientsModel()->index(row, column).data(role).toString();
}

// The form shows each UDP setting of a RelayConfig and gives every one back.
void tst_PanelUdp::formShowsAndReturnsEveryField()
{
    SettingsForm form;
    const RelayConfig config = everyUdpSetting();
    form.setConfig(config);
    auto *port = form.findChild<QSpinBox *>(QStringLiteral("udpPort"));
    auto *targets = form.findChild<QLineEdit *>(QStringLiteral("udpTargets"));
    auto *seconds = form.findChild<QSpinBox *>(QStringLiteral("udpPeerSeconds"));
    auto *osc = form.findChild<QCheckBox *>(QStringLiteral("osc"));
    auto *types = form.findChild<QLineEdit *>(QStringLiteral("oscTypes"));
    QVERIFY(port && targets && seconds && osc && types);
    QCOMPARE(port->value(), 7000);
    QCOMPARE(targets->text(), QStringLiteral("192.168.1.30:7000, [::1]:9000"));
    QCOMPARE(seconds->value(), 30);
    QVERIFY(osc->isChecked());
    QCOMPARE(types->text(), QStringLiteral("/fader=f /mix=ifs"));

    QString error = QStringLiteral("not set");
    QCOMPARE(fields(form.config(&error)), fields(config));
    QCOMPARE(error, QString());

    // The defaults: no UDP port, no targets, text.
    form.setConfig(RelayConfig());
    QCOMPARE(port->value(), -1);
    QCOMPARE(port->text(), QStringLiteral("Off"));
    QCOMPARE(targets->text(), QString());
    QCOMPARE(seconds->value(), RelayConfig().udpPeerSeconds);
    QVERIFY(!osc->isChecked());
    QCOMPARE(fields(form.config(&error)), fields(RelayConfig()));
    QCOMPARE(error, QString());
}

// Targets and types as a technician types them: commas, spaces, both; localhost.
void tst_PanelUdp::formReadsListsAsTyped()
{
    SettingsForm form;
    form.setConfig(RelayConfig());
    form.findChild<QSpinBox *>(QStringLiteral("udpPort"))->setValue(0);
    form.findChild<QLineEdit *>(QStringLiteral("udpTargets"))
        ->setText(QStringLiteral(" 10.0.0.5:8000,localhost:7001   [::1]:9000 ,"));
    form.findChild<QLineEdit *>(QStringLiteral("oscTypes"))
        ->setText(QStringLiteral("/fader=f,/label=s  /mix=ifs"));
    QString error;
    const RelayConfig config = form.config(&error);
    QCOMPARE(error, QString());
    QVERIFY(config.udpEnabled);
    QCOMPARE(config.udpPort, quint16(0));
    const QList<QPair<QHostAddress, quint16>> targets
        = {{QHostAddress(QStringLiteral("10.0.0.5")), 8000}, {QHostAddress::LocalHost, 7001},
            {QHostAddress(QStringLiteral("::1")), 9000}};
    QCOMPARE(config.udpTargets, targets);
    QCOMPARE(config.oscTypes.size(), 3);
    QCOMPARE(config.oscTypes.at(1).address, QByteArray("/label"));
    QCOMPARE(config.oscTypes.at(1).tags, QByteArray("s"));
    QCOMPARE(config.oscTypes.at(2).tags, QByteArray("ifs"));
}

// With the UDP port off, its other settings stay as typed, for the day it is turned on again.
void tst_PanelUdp::settingsKeptWhilePortOff()
{
    RelayConfig config = everyUdpSetting();
    config.udpEnabled = false;
    SettingsForm form;
    form.setConfig(config);
    QCOMPARE(form.findChild<QSpinBox *>(QStringLiteral("udpPort"))->text(), QStringLiteral("Off"));
    QString error;
    QCOMPARE(fields(form.config(&error)), fields(config));
    QCOMPARE(error, QString());

    {
        PanelSettings settings(settingsFile());
        settings.setRelayConfig(config);
        settings.sync();
    }
    QSettings raw(settingsFile(), QSettings::IniFormat);
    QVERIFY(!raw.contains(QStringLiteral("udp-port")));
    QCOMPARE(fields(PanelSettings(settingsFile()).relayConfig()), fields(config));
}

void tst_PanelUdp::badValueIsRefused_data()
{
    QTest::addColumn<QString>("targets");
    QTest::addColumn<QString>("types");
    QTest::addColumn<QString>("error");
    const QString examples = QStringLiteral(
        " is not an address and port such as 192.168.1.30:7000, localhost:7000 or [::1]:7000 "
        "(names are not looked up)");
    QTest::newRow("no port") << "192.168.1.30"
                             << ""
                             << "Targets: '192.168.1.30'" + examples;
    QTest::newRow("a name") << "127.0.0.1:7000, kiosk.local:7000"
                            << ""
                            << "Targets: 'kiosk.local:7000'" + examples;
    QTest::newRow("IPv6 without brackets") << "::1:7000"
                                           << ""
                                           << "Targets: '::1:7000'" + examples;
    QTest::newRow("port 0") << "127.0.0.1:0"
                            << ""
                            << "Targets: '127.0.0.1:0'" + examples;
    const QString tags = QStringLiteral(
        " is not ADDRESS=TAGS such as /fader=f or /mix=ifs (an address starting with /, then OSC "
        "type tags from i h f d s S c b)");
    QTest::newRow("unknown tag") << ""
                                 << "/fader=q"
                                 << "OSC types: '/fader=q'" + tags;
    QTest::newRow("no slash") << ""
                              << "/mix=ifs fader=f"
                              << "OSC types: 'fader=f'" + tags;
    QTest::newRow("no tags") << ""
                             << "/fader"
                             << "OSC types: '/fader'" + tags;
    QTest::newRow("twice") << ""
                           << "/fader=f /fader=i"
                           << "OSC types: /fader is given types twice";
}

// A bad target or OSC type stops Start with one sentence naming the field, as for the relay's
// other settings, and nothing is saved.
void tst_PanelUdp::badValueIsRefused()
{
    QFETCH(QString, targets);
    QFETCH(QString, types);
    QFETCH(QString, error);
    auto panel = openPanel();
    panel->child<QSpinBox>("udpPort")->setValue(0);
    panel->child<QLineEdit>("udpTargets")->setText(targets);
    panel->child<QLineEdit>("oscTypes")->setText(types);
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Stopped);
    auto *errorLabel = panel->child<QLabel>("error");
    QVERIFY(errorLabel->isVisible());
    QCOMPARE(errorLabel->text(), error);
    const RelayConfig saved = PanelSettings(settingsFile()).relayConfig();
    QVERIFY(!saved.udpEnabled);
    QVERIFY(saved.udpTargets.isEmpty());
    QVERIFY(saved.oscTypes.isEmpty());
}

// PanelSettings keeps every UDP setting under the daemon's option names (a list for several
// targets or types), and reads them back.
void tst_PanelUdp::settingsRoundTrip()
{
    const RelayConfig config = everyUdpSetting();
    {
        PanelSettings settings(settingsFile());
        settings.setRelayConfig(config);
        settings.sync();
    }
    QCOMPARE(fields(PanelSettings(settingsFile()).relayConfig()), fields(config));
    QSettings raw(settingsFile(), QSettings::IniFormat);
    QCOMPARE(raw.value(QStringLiteral("udp-port")).toString(), QStringLiteral("7000"));
    QCOMPARE(raw.value(QStringLiteral("udp-target")).toStringList(),
        (QStringList{QStringLiteral("192.168.1.30:7000"), QStringLiteral("[::1]:9000")}));
    QCOMPARE(raw.value(QStringLiteral("udp-peer-seconds")).toString(), QStringLiteral("30"));
    QCOMPARE(raw.value(QStringLiteral("osc")).toString(), QStringLiteral("true"));
    QCOMPARE(raw.value(QStringLiteral("osc-types")).toStringList(),
        (QStringList{QStringLiteral("/fader=f"), QStringLiteral("/mix=ifs")}));

    // One target and one rule are stored as single values, and read back as lists of one.
    RelayConfig one = config;
    one.udpTargets.removeLast();
    one.oscTypes.removeLast();
    {
        PanelSettings settings(settingsFile());
        settings.setRelayConfig(one);
        settings.sync();
    }
    raw.sync();
    QCOMPARE(
        raw.value(QStringLiteral("udp-target")).toString(), QStringLiteral("192.168.1.30:7000"));
    QCOMPARE(fields(PanelSettings(settingsFile()).relayConfig()), fields(one));

    // A target edited by hand into nonsense: the other settings stay.
    raw.setValue(QStringLiteral("udp-target"), QStringLiteral("kiosk.local:7000"));
    raw.sync();
    RelayConfig expected = one;
    expected.udpTargets.clear();
    QCOMPARE(fields(PanelSettings(settingsFile()).relayConfig()), fields(expected));
}

// Typed into the window, saved when it closes, shown again when it opens.
void tst_PanelUdp::settingsSurviveRestart()
{
    {
        auto panel = openPanel();
        panel->child<QSpinBox>("udpPort")->setValue(7000);
        panel->child<QLineEdit>("udpTargets")
            ->setText(QStringLiteral("192.168.1.30:7000 [::1]:9000"));
        panel->child<QSpinBox>("udpPeerSeconds")->setValue(30);
        panel->child<QCheckBox>("osc")->setChecked(true);
        panel->child<QLineEdit>("oscTypes")->setText(QStringLiteral("/fader=f, /mix=ifs"));
        QVERIFY(panel->window.close());
    }
    Panel reopened(settingsFile());
    QCOMPARE(fields(reopened.settings.relayConfig()), fields(everyUdpSetting()));
    QCOMPARE(reopened.child<QSpinBox>("udpPort")->value(), 7000);
    QCOMPARE(reopened.child<QLineEdit>("udpTargets")->text(),
        QStringLiteral("192.168.1.30:7000, [::1]:9000"));
    QCOMPARE(reopened.child<QSpinBox>("udpPeerSeconds")->value(), 30);
    QVERIFY(reopened.child<QCheckBox>("osc")->isChecked());
    QCOMPARE(reopened.child<QLineEdit>("oscTypes")->text(), QStringLiteral("/fader=f /mix=ifs"));
}

// The exported file (the same keys as the panel's settings) starts the real daemon with the
// same UDP port, targets and OSC.
void tst_PanelUdp::exportedSettingsStartDaemon()
{
    auto panel = openPanel();
    panel->child<QSpinBox>("udpPort")->setValue(0);
    panel->child<QLineEdit>("udpTargets")
        ->setText(QStringLiteral("127.0.0.1:9000, 127.0.0.1:9001"));
    panel->child<QSpinBox>("udpPeerSeconds")->setValue(30);
    panel->child<QCheckBox>("osc")->setChecked(true);
    panel->child<QLineEdit>("oscTypes")->setText(QStringLiteral("/fader=f"));
    const QString path = m_dir->filePath(QStringLiteral("exported.ini"));
    panel->window.setFileChooser([&path](const QString &, const QString &) { return path; });
    panel->window.findChild<QAction *>(QStringLiteral("exportSettings"))->trigger();
    QVERIFY(QFile::exists(path));

    TestProcess daemon;
    QVERIFY(daemon.start(QStringLiteral(SOCKETSERVER_BINARY),
        {QStringLiteral("--config"), path, QStringLiteral("--port"), QStringLiteral("0")}));
    QVERIFY2(daemon.waitForOutput(QRegularExpression(QStringLiteral(
                 "OSC on UDP 127\\.0\\.0\\.1:[0-9]+ and \\[::1\\]:[0-9]+; messages go out to "
                 "127\\.0\\.0\\.1:9000, 127\\.0\\.0\\.1:9001, every program heard from in the "
                 "last 30 s"))),
        qPrintable(daemon.output()));
}

// A program that sends a datagram is a row (kind UDP, its address and port), gets what TCP
// clients say, and is forgotten by Disconnect until it sends again. The status line says
// where UDP programs send.
void tst_PanelUdp::udpProgramShownAndForgotten()
{
    auto panel = openPanel();
    panel->child<QSpinBox>("udpPort")->setValue(0);
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    const RelayServer *relay = panel->controller.relay();
    const quint16 udpPort = relay->udpPort();
    QVERIFY(udpPort != 0);
    QCOMPARE(panel->child<QLabel>("hint")->text(),
        QStringLiteral("Programs on this computer connect to localhost, port %1; UDP programs to "
                       "port %2")
            .arg(relay->port())
            .arg(udpPort));

    TestPeer tcp;
    QVERIFY(tcp.connectTo(QHostAddress::LocalHost, relay->port()));
    auto *view = panel->child<QTableView>("clients");
    QTRY_COMPARE(view->model()->rowCount(), 1);
    UdpProgram program;
    QVERIFY(program.bound);
    program.send("hello\nworld", udpPort);
    QTRY_COMPARE(view->model()->rowCount(), 2);
    QCOMPARE(cell(*panel, 1, ClientsModel::Kind), QStringLiteral("UDP"));
    QCOMPARE(cell(*panel, 1, ClientsModel::Address), QStringLiteral("127.0.0.1"));
    QCOMPARE(cell(*panel, 1, ClientsModel::Port), QString::number(program.socket.localPort()));
    QTRY_COMPARE(cell(*panel, 1, ClientsModel::MessagesIn), QStringLiteral("2"));
    QVERIFY(cell(*panel, 1, ClientsModel::LastActivity).contains(u':'));
    QTRY_COMPARE(tcp.received(), QByteArray("hello\nworld\n"));
    const QString tip = cell(*panel, 1, ClientsModel::Address, Qt::ToolTipRole);
    QVERIFY2(tip.contains(QStringLiteral("sent nothing for 60 s")), qPrintable(tip));
    QVERIFY(panel->stateText().contains(QStringLiteral("2 clients")));

    tcp.send("to the tools\n");
    // Its own messages come back too (Echo), each a datagram without a line ending.
    QTRY_COMPARE(program.received(), (QList<QByteArray>{"hello", "world", "to the tools"}));
    QTRY_COMPARE(cell(*panel, 1, ClientsModel::MessagesOut), QStringLiteral("3"));

    view->selectRow(1);
    QTest::mouseClick(panel->child<QPushButton>("disconnect"), Qt::LeftButton);
    QTRY_COMPARE(view->model()->rowCount(), 1);
    QCOMPARE(cell(*panel, 0, ClientsModel::Kind), QStringLiteral("TCP"));
    tcp.send("not to the forgotten\n");
    QTRY_COMPARE(tcp.received(), QByteArray("hello\nworld\nto the tools\nnot to the forgotten\n"));
    QCOMPARE(program.received().size(), 3);

    // Back when it sends again.
    program.send("again", udpPort);
    QTRY_COMPARE(view->model()->rowCount(), 2);
    QCOMPARE(cell(*panel, 1, ClientsModel::Kind), QStringLiteral("UDP"));
    QTRY_COMPARE(cell(*panel, 1, ClientsModel::MessagesIn), QStringLiteral("1"));
    QTRY_COMPARE(program.received().size(), 4);
    QCOMPARE(program.received().last(), QByteArray("again"));
}

// With OSC: a target is a row from the start ("Target", never heard); a program sending
// OSC is an "OSC" row, its messages relayed as lines; a datagram that is not OSC shows as
// dropped beside its count, explained in the tooltip; Disconnect forgets it.
void tst_PanelUdp::oscProgramsAndTargetShown()
{
    UdpProgram target, program;
    QVERIFY(target.bound && program.bound);
    auto panel = openPanel();
    panel->child<QSpinBox>("udpPort")->setValue(0);
    panel->child<QCheckBox>("osc")->setChecked(true);
    panel->child<QLineEdit>("udpTargets")
        ->setText(QStringLiteral("127.0.0.1:%1").arg(target.socket.localPort()));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    const quint16 udpPort = panel->controller.relay()->udpPort();
    QVERIFY(panel->child<QLabel>("hint")->text().endsWith(
        QStringLiteral("; OSC programs to UDP port %1").arg(udpPort)));

    auto *view = panel->child<QTableView>("clients");
    QCOMPARE(view->model()->rowCount(), 1);
    QCOMPARE(cell(*panel, 0, ClientsModel::Kind), QStringLiteral("Target"));
    QCOMPARE(cell(*panel, 0, ClientsModel::Port), QString::number(target.socket.localPort()));
    QCOMPARE(cell(*panel, 0, ClientsModel::LastActivity), QStringLiteral("–"));
    QCOMPARE(cell(*panel, 0, ClientsModel::Kind, Qt::ToolTipRole),
        QStringLiteral("A target in the UDP/OSC settings (OSC): it gets the messages while the "
                       "relay runs."));

    TestPeer tcp;
    QVERIFY(tcp.connectTo(QHostAddress::LocalHost, panel->controller.relay()->port()));
    QTRY_COMPARE(view->model()->rowCount(), 2);
    program.send(faderMessage(), udpPort);
    QTRY_COMPARE(view->model()->rowCount(), 3);
    QCOMPARE(cell(*panel, 2, ClientsModel::Kind), QStringLiteral("OSC"));
    QCOMPARE(cell(*panel, 2, ClientsModel::Port), QString::number(program.socket.localPort()));
    QTRY_COMPARE(tcp.received(), QByteArray("/fader 0.5\n"));
    QTRY_COMPARE(target.received(), QList<QByteArray>{faderMessage()});
    const QAbstractItemModel *traffic = panel->window.trafficModel();
    const auto lastTraffic = [traffic](int column) {
        return traffic->index(traffic->rowCount() - 1, column).data().toString();
    };
    QTRY_COMPARE(lastTraffic(TrafficModel::Message), QStringLiteral("/fader 0.5"));
    QCOMPARE(lastTraffic(TrafficModel::Client),
        QStringLiteral("osc 127.0.0.1:%1").arg(program.socket.localPort()));

    // Not OSC: dropped, counted beside the messages, said once in the log.
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(QStringLiteral("^osc 127\\.0\\.0\\.1:%1: dropped a datagram that is "
                                          "not OSC 1\\.0 ")
                               .arg(program.socket.localPort())));
    program.send("fader 0.5", udpPort);
    QTRY_COMPARE(cell(*panel, 2, ClientsModel::MessagesIn), QStringLiteral("1 (1 dropped)"));
    const QString tip = cell(*panel, 2, ClientsModel::MessagesIn, Qt::ToolTipRole);
    QVERIFY2(
        tip.contains(QStringLiteral("Dropped, datagrams that are not OSC: 1")), qPrintable(tip));

    view->selectRow(2);
    QTest::mouseClick(panel->child<QPushButton>("disconnect"), Qt::LeftButton);
    QTRY_COMPARE(view->model()->rowCount(), 2);
    QCOMPARE(cell(*panel, 0, ClientsModel::Kind), QStringLiteral("Target"));
    QCOMPARE(cell(*panel, 1, ClientsModel::Kind), QStringLiteral("TCP"));
}

// At the window's default size, the client table shows a target and a program with a dropped
// datagram whole, every column without scrolling, as it does for TCP clients.
void tst_PanelUdp::udpRowsFitDefaultSize()
{
    UdpProgram target, program;
    QVERIFY(target.bound && program.bound);
    auto panel = openPanel();
    QCOMPARE(panel->window.size(), QSize(1100, 680));
    panel->child<QSpinBox>("udpPort")->setValue(0);
    panel->child<QCheckBox>("osc")->setChecked(true);
    panel->child<QLineEdit>("udpTargets")
        ->setText(QStringLiteral("127.0.0.1:%1").arg(target.socket.localPort()));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    const quint16 udpPort = panel->controller.relay()->udpPort();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("not OSC 1\\.0")));
    program.send(faderMessage(), udpPort);
    program.send("fader 0.5", udpPort);
    auto *view = panel->child<QTableView>("clients");
    QTRY_COMPARE(cell(*panel, 1, ClientsModel::MessagesIn), QStringLiteral("1 (1 dropped)"));
    QHeaderView *header = view->horizontalHeader();
    const int last = ClientsModel::LastActivity;
    QTRY_VERIFY2(header->sectionViewportPosition(last) + header->sectionSize(last)
            <= view->viewport()->width(),
        qPrintable(QStringLiteral("%1 + %2 > %3")
                       .arg(header->sectionViewportPosition(last))
                       .arg(header->sectionSize(last))
                       .arg(view->viewport()->width())));
    QCOMPARE(view->horizontalScrollBar()->maximum(), 0);
    for (int row = 0; row < 2; ++row) {
        for (int column = 0; column < ClientsModel::ColumnCount; ++column) {
            const QString text = cell(*panel, row, column);
            QVERIFY2(header->sectionSize(column) > view->fontMetrics().horizontalAdvance(text),
                qPrintable(text));
        }
    }
}

QTEST_MAIN(tst_PanelUdp)
#include "tst_paneludp.moc"
