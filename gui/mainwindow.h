// MainWindow: the panel's window. Renders the relay's state (with its announcement on the
// network and its MQTT bridge's), its settings, the clients table and the traffic log, and
// forwards what the technician does to RelayController, PanelSettings and LoginItem. Questions and
// file choices go through replaceable functions so tests can answer them.
#pragma once

#include "relaycontroller.h"

#include <QMainWindow>

#include <functional>
#include <optional>

class ClientsModel;
class ExpectedModel;
class LoginItem;
class PanelSettings;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class SettingsForm;
class TrafficModel;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// Asks a yes/no question; true for yes.
    using Question = std::function<bool(const QString &text)>;
    /// Asks where to save a file; an empty string cancels.
    using FileChooser = std::function<QString(const QString &caption, const QString &suggested)>;

    MainWindow(RelayController *controller, PanelSettings *settings, LoginItem *loginItem,
        QWidget *parent = nullptr);

    /// Shows @p config (saved settings with the command line's changes) without saving it
    /// until the technician changes a setting; even then, a field that still holds the
    /// command line's value (port, listen on) keeps its saved value.
    void useForThisRun(const RelayConfig &config);
    /// Saves the window's geometry and the settings (as quitting does), without asking.
    void saveSettings();

    void setQuestion(Question question) { m_question = std::move(question); }
    void setFileChooser(FileChooser chooser) { m_fileChooser = std::move(chooser); }

    ClientsModel *clientsModel() const { return m_clients; }
    TrafficModel *trafficModel() const { return m_traffic; }
    ExpectedModel *expectedModel() const { return m_expected; }

    /// Start/Stop, as the button does.
    void toggleServing();
    /// Writes the settings as the INI file `socketserver --config` reads; false on failure.
    bool exportSettings(const QString &path);
    /// Writes the traffic log as text; false on failure.
    bool saveTraffic(const QString &path);
    /// Brings the window to the front (a second launch asks for it).
    void bringForward();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *createStatusArea();
    QWidget *createClientsArea();
    QWidget *createExpectedArea();
    QWidget *createTrafficArea();
    void createMenus();
    void updateState();
    void updateAnnouncement();
    void updateMqtt();
    void showError(const QString &message);
    void disconnectSelected();
    void sendToAll();
    void saveRelayConfig(const RelayConfig &config);

    RelayController *m_controller;
    PanelSettings *m_settings;
    LoginItem *m_loginItem;
    ClientsModel *m_clients;
    ExpectedModel *m_expected;
    TrafficModel *m_traffic;
    QSortFilterProxyModel *m_trafficFilter;
    SettingsForm *m_form;
    QLabel *m_stateDot = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_hintLabel = nullptr;
    QLabel *m_monitoringLabel = nullptr; // the web port's /health and /metrics, when it is on
    QWidget *m_announcementRow = nullptr; // the relay's announcement (Bonjour), while serving
    QLabel *m_announcementDot = nullptr;
    QLabel *m_announcementLabel = nullptr;
    QWidget *m_mqttRow = nullptr; // the MQTT bridge's state, while there is one
    QLabel *m_mqttDot = nullptr;
    QLabel *m_mqttLabel = nullptr;
    QLabel *m_errorLabel = nullptr;
    QPushButton *m_startStop = nullptr;
    QPushButton *m_copy = nullptr;
    QTableView *m_clientsView = nullptr;
    QPushButton *m_disconnect = nullptr;
    QTableView *m_trafficView = nullptr;
    QLineEdit *m_sendLine = nullptr;
    QPushButton *m_send = nullptr;
    bool m_saveOnStart = true;
    std::optional<RelayConfig> m_runConfig; // useForThisRun()'s
    Question m_question;
    FileChooser m_fileChooser;
};
