#include "udpport.h"

#include "logging.h"
#include "netaddress.h"
#include "udpsession.h"

#include <QNetworkInterface>
#include <QUdpSocket>

#include <algorithm>

namespace {
constexpr qsizetype kMaxDatagramBytes = 65536; // more than any UDP payload
// Datagrams read from one socket per event-loop turn: a flood cannot starve the other clients.
constexpr int kDatagramsPerTurn = 256;
constexpr qint64 kReadChunkBytes = 64 * 1024;
// Asked of the system for each socket, so that a burst waits there rather than being lost
// (Linux grants at most net.core.rmem_max).
constexpr int kSocketBufferBytes = 4 * 1024 * 1024;
constexpr int kSilenceCheckMs = 1000;
constexpr int kMakeRoomLogPeriodMs = 10000;
constexpr int kInterfacesMaxAgeMs = 60000;
constexpr int kDropLogPeriodMs = 10000;
} // namespace

UdpPort::UdpPort(const RelayConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_lines(config.terminator, config.maxMessageBytes)
    , m_datagram(kMaxDatagramBytes, Qt::Uninitialized)
    , m_makeRoomLog(1, kMakeRoomLogPeriodMs)
    , m_dropLog(1, kDropLogPeriodMs)
{
    if (config.osc)
        m_osc.emplace(config.oscTypes, config.maxMessageBytes);
    m_silenceCheck.setInterval(kSilenceCheckMs);
    connect(&m_silenceCheck, &QTimer::timeout, this, &UdpPort::forgetSilentPeers);
}

bool UdpPort::listen(const QList<QHostAddress> &addresses, quint16 port)
{
    for (const QHostAddress &address : addresses) {
        auto *socket = new QUdpSocket(this);
        if (!socket->bind(address, port)) {
            const QString where = NetAddress::endpoint(address, port);
            m_errorString = socket->error() == QAbstractSocket::AddressInUseError
                ? QStringLiteral("cannot use UDP port %1: it is already in use (--udp-port "
                                 "chooses another)")
                      .arg(where)
                : QStringLiteral("cannot use UDP port %1: %2").arg(where, socket->errorString());
            qDeleteAll(std::exchange(m_sockets, {}));
            delete socket;
            return false;
        }
        port = socket->localPort(); // every address shares the port picked for the first
        socket->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, kSocketBufferBytes);
        socket->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, kSocketBufferBytes);
        connect(socket, &QUdpSocket::readyRead, this, [this, socket] { readDatagrams(socket); });
        m_sockets.append(socket);
    }
    for (const auto &[address, targetPort] : m_config.udpTargets) {
        if (targetPort == port && isListenedOn(address)) {
            m_errorString = QStringLiteral("--udp-target %1 is this relay's own UDP port: every "
                                           "message would come back to it for ever")
                                .arg(NetAddress::endpoint(address, targetPort));
            qDeleteAll(std::exchange(m_sockets, {}));
            return false;
        }
        if (!socketFor(address)) {
            m_errorString = QStringLiteral("cannot send to --udp-target %1 from the addresses "
                                           "listened on (%2): it needs an IPv%3 one")
                                .arg(NetAddress::endpoint(address, targetPort),
                                    endpoints().join(QStringLiteral(", ")),
                                    address.protocol() == QAbstractSocket::IPv6Protocol
                                        ? QStringLiteral("6")
                                        : QStringLiteral("4"));
            qDeleteAll(std::exchange(m_sockets, {}));
            return false;
        }
    }
    m_silenceCheck.start();
    return true;
}

quint16 UdpPort::port() const
{
    return m_sockets.isEmpty() ? 0 : m_sockets.first()->localPort();
}

QStringList UdpPort::endpoints() const
{
    QStringList names;
    for (const QUdpSocket *socket : m_sockets)
        names.append(NetAddress::endpoint(socket->localAddress(), socket->localPort()));
    return names;
}

void UdpPort::addPeer(quint64 id, const QHostAddress &address, quint16 port, bool target)
{
    if (!target && m_peers.size() - m_targets >= m_config.maxClients)
        makeRoom();
    const Endpoint endpoint{NetAddress::unmapped(address), port};
    auto *peer = new UdpSession(id, socketFor(endpoint.first), endpoint.first, port, target,
        UdpSession::safeDatagramBytes(endpoint.first, interfaces()), m_osc ? &*m_osc : nullptr,
        &m_dropLog, m_config, parent());
    m_peers.insert(endpoint, peer);
    m_targets += target ? 1 : 0;
    connect(peer, &ClientSession::disconnected, this, [this, endpoint, target] {
        m_peers.remove(endpoint);
        m_targets -= target ? 1 : 0;
    });
    emit peerAdded(peer);
}

// True when one of the port's sockets gets what is sent to @p address.
bool UdpPort::isListenedOn(const QHostAddress &address) const
{
    return std::any_of(m_sockets.cbegin(), m_sockets.cend(), [&address](const QUdpSocket *socket) {
        return socket->localAddress() == address
            || (socket->localAddress() == QHostAddress(QHostAddress::Any)
                && QNetworkInterface::allAddresses().contains(address));
    });
}

