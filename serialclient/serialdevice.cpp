#include "serialdevice.h"

#include "seriallogging.h"

#include <QFileInfo>

namespace {

constexpr qsizetype kMaxHeldLines = 256; // lines written while the board settles
constexpr qint64 kMaxOutputBytes = 1024 * 1024; // unwritten output before lines are refused

QString parityLetter(QSerialPort::Parity parity)
{
    switch (parity) {
    case QSerialPort::NoParity:
        return QStringLiteral("N");
    case QSerialPort::EvenParity:
        return QStringLiteral("E");
    case QSerialPort::OddParity:
        return QStringLiteral("O");
    case QSerialPort::SpaceParity:
        return QStringLiteral("S");
    case QSerialPort::MarkParity:
        return QStringLiteral("M");
    }
    return QStringLiteral("?");
}

QString stopBitsText(QSerialPort::StopBits stopBits)
{
    switch (stopBits) {
    case QSerialPort::OneStop:
        return QStringLiteral("1");
    case QSerialPort::OneAndHalfStop:
        return QStringLiteral("1.5");
    case QSerialPort::TwoStop:
        return QStringLiteral("2");
    }
    return QStringLiteral("?");
}

// Errors that say nothing about the device: a timeout, and modem-line calls a driver (or a
// pseudo-terminal) does not support.
bool isHarmless(QSerialPort::SerialPortError error)
{
    return error == QSerialPort::NoError || error == QSerialPort::TimeoutError
        || error == QSerialPort::UnsupportedOperationError || error == QSerialPort::NotOpenError;
}

} // namespace

QString SerialDevice::Settings::describe() const
{
    QString text = QStringLiteral("%1 %2%3%4")
                       .arg(baudRate)
                       .arg(int(dataBits))
                       .arg(parityLetter(parity), stopBitsText(stopBits));
    if (flowControl == QSerialPort::HardwareControl)
        text += QStringLiteral(" RTS/CTS");
    else if (flowControl == QSerialPort::SoftwareControl)
        text += QStringLiteral(" XON/XOFF");
    return text;
}

