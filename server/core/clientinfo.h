// ClientInfo: a snapshot of one connected client and its counters, for monitors (the daemon's
// log, the panel's client table). A plain value; taking one never touches the socket.
#pragma once

#include <QDateTime>
#include <QHostAddress>
#include <QMetaType>

struct ClientInfo
{
    /// How the client is connected.
    enum class Kind
    {
        Tcp, ///< a TCP connection (telnet, apps, Flash/AIR, the serial relay)
        WebSocket, ///< a WebSocket (a web page in a browser)
        Local, ///< a local socket (a Unix domain socket or a Windows named pipe)
        Udp, ///< a program sending or receiving datagrams on the UDP port (no connection)
        Osc, ///< the same, on a UDP port that speaks OSC (--osc)
    };
    /// "TCP", "WebSocket", "local", "UDP" or "OSC": for logs and the panel's client table.
    static QString kindName(Kind kind);
    /// False for the UDP port's peers, which send datagrams without connecting: they have a
    /// pool of their own and take no --max-clients slot.
    static bool isConnection(Kind kind) { return kind != Kind::Udp && kind != Kind::Osc; }

    quint64 id = 0; ///< unique for the life of the relay, never reused
    QString name; ///< the expected client it is (--expect NAME=...); empty for the others
    Kind kind = Kind::Tcp;
    QHostAddress address;
    quint16 port = 0;
    /// A --udp-target (UDP, OSC): sent every message from the start, whether it talks or not,
    /// and never forgotten for its silence.
    bool udpTarget = false;
    QDateTime connectedSince; ///< for a UDP peer: its first datagram, or the relay's start
    QDateTime lastActivity; ///< last time the client sent anything
    /// How long it had sent nothing when this snapshot was taken, on a steady clock (the time
    /// of day may jump: a machine without a clock chip sets it from the network after boot).
    qint64 idleMs = 0;
    qint64 messagesIn = 0;
    qint64 messagesOut = 0;
    qint64 bytesIn = 0; ///< bytes received, terminators included
    qint64 bytesOut = 0; ///< bytes queued for sending, terminators included
    qint64 droppedMessages = 0; ///< messages over the size limit, discarded
    qint64 malformedDatagrams = 0; ///< OSC datagrams it sent that are not OSC 1.0, discarded
    /// Messages not sent to it (a UDP peer): over the path's safe datagram size, or refused by
    /// the system.
    qint64 unsentMessages = 0;

    /// Where it connects from, without the port: "192.168.1.23" (IPv4-mapped addresses as
    /// IPv4), or "this computer" for a local socket.
    QString hostText() const;
    /// "127.0.0.1:53422" or "[::1]:53422" (TCP), "ws 127.0.0.1:53422" (WebSocket), "local #7",
    /// "udp 127.0.0.1:7000", "osc 127.0.0.1:7000";
    /// an expected client as "kiosk3 (127.0.0.1:53422)".
    QString peerName() const;
};

Q_DECLARE_METATYPE(ClientInfo)
