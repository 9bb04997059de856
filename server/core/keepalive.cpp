#include "keepalive.h"

#include <QAbstractSocket>
#include <QVariant>

#ifdef Q_OS_UNIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

namespace KeepAlive {

namespace {
constexpr int kIdleSeconds = 30;
constexpr int kIntervalSeconds = 10;
constexpr int kProbes = 3;
} // namespace

void enable(QAbstractSocket *socket)
{
    socket->setSocketOption(QAbstractSocket::KeepAliveOption, QVariant(1));
#ifdef Q_OS_UNIX
    const int fd = int(socket->socketDescriptor());
    const auto set = [fd](int option, int value) {
        ::setsockopt(fd, IPPROTO_TCP, option, &value, sizeof value);
    };
#if defined(TCP_KEEPIDLE)
    set(TCP_KEEPIDLE, kIdleSeconds); // Linux
#elif defined(TCP_KEEPALIVE)
    set(TCP_KEEPALIVE, kIdleSeconds); // macOS
#endif
#ifdef TCP_KEEPINTVL
    set(TCP_KEEPINTVL, kIntervalSeconds);
#endif
#ifdef TCP_KEEPCNT
    set(TCP_KEEPCNT, kProbes);
#endif
#ifdef TCP_USER_TIMEOUT
    // Probes start only once everything sent is acknowledged: without this, a machine switched
    // off while messages waited for it would linger through retransmissions (~15 min, Linux).
    set(TCP_USER_TIMEOUT, (kIdleSeconds + kIntervalSeconds * kProbes) * 1000);
#endif
#endif
}

} // namespace KeepAlive
