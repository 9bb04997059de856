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
    , m_bind(new QComboBox)
    , m_port(spinBox(0, 65535, QStringLiteral("port")))
    , m_maxClients(spinBox(1, 1000000, QStringLiteral("maxClients")))
    , m_eol(new QComboBox)
    , m_echo(new QCheckBox(tr("Back to its sender")))
    , m_maxMessage(spinBox(1, 64 * 1024 * 1024, QStringLiteral("maxMessageBytes")))
    , m_allow(new QLineEdit)
    , m_heartbeat(spinBox(0, 24 * 60 * 60, QStringLiteral("heartbeat")))
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

    m_relayWidgets
        = {m_bind, m_port, m_maxClients, m_eol, m_echo, m_maxMessage, m_allow, m_heartbeat};
    connect(m_bind, &QComboBox::activated, this, &SettingsForm::edited);
    for (QSpinBox *box : {m_port, m_maxClients, m_maxMessage, m_heartbeat})
        connect(box, &QSpinBox::valueChanged, this, &SettingsForm::edited);
    connect(m_eol, &QComboBox::currentTextChanged, this, &SettingsForm::edited);
    connect(m_echo, &QCheckBox::toggled, this, &SettingsForm::edited);
    connect(m_allow, &QLineEdit::textEdited, this, &SettingsForm::edited);
    connect(m_openAtLogin, &QCheckBox::toggled, this, &SettingsForm::openAtLoginToggled);
}

void SettingsForm::setConfig(const RelayConfig &config)
{
    const QSignalBlocker blockers[] = {QSignalBlocker(m_bind), QSignalBlocker(m_port),
        QSignalBlocker(m_maxClients), QSignalBlocker(m_eol), QSignalBlocker(m_echo),
        QSignalBlocker(m_maxMessage), QSignalBlocker(m_allow), QSignalBlocker(m_heartbeat)};
    m_base = config;
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
    m_maxMessage->setValue(int(qMin<qsizetype>(config.maxMessageBytes, m_maxMessage->maximum())));
    QStringList ranges;
    for (const auto &subnet : config.allow)
        ranges.append(subnet.first.toString() + u'/' + QString::number(subnet.second));
    m_allow->setText(ranges.join(QStringLiteral(", ")));
    m_heartbeat->setValue(config.heartbeatSeconds);
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
    // The terminator and the allow list are checked by the daemon's own parser.
    QStringList args = {QStringLiteral("--eol"), m_eol->currentText().trimmed()};
    if (!m_allow->text().trimmed().isEmpty())
        args << QStringLiteral("--allow") << m_allow->text();
    const RelayOptions parsed = parseRelayOptions(args);
    if (parsed.action == RelayOptions::Action::Fail) {
        if (error) {
            QString message = parsed.error;
            message.replace(QStringLiteral("--eol: "), tr("Message ending: "));
            message.replace(QStringLiteral("--allow: "), tr("Allow only: "));
            *error = message;
        }
        return m_base;
    }
    config.terminator = parsed.config.terminator;
    config.allow = parsed.config.allow;
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
