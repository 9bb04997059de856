// MqttBridge: joins the relay to one topic on an MQTT broker, as an ordinary MQTT 5 client, so
// that relays in several rooms and sites (and any MQTT program) share one conversation.
// Messages relayed here are published to the topic; messages others publish there are handed
// to the relay. libmosquitto speaks MQTT; this class drives it from Qt's event loop: the
// broker's name is looked up with QHostInfo, the socket is watched by QSocketNotifiers,
// mosquitto_loop_misc() runs once a second, and a lost broker is retried by a timer (1 s to
// 30 s, jittered). No thread, and nothing here blocks the loop.
//
// No loops, no duplicates: the subscription has MQTT 5's No Local option (the broker never
// sends a client its own publishes back), and each publish carries the user property
// "origin" = the client id, which is checked again on receipt. A broker that does not speak
// MQTT 5 is refused.
#pragma once

#include "messagebatch.h"
#include "mqttsettings.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <deque>

class QHostInfo;
class QSocketNotifier;
struct mosquitto;
struct mosquitto_message;
struct mqtt5__property;

class MqttBridge : public QObject
{
    Q_OBJECT

public:
    /// Output that may wait for the broker (in libmosquitto's queue) before more is dropped.
    static constexpr qint64 kMaxBacklogBytes = 4 * 1024 * 1024;

    /// A bridge for @p settings; messages from the broker longer than @p maxMessageBytes are
    /// dropped. Call prepare(), then start().
    MqttBridge(const MqttSettings &settings, qsizetype maxMessageBytes, QObject *parent = nullptr);
    ~MqttBridge() override;

    /// Checks the settings that name files (the password, the CA) and sets up the MQTT client;
    /// false with a one-sentence errorString() when something is wrong.
    bool prepare();
    QString errorString() const { return m_errorString; }
    /// Starts connecting (and reconnecting whenever the broker is lost) as @p clientId
    /// (MqttSettings::clientId when that is set).
    void start(const QString &clientId);
    /// Disconnects cleanly; nothing more is published or received.
    void stop();

    /// Publishes one message (in Direction::In, does nothing). While the broker is away it is
    /// kept (up to --mqtt-queue) or dropped and counted; it never waits.
    void publish(QByteArrayView payload);

    MqttStatus status() const;
    /// The client id in use (after start()).
    QString clientId() const { return m_clientId; }

    /// The default client id: "socketserver-HOST-PORT".
    static QString defaultClientId(quint16 tcpPort);

signals:
    /// Messages others published on the topic, in the order the broker sent them.
    void messagesReceived(const MessageBatch &batch);
    /// status().state or its problem changed.
    void statusChanged();

private:
    static void onConnect(mosquitto *, void *self, int reason, int flags, const mqtt5__property *);
    static void onDisconnect(mosquitto *, void *self, int reason, const mqtt5__property *);
    static void onPublish(mosquitto *, void *self, int mid, int reason, const mqtt5__property *);
    static void onMessage(
        mosquitto *, void *self, const mosquitto_message *message, const mqtt5__property *props);

    void lookUpBroker();
    void brokerFound(const QHostInfo &info);
    void connected();
    void lost(const QString &problem);
    void scheduleRetry();
    void setState(MqttStatus::State state, const QString &problem = {});
    void readSocket();
    void writeSocket();
    void afterLoop(int rc); // after any libmosquitto call: errors, notifiers, received messages
    void watchSocket();
    void publishNow(QByteArrayView payload);

    MqttSettings m_settings;
    MqttSettings::Broker m_broker;
    qsizetype m_maxMessageBytes;
    QString m_errorString;
    QString m_clientId;
    QByteArray m_password;
    mosquitto *m_mosq = nullptr;
    mqtt5__property *m_origin = nullptr; // the "origin" user property of every publish
    MqttStatus m_status;
    int m_socket = -1; // libmosquitto's, while watched
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QTimer m_misc; // mosquitto_loop_misc(): keepalive pings, once a second
    QTimer m_retry;
    int m_retryDelayMs = 0;
    int m_lookupId = -1;
    bool m_stopped = true;
    QHash<int, qsizetype> m_inFlight; // message id -> bytes, until libmosquitto has sent it
    qint64 m_inFlightBytes = 0;
    std::deque<QByteArray> m_queue; // while the broker is away, up to --mqtt-queue
    MessageBatch m_received; // filled by onMessage() during one read
    QElapsedTimer m_oversizeLogged;
};
