#include "clientinfo.h"

#include "netaddress.h"

QString ClientInfo::kindName(Kind kind)
{
    switch (kind) {
    case Kind::WebSocket:
        return QStringLiteral("WebSocket");
    case Kind::Local:
        return QStringLiteral("local");
    case Kind::Tcp:
        break;
    }
    return QStringLiteral("TCP");
}

QString ClientInfo::peerName() const
{
    switch (kind) {
    case Kind::WebSocket:
        return QStringLiteral("ws ") + NetAddress::endpoint(address, port);
    case Kind::Local:
        return QStringLiteral("local #%1").arg(id);
    case Kind::Tcp:
        break;
    }
    return NetAddress::endpoint(address, port);
}
