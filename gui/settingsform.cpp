#include "settingsform.h"

#include "relayoptions.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace {

QSpinBox *spinBox(int min, int max, const QString &name)
{
    auto *box = new QSpinBox;
    box->setRange(min, max);
    box->setObjectName(name);
    box->setAlignment(Qt::AlignRight);
    return box;
}

} // namespace

SettingsForm::SettingsForm(QWidget *parent)
    : QWidget(parent)
    , m_choices(BindChoice::available())
    , m_availableChoices(m_choices.size())
    , m_bind(new QComboBox)
    , m_port(spinBox(0, 65535, QStringLiteral("port")))
    , m_maxClients(spinBox(1, RelayConfig::kMaxClientsLimit, QStringLiteral("maxClients")))
    , m_eol(new QComboBox)
    , m_echo(new QCheckBox(tr("Back to its sender")))
    , m_maxMessage(
          spinBox(1, int(RelayConfig::kMaxMessageBytesLimit), QStringLiteral("maxMessageBytes")))
    , m_allow(new QLineEdit)
    , m_heartbeat(spinBox(0, RelayConfig::kMaxHeartbeatSeconds, QStringLiteral("heartbeat")))
    , m_webSocketPort(spinBox(-1, 65535, QStringLiteral("wsPort")))
    , m_webOrigins(new QLineEdit)
    , m_localName(new QLineEdit)
    , m_flashPolicy(new QCheckBox(tr("Answer Flash/AIR policy requests")))
    , m_startOnOpen(new QCheckBox(tr("Start serving when the app opens")))
    , m_openAtLogin(new QCheckBox(tr("Open at login")))
{
    m_bind->setObjectName(QStringLiteral("bind"));
    for (const BindChoice &choice : std::as_const(m_choices))
        m_bind->addItem(choice.label);
    m_bind->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_bind->setMinimumContentsLength(16);
    m_port->setGroupSeparatorShown(false);
    m_port->setToolTip(tr("0 picks a free port"));
    m_maxMessage->setSuffix(tr(" bytes"));
    m_heartbeat->setSuffix(tr(" s"));
    m_heartbeat->setSpecialValueText(tr("Off"));
    m_eol->setObjectName(QStringLiteral("eol"));
    m_eol->setEditable(true);
    m_eol->addItems({QStringLiteral("auto"), QStringLiteral("lf"), QStringLiteral("crlf"),
        QStringLiteral("cr"), QStringLiteral("nul")});
    m_eol->setToolTip(tr("auto: a message ends at LF, CRLF or NUL, and each client gets messages "
                         "ended the way it ends its own.\nOr one exact ending for all: lf, crlf, "
                         "cr, nul, or character codes such as 0,14."));
    m_echo->setObjectName(QStringLiteral("echo"));
    m_allow->setObjectName(QStringLiteral("allow"));
    m_allow->setPlaceholderText(tr("Anyone, or e.g. 192.168.1.0/24"));
    m_webSocketPort->setGroupSeparatorShown(false);
    m_webSocketPort->setSpecialValueText(tr("Off"));
    m_webSocketPort->setToolTip(
        tr("Web pages connect with WebSocket to this port, and "
           "http://ADDRESS:PORT/ shows a test page.\n0 picks a free port."));
    m_webOrigins->setObjectName(QStringLiteral("wsOrigins"));
    m_webOrigins->setPlaceholderText(tr("Any page, or e.g. http://kiosk.local:8080"));
    m_localName->setObjectName(QStringLiteral("local"));
    m_localName->setPlaceholderText(tr("Off, or a name such as socketserver"));
    m_localName->setToolTip(tr("Programs on this computer may also connect to a local socket "
                               "of this name."));
    m_flashPolicy->setObjectName(QStringLiteral("flashPolicy"));
    m_startOnOpen->setObjectName(QStringLiteral("startOnOpen"));
    m_openAtLogin->setObjectName(QStringLiteral("openAtLogin"));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Listen on:"), m_bind);
    form->addRow(tr("Port:"), m_port);
    form->addRow(tr("Max clients:"), m_maxClients);
    form->addRow(tr("Message ending:"), m_eol);
    form->addRow(tr("Echo:"), m_echo);
    form->addRow(tr("Max message:"), m_maxMessage);
    form->addRow(tr("Allow only:"), m_allow);
    form->addRow(tr("Heartbeat:"), m_heartbeat);
    form->addRow(tr("Web pages port:"), m_webSocketPort);
    form->addRow(tr("Web pages from:"), m_webOrigins);
    form->addRow(tr("Local socket:"), m_localName);
    form->addRow(tr("Flash:"), m_flashPolicy);
    auto *note = new QLabel(tr("Changes apply at the next Start."));
    note->setObjectName(QStringLiteral("settingsNote"));
    note->setEnabled(false);
    note->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addSpacing(8);
    layout->addWidget(m_startOnOpen);
    layout->addWidget(m_openAtLogin);
    layout->addStretch(1);

    m_relayWidgets = {m_bind, m_port, m_maxClients, m_eol, m_echo, m_maxMessage, m_allow,
        m_heartbeat, m_webSocketPort, m_webOrigins, m_localName, m_flashPolicy};
    connect(m_bind, &QComboBox::activated, this, &SettingsForm::edited);
    for (QSpinBox *box : {m_port, m_maxClients, m_maxMessage, m_heartbeat, m_webSocketPort})
        connect(box, &QSpinBox::valueChanged, this, &SettingsForm::edited);
    connect(m_eol, &QComboBox::currentTextChanged, this, &SettingsForm::edited);
    for (QCheckBox *box : {m_echo, m_flashPolicy})
        connect(box, &QCheckBox::toggled, this, &SettingsForm::edited);
    for (QLineEdit *line : {m_allow, m_webOrigins, m_localName})
        connect(line, &QLineEdit::textEdited, this, &SettingsForm::edited);
    connect(m_openAtLogin, &QCheckBox::toggled, this, &SettingsForm::openAtLoginToggled);
    connect(m_startOnOpen, &QCheckBox::toggled, this, &SettingsForm::startOnOpenToggled);
}

