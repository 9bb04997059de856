// The panel's side of the MQTT bridge: the settings form's Other Rooms tab, the broker's
// settings as PanelSettings stores them, and the bridge's state in the window's status area,
// with a real mosquitto broker (MosquittoBroker) and without one. Real widgets (offscreen).
#include "mosquittobroker.h"
#include "panelfixture.h"
#include "settingsform.h"
#include "testprocess.h"
#include "trafficmodel.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

namespace {

// Every MQTT setting away from its default, with spaces where a technician may type them.
MqttSettings everyMqttSetting(const QString &dir)
{
    MqttSettings mqtt;
    mqtt.url = QStringLiteral("mqtts://broker.local:8884");
    mqtt.topic = QStringLiteral("museum/#");
    mqtt.direction = MqttSettings::Direction::In; // the wildcards need it
    mqtt.user = QStringLiteral("gallery two");
    mqtt.passwordFile = dir + QStringLiteral("/my files/password.txt");
    mqtt.caFile = dir + QStringLiteral("/my files/museum ca.pem");
    mqtt.clientId = QStringLiteral("lobby-screen");
    mqtt.qos = 1;
    mqtt.queue = 2500;
    return mqtt;
}

// The settings as a list, so that QCOMPARE shows which one differs.
QStringList fields(const MqttSettings &mqtt)
{
    return {mqtt.url, mqtt.topic, MqttSettings::directionName(mqtt.direction), mqtt.user,
        mqtt.passwordFile, mqtt.caFile, mqtt.clientId, QString::number(mqtt.qos),
        QString::number(mqtt.queue)};
}

// A loopback port nothing listens on.
quint16 closedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

const QString kGreen = QStringLiteral("#2e9d44");
const QString kAmber = QStringLiteral("#e0a526");

} // namespace

class tst_PanelMqtt : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void formShowsAndReturnsEveryField();
    void formDefaultsWhenLeftEmpty();
    void chooseButtonsFillPaths();
    void badValueIsRefused_data();
    void badValueIsRefused();
    void missingPasswordFileIsRefused();
    void settingsRoundTrip();
    void settingsSurviveRestart();
    void exportedSettingsJoinBroker();
    void stateShownWithBroker();
    void waitingShownWithoutBroker();

private:
    QString settingsFile() const { return m_dir->filePath(QStringLiteral("panel.ini")); }
    std::unique_ptr<Panel> openPanel();

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_PanelMqtt::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_PanelMqtt::cleanup()
{
    m_dir.reset();
}

// A panel on a free port, shown on screen.
std::unique_ptr<Panel> tst_PanelMqtt::openPanel()
{
    auto panel = std::make_unique<Panel>(settingsFile());
    panel->child<QSpinBox>("port")->setValue(0);
    panel->window.show();
    return panel;
}

// The form shows each setting of a RelayConfig's mqtt and gives every one back.
void tst_PanelMqtt::formShowsAndReturnsEveryField()
{
    SettingsForm form;
    RelayConfig config;
    config.mqtt = everyMqttSetting(m_dir->path());
    form.setConfig(config);
    const auto line = [&form](const char *name) {
        auto *edit = form.findChild<QLineEdit *>(QLatin1String(name));
        return edit ? edit->text() : QStringLiteral("(no field %1)").arg(QLatin1String(name));
    };
    QCOMPARE(line("mqtt"), QStringLiteral("mqtts://broker.local:8884"));
    QCOMPARE(line("mqttTopic"), QStringLiteral("museum/#"));
    QCOMPARE(line("mqttUser"), QStringLiteral("gallery two"));
    QCOMPARE(line("mqttPasswordFile"), config.mqtt.passwordFile);
    QCOMPARE(line("mqttCa"), config.mqtt.caFile);
    QCOMPARE(line("mqttClientId"), QStringLiteral("lobby-screen"));
    auto *direction = form.findChild<QComboBox *>(QStringLiteral("mqttDirection"));
    QVERIFY(direction);
    QCOMPARE(direction->currentData().toString(), QStringLiteral("in"));
    auto *qos = form.findChild<QComboBox *>(QStringLiteral("mqttQos"));
    QVERIFY(qos);
    QCOMPARE(qos->currentData().toInt(), 1);
    auto *queue = form.findChild<QSpinBox *>(QStringLiteral("mqttQueue"));
    QVERIFY(queue);
    QCOMPARE(queue->value(), 2500);

    QString error = QStringLiteral("not set");
    QCOMPARE(fields(form.config(&error).mqtt), fields(config.mqtt));
    QCOMPARE(error, QString());

    // What a technician types, spaces around it included.
    form.findChild<QLineEdit *>(QStringLiteral("mqtt"))->setText(QStringLiteral(" mqtts://[::1] "));
    form.findChild<QLineEdit *>(QStringLiteral("mqttTopic"))
        ->setText(QStringLiteral("museum/gallery2 "));
    direction->setCurrentIndex(direction->findData(QStringLiteral("out")));
    qos->setCurrentIndex(qos->findData(0));
    queue->setValue(100000);
    QCOMPARE(queue->maximum(), MqttSettings::kMaxQueue);
    const MqttSettings typed = form.config(&error).mqtt;
    QCOMPARE(error, QString());
    QCOMPARE(typed.url, QStringLiteral("mqtts://[::1]"));
    QCOMPARE(typed.topic, QStringLiteral("museum/gallery2"));
    QCOMPARE(typed.direction, MqttSettings::Direction::Out);
    QCOMPARE(typed.qos, 0);
    QCOMPARE(typed.queue, 100000);
    QCOMPARE(typed.user, QStringLiteral("gallery two"));
}

