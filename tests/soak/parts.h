// The soak's moving parts: the project's programs as processes (Program), its own TCP clients
// that send and check numbered messages (Checker), the Arduino on a pseudo-terminal (Board),
// and the daemon's memory and open files as /proc shows them (ProcessSample).
#pragma once

#include "fakearduino.h"
#include "streams.h"

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QProcess>
#include <QTcpSocket>
#include <QTimer>

#include <functional>

namespace Soak {

/// One of the project's programs, started as a process. Its log (stdout and stderr, or stderr
/// only when stdout carries messages) goes to a file and is kept in memory line by line, so
/// the soak can count what it said.
class Program : public QObject
{
    Q_OBJECT

public:
    /// With @p messagesOnStdout, each stdout line is handed to onMessage instead of the log.
    Program(QString name, QString binary, QString logPath, bool messagesOnStdout = false);
    ~Program() override;

    bool start(const QStringList &args);
    /// Sends SIGTERM and waits (10 s at most): true if it exited by itself with status 0.
    bool terminate();
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    qint64 pid() const { return m_process.processId(); }
    QString name() const { return m_name; }

    /// How many log lines so far contain @p text.
    int count(const QString &text) const;
    /// The last lines of its log, for a failure report.
    QString tail(int lines = 15) const;

    std::function<void(const QByteArray &)> onMessage;

private:
    void readLog(QByteArray &pending, QByteArray bytes);

    QString m_name;
    QString m_binary;
    QFile m_log;
    bool m_messagesOnStdout;
    QProcess m_process;
    QByteArray m_pendingLog;
    QByteArray m_pendingMessages;
    QStringList m_lines;
};

/// A TCP client of the relay that sends numbered messages ("all:NAME:..." every 50 ms,
/// "arduino:NAME:..." every 250 ms), hands every message it receives to onMessage, and
/// reconnects by itself (every 200 ms) when the relay goes away.
class Checker : public QObject
{
    Q_OBJECT

public:
    Checker(QByteArray name, Senders *senders, quint16 port);
    QByteArray name() const { return m_name; }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    /// How many connections it made, and how many of them were lost.
    int connections() const { return m_connections; }
    int disconnections() const { return m_disconnections; }
    /// Since when the current connection is up (invalid while down).
    const QElapsedTimer &connectedSince() const { return m_connectedSince; }
    void setSending(bool sending) { m_sending = sending; }

    std::function<void(const QByteArray &)> onMessage;

private:
    void sendNext();
    void connectNow();

    QByteArray m_name;
    Senders *m_senders;
    quint16 m_port;
    QTcpSocket m_socket;
    QByteArray m_pending;
    QTimer m_sendTimer;
    QElapsedTimer m_connectedSince;
    int m_ticks = 0;
    int m_connections = 0;
    int m_disconnections = 0;
    bool m_sending = true;
};

/// The Arduino: prints "all:arduino:..." every 100 ms (CRLF, as println does) on the pty behind
/// a symbolic link, and hands every line the serial relay writes to it to onMessage.
class Board : public QObject
{
    Q_OBJECT

public:
    Board(const QString &linkPath, Senders *senders);
    bool plugIn();
    void unplug() { m_arduino.unplug(); }
    void setSending(bool sending) { m_sending = sending; }
    /// Lines the pty did not take (whole): the serial relay stopped reading the device.
    int failedWrites() const { return m_failedWrites; }

    std::function<void(const QByteArray &)> onMessage;

private:
    void poll();

    FakeArduino m_arduino;
    Senders *m_senders;
    QTimer m_timer;
    qsizetype m_taken = 0; // how much of m_arduino.received() was handed on
    int m_ticks = 0;
    int m_failedWrites = 0;
    bool m_sending = true;
};

/// A process's memory and open files, from /proc (Linux).
struct ProcessSample
{
    qint64 rssKiB = -1; ///< VmRSS; -1 when it could not be read
    int fds = -1;

    static ProcessSample of(qint64 pid);
};

/// Lets the event loop run for @p ms.
void spin(int ms);
/// Lets the event loop run until @p done is true (true) or @p ms have passed (false).
bool waitUntil(const std::function<bool()> &done, int ms);

} // namespace Soak
