#include "devicematch.h"

#include <QRegularExpression>

DeviceMatch DeviceMatch::path(const QString &path)
{
    DeviceMatch match;
    match.m_kind = Kind::Path;
    match.m_path = path;
    return match;
}

std::optional<DeviceMatch> DeviceMatch::fromMatch(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    DeviceMatch match;
    // One colon: a VID:PID. More, as in F4:12:FA:4F:9B:C8 (boards with native USB report their
    // MAC address): a serial number.
    if (trimmed.count(u':') == 1) {
        static const QRegularExpression ids(
            QStringLiteral("^(?:0x)?([0-9a-f]{1,4}):(?:0x)?([0-9a-f]{1,4})$"),
            QRegularExpression::CaseInsensitiveOption);
        const QRegularExpressionMatch found = ids.match(trimmed);
        if (!found.hasMatch())
            return std::nullopt;
        match.m_kind = Kind::UsbIds;
        match.m_vendorId = quint16(found.captured(1).toUInt(nullptr, 16));
        match.m_productId = quint16(found.captured(2).toUInt(nullptr, 16));
        return match;
    }
    match.m_kind = Kind::SerialNumber;
    match.m_serial = trimmed;
    return match;
}

QString DeviceMatch::describe() const
{
    switch (m_kind) {
    case Kind::None:
        break;
    case Kind::Path:
        return m_path;
    case Kind::UsbIds:
        return QStringLiteral("USB id %1:%2")
            .arg(m_vendorId, 4, 16, QLatin1Char('0'))
            .arg(m_productId, 4, 16, QLatin1Char('0'));
    case Kind::SerialNumber:
        return QStringLiteral("serial number %1").arg(m_serial);
    }
    return QStringLiteral("no device");
}

bool DeviceMatch::matches(const SerialPortEntry &port) const
{
    switch (m_kind) {
    case Kind::None:
        return false;
    case Kind::Path:
        return port.path == m_path;
    case Kind::UsbIds:
        return port.hasUsbIds && port.vendorId == m_vendorId && port.productId == m_productId;
    case Kind::SerialNumber:
        return port.serialNumber.compare(m_serial, Qt::CaseInsensitive) == 0;
    }
    return false;
}

QString DeviceMatch::find(const QList<SerialPortEntry> &ports) const
{
    if (m_kind == Kind::Path)
        return m_path;
    QString found;
    for (const SerialPortEntry &port : ports) {
        if (!matches(port))
            continue;
        if (port.path.startsWith(QLatin1String("/dev/cu.")))
            return port.path;
        if (found.isEmpty())
            found = port.path;
    }
    return found;
}
