#include "settingsform.h"

#include "bonjour.h"
#include "netaddress.h"
#include "relayoptions.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
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

// The parser's error in the form's words: "Topic: ..." for "--mqtt-topic: ...".
QString fieldError(QString message)
{
    message.replace(QStringLiteral("add --mqtt-direction in"), // the wildcard rule's advice
        SettingsForm::tr("set Direction to In"));
    const std::pair<QString, QString> fields[] = {
        {QStringLiteral("--eol"), SettingsForm::tr("Message ending")},
        {QStringLiteral("--name"), SettingsForm::tr("Network name")},
        {QStringLiteral("--allow"), SettingsForm::tr("Allow only")},
        {QStringLiteral("--ws-origin"), SettingsForm::tr("Web pages from")},
        {QStringLiteral("--expect"), SettingsForm::tr("Expected clients")},
        {QStringLiteral("--udp-target"), SettingsForm::tr("Targets")},
        {QStringLiteral("--osc-types"), SettingsForm::tr("OSC types")},
        {QStringLiteral("--mqtt"), SettingsForm::tr("Broker")},
        {QStringLiteral("--mqtt-topic"), SettingsForm::tr("Topic")},
        {QStringLiteral("--mqtt-direction"), SettingsForm::tr("Direction")},
        {QStringLiteral("--mqtt-user"), SettingsForm::tr("User")},
        {QStringLiteral("--mqtt-password-file"), SettingsForm::tr("Password file")},
        {QStringLiteral("--mqtt-ca"), SettingsForm::tr("CA file")},
        {QStringLiteral("--mqtt-client-id"), SettingsForm::tr("Client id")},
    };
    for (const auto &[option, field] : fields) {
        message.replace(option + QStringLiteral(": "), field + QStringLiteral(": "));
        message.replace(option + u' ', field + u' '); // "--mqtt-topic museum/#: ..."
    }
    return message;
}

} // namespace

