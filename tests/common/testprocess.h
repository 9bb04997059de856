// TestProcess: one of the project's programs started by a black-box test, killed when the test
// ends, its stdout and stderr collected together so that a test can wait for a line of its log.
// runToEnd() runs a program that exits at once (--help, --version, a bad option).
// Header-only, for the test suites.
#pragma once

#include <QDeadlineTimer>
#include <QProcess>
#include <QRegularExpression>

/// Ends @p process by its process id: SIGTERM (a server says goodbye to its clients), then
/// SIGKILL if it is still there after 5 s.
inline void endProcess(QProcess &process)
{
    if (process.state() == QProcess::NotRunning)
        return;
    process.terminate();
    if (!process.waitForFinished(5000)) {
        process.kill();
        process.waitForFinished(5000);
    }
}

class TestProcess
{
public:
    ~TestProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    bool start(const QString &program, const QStringList &args)
    {
        m_process.setProcessChannelMode(QProcess::MergedChannels); // the log, warnings included
        m_process.start(program, args);
        return m_process.waitForStarted(5000);
    }

    /// Waits (10 s at most) until the output has a match for @p pattern.
    bool waitForOutput(const QRegularExpression &pattern, QRegularExpressionMatch *match = nullptr)
    {
        QDeadlineTimer deadline(10000);
        while (!deadline.hasExpired()) {
            m_output += m_process.readAll();
            const QRegularExpressionMatch found = pattern.match(QString::fromUtf8(m_output));
            if (found.hasMatch()) {
                if (match)
                    *match = found;
                return true;
            }
            if (m_process.state() == QProcess::NotRunning)
                return false;
            m_process.waitForReadyRead(100);
        }
        return false;
    }

    QProcess &process() { return m_process; }
    QString output() { return QString::fromUtf8(m_output += m_process.readAll()); }

private:
    QProcess m_process;
    QByteArray m_output;
};

struct ProgramResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

/// Runs @p program with @p args to its end (10 s at most), with nothing on its stdin.
inline ProgramResult runToEnd(const QString &program, const QStringList &args)
{
    QProcess process;
    process.start(program, args);
    process.closeWriteChannel();
    if (!process.waitForFinished(10000)) {
        process.kill();
        return {};
    }
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
        QString::fromUtf8(process.readAllStandardError())};
}
