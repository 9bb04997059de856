// SettingsForm: the panel's settings, as widgets. Shows a RelayConfig and turns what was typed
// back into one (the core's parser checks the allow list, the terminator, the name on the
// network, the expected clients, the UDP targets, the OSC types and the MQTT broker's settings).
// Four tabs: the relay's settings, the expected clients (the exhibit's inventory: name and match
// per row, and when they count as silent or missing), other rooms (the MQTT broker the relay
// shares its conversation through), and UDP/OSC (the UDP port for TouchDesigner, Max and other
// tools, the programs it sends to, OSC). It keeps the settings it does not show (welcome,
// buffers) as they were loaded. Part of MainWindow.
#pragma once

#include "bindchoice.h"
#include "relayconfig.h"

#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QLayout;
class QLineEdit;
class QSpinBox;
class QTableWidget;

class SettingsForm : public QWidget
{
    Q_OBJECT

public:
    /// Asks for a file to read; an empty string cancels.
    using FileChooser = std::function<QString(const QString &caption, const QString &current)>;

    explicit SettingsForm(QWidget *parent = nullptr);

    /// Replaces the file dialog of the file fields' "…" buttons (tests answer it).
    void setFileChooser(FileChooser chooser) { m_fileChooser = std::move(chooser); }

    void setConfig(const RelayConfig &config);
    /// The settings as typed; on a mistake, @p error says which setting and why.
    RelayConfig config(QString *error) const;

    bool startOnOpen() const;
    void setStartOnOpen(bool on);
    void setOpenAtLogin(bool on);

    /// Greys out what cannot change while the relay runs.
    void setRelaySettingsEnabled(bool enabled);

signals:
    /// The user changed a relay setting.
    void edited();
    void openAtLoginToggled(bool on);
    /// The user ticked or cleared "Start serving when the app opens".
    void startOnOpenToggled(bool on);

private:
    QWidget *createExpectedPage();
    QWidget *createMqttPage();
    QWidget *createUdpPage();
    QLayout *fileField(QLineEdit *line, const QString &caption);
    void addExpectedRow(const QString &name, const QString &match);
    void updateNameEnabled();

    RelayConfig m_base;
    QList<BindChoice> m_choices;
    qsizetype m_availableChoices; // the addresses on this machine; after them, at most one more
    QComboBox *m_bind;
    QSpinBox *m_port;
    QLineEdit *m_name;
    QCheckBox *m_announce;
    QSpinBox *m_maxClients;
    QComboBox *m_eol;
    QCheckBox *m_echo;
    QSpinBox *m_maxMessage;
    QLineEdit *m_allow;
    QSpinBox *m_heartbeat;
    QSpinBox *m_webSocketPort;
    QLineEdit *m_webOrigins;
    QLineEdit *m_localName;
    QCheckBox *m_flashPolicy;
    QSpinBox *m_udpPort;
    QLineEdit *m_udpTargets;
    QSpinBox *m_udpPeerSeconds;
    QCheckBox *m_osc;
    QLineEdit *m_oscTypes;
    QTableWidget *m_expected;
    QSpinBox *m_expectSilence;
    QSpinBox *m_expectGrace;
    QLineEdit *m_alarmMessage;
    QLineEdit *m_mqttUrl;
    QLineEdit *m_mqttTopic;
    QComboBox *m_mqttDirection;
    QLineEdit *m_mqttUser;
    QLineEdit *m_mqttPasswordFile;
    QLineEdit *m_mqttCaFile;
    QLineEdit *m_mqttClientId;
    QComboBox *m_mqttQos;
    QSpinBox *m_mqttQueue;
    QCheckBox *m_startOnOpen;
    QCheckBox *m_openAtLogin;
    QList<QWidget *> m_relayWidgets;
    FileChooser m_fileChooser;
};