SettingsForm::SettingsForm(QWidget *parent)
    : QWidget(parent)
    , m_choices(BindChoice::available())
    , m_availableChoices(m_choices.size())
    , m_bind(new QComboBox)
    , m_port(spinBox(0, 65535, QStringLiteral("port")))
    , m_name(new QLineEdit)
    , m_announce(new QCheckBox(tr("Announce on the network")))
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
    , m_udpPort(spinBox(-1, 65535, QStringLiteral("udpPort")))
    , m_udpTargets(new QLineEdit)
    , m_udpPeerSeconds(
          spinBox(1, RelayConfig::kMaxUdpPeerSeconds, QStringLiteral("udpPeerSeconds")))
    , m_osc(new QCheckBox(tr("Speak OSC (Open Sound Control)")))
    , m_oscTypes(new QLineEdit)
    , m_expected(new QTableWidget(0, 2))
    , m_expectSilence(spinBox(0, RelayConfig::kMaxExpectSeconds, QStringLiteral("expectSilence")))
    , m_expectGrace(spinBox(0, RelayConfig::kMaxExpectSeconds, QStringLiteral("expectGrace")))
    , m_alarmMessage(new QLineEdit)
    , m_mqttUrl(new QLineEdit)
    , m_mqttTopic(new QLineEdit)
    , m_mqttDirection(new QComboBox)
    , m_mqttUser(new QLineEdit)
    , m_mqttPasswordFile(new QLineEdit)
    , m_mqttCaFile(new QLineEdit)
    , m_mqttClientId(new QLineEdit)
    , m_mqttQos(new QComboBox)
    , m_mqttQueue(spinBox(0, MqttSettings::kMaxQueue, QStringLiteral("mqttQueue")))
    , m_startOnOpen(new QCheckBox(tr("Start serving when the app opens")))
    , m_openAtLogin(new QCheckBox(tr("Open at login")))
    , m_fileChooser([this](const QString &caption, const QString &current) {
        return QFileDialog::getOpenFileName(this, caption, current);
    })
{
    m_bind->setObjectName(QStringLiteral("bind"));
    for (const BindChoice &choice : std::as_const(m_choices))
        m_bind->addItem(choice.label);
    m_bind->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_bind->setMinimumContentsLength(16);
    m_port->setGroupSeparatorShown(false);
    m_port->setToolTip(tr("0 picks a free port"));
    m_name->setObjectName(QStringLiteral("name"));
    m_name->setPlaceholderText(Bonjour::defaultName());
    m_name->setToolTip(tr("The relay's name on the network: the test client, the serial relay, "
                          "Macs and other\nBonjour browsers find it by this name, whatever its "
                          "address. Empty: %1.")
                           .arg(Bonjour::defaultName()));
    m_announce->setObjectName(QStringLiteral("announce"));
    m_announce->setToolTip(tr("Announce the relay with Bonjour (mDNS/DNS-SD) while it listens "
                              "beyond this computer."));
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
    form->addRow(tr("Network name:"), m_name);
    form->addRow(tr("Bonjour:"), m_announce);
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

    auto *relayPage = new QWidget;
    auto *relayLayout = new QVBoxLayout(relayPage);
    relayLayout->addLayout(form);
    relayLayout->addStretch(1);
    auto *tabs = new QTabWidget;
    tabs->setObjectName(QStringLiteral("settingsTabs"));
    tabs->addTab(relayPage, tr("Relay"));
    tabs->addTab(createExpectedPage(), tr("Expected Clients"));
    tabs->addTab(createMqttPage(), tr("Other Rooms"));
    tabs->addTab(createUdpPage(), tr("UDP/OSC"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tabs, 1);
    layout->addWidget(note);
    layout->addSpacing(8);
    layout->addWidget(m_startOnOpen);
    layout->addWidget(m_openAtLogin);

    m_relayWidgets
        += {m_bind, m_port, m_name, m_announce, m_maxClients, m_eol, m_echo, m_maxMessage, m_allow,
            m_heartbeat, m_webSocketPort, m_webOrigins, m_localName, m_flashPolicy};
    connect(m_bind, &QComboBox::activated, this, &SettingsForm::edited);
    for (QComboBox *box : {m_mqttDirection, m_mqttQos})
        connect(box, &QComboBox::activated, this, &SettingsForm::edited);
    for (QSpinBox *box : {m_port, m_maxClients, m_maxMessage, m_heartbeat, m_webSocketPort,
             m_udpPort, m_udpPeerSeconds, m_expectSilence, m_expectGrace, m_mqttQueue})
        connect(box, &QSpinBox::valueChanged, this, &SettingsForm::edited);
    connect(m_expected, &QTableWidget::itemChanged, this, &SettingsForm::edited);
    connect(m_eol, &QComboBox::currentTextChanged, this, &SettingsForm::edited);
    for (QCheckBox *box : {m_echo, m_announce, m_flashPolicy, m_osc})
        connect(box, &QCheckBox::toggled, this, &SettingsForm::edited);
    connect(m_announce, &QCheckBox::toggled, this, &SettingsForm::updateNameEnabled);
    for (QLineEdit *line :
        {m_name, m_allow, m_webOrigins, m_localName, m_udpTargets, m_oscTypes, m_alarmMessage,
            m_mqttUrl, m_mqttTopic, m_mqttUser, m_mqttPasswordFile, m_mqttCaFile, m_mqttClientId})
        connect(line, &QLineEdit::textEdited, this, &SettingsForm::edited);
    connect(m_openAtLogin, &QCheckBox::toggled, this, &SettingsForm::openAtLoginToggled);
    connect(m_startOnOpen, &QCheckBox::toggled, this, &SettingsForm::startOnOpenToggled);
}

// The expected clients: a table of name and match, the two times, the alarm message.
QWidget *SettingsForm::createExpectedPage()
{
    m_expected->setObjectName(QStringLiteral("expectedEditor"));
    m_expected->setHorizontalHeaderLabels({tr("Name"), tr("Match")});
    m_expected->horizontalHeader()->setStretchLastSection(true);
    m_expected->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_expected->setColumnWidth(0, 110);
    m_expected->verticalHeader()->hide();
    m_expected->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_expected->setToolTip(tr("Match: the IP address the client connects from (192.168.1.23),\n"
                              "or prefix:TEXT for the client whose messages start with TEXT."));
    auto *add = new QPushButton(tr("Add"));
    add->setObjectName(QStringLiteral("addExpected"));
    connect(add, &QPushButton::clicked, this, [this] {
        addExpectedRow(QString(), QString());
        m_expected->setCurrentCell(m_expected->rowCount() - 1, 0);
        m_expected->editItem(m_expected->currentItem());
        emit edited();
    });
    auto *remove = new QPushButton(tr("Remove"));
    remove->setObjectName(QStringLiteral("removeExpected"));
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_expected->currentRow();
        if (row < 0)
            return;
        m_expected->removeRow(row);
        emit edited();
    });
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(add);
    buttons->addWidget(remove);

    m_expectSilence->setSuffix(tr(" s"));
    m_expectSilence->setSpecialValueText(tr("Never"));
    m_expectSilence->setToolTip(tr("A connected client that has sent nothing for this long is "
                                   "silent\n(for programs that send their own heartbeat)."));
    m_expectGrace->setSuffix(tr(" s"));
    m_expectGrace->setToolTip(tr("How long a client may be away, after Start and after it "
                                 "leaves,\nbefore it is missing."));
    m_alarmMessage->setObjectName(QStringLiteral("alarmMessage"));
    m_alarmMessage->setPlaceholderText(tr("None, or e.g. alarm:{name}:{state}"));
    m_alarmMessage->setToolTip(tr("Sent to every client when an expected client goes missing or "
                                  "silent, and when it is back.\n{name}, {state} (missing, "
                                  "silent, back) and {address} are filled in."));
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Silent after:"), m_expectSilence);
    form->addRow(tr("Missing after:"), m_expectGrace);
    form->addRow(tr("Alarm message:"), m_alarmMessage);
    auto *hint = new QLabel(tr("Clients the exhibit needs. Match: the address it connects from, "
                               "or prefix:TEXT for the client whose messages start with TEXT. "
                               "The log says when one is missing or silent, and when it is "
                               "back."));
    hint->setWordWrap(true);
    hint->setEnabled(false);

    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(hint);
    layout->addWidget(m_expected, 1);
    layout->addLayout(buttons);
    layout->addLayout(form);
    m_relayWidgets += {m_expected, add, remove, m_expectSilence, m_expectGrace, m_alarmMessage};
    return page;
}