SerialDevice::SerialDevice(const DeviceMatch &device, const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_device(device)
    , m_settings(settings)
    , m_codec(Terminator(), settings.maxLineBytes)
{
    const Terminator &end = settings.lineEnd;
    if (end.isAuto()) {
        m_writeEnd = QByteArray("\n");
    } else if (end.exactBytes() == "\n" || end.exactBytes() == "\r\n") {
        // Accept what println() sends whatever was chosen for writing.
        m_codec = FrameCodec(Terminator::exact(QByteArray("\n")), settings.maxLineBytes);
        m_stripCr = true;
        m_writeEnd = end.exactBytes();
    } else {
        m_codec = FrameCodec(end, settings.maxLineBytes);
        m_writeEnd = end.exactBytes();
    }

    m_reopen.setInterval(kReopenMs);
    connect(&m_reopen, &QTimer::timeout, this, &SerialDevice::tryOpen);
#ifdef Q_OS_LINUX
    // Listing the ports scans the system's devices (about 16 ms): not every second while the
    // board is unplugged, only when a device node came or went. (Elsewhere /dev may not report
    // its changes, so the ports are listed at every attempt.)
    if (!m_device.isPath() && m_devWatcher.addPath(QStringLiteral("/dev"))) {
        connect(&m_devWatcher, &QFileSystemWatcher::directoryChanged, this,
            [this] { m_devChanged = true; });
    }
#endif
    m_settle.setSingleShot(true);
    connect(&m_settle, &QTimer::timeout, this, &SerialDevice::becomeReady);
}

void SerialDevice::setPortLister(const std::function<QList<SerialPortEntry>()> &lister)
{
    m_listPorts = lister;
    if (!m_devWatcher.directories().isEmpty())
        m_devWatcher.removePaths(m_devWatcher.directories());
}

void SerialDevice::start()
{
    if (m_state != State::Stopped)
        return;
    tryOpen();
}

void SerialDevice::stop()
{
    m_reopen.stop();
    m_settle.stop();
    closePort();
    m_held.clear();
    m_missing = false; // a later start() looks for the device afresh
    setState(State::Stopped);
}

bool SerialDevice::writeLine(QByteArrayView line)
{
    if (m_state == State::Settling) {
        if (qsizetype(m_held.size()) >= kMaxHeldLines)
            return false;
        m_held.emplace_back(line.toByteArray());
        return true;
    }
    if (m_state != State::Ready || m_port->bytesToWrite() > kMaxOutputBytes)
        return false;
    QByteArray bytes;
    bytes.reserve(line.size() + m_writeEnd.size());
    bytes.append(line).append(m_writeEnd);
    return m_port->write(bytes) == bytes.size();
}

void SerialDevice::tryOpen()
{
    const bool watchingDev = !m_devWatcher.directories().isEmpty();
    if (watchingDev && m_missing && !m_devChanged)
        return; // no device came or went since the last look
    m_devChanged = false;
    const QList<SerialPortEntry> ports
        = m_device.isPath() ? QList<SerialPortEntry>() : m_listPorts();
    const QString path = m_device.find(ports);
    bool absent = path.isEmpty();
#ifdef Q_OS_UNIX
    absent = absent || !QFileInfo::exists(path); // (COM3 on Windows is no file)
#endif
    if (absent) {
        // Listing the ports costs a scan of the system's devices: once per absence is enough.
        if (!m_missing || m_state != State::WaitingForDevice)
            setState(State::WaitingForDevice, missingProblem());
        m_missing = true;
        return;
    }
    m_missing = false;
    m_path = path;
    // A fresh QSerialPort for every opening: with Qt 6.4, one reopened after its device went
    // away sometimes never reported input again (unplugAndReplug failed 1 run in 3 under load).
    if (m_port) { // closed already; later, as this may run within one of its signals
        m_port->disconnect(this);
        m_port->deleteLater();
    }
    m_port = new QSerialPort(this);
    connect(m_port, &QSerialPort::readyRead, this, &SerialDevice::readAvailable);
    connect(m_port, &QSerialPort::errorOccurred, this, &SerialDevice::onError);
    m_port->setPortName(path);
    m_port->setBaudRate(m_settings.baudRate);
    m_port->setDataBits(m_settings.dataBits);
    m_port->setParity(m_settings.parity);
    m_port->setStopBits(m_settings.stopBits);
    m_port->setFlowControl(m_settings.flowControl);
    if (!m_port->open(QIODevice::ReadWrite)) {
        const QString problem = openProblem(path);
        m_port->clearError();
        setState(State::WaitingForDevice, problem);
        return;
    }
    // Whatever waited in the driver was meant for a program that is gone, or is noise from
    // the board's reset.
    m_port->clear(QSerialPort::AllDirections);
    m_codec = FrameCodec(m_codec.terminator(), m_codec.maxMessageBytes());
    m_reopen.stop();
    if (m_settings.settleMs > 0) {
        setState(State::Settling);
        m_settle.start(m_settings.settleMs);
    } else {
        becomeReady();
    }
}

void SerialDevice::becomeReady()
{
    setState(State::Ready);
    while (!m_held.empty() && m_state == State::Ready) {
        writeLine(m_held.front());
        m_held.pop_front();
    }
}

void SerialDevice::readAvailable()
{
    m_batch.clear();
    m_codec.feed(m_port->readAll(), m_batch);
    for (qsizetype i = 0; i < m_batch.count(); ++i) {
        QByteArrayView line = m_batch.payload(i);
        if (m_stripCr && line.endsWith('\r'))
            line.chop(1);
        emit lineReceived(line.toByteArray());
        if (m_state != State::Ready && m_state != State::Settling)
            return; // a receiver stopped the device
    }
}

void SerialDevice::onError(QSerialPort::SerialPortError error)
{
    // Errors of a failed open() are handled by tryOpen(), those of close() are no news.
    if (isHarmless(error) || m_closing || !m_port->isOpen())
        return;
    const QString why = m_port->errorString();
    // Close at once: a port left open after an unplug reports its error again and again.
    closePort();
    m_settle.stop();
    m_held.clear();
    setState(State::WaitingForDevice,
        QStringLiteral("%1 went away (unplugged or reset? the system said: %2); closed it, "
                       "reopening it as soon as it is back")
            .arg(m_path, why));
}

void SerialDevice::closePort()
{
    if (!m_port || !m_port->isOpen())
        return;
    m_closing = true;
    m_port->close();
    m_port->clearError();
    m_closing = false;
}

QString SerialDevice::missingProblem() const
{
    const QString present = SerialPortEntry::pathList(m_listPorts());
    if (m_device.isPath())
        return QStringLiteral("no such device %1 (serial ports present: %2); waiting for it")
            .arg(m_device.devicePath(), present);
    return QStringLiteral("no serial port has %1 (serial ports present: %2); waiting for it")
        .arg(m_device.describe(), present);
}

QString SerialDevice::openProblem(const QString &path) const
{
    switch (m_port->error()) {
    case QSerialPort::DeviceNotFoundError:
        return missingProblem();
    case QSerialPort::PermissionError: {
        const QFileInfo info(path);
        if (!info.isReadable() || !info.isWritable()) {
#if defined(Q_OS_LINUX)
            return QStringLiteral(
                "permission denied for %1: this user may not use serial ports. The group "
                "'dialout' grants access on Debian, Ubuntu and Raspberry Pi OS: run "
                "'sudo usermod -aG dialout $USER', then log out and in again; waiting")
                .arg(path);
#else
            return QStringLiteral("permission denied for %1; waiting").arg(path);
#endif
        }
        return QStringLiteral("%1 is in use by another program (close the Arduino IDE's serial "
                              "monitor); waiting")
            .arg(path);
    }
    case QSerialPort::OpenError:
        return QStringLiteral("%1 is in use by another program (close the Arduino IDE's serial "
                              "monitor); waiting")
            .arg(path);
    default:
        break;
    }
    return QStringLiteral("cannot open %1 (%2); waiting").arg(path, m_port->errorString());
}

void SerialDevice::setState(State state, const QString &problem)
{
    if (state == m_state && problem == m_problem)
        return;
    const bool changed = state != m_state;
    m_state = state;
    m_problem = problem;
    switch (state) {
    case State::Stopped:
        break;
    case State::WaitingForDevice:
        m_reopen.start();
        qCWarning(lcSerial).noquote() << QStringLiteral("device: ") + problem;
        break;
    case State::Settling:
        qCInfo(lcSerial).noquote()
            << QStringLiteral("device: opened %1 (%2); waiting %3 ms for the board to start")
                   .arg(m_path, m_settings.describe())
                   .arg(m_settings.settleMs);
        break;
    case State::Ready:
        if (m_settings.settleMs > 0)
            qCInfo(lcSerial).noquote() << QStringLiteral("device: %1 ready").arg(m_path);
        else
            qCInfo(lcSerial).noquote() << QStringLiteral("device: opened %1 (%2), ready")
                                              .arg(m_path, m_settings.describe());
        break;
    }
    if (changed)
        emit stateChanged(state);
}
