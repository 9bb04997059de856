// MosquittoBroker: a real mosquitto MQTT broker for the tests of the MQTT bridge, started with a
// generated configuration on a free loopback port (never the system's broker, never port 1883)
// and stopped by its process id. MosquittoSubscriber and mosquittoPublish() run mosquitto's own
// command-line clients against it, to see what the relays publish and to publish to them.
// Header-only, for the test suites.
#pragma once

#include "requiretool.h"
#include "testprocess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

class MosquittoBroker
{
public:
    struct Options
    {
        /// With a password: only this user may connect (a password file, no anonymous clients).
        QString user;
        QString password;
        /// All three set: a TLS listener on tlsPort() too, with this certificate, key and CA.
        QString certFile;
        QString keyFile;
        QString caFile;
        /// Keep sessions across restart() (saved in the broker's temporary folder).
        bool persistence = false;
        /// More lines for the broker's configuration, e.g. "max_packet_size 300\n".
        QByteArray extraConfig;
    };

    MosquittoBroker() { m_process.setProcessChannelMode(QProcess::MergedChannels); }
    ~MosquittoBroker() { stop(); }
    MosquittoBroker(const MosquittoBroker &) = delete;
    MosquittoBroker &operator=(const MosquittoBroker &) = delete;

    /// The path of @p name (mosquitto, mosquitto_pub, mosquitto_sub, mosquitto_passwd), or
    /// empty when it is missing. The broker lives in sbin on Debian and Homebrew.
    static QString program(const QString &name)
    {
        const QString inPath = QStandardPaths::findExecutable(name);
        if (!inPath.isEmpty())
            return inPath;
        return QStandardPaths::findExecutable(name,
            {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin"),
                QStringLiteral("/opt/homebrew/sbin")});
    }

    /// True when the broker and its command-line clients are installed.
    static bool mosquittoAvailable()
    {
        for (const char *name : {"mosquitto", "mosquitto_pub", "mosquitto_sub", "mosquitto_passwd"})
            if (program(QLatin1String(name)).isEmpty())
                return false;
        return true;
    }

    /// Starts the broker on a free loopback port; true once it accepts connections (false with
    /// the reason in errorString()).
    bool start() { return start(Options()); }
    bool start(const Options &options)
    {
        stop();
        m_options = options;
        m_error.clear();
        m_output.clear();
        if (!m_dir.isValid())
            return fail(QStringLiteral("no temporary folder"));
        if (!m_options.password.isEmpty() && !writePasswordFile())
            return false;
        for (int attempt = 0; attempt < 5; ++attempt) { // a free port may be taken meanwhile
            m_port = freePort();
            m_tlsPort = hasTls() ? freePort() : 0;
            if (m_port != 0 && (!hasTls() || m_tlsPort != 0) && launch())
                return true;
        }
        return false;
    }

    /// Starts the broker again on the same port(s), after stop().
    bool restart()
    {
        for (int attempt = 0; attempt < 10; ++attempt) {
            if (launch())
                return true;
            QTest::qWait(200);
        }
        return false;
    }

    /// Stops the broker by its process id: SIGTERM (it saves its sessions, says goodbye to its
    /// clients), then SIGKILL if it is still there after 5 s.
    void stop()
    {
        endProcess(m_process);
        output();
    }

    bool isRunning() const { return m_process.state() == QProcess::Running; }
    quint16 port() const { return m_port; }
    /// The TLS listener's port; 0 without one.
    quint16 tlsPort() const { return m_tlsPort; }
    /// "mqtt://127.0.0.1:PORT", as --mqtt takes it.
    QString url() const { return QStringLiteral("mqtt://127.0.0.1:%1").arg(m_port); }
    /// The arguments that point mosquitto_pub and mosquitto_sub at this broker (and log in).
    QStringList clientArguments() const
    {
        QStringList args = {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
            QString::number(m_port)};
        if (!m_options.password.isEmpty())
            args << QStringLiteral("-u") << m_options.user << QStringLiteral("-P")
                 << m_options.password;
        return args;
    }
    /// The broker's log so far (every run since start(), restarts included).
    QString output()
    {
        if (m_process.isOpen())
            m_output += m_process.readAll();
        return QString::fromUtf8(m_output);
    }
    QString errorString() const { return m_error; }

private:
    bool hasTls() const
    {
        return !m_options.certFile.isEmpty() && !m_options.keyFile.isEmpty()
            && !m_options.caFile.isEmpty();
    }

    bool fail(const QString &error)
    {
        m_error = error;
        return false;
    }

