// NetAddress: the few address helpers the relay and its tools share.
#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>

namespace NetAddress {

/// "127.0.0.1:6780" or "[::1]:6780"; IPv4-mapped IPv6 addresses are shown as IPv4.
QString endpoint(const QHostAddress &address, quint16 port);

/// The addresses under which other machines on the LAN can reach this one: interfaces that
/// are up and running, not loopback, not link-local; IPv4 first, then IPv6.
QList<QHostAddress> lanAddresses();

} // namespace NetAddress
