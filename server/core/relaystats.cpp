#include "relaystats.h"

const char *refusalName(Refusal reason)
{
    switch (reason) {
    case Refusal::Full:
        return "full";
    case Refusal::NotAllowed:
        return "not_allowed";
    case Refusal::BadHandshake:
        return "bad_handshake";
    case Refusal::OriginNotAllowed:
        return "origin_not_allowed";
    case Refusal::WrongVersion:
        return "wrong_version";
    }
    return "";
}

const char *disconnectName(Disconnect reason)
{
    switch (reason) {
    case Disconnect::ClientClosed:
        return "client_closed";
    case Disconnect::ConnectionLost:
        return "connection_lost";
    case Disconnect::NotReading:
        return "not_reading";
    case Disconnect::Kicked:
        return "kicked";
    case Disconnect::Oversize:
        return "oversize";
    case Disconnect::ProtocolError:
        return "protocol_error";
    case Disconnect::FlashPolicy:
        return "flash_policy";
    case Disconnect::RelayStopping:
        return "relay_stopping";
    case Disconnect::Silent:
        return "silent";
    }
    return "";
}

const char *transportName(ClientInfo::Kind kind)
{
    switch (kind) {
    case ClientInfo::Kind::Tcp:
        return "tcp";
    case ClientInfo::Kind::WebSocket:
        return "websocket";
    case ClientInfo::Kind::Local:
        return "local";
    case ClientInfo::Kind::Udp:
        return "udp";
    case ClientInfo::Kind::Osc:
        return "osc";
    }
    return "";
}
