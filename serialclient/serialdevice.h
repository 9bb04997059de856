// SerialDevice: one serial device (an Arduino on USB) that keeps itself open. Owns the
// QSerialPort and its state machine:
//
//   WaitingForDevice --open succeeded--> Settling --settle time over--> Ready
//          ^                                 |                           |
//          +------- any real error: the port is closed at once ---------+
//
// While waiting it tries to open the device again every second (re-scanning the ports when
// the device is chosen by identity), and logs one line per change of state or of the reason,
// never one per attempt. After opening it throws away stale input and waits the settle time
// before writing (an Uno resets when the port opens); what is written meanwhile is held.
//
// Lines: what the device sends is cut into lines (by default at "\n", a "\r" before it is
// dropped, so Arduino's println() works); writeLine() appends the line end (default "\n").
// Owned by whoever creates it (main(), or a test).
#pragma once

#include "devicematch.h"
#include "framecodec.h"
#include "messagebatch.h"
#include "serialportentry.h"

#include <QFileSystemWatcher>
#include <QObject>
#include <QSerialPort>
#include <QTimer>

#include <deque>
#include <functional>

class SerialDevice : public QObject
{
    Q_OBJECT

public:
    enum class State
    {
        Stopped, ///< before start(), after stop()
        WaitingForDevice, ///< absent, busy or failed: trying again every second
        Settling, ///< open, waiting for the board to start before writing
        Ready, ///< open, lines flow both ways
    };
    Q_ENUM(State)

    struct Settings
    {
        qint32 baudRate = 9600;
        QSerialPort::DataBits dataBits = QSerialPort::Data8;
        QSerialPort::Parity parity = QSerialPort::NoParity;
        QSerialPort::StopBits stopBits = QSerialPort::OneStop;
        QSerialPort::FlowControl flowControl = QSerialPort::NoFlowControl;
        int settleMs = 2000;
        /// The device's line end. lf (default) or crlf: a line ends at "\n" and a "\r" before
        /// it is dropped; what is written ends with exactly these bytes. auto: lines end at
        /// "\n", "\r\n" or NUL and "\n" is written. Any other: exactly that, both ways.
        Terminator lineEnd = Terminator::exact(QByteArray("\n"));
        qsizetype maxLineBytes = 64 * 1024;

        /// "9600 8N1", "115200 7E2 RTS/CTS".
        QString describe() const;
    };

    SerialDevice(const DeviceMatch &device, const Settings &settings, QObject *parent = nullptr);

    /// Where the serial ports are listed from, for --match: by default the system (on Linux
    /// listed again only after /dev changed); a test gives its own, asked at every attempt.
    void setPortLister(const std::function<QList<SerialPortEntry>()> &lister);

    /// Opens the device now, or starts waiting for it.
    void start();
    /// Closes the device and stops trying.
    void stop();

    State state() const { return m_state; }
    /// The path open (or last tried), e.g. /dev/ttyACM0.
    QString portPath() const { return m_path; }
    /// Why the device is not open, in words, while WaitingForDevice.
    QString problem() const { return m_problem; }
    const Settings &settings() const { return m_settings; }
    /// The milliseconds between two attempts to open the device.
    static constexpr int kReopenMs = 1000;

    /// Writes @p line and the line end. While Settling the line is held (up to kMaxHeldLines)
    /// and written once Ready. Returns false, writing nothing, when the device is not open or
    /// its output is full (a board that does not read), or too many lines are held already.
    bool writeLine(QByteArrayView line);

signals:
    void stateChanged(SerialDevice::State state);
    /// One line from the device, without its line end.
    void lineReceived(const QByteArray &line);

private:
    void tryOpen();
    void readAvailable();
    void onError(QSerialPort::SerialPortError error);
    void closePort();
    void becomeReady();
    QString openProblem(const QString &path) const;
    QString missingProblem() const;
    void setState(State state, const QString &problem = QString());

    DeviceMatch m_device;
    Settings m_settings;
    std::function<QList<SerialPortEntry>()> m_listPorts = &SerialPortEntry::available;
    QSerialPort *m_port = nullptr; // a new one for every opening
    QTimer m_reopen;
    QTimer m_settle;
    FrameCodec m_codec;
    MessageBatch m_batch;
    QByteArray m_writeEnd; // appended to each line written
    bool m_stripCr = false; // lf/crlf mode: a "\r" before the "\n" is not part of the line
    std::deque<QByteArray> m_held; // written while Settling
    QString m_path;
    QString m_problem;
    State m_state = State::Stopped;
    bool m_missing = false; // the last attempt found no device (its problem says which exist)
    // Linux: with --match, the ports are listed again only after something changed in /dev.
    QFileSystemWatcher m_devWatcher;
    bool m_devChanged = false;
    bool m_closing = false; // errors reported while closing are not new errors
};
