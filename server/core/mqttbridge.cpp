#include "mqttbridge.h"

#include "logging.h"
#include "relaylink.h"

#include <QFile>
#include <QHostInfo>
#include <QSocketNotifier>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace {

constexpr int kKeepAliveSeconds = 20;
// A connection the broker ends sooner than this (another client took over the client id) does
// not count as found again: no "connected" line for it, no reset of the backoff.
constexpr int kSteadyAfterMs = 10000;
constexpr int kMiscIntervalMs = 1000;
constexpr int kDropLogPeriodMs = 10000;
// Packets read per notification at most, so that a busy broker cannot starve the clients.
constexpr int kPacketsPerRead = 256;
constexpr char kOriginProperty[] = "origin";

void initLibrary()
{
    static const int once = mosquitto_lib_init();
    Q_UNUSED(once);
}

// The first line of the password file, or nothing (with @p problem) when it cannot be used.
QByteArray readPassword(const QString &path, QString *problem)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *problem = QStringLiteral("cannot read the MQTT password file %1: %2")
                       .arg(path, file.errorString());
        return {};
    }
    const QByteArray password = file.readLine().trimmed();
    if (password.isEmpty())
        *problem = QStringLiteral("the MQTT password file %1 is empty: its first line is the "
                                  "password")
                       .arg(path);
    return password;
}

// libmosquitto's text for an error or a reason code, as part of a sentence: "Not authorized."
// becomes "not authorized".
QString said(const char *text)
{
    QString words = QString::fromUtf8(text).toLower();
    if (words.endsWith(u'.'))
        words.chop(1);
    return words;
}

// Why @p socket, readable during a TLS handshake, is no use any more, or an empty string while
// it works. (The error of a refused connection is often taken by the handshake's first write.)
QString handshakeSocketProblem(int socket)
{
#ifdef Q_OS_UNIX
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error != 0)
        return QString::fromLocal8Bit(std::strerror(error)).toLower();
    char byte;
    const ssize_t peeked = ::recv(socket, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked == 0)
        return QStringLiteral("it refused or closed the connection");
    if (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        return QString::fromLocal8Bit(std::strerror(errno)).toLower();
#else
    Q_UNUSED(socket);
#endif
    return {};
}

} // namespace

MqttBridge::MqttBridge(const MqttSettings &settings, qsizetype maxMessageBytes, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_broker(MqttSettings::brokerFromUrl(settings.url).value_or(MqttSettings::Broker()))
    , m_maxMessageBytes(maxMessageBytes)
{
    m_status.broker = m_broker.displayName();
    m_status.topic = settings.topic;
    m_misc.setInterval(kMiscIntervalMs);
    connect(&m_misc, &QTimer::timeout, this, [this] {
        mosquitto_loop_misc(m_mosq);
        afterLoop();
    });
    m_steady.setSingleShot(true);
    connect(&m_steady, &QTimer::timeout, this, &MqttBridge::connectionHeld);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &MqttBridge::lookUpBroker);
}

MqttBridge::~MqttBridge()
{
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
    if (m_mosq)
        mosquitto_destroy(m_mosq);
    mosquitto_property_free_all(&m_origin);
}

QString MqttBridge::filesProblem(const MqttSettings &settings)
{
    QString problem;
    if (!settings.passwordFile.isEmpty())
        readPassword(settings.passwordFile, &problem);
    QFile ca(settings.caFile);
    if (problem.isEmpty() && !settings.caFile.isEmpty() && !ca.open(QIODevice::ReadOnly))
        problem = QStringLiteral("cannot read the MQTT CA file %1: %2")
                      .arg(settings.caFile, ca.errorString());
    return problem;
}

bool MqttBridge::prepare()
{
    m_errorString = filesProblem(m_settings);
    if (!m_errorString.isEmpty())
        return false;
    if (!m_settings.passwordFile.isEmpty())
        m_password = readPassword(m_settings.passwordFile, &m_errorString);
    return true;
}

QString MqttBridge::defaultClientId(quint16 tcpPort)
{
    return QStringLiteral("socketserver-%1-%2").arg(QHostInfo::localHostName()).arg(tcpPort);
}

