#include "mainwindow.h"

#include "connectionsession.h"
#include "connectiontab.h"
#include "savedmessagesmodel.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QShortcut>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_tabs(new QTabWidget(this))
    , m_saved(new SavedMessagesModel(this))
    , m_chooseFile([](QWidget *parent, bool save) {
        const QString filter = tr("Saved messages (*.json)");
        return save
            ? QFileDialog::getSaveFileName(parent, tr("Export saved messages"), QString(), filter)
            : QFileDialog::getOpenFileName(parent, tr("Import saved messages"), QString(), filter);
    })
{
    setWindowTitle(tr("SocketServer Test Client"));
    m_settings.persist(m_saved);
    m_browser.start();

    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setDocumentMode(true);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
    setCentralWidget(m_tabs);

    auto *toolbar = addToolBar(tr("Connections"));
    toolbar->setObjectName(QStringLiteral("toolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    QAction *newConnection = toolbar->addAction(tr("New connection"));
    newConnection->setShortcut(QKeySequence::AddTab);
    newConnection->setToolTip(tr("Open another connection in a new tab, to play another machine "
                                 "(Ctrl+T)"));
    connect(newConnection, &QAction::triggered, this, [this] { addConnection(); });

    auto *dock = new QDockWidget(tr("Saved messages"), this);
    dock->setObjectName(QStringLiteral("savedDock"));
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    dock->setWidget(createSavedPanel());
    addDockWidget(Qt::RightDockWidgetArea, dock);

    for (int i = 0; i < 9; ++i) {
        auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this);
        connect(shortcut, &QShortcut::activated, this, [this, i] { sendSaved(i); });
    }
    addConnection();
    resize(1180, 680);
}

ConnectionTab *MainWindow::addConnection(const QString &host, quint16 port)
{
    auto *tab = new ConnectionTab(&m_settings, &m_browser, m_tabs);
    const int index = m_tabs->addTab(tab, tab->session()->title());
    connect(tab, &ConnectionTab::titleChanged, this,
        [this, tab](const QString &title) { m_tabs->setTabText(m_tabs->indexOf(tab), title); });
    m_tabs->setCurrentIndex(index);
    if (port != 0)
        tab->connectTo(host, port);
    return tab;
}

ConnectionTab *MainWindow::currentTab() const
{
    return qobject_cast<ConnectionTab *>(m_tabs->currentWidget());
}

ConnectionTab *MainWindow::tab(int index) const
{
    return qobject_cast<ConnectionTab *>(m_tabs->widget(index));
}

int MainWindow::tabCount() const
{
    return m_tabs->count();
}

void MainWindow::sendSaved(int row)
{
    if (row < 0 || row >= m_saved->rowCount() || !currentTab())
        return;
    currentTab()->sendMessage(m_saved->message(row).message);
}

void MainWindow::saveCurrentMessage(const QString &name)
{
    if (!currentTab())
        return;
    const OutgoingMessage message = currentTab()->currentMessage();
    if (message.text.isEmpty()) {
        statusBar()->showMessage(tr("Type a message in the send line first."), 5000);
        return;
    }
    m_saved->append({name.isEmpty() ? message.text : name, message});
}

void MainWindow::importMessages()
{
    const QString path = m_chooseFile(this, false);
    if (path.isEmpty())
        return;
    const QString error = m_saved->importFile(path);
    statusBar()->showMessage(error.isEmpty() ? tr("Imported %1.").arg(path) : error, 8000);
}

void MainWindow::exportMessages()
{
    const QString path = m_chooseFile(this, true);
    if (path.isEmpty())
        return;
    const QString error = m_saved->exportFile(path);
    statusBar()->showMessage(error.isEmpty() ? tr("Exported to %1.").arg(path) : error, 8000);
}

QWidget *MainWindow::createSavedPanel()
{
    auto *panel = new QWidget(this);
    m_savedView = new QTableView(panel);
    m_savedView->setObjectName(QStringLiteral("savedMessages"));
    m_savedView->setModel(m_saved);
    m_savedView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_savedView->setEditTriggers(QAbstractItemView::EditKeyPressed);
    m_savedView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_savedView->verticalHeader()->setDefaultSectionSize(m_savedView->fontMetrics().height() + 6);
    m_savedView->horizontalHeader()->setStretchLastSection(true);
    m_savedView->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_savedView->setColumnWidth(SavedMessagesModel::NameColumn, 100);
    m_savedView->setToolTip(tr("Double-click to send from the current tab; F2 to rename"));
    connect(m_savedView, &QTableView::doubleClicked, this,
        [this](const QModelIndex &index) { sendSaved(index.row()); });

    auto *add = new QPushButton(tr("Save"), panel);
    add->setObjectName(QStringLiteral("saveMessage"));
    add->setToolTip(tr("Keep the send line's message here; F2 renames it"));
    auto *remove = new QPushButton(tr("Remove"), panel);
    auto *importButton = new QPushButton(tr("Import…"), panel);
    auto *exportButton = new QPushButton(tr("Export…"), panel);
    connect(add, &QPushButton::clicked, this, [this] {
        saveCurrentMessage(QString());
        const QModelIndex added = m_saved->index(m_saved->rowCount() - 1, 0);
        if (added.isValid())
            m_savedView->edit(added);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_savedView->currentIndex().isValid())
            m_saved->remove(m_savedView->currentIndex().row());
    });
    connect(importButton, &QPushButton::clicked, this, &MainWindow::importMessages);
    connect(exportButton, &QPushButton::clicked, this, &MainWindow::exportMessages);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    buttons->addWidget(importButton);
    buttons->addWidget(exportButton);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_savedView, 1);
    layout->addLayout(buttons);
    panel->setMinimumWidth(330);
    return panel;
}

void MainWindow::closeTab(int index)
{
    QWidget *widget = m_tabs->widget(index);
    m_tabs->removeTab(index);
    widget->deleteLater();
    if (m_tabs->count() == 0)
        addConnection();
}
