// BindChoice: one entry of the panel's "Listen on" list: localhost, every interface, or one
// interface of this machine by name and address. A plain value.
#pragma once

#include "relayconfig.h"

#include <QList>
#include <QString>

struct BindChoice
{
    QString label; ///< "This computer only (localhost)", "en0 – 192.168.1.20"
    RelayConfig::Bind bind = RelayConfig::Bind::Localhost;
    QHostAddress address; ///< when bind is Address

    /// Localhost, every interface, the LAN address, then one entry per address of each interface
    /// that is up.
    static QList<BindChoice> available();
    /// The entry of @p choices that matches @p config; -1 when none does.
    static int indexOf(const QList<BindChoice> &choices, const RelayConfig &config);
};