void MqttBridge::start(const QString &clientId)
{
    Q_ASSERT(!m_mosq);
    initLibrary();
    m_clientId = m_settings.clientId.isEmpty() ? clientId : m_settings.clientId;
    m_mosq = mosquitto_new(m_clientId.toUtf8().constData(), true, this); // clean start
    mosquitto_int_option(m_mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    mosquitto_int_option(m_mosq, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_v5_callback_set(m_mosq, &MqttBridge::onConnect);
    mosquitto_disconnect_v5_callback_set(m_mosq, &MqttBridge::onDisconnect);
    mosquitto_publish_v5_callback_set(m_mosq, &MqttBridge::onPublish);
    mosquitto_message_v5_callback_set(m_mosq, &MqttBridge::onMessage);
    mosquitto_subscribe_v5_callback_set(m_mosq, &MqttBridge::onSubscribe);
    if (!m_settings.user.isEmpty())
        mosquitto_username_pw_set(m_mosq, m_settings.user.toUtf8().constData(),
            m_password.isEmpty() ? nullptr : m_password.constData());
    m_topic = m_settings.topic.toUtf8();
    m_clientIdUtf8 = m_clientId.toUtf8();
    mosquitto_property_add_string_pair(
        &m_origin, MQTT_PROP_USER_PROPERTY, kOriginProperty, m_clientIdUtf8.constData());
    m_running = true;
    lookUpBroker();
}

void MqttBridge::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_retry.stop();
    m_steady.stop();
    m_misc.stop();
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(std::exchange(m_lookupId, -1));
    if (m_status.state == MqttStatus::State::Connected) {
        mosquitto_disconnect_v5(m_mosq, MQTT_RC_NORMAL_DISCONNECTION, nullptr);
        qCInfo(lcMqtt).noquote()
            << QStringLiteral("MQTT: disconnected from %1").arg(m_status.broker);
    }
    unwatchSocket();
}

// The broker's name is looked up by Qt, without blocking; libmosquitto then connects to the
// address (or, for TLS, to the name, which it checks the certificate against).
void MqttBridge::lookUpBroker()
{
    m_lookupId = QHostInfo::lookupHost(m_broker.host, this, &MqttBridge::brokerFound);
}

void MqttBridge::brokerFound(const QHostInfo &info)
{
    m_lookupId = -1;
    if (!m_running)
        return;
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        failed(QStringLiteral("cannot find %1 (%2)").arg(m_broker.host, info.errorString()));
        return;
    }
    // A name with several addresses: each attempt takes the next one.
    const QList<QHostAddress> addresses = info.addresses();
    const QString host
        = m_broker.tls ? m_broker.host : addresses.at(m_attempt % addresses.size()).toString();
    m_refusal.clear();
    m_libraryError.clear();
    // Set up at each attempt: a CA file that went away must stop the connection, never let it
    // go ahead without TLS (and the password in clear).
    if (m_broker.tls && !setUpTls()) {
        failed(QStringLiteral("cannot use the CA file %1").arg(m_settings.caFile));
        return;
    }
    // libmosquitto formats a line for every packet once a log callback is set: it is set only
    // while connecting, to learn why a connection fails (a TLS error says what).
    mosquitto_log_callback_set(m_mosq, &MqttBridge::onLog);
    errno = 0;
    const int rc = mosquitto_connect_bind_async(
        m_mosq, host.toUtf8().constData(), m_broker.port, kKeepAliveSeconds, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
        failed(disconnectProblem(rc));
        return;
    }
    m_misc.start();
    afterLoop();
}

bool MqttBridge::setUpTls()
{
    if (!m_settings.caFile.isEmpty())
        return mosquitto_tls_set(m_mosq, QFile::encodeName(m_settings.caFile).constData(), nullptr,
                   nullptr, nullptr, nullptr)
            == MOSQ_ERR_SUCCESS;
    // Without SSL_CTX_WITH_DEFAULTS off, libmosquitto 2.0.11 refuses every connection after
    // the first ("MOSQ_OPT_SSL_CTX_WITH_DEFAULTS used without specifying cafile").
    return mosquitto_int_option(m_mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1) == MOSQ_ERR_SUCCESS
        && mosquitto_int_option(m_mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0) == MOSQ_ERR_SUCCESS;
}

