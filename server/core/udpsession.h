// UdpSession: one program on the UDP port (UdpPort), a peer rather than a connection: a
// --udp-target, or an address and port that sent a datagram lately. It takes part like any
// client (counted, listed, removable, under the same limits), but nothing connects or waits: a
// relayed message goes out at once as one datagram, or not at all. A datagram over the path's
// safe size (safeDatagramBytes()) is not sent and counted as unsent, and the log says so once
// for this peer; so is one the system refuses to send (its buffer full). In OSC mode (--osc)
// only the messages that are OSC messages go out, encoded by the port's OscCodec.
// Every line about a drop goes through the port's throttle, shared by all its peers: a program
// that sends each datagram from a new port (a new peer each time) cannot fill the log.
// Created by UdpPort, owned by RelayServer like every session. Closing it only forgets it.
#pragma once

#include "clientsession.h"
#include "logthrottle.h"

class OscCodec;
class QNetworkInterface;
class QUdpSocket;

class UdpSession : public ClientSession
{
    Q_OBJECT

public:
    /// The peer at @p address and @p port, reached through @p socket (the port's socket for
    /// its address family), sent datagrams of at most @p safeBytes; @p osc is the port's codec
    /// in OSC mode, else null; @p dropLog the port's throttle for the lines about drops.
    UdpSession(quint64 id, QUdpSocket *socket, const QHostAddress &address, quint16 port,
        bool target, qsizetype safeBytes, OscCodec *osc, LogThrottle *dropLog,
        const RelayConfig &config, QObject *parent);

    /// A --udp-target: never forgotten for being silent.
    bool isTarget() const { return m_info.udpTarget; }

    /// A datagram of @p bytes from it gave @p batch (perhaps nothing).
    void heard(qint64 bytes, const MessageBatch &batch) { received(bytes, batch); }
    /// Counts @p lines it sent as dropped for being over --max-message-bytes, and logs it.
    void droppedOversize(qint64 lines, qsizetype maxMessageBytes);
    /// Counts a datagram it sent that is not OSC 1.0 (@p why), and logs it.
    void droppedMalformed(const QString &why);

    void send(OutgoingMessages &messages) override;
    void sendMessage(QByteArrayView message) override;

    /// The largest UDP payload that reaches @p address without being cut up on the way: the MTU
    /// of the interface whose subnet holds it (so 65507 for localhost) less the IP and UDP
    /// headers, or 1472 (Ethernet's) when it lies beyond a router. @p interfaces: this
    /// machine's (QNetworkInterface::allInterfaces(), which UdpPort keeps for a minute).
    static qsizetype safeDatagramBytes(
        const QHostAddress &address, const QList<QNetworkInterface> &interfaces);

protected:
    qint64 bytesWaiting() const override { return 0; }
    void closeConnection(const QString &reason) override;
    void abortConnection() override { reportDisconnected(); }
    void flushOutput() override { }

private:
    void write(QByteArrayView datagram);
    void logDrop(const QString &line);

    QUdpSocket *m_socket;
    OscCodec *m_osc;
    LogThrottle *m_dropLog;
    qsizetype m_safeBytes;
    bool m_oversizeLogged = false; // "too big to send" is said once per peer
};
