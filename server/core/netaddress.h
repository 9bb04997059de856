// NetAddress: the few address helpers the relay and its tools share.
#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>

namespace NetAddress {

/// @p address as plain IPv4 when it is IPv4-mapped IPv6 (how a dual-stack listener sees an
/// IPv4 client: ::ffff:192.168.1.20), else unchanged.
QHostAddress unmapped(const QHostAddress &address);

/// "127.0.0.1:6780" or "[::1]:6780"; IPv4-mapped IPv6 addresses are shown as IPv4.
QString endpoint(const QHostAddress &address, quint16 port);

/// The addresses under which other machines on the LAN can reach this one: interfaces that
/// are up and running, not loopback, not link-local; IPv4 first, then IPv6.
QList<QHostAddress> lanAddresses();

/// Where clients reach a relay listening on @p listened: each address as it is, except that
/// listening on every interface means localhost and the LAN addresses. No duplicates.
QList<QHostAddress> reachableAddresses(const QList<QHostAddress> &listened);

/// The index of the network interface that has @p address; 0 when none has it.
quint32 interfaceIndex(const QHostAddress &address);

} // namespace NetAddress