void MqttBridge::onConnect(mosquitto *, void *self, int reason, int, const mqtt5__property *)
{
    auto *bridge = static_cast<MqttBridge *>(self);
    if (reason == MQTT_RC_SUCCESS) {
        bridge->connected();
    } else if (reason == MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION) {
        bridge->m_refusal = QStringLiteral(
            "it does not speak MQTT 5, which the bridge needs to keep its own messages from "
            "coming back: use mosquitto 1.6 or later, EMQX, HiveMQ or another MQTT 5 broker");
    } else if (reason == MQTT_RC_BAD_USERNAME_OR_PASSWORD || reason == MQTT_RC_NOT_AUTHORIZED) {
        bridge->m_refusal = QStringLiteral("it refused the user name or password (%1)")
                                .arg(said(mosquitto_reason_string(reason)));
    } else {
        bridge->m_refusal = QStringLiteral("it refused the connection (%1)")
                                .arg(said(mosquitto_reason_string(reason)));
    }
}

void MqttBridge::connected()
{
    mosquitto_log_callback_set(m_mosq, nullptr);
    ++m_status.connects;
    if (m_settings.direction != MqttSettings::Direction::Out)
        mosquitto_subscribe_v5(
            m_mosq, nullptr, m_topic.constData(), m_settings.qos, MQTT_SUB_OPT_NO_LOCAL, nullptr);
    if (!m_flapping)
        logConnected();
    m_steady.start(kSteadyAfterMs);
    setStatus(MqttStatus::State::Connected);
    // After libmosquitto has sent again what it kept (QoS 1), which follows this callback: each
    // sender's order is kept.
    QTimer::singleShot(0, this, &MqttBridge::publishQueue);
}

// The connection has held: the broker counts as found again.
void MqttBridge::connectionHeld()
{
    m_attempt = 0;
    m_loggedProblem.clear();
    m_lastWasBrief = false;
    if (std::exchange(m_flapping, false))
        logConnected();
}

void MqttBridge::logConnected()
{
    QString line = QStringLiteral("MQTT: connected to %1 as %2, topic %3 (%4)")
                       .arg(m_status.broker, m_clientId, m_settings.topic,
                           MqttSettings::directionText(m_settings.direction));
    if (const qint64 dropped = m_status.droppedAway - m_droppedAtLoss)
        line += QStringLiteral("; %1 message(s) were not published while it was away").arg(dropped);
    m_droppedAtLoss = m_status.droppedAway;
    qCInfo(lcMqtt).noquote() << line;
}

void MqttBridge::publishQueue()
{
    while (!m_queue.empty() && m_status.state == MqttStatus::State::Connected) {
        publishWithinBacklog(m_queue.front());
        m_queueBytes -= m_queue.front().size();
        m_queue.pop_front();
    }
    afterLoop();
}

void MqttBridge::onSubscribe(
    mosquitto *, void *self, int, int count, const int *granted, const mqtt5__property *)
{
    auto *bridge = static_cast<MqttBridge *>(self);
    if (count > 0 && granted[0] >= MQTT_RC_UNSPECIFIED) // an ACL that denies the topic
        qCWarning(lcMqtt).noquote()
            << QStringLiteral("MQTT: the broker %1 refused to send this relay topic %2 (%3): "
                              "nothing from other rooms arrives; check the broker's ACL")
                   .arg(bridge->m_status.broker, bridge->m_settings.topic,
                       said(mosquitto_reason_string(granted[0])));
}

