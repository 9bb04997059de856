// AvahiDaemon: a real avahi-daemon for the tests of Bonjour (DNS-SD), never the machine's: a
// private D-Bus system bus and an avahi-daemon confined to the loopback interface, each with a
// generated configuration in a temporary folder, stopped by process id. avahi-daemon always keeps
// its pid file and socket in /run/avahi-daemon, so it runs in a mount namespace of its own with a
// tmpfs over /run: several fixtures, and the machine's own avahi, run side by side. All of them
// use the machine's host name, as the machine's avahi does: every daemon on lo publishes the same
// address records, which is no conflict, whereas two host names would fight over 127.0.0.1's
// reverse record (the second daemon renames itself without end). So a second fixture is "another
// machine": each sees the other's services.
// browse() and AvahiPublisher run avahi's own command-line tools against the fixture's daemon.
// Linux only, as root (unshare). Header-only, for the test suites.
#pragma once

#include "requiretool.h"
#include "testprocess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

/// One service as avahi-browse resolved it.
struct AvahiService
{
    QString name; ///< the instance name, unescaped ("Relay (2)")
    QString host; ///< the target host ("HOST.local")
    QString address;
    quint16 port = 0;
    QStringList txt; ///< the TXT strings, unescaped ("key=value", or "key"), in no set order

    /// The value of TXT key @p key; a null string when the key is absent.
    QString txtValue(const QString &key) const
    {
        const QString prefix = key + QLatin1Char('=');
        for (const QString &entry : txt) {
            if (entry.startsWith(prefix))
                return entry.mid(prefix.size());
            if (entry == key)
                return QStringLiteral("");
        }
        return QString();
    }
};

class AvahiDaemon
{
public:
    /// The service type the relay announces.
    static constexpr const char *kServiceType = "_socketserver._tcp";

    AvahiDaemon()
    {
        m_bus.setProcessChannelMode(QProcess::SeparateChannels); // stdout: the address
        m_avahi.setProcessChannelMode(QProcess::MergedChannels); // its log is on stderr
    }
    ~AvahiDaemon() { stop(); }
    AvahiDaemon(const AvahiDaemon &) = delete;
    AvahiDaemon &operator=(const AvahiDaemon &) = delete;

    /// The host name of every fixture's daemon, without ".local": the machine's, as avahi takes it.
    static QString hostName()
    {
        return QSysInfo::machineHostName().section(QLatin1Char('.'), 0, 0);
    }

