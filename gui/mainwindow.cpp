#include "mainwindow.h"

#include "bonjour.h"
#include "clientsmodel.h"
#include "expectedmodel.h"
#include "loginitem.h"
#include "panellog.h"
#include "panelsettings.h"
#include "relayoptions.h"
#include "settingsform.h"
#include "trafficmodel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

namespace {

// A table that looks like a list of records: no grid, alternating rows, whole-row selection.
QTableView *recordView(QAbstractItemModel *model, const QString &name)
{
    auto *view = new QTableView;
    view->setObjectName(name);
    view->setModel(model);
    view->setShowGrid(false);
    view->setAlternatingRowColors(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    return view;
}

// Columns as wide as what they show (header included), the last one taking what is left. The
// header alone measures only when the table's layout changes, not as rows come and values
// grow (a client named, "missing for 5 min"), so the columns are fitted again then: once per
// refresh of the model, however many rows changed. Only the first rows are measured, so
// thousands of clients do not slow the 4 Hz refresh down.
void fitColumnsToContents(QTableView *view)
{
    QHeaderView *header = view->horizontalHeader();
    header->setResizeContentsPrecision(50);
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setStretchLastSection(true);
    auto *fit = new QTimer(view);
    fit->setSingleShot(true); // at the end of this turn of the event loop
    // What the header does itself when the layout changes: measure, then stretch the last
    // column (resizeColumnsToContents() would leave it unstretched). A protected slot.
    QObject::connect(fit, &QTimer::timeout, header,
        [header] { QMetaObject::invokeMethod(header, "resizeSections"); });
    const auto fitSoon = [fit] { fit->start(0); };
    QAbstractItemModel *model = view->model();
    QObject::connect(model, &QAbstractItemModel::rowsInserted, fit, fitSoon);
    QObject::connect(model, &QAbstractItemModel::dataChanged, fit, fitSoon);
    QObject::connect(model, &QAbstractItemModel::modelReset, fit, fitSoon);
}

// Paints @p dot, a square label, as a round light of @p color.
void paintDot(QLabel *dot, const QString &color)
{
    dot->setStyleSheet(
        QStringLiteral("background: %1; border-radius: %2px; border: 1px solid rgba(0,0,0,60);")
            .arg(color)
            .arg(dot->width() / 2));
}

const QString kGreen = QStringLiteral("#2e9d44"); // serving, connected
const QString kAmber = QStringLiteral("#e0a526"); // waiting: a warning
const QString kGrey = QStringLiteral("#9e9e9e"); // stopped

// A row with a small light and a line of text, under the relay's light: the state of one part
// of the relay (its announcement, its MQTT bridge). The light is "NAMEDot", the text "NAMEState".
QWidget *lightRow(const QString &name, QLabel *&dot, QLabel *&label)
{
    dot = new QLabel;
    dot->setObjectName(name + QStringLiteral("Dot"));
    dot->setFixedSize(10, 10);
    label = new QLabel;
    label->setObjectName(name + QStringLiteral("State"));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addSpacing(2);
    layout->addWidget(dot);
    layout->addSpacing(10);
    layout->addWidget(label);
    layout->addStretch(1);
    return row;
}

// A column wide enough for its header and for sample, the widest value expected.
void fitColumn(QTableView *view, int column, const QString &sample)
{
    const QFontMetrics metrics(view->font());
    const QString header = view->model()->headerData(column, Qt::Horizontal).toString();
    const int width = qMax(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(header));
    view->setColumnWidth(column, width + 16);
}

} // namespace

MainWindow::MainWindow(
    RelayController *controller, PanelSettings *settings, LoginItem *loginItem, QWidget *parent)
    : QMainWindow(parent)
    , m_controller(controller)
    , m_settings(settings)
    , m_loginItem(loginItem)
    , m_clients(new ClientsModel(this))
    , m_expected(new ExpectedModel(this))
    , m_traffic(new TrafficModel(this))
    , m_trafficFilter(new QSortFilterProxyModel(this))
    , m_form(new SettingsForm)
    , m_question([this](const QString &text) {
        return QMessageBox::question(this, windowTitle(), text) == QMessageBox::Yes;
    })
    , m_fileChooser([this](const QString &caption, const QString &suggested) {
        return QFileDialog::getSaveFileName(this, caption, suggested);
    })
{
    setWindowTitle(tr("SocketServer"));
    m_clients->setRelay(controller->relay());
    m_expected->setRelay(controller->relay());
    m_traffic->setRelay(controller->relay());
    m_trafficFilter->setSourceModel(m_traffic);
    m_trafficFilter->setFilterKeyColumn(-1);
    m_trafficFilter->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_form->setObjectName(QStringLiteral("settings"));
    m_form->setConfig(settings->relayConfig());
    m_form->setStartOnOpen(settings->startOnOpen());
    m_form->setOpenAtLogin(loginItem->isEnabled());
    connect(m_form, &SettingsForm::edited, this, [this] { m_saveOnStart = true; });
    // Saved at once: a kiosk is often switched off at the mains rather than closed.
    connect(m_form, &SettingsForm::startOnOpenToggled, this, [this](bool on) {
        m_settings->setStartOnOpen(on);
        m_settings->sync();
    });
    connect(m_form, &SettingsForm::openAtLoginToggled, this, [this](bool on) {
        if (!m_loginItem->setEnabled(on)) {
            showError(m_loginItem->errorString());
            m_form->setOpenAtLogin(m_loginItem->isEnabled());
        }
    });

    auto *settingsBox = new QGroupBox(tr("Settings"));
    settingsBox->setFixedWidth(390); // wide enough for the longest setting (the Flash check box)
    auto *settingsLayout = new QVBoxLayout(settingsBox);
    settingsLayout->addWidget(m_form);

    auto *rightSplitter = new QSplitter(Qt::Vertical);
    rightSplitter->addWidget(createClientsArea());
    rightSplitter->addWidget(createExpectedArea());
    rightSplitter->addWidget(createTrafficArea());
    rightSplitter->setStretchFactor(0, 3);
    rightSplitter->setStretchFactor(1, 1);
    rightSplitter->setStretchFactor(2, 3);
    rightSplitter->setChildrenCollapsible(false);

    auto *body = new QHBoxLayout;
    body->addWidget(settingsBox, 0);
    body->addWidget(rightSplitter, 1);

    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(createStatusArea());
    layout->addLayout(body, 1);
    setCentralWidget(central);
    createMenus();

    connect(controller, &RelayController::stateChanged, this, &MainWindow::updateState);
    connect(controller, &RelayController::errorOccurred, this, &MainWindow::showError);
    // A client coming or going changes only the count: not the hint, which lists the network
    // interfaces, nor the styles (a thousand clients may reconnect at once).
    const auto updateCount = [this] { m_stateLabel->setText(m_controller->stateText()); };
    connect(controller->relay(), &RelayServer::clientConnected, this, updateCount);
    connect(controller->relay(), &RelayServer::clientDisconnected, this, updateCount);
    connect(controller->relay(), &RelayServer::announcementChanged, this,
        &MainWindow::updateAnnouncement);
    connect(controller->relay(), &RelayServer::mqttStatusChanged, this, &MainWindow::updateMqtt);
    updateState();

    // An explicit minimum: the layout then never changes the window's size constraints as
    // texts change (which some platforms, the offscreen one among them, cannot pass on).
    setMinimumSize(860, 560);
    if (!restoreGeometry(settings->windowGeometry()))
        resize(1100, 680);
}

QWidget *MainWindow::createStatusArea()
{
    auto *area = new QWidget;
    m_stateDot = new QLabel;
    m_stateDot->setFixedSize(14, 14);
    m_stateLabel = new QLabel;
    m_stateLabel->setObjectName(QStringLiteral("state"));
    QFont big = m_stateLabel->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_stateLabel->setFont(big);
    m_hintLabel = new QLabel;
    m_hintLabel->setObjectName(QStringLiteral("hint"));
    m_hintLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_monitoringLabel = new QLabel;
    m_monitoringLabel->setObjectName(QStringLiteral("monitoring"));
    m_monitoringLabel->setTextFormat(Qt::RichText);
    m_monitoringLabel->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_monitoringLabel->setOpenExternalLinks(true);
    m_copy = new QPushButton(tr("Copy Address"));
    m_copy->setObjectName(QStringLiteral("copy"));
    connect(m_copy, &QPushButton::clicked, this,
        [this] { QApplication::clipboard()->setText(m_controller->connectionText()); });
    m_startStop = new QPushButton;
    m_startStop->setObjectName(QStringLiteral("startStop"));
    m_startStop->setMinimumWidth(120);
    m_startStop->setDefault(true);
    connect(m_startStop, &QPushButton::clicked, this, &MainWindow::toggleServing);
    m_errorLabel = new QLabel;
    m_errorLabel->setObjectName(QStringLiteral("error"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->setStyleSheet(
        QStringLiteral("QLabel { color: #8a1c0c; background: #fdecea; border: 1px solid #f1b0a6;"
                       " border-radius: 4px; padding: 6px; }"));
    m_errorLabel->hide();

    auto *title = new QHBoxLayout;
    title->addWidget(m_stateDot);
    title->addWidget(m_stateLabel);
    title->addStretch(1);
    title->addWidget(m_startStop);
    auto *hint = new QHBoxLayout;
    hint->addSpacing(22);
    hint->addWidget(m_hintLabel);
    hint->addWidget(m_copy);
    hint->addStretch(1);
    auto *monitoring = new QHBoxLayout;
    monitoring->addSpacing(22);
    monitoring->addWidget(m_monitoringLabel);
    monitoring->addStretch(1);
    m_announcementRow
        = lightRow(QStringLiteral("announcement"), m_announcementDot, m_announcementLabel);
    m_mqttRow = lightRow(QStringLiteral("mqtt"), m_mqttDot, m_mqttLabel);
    auto *layout = new QVBoxLayout(area);
    layout->setContentsMargins(4, 4, 4, 8);
    layout->addLayout(title);
    layout->addLayout(hint);
    layout->addLayout(monitoring);
    layout->addWidget(m_announcementRow);
    layout->addWidget(m_mqttRow);
    layout->addWidget(m_errorLabel);
    return area;
}

QWidget *MainWindow::createClientsArea()
{
    auto *box = new QGroupBox(tr("Clients"));
    m_clientsView = recordView(m_clients, QStringLiteral("clients"));
    m_clientsView->setSelectionMode(QAbstractItemView::SingleSelection);
    fitColumnsToContents(m_clientsView);
    m_clientsView->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *disconnectAction = new QAction(tr("Disconnect"), m_clientsView);
    connect(disconnectAction, &QAction::triggered, this, &MainWindow::disconnectSelected);
    m_clientsView->addAction(disconnectAction);

    m_disconnect = new QPushButton(tr("Disconnect"));
    m_disconnect->setObjectName(QStringLiteral("disconnect"));
    m_disconnect->setEnabled(false);
    connect(m_disconnect, &QPushButton::clicked, this, &MainWindow::disconnectSelected);
    connect(m_clientsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        [this] { m_disconnect->setEnabled(m_clientsView->selectionModel()->hasSelection()); });

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_disconnect);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_clientsView);
    layout->addLayout(buttons);
    return box;
}

// The expected clients and their state; shown while the relay has any.
QWidget *MainWindow::createExpectedArea()
{
    auto *box = new QGroupBox(tr("Expected Clients"));
    box->setObjectName(QStringLiteral("expectedBox"));
    auto *view = recordView(m_expected, QStringLiteral("expected"));
    view->setSelectionMode(QAbstractItemView::NoSelection);
    fitColumnsToContents(view);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(view);
    // Shown while there are any, tall enough for four without scrolling.
    const auto showWhenAny = [this, box, view] {
        const int rows = m_expected->rowCount();
        box->setVisible(rows > 0);
        view->setMinimumHeight(view->horizontalHeader()->sizeHint().height()
            + qMin(rows, 4) * view->verticalHeader()->defaultSectionSize()
            + 2 * view->frameWidth());
    };
    connect(m_expected, &QAbstractItemModel::modelReset, box, showWhenAny);
    showWhenAny();
    return box;
}

QWidget *MainWindow::createTrafficArea()
{
    auto *box = new QGroupBox(tr("Traffic"));
    auto *filter = new QLineEdit;
    filter->setObjectName(QStringLiteral("filter"));
    filter->setPlaceholderText(tr("Filter"));
    filter->setClearButtonEnabled(true);
    connect(filter, &QLineEdit::textChanged, m_trafficFilter,
        &QSortFilterProxyModel::setFilterFixedString);
    auto *pause = new QPushButton(tr("Pause"));
    pause->setObjectName(QStringLiteral("pause"));
    pause->setCheckable(true);
    connect(pause, &QPushButton::toggled, m_traffic, &TrafficModel::setPaused);
    auto *clear = new QPushButton(tr("Clear"));
    clear->setObjectName(QStringLiteral("clear"));
    connect(clear, &QPushButton::clicked, m_traffic, &TrafficModel::clear);
    auto *save = new QPushButton(tr("Save…"));
    save->setObjectName(QStringLiteral("save"));
    connect(save, &QPushButton::clicked, this, [this] {
        const QString suggested = QDir::home().filePath(
            QStringLiteral("socketserver-traffic-%1.txt")
                .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
        const QString path = m_fileChooser(tr("Save Traffic Log"), suggested);
        if (!path.isEmpty())
            saveTraffic(path);
    });
    auto *tools = new QHBoxLayout;
    tools->addWidget(filter, 1);
    tools->addWidget(pause);
    tools->addWidget(clear);
    tools->addWidget(save);

    m_trafficView = recordView(m_trafficFilter, QStringLiteral("traffic"));
    m_trafficView->horizontalHeader()->setStretchLastSection(true);
    fitColumn(m_trafficView, TrafficModel::Time, QStringLiteral("00:00:00.000"));
    fitColumn(m_trafficView, TrafficModel::Client, QStringLiteral("192.168.100.200:65535"));
    // Follow new rows while the view is scrolled to the end.
    connect(m_trafficFilter, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        QScrollBar *bar = m_trafficView->verticalScrollBar();
        const bool atEnd = bar->value() == bar->maximum();
        m_trafficView->setProperty("followEnd", atEnd);
    });
    connect(m_trafficFilter, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_trafficView->property("followEnd").toBool())
            m_trafficView->scrollToBottom();
    });

    m_sendLine = new QLineEdit;
    m_sendLine->setObjectName(QStringLiteral("sendLine"));
    m_sendLine->setPlaceholderText(tr("A message to send to every client"));
    m_send = new QPushButton(tr("Send to All"));
    m_send->setObjectName(QStringLiteral("send"));
    connect(m_send, &QPushButton::clicked, this, &MainWindow::sendToAll);
    connect(m_sendLine, &QLineEdit::returnPressed, this, &MainWindow::sendToAll);
    auto *sendRow = new QHBoxLayout;
    sendRow->addWidget(m_sendLine, 1);
    sendRow->addWidget(m_send);

    auto *layout = new QVBoxLayout(box);
    layout->addLayout(tools);
    layout->addWidget(m_trafficView);
    layout->addLayout(sendRow);
    return box;
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *exportAction = file->addAction(tr("Export Settings for Headless Use…"));
    exportAction->setObjectName(QStringLiteral("exportSettings"));
    connect(exportAction, &QAction::triggered, this, [this] {
        const QString suggested = QDir::home().filePath(QStringLiteral("socketserver.ini"));
        const QString path = m_fileChooser(tr("Export Settings for Headless Use"), suggested);
        if (!path.isEmpty())
            exportSettings(path);
    });
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *showLog = help->addAction(tr("Show Log Folder"));
    showLog->setObjectName(QStringLiteral("showLogFolder"));
    connect(showLog, &QAction::triggered, this, [] {
        QDir().mkpath(PanelLog::folder()); // there even before the first line
        QDesktopServices::openUrl(QUrl::fromLocalFile(PanelLog::folder()));
    });
}

