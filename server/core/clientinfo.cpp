#include "clientinfo.h"

#include "netaddress.h"

QString ClientInfo::kindName(Kind kind)
{
    switch (kind) {
    case Kind::WebSocket:
        return QStringLiteral("WebSocket");
    case Kind::Local:
        return QStringLiteral("local");
    case Kind::Udp:
        return QStringLiteral("UDP");
    case Kind::Osc:
        return QStringLiteral("OSC");
    case Kind::Tcp:
        break;
    }
    return QStringLiteral("TCP");
}

QString ClientInfo::hostText() const
{
    return kind == Kind::Local ? QStringLiteral("this computer")
                               : NetAddress::unmapped(address).toString();
}

QString ClientInfo::peerName() const
{
    QString where;
    switch (kind) {
    case Kind::WebSocket:
        where = QStringLiteral("ws ") + NetAddress::endpoint(address, port);
        break;
    case Kind::Local:
        where = QStringLiteral("local #%1").arg(id);
        break;
    case Kind::Udp:
        where = QStringLiteral("udp ") + NetAddress::endpoint(address, port);
        break;
    case Kind::Osc:
        where = QStringLiteral("osc ") + NetAddress::endpoint(address, port);
        break;
    case Kind::Tcp:
        where = NetAddress::endpoint(address, port);
        break;
    }
    return name.isEmpty() ? where : QStringLiteral("%1 (%2)").arg(name, where);
}
