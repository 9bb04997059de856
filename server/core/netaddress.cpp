#include "netaddress.h"

#include <QNetworkInterface>

#include <algorithm>

namespace NetAddress {

QHostAddress unmapped(const QHostAddress &address)
{
    bool isV4 = false; // plain IPv4 or IPv4-mapped IPv6
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

QString endpoint(const QHostAddress &address, quint16 port)
{
    const QHostAddress plain = unmapped(address);
    const QString format = plain.protocol() == QAbstractSocket::IPv6Protocol
        ? QStringLiteral("[%1]:%2")
        : QStringLiteral("%1:%2");
    return format.arg(plain.toString()).arg(port);
}

QList<QHostAddress> lanAddresses()
{
    QList<QHostAddress> found;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        const auto flags = interface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp)
            || !flags.testFlag(QNetworkInterface::IsRunning)
            || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        const auto entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            const QHostAddress ip = entry.ip();
            if (!ip.isLoopback() && !ip.isLinkLocal() && !found.contains(ip))
                found.append(ip);
        }
    }
    std::stable_partition(found.begin(), found.end(),
        [](const QHostAddress &a) { return a.protocol() == QAbstractSocket::IPv4Protocol; });
    return found;
}

QList<QHostAddress> reachableAddresses(const QList<QHostAddress> &listened)
{
    QList<QHostAddress> reachable;
    const auto add = [&reachable](const QHostAddress &address) {
        if (!reachable.contains(address))
            reachable.append(address);
    };
    for (const QHostAddress &address : listened) {
        if (address == QHostAddress(QHostAddress::Any)
            || address == QHostAddress(QHostAddress::AnyIPv4)
            || address == QHostAddress(QHostAddress::AnyIPv6)) {
            add(QHostAddress(QHostAddress::LocalHost));
            for (const QHostAddress &lan : lanAddresses())
                add(lan);
        } else {
            add(address);
        }
    }
    return reachable;
}

quint32 interfaceIndex(const QHostAddress &address)
{
    const QList<QNetworkInterface> interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        const QList<QNetworkAddressEntry> entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries)
            if (entry.ip().isEqual(address))
                return quint32(interface.index());
    }
    return 0;
}

} // namespace NetAddress
