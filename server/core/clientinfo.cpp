#include "clientinfo.h"

#include "netaddress.h"

QString ClientInfo::peerName() const
{
    return NetAddress::endpoint(address, port);
}