void MainWindow::useForThisRun(const RelayConfig &config)
{
    m_runConfig = config;
    m_form->setConfig(config);
    m_saveOnStart = false;
}

void MainWindow::saveRelayConfig(const RelayConfig &config)
{
    if (!m_saveOnStart)
        return;
    RelayConfig saved = config;
    // What the command line set is for this run only: while the field still holds it, the
    // saved value stays.
    if (m_runConfig) {
        const RelayConfig stored = m_settings->relayConfig();
        if (saved.port == m_runConfig->port)
            saved.port = stored.port;
        if (saved.bind == m_runConfig->bind && saved.address == m_runConfig->address) {
            saved.bind = stored.bind;
            saved.address = stored.address;
        }
    }
    m_settings->setRelayConfig(saved);
}

void MainWindow::toggleServing()
{
    switch (m_controller->state()) {
    case RelayController::State::Running:
    case RelayController::State::Waiting:
        m_controller->stop();
        return;
    case RelayController::State::Stopping:
        return;
    case RelayController::State::Stopped:
        break;
    }
    QString error;
    const RelayConfig config = m_form->config(&error);
    if (!error.isEmpty()) {
        showError(error);
        return;
    }
    saveRelayConfig(config);
    m_settings->sync();
    if (m_controller->start(config))
        showError(QString());
}

