// FakeArduino: plays the board at the far end of a pseudo-terminal. The device the program
// opens is a symbolic link to the pty's slave, so that a "replug" (a new pty behind the same
// path) looks to the program like a board coming back; unplug() removes the link and closes the
// master, which makes the program's reads fail as they do when a USB cable is pulled and the
// device node goes. Header-only, for the tests.
#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#if defined(__APPLE__)
#include <util.h>
#else
#include <pty.h>
#endif

class FakeArduino
{
public:
    explicit FakeArduino(const QString &linkPath)
        : m_link(linkPath)
    { }
    ~FakeArduino() { unplug(); }
    FakeArduino(const FakeArduino &) = delete;
    FakeArduino &operator=(const FakeArduino &) = delete;

    /// A new pty behind the link path; false if the system has none to give.
    bool plugIn()
    {
        unplug();
        char name[256] = {};
        if (::openpty(&m_master, &m_slave, name, nullptr, nullptr) != 0)
            return false;
        // Raw, so that nothing written before the program opens the port is echoed back.
        termios raw{};
        ::tcgetattr(m_slave, &raw);
        ::cfmakeraw(&raw);
        ::tcsetattr(m_slave, TCSANOW, &raw);
        ::fcntl(m_master, F_SETFL, ::fcntl(m_master, F_GETFL) | O_NONBLOCK);
        // Programs the test starts must not hold the pty open: the unplug would not show.
        ::fcntl(m_master, F_SETFD, FD_CLOEXEC);
        ::fcntl(m_slave, F_SETFD, FD_CLOEXEC);
        m_slaveName = QString::fromLocal8Bit(name);
        const QByteArray temp = QFile::encodeName(m_link + QStringLiteral(".new"));
        ::unlink(temp.constData());
        return ::symlink(name, temp.constData()) == 0
            && ::rename(temp.constData(), QFile::encodeName(m_link).constData()) == 0;
    }

    /// Pulls the cable: the link goes, the master closes, the slave's /dev/pts node goes away.
    void unplug()
    {
        // The link goes first: any process on the machine may get the freed pty number at
        // once, and the program must not find that stranger's pty behind the link.
        if (m_master >= 0) {
            ::unlink(QFile::encodeName(m_link).constData());
            ::close(m_master);
        }
        if (m_slave >= 0)
            ::close(m_slave);
        m_master = m_slave = -1;
        m_received.clear();
    }

    bool isPluggedIn() const { return m_master >= 0; }
    QString slaveName() const { return m_slaveName; }

    /// What the board "prints".
    bool write(const QByteArray &bytes)
    {
        return m_master >= 0
            && ::write(m_master, bytes.constData(), size_t(bytes.size())) == ssize_t(bytes.size());
    }

    /// Everything the program wrote to the board so far.
    QByteArray received()
    {
        char buffer[4096];
        while (m_master >= 0) {
            const ssize_t n = ::read(m_master, buffer, sizeof buffer);
            if (n <= 0)
                break;
            m_received.append(buffer, qsizetype(n));
        }
        return m_received;
    }
    void clearReceived()
    {
        received();
        m_received.clear();
    }

    /// The port's settings as the program left them (the master reports the slave's).
    bool settings(termios *out) const { return m_master >= 0 && ::tcgetattr(m_master, out) == 0; }

private:
    QString m_link;
    QString m_slaveName;
    int m_master = -1;
    int m_slave = -1;
    QByteArray m_received;
};