void MqttBridge::onDisconnect(mosquitto *, void *self, int reason, const mqtt5__property *)
{
    auto *bridge = static_cast<MqttBridge *>(self);
    if (!bridge->m_running || bridge->m_retry.isActive()) // stopped, or already waiting
        return;
    const bool wasConnected = bridge->m_status.state == MqttStatus::State::Connected;
    QString problem = bridge->disconnectProblem(reason);
    // What libmosquitto held is gone with the connection (QoS 1 messages it keeps and sends
    // again, so their acknowledgements still come).
    if (bridge->m_settings.qos == 0) {
        bridge->m_inFlight.clear();
        bridge->m_inFlightBytes = 0;
    }
    if (wasConnected) {
        // Connections that end again and again soon after they began: the broker takes them
        // back, most often for another client with the same id. Said once, however often.
        const bool brief = bridge->m_steady.isActive();
        bridge->m_steady.stop();
        bridge->m_flapping = brief && bridge->m_lastWasBrief;
        if (bridge->m_flapping)
            problem = QStringLiteral("it keeps closing the connection right after accepting it: "
                                     "does another client use the client id %1?")
                          .arg(bridge->m_clientId);
        bridge->m_lastWasBrief = brief;
        if (problem != bridge->m_loggedProblem) {
            bridge->m_loggedProblem = problem;
            qCWarning(lcMqtt).noquote()
                << QStringLiteral("MQTT: lost the broker %1 (%2); trying again in 1 to 30 s")
                       .arg(bridge->m_status.broker, problem);
        }
    }
    bridge->failed(problem);
}

// Why the connection ended or could not start, in a few words.
QString MqttBridge::disconnectProblem(int reason) const
{
    if (!m_refusal.isEmpty())
        return m_refusal;
    if (!m_libraryError.isEmpty())
        return m_libraryError;
    if (reason >= MQTT_RC_UNSPECIFIED) // the broker's DISCONNECT said why: "server shutting down"
        return said(mosquitto_reason_string(reason));
    switch (reason) {
    case MOSQ_ERR_ERRNO:
        return QString::fromLocal8Bit(std::strerror(errno)).toLower();
    case MOSQ_ERR_KEEPALIVE:
        return QStringLiteral("it stopped answering");
    case MOSQ_ERR_CONN_LOST:
        return QStringLiteral("the connection was lost");
    case MOSQ_ERR_SUCCESS:
        return QStringLiteral("it closed the connection");
    default:
        return said(mosquitto_strerror(reason));
    }
}

// The broker could not be reached or was lost: wait, then try again. A problem is logged once,
// however often it repeats.
void MqttBridge::failed(const QString &problem)
{
    m_misc.stop();
    unwatchSocket();
    if (problem != m_loggedProblem) { // news: the next connection is news too
        m_loggedProblem = problem;
        m_flapping = false;
        qCWarning(lcMqtt).noquote()
            << QStringLiteral("MQTT: cannot connect to %1: %2; trying again every 1 to 30 s")
                   .arg(m_status.broker, problem);
    }
    setStatus(MqttStatus::State::Waiting, problem);
    m_retry.start(RelayLink::jitteredBackoffMs(m_attempt++));
}

void MqttBridge::onLog(mosquitto *, void *self, int level, const char *text)
{
    if (level == MOSQ_LOG_ERR) // e.g. "OpenSSL Error[0]: ... certificate verify failed"
        static_cast<MqttBridge *>(self)->m_libraryError = QString::fromUtf8(text);
}

void MqttBridge::setStatus(MqttStatus::State state, const QString &problem)
{
    if (m_status.state == state && m_status.problem == problem)
        return;
    m_status.state = state;
    m_status.problem = problem;
    emit statusChanged();
}

void MqttBridge::readSocket()
{
    // libmosquitto 2.0.11 takes a refused or closed socket for a TLS handshake still going on:
    // it would be read again and again until the keepalive gives up, 20 s later.
    if (m_broker.tls && m_status.state != MqttStatus::State::Connected) {
        const QString problem = handshakeSocketProblem(m_socket);
        if (!problem.isEmpty()) {
            failed(problem);
            return;
        }
    }
    // libmosquitto reads one packet per call; a notification takes what has arrived, up to
    // kPacketsPerRead packets. It stops at EAGAIN: nothing more to read.
    for (int i = 0; i < kPacketsPerRead && m_socket >= 0; ++i) {
        errno = 0;
        if (mosquitto_loop_read(m_mosq, 1) != MOSQ_ERR_SUCCESS || errno == EAGAIN
            || errno == EWOULDBLOCK)
            break;
    }
    afterLoop();
}

