// MqttSettings: how a relay joins a topic on an MQTT broker (--mqtt and the --mqtt-* options),
// as a plain value, with the checks the options make; MqttStatus: how the joining goes, as
// monitors see it. MqttBridge does the joining.
#pragma once

#include <QString>

#include <optional>

struct MqttSettings
{
    static constexpr quint16 kDefaultPort = 1883;
    static constexpr quint16 kDefaultTlsPort = 8883;
    static constexpr int kMaxQueue = 100000;

    /// Which way messages cross between the relay and the broker.
    enum class Direction
    {
        Both, ///< publish what is relayed here, relay what others publish
        Out, ///< only publish (a room that reports to a central screen)
        In, ///< only relay what others publish (a screen that listens)
    };

    /// The broker, as mqtt://HOST[:PORT] or mqtts://HOST[:PORT]; empty: no bridge.
    QString url;
    QString topic = QStringLiteral("socketserver");
    Direction direction = Direction::Both;
    QString caFile; ///< for mqtts://: trust this CA instead of the system's
    QString user; ///< empty: connect without a user name
    QString passwordFile; ///< the password, the file's first line; empty: none
    QString clientId; ///< empty: "socketserver-HOST-PORT" with the relay's real TCP port
    int qos = 0; ///< 0 or 1
    int queue = 0; ///< messages kept while the broker is away; 0: dropped (and counted)

    bool isEnabled() const { return !url.isEmpty(); }

    /// Where the broker is, as read from url.
    struct Broker
    {
        QString host;
        quint16 port = kDefaultPort;
        bool tls = false;
        /// "broker.local:1883" ("[::1]:1883"), as the log and the panel show it.
        QString displayName() const;
    };
    /// The broker of @p url, or nothing when it is not an mqtt:// or mqtts:// URL with a host.
    static std::optional<Broker> brokerFromUrl(const QString &url);
    /// What is wrong with @p topic as an MQTT topic filter, or an empty string. A filter with
    /// wildcards (hasWildcards()) can only be listened to: Direction::In.
    static QString topicProblem(const QString &topic);
    static bool hasWildcards(const QString &topic);

    /// "both", "out" or "in".
    static QString directionName(Direction direction);
    /// "publishing and listening", "publishing only" or "listening only".
    static QString directionText(Direction direction);
    static std::optional<Direction> directionFromName(const QString &name);
};

/// The bridge as monitors see it.
struct MqttStatus
{
    enum class State
    {
        Connecting, ///< looking up the broker, or connecting to it
        Connected, ///< connected, and subscribed (unless Direction::Out)
        Waiting, ///< the broker is away: trying again soon
    };
    State state = State::Connecting;
    QString broker; ///< "broker.local:1883"
    QString topic;
    QString problem; ///< while Waiting: why, in a few words ("connection refused")
    qint64 published = 0; ///< messages handed to the broker
    qint64 received = 0; ///< messages from the broker relayed here
    qint64 droppedAway = 0; ///< not published: the broker was away (past --mqtt-queue)
    qint64 droppedBacklog = 0; ///< not published: the broker did not take them fast enough
    qint64 droppedRefused = 0; ///< not published: the broker cannot take it (too long, QoS, ACL)
    qint64 droppedOversize = 0; ///< from the broker, over --max-message-bytes
    qint64 connects = 0; ///< successful connections so far

    /// "connected to broker.local:1883, topic museum/gallery2", "connecting to ...",
    /// "waiting for broker.local:1883 (connection refused)".
    QString text() const;
};
