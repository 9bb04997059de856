// MqttBridge: joins the relay to one topic on an MQTT broker, as an ordinary MQTT 5 client, so
// that relays in several rooms and sites (and any MQTT program) share one conversation.
// Messages relayed here are published to the topic; messages others publish there are handed
// to the relay. libmosquitto speaks MQTT; this class drives it from Qt's event loop: the
// broker's name is looked up with QHostInfo, the socket is watched by QSocketNotifiers,
// mosquitto_loop_misc() runs once a second, and a lost broker is retried by a timer (1 s to
// 30 s, jittered). No thread, and nothing here blocks the loop (but for one case: with
// mqtts://, libmosquitto looks the name up again itself, to check the certificate against it).
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

    /// What is wrong with the files @p settings names (the password file, the CA), in one
    /// sentence, or an empty string.
    static QString filesProblem(const MqttSettings &settings);
    /// Reads the files the settings name; false with a one-sentence errorString() when one
    /// cannot be used.
    bool prepare();
    QString errorString() const { return m_errorString; }
    /// Starts connecting (and reconnecting whenever the broker is lost) as @p clientId, or as
    /// MqttSettings::clientId when that is set.
    void start(const QString &clientId);
    /// Disconnects cleanly; nothing more is published or received.
    void stop();

    /// Publishes one message (in Direction::In, does nothing). While the broker is away it is
    /// kept (up to --mqtt-queue) or dropped and counted; it never waits.
    void publish(QByteArrayView payload);
    /// Publishes every message of @p batch, in order, as publish() does each.
    void publish(const MessageBatch &batch);

    MqttStatus status() const { return m_status; }
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
    // libmosquitto's callbacks; @p self is the bridge.
    static void onConnect(mosquitto *, void *self, int reason, int flags, const mqtt5__property *);
    static void onDisconnect(mosquitto *, void *self, int reason, const mqtt5__property *);
    static void onPublish(mosquitto *, void *self, int mid, int reason, const mqtt5__property *);
    static void onMessage(
        mosquitto *, void *self, const mosquitto_message *message, const mqtt5__property *props);
    static void onSubscribe(
        mosquitto *, void *self, int mid, int count, const int *granted, const mqtt5__property *);
    static void onLog(mosquitto *, void *self, int level, const char *text);

    void lookUpBroker();
    void brokerFound(const QHostInfo &info);
    bool setUpTls();
    void connected();
    void connectionHeld();
    void logConnected();
    void publishQueue();
    void failed(const QString &problem);
    void readSocket();
    void writeSocket();
    void afterLoop(); // after libmosquitto ran: new socket, write interest, received messages
    void unwatchSocket();
    void publishOne(QByteArrayView payload); // publish() without afterLoop()
    void publishWithinBacklog(QByteArrayView payload);
    void refused(qsizetype size, const QString &why);
    void setStatus(MqttStatus::State state, const QString &problem = {});
    QString disconnectProblem(int reason) const;

    MqttSettings m_settings;
    MqttSettings::Broker m_broker;
    qsizetype m_maxMessageBytes;
    QString m_errorString;
    QString m_clientId;
    QByteArray m_clientIdUtf8;
    QByteArray m_topic; // in UTF-8, as libmosquitto takes it
    QByteArray m_password;
    mosquitto *m_mosq = nullptr;
    mqtt5__property *m_origin = nullptr; // the "origin" user property of every publish
    MqttStatus m_status;
    bool m_running = false; // between start() and stop()
    int m_socket = -1; // libmosquitto's socket, while watched
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QTimer m_misc; // mosquitto_loop_misc(): keepalive pings, once a second
    QTimer m_retry;
    QTimer m_steady; // from a connection's start until it counts as held (kSteadyAfterMs)
    bool m_lastWasBrief = false; // the last connection ended before it was held
    bool m_flapping = false; // ... and the one before: its "connected" lines are left out
    int m_attempt = 0; // failed attempts since the last connection
    int m_lookupId = -1;
    QString m_refusal; // why the broker refused the last CONNECT
    QString m_libraryError; // libmosquitto's last error line (a TLS failure says what)
    QString m_loggedProblem; // the last problem logged: the same one is not logged again
    qint64 m_droppedAtLoss = 0; // droppedAway at the last "connected" line
    // Messages libmosquitto has not written yet, by message id, and their bytes: publish()
    // drops past kMaxBacklogBytes. A message written at once is never entered.
    QHash<int, qsizetype> m_inFlight;
    qint64 m_inFlightBytes = 0;
    int m_publishingMid = 0; // the message publishNow() is handing over, until it returns
    bool m_publishingWritten = false; // ... and libmosquitto wrote it at once
    std::deque<QByteArray> m_queue; // while the broker is away, up to --mqtt-queue
    qint64 m_queueBytes = 0;
    MessageBatch m_received; // filled by onMessage() during one read
    QElapsedTimer m_oversizeLogged;
    QElapsedTimer m_backlogLogged;
    QElapsedTimer m_refusedLogged;
};