void MqttBridge::writeSocket()
{
    // Over TLS, a read call first: only that moves a TLS handshake on (libmosquitto's own loop
    // does the same); once connected it finds nothing and returns.
    if (!m_broker.tls
        || (mosquitto_loop_read(m_mosq, 1) == MOSQ_ERR_SUCCESS && mosquitto_socket(m_mosq) >= 0))
        mosquitto_loop_write(m_mosq, 1);
    afterLoop();
}

// After libmosquitto ran: watch its socket (a new one after each connect), ask to be told
// when it can write while it has output waiting, and relay what it received.
void MqttBridge::afterLoop()
{
    const int socket = m_running ? mosquitto_socket(m_mosq) : -1;
    // A TLS handshake that fails in mosquitto_loop_read() closes the socket without calling
    // onDisconnect(); its OpenSSL error is in m_libraryError.
    if (socket < 0 && m_socket >= 0 && m_running && !m_retry.isActive())
        failed(disconnectProblem(MOSQ_ERR_TLS));
    if (socket != m_socket) {
        unwatchSocket();
        m_socket = socket;
        if (socket >= 0) {
            m_readNotifier = new QSocketNotifier(socket, QSocketNotifier::Read, this);
            connect(m_readNotifier, &QSocketNotifier::activated, this, &MqttBridge::readSocket);
            m_writeNotifier = new QSocketNotifier(socket, QSocketNotifier::Write, this);
            connect(m_writeNotifier, &QSocketNotifier::activated, this, &MqttBridge::writeSocket);
        }
    }
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(mosquitto_want_write(m_mosq));
    if (!m_received.isEmpty()) {
        emit messagesReceived(m_received);
        m_received.clear();
    }
}

// The notifiers may be the ones running now (the connection failed during a read), so they go
// later; a new socket is made no sooner than the next retry.
void MqttBridge::unwatchSocket()
{
    for (QSocketNotifier *notifier : {m_readNotifier, m_writeNotifier}) {
        if (notifier) {
            notifier->setEnabled(false);
            notifier->deleteLater();
        }
    }
    m_readNotifier = nullptr;
    m_writeNotifier = nullptr;
    m_socket = -1;
}

void MqttBridge::onMessage(
    mosquitto *, void *self, const mosquitto_message *message, const mqtt5__property *props)
{
    auto *bridge = static_cast<MqttBridge *>(self);
    // No Local keeps the broker from sending our own messages back; the origin is checked too,
    // for a broker that does not honour it.
    char *name = nullptr;
    char *origin = nullptr;
    mosquitto_property_read_string_pair(props, MQTT_PROP_USER_PROPERTY, &name, &origin, false);
    const bool own = origin && name && std::strcmp(name, kOriginProperty) == 0
        && std::strcmp(origin, bridge->m_clientIdUtf8.constData()) == 0;
    std::free(name);
    std::free(origin);
    if (own)
        return;
    const qsizetype size = message->payloadlen;
    if (size > bridge->m_maxMessageBytes) {
        ++bridge->m_status.droppedOversize;
        if (!bridge->m_oversizeLogged.isValid()
            || bridge->m_oversizeLogged.hasExpired(kDropLogPeriodMs)) {
            bridge->m_oversizeLogged.start();
            qCWarning(lcMqtt).noquote()
                << QStringLiteral("MQTT: dropped a message of %1 bytes from the broker: longer "
                                  "than --max-message-bytes %2 (%3 dropped so far)")
                       .arg(size)
                       .arg(bridge->m_maxMessageBytes)
                       .arg(bridge->m_status.droppedOversize);
        }
        return;
    }
    ++bridge->m_status.received;
    bridge->m_received.append(
        QByteArrayView(static_cast<const char *>(message->payload), size), LineEnding::None);
}

void MqttBridge::publish(QByteArrayView payload)
{
    publishOne(payload);
    afterLoop();
}