    /// The path of @p name, or empty when it is missing (avahi-daemon lives in sbin).
    static QString program(const QString &name)
    {
        const QString inPath = QStandardPaths::findExecutable(name);
        if (!inPath.isEmpty())
            return inPath;
        return QStandardPaths::findExecutable(
            name, {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
    }

    /// True when the daemons, avahi's command-line tools and unshare are installed.
    static bool available()
    {
        for (const char *name :
            {"dbus-daemon", "avahi-daemon", "avahi-browse", "avahi-publish", "unshare", "sh"})
            if (program(QLatin1String(name)).isEmpty())
                return false;
        return true;
    }

    /// True when this process may give avahi-daemon a mount namespace (root).
    static bool privileged()
    {
#ifdef Q_OS_UNIX
        return geteuid() == 0;
#else
        return false;
#endif
    }

    /// Starts the bus, then avahi-daemon on it; true once avahi has finished starting up (false
    /// with the reason, the daemons' own words included, in errorString()). Again after stop():
    /// the same bus address.
    bool start()
    {
        stop();
        m_error.clear();
        m_busLog.clear();
        m_avahiLog.clear();
        if (!m_dir.isValid())
            return fail(QStringLiteral("no temporary folder"));
        return startBus() && startAvahi();
    }

    /// Stops avahi-daemon, then the bus.
    void stop()
    {
        stopAvahi();
        if (m_bus.state() != QProcess::NotRunning) {
            endProcess(m_bus);
            m_busLog += m_bus.readAllStandardError();
        }
    }

    /// Stops avahi-daemon only, by its process id (SIGTERM: it says goodbye on the network; then
    /// SIGKILL after 5 s). The bus stays, as the system bus does when avahi goes.
    void stopAvahi()
    {
        if (m_avahi.state() == QProcess::NotRunning)
            return;
        endProcess(m_avahi);
        avahiLog();
    }

    /// Starts avahi-daemon (again) on the running bus; true once it has finished starting up.
    bool startAvahi()
    {
        if (m_bus.state() != QProcess::Running)
            return fail(QStringLiteral("the bus is not running: ") + busLog());
        stopAvahi();
        const QString conf = m_dir.filePath(QStringLiteral("avahi-daemon.conf"));
        if (!writeFile(conf, avahiConfig()))
            return false;
        avahiLog();
        const qsizetype from = m_avahiLog.size(); // this run's lines only
        m_avahi.setProcessEnvironment(environment());
        // unshare without --fork and sh's exec: the process id is avahi-daemon's own.
        m_avahi.start(program(QStringLiteral("unshare")),
            {QStringLiteral("-m"), program(QStringLiteral("sh")), QStringLiteral("-c"),
                QStringLiteral("mount -t tmpfs tmpfs /run && exec \"$0\" --no-drop-root "
                               "--no-chroot --no-rlimits --no-proc-title -f \"$1\""),
                program(QStringLiteral("avahi-daemon")), conf});
        if (!m_avahi.waitForStarted(5000))
            return fail(QStringLiteral("cannot start avahi-daemon: ") + m_avahi.errorString());
        QDeadlineTimer deadline(10000);
        while (!m_avahiLog.mid(from).contains("Server startup complete")) {
            if (m_avahiLog.mid(from).contains("Host name conflict")) {
                stopAvahi();
                return fail(QStringLiteral("another mDNS responder on lo publishes 127.0.0.1 under "
                                           "another host name (the machine's avahi-daemon, with "
                                           "host-name set?):\n")
                    + avahiLog());
            }
            if (m_avahi.state() == QProcess::NotRunning || deadline.hasExpired()) {
                stopAvahi();
                return fail(QStringLiteral("avahi-daemon did not start up:\n") + avahiLog());
            }
            m_avahi.waitForReadyRead(100);
            avahiLog();
        }
        return true;
    }

    /// stopAvahi() then startAvahi(): the machine's avahi restarted.
    bool restart()
    {
        stopAvahi();
        return startAvahi();
    }

    bool isRunning() const
    {
        return m_avahi.state() == QProcess::Running;
    }

    /// The bus's address, as DBUS_SYSTEM_BUS_ADDRESS takes it.
    QString busAddress() const
    {
        return QStringLiteral("unix:path=") + m_dir.filePath(QStringLiteral("system_bus_socket"));
    }

    /// This process's environment with the fixture's bus as the system bus, for QProcess
    /// children (a relay under test, avahi's tools).
    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DBUS_SYSTEM_BUS_ADDRESS"), busAddress());
        env.insert(QStringLiteral("AVAHI_COMPAT_NOWARN"), QStringLiteral("1"));
        return env;
    }

    /// Points this process's DNS-SD calls (a relay under test in the test itself) at the
    /// fixture's bus. libdbus reads the variable once per process, at the first call: so call
    /// this before any, and keep this one fixture (a member of the test class) for the whole
    /// process. Its address stays the same across stop() and start().
    void useInThisProcess() const
    {
        qputenv("DBUS_SYSTEM_BUS_ADDRESS", busAddress().toUtf8());
        qputenv("AVAHI_COMPAT_NOWARN", "1");
    }

    /// The services of @p type that avahi-browse sees and resolves now, through this daemon (it
    /// takes about a second). Empty, with the reason in errorString(), when avahi-browse fails.
    QList<AvahiService> browse(const QString &type = QLatin1String(kServiceType))
    {
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(program(QStringLiteral("avahi-browse")),
            {QStringLiteral("--resolve"), QStringLiteral("--parsable"),
                QStringLiteral("--terminate"), type});
        process.closeWriteChannel();
        if (!process.waitForFinished(10000)) {
            process.kill();
            process.waitForFinished(5000);
            fail(QStringLiteral("avahi-browse hung"));
            return {};
        }
        if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
            fail(QStringLiteral("avahi-browse failed: ")
                + QString::fromUtf8(process.readAllStandardError()));
            return {};
        }
        QList<AvahiService> services;
        for (const QByteArray &line : process.readAllStandardOutput().split('\n')) {
            // =;IFACE;PROTO;NAME;TYPE;DOMAIN;HOST;ADDRESS;PORT;"txt" "txt"... (the TXT may hold
            // ';', the escaped fields may not).
            const QList<QByteArray> fields = line.split(';');
            if (fields.size() < 10 || fields[0] != "=")
                continue;
            AvahiService service;
            service.name = unescape(fields[3]);
            service.host = unescape(fields[6]);
            service.address = QString::fromUtf8(fields[7]);
            service.port = fields[8].toUShort();
            qsizetype txtStart = 0;
            for (int field = 0; field < 9; ++field)
                txtStart = line.indexOf(';', txtStart) + 1;
            service.txt = parseTxt(line.mid(txtStart));
            services.append(service);
        }
        return services;
    }

