// SerialDevice against a pseudo-terminal Arduino (fakearduino.h): lines both ways, port
// settings, unplug and replug (found again under a new name), settling, busy and missing ports.
#include "fakearduino.h"
#include "serialdevice.h"

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSerialPort>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// SerialDevice against a pseudo-terminal: the test plays the Arduino on the master side.
class tst_SerialDevice : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void linesFromTheDevice_data();
    void linesFromTheDevice();
    void aLineSplitAcrossManyWrites();
    void linesToTheDevice_data();
    void linesToTheDevice();
    void settingsAppliedToThePort();
    void unplugAndReplug();
    void matchFindsTheBoardUnderANewName();
    void staleInputIsCleared();
    void settleTimeHoldsWrites();
    void missingDeviceNamesThePortsPresent_data();
    void missingDeviceNamesThePortsPresent();
    void busyDeviceIsWaitedFor();

private:
    QString linkPath() const { return m_dir.filePath(QStringLiteral("arduino")); }
    static SerialDevice::Settings fast()
    {
        SerialDevice::Settings settings;
        settings.settleMs = 0;
        return settings;
    }

    QTemporaryDir m_dir;
};

void tst_SerialDevice::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // The device's state lines are warnings by design; here only Qt's own warnings count.
    QLoggingCategory::setFilterRules(
        QStringLiteral("socketserver.serial=false\nsocketserver.serial.*=false"));
}

void tst_SerialDevice::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_SerialDevice::linesFromTheDevice_data()
{
    QTest::addColumn<QString>("lineEnd");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QStringList>("lines");
    QTest::newRow("println (CRLF)")
        << "lf" << QByteArray("one\r\ntwo\r\n") << QStringList{"one", "two"};
    QTest::newRow("LF") << "lf" << QByteArray("one\ntwo\n") << QStringList{"one", "two"};
    QTest::newRow("mixed, lone CR is data")
        << "lf" << QByteArray("a\rb\r\nc\n") << QStringList{"a\rb", "c"};
    QTest::newRow("NUL is data in lf mode")
        << "lf" << QByteArray("a\0b\n", 4) << QStringList{QString::fromLatin1("a\0b", 3)};
    QTest::newRow("crlf mode reads LF too")
        << "crlf" << QByteArray("x\ny\r\n") << QStringList{"x", "y"};
    QTest::newRow("auto splits at NUL")
        << "auto" << QByteArray("a\0b\n", 4) << QStringList{"a", "b"};
    QTest::newRow("cr mode") << "cr" << QByteArray("a\rb\nc\r") << QStringList{"a", "b\nc"};
    QTest::newRow("empty line") << "lf" << QByteArray("\r\nx\n") << QStringList{"", "x"};
}

void tst_SerialDevice::linesFromTheDevice()
{
    QFETCH(QString, lineEnd);
    QFETCH(QByteArray, input);
    QFETCH(QStringList, lines);
    FakeArduino arduino(linkPath());
    QVERIFY(arduino.plugIn());
    SerialDevice::Settings settings = fast();
    settings.lineEnd = *Terminator::fromName(lineEnd);
    SerialDevice device(DeviceMatch::path(linkPath()), settings);
    QSignalSpy received(&device, &SerialDevice::lineReceived);
    QVERIFY(received.isValid());
    device.start();
    QCOMPARE(device.state(), SerialDevice::State::Ready);
    QVERIFY(arduino.write(input));
    const auto got = [&received] {
        QStringList lines;
        for (const auto &signal : std::as_const(received))
            lines.append(QString::fromLatin1(signal.at(0).toByteArray()));
        return lines;
    };
    QTRY_COMPARE(got(), lines);
}

void tst_SerialDevice::aLineSplitAcrossManyWrites()
{
    FakeArduino arduino(linkPath());
    QVERIFY(arduino.plugIn());
    SerialDevice device(DeviceMatch::path(linkPath()), fast());
    QSignalSpy received(&device, &SerialDevice::lineReceived);
    device.start();
    QCOMPARE(device.state(), SerialDevice::State::Ready);
    const QByteArray text("button 3 pressed after a long time\r\n");
    for (char c : text) {
        QVERIFY(arduino.write(QByteArray(1, c)));
        QTest::qWait(2); // let the program read each byte on its own
    }
    QTRY_COMPARE(received.count(), 1);
    QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("button 3 pressed after a long time"));
}

void tst_SerialDevice::linesToTheDevice_data()
{
    QTest::addColumn<QString>("lineEnd");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("lf (default)") << "lf" << QByteArray("led,on\nled,off\n");
    QTest::newRow("crlf") << "crlf" << QByteArray("led,on\r\nled,off\r\n");
    QTest::newRow("auto writes LF") << "auto" << QByteArray("led,on\nled,off\n");
    QTest::newRow("nul") << "nul" << QByteArray("led,on\0led,off\0", 15);
}

