// SerialPortEntry: one serial port of this machine as --list shows it and --match looks for it.
// A plain value copied out of QSerialPortInfo, so that listing and matching are pure code that
// tests can feed with made-up ports.
#pragma once

#include <QList>
#include <QString>

struct SerialPortEntry
{
    QString path; ///< /dev/ttyACM0, /dev/cu.usbmodem14101, COM3
    QString description;
    QString manufacturer;
    QString serialNumber;
    bool hasUsbIds = false;
    quint16 vendorId = 0;
    quint16 productId = 0;

    /// "2341:0043", or an empty string when the port is not a USB device.
    QString usbIds() const;

    /// The serial ports of this machine, sorted by path. On macOS a device appears twice, as
    /// /dev/tty.* and /dev/cu.*: only the cu.* twin is kept (opening tty.* waits for a modem
    /// carrier that an Arduino never raises).
    static QList<SerialPortEntry> available();
    /// The --list text: one block per port, or a sentence saying there is none.
    static QString describe(const QList<SerialPortEntry> &ports);
    /// The paths of @p ports, comma separated, or "none", for error messages.
    static QString pathList(const QList<SerialPortEntry> &ports);
};