    /// What went wrong last (start, browse).
    QString errorString() const
    {
        return m_error;
    }

    /// The bus's and avahi-daemon's logs so far (every run since start()), for failure messages.
    QString log()
    {
        return busLog() + avahiLog();
    }

private:
    bool fail(const QString &error)
    {
        m_error = error;
        return false;
    }

    static bool writeFile(const QString &path, const QByteArray &text)
    {
        QFile file(path);
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) >= 0;
    }

    QString busLog()
    {
        if (m_bus.isOpen())
            m_busLog += m_bus.readAllStandardError();
        return QString::fromUtf8(m_busLog);
    }

    QString avahiLog()
    {
        if (m_avahi.isOpen())
            m_avahiLog += m_avahi.readAll();
        return QString::fromUtf8(m_avahiLog);
    }

    bool startBus()
    {
        const QString conf = m_dir.filePath(QStringLiteral("bus.conf"));
        if (!writeFile(conf, busConfig()))
            return fail(QStringLiteral("cannot write ") + conf);
        // --nofork (not --fork, which leaves zombies); it prints its address once it listens.
        m_bus.start(program(QStringLiteral("dbus-daemon")),
            {QStringLiteral("--config-file=") + conf, QStringLiteral("--nofork"),
                QStringLiteral("--print-address=1")});
        if (!m_bus.waitForStarted(5000))
            return fail(QStringLiteral("cannot start dbus-daemon: ") + m_bus.errorString());
        QDeadlineTimer deadline(10000);
        while (!m_bus.canReadLine()) {
            if (m_bus.state() == QProcess::NotRunning || deadline.hasExpired()) {
                stop();
                return fail(QStringLiteral("dbus-daemon did not start: ") + busLog());
            }
            m_bus.waitForReadyRead(100);
        }
        return true;
    }

    QByteArray busConfig() const
    {
        return "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
               "1.0//EN\"\n"
               " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
               "<busconfig>\n"
               "  <type>system</type>\n"
               "  <listen>"
            + busAddress().toUtf8()
            + "</listen>\n"
              "  <auth>EXTERNAL</auth>\n"
              "  <policy context=\"default\">\n"
              "    <allow user=\"*\"/>\n"
              "    <allow own=\"*\"/>\n"
              "    <allow send_type=\"method_call\"/>\n"
              "    <allow send_destination=\"*\"/>\n"
              "    <allow receive_sender=\"*\"/>\n"
              "  </policy>\n"
              "</busconfig>\n";
    }

    static QByteArray avahiConfig()
    {
        return "[server]\nhost-name=" + hostName().toUtf8()
            + "\ndomain-name=local\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=lo\n"
              "enable-dbus=yes\ndisallow-other-stacks=no\nratelimit-burst=1000\n"
              "[wide-area]\nenable-wide-area=no\n"
              "[publish]\npublish-addresses=yes\npublish-workstation=no\npublish-hinfo=no\n";
    }

    // avahi-browse's escapes: "\DDD" a byte in decimal, "\c" the character c.
    static QString unescape(const QByteArray &text)
    {
        QByteArray bytes;
        for (qsizetype i = 0; i < text.size(); ++i) {
            if (text[i] != '\\' || i + 1 == text.size()) {
                bytes += text[i];
            } else if (i + 3 < text.size() && isDigit(text[i + 1]) && isDigit(text[i + 2])
                && isDigit(text[i + 3])) {
                bytes += char(text.mid(i + 1, 3).toInt());
                i += 3;
            } else {
                bytes += text[++i];
            }
        }
        return QString::fromUtf8(bytes);
    }

    static bool isDigit(char c)
    {
        return c >= '0' && c <= '9';
    }

    // "txt1" "txt2": each string quoted, with '"' and '\' escaped.
    static QStringList parseTxt(const QByteArray &text)
    {
        QStringList strings;
        qsizetype i = 0;
        while ((i = text.indexOf('"', i)) >= 0) {
            qsizetype end = i + 1;
            while (end < text.size() && text[end] != '"')
                end += text[end] == '\\' ? 2 : 1;
            strings.append(unescape(text.mid(i + 1, end - i - 1)));
            i = end + 1;
        }
        return strings;
    }

    QTemporaryDir m_dir;
    QProcess m_bus;
    QProcess m_avahi;
    QByteArray m_busLog;
    QByteArray m_avahiLog;
    QString m_error;
};