void SettingsForm::setConfig(const RelayConfig &config)
{
    const QSignalBlocker blockers[] = {QSignalBlocker(m_bind), QSignalBlocker(m_port),
        QSignalBlocker(m_maxClients), QSignalBlocker(m_eol), QSignalBlocker(m_echo),
        QSignalBlocker(m_maxMessage), QSignalBlocker(m_allow), QSignalBlocker(m_heartbeat),
        QSignalBlocker(m_webSocketPort), QSignalBlocker(m_webOrigins), QSignalBlocker(m_localName),
        QSignalBlocker(m_flashPolicy)};
    m_base = config;
    // The address of an earlier call that is not on this machine: replaced, not kept.
    while (m_choices.size() > m_availableChoices) {
        m_choices.removeLast();
        m_bind->removeItem(m_bind->count() - 1);
    }
    int index = BindChoice::indexOf(m_choices, config);
    if (index < 0) {
        // An address that is not on this machine now (a cable unplugged): keep it, say so.
        m_choices.append({tr("%1 (not on this computer now)").arg(config.address.toString()),
            RelayConfig::Bind::Address, config.address});
        m_bind->addItem(m_choices.last().label);
        index = int(m_choices.size()) - 1;
    }
    m_bind->setCurrentIndex(index);
    m_port->setValue(config.port);
    m_maxClients->setValue(config.maxClients);
    m_eol->setCurrentText(config.terminator.name());
    m_echo->setChecked(config.echo);
    // A message longer than the output budget would disconnect every client it goes to.
    m_maxMessage->setMaximum(int(qMin(RelayConfig::kMaxMessageBytesLimit, config.maxClientBuffer)));
    m_maxMessage->setValue(int(qMin<qsizetype>(config.maxMessageBytes, m_maxMessage->maximum())));
    QStringList ranges;
    for (const auto &subnet : config.allow)
        ranges.append(subnet.first.toString() + u'/' + QString::number(subnet.second));
    m_allow->setText(ranges.join(QStringLiteral(", ")));
    m_heartbeat->setValue(config.heartbeatSeconds);
    m_webSocketPort->setValue(config.webSocketEnabled ? config.webSocketPort : -1);
    m_webOrigins->setText(config.webSocketOrigins.join(QStringLiteral(", ")));
    m_localName->setText(config.localServerName);
    m_flashPolicy->setChecked(config.flashPolicy);
}

RelayConfig SettingsForm::config(QString *error) const
{
    RelayConfig config = m_base;
    const BindChoice &choice = m_choices.at(qMax(0, m_bind->currentIndex()));
    config.bind = choice.bind;
    config.address = choice.address;
    config.port = quint16(m_port->value());
    config.maxClients = m_maxClients->value();
    config.echo = m_echo->isChecked();
    config.maxMessageBytes = m_maxMessage->value();
    config.heartbeatSeconds = m_heartbeat->value();
    config.webSocketEnabled = m_webSocketPort->value() >= 0;
    config.webSocketPort = quint16(qMax(0, m_webSocketPort->value()));
    config.localServerName = m_localName->text().trimmed();
    config.flashPolicy = m_flashPolicy->isChecked();
    // The terminator and the lists are checked by the daemon's own parser.
    QStringList args = {QStringLiteral("--eol"), m_eol->currentText().trimmed()};
    if (!m_allow->text().trimmed().isEmpty())
        args << QStringLiteral("--allow") << m_allow->text();
    if (!m_webOrigins->text().trimmed().isEmpty())
        args << QStringLiteral("--ws-origin") << m_webOrigins->text();
    const RelayOptions parsed = parseRelayOptions(args);
    if (parsed.action == RelayOptions::Action::Fail) {
        if (error) {
            QString message = parsed.error;
            message.replace(QStringLiteral("--eol: "), tr("Message ending: "));
            message.replace(QStringLiteral("--allow: "), tr("Allow only: "));
            message.replace(QStringLiteral("--ws-origin: "), tr("Web pages from: "));
            *error = message;
        }
        return m_base;
    }
    config.terminator = parsed.config.terminator;
    config.allow = parsed.config.allow;
    config.webSocketOrigins = parsed.config.webSocketOrigins;
    if (error)
        error->clear();
    return config;
}

bool SettingsForm::startOnOpen() const
{
    return m_startOnOpen->isChecked();
}

void SettingsForm::setStartOnOpen(bool on)
{
    const QSignalBlocker blocker(m_startOnOpen);
    m_startOnOpen->setChecked(on);
}

void SettingsForm::setOpenAtLogin(bool on)
{
    const QSignalBlocker blocker(m_openAtLogin);
    m_openAtLogin->setChecked(on);
}

void SettingsForm::setRelaySettingsEnabled(bool enabled)
{
    for (QWidget *widget : std::as_const(m_relayWidgets))
        widget->setEnabled(enabled);
}