// Empty fields are the options' defaults; an empty broker is no bridge.
void tst_PanelMqtt::formDefaultsWhenLeftEmpty()
{
    SettingsForm form;
    form.setConfig(RelayConfig());
    QString error;
    MqttSettings mqtt = form.config(&error).mqtt;
    QCOMPARE(error, QString());
    QVERIFY(!mqtt.isEnabled());
    QCOMPARE(fields(mqtt), fields(MqttSettings()));

    form.findChild<QLineEdit *>(QStringLiteral("mqtt"))->setText(QStringLiteral("mqtt://b.local"));
    form.findChild<QLineEdit *>(QStringLiteral("mqttTopic"))->clear();
    auto *clientId = form.findChild<QLineEdit *>(QStringLiteral("mqttClientId"));
    QCOMPARE(clientId->placeholderText(), QStringLiteral("socketserver-HOST-PORT"));
    mqtt = form.config(&error).mqtt;
    QCOMPARE(error, QString());
    QVERIFY(mqtt.isEnabled());
    QCOMPARE(mqtt.topic, MqttSettings().topic);
    QCOMPARE(mqtt.clientId, QString());
}

// The "…" buttons ask for a file and puts its path in the field; cancelling leaves the field.
void tst_PanelMqtt::chooseButtonsFillPaths()
{
    SettingsForm form;
    form.setConfig(RelayConfig());
    QStringList asked;
    QString answer = m_dir->filePath(QStringLiteral("my files/password.txt"));
    form.setFileChooser([&](const QString &caption, const QString &current) {
        asked.append(caption + u'|' + current);
        return answer;
    });
    QSignalSpy edited(&form, &SettingsForm::edited);
    auto *password = form.findChild<QLineEdit *>(QStringLiteral("mqttPasswordFile"));
    auto *choosePassword = form.findChild<QToolButton *>(QStringLiteral("mqttPasswordFileChoose"));
    QVERIFY(password && choosePassword);
    QTest::mouseClick(choosePassword, Qt::LeftButton);
    QCOMPARE(password->text(), QDir::toNativeSeparators(answer));
    QCOMPARE(edited.size(), 1);
    QCOMPARE(asked, QStringList{QStringLiteral("Password File|")});

    answer.clear(); // cancelled
    QTest::mouseClick(choosePassword, Qt::LeftButton);
    QCOMPARE(password->text(),
        QDir::toNativeSeparators(m_dir->filePath(QStringLiteral("my files/password.txt"))));
    QCOMPARE(edited.size(), 1);
    QCOMPARE(asked.last(), QStringLiteral("Password File|") + password->text());

    answer = m_dir->filePath(QStringLiteral("museum ca.pem"));
    auto *ca = form.findChild<QLineEdit *>(QStringLiteral("mqttCa"));
    auto *chooseCa = form.findChild<QToolButton *>(QStringLiteral("mqttCaChoose"));
    QVERIFY(ca && chooseCa);
    QTest::mouseClick(chooseCa, Qt::LeftButton);
    QCOMPARE(ca->text(), QDir::toNativeSeparators(answer));
    QCOMPARE(asked.last(), QStringLiteral("CA File|"));
    QString error;
    const MqttSettings mqtt = form.config(&error).mqtt;
    QCOMPARE(error, QString());
    QCOMPARE(mqtt.caFile, QDir::toNativeSeparators(answer));
}

