#include "relayconfig.h"

#include "netaddress.h"

QString RelayConfig::bindName() const
{
    switch (bind) {
    case Bind::Localhost:
        return QStringLiteral("localhost");
    case Bind::Any:
        return QStringLiteral("any");
    case Bind::Lan:
        return QStringLiteral("lan");
    case Bind::Address:
        break;
    }
    return address.toString();
}

bool RelayConfig::isAllowed(const QHostAddress &address) const
{
    if (allow.isEmpty())
        return true;
    const QHostAddress plain = NetAddress::unmapped(address);
    for (const auto &subnet : allow) {
        if (plain.isInSubnet(subnet))
            return true;
    }
    return false;
}
