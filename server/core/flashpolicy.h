// FlashPolicy: the cross-domain policy exchange of Flash and AIR players, which ask a server
// for permission before they open a socket to it: they send kRequest and expect the policy
// document, NUL-terminated, after which the server closes the connection.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace FlashPolicy {

/// What a Flash player sends first, NUL included.
inline constexpr QByteArrayView kRequest("<policy-file-request/>\0", 23);

/// The policy that lets a page from any domain connect to @p ports, NUL-terminated.
QByteArray answer(const QList<quint16> &ports);

} // namespace FlashPolicy