void tst_PanelMqtt::badValueIsRefused_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QString>("error");
    const QString examples = QStringLiteral(
        " is not a broker address such as mqtt://broker.local, mqtt://192.168.1.5:1883 or "
        "mqtts://broker.museum.org");
    QTest::newRow("http") << "http://broker.local"
                          << ""
                          << "Broker: 'http://broker.local'" + examples;
    QTest::newRow("no host") << "mqtt://"
                             << ""
                             << "Broker: 'mqtt://'" + examples;
    QTest::newRow("a path") << "mqtt://broker.local/museum"
                            << ""
                            << "Broker: 'mqtt://broker.local/museum'" + examples;
    QTest::newRow("wildcard, both ways")
        << "mqtt://broker.local"
        << "museum/#"
        << "Topic museum/#: a topic with the wildcards + or # can only be listened to: set "
           "Direction to In, or name one topic";
    QTest::newRow("# inside a level")
        << "mqtt://broker.local"
        << "museum/gallery#"
        << "Topic: 'museum/gallery#' is not an MQTT topic: + and # stand for whole levels "
           "(museum/+/screen, museum/#)";
}

// A bad value stops Start with one sentence naming the field, as for the relay's settings,
// and nothing is saved.
void tst_PanelMqtt::badValueIsRefused()
{
    QFETCH(QString, url);
    QFETCH(QString, topic);
    QFETCH(QString, error);
    auto panel = openPanel();
    panel->child<QLineEdit>("mqtt")->setText(url);
    panel->child<QLineEdit>("mqttTopic")->setText(topic);
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Stopped);
    auto *errorLabel = panel->child<QLabel>("error");
    QVERIFY(errorLabel->isVisible());
    QCOMPARE(errorLabel->text(), error);
    QVERIFY(!PanelSettings(settingsFile()).relayConfig().mqtt.isEnabled());
}

// A password file that is not there stops Start with the relay's sentence naming it.
void tst_PanelMqtt::missingPasswordFileIsRefused()
{
    auto panel = openPanel();
    const QString path = m_dir->filePath(QStringLiteral("not here/password.txt"));
    panel->child<QLineEdit>("mqtt")->setText(QStringLiteral("mqtt://127.0.0.1"));
    panel->child<QLineEdit>("mqttUser")->setText(QStringLiteral("gallery2"));
    panel->child<QLineEdit>("mqttPasswordFile")->setText(path);
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(QStringLiteral("^cannot start: cannot read the MQTT password file ")));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Stopped);
    const QString error = panel->child<QLabel>("error")->text();
    QVERIFY2(error.startsWith(QStringLiteral("Cannot read the MQTT password file %1").arg(path)),
        qPrintable(error));
}

