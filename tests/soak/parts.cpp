#include "parts.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QHostAddress>

#include <csignal>

#include <sys/prctl.h>

namespace Soak {

namespace {

constexpr int kStopTimeoutMs = 10000;

/// Hands each whole line of @p pending (after appending @p bytes) to @p take.
template<typename Take> void takeLines(QByteArray &pending, const QByteArray &bytes, Take take)
{
    pending += bytes;
    qsizetype start = 0;
    for (qsizetype end; (end = pending.indexOf('\n', start)) >= 0; start = end + 1)
        take(pending.mid(start, end - start));
    pending.remove(0, start);
}

} // namespace

// ------------------------------------------------------------------------------- Program

Program::Program(QString name, QString binary, QString logPath, bool messagesOnStdout)
    : m_name(std::move(name))
    , m_binary(std::move(binary))
    , m_log(logPath)
    , m_messagesOnStdout(messagesOnStdout)
{
    m_log.open(QIODevice::WriteOnly | QIODevice::Append);
    // Killed with the soak, however it ends (Ctrl+C included).
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    if (m_messagesOnStdout) {
        connect(&m_process, &QProcess::readyReadStandardOutput, this, [this] {
            takeLines(m_pendingMessages, m_process.readAllStandardOutput(),
                [this](const QByteArray &line) { onMessage(line); });
        });
        connect(&m_process, &QProcess::readyReadStandardError, this,
            [this] { readLog(m_pendingLog, m_process.readAllStandardError()); });
    } else {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        connect(&m_process, &QProcess::readyReadStandardOutput, this,
            [this] { readLog(m_pendingLog, m_process.readAllStandardOutput()); });
    }
}

Program::~Program()
{
    if (isRunning()) {
        m_process.kill();
        m_process.waitForFinished(kStopTimeoutMs);
    }
}

bool Program::start(const QStringList &args)
{
    m_pendingMessages.clear(); // a line cut by the previous run's end is not a message
    m_log.write(QStringLiteral("--- %1 %2\n").arg(m_binary, args.join(u' ')).toUtf8());
    m_process.start(m_binary, args);
    return m_process.waitForStarted(kStopTimeoutMs);
}

bool Program::terminate()
{
    if (!isRunning())
        return false;
    ::kill(pid_t(m_process.processId()), SIGTERM);
    if (!waitUntil([this] { return !isRunning(); }, kStopTimeoutMs)) {
        m_process.kill();
        m_process.waitForFinished(kStopTimeoutMs);
        return false;
    }
    return m_process.exitStatus() == QProcess::NormalExit && m_process.exitCode() == 0;
}

int Program::count(const QString &text) const
{
    return int(std::count_if(m_lines.cbegin(), m_lines.cend(),
        [&](const QString &line) { return line.contains(text); }));
}

QString Program::tail(int lines) const
{
    return m_lines.mid(qMax(0, m_lines.size() - lines)).join(u'\n');
}

void Program::readLog(QByteArray &pending, QByteArray bytes)
{
    m_log.write(bytes);
    m_log.flush();
    takeLines(pending, bytes, [this](const QByteArray &line) {
        m_lines.append(QString::fromUtf8(line)); // a few lines a minute, without --verbose
    });
}

// ------------------------------------------------------------------------------- Checker

Checker::Checker(QByteArray name, Senders *senders, quint16 port)
    : m_name(std::move(name))
    , m_senders(senders)
    , m_port(port)
{
    connect(&m_socket, &QTcpSocket::connected, this, [this] {
        ++m_connections;
        m_connectedSince.start();
    });
    connect(&m_socket, &QTcpSocket::readyRead, this, [this] {
        takeLines(
            m_pending, m_socket.readAll(), [this](const QByteArray &line) { onMessage(line); });
    });
    connect(&m_socket, &QTcpSocket::stateChanged, this, [this](QAbstractSocket::SocketState s) {
        if (s != QAbstractSocket::UnconnectedState)
            return;
        if (m_connectedSince.isValid())
            ++m_disconnections;
        m_connectedSince.invalidate();
        m_pending.clear();
        QTimer::singleShot(200, this, &Checker::connectNow);
    });
    connect(&m_sendTimer, &QTimer::timeout, this, &Checker::sendNext);
    m_sendTimer.start(50);
    connectNow();
}

void Checker::connectNow()
{
    m_socket.connectToHost(QHostAddress::LocalHost, m_port);
}

void Checker::sendNext()
{
    if (!m_sending || !isConnected())
        return;
    m_socket.write(m_senders->next("all", m_name) + '\n');
    if (++m_ticks % 5 == 0)
        m_socket.write(m_senders->next("arduino", m_name) + '\n');
}

// --------------------------------------------------------------------------------- Board

Board::Board(const QString &linkPath, Senders *senders)
    : m_arduino(linkPath)
    , m_senders(senders)
{
    connect(&m_timer, &QTimer::timeout, this, &Board::poll);
    m_timer.start(20);
}

bool Board::plugIn()
{
    m_taken = 0; // unplug() forgot what was received
    return m_arduino.plugIn();
}

void Board::poll()
{
    const QByteArray received = m_arduino.received();
    if (!m_arduino.isPluggedIn())
        m_taken = 0;
    qsizetype start = m_taken;
    for (qsizetype end; (end = received.indexOf('\n', start)) >= 0; start = end + 1)
        onMessage(received.mid(start, end - start));
    m_taken = start;
    // A line every 100 ms. The pty takes it unless the serial relay has stopped reading it.
    if (m_sending && m_arduino.isPluggedIn() && ++m_ticks % 5 == 0
        && !m_arduino.write(m_senders->next("all", "arduino") + "\r\n"))
        ++m_failedWrites;
}

// ------------------------------------------------------------------------- ProcessSample

ProcessSample ProcessSample::of(qint64 pid)
{
    ProcessSample sample;
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                sample.rssKiB = line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
    }
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    if (fds.exists())
        sample.fds
            = int(fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size());
    return sample;
}

// -------------------------------------------------------------------------------- waiting

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

bool waitUntil(const std::function<bool()> &done, int ms)
{
    const QDeadlineTimer deadline(ms);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        spin(20);
    }
    return true;
}

} // namespace Soak
