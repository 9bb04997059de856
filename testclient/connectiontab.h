// ConnectionTab: the widgets of one connection (one tab of the main window): the connection
// bar (its Host field also lists the relays found on the network), the message table with its
// filter and view switches, the send line with repeat sending, and the rates. It renders its
// ConnectionSession and forwards what the user does; the logic is in the session. Owned by
// MainWindow's tab widget; it owns its session.
#pragma once

#include "bonjour.h"
#include "outgoingmessage.h"
#include "sendhistory.h"

#include <QWidget>

#include <functional>

class ConnectionSession;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableView;
class QToolButton;
class TestClientSettings;

class ConnectionTab : public QWidget
{
    Q_OBJECT

public:
    /// Asks for a file name to save to (empty: cancelled). Replaceable, so tests never see a
    /// modal dialog.
    using SaveFileChooser = std::function<QString(QWidget *parent)>;

    /// @p browser (the window's, shared by its tabs) lists the relays found on the network.
    ConnectionTab(
        TestClientSettings *settings, const RelayBrowser *browser, QWidget *parent = nullptr);

    ConnectionSession *session() const { return m_session; }
    void setSaveFileChooser(SaveFileChooser chooser) { m_chooseSaveFile = std::move(chooser); }

    /// Connects to @p host:@p port as if typed and clicked.
    void connectTo(const QString &host, quint16 port);
    /// The message in the send line, as it would be sent.
    OutgoingMessage currentMessage() const;
    /// Sends @p message (a saved one), saying in the tab why when it cannot.
    void sendMessage(const OutgoingMessage &message);

    bool eventFilter(QObject *watched, QEvent *event) override;

signals:
    /// The tab's title ("localhost:6780") changed.
    void titleChanged(const QString &title);

private:
    void toggleConnection();
    // Lists the browser's relays in the Host field, keeping what is typed there.
    void showRelays();
    void chooseRelay(int index);
    void sendCurrent();
    void toggleRepeat();
    // Adds @p line to the history that all tabs share.
    void remember(const QString &line);
    void saveLog();
    void copyRows();
    void showState();
    void showRates();
    void showFeedback(const QString &text, bool problem);
    void scrollIfAtBottom();

    TestClientSettings *m_settings;
    ConnectionSession *m_session;
    SendHistory m_history; // this tab's way through the shared history
    SaveFileChooser m_chooseSaveFile;
    const RelayBrowser *m_browser;
    QList<FoundRelay> m_relays; // as listed in m_host, in the same order

    QComboBox *m_host; // editable: any host typed, or a relay chosen from the list
    QSpinBox *m_port;
    QCheckBox *m_autoReconnect;
    QPushButton *m_connect;
    QLabel *m_status;
    QLineEdit *m_filter;
    QToolButton *m_pause;
    QToolButton *m_hex;
    QToolButton *m_relativeTime;
    QTableView *m_table;
    QLineEdit *m_sendLine;
    QComboBox *m_format;
    QComboBox *m_ending;
    QPushButton *m_send;
    QSpinBox *m_repeatInterval;
    QSpinBox *m_repeatCount;
    QPushButton *m_repeat;
    QLabel *m_repeatProgress;
    QLabel *m_feedback;
    QLabel *m_rates;
    bool m_followTail = true;
};