// PanelSettings keeps every MQTT setting under the daemon's option names, and reads them back.
void tst_PanelMqtt::settingsRoundTrip()
{
    RelayConfig config;
    config.mqtt = everyMqttSetting(m_dir->path());
    {
        PanelSettings settings(settingsFile());
        settings.setRelayConfig(config);
        settings.sync();
    }
    QCOMPARE(fields(PanelSettings(settingsFile()).relayConfig().mqtt), fields(config.mqtt));
    QSettings raw(settingsFile(), QSettings::IniFormat);
    QCOMPARE(raw.value(QStringLiteral("mqtt")).toString(), config.mqtt.url);
    QCOMPARE(raw.value(QStringLiteral("mqtt-topic")).toString(), QStringLiteral("museum/#"));
    QCOMPARE(raw.value(QStringLiteral("mqtt-direction")).toString(), QStringLiteral("in"));
    QCOMPARE(raw.value(QStringLiteral("mqtt-user")).toString(), QStringLiteral("gallery two"));
    QCOMPARE(raw.value(QStringLiteral("mqtt-password-file")).toString(), config.mqtt.passwordFile);
    QCOMPARE(raw.value(QStringLiteral("mqtt-ca")).toString(), config.mqtt.caFile);
    QCOMPARE(
        raw.value(QStringLiteral("mqtt-client-id")).toString(), QStringLiteral("lobby-screen"));
    QCOMPARE(raw.value(QStringLiteral("mqtt-qos")).toString(), QStringLiteral("1"));
    QCOMPARE(raw.value(QStringLiteral("mqtt-queue")).toString(), QStringLiteral("2500"));

    // One value edited by hand into nonsense: the others stay, the wildcard topic with them.
    raw.setValue(QStringLiteral("mqtt-qos"), QStringLiteral("2"));
    raw.sync();
    MqttSettings expected = config.mqtt;
    expected.qos = 0;
    QCOMPARE(fields(PanelSettings(settingsFile()).relayConfig().mqtt), fields(expected));

    // No broker: no MQTT keys at all.
    {
        PanelSettings settings(settingsFile());
        settings.setRelayConfig(RelayConfig());
        settings.sync();
    }
    raw.sync();
    const QStringList keys = raw.childKeys();
    QVERIFY2(keys.filter(QStringLiteral("mqtt")).isEmpty(), qPrintable(keys.join(u' ')));
    QVERIFY(!PanelSettings(settingsFile()).relayConfig().mqtt.isEnabled());
}

// Typed into the window, saved when it closes, shown again when it opens.
void tst_PanelMqtt::settingsSurviveRestart()
{
    const MqttSettings typed = everyMqttSetting(m_dir->path());
    {
        auto panel = openPanel();
        panel->child<QLineEdit>("mqtt")->setText(typed.url);
        panel->child<QLineEdit>("mqttTopic")->setText(typed.topic);
        auto *direction = panel->child<QComboBox>("mqttDirection");
        direction->setCurrentIndex(direction->findData(QStringLiteral("in")));
        panel->child<QLineEdit>("mqttUser")->setText(typed.user);
        panel->child<QLineEdit>("mqttPasswordFile")->setText(typed.passwordFile);
        panel->child<QLineEdit>("mqttCa")->setText(typed.caFile);
        panel->child<QLineEdit>("mqttClientId")->setText(typed.clientId);
        auto *qos = panel->child<QComboBox>("mqttQos");
        qos->setCurrentIndex(qos->findData(1));
        panel->child<QSpinBox>("mqttQueue")->setValue(typed.queue);
        QVERIFY(panel->window.close());
    }
    Panel reopened(settingsFile());
    QCOMPARE(fields(reopened.settings.relayConfig().mqtt), fields(typed));
    QCOMPARE(reopened.child<QLineEdit>("mqttUser")->text(), QStringLiteral("gallery two"));
    QCOMPARE(reopened.child<QLineEdit>("mqttCa")->text(), typed.caFile);
    QCOMPARE(
        reopened.child<QComboBox>("mqttDirection")->currentData().toString(), QStringLiteral("in"));
    QCOMPARE(reopened.child<QSpinBox>("mqttQueue")->value(), 2500);
}

// The exported file (the same keys as the panel's settings) joins the real daemon to the
// real broker.
void tst_PanelMqtt::exportedSettingsJoinBroker()
{
    REQUIRE_MOSQUITTO_BROKER();
    MosquittoBroker broker;
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    auto panel = openPanel();
    panel->child<QLineEdit>("mqtt")->setText(broker.url());
    panel->child<QLineEdit>("mqttTopic")->setText(QStringLiteral("museum/gallery2"));
    panel->child<QLineEdit>("mqttClientId")->setText(QStringLiteral("gallery 2 relay"));
    const QString path = m_dir->filePath(QStringLiteral("exported.ini"));
    panel->window.setFileChooser([&path](const QString &, const QString &) { return path; });
    panel->window.findChild<QAction *>(QStringLiteral("exportSettings"))->trigger();
    QVERIFY(QFile::exists(path));

    TestProcess daemon;
    QVERIFY(daemon.start(QStringLiteral(SOCKETSERVER_BINARY),
        {QStringLiteral("--config"), path, QStringLiteral("--port"), QStringLiteral("0")}));
    QVERIFY2(daemon.waitForOutput(QRegularExpression(
                 QStringLiteral("MQTT: connected to 127\\.0\\.0\\.1:%1 as gallery 2 relay, "
                                "topic museum/gallery2")
                     .arg(broker.port()))),
        qPrintable(daemon.output()));
}