/// avahi-publish announcing one service, or one address of a machine, through a fixture's daemon:
/// a fake "other relay" or "other machine".
class AvahiPublisher
{
public:
    AvahiPublisher() { m_process.setProcessChannelMode(QProcess::MergedChannels); }
    ~AvahiPublisher() { stop(); }

    /// Announces @p name, of @p type, on @p port with the TXT strings @p txt, on this daemon's
    /// machine or on the machine @p host ("other.local"); true once avahi has established it
    /// (false, with avahi-publish's words in output(), on a name conflict or any other failure).
    bool start(const AvahiDaemon &daemon, const QString &name, quint16 port,
        const QStringList &txt = {}, const QString &type = QLatin1String(AvahiDaemon::kServiceType),
        const QString &host = QString())
    {
        QStringList args = {QStringLiteral("-s")};
        if (!host.isEmpty())
            args += {QStringLiteral("-H"), host};
        return run(daemon, args + QStringList{name, type, QString::number(port)} + txt);
    }

    /// Announces that the machine @p host ("other.local") has the IPv4 address @p address (no
    /// reverse record: two machines on lo would fight over it); true once established.
    bool startAddress(const AvahiDaemon &daemon, const QString &host, const QString &address)
    {
        return run(daemon, {QStringLiteral("-a"), QStringLiteral("-R"), host, address});
    }

    /// Withdraws what it announced: ends avahi-publish by its process id (SIGTERM, then SIGKILL).
    void stop()
    {
        endProcess(m_process);
        output();
    }

    qint64 processId() const { return m_process.processId(); }
    /// What avahi-publish said so far.
    QString output()
    {
        if (m_process.isOpen())
            m_output += m_process.readAll();
        return QString::fromUtf8(m_output);
    }

private:
    bool run(const AvahiDaemon &daemon, const QStringList &args)
    {
        stop();
        m_output.clear();
        m_process.setProcessEnvironment(daemon.environment());
        m_process.start(AvahiDaemon::program(QStringLiteral("avahi-publish")), args);
        if (!m_process.waitForStarted(5000))
            return false;
        QDeadlineTimer deadline(10000);
        while (!output().contains(QStringLiteral("Established under name"))) {
            if (m_process.state() == QProcess::NotRunning || deadline.hasExpired()) {
                stop();
                return false;
            }
            m_process.waitForReadyRead(100);
        }
        return true;
    }

    QProcess m_process;
    QByteArray m_output;
};

/// Ends the test function when avahi or D-Bus is missing (see REQUIRE_TOOL()), or skips it when
/// the test does not run as root (avahi-daemon needs a mount namespace of its own).
#define REQUIRE_AVAHI()                                                                            \
    REQUIRE_TOOL(AvahiDaemon::available(), "avahi-daemon avahi-utils dbus",                        \
        "avahi-daemon, avahi-utils and dbus-daemon (Linux only)")                                  \
    if (!AvahiDaemon::privileged())                                                                \
        QSKIP("needs root: avahi-daemon runs in a mount namespace of its own (unshare -m)");
