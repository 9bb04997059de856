#include "connectiontab.h"

#include "connectionsession.h"
#include "messagelogmodel.h"
#include "repeatsender.h"
#include "testclientsettings.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStyle>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

QToolButton *toggleButton(const QString &text, const QString &toolTip, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setToolTip(toolTip);
    button->setCheckable(true);
    button->setAutoRaise(false);
    return button;
}

} // namespace

ConnectionTab::ConnectionTab(
    TestClientSettings *settings, const RelayBrowser *browser, QWidget *parent)
    : QWidget(parent)
    , m_settings(settings)
    , m_session(new ConnectionSession(this))
    , m_chooseSaveFile([](QWidget *parent) {
        return QFileDialog::getSaveFileName(
            parent, tr("Save the messages"), QString(), tr("Text (*.txt);;CSV (*.csv)"));
    })
    , m_browser(browser)
    , m_host(new QComboBox(this))
    , m_port(new QSpinBox(this))
    , m_autoReconnect(new QCheckBox(tr("Reconnect by itself"), this))
    , m_connect(new QPushButton(tr("Connect"), this))
    , m_status(new QLabel(this))
    , m_filter(new QLineEdit(this))
    , m_pause(toggleButton(tr("Pause"), tr("Stop adding messages to the table"), this))
    , m_hex(toggleButton(tr("Hex"), tr("Show the bytes in hexadecimal"), this))
    , m_relativeTime(
          toggleButton(tr("Relative time"), tr("Show seconds since the first message"), this))
    , m_table(new QTableView(this))
    , m_sendLine(new QLineEdit(this))
    , m_format(new QComboBox(this))
    , m_ending(new QComboBox(this))
    , m_send(new QPushButton(tr("Send"), this))
    , m_repeatInterval(new QSpinBox(this))
    , m_repeatCount(new QSpinBox(this))
    , m_repeat(new QPushButton(tr("Repeat"), this))
    , m_repeatProgress(new QLabel(this))
    , m_feedback(new QLabel(this))
    , m_rates(new QLabel(this))
{
    m_host->setObjectName(QStringLiteral("host"));
    m_port->setObjectName(QStringLiteral("port"));
    m_autoReconnect->setObjectName(QStringLiteral("autoReconnect"));
    m_connect->setObjectName(QStringLiteral("connect"));
    m_status->setObjectName(QStringLiteral("status"));
    m_filter->setObjectName(QStringLiteral("filter"));
    m_pause->setObjectName(QStringLiteral("pause"));
    m_hex->setObjectName(QStringLiteral("hex"));
    m_relativeTime->setObjectName(QStringLiteral("relativeTime"));
    m_table->setObjectName(QStringLiteral("messages"));
    m_sendLine->setObjectName(QStringLiteral("sendLine"));
    m_format->setObjectName(QStringLiteral("format"));
    m_ending->setObjectName(QStringLiteral("ending"));
    m_send->setObjectName(QStringLiteral("send"));
    m_repeatInterval->setObjectName(QStringLiteral("repeatInterval"));
    m_repeatCount->setObjectName(QStringLiteral("repeatCount"));
    m_repeat->setObjectName(QStringLiteral("repeat"));
    m_repeatProgress->setObjectName(QStringLiteral("repeatProgress"));
    m_feedback->setObjectName(QStringLiteral("feedback"));
    m_rates->setObjectName(QStringLiteral("rates"));

    // Connection bar.
    m_host->setEditable(true);
    m_host->setInsertPolicy(QComboBox::NoInsert); // what is typed is a host, not a new item
    m_host->setCompleter(nullptr); // no relay's name completed into a host name
    m_host->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_host->setMinimumWidth(160);
    m_host->lineEdit()->setPlaceholderText(tr("relay's machine"));
    m_host->setEditText(m_settings->host());
    m_port->setRange(1, 65535);
    m_port->setValue(m_settings->port());
    m_autoReconnect->setChecked(m_settings->autoReconnect());
    m_autoReconnect->setToolTip(tr("Connect again after a lost connection or a failed attempt"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *connectionBar = new QHBoxLayout;
    connectionBar->addWidget(new QLabel(tr("Host"), this));
    connectionBar->addWidget(m_host, 2);
    connectionBar->addWidget(new QLabel(tr("Port"), this));
    connectionBar->addWidget(m_port);
    connectionBar->addWidget(m_autoReconnect);
    connectionBar->addWidget(m_connect);
    connectionBar->addWidget(m_status, 3);

    // View bar.
    m_filter->setPlaceholderText(tr("Filter messages"));
    m_filter->setClearButtonEnabled(true);
    auto *clear = new QPushButton(tr("Clear"), this);
    clear->setObjectName(QStringLiteral("clear"));
    auto *save = new QPushButton(tr("Save…"), this);
    save->setObjectName(QStringLiteral("save"));
    save->setToolTip(tr("Save the table as text or CSV"));
    auto *copy = new QPushButton(tr("Copy"), this);
    copy->setObjectName(QStringLiteral("copy"));
    copy->setToolTip(tr("Copy the selected rows (Ctrl+C)"));
    auto *viewBar = new QHBoxLayout;
    viewBar->addWidget(m_filter, 1);
    viewBar->addWidget(m_pause);
    viewBar->addWidget(m_hex);
    viewBar->addWidget(m_relativeTime);
    viewBar->addWidget(copy);
    viewBar->addWidget(save);
    viewBar->addWidget(clear);

    // The table.
    m_table->setModel(m_session->filteredLog());
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    const int digit = m_table->fontMetrics().horizontalAdvance(u'0');
    m_table->setColumnWidth(MessageLogModel::TimeColumn, digit * 15);
    m_table->setColumnWidth(MessageLogModel::DirectionColumn, digit * 11);
    m_table->setColumnWidth(MessageLogModel::SizeColumn, digit * 7);

    // Send line and repeat.
    m_sendLine->setPlaceholderText(tr("Message to send: text with \\n \\r \\t \\0 \\\\ \\xNN, "
                                      "or hex bytes; Up and Down for history"));
    m_sendLine->installEventFilter(this);
    m_format->addItem(tr("Text"), int(OutgoingMessage::Format::Text));
    m_format->addItem(tr("Hex"), int(OutgoingMessage::Format::Hex));
    m_format->setToolTip(tr("Text with escapes, or hexadecimal bytes (48 65 6c)"));
    m_ending->addItem(tr("LF"), int(OutgoingMessage::Ending::Lf));
    m_ending->addItem(tr("CRLF"), int(OutgoingMessage::Ending::CrLf));
    m_ending->addItem(tr("NUL"), int(OutgoingMessage::Ending::Nul));
    m_ending->addItem(tr("none"), int(OutgoingMessage::Ending::None));
    m_ending->setToolTip(tr("Ending appended to each message sent"));
    m_ending->setCurrentIndex(m_ending->findData(int(m_settings->sendEnding())));
    m_send->setDefault(true);
    auto *sendBar = new QHBoxLayout;
    sendBar->addWidget(m_sendLine, 1);
    sendBar->addWidget(m_format);
    sendBar->addWidget(m_ending);
    sendBar->addWidget(m_send);

    m_repeatInterval->setRange(1, 24 * 3600 * 1000);
    m_repeatInterval->setValue(500);
    m_repeatInterval->setSuffix(tr(" ms"));
    m_repeatCount->setRange(0, 1000000000);
    m_repeatCount->setValue(10);
    m_repeatCount->setSpecialValueText(tr("forever"));
    m_repeatCount->setSuffix(tr(" times"));
    auto *repeatBar = new QHBoxLayout;
    repeatBar->addWidget(new QLabel(tr("Repeat every"), this));
    repeatBar->addWidget(m_repeatInterval);
    repeatBar->addWidget(m_repeatCount);
    repeatBar->addWidget(m_repeat);
    repeatBar->addWidget(m_repeatProgress);
    repeatBar->addStretch(1);
    repeatBar->addWidget(m_rates);

    m_feedback->setWordWrap(true);
    m_feedback->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(connectionBar);
    layout->addLayout(viewBar);
    layout->addWidget(m_table, 1);
    layout->addLayout(sendBar);
    layout->addLayout(repeatBar);
    layout->addWidget(m_feedback);

    connect(m_connect, &QPushButton::clicked, this, &ConnectionTab::toggleConnection);
    connect(m_host->lineEdit(), &QLineEdit::returnPressed, this, &ConnectionTab::toggleConnection);
    connect(m_host, &QComboBox::activated, this, &ConnectionTab::chooseRelay);
    connect(m_browser, &RelayBrowser::relaysChanged, this, &ConnectionTab::showRelays);
    connect(m_browser, &RelayBrowser::availabilityChanged, this, &ConnectionTab::showRelays);
    connect(m_autoReconnect, &QCheckBox::toggled, m_session, &ConnectionSession::setAutoReconnect);
    connect(m_filter, &QLineEdit::textChanged, m_session, &ConnectionSession::setFilterText);
    connect(m_pause, &QToolButton::toggled, m_session, &ConnectionSession::setLogPaused);
    connect(
        m_hex, &QToolButton::toggled, this, [this](bool on) { m_session->log()->setHexView(on); });
    connect(m_relativeTime, &QToolButton::toggled, this, [this](bool on) {
        m_session->log()->setTimeFormat(
            on ? MessageLogModel::TimeFormat::Relative : MessageLogModel::TimeFormat::Absolute);
    });
    connect(clear, &QPushButton::clicked, m_session, &ConnectionSession::clearLog);
    connect(save, &QPushButton::clicked, this, &ConnectionTab::saveLog);
    connect(copy, &QPushButton::clicked, this, &ConnectionTab::copyRows);
    auto *copyShortcut = new QShortcut(QKeySequence::Copy, m_table);
    copyShortcut->setContext(Qt::WidgetShortcut);
    connect(copyShortcut, &QShortcut::activated, this, &ConnectionTab::copyRows);
    connect(m_sendLine, &QLineEdit::returnPressed, this, &ConnectionTab::sendCurrent);
    connect(m_send, &QPushButton::clicked, this, &ConnectionTab::sendCurrent);
    connect(m_repeat, &QPushButton::clicked, this, &ConnectionTab::toggleRepeat);
    connect(m_ending, &QComboBox::currentIndexChanged, this, [this] {
        m_settings->setSendEnding(OutgoingMessage::Ending(m_ending->currentData().toInt()));
    });

    connect(m_session, &ConnectionSession::statusChanged, this, &ConnectionTab::showState);
    connect(m_session, &ConnectionSession::ratesChanged, this, &ConnectionTab::showRates);
    connect(
        m_session->repeatSender(), &RepeatSender::progressed, this, [this](int sent, int count) {
            m_repeatProgress->setText(
                count > 0 ? tr("%1 of %2 sent").arg(sent).arg(count) : tr("%1 sent").arg(sent));
        });
    connect(m_session->repeatSender(), &RepeatSender::finished, this,
        [this] { m_repeat->setText(tr("Repeat")); });
    // Follow new rows while the view is at the bottom; stay put while the user reads above.
    // Rows come in batches (see ConnectionSession): one scroll per batch.
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this,
        [this](int value) { m_followTail = value == m_table->verticalScrollBar()->maximum(); });
    connect(m_session->filteredLog(), &QAbstractItemModel::rowsInserted, this,
        &ConnectionTab::scrollIfAtBottom);
    showRelays();
    showState();
    showRates();
}

void ConnectionTab::connectTo(const QString &host, quint16 port)
{
    m_host->setEditText(host);
    m_port->setValue(port);
    if (m_session->state() != RelayLink::State::Disconnected)
        m_session->close();
    toggleConnection();
}

OutgoingMessage ConnectionTab::currentMessage() const
{
    OutgoingMessage message;
    message.text = m_sendLine->text();
    message.format = OutgoingMessage::Format(m_format->currentData().toInt());
    message.ending = OutgoingMessage::Ending(m_ending->currentData().toInt());
    return message;
}

void ConnectionTab::sendMessage(const OutgoingMessage &message)
{
    const QString error = m_session->send(message);
    showFeedback(error, !error.isEmpty());
}

bool ConnectionTab::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_sendLine && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Up || key == Qt::Key_Down) {
            if (!m_history.isBrowsing()) // pick up what other tabs sent meanwhile
                m_history.setEntries(m_settings->sendHistory());
            m_sendLine->setText(key == Qt::Key_Up ? m_history.previous(m_sendLine->text())
                                                  : m_history.next(m_sendLine->text()));
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ConnectionTab::toggleConnection()
{
    if (m_session->state() != RelayLink::State::Disconnected) {
        m_session->close();
        return;
    }
    const QString host = m_host->currentText().trimmed();
    if (host.isEmpty()) {
        showFeedback(tr("Type the name or IP address of the relay's machine."), true);
        return;
    }
    m_settings->setHost(host);
    m_settings->setPort(quint16(m_port->value()));
    m_settings->setAutoReconnect(m_autoReconnect->isChecked());
    m_session->setAutoReconnect(m_autoReconnect->isChecked());
    m_session->open(host, quint16(m_port->value()));
    emit titleChanged(m_session->title());
}

void ConnectionTab::showRelays()
{
    const QString typed = m_host->currentText();
    const int cursor = m_host->lineEdit()->cursorPosition();
    const QSignalBlocker blocker(m_host);
    m_relays = m_browser->relays();
    m_host->clear();
    for (const FoundRelay &relay : std::as_const(m_relays))
        m_host->addItem(relay.label());
    QString note; // why the list is empty, as its only (disabled) line
    QString toolTip = tr("The machine the relay runs on: its name or IP address");
    if (!m_browser->isAvailable()) {
        note = tr("Cannot list the relays on the network: %1").arg(m_browser->errorString());
        toolTip += u'\n' + note;
    } else {
        toolTip += tr(", or choose a relay found on the network");
        if (m_relays.isEmpty())
            note = tr("No relay found on the network");
    }
    if (!note.isEmpty()) {
        m_host->addItem(note);
        qobject_cast<QStandardItemModel *>(m_host->model())->item(0)->setEnabled(false);
    }
    m_host->setToolTip(toolTip);
    // The list as wide as its lines ("Gallery 3 (projection) — 192.168.1.20:6780"), however
    // narrow the field.
    QAbstractItemView *list = m_host->view();
    list->setMinimumWidth(list->sizeHintForColumn(0) + 2 * list->frameWidth()
        + list->style()->pixelMetric(QStyle::PM_ScrollBarExtent));
    m_host->setCurrentIndex(-1);
    m_host->setEditText(typed);
    m_host->lineEdit()->setCursorPosition(cursor);
}

void ConnectionTab::chooseRelay(int index)
{
    if (index < 0 || index >= m_relays.size())
        return;
    const FoundRelay relay = m_relays.at(index);
    connectTo(relay.address.toString(), relay.port);
}

void ConnectionTab::sendCurrent()
{
    const OutgoingMessage message = currentMessage();
    const QString error = m_session->send(message);
    showFeedback(error, !error.isEmpty());
    if (!error.isEmpty())
        return;
    remember(message.text);
    m_sendLine->clear();
}

void ConnectionTab::toggleRepeat()
{
    if (m_session->repeatSender()->isRunning()) {
        m_session->stopRepeat();
        return;
    }
    const OutgoingMessage message = currentMessage();
    const QString error
        = m_session->startRepeat(message, m_repeatInterval->value(), m_repeatCount->value());
    showFeedback(error, !error.isEmpty());
    if (!error.isEmpty())
        return;
    remember(message.text);
    if (m_session->repeatSender()->isRunning())
        m_repeat->setText(tr("Stop"));
}

void ConnectionTab::remember(const QString &line)
{
    m_settings->addToSendHistory(line);
    m_history.setEntries(m_settings->sendHistory());
}

void ConnectionTab::saveLog()
{
    const QString path = m_chooseSaveFile(this);
    if (path.isEmpty())
        return;
    const bool csv = path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive);
    m_session->flushLog(); // the file has every message up to now
    QSaveFile file(path);
    const QByteArray bytes
        = (csv ? m_session->log()->toCsv() : m_session->log()->toText()).toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) < 0 || !file.commit()) {
        showFeedback(tr("Cannot write %1: %2").arg(path, file.errorString()), true);
        return;
    }
    showFeedback(tr("Saved %1 messages to %2.").arg(m_session->log()->rowCount()).arg(path), false);
}