// Connected (what another room says shows in the traffic as from MQTT), then waiting while the
// broker is away (amber, like the relay waiting for its network), connected again when it is
// back; gone when the relay stops.
void tst_PanelMqtt::stateShownWithBroker()
{
    REQUIRE_MOSQUITTO_BROKER();
    MosquittoBroker broker;
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    auto panel = openPanel();
    auto *state = panel->child<QLabel>("mqttState");
    auto *dot = panel->child<QLabel>("mqttDot");
    QVERIFY(!state->isVisible());
    panel->child<QLineEdit>("mqtt")->setText(broker.url());
    panel->child<QLineEdit>("mqttTopic")->setText(QStringLiteral("museum/gallery2"));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    const QString connected
        = QStringLiteral("MQTT: connected to 127.0.0.1:%1, topic museum/gallery2")
              .arg(broker.port());
    QTRY_COMPARE(state->text(), connected);
    QVERIFY(state->isVisible());
    QVERIFY2(dot->styleSheet().contains(kGreen), qPrintable(dot->styleSheet()));

    QCOMPARE(mosquittoPublish(broker, QStringLiteral("museum/gallery2"), "door 1 open"), 0);
    auto *traffic = panel->child<QTableView>("traffic");
    QTRY_COMPARE(traffic->model()->rowCount(), 1);
    QCOMPARE(
        traffic->model()->index(0, TrafficModel::Client).data().toString(), QStringLiteral("MQTT"));
    QCOMPARE(traffic->model()->index(0, TrafficModel::Message).data().toString(),
        QStringLiteral("door 1 open"));

    // One log line for the loss and one for the first retry refused, however many follow.
    const QString where
        = QRegularExpression::escape(QStringLiteral("127.0.0.1:%1").arg(broker.port()));
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(QStringLiteral("^MQTT: lost the broker %1 \\(").arg(where)));
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(
            QStringLiteral("^MQTT: cannot connect to %1: connection refused; trying again")
                .arg(where)));
    broker.stop();
    const QString waiting
        = QStringLiteral("MQTT: waiting for 127.0.0.1:%1 (connection refused)").arg(broker.port());
    QTRY_COMPARE_WITH_TIMEOUT(state->text(), waiting, 10000); // retried after 1 s or so
    QVERIFY2(dot->styleSheet().contains(kAmber), qPrintable(dot->styleSheet()));
    QVERIFY(panel->stateText().startsWith(QStringLiteral("Running"))); // the room is served

    QVERIFY2(broker.restart(), qPrintable(broker.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(state->text(), connected, 20000); // retried within 1 + 2 + 4 s
    QVERIFY2(dot->styleSheet().contains(kGreen), qPrintable(dot->styleSheet()));

    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QTRY_COMPARE(panel->controller.state(), RelayController::State::Stopped);
    QVERIFY(!state->isVisible());
}

// No broker where the settings say: the relay serves, and the panel says it is waiting, amber.
// Without a broker setting there is no MQTT line at all.
void tst_PanelMqtt::waitingShownWithoutBroker()
{
    auto panel = openPanel();
    auto *state = panel->child<QLabel>("mqttState");
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    QVERIFY(!state->isVisible());
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QTRY_COMPARE(panel->controller.state(), RelayController::State::Stopped);

    const quint16 port = closedPort();
    QVERIFY(port != 0);
    panel->child<QLineEdit>("mqtt")->setText(QStringLiteral("mqtt://127.0.0.1:%1").arg(port));
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(
            QStringLiteral("^MQTT: cannot connect to 127\\.0\\.0\\.1:%1: connection refused; "
                           "trying again")
                .arg(port)));
    QTest::mouseClick(panel->child<QPushButton>("startStop"), Qt::LeftButton);
    QCOMPARE(panel->controller.state(), RelayController::State::Running);
    QTRY_COMPARE(state->text(),
        QStringLiteral("MQTT: waiting for 127.0.0.1:%1 (connection refused)").arg(port));
    QVERIFY(state->isVisible());
    auto *dot = panel->child<QLabel>("mqttDot");
    QVERIFY2(dot->styleSheet().contains(kAmber), qPrintable(dot->styleSheet()));
}

QTEST_MAIN(tst_PanelMqtt)
#include "tst_panelmqtt.moc"
