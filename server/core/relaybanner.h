// relayBanner(): the start-up lines of a relay that listens: where clients connect, and the
// settings that change what they see. The daemon prints them; the panel writes them to its log.
#pragma once

#include <QStringList>

class RelayServer;

/// The lines for @p relay (listening), the first beginning "PROGRAM VERSION listening on".
QStringList relayBanner(const RelayServer &relay, const QString &program);