// Other rooms: the MQTT broker, its topic and how to join it.
QWidget *SettingsForm::createMqttPage()
{
    m_mqttUrl->setObjectName(QStringLiteral("mqtt"));
    m_mqttUrl->setPlaceholderText(tr("Off, or e.g. mqtt://broker.local"));
    m_mqttUrl->setToolTip(tr("mqtt://HOST or mqtts://HOST (TLS), port 1883 or 8883 unless given "
                             "as HOST:PORT.\nWhile the broker is away the relay serves as usual "
                             "and keeps trying."));
    m_mqttTopic->setObjectName(QStringLiteral("mqttTopic"));
    m_mqttTopic->setPlaceholderText(MqttSettings().topic);
    m_mqttTopic->setToolTip(tr("The topic of the conversation, e.g. museum/gallery2.\nTo "
                               "listen to many (museum/#), set Direction to In."));
    m_mqttDirection->setObjectName(QStringLiteral("mqttDirection"));
    m_mqttDirection->addItem(tr("Both: send and receive"), QStringLiteral("both"));
    m_mqttDirection->addItem(tr("Out: only send"), QStringLiteral("out"));
    m_mqttDirection->addItem(tr("In: only receive"), QStringLiteral("in"));
    m_mqttDirection->setToolTip(tr("Out: a room that reports to a central screen.\nIn: a screen "
                                   "that only listens."));
    m_mqttUser->setObjectName(QStringLiteral("mqttUser"));
    m_mqttUser->setPlaceholderText(tr("None"));
    m_mqttPasswordFile->setObjectName(QStringLiteral("mqttPasswordFile"));
    m_mqttPasswordFile->setPlaceholderText(tr("None"));
    m_mqttPasswordFile->setToolTip(tr("A file whose first line is the broker's password (the "
                                      "panel never stores the password itself)."));
    m_mqttCaFile->setObjectName(QStringLiteral("mqttCa"));
    m_mqttCaFile->setPlaceholderText(tr("The system's CAs"));
    m_mqttCaFile->setToolTip(tr("For mqtts://: trust the broker's certificate if this CA (PEM) "
                                "signed it."));
    m_mqttClientId->setObjectName(QStringLiteral("mqttClientId"));
    m_mqttClientId->setPlaceholderText(QStringLiteral("socketserver-HOST-PORT"));
    m_mqttClientId->setToolTip(tr("By default this computer's name and the relay's port, so "
                                  "two relays never share an id."));
    m_mqttQos->setObjectName(QStringLiteral("mqttQos"));
    m_mqttQos->addItem(tr("0: at most once"), 0);
    m_mqttQos->addItem(tr("1: at least once"), 1);
    m_mqttQos->setToolTip(tr("0: the fastest.\n1: the broker acknowledges each message."));
    m_mqttQueue->setSpecialValueText(tr("None: drop"));
    m_mqttQueue->setSuffix(tr(" messages"));
    m_mqttQueue->setToolTip(tr("The last messages kept while the broker is away, and sent when "
                               "it is back.\nNone: they are dropped (and counted)."));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Broker:"), m_mqttUrl);
    form->addRow(tr("Topic:"), m_mqttTopic);
    form->addRow(tr("Direction:"), m_mqttDirection);
    form->addRow(tr("User:"), m_mqttUser);
    form->addRow(tr("Password file:"), fileField(m_mqttPasswordFile, tr("Password File")));
    form->addRow(tr("CA file:"), fileField(m_mqttCaFile, tr("CA File")));
    form->addRow(tr("Client id:"), m_mqttClientId);
    form->addRow(tr("QoS:"), m_mqttQos);
    form->addRow(tr("Keep while away:"), m_mqttQueue);
    auto *hint = new QLabel(tr("Relays in other rooms and sites, and any MQTT program, share "
                               "this relay's messages through an MQTT broker."));
    hint->setWordWrap(true);
    hint->setEnabled(false);

    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(hint);
    layout->addLayout(form);
    layout->addStretch(1);
    m_relayWidgets += {m_mqttUrl, m_mqttTopic, m_mqttDirection, m_mqttUser, m_mqttPasswordFile,
        m_mqttCaFile, m_mqttClientId, m_mqttQos, m_mqttQueue};
    return page;
}