bool MainWindow::exportSettings(const QString &path)
{
    QString error;
    const RelayConfig config = m_form->config(&error);
    if (!error.isEmpty()) {
        showError(error);
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)
        || file.write(relayConfigFileText(config).toUtf8()) < 0 || !file.commit()) {
        showError(
            tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        return false;
    }
    return true;
}

bool MainWindow::saveTraffic(const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)
        || file.write(m_traffic->toText().toUtf8()) < 0 || !file.commit()) {
        showError(
            tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        return false;
    }
    return true;
}

void MainWindow::bringForward()
{
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    show();
    raise();
    activateWindow();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    const int clients = m_controller->relay()->clientCount();
    const QString question = clients == 1
        ? tr("1 client is connected. Quitting disconnects it and stops the relay. Quit anyway?")
        : tr("%1 clients are connected. Quitting disconnects them and stops the relay. Quit "
             "anyway?")
              .arg(clients);
    if (clients > 0 && !m_question(question)) {
        event->ignore();
        return;
    }
    saveSettings();
    event->accept();
}

void MainWindow::saveSettings()
{
    m_settings->setWindowGeometry(saveGeometry());
    QString error;
    const RelayConfig config = m_form->config(&error);
    if (error.isEmpty())
        saveRelayConfig(config);
    m_settings->sync();
}

