// KeepAlive: TCP keepalive tuned so that a peer that vanished (powered off, cable pulled)
// is noticed in about a minute instead of the system default of two hours.
#pragma once

class QAbstractSocket;

namespace KeepAlive {

/// Probes after 30 s of silence, every 10 s, 3 times: about 60 s to give up on a dead peer;
/// on Linux the same 60 s for data that stays unacknowledged (TCP_USER_TIMEOUT).
/// Best effort: where the system has no such settings, only keepalive itself is switched on.
void enable(QAbstractSocket *socket);

} // namespace KeepAlive