// UDP/OSC: the UDP port, the programs that only listen, how long the others are remembered, OSC.
QWidget *SettingsForm::createUdpPage()
{
    m_udpPort->setGroupSeparatorShown(false);
    m_udpPort->setSpecialValueText(tr("Off"));
    m_udpPort->setToolTip(tr("Programs send datagrams to this port, and get every message as a "
                             "datagram\nwhile they keep sending (same addresses as the TCP "
                             "port). 0 picks a free port."));
    m_udpTargets->setObjectName(QStringLiteral("udpTargets"));
    m_udpTargets->setPlaceholderText(tr("None, or e.g. 192.168.1.30:7000"));
    m_udpTargets->setToolTip(tr("Programs that only listen: every message is sent to each of "
                                "these addresses and ports\n(separated by commas or spaces; "
                                "[::1]:7000 for IPv6; names are not looked up)."));
    m_udpPeerSeconds->setSuffix(tr(" s of silence"));
    m_udpPeerSeconds->setToolTip(tr("A program that sent a datagram gets the messages for this "
                                    "long after its last one,\nthen it is forgotten until it "
                                    "sends again."));
    m_osc->setObjectName(QStringLiteral("osc"));
    m_osc->setToolTip(tr("OSC messages become lines such as \"/fader 0.5\", and lines that "
                         "start with / go out as OSC messages.\nOther lines are not sent to "
                         "the OSC programs."));
    m_oscTypes->setObjectName(QStringLiteral("oscTypes"));
    m_oscTypes->setPlaceholderText(tr("By their look, or e.g. /fader=f /mix=ifs"));
    m_oscTypes->setToolTip(tr("The OSC types of the arguments sent to an address (i int, f "
                              "float, s string, ...),\ne.g. /fader=f sends 1 as the float 1.0. "
                              "Separated by commas or spaces."));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("UDP port:"), m_udpPort);
    form->addRow(tr("Targets:"), m_udpTargets);
    form->addRow(tr("Forget after:"), m_udpPeerSeconds);
    form->addRow(tr("OSC:"), m_osc);
    form->addRow(tr("OSC types:"), m_oscTypes);
    auto *hint = new QLabel(tr("TouchDesigner, Max, Pure Data, lighting consoles and other tools "
                               "that talk UDP or OSC join the conversation through a UDP "
                               "port."));
    hint->setWordWrap(true);
    hint->setEnabled(false);

    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(hint);
    layout->addLayout(form);
    layout->addStretch(1);
    m_relayWidgets += {m_udpPort, m_udpTargets, m_udpPeerSeconds, m_osc, m_oscTypes};
    return page;
}

