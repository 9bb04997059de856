// UdpPort: the UDP port (--udp-port), the way in for the creative-coding tools that talk in
// datagrams (TouchDesigner, Max, Pure Data, lighting consoles). It binds one QUdpSocket per
// address the relay listens on and turns datagrams into messages: each non-empty line of a
// datagram, or in OSC mode (--osc) each OSC message in it (OscCodec); a malformed OSC datagram
// is dropped and counted, and the log says so: one line about drops per 10 s for the whole
// port, whatever the number of peers.
//
// Every program it exchanges datagrams with is a peer, one UdpSession each, owned and admitted
// by RelayServer like any client: a datagram from an address and port it does not know asks
// for it (strangerHeard()); the relay answers with addPeer(), or refuses it (allow list).
// The --udp-target peers are added at start and stay; the others are forgotten after
// --udp-peer-seconds of silence. Peers take no --max-clients slot (a tool that sends each
// datagram from a new port must not lock out the TCP clients), but besides the targets there
// are at most as many: a newcomer beyond that makes the port forget the one silent the longest.
// Reads are bounded per event-loop turn, like a TCP client's, and reuse one buffer: a datagram
// costs no allocation beyond its messages. Datagrams in a row from one peer are relayed as one
// batch, as a TCP client's read is.
#pragma once

#include "framecodec.h"
#include "logthrottle.h"
#include "messagebatch.h"
#include "osccodec.h"
#include "relayconfig.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QNetworkInterface>
#include <QObject>
#include <QTimer>

#include <optional>
#include <utility>

class QUdpSocket;
class UdpSession;

class UdpPort : public QObject
{
    Q_OBJECT

public:
    UdpPort(const RelayConfig &config, QObject *parent);

    /// Binds @p port (0: a free one) on each of @p addresses, or on none; false with
    /// errorString() when one fails, or when a --udp-target cannot be reached from them.
    bool listen(const QList<QHostAddress> &addresses, quint16 port);
    QString errorString() const { return m_errorString; }
    /// The real port (the one picked if 0 was asked); 0 when not listening.
    quint16 port() const;
    /// "127.0.0.1:7000", "[::1]:7000".
    QStringList endpoints() const;

    /// Makes the program at @p address and @p port a peer with client id @p id; a @p target
    /// stays until the relay stops. peerAdded() tells the relay.
    void addPeer(quint64 id, const QHostAddress &address, quint16 port, bool target);
    qsizetype peerCount() const { return m_peers.size(); }

signals:
    /// A datagram came from an address and port that is no peer: the relay calls addPeer() to
    /// admit it (then the datagram is relayed), or refuses it (then it is dropped).
    void strangerHeard(const QHostAddress &address, quint16 port);
    void peerAdded(UdpSession *peer);

private:
    using Endpoint = std::pair<QHostAddress, quint16>;

    void readDatagrams(QUdpSocket *socket);
    void decode(UdpSession *peer, QByteArrayView datagram);
    void relayBatch(UdpSession *from, qint64 &bytes);
    void forgetSilentPeers();
    void makeRoom();
    QUdpSocket *socketFor(const QHostAddress &address) const;
    bool isListenedOn(const QHostAddress &address) const;
    const QList<QNetworkInterface> &interfaces();

    const RelayConfig m_config;
    QList<QUdpSocket *> m_sockets; // one per address
    QHash<Endpoint, UdpSession *> m_peers;
    qsizetype m_targets = 0; // of m_peers
    FrameCodec m_lines; // text mode
    std::optional<OscCodec> m_osc; // OSC mode
    QByteArray m_datagram; // the read buffer, as big as a datagram can be
    MessageBatch m_batch; // reused from datagram to datagram
    QTimer m_silenceCheck;
    LogThrottle m_makeRoomLog;
    LogThrottle m_dropLog; // the lines of every peer about drops (UdpSession)
    QString m_errorString;
    QList<QNetworkInterface> m_interfaces; // see interfaces()
    QElapsedTimer m_interfacesAge;
};
