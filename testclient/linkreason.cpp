#include "linkreason.h"

#include "relaylink.h"

QString linkReason(const RelayLink &link)
{
    // Qt says "Connection refused"; the reason ends a sentence of ours: "...: connection refused".
    const QString text = link.errorString();
    if (text.isEmpty())
        return text;
    return text.at(0).toLower() + text.mid(1);
}