void ConnectionTab::copyRows()
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end());
    QStringList lines;
    for (const QModelIndex &index : std::as_const(rows))
        lines.append(m_session->log()->rowText(m_session->filteredLog()->mapToSource(index).row()));
    if (!lines.isEmpty())
        QApplication::clipboard()->setText(lines.join(u'\n') + u'\n');
}

void ConnectionTab::showState()
{
    const RelayLink::State state = m_session->state();
    m_connect->setText(state == RelayLink::State::Disconnected ? tr("Connect") : tr("Disconnect"));
    m_status->setText(m_session->statusText());
    QString color = QStringLiteral("#b26a00"); // connecting, waiting
    if (state == RelayLink::State::Connected)
        color = QStringLiteral("#2e7d32");
    else if (state == RelayLink::State::Disconnected)
        color = m_session->link()->errorString().isEmpty() ? QStringLiteral("#555555")
                                                           : QStringLiteral("#c62828");
    m_status->setStyleSheet(QStringLiteral("QLabel { color: %1; font-weight: bold; }").arg(color));
    m_send->setEnabled(state == RelayLink::State::Connected);
}

void ConnectionTab::showRates()
{
    const RateMeter &rates = m_session->rates();
    m_rates->setText(tr("in %1 msg/s (%2 in all)   out %3 msg/s (%4 in all)")
                         .arg(rates.inPerSecond(), 0, 'f', 1)
                         .arg(rates.totalIn())
                         .arg(rates.outPerSecond(), 0, 'f', 1)
                         .arg(rates.totalOut()));
}

void ConnectionTab::showFeedback(const QString &text, bool problem)
{
    m_feedback->setText(text);
    m_feedback->setStyleSheet(problem ? QStringLiteral("QLabel { color: #c62828; }") : QString());
    m_feedback->setVisible(!text.isEmpty());
}

void ConnectionTab::scrollIfAtBottom()
{
    if (m_followTail)
        m_table->scrollToBottom();
}