void MainWindow::updateState()
{
    const RelayController::State state = m_controller->state();
    m_stateLabel->setText(m_controller->stateText());
    m_hintLabel->setText(m_controller->connectionHint());
    const QString web = m_controller->webAddress();
    const auto link = [](const QString &url) {
        return QStringLiteral("<a href=\"%1\">%1</a>").arg(url.toHtmlEscaped());
    };
    m_monitoringLabel->setText(
        tr("Monitoring: %1 and %2")
            .arg(link(web + QStringLiteral("health")), link(web + QStringLiteral("metrics"))));
    m_monitoringLabel->setVisible(!web.isEmpty());
    const bool running = state == RelayController::State::Running;
    QString color = kGrey;
    if (running)
        color = kGreen;
    else if (state != RelayController::State::Stopped)
        color = kAmber;
    paintDot(m_stateDot, color);
    m_startStop->setText(state == RelayController::State::Stopped ? tr("Start") : tr("Stop"));
    m_startStop->setEnabled(state != RelayController::State::Stopping);
    m_copy->setVisible(running);
    m_form->setRelaySettingsEnabled(state == RelayController::State::Stopped);
    m_sendLine->setEnabled(running);
    m_send->setEnabled(running);
    updateAnnouncement();
    updateMqtt();
}

