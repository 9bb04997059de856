#include "servicenotifier.h"

#include "relayserver.h"

#include <QLoggingCategory>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <limits>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcService, "socketserver.service", QtInfoMsg) // the service manager

namespace {

constexpr int kStatusPeriodMs = 1000; // how often the client count is sampled
// While the relay waits for its address it is still starting: each sample asks for this much
// more time, so that the start timeout (TimeoutStartSec=, 90 s by default) only ends a relay
// whose event loop has stopped.
constexpr int kWaitingExtendUsec = 10 * 1000 * 1000;

} // namespace

ServiceNotifier::ServiceNotifier(QObject *parent)
    : QObject(parent)
{
    const QByteArray path = qgetenv("NOTIFY_SOCKET");
    if (path.isEmpty())
        return;
    // A file system path, or '@' for a name in Linux's abstract namespace (a leading NUL).
    sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    if ((path[0] != '/' && path[0] != '@') || size_t(path.size()) >= sizeof address.sun_path) {
        qCWarning(lcService).noquote()
            << QStringLiteral("NOTIFY_SOCKET=%1 is not a Unix socket path: the service manager "
                              "will not hear from this relay")
                   .arg(QString::fromLocal8Bit(path));
        return;
    }
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    if (path[0] == '@')
        address.sun_path[0] = '\0';
    m_address = QByteArray(reinterpret_cast<const char *>(&address),
        qsizetype(offsetof(sockaddr_un, sun_path)) + path.size());
    m_socket = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    if (m_socket < 0) {
        qCWarning(lcService).noquote()
            << "cannot make a socket to notify the service manager:" << std::strerror(errno);
        return;
    }

    m_statusTimer.setInterval(kStatusPeriodMs);
    connect(&m_statusTimer, &QTimer::timeout, this, &ServiceNotifier::sampleStatus);

    // The watchdog, unless it is meant for another process.
    const QByteArray watchdogPid = qgetenv("WATCHDOG_PID");
    if (!watchdogPid.isEmpty() && watchdogPid.toLongLong() != qint64(::getpid()))
        return;
    const QByteArray watchdogUsec = qgetenv("WATCHDOG_USEC");
    if (watchdogUsec.isEmpty())
        return;
    bool ok = false;
    const qint64 usec = watchdogUsec.toLongLong(&ok);
    if (!ok || usec <= 0) {
        qCWarning(lcService).noquote()
            << QStringLiteral("WATCHDOG_USEC=%1 is not a time in microseconds: no watchdog")
                   .arg(QString::fromLocal8Bit(watchdogUsec));
        return;
    }
    m_watchdogTimer.setInterval(
        int(qBound(qint64(1), usec / 2000, qint64(std::numeric_limits<int>::max()))));
    connect(&m_watchdogTimer, &QTimer::timeout, this, [this] { send("WATCHDOG=1"); });
}

ServiceNotifier::~ServiceNotifier()
{
    if (m_socket >= 0)
        ::close(m_socket);
}

void ServiceNotifier::watch(const RelayServer *relay)
{
    if (m_socket < 0)
        return;
    m_relay = relay;
    connect(relay, &RelayServer::listening, this, [this] {
        m_status = statusLine();
        send("READY=1\nSTATUS=" + m_status);
    });
    m_statusTimer.start();
    if (m_watchdogTimer.interval() > 0) // set when the watchdog is on
        m_watchdogTimer.start();
}

void ServiceNotifier::stopping()
{
    if (m_socket < 0)
        return;
    m_statusTimer.stop();
    m_watchdogTimer.stop();
    send("STOPPING=1\nSTATUS=stopping");
}

// Once a second: the STATUS= line when it has changed; while the relay waits for its address,
// also more time to start.
void ServiceNotifier::sampleStatus()
{
    if (!m_relay->isListening() && !m_relay->isWaiting())
        return;
    QByteArrayList lines;
    const QByteArray status = statusLine();
    if (status != m_status) {
        m_status = status;
        lines.append("STATUS=" + status);
    }
    if (m_relay->isWaiting())
        lines.append("EXTEND_TIMEOUT_USEC=" + QByteArray::number(kWaitingExtendUsec));
    if (!lines.isEmpty())
        send(lines.join('\n'));
}

QByteArray ServiceNotifier::statusLine() const
{
    if (m_relay->isWaiting())
        return "waiting: " + m_relay->errorString().toUtf8();
    const int clients = m_relay->clientCount();
    return QByteArray::number(clients)
        + (clients == 1 ? " client connected" : " clients connected");
}

void ServiceNotifier::send(const QByteArray &message)
{
    const auto *address = reinterpret_cast<const sockaddr *>(m_address.constData());
    const ssize_t sent = ::sendto(m_socket, message.constData(), size_t(message.size()),
        MSG_DONTWAIT, address, socklen_t(m_address.size()));
    const int error = errno;
    if (sent >= 0 || m_sendFailed)
        return;
    m_sendFailed = true;
    QByteArray path = m_address.mid(qsizetype(offsetof(sockaddr_un, sun_path)));
    if (path.startsWith('\0'))
        path[0] = '@';
    qCWarning(lcService).noquote()
        << QStringLiteral("cannot notify the service manager at %1: %2 (not said again)")
               .arg(QString::fromLocal8Bit(path), QString::fromLocal8Bit(std::strerror(error)));
}
