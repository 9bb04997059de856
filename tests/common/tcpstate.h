// tcpState(): a TCP connection's state as the system sees it, for tests that check how the
// relay ended a connection (a reset leaves TCP_CLOSE at once). Linux only. Header-only.
#pragma once

#include <QTcpSocket>

#ifdef Q_OS_LINUX
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/// TCP_ESTABLISHED, TCP_CLOSE... of @p socket's connection; -1 when it cannot be read.
inline int tcpState(const QTcpSocket &socket)
{
    tcp_info info{};
    socklen_t size = sizeof info;
    if (::getsockopt(int(socket.socketDescriptor()), IPPROTO_TCP, TCP_INFO, &info, &size) != 0)
        return -1;
    return info.tcpi_state;
}
#endif