void tst_SerialDevice::linesToTheDevice()
{
    QFETCH(QString, lineEnd);
    QFETCH(QByteArray, expected);
    FakeArduino arduino(linkPath());
    QVERIFY(arduino.plugIn());
    SerialDevice::Settings settings = fast();
    settings.lineEnd = *Terminator::fromName(lineEnd);
    SerialDevice device(DeviceMatch::path(linkPath()), settings);
    QVERIFY(!device.writeLine("before start"));
    device.start();
    QCOMPARE(device.state(), SerialDevice::State::Ready);
    QVERIFY(device.writeLine("led,on"));
    QVERIFY(device.writeLine("led,off"));
    QTRY_COMPARE(arduino.received(), expected);
}

void tst_SerialDevice::settingsAppliedToThePort()
{
    FakeArduino arduino(linkPath());
    QVERIFY(arduino.plugIn());
    SerialDevice::Settings settings = fast();
    settings.baudRate = 115200;
    settings.dataBits = QSerialPort::Data7;
    settings.parity = QSerialPort::EvenParity;
    settings.stopBits = QSerialPort::TwoStop;
    settings.flowControl = QSerialPort::HardwareControl;
    QCOMPARE(settings.describe(), QStringLiteral("115200 7E2 RTS/CTS"));
    SerialDevice device(DeviceMatch::path(linkPath()), settings);
    device.start();
    QCOMPARE(device.state(), SerialDevice::State::Ready);
    termios tio{};
    QVERIFY(arduino.settings(&tio));
    QCOMPARE(cfgetospeed(&tio), speed_t(B115200));
    // A Linux pty forces 8 data bits without parity whatever is asked, so the data bits and
    // the parity are checked only where the pty keeps them.
#if !defined(Q_OS_LINUX)
    QCOMPARE(tio.c_cflag & CSIZE, tcflag_t(CS7));
    QVERIFY(tio.c_cflag & PARENB);
    QVERIFY(!(tio.c_cflag & PARODD));
#endif
    QVERIFY(tio.c_cflag & CSTOPB);
    QVERIFY(tio.c_cflag & CRTSCTS);
    QCOMPARE(SerialDevice::Settings().describe(), QStringLiteral("9600 8N1"));
}

void tst_SerialDevice::unplugAndReplug()
{
    FakeArduino arduino(linkPath());
    QVERIFY(arduino.plugIn());
    SerialDevice device(DeviceMatch::path(linkPath()), fast());
    QSignalSpy states(&device, &SerialDevice::stateChanged);
    QSignalSpy received(&device, &SerialDevice::lineReceived);
    device.start();
    QCOMPARE(device.state(), SerialDevice::State::Ready);
    QVERIFY(arduino.write("before\n"));
    QTRY_COMPARE(received.count(), 1);

    arduino.unplug();
    QTRY_COMPARE(device.state(), SerialDevice::State::WaitingForDevice);
    QVERIFY(!device.writeLine("nobody listens"));
    // The next attempt finds the device gone.
    QTRY_VERIFY_WITH_TIMEOUT(device.problem().contains(QStringLiteral("no such device")), 5000);
    const int statesWhileAway = states.count();

    QVERIFY(arduino.plugIn());
    QTRY_COMPARE_WITH_TIMEOUT(device.state(), SerialDevice::State::Ready, 5000);
    QCOMPARE(states.count(), statesWhileAway + 1); // one change: back to Ready
    QVERIFY(arduino.write("after\n"));
    QTRY_COMPARE(received.count(), 2);
    QCOMPARE(received.at(1).at(0).toByteArray(), QByteArray("after"));
    QVERIFY(device.writeLine("welcome back"));
    QTRY_COMPARE(arduino.received(), QByteArray("welcome back\n"));
}

