// SettingsForm: the panel's settings, as widgets. Shows a RelayConfig and turns what was typed
// back into one (the core's parser checks the allow list, the terminator and the expected
// clients). Two tabs: the relay's settings, and the expected clients (the exhibit's inventory:
// name and match per row, and when they count as silent or missing). It keeps the
// settings it does not show (welcome, buffers) as they were loaded. Part of MainWindow.
#pragma once

#include "bindchoice.h"
#include "relayconfig.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;
class QTableWidget;

class SettingsForm : public QWidget
{
    Q_OBJECT

public:
    explicit SettingsForm(QWidget *parent = nullptr);

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
    void addExpectedRow(const QString &name, const QString &match);

    RelayConfig m_base;
    QList<BindChoice> m_choices;
    qsizetype m_availableChoices; // the addresses on this machine; after them, at most one more
    QComboBox *m_bind;
    QSpinBox *m_port;
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
    QTableWidget *m_expected;
    QSpinBox *m_expectSilence;
    QSpinBox *m_expectGrace;
    QLineEdit *m_alarmMessage;
    QCheckBox *m_startOnOpen;
    QCheckBox *m_openAtLogin;
    QList<QWidget *> m_relayWidgets;
};