// A path field with a small "…" button beside it that chooses the file.
QLayout *SettingsForm::fileField(QLineEdit *line, const QString &caption)
{
    auto *choose = new QToolButton;
    choose->setText(QStringLiteral("…"));
    choose->setToolTip(tr("Choose the file…"));
    choose->setAccessibleName(tr("Choose %1").arg(caption));
    choose->setObjectName(line->objectName() + QStringLiteral("Choose"));
    connect(choose, &QToolButton::clicked, this, [this, line, caption] {
        const QString path = m_fileChooser(caption, line->text());
        if (path.isEmpty())
            return;
        line->setText(QDir::toNativeSeparators(path));
        emit edited();
    });
    auto *row = new QHBoxLayout;
    row->addWidget(line, 1);
    row->addWidget(choose);
    m_relayWidgets += choose;
    return row;
}

void SettingsForm::addExpectedRow(const QString &name, const QString &match)
{
    const QSignalBlocker blocker(m_expected);
    const int row = m_expected->rowCount();
    m_expected->insertRow(row);
    m_expected->setItem(row, 0, new QTableWidgetItem(name));
    m_expected->setItem(row, 1, new QTableWidgetItem(match));
}

void SettingsForm::setConfig(const RelayConfig &config)
{
    const QSignalBlocker blockers[] = {QSignalBlocker(m_bind), QSignalBlocker(m_port),
        QSignalBlocker(m_name), QSignalBlocker(m_announce), QSignalBlocker(m_maxClients),
        QSignalBlocker(m_eol), QSignalBlocker(m_echo), QSignalBlocker(m_maxMessage),
        QSignalBlocker(m_allow), QSignalBlocker(m_heartbeat), QSignalBlocker(m_webSocketPort),
        QSignalBlocker(m_webOrigins), QSignalBlocker(m_localName), QSignalBlocker(m_flashPolicy),
        QSignalBlocker(m_udpPort), QSignalBlocker(m_udpPeerSeconds), QSignalBlocker(m_osc),
        QSignalBlocker(m_expectSilence), QSignalBlocker(m_expectGrace),
        QSignalBlocker(m_alarmMessage), QSignalBlocker(m_mqttDirection), QSignalBlocker(m_mqttQos),
        QSignalBlocker(m_mqttQueue)};
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
    m_name->setText(config.name);
    m_announce->setChecked(config.announce);
    updateNameEnabled();
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
    m_udpPort->setValue(config.udpEnabled ? config.udpPort : -1);
    QStringList targets;
    for (const auto &[address, port] : config.udpTargets)
        targets.append(NetAddress::endpoint(address, port));
    m_udpTargets->setText(targets.join(QStringLiteral(", ")));
    m_udpPeerSeconds->setValue(config.udpPeerSeconds);
    m_osc->setChecked(config.osc);
    QStringList typeRules;
    for (const OscCodec::TypeRule &rule : config.oscTypes)
        typeRules.append(QString::fromUtf8(rule.address + '=' + rule.tags));
    m_oscTypes->setText(typeRules.join(u' '));
    m_expected->setRowCount(0);
    for (const Expectation &expectation : config.expected)
        addExpectedRow(expectation.name, expectation.matchText());
    m_expectSilence->setValue(config.expectSilenceSeconds);
    m_expectGrace->setValue(config.expectGraceSeconds);
    m_alarmMessage->setText(QString::fromUtf8(config.alarmMessage));
    const MqttSettings &mqtt = config.mqtt;
    m_mqttUrl->setText(mqtt.url);
    m_mqttTopic->setText(mqtt.topic);
    m_mqttDirection->setCurrentIndex(
        m_mqttDirection->findData(MqttSettings::directionName(mqtt.direction)));
    m_mqttUser->setText(mqtt.user);
    m_mqttPasswordFile->setText(mqtt.passwordFile);
    m_mqttCaFile->setText(mqtt.caFile);
    m_mqttClientId->setText(mqtt.clientId);
    m_mqttQos->setCurrentIndex(m_mqttQos->findData(mqtt.qos));
    m_mqttQueue->setValue(mqtt.queue);
}