void tst_SerialDevice::matchFindsTheBoardUnderANewName()
{
    // The board is USB 2341:0043 behind whichever link the test says; replugged, it comes back
    // under another name, as ttyACM0 becomes ttyACM1.
    QString boardPath = m_dir.filePath(QStringLiteral("ttyACM0"));
    auto arduino = std::make_unique<FakeArduino>(boardPath);
    QVERIFY(arduino->plugIn());
    SerialDevice device(*DeviceMatch::fromMatch(QStringLiteral("2341:0043")), fast());
    device.setPortLister([&] {
        QList<SerialPortEntry> ports{{QStringLiteral("/dev/ttyS0"), {}, {}, {}, false, 0, 0}};
        if (arduino && arduino->isPluggedIn())
            ports.append({boardPath, QStringLiteral("Arduino Uno"), {}, {}, true, 0x2341, 0x43});
        return ports;
    });
    QSignalSpy received(&device, &SerialDevice::lineReceived);
    device.start();
    QCOMPARE(device.state(), SerialDevice::State::Ready);
    QCOMPARE(device.portPath(), boardPath);

    arduino.reset(); // unplugged
    QTRY_COMPARE(device.state(), SerialDevice::State::WaitingForDevice);
    QTRY_VERIFY_WITH_TIMEOUT(device.problem().contains(QStringLiteral("no serial port has")), 5000);
    boardPath = m_dir.filePath(QStringLiteral("ttyACM1"));
    arduino = std::make_unique<FakeArduino>(boardPath);
    QVERIFY(arduino->plugIn());
    QTRY_COMPARE_WITH_TIMEOUT(device.state(), SerialDevice::State::Ready, 5000);
    QCOMPARE(device.portPath(), boardPath);
    QVERIFY(arduino->write("found again\n"));
    QTRY_COMPARE(received.count(), 1);
    QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("found again"));
}

void tst_SerialDevice::staleInputIsCleared()
{
    FakeArduino arduino(linkPath());
    QVERIFY(arduino.plugIn());
    QVERIFY(arduino.write("stale line from before\n"));
    SerialDevice device(DeviceMatch::path(linkPath()), fast());
    QSignalSpy received(&device, &SerialDevice::lineReceived);
    device.start();
    QCOMPARE(device.state(), SerialDevice::State::Ready);
    QVERIFY(arduino.write("fresh\n"));
    QTRY_COMPARE(received.count(), 1);
    QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("fresh"));
}

void tst_SerialDevice::settleTimeHoldsWrites()
{
    FakeArduino arduino(linkPath());
    QVERIFY(arduino.plugIn());
    SerialDevice::Settings settings;
    settings.settleMs = 300;
    SerialDevice device(DeviceMatch::path(linkPath()), settings);
    QByteArray writtenBeforeReady = "not ready yet";
    connect(&device, &SerialDevice::stateChanged, this, [&](SerialDevice::State state) {
        if (state == SerialDevice::State::Ready)
            writtenBeforeReady = arduino.received();
    });
    device.start();
    QCOMPARE(device.state(), SerialDevice::State::Settling);
    QVERIFY(device.writeLine("early"));
    QTRY_COMPARE(device.state(), SerialDevice::State::Ready);
    QCOMPARE(writtenBeforeReady, QByteArray());
    QTRY_COMPARE(arduino.received(), QByteArray("early\n"));
}

void tst_SerialDevice::missingDeviceNamesThePortsPresent_data()
{
    QTest::addColumn<QString>("match");
    QTest::addColumn<QString>("expected");
    QTest::newRow("path") << "/nonexistent/ttyACM9"
                          << "no such device /nonexistent/ttyACM9";
    QTest::newRow("VID:PID") << "2341:0043"
                             << "no serial port has USB id 2341:0043";
    QTest::newRow("serial") << "NO-SUCH-SERIAL-1"
                            << "no serial port has serial number NO-SUCH-SERIAL-1";
}

void tst_SerialDevice::missingDeviceNamesThePortsPresent()
{
    QFETCH(QString, match);
    QFETCH(QString, expected);
    const DeviceMatch device
        = match.startsWith(u'/') ? DeviceMatch::path(match) : *DeviceMatch::fromMatch(match);
    SerialDevice serial(device, fast());
    serial.start();
    QCOMPARE(serial.state(), SerialDevice::State::WaitingForDevice);
    QVERIFY2(serial.problem().startsWith(expected), qPrintable(serial.problem()));
    QVERIFY2(serial.problem().contains(QStringLiteral("serial ports present: ")),
        qPrintable(serial.problem()));
    serial.stop();
    QCOMPARE(serial.state(), SerialDevice::State::Stopped);
}

void tst_SerialDevice::busyDeviceIsWaitedFor()
{
    FakeArduino arduino(linkPath());
    QVERIFY(arduino.plugIn());
    SerialDevice first(DeviceMatch::path(linkPath()), fast());
    first.start();
    QCOMPARE(first.state(), SerialDevice::State::Ready);
    SerialDevice second(DeviceMatch::path(linkPath()), fast());
    second.start();
    QCOMPARE(second.state(), SerialDevice::State::WaitingForDevice);
    QVERIFY2(second.problem().contains(QStringLiteral("in use by another program")),
        qPrintable(second.problem()));
    first.stop();
    QTRY_COMPARE_WITH_TIMEOUT(second.state(), SerialDevice::State::Ready, 5000);
}

QTEST_MAIN(tst_SerialDevice)
#include "tst_serialdevice.moc"
