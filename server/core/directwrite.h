// DirectWrite: how the relay writes to a TCP socket. A small block goes to the system at once
// when nothing waits in Qt's write buffer, and only what the system did not take is left to
// Qt. Through Qt, a block under 4 KiB is first copied into a new 16 KiB buffer per client (kept
// while the connection lasts) and sent a loop turn later: for one message to 10,000 clients
// that is 160 MB of memory touched, and most of the time the broadcast takes. Larger blocks Qt
// keeps by reference, and sending them a loop turn later, several at once, is faster (one
// sender to one receiver: 10 against 7 million messages/s).
#pragma once

class QByteArray;
class QTcpSocket;

namespace DirectWrite {

/// Queues @p block for sending on @p socket, after everything queued before.
void write(QTcpSocket *socket, const QByteArray &block);

} // namespace DirectWrite
