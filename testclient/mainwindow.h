// MainWindow: the test client's window: one tab per connection (so one window can play
// several machines side by side) and the saved messages beside them; one RelayBrowser finds
// the relays on the network for every tab. Renders and forwards; the logic is in
// ConnectionSession and SavedMessagesModel. Owned by main().
#pragma once

#include "bonjour.h"
#include "testclientsettings.h"

#include <QMainWindow>

#include <functional>

class ConnectionTab;
class QTabWidget;
class QTableView;
class SavedMessagesModel;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// Asks for a file to import from (@p save false) or export to (true); empty: cancelled.
    /// Replaceable, so that tests never see a modal dialog.
    using FileChooser = std::function<QString(QWidget *parent, bool save)>;

    explicit MainWindow(QWidget *parent = nullptr);

    /// Opens a new tab, connected to @p host:@p port when @p port is not 0.
    ConnectionTab *addConnection(const QString &host = QString(), quint16 port = 0);
    ConnectionTab *currentTab() const;
    ConnectionTab *tab(int index) const;
    int tabCount() const;
    SavedMessagesModel *savedMessages() const { return m_saved; }
    void setFileChooser(FileChooser chooser) { m_chooseFile = std::move(chooser); }

    /// Sends saved message @p row from the current tab.
    void sendSaved(int row);
    /// Saves the current tab's send line as a message called @p name.
    void saveCurrentMessage(const QString &name);
    void importMessages();
    void exportMessages();

private:
    QWidget *createSavedPanel();
    void closeTab(int index);

    TestClientSettings m_settings;
    RelayBrowser m_browser; // the relays on the network, listed in every tab's Host field
    QTabWidget *m_tabs;
    SavedMessagesModel *m_saved;
    QTableView *m_savedView = nullptr;
    FileChooser m_chooseFile;
};
