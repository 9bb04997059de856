#include "flashpolicy.h"

QByteArray FlashPolicy::answer(const QList<quint16> &ports)
{
    QByteArray list;
    for (const quint16 port : ports)
        list += (list.isEmpty() ? "" : ",") + QByteArray::number(port);
    return QByteArrayLiteral("<?xml version=\"1.0\"?><cross-domain-policy>"
                             "<allow-access-from domain=\"*\" to-ports=\"")
        + list + QByteArrayLiteral("\"/></cross-domain-policy>") + '\0';
}
