#include "relayconfig.h"

QString RelayConfig::bindName() const
{
    switch (bind) {
    case Bind::Localhost:
        return QStringLiteral("localhost");
    case Bind::Any:
        return QStringLiteral("any");
    case Bind::Lan:
        return QStringLiteral("lan");
    case Bind::Address:
        break;
    }
    return address.toString();
}
