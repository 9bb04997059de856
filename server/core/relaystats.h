// RelayStats: the relay's server-wide counters since it started, and the reasons it counts
// refusals and disconnections by. A plain value: RelayServer counts where things happen (per
// connection, per batch, per client at its close); /metrics, /health and tests read a copy.
// The reasons are small enums with fixed names, the label values of the metrics.
#pragma once

#include "clientinfo.h"

#include <QtGlobal>

#include <array>

/// Why a connection was refused.
enum class Refusal
{
    Full, ///< the relay has --max-clients clients already
    NotAllowed, ///< its address is not in the allow list
    BadHandshake, ///< the web port got a WebSocket upgrade that is not a proper one (400)
    OriginNotAllowed, ///< a WebSocket from a web page not in --ws-origin (403)
    WrongVersion, ///< a WebSocket of another protocol version than 13 (426)
};
constexpr int kRefusalCount = int(Refusal::WrongVersion) + 1;

/// Why a client's connection ended.
enum class Disconnect
{
    ClientClosed, ///< the client closed it (TCP FIN or reset, a WebSocket Close frame)
    ConnectionLost, ///< timed out (TCP keepalive), a network error
    NotReading, ///< too much output waited for it: it does not read
    Kicked, ///< the operator disconnected it (the panel's Disconnect)
    Oversize, ///< a WebSocket message over --max-message-bytes
    ProtocolError, ///< a WebSocket that broke the protocol (bad frame, invalid UTF-8)
    FlashPolicy, ///< a Flash player asked for the policy file, got it, and was closed
    RelayStopping, ///< the relay stopped
    Silent, ///< a UDP peer sent nothing for --udp-peer-seconds: forgotten
};
constexpr int kDisconnectCount = int(Disconnect::Silent) + 1;

constexpr int kTransportCount = int(ClientInfo::Kind::Osc) + 1;

/// The label values: "full", "not_allowed", ...
const char *refusalName(Refusal reason);
/// "client_closed", "connection_lost", ...
const char *disconnectName(Disconnect reason);
/// "tcp", "websocket", "local", "udp" or "osc".
const char *transportName(ClientInfo::Kind kind);

/// One counter per value of the enum @p E, which has @p N values.
template<typename E, int N> struct CountsBy
{
    std::array<qint64, N> counts{};

    qint64 &operator[](E key) { return counts[size_t(key)]; }
    qint64 operator[](E key) const { return counts[size_t(key)]; }
    qint64 total() const
    {
        qint64 sum = 0;
        for (const qint64 count : counts)
            sum += count;
        return sum;
    }
};

/// Server-wide counters since RelayServer::start().
struct RelayStats
{
    /// Connections admitted; UDP peers when first heard from (targets at start).
    CountsBy<ClientInfo::Kind, kTransportCount> clientsAccepted;
    CountsBy<Refusal, kRefusalCount> clientsRefused;
    CountsBy<Disconnect, kDisconnectCount> clientsDisconnected;
    qint64 messagesIn = 0;
    /// Deliveries: one message to ten clients counts ten; one a UDP peer was not sent (not
    /// OSC, too big) does not count.
    qint64 messagesOut = 0;
    qint64 bytesIn = 0; ///< as read, terminators and WebSocket framing included
    qint64 bytesOut = 0; ///< as queued for sending, terminators and framing included
    qint64 messagesDropped = 0; ///< messages over the size limit, discarded
    qint64 datagramsMalformed = 0; ///< OSC datagrams that are not OSC 1.0, discarded
    qint64 messagesUnsent = 0; ///< messages not sent to a UDP peer (ClientInfo::unsentMessages)
};
