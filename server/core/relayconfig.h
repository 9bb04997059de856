// RelayConfig: every setting of a relay, as a plain value with the documented defaults.
// Filled by parseRelayOptions() (daemon) or by the panel's settings; read by RelayServer.
#pragma once

#include "mqttsettings.h"
#include "osccodec.h"
#include "rotatinglog.h"
#include "terminator.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QStringList>

/// One client the exhibit needs (--expect NAME=MATCH): recognised by the address it connects
/// from, or by the start of its messages. ExpectedClients watches it.
struct Expectation
{
    QString name; ///< the operator's name for it: letters, digits, '-', '_', '.'
    QHostAddress address; ///< the client connecting from here (plain IPv4, never mapped); or
    QByteArray prefix; ///< the client whose messages start with this (when address is null)

    /// MATCH as --expect takes it: "192.168.1.23" or "prefix:kiosk3:".
    QString matchText() const;
    bool operator==(const Expectation &other) const
    {
        return name == other.name && address == other.address && prefix == other.prefix;
    }
};

struct RelayConfig
{
    static constexpr quint16 kDefaultPort = 6780;
    // The ranges the settings may take (the options check them; the panel's form offers them).
    static constexpr int kMaxClientsLimit = 1000000;
    static constexpr qint64 kMaxMessageBytesLimit = 64 * 1024 * 1024;
    static constexpr int kMaxHeartbeatSeconds = 24 * 60 * 60;
    static constexpr qint64 kMinClientBuffer = 64 * 1024;
    static constexpr qint64 kMaxClientBuffer = qint64(1024) * 1024 * 1024;
    static constexpr int kMaxExpectSeconds = 7 * 24 * 60 * 60;
    /// --log-max-bytes: 0 (never rotated) or from kMinLogBytes to kMaxLogBytes.
    static constexpr qint64 kMinLogBytes = 64 * 1024;
    static constexpr qint64 kMaxLogBytes = qint64(1024) * 1024 * 1024;
    static constexpr int kMaxUdpPeerSeconds = 24 * 60 * 60;

    /// Where to listen.
    enum class Bind
    {
        Localhost, ///< 127.0.0.1 and ::1: programs on this machine only
        Any, ///< every interface, IPv4 and IPv6
        Lan, ///< this machine's LAN address, looked up at start (-r)
        Address, ///< the one address in `address`
    };

    Bind bind = Bind::Localhost;
    QHostAddress address; ///< used when bind is Address
    quint16 port = kDefaultPort; ///< 0 picks a free port
    /// While the address to listen on is not on this machine (yet: before DHCP at boot),
    /// retry every 2 s; false fails at once.
    bool waitForAddress = true;
    int maxClients = 1024;
    /// Subnets clients may connect from; empty: any.
    QList<QPair<QHostAddress, int>> allow;
    Terminator terminator = Terminator::autoDetect();
    bool echo = true; ///< send each message back to its sender too
    qsizetype maxMessageBytes = 64 * 1024;
    /// Output waiting for a client that does not read: over maxClientBuffer, or over
    /// slowClientBuffer for slowClientSeconds, the client counts as stuck and is disconnected.
    qint64 maxClientBuffer = 4 * 1024 * 1024;
    qint64 slowClientBuffer = 1024 * 1024;
    int slowClientSeconds = 30;
    int heartbeatSeconds = 0; ///< 0: no heartbeat
    QByteArray heartbeatMessage = "heartbeat";
    QByteArray welcome; ///< sent to each new client; empty: none

    // Other ways in besides TCP; every kind of client shares the limits above.
    /// Listen for WebSockets (web pages) on webSocketPort, at the same addresses as TCP.
    bool webSocketEnabled = false;
    quint16 webSocketPort = 0; ///< 0 picks a free port
    /// Web pages (their Origin, e.g. "http://kiosk.local:8080") that may open a WebSocket;
    /// empty: any page.
    QStringList webSocketOrigins;
    /// The local socket's name (a Unix domain socket, a Windows named pipe); empty: none.
    QString localServerName;
    /// Answer Flash/AIR policy-file requests on the TCP port.
    bool flashPolicy = false;
    /// Relay UDP datagrams on udpPort, at the same addresses as TCP: each line of a datagram
    /// is a message, and every message goes out as one datagram to each UDP peer (UdpPort).
    bool udpEnabled = false;
    quint16 udpPort = 0; ///< 0 picks a free port
    /// Programs that only listen: every relayed message is sent to each of these too.
    QList<QPair<QHostAddress, quint16>> udpTargets;
    /// A program that sent a datagram gets the relayed messages for this long after its last.
    int udpPeerSeconds = 60;
    /// The UDP port speaks OSC 1.0 instead of text lines (OscCodec).
    bool osc = false;
    /// --osc-types: the OSC type tags forced for the messages to some addresses.
    QList<OscCodec::TypeRule> oscTypes;

    /// Announce the relay on the network with Bonjour (as Bonjour::kServiceType) when it
    /// listens beyond this machine, so that clients find it by name.
    bool announce = true;
    /// The name it is announced as; empty: Bonjour::defaultName(), "SocketServer on HOST".
    QString name;

    /// Beyond this machine: the topic on an MQTT broker this relay shares its messages on.
    MqttSettings mqtt;

    // The exhibit's inventory: clients that must be there (see ExpectedClients).
    QList<Expectation> expected;
    /// A connected expected client that has sent nothing for this long is silent; 0: never.
    int expectSilenceSeconds = 0;
    /// Time after start, and after an expected client left, before it counts as missing.
    int expectGraceSeconds = 120;
    /// Sent to every client when an expected client goes missing or silent, or comes back:
    /// {name}, {state} (missing, silent, back) and {address} are filled in; empty: none.
    QByteArray alarmMessage;

    // Settings of the daemon around the relay.
    bool verbose = false; ///< log connections and every message
    bool console = false; ///< broadcast lines typed on stdin
    /// Write the log to this file (rotated, reopened at SIGHUP) instead of stdout and
    /// stderr; empty: stdout and stderr.
    QString logFile;
    qint64 logMaxBytes = RotatingLog::kDefaultMaxBytes; ///< rotate past this; 0: never

    /// "localhost", "any", "lan" or the address: the value --bind takes.
    QString bindName() const;
    /// True when a client at @p address may connect (the allow list is empty or holds it).
    bool isAllowed(const QHostAddress &address) const;
    /// True when a web page from @p origin may open a WebSocket (the list is empty or has it).
    bool isOriginAllowed(const QString &origin) const;
};