// How clients find the relay by name, while it serves: "Announced as "Gallery 2"" (green); amber
// while it is not (yet) on the network under the name asked for; grey when it cannot be (a relay
// for this computer only, a build without Bonjour). Nothing when the technician turned it off.
void MainWindow::updateAnnouncement()
{
    const RelayServer *relay = m_controller->relay();
    const RelayAnnouncer &announcer = relay->announcer();
    const bool shown
        = m_controller->state() == RelayController::State::Running && relay->config().announce;
    m_announcementRow->setVisible(shown);
    if (!shown)
        return;
    QString text;
    QString color = kAmber;
    switch (announcer.state()) {
    case RelayAnnouncer::State::Off: // announce is on: the relay listens on localhost only
        text = tr("Not announced on the network: the relay listens on this computer only");
        color = kGrey;
        break;
    case RelayAnnouncer::State::Registering:
        text = tr("Announcing \"%1\" on the network…").arg(announcer.name());
        break;
    case RelayAnnouncer::State::Announced:
        if (announcer.name() == announcer.requestedName()) {
            text = tr("Announced as \"%1\"").arg(announcer.name());
            color = kGreen;
        } else {
            text = tr("Announced as \"%1\": another relay on the network is called \"%2\"")
                       .arg(announcer.name(), announcer.requestedName());
        }
        break;
    case RelayAnnouncer::State::Unavailable:
        text = tr("Not announced on the network: %1").arg(announcer.errorString());
        if (!Bonjour::isBuiltIn())
            color = kGrey;
        break;
    }
    m_announcementLabel->setText(text);
    paintDot(m_announcementDot, color);
}

// "MQTT: connected to broker.local:1883, topic museum/gallery2", while the relay serves with a
// broker; amber while it is not connected.
void MainWindow::updateMqtt()
{
    const std::optional<MqttStatus> status = m_controller->relay()->mqttStatus();
    const bool shown = status && m_controller->state() == RelayController::State::Running;
    m_mqttRow->setVisible(shown);
    if (!shown)
        return;
    m_mqttLabel->setText(tr("MQTT: %1").arg(status->text()));
    paintDot(m_mqttDot, status->state == MqttStatus::State::Connected ? kGreen : kAmber);
}

void MainWindow::showError(const QString &message)
{
    m_errorLabel->setText(message);
    m_errorLabel->setVisible(!message.isEmpty());
}

void MainWindow::disconnectSelected()
{
    const QModelIndexList rows = m_clientsView->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows)
        m_controller->relay()->disconnectClient(m_clients->clientId(row.row()));
}

void MainWindow::sendToAll()
{
    const QString text = m_sendLine->text();
    if (text.isEmpty() || m_controller->state() != RelayController::State::Running)
        return;
    m_controller->broadcast(text);
    m_sendLine->clear();
}
