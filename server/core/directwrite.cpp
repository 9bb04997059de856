#include "directwrite.h"

#include <QByteArray>
#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace DirectWrite {

namespace {
constexpr qsizetype kMaxBytes = 4096; // Qt copies smaller blocks: see the header

#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL; // a vanished peer is an error to Qt, not a SIGPIPE
#else
constexpr int kSendFlags = 0; // macOS: Qt sets SO_NOSIGPIPE on its sockets instead
#endif
} // namespace

void write(QTcpSocket *socket, const QByteArray &block)
{
#ifdef Q_OS_UNIX
    if (block.size() < kMaxBytes && socket->bytesToWrite() == 0) {
        const qint64 sent = ::send(
            int(socket->socketDescriptor()), block.constData(), size_t(block.size()), kSendFlags);
        if (sent == block.size())
            return;
        if (sent > 0) {
            socket->write(block.constData() + sent, block.size() - sent);
            return;
        }
        // Nothing sent: the system's buffer is full (Qt waits for room), or the connection
        // failed (Qt finds out and reports it as usual).
    }
#endif
    socket->write(block);
}

} // namespace DirectWrite
