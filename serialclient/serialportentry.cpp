#include "serialportentry.h"

#include <QSerialPortInfo>

#include <algorithm>

QString SerialPortEntry::usbIds() const
{
    if (!hasUsbIds)
        return {};
    return QStringLiteral("%1:%2")
        .arg(vendorId, 4, 16, QLatin1Char('0'))
        .arg(productId, 4, 16, QLatin1Char('0'));
}

QList<SerialPortEntry> SerialPortEntry::available()
{
    QList<SerialPortEntry> ports;
    const auto infos = QSerialPortInfo::availablePorts();
    for (const QSerialPortInfo &info : infos) {
        SerialPortEntry entry;
        entry.path = info.systemLocation();
        entry.description = info.description();
        entry.manufacturer = info.manufacturer();
        entry.serialNumber = info.serialNumber();
        entry.hasUsbIds = info.hasVendorIdentifier() && info.hasProductIdentifier();
        entry.vendorId = info.vendorIdentifier();
        entry.productId = info.productIdentifier();
        ports.append(entry);
    }
    // macOS: drop /dev/tty.X when /dev/cu.X exists.
    const auto hasCuTwin = [&ports](const SerialPortEntry &entry) {
        if (!entry.path.startsWith(QLatin1String("/dev/tty.")))
            return false;
        const QString twin = QLatin1String("/dev/cu.") + entry.path.mid(9);
        return std::any_of(ports.cbegin(), ports.cend(),
            [&twin](const SerialPortEntry &other) { return other.path == twin; });
    };
    QList<SerialPortEntry> kept;
    for (const SerialPortEntry &entry : std::as_const(ports)) {
        if (!hasCuTwin(entry))
            kept.append(entry);
    }
    std::sort(kept.begin(), kept.end(),
        [](const SerialPortEntry &a, const SerialPortEntry &b) { return a.path < b.path; });
    return kept;
}

QString SerialPortEntry::describe(const QList<SerialPortEntry> &ports)
{
    if (ports.isEmpty())
        return QStringLiteral("No serial ports found. Is the board plugged in? (A charge-only USB "
                              "cable has no data wires.)\n");
    const auto orDash
        = [](const QString &text) { return text.isEmpty() ? QStringLiteral("-") : text; };
    QString out;
    for (const SerialPortEntry &port : ports) {
        out += port.path + u'\n';
        out += QStringLiteral("  description:   %1\n").arg(orDash(port.description));
        out += QStringLiteral("  manufacturer:  %1\n").arg(orDash(port.manufacturer));
        out += QStringLiteral("  serial number: %1\n").arg(orDash(port.serialNumber));
        out += QStringLiteral("  USB VID:PID:   %1\n").arg(orDash(port.usbIds()));
    }
    return out;
}

QString SerialPortEntry::pathList(const QList<SerialPortEntry> &ports)
{
    if (ports.isEmpty())
        return QStringLiteral("none");
    QStringList paths;
    for (const SerialPortEntry &port : ports)
        paths.append(port.path);
    return paths.join(QStringLiteral(", "));
}