    static quint16 freePort()
    {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0))
            return 0;
        return probe.serverPort(); // closed when probe goes: the broker takes it next
    }

    bool writePasswordFile()
    {
        const ProgramResult result = runToEnd(program(QStringLiteral("mosquitto_passwd")),
            {QStringLiteral("-b"), QStringLiteral("-c"), passwordFile(), m_options.user,
                m_options.password});
        if (result.exitCode != 0)
            return fail(QStringLiteral("mosquitto_passwd failed: ") + result.err + result.out);
        return true;
    }

    QString passwordFile() const { return m_dir.filePath(QStringLiteral("passwords")); }

    QByteArray config() const
    {
        QByteArray text = "per_listener_settings false\n"
                          "persistence "
            + QByteArray(m_options.persistence ? "true" : "false") + "\n";
        if (m_options.persistence)
            text += "persistence_location " + m_dir.path().toUtf8()
                + "/\nqueue_qos0_messages true\n";
        text += m_options.extraConfig;
        text += "log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n"
                "log_type information\nlog_type subscribe\nconnection_messages true\n";
#ifdef Q_OS_UNIX
        if (geteuid() == 0) // else it drops to the user "mosquitto", who cannot read m_dir
            text += "user root\n";
#endif
        if (m_options.password.isEmpty())
            text += "allow_anonymous true\n";
        else
            text += "allow_anonymous false\npassword_file " + passwordFile().toUtf8() + "\n";
        text += "listener " + QByteArray::number(m_port) + " 127.0.0.1\n";
        if (hasTls())
            text += "listener " + QByteArray::number(m_tlsPort) + " 127.0.0.1\ncertfile "
                + m_options.certFile.toUtf8() + "\nkeyfile " + m_options.keyFile.toUtf8()
                + "\ncafile " + m_options.caFile.toUtf8() + "\n";
        return text;
    }

    // Starts mosquitto on m_port (and m_tlsPort) and waits until both accept connections.
    bool launch()
    {
        const QString conf = m_dir.filePath(QStringLiteral("mosquitto.conf"));
        QFile file(conf);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(config()) < 0)
            return fail(QStringLiteral("cannot write ") + conf);
        file.close();
        output(); // what the last run said
        m_process.start(program(QStringLiteral("mosquitto")), {QStringLiteral("-c"), conf});
        if (!m_process.waitForStarted(5000))
            return fail(QStringLiteral("cannot start mosquitto: ") + m_process.errorString());
        QDeadlineTimer deadline(10000);
        for (const quint16 port : {m_port, m_tlsPort}) {
            while (port != 0 && !accepts(port)) {
                if (m_process.state() == QProcess::NotRunning || deadline.hasExpired()) {
                    stop();
                    return fail(QStringLiteral("mosquitto did not listen on %1: %2")
                                    .arg(port)
                                    .arg(output()));
                }
                QTest::qWait(20);
            }
        }
        return true;
    }

    static bool accepts(quint16 port)
    {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        return probe.waitForConnected(1000);
    }

    Options m_options;
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    quint16 m_tlsPort = 0;
    QByteArray m_output;
    QString m_error;
};

/// mosquitto_sub on a broker's topic: every payload it receives, byte for byte.
class MosquittoSubscriber
{
public:
    ~MosquittoSubscriber()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    /// Subscribes to @p topic as client @p id, taking @p count messages at most (0: no end);
    /// true once the broker has the subscription. @p extraArgs go to mosquitto_sub as they are
    /// (e.g. "-c", "-q", "1": a session the broker keeps while the subscriber is away).
    bool start(MosquittoBroker &broker, const QString &topic, int count = 0,
        const QStringList &extraArgs = {}, const QString &id = QStringLiteral("watcher"))
    {
        // -F %x: each payload in hex on a line of its own.
        QStringList args = broker.clientArguments();
        args << QStringLiteral("-i") << id << QStringLiteral("-t") << topic << QStringLiteral("-F")
             << QStringLiteral("%x") << QStringLiteral("-W") << QStringLiteral("60") << extraArgs;
        if (count > 0)
            args << QStringLiteral("-C") << QString::number(count);
        m_process.start(MosquittoBroker::program(QStringLiteral("mosquitto_sub")), args);
        if (!m_process.waitForStarted(5000))
            return false;
        // The broker logs each subscription as "TIME: CLIENT QOS TOPIC".
        const QRegularExpression subscribed(
            QStringLiteral(": %1 \\d %2$")
                .arg(QRegularExpression::escape(id), QRegularExpression::escape(topic)),
            QRegularExpression::MultilineOption);
        return QTest::qWaitFor([&] { return subscribed.match(broker.output()).hasMatch(); }, 10000);
    }

    /// The payloads received so far, in order.
    QList<QByteArray> payloads()
    {
        m_output += m_process.readAllStandardOutput();
        QList<QByteArray> list = m_output.split('\n');
        list.removeLast(); // unfinished, or empty
        for (QByteArray &line : list)
            line = QByteArray::fromHex(line);
        return list;
    }

    /// Waits (20 s at most) until it has taken its count and ended.
    bool waitForEnd()
    {
        return QTest::qWaitFor([this] { return m_process.state() == QProcess::NotRunning; }, 20000);
    }

    /// What it said on stderr, for a failure message.
    QByteArray errors() { return m_errors += m_process.readAllStandardError(); }

private:
    QProcess m_process;
    QByteArray m_output;
    QByteArray m_errors;
};

/// Publishes @p payload (byte for byte, read from stdin) to @p topic with mosquitto_pub; @p
/// extraArgs (e.g. "-V", "mqttv311") go to it as they are. The exit status, -1 when it hung.
inline int mosquittoPublish(const MosquittoBroker &broker, const QString &topic,
    const QByteArray &payload, const QStringList &extraArgs = {})
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(MosquittoBroker::program(QStringLiteral("mosquitto_pub")),
        broker.clientArguments() + QStringList{QStringLiteral("-t"), topic, QStringLiteral("-s")}
            + extraArgs);
    if (!process.waitForStarted(5000))
        return -1;
    process.write(payload);
    process.closeWriteChannel();
    if (!process.waitForFinished(10000)) {
        process.kill();
        process.waitForFinished(5000);
        return -1;
    }
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

/// Ends the test function when the broker or its clients are missing (see REQUIRE_TOOL()).
#define REQUIRE_MOSQUITTO_BROKER()                                                                 \
    REQUIRE_TOOL(MosquittoBroker::mosquittoAvailable(), "mosquitto mosquitto-clients",             \
        "the mosquitto broker and its clients (Homebrew: brew install mosquitto)")