RelayConfig SettingsForm::config(QString *error) const
{
    RelayConfig config = m_base;
    const BindChoice &choice = m_choices.at(qMax(0, m_bind->currentIndex()));
    config.bind = choice.bind;
    config.address = choice.address;
    config.port = quint16(m_port->value());
    config.announce = m_announce->isChecked();
    config.maxClients = m_maxClients->value();
    config.echo = m_echo->isChecked();
    config.maxMessageBytes = m_maxMessage->value();
    config.heartbeatSeconds = m_heartbeat->value();
    config.webSocketEnabled = m_webSocketPort->value() >= 0;
    config.webSocketPort = quint16(qMax(0, m_webSocketPort->value()));
    config.localServerName = m_localName->text().trimmed();
    config.flashPolicy = m_flashPolicy->isChecked();
    config.udpEnabled = m_udpPort->value() >= 0;
    config.udpPort = quint16(qMax(0, m_udpPort->value()));
    config.udpPeerSeconds = m_udpPeerSeconds->value();
    config.osc = m_osc->isChecked();
    config.expectSilenceSeconds = m_expectSilence->value();
    config.expectGraceSeconds = m_expectGrace->value();
    config.alarmMessage = m_alarmMessage->text().toUtf8();
    // The terminator, the name and the lists are checked by the daemon's own parser.
    QStringList args = {QStringLiteral("--eol"), m_eol->currentText().trimmed()};
    // Options given once per value: one per item of a list typed with commas or spaces.
    const auto addEach = [&args](const QString &option, const QString &list) {
        static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
        const QStringList items = list.split(separators, Qt::SkipEmptyParts);
        for (const QString &item : items)
            args << option << item;
    };
    if (!m_name->text().trimmed().isEmpty()) // empty: the default name
        args << QStringLiteral("--name") << m_name->text();
    if (!m_allow->text().trimmed().isEmpty())
        args << QStringLiteral("--allow") << m_allow->text();
    if (!m_webOrigins->text().trimmed().isEmpty())
        args << QStringLiteral("--ws-origin") << m_webOrigins->text();
    addEach(QStringLiteral("--udp-target"), m_udpTargets->text());
    addEach(QStringLiteral("--osc-types"), m_oscTypes->text());
    for (int row = 0; row < m_expected->rowCount(); ++row) {
        const auto text = [this, row](int column) {
            const QTableWidgetItem *item = m_expected->item(row, column);
            return item ? item->text().trimmed() : QString();
        };
        if (!text(0).isEmpty() || !text(1).isEmpty()) // a row left empty is no expectation
            args << QStringLiteral("--expect") << text(0) + u'=' + text(1);
    }
    // The broker's settings: an empty field is the option's default.
    const auto addMqtt = [&args](const QString &option, const QString &value) {
        if (!value.isEmpty())
            args << option << value;
    };
    addMqtt(QStringLiteral("--mqtt"), m_mqttUrl->text().trimmed());
    addMqtt(QStringLiteral("--mqtt-topic"), m_mqttTopic->text().trimmed());
    addMqtt(QStringLiteral("--mqtt-direction"), m_mqttDirection->currentData().toString());
    addMqtt(QStringLiteral("--mqtt-user"), m_mqttUser->text().trimmed());
    addMqtt(QStringLiteral("--mqtt-password-file"), m_mqttPasswordFile->text().trimmed());
    addMqtt(QStringLiteral("--mqtt-ca"), m_mqttCaFile->text().trimmed());
    addMqtt(QStringLiteral("--mqtt-client-id"), m_mqttClientId->text().trimmed());
    addMqtt(QStringLiteral("--mqtt-qos"), m_mqttQos->currentData().toString());
    addMqtt(QStringLiteral("--mqtt-queue"), QString::number(m_mqttQueue->value()));
    const RelayOptions parsed = parseRelayOptions(args);
    if (parsed.action == RelayOptions::Action::Fail) {
        if (error)
            *error = fieldError(parsed.error);
        return m_base;
    }
    config.terminator = parsed.config.terminator;
    config.name = parsed.config.name;
    config.allow = parsed.config.allow;
    config.webSocketOrigins = parsed.config.webSocketOrigins;
    config.udpTargets = parsed.config.udpTargets;
    config.oscTypes = parsed.config.oscTypes;
    config.expected = parsed.config.expected;
    config.mqtt = parsed.config.mqtt;
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
    updateNameEnabled();
}

// The name is greyed out while the relay is not to be announced: it is of no use then.
void SettingsForm::updateNameEnabled()
{
    m_name->setEnabled(m_announce->isEnabled() && m_announce->isChecked());
}
