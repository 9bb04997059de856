// DeviceMatch: which serial device the relay talks to, as --device or --match named it: a fixed
// path, or an identity (USB VID:PID, or a serial number) looked up among the ports present
// each time the device is (re)opened, so that a board that comes back under another name
// (ttyUSB0 -> ttyUSB1) is found again. A small value type.
#pragma once

#include "serialportentry.h"

#include <QList>
#include <QString>

#include <optional>

class DeviceMatch
{
public:
    enum class Kind
    {
        None, ///< nothing chosen yet
        Path, ///< --device PATH
        UsbIds, ///< --match VID:PID
        SerialNumber, ///< --match SERIAL
    };

    DeviceMatch() = default;
    static DeviceMatch path(const QString &path);
    /// Parses --match: "2341:0043" (hex VID:PID: what has one colon) or a serial number;
    /// nullopt when empty or a malformed VID:PID.
    static std::optional<DeviceMatch> fromMatch(const QString &text);

    Kind kind() const { return m_kind; }
    bool isPath() const { return m_kind == Kind::Path; }
    /// The path, for Kind::Path.
    QString devicePath() const { return m_path; }
    /// "/dev/ttyACM0", "USB id 2341:0043", "serial number 8573...".
    QString describe() const;

    bool matches(const SerialPortEntry &port) const;
    /// The path of the first of @p ports that matches (a /dev/cu.* one first), or empty.
    QString find(const QList<SerialPortEntry> &ports) const;

    friend bool operator==(const DeviceMatch &a, const DeviceMatch &b)
    {
        return a.m_kind == b.m_kind && a.m_path == b.m_path && a.m_serial == b.m_serial
            && a.m_vendorId == b.m_vendorId && a.m_productId == b.m_productId;
    }

private:
    Kind m_kind = Kind::None;
    QString m_path;
    QString m_serial;
    quint16 m_vendorId = 0;
    quint16 m_productId = 0;
};