void MqttBridge::publish(const MessageBatch &batch)
{
    for (qsizetype i = 0; i < batch.count(); ++i)
        publishOne(batch.payload(i));
    afterLoop(); // once per batch: the write notifier, if libmosquitto could not write it all
}

void MqttBridge::publishOne(QByteArrayView payload)
{
    if (!m_running || m_settings.direction == MqttSettings::Direction::In)
        return;
    if (m_status.state == MqttStatus::State::Connected && m_queue.empty()) {
        publishWithinBacklog(payload);
        return;
    }
    // Away (or just back, with what was kept not sent yet: it goes first): keep the last
    // --mqtt-queue messages, and no more than the backlog's bytes.
    if (m_settings.queue == 0) {
        ++m_status.droppedAway;
        return;
    }
    m_queue.emplace_back(payload.toByteArray());
    m_queueBytes += payload.size();
    while (qsizetype(m_queue.size()) > m_settings.queue || m_queueBytes > kMaxBacklogBytes) {
        m_queueBytes -= m_queue.front().size();
        m_queue.pop_front();
        ++m_status.droppedAway;
    }
}

// Hands @p payload to libmosquitto unless what it has not sent yet is over kMaxBacklogBytes:
// then it is dropped and counted, and said at most once per 10 s.
void MqttBridge::publishWithinBacklog(QByteArrayView payload)
{
    if (m_inFlightBytes + payload.size() > kMaxBacklogBytes) {
        ++m_status.droppedBacklog;
        if (!m_backlogLogged.isValid() || m_backlogLogged.hasExpired(kDropLogPeriodMs)) {
            m_backlogLogged.start();
            qCWarning(lcMqtt).noquote()
                << QStringLiteral("MQTT: the broker %1 is not taking messages as fast as they "
                                  "come: dropping them (%2 so far)")
                       .arg(m_status.broker)
                       .arg(m_status.droppedBacklog);
        }
        return;
    }
    m_publishingWritten = false;
    const int rc = mosquitto_publish_v5(m_mosq, &m_publishingMid, m_topic.constData(),
        int(payload.size()), payload.data(), m_settings.qos, false, m_origin);
    if (rc == MOSQ_ERR_SUCCESS) {
        ++m_status.published;
        if (!m_publishingWritten) {
            m_inFlight.insert(m_publishingMid, payload.size());
            m_inFlightBytes += payload.size();
        }
    } else if (rc == MOSQ_ERR_NO_CONN) { // lost just now; onDisconnect() follows
        ++m_status.droppedAway;
    } else { // over the broker's largest packet, or a QoS it does not offer
        refused(payload.size(), said(mosquitto_strerror(rc)));
    }
    m_publishingMid = 0;
}

// A message the broker cannot or will not take: counted, and said at most once per 10 s.
void MqttBridge::refused(qsizetype size, const QString &why)
{
    ++m_status.droppedRefused;
    if (!m_refusedLogged.isValid() || m_refusedLogged.hasExpired(kDropLogPeriodMs)) {
        m_refusedLogged.start();
        qCWarning(lcMqtt).noquote()
            << QStringLiteral("MQTT: a message of %1 bytes was not published to %2 (%3); %4 "
                              "refused so far")
                   .arg(size)
                   .arg(m_status.broker, why)
                   .arg(m_status.droppedRefused);
    }
}

// A message was written (QoS 0) or acknowledged (QoS 1).
void MqttBridge::onPublish(mosquitto *, void *self, int mid, int reason, const mqtt5__property *)
{
    auto *bridge = static_cast<MqttBridge *>(self);
    if (mid == bridge->m_publishingMid) {
        bridge->m_publishingWritten = true;
        return;
    }
    qsizetype size = 0;
    const auto it = bridge->m_inFlight.constFind(mid);
    if (it != bridge->m_inFlight.cend()) {
        size = *it;
        bridge->m_inFlightBytes -= size;
        bridge->m_inFlight.erase(it);
    }
    if (reason >= MQTT_RC_UNSPECIFIED) { // QoS 1: the broker's acknowledgement says no
        --bridge->m_status.published;
        bridge->refused(size, said(mosquitto_reason_string(reason)));
    }
}
