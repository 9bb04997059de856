#include "relayconfig.h"

#include "netaddress.h"

#include <algorithm>

QString Expectation::matchText() const
{
    if (address.isNull())
        return QStringLiteral("prefix:") + QString::fromUtf8(prefix);
    return address.toString();
}

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

bool RelayConfig::isOriginAllowed(const QString &origin) const
{
    if (webSocketOrigins.isEmpty())
        return true;
    // "http://kiosk.local/" and "HTTP://Kiosk.local" name the same page origin.
    const auto normal = [](const QString &text) {
        QString s = text.trimmed().toLower();
        while (s.endsWith(u'/'))
            s.chop(1);
        return s;
    };
    const QString wanted = normal(origin);
    return std::any_of(webSocketOrigins.cbegin(), webSocketOrigins.cend(),
        [&](const QString &allowed) { return normal(allowed) == wanted; });
}