// This machine's network interfaces, asked for again once a minute: a sender using a new port
// for each datagram must not cost a look at them each time.
const QList<QNetworkInterface> &UdpPort::interfaces()
{
    if (!m_interfacesAge.isValid() || m_interfacesAge.hasExpired(kInterfacesMaxAgeMs)) {
        m_interfaces = QNetworkInterface::allInterfaces();
        m_interfacesAge.start();
    }
    return m_interfaces;
}

// The socket that reaches @p address: the one on every interface, or on an address of its kind.
QUdpSocket *UdpPort::socketFor(const QHostAddress &address) const
{
    for (QUdpSocket *socket : m_sockets) {
        const QHostAddress local = socket->localAddress();
        if (local == QHostAddress(QHostAddress::Any) || local.protocol() == address.protocol())
            return socket;
    }
    return nullptr;
}

// Datagrams in a row from one peer are relayed as one batch (one delivery to every client, not
// one per datagram), and a turn reads at most kReadChunkBytes, as from a TCP client.
void UdpPort::readDatagrams(QUdpSocket *socket)
{
    UdpSession *from = nullptr; // whose datagrams m_batch holds
    qint64 bytes = 0; // read from it
    qint64 bytesThisTurn = 0;
    for (int i = 0;
         i < kDatagramsPerTurn && bytesThisTurn < kReadChunkBytes && socket->hasPendingDatagrams();
         ++i) {
        QHostAddress address;
        quint16 port = 0;
        const qint64 size
            = socket->readDatagram(m_datagram.data(), m_datagram.size(), &address, &port);
        if (size < 0)
            break;
        bytesThisTurn += size;
        const Endpoint endpoint{NetAddress::unmapped(address), port};
        UdpSession *peer = m_peers.value(endpoint);
        if (peer != from) {
            relayBatch(from, bytes);
            from = nullptr;
        }
        if (!peer) {
            emit strangerHeard(endpoint.first, port);
            peer = m_peers.value(endpoint);
            if (!peer)
                continue; // refused
        }
        from = peer;
        bytes += size;
        decode(peer, QByteArrayView(m_datagram.constData(), size));
    }
    relayBatch(from, bytes);
}

// Appends the messages of @p datagram from @p peer to m_batch.
void UdpPort::decode(UdpSession *peer, QByteArrayView datagram)
{
    qint64 dropped = 0;
    if (m_osc) {
        const qint64 droppedBefore = m_osc->droppedLines();
        const OscCodec::Error error = m_osc->decode(datagram, m_batch);
        if (error != OscCodec::Error::None) {
            peer->droppedMalformed(OscCodec::errorText(error));
            return;
        }
        dropped = m_osc->droppedLines() - droppedBefore;
    } else {
        const qint64 droppedBefore = m_lines.droppedMessages();
        m_lines.splitDatagram(datagram, m_batch);
        dropped = m_lines.droppedMessages() - droppedBefore;
    }
    if (dropped)
        peer->droppedOversize(dropped, m_config.maxMessageBytes);
}

// Hands what @p from sent (@p bytes, m_batch) to the relay, and starts afresh.
void UdpPort::relayBatch(UdpSession *from, qint64 &bytes)
{
    if (from)
        from->heard(bytes, m_batch);
    m_batch.clear();
    bytes = 0;
}

// As many peers heard from as --max-clients (besides the targets): forgets the one silent the
// longest (of two as silent, the older) for a newcomer.
void UdpPort::makeRoom()
{
    UdpSession *quietest = nullptr;
    for (UdpSession *peer : std::as_const(m_peers)) {
        if (peer->isTarget())
            continue;
        if (!quietest || peer->idleMs() > quietest->idleMs()
            || (peer->idleMs() == quietest->idleMs() && peer->id() < quietest->id()))
            quietest = peer;
    }
    if (m_makeRoomLog.allow()) {
        const qint64 notLogged = m_makeRoomLog.takeSkipped();
        qCWarning(lcClients).noquote()
            << QStringLiteral("%1 programs were heard from on the UDP port within "
                              "--udp-peer-seconds, the most --max-clients allows: forgetting the "
                              "one silent the longest, %2, for a newcomer")
                    .arg(m_peers.size() - m_targets)
                    .arg(quietest->peerName())
                + (notLogged ? QStringLiteral(" (%1 more forgotten so since the last such line)")
                                   .arg(notLogged)
                             : QString());
    }
    quietest->close(Disconnect::Silent,
        QStringLiteral("forgotten for a newcomer: too many programs heard from"));
}

void UdpPort::forgetSilentPeers()
{
    const qint64 limitMs = m_config.udpPeerSeconds * 1000LL;
    QList<UdpSession *> silent;
    for (UdpSession *peer : std::as_const(m_peers)) {
        if (!peer->isTarget() && peer->isOpen() && peer->idleMs() >= limitMs)
            silent.append(peer);
    }
    for (UdpSession *peer : std::as_const(silent))
        peer->close(Disconnect::Silent,
            QStringLiteral("silent for %1 s (--udp-peer-seconds)").arg(m_config.udpPeerSeconds));
}
