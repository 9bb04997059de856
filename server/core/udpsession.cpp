#include "udpsession.h"

#include "logging.h"
#include "osccodec.h"
#include "outgoingmessages.h"

#include <QNetworkInterface>
#include <QUdpSocket>

namespace {
constexpr qsizetype kMaxUdpPayload = 65507; // IPv4's: 65535 less the IP and UDP headers
constexpr int kEthernetMtu = 1500;
} // namespace

UdpSession::UdpSession(quint64 id, QUdpSocket *socket, const QHostAddress &address, quint16 port,
    bool target, qsizetype safeBytes, OscCodec *osc, LogThrottle *dropLog,
    const RelayConfig &config, QObject *parent)
    : ClientSession(id, osc ? ClientInfo::Kind::Osc : ClientInfo::Kind::Udp, config, parent)
    , m_socket(socket)
    , m_osc(osc)
    , m_dropLog(dropLog)
    , m_safeBytes(safeBytes)
{
    m_info.address = address;
    m_info.port = port;
    m_info.udpTarget = target;
}

void UdpSession::droppedOversize(qint64 lines, qsizetype maxMessageBytes)
{
    m_info.droppedMessages += lines;
    logDrop(QStringLiteral("%1: dropped a line longer than %2 bytes (--max-message-bytes)")
                .arg(peerName())
                .arg(maxMessageBytes));
}

void UdpSession::droppedMalformed(const QString &why)
{
    ++m_info.malformedDatagrams;
    logDrop(QStringLiteral("%1: dropped a datagram that is not OSC 1.0 (%2)").arg(peerName(), why));
}

// @p line, as often as the port's throttle allows, so that peers sending garbage cannot fill
// the log.
void UdpSession::logDrop(const QString &line)
{
    if (!m_dropLog->allow())
        return;
    const qint64 notLogged = m_dropLog->takeSkipped();
    qCWarning(lcClients).noquote() << line
            + (notLogged ? QStringLiteral(" (and %1 more drops on the UDP port since the last "
                                          "such line)")
                               .arg(notLogged)
                         : QString());
}

void UdpSession::send(OutgoingMessages &messages)
{
    if (m_osc) {
        const MessageBatch &datagrams = messages.oscDatagrams(*m_osc);
        for (qsizetype i = 0; i < datagrams.count(); ++i)
            write(datagrams.payload(i));
        return;
    }
    for (qsizetype i = 0; i < messages.count(); ++i)
        write(messages.payload(i));
}

void UdpSession::sendMessage(QByteArrayView message)
{
    if (!m_osc) {
        write(message);
        return;
    }
    QByteArray datagram;
    if (m_osc->encode(message, datagram))
        write(datagram);
}

void UdpSession::write(QByteArrayView datagram)
{
    if (datagram.isEmpty()) // an empty line from a TCP client: a UDP tool has no use for it
        return;
    if (datagram.size() > m_safeBytes) {
        ++m_info.unsentMessages;
        if (!m_oversizeLogged) {
            m_oversizeLogged = true;
            logDrop(QStringLiteral("not sending a datagram of %1 bytes to %2: more than the %3 "
                                   "bytes that reach it whole (this and any more are dropped "
                                   "and counted; this line is not repeated for it)")
                        .arg(datagram.size())
                        .arg(peerName())
                        .arg(m_safeBytes));
        }
        return;
    }
    if (m_socket->writeDatagram(datagram.data(), datagram.size(), m_info.address, m_info.port)
        < 0) {
        ++m_info.unsentMessages;
        logDrop(QStringLiteral("cannot send to %1: %2 (dropped and counted)")
                    .arg(peerName(), m_socket->errorString()));
        return;
    }
    sent(1, datagram.size());
}

void UdpSession::closeConnection(const QString & /*reason*/)
{
    reportDisconnected(); // nothing to tell a peer: it is only forgotten
}

qsizetype UdpSession::safeDatagramBytes(
    const QHostAddress &address, const QList<QNetworkInterface> &interfaces)
{
    int mtu = kEthernetMtu;
    for (const QNetworkInterface &interface : interfaces) {
        if (!interface.flags().testFlag(QNetworkInterface::IsUp)
            || interface.maximumTransmissionUnit() <= 0)
            continue;
        const auto entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            if (address.isInSubnet(entry.ip(), entry.prefixLength()))
                mtu = interface.maximumTransmissionUnit();
        }
    }
    const int headers = address.protocol() == QAbstractSocket::IPv6Protocol ? 48 : 28;
    return qMin<qsizetype>(mtu - headers, kMaxUdpPayload);
}
