// soak: the project's own endurance test. It runs the real relay (socketserver), the serial
// relay (socketserver-serial, on a pseudo-terminal playing the Arduino) and the headless test
// client (socketserver-testclient --headless --listen, also sending a ping every 500 ms) for
// a while, with a fault every few seconds, chosen by a seeded random generator:
//
//   half      a client sends half a message and is gone (closed: the half must reach everyone;
//             or reset)
//   burst     200 connections at once, each must receive a message, then all closed
//   flood     a client sends more than --max-message-bytes without an end: dropped, and its
//             next message still goes through
//   stuck     a client that sends but never reads: the relay must disconnect it
//   unplug    the board's cable pulled (its pty closed) and plugged in again
//   restart   the relay stopped (SIGTERM, exit status 0) and started again on the same port
//
// Throughout, three checker clients, the board and the listening test client check every
// numbered stream (see streams.h): nothing lost, corrupted or reordered except during a
// restart or unplug, and everything flowing again after each (a "recovery"). The relay's memory
// (VmRSS) and open files are sampled four times a second and must not grow over a run of the relay.
// It prints a summary and exits 1 with one sentence per failure.
#include "parts.h"
#include "streams.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHostAddress>
#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>

#include <algorithm>

#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include <sys/socket.h>

using namespace Soak;

namespace {

constexpr qint64 kMaxMessageBytes = 65536; // the relay's default --max-message-bytes
constexpr int kBurstClients = 200;
constexpr int kRecoveryTimeoutMs = 90000; // generous: the serial relay and the test client
                                          // wait up to 30 s between attempts
constexpr int kFaultTimeoutMs = 30000;
// The relay's memory may grow over a run by one client's output budget (the default
// --max-client-buffer, 4 MiB: what a client that never reads makes it hold, and the allocator
// may keep) plus 20 %.
constexpr qint64 kRssSlackKiB = 4096;
constexpr int kFdSlack = 2;

const QList<QByteArray> kCheckers = {"c1", "c2", "c3"};
const QStringList kFaultKinds = {"half", "burst", "flood", "stuck", "unplug"}; // + restart

QString megabytes(qint64 kib)
{
    return QString::number(double(kib) / 1024, 'f', 1) + QStringLiteral(" MB");
}

/// Ends @p socket's connection with a reset (SO_LINGER 0), as a crashed program's does.
void reset(QTcpSocket &socket)
{
    const linger hard{1, 0};
    ::setsockopt(int(socket.socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    socket.abort();
}

/// A fault's own client: collects what it receives, line by line.
struct FaultClient
{
    QTcpSocket socket;
    QList<QByteArray> lines;
    QByteArray pending;

    FaultClient()
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] {
            pending += socket.readAll();
            qsizetype start = 0;
            for (qsizetype end; (end = pending.indexOf('\n', start)) >= 0; start = end + 1)
                lines.append(pending.mid(start, end - start));
            pending.remove(0, start);
        });
    }
    bool received(const QByteArray &line) const { return lines.contains(line); }
};

/// Where the programs' logs go: a folder given by the user, or a temporary one.
class LogDir
{
public:
    explicit LogDir(const QString &path)
        : m_path(path.isEmpty() ? m_temporary.path() : QDir(path).absolutePath())
    {
        if (!path.isEmpty())
            QDir().mkpath(m_path);
    }
    bool isValid() const { return QFileInfo(m_path).isDir(); }
    QString path() const { return m_path; }
    QString filePath(const QString &name) const { return QDir(m_path).filePath(name); }
    void keep() { m_temporary.setAutoRemove(false); }

private:
    QTemporaryDir m_temporary;
    QString m_path;
};

/// A window in which messages may be lost: who may lose which stream.
struct Window
{
    QString kind;
    std::vector<std::pair<Receiver *, QByteArray>> pairs;
};

/// One run of the relay process, from its start to its stop: its samples from /proc.
struct RelayRun
{
    qint64 pid = 0;
    qint64 startedMs = 0;
    qint64 steadyMs = -1; // when every fault kind but restart had happened in it
    qint64 firstRss = -1;
    qint64 steadyRss = -1; // the most it used until steadyMs
    qint64 lastRss = -1;
    int baselineFds = -1;
    int lastFds = -1;
    QSet<QString> kindsSeen;
};

/// The soak itself: starts the parts, injects the faults, checks, and prints the summary.
class Driver
{
public:
    /// Logs go to @p logDir, or to a temporary folder kept only when the soak fails.
    Driver(qint64 seconds, quint32 seed, const QString &logDir)
        : m_seconds(seconds)
        , m_seed(seed)
        , m_random(seed)
        , m_dir(logDir)
        , m_senders(seed)
    { }
    int run();

private:
    // Parts
    bool startAll();
    bool startRelay(quint16 port);
    void received(Receiver &receiver, const QByteArray &message, Checker *checker = nullptr);
    void sample();
    bool checkStillRunning();
    void stopAll();

    // Windows and recovery
    Window window(const QString &kind);
    bool recover(Window &window, bool pingsToo, qint64 repairedMs);
    void finishRelayRun();

    // Faults
    void halfMessage(int n);
    void burst(int n);
    void flood(int n);
    void neverReads(int n);
    void unplug();
    void restart();
    void endOfFault(const QString &kind, const QString &label = {});
    bool connectFaultClient(QTcpSocket &socket);

    void fail(const QString &sentence) { m_failures.append(sentence); }
    void printSummary();
    qint64 now() const { return m_clock.elapsed(); }

    qint64 m_seconds;
    quint32 m_seed;
    QRandomGenerator m_random;
    LogDir m_dir;
    QElapsedTimer m_clock;
    QStringList m_failures;
    Senders m_senders;
    std::map<QByteArray, std::unique_ptr<Receiver>> m_receivers; // c1..c3, headless, board
    std::vector<std::unique_ptr<Checker>> m_checkers;
    std::unique_ptr<Board> m_board;
    std::unique_ptr<Program> m_relay;
    std::unique_ptr<Program> m_serial;
    std::unique_ptr<Program> m_listener;
    quint16 m_port = 0;
    QTimer m_sampler;
    std::vector<RelayRun> m_runs;

    // Pings of the test client received by each checker: on which connection, how many.
    QHash<QByteArray, QPair<int, int>> m_pings;
    // What the current fault wants to see of the "fault:" messages the receivers get.
    std::function<void(const QByteArray &receiver, const QByteArray &message)> m_faultLines;

    QMap<QString, int> m_faults;
    int m_restarts = 0;
    int m_unplugs = 0;
    int m_recoveries = 0;
    qint64 m_longestRecoveryMs = 0;
};

// ------------------------------------------------------------------------------- parts

bool Driver::startAll()
{
    if (!m_dir.isValid()) {
        fail(QStringLiteral("cannot create a temporary folder"));
        return false;
    }
    for (const QByteArray &name : kCheckers + QList<QByteArray>{"headless", "board"})
        m_receivers[name] = std::make_unique<Receiver>(QString::fromLatin1(name), &m_failures);

    m_relay = std::make_unique<Program>(QStringLiteral("socketserver"),
        QStringLiteral(SOCKETSERVER_BINARY), m_dir.filePath(QStringLiteral("socketserver.log")));
    if (!startRelay(0))
        return false;
    Window startup = window(QStringLiteral("start"));

    const QString device = m_dir.filePath(QStringLiteral("arduino"));
    m_board = std::make_unique<Board>(device, &m_senders);
    m_board->onMessage = [this](const QByteArray &m) { m_receivers["board"]->take(m); };
    if (!m_board->plugIn()) {
        fail(QStringLiteral("cannot open a pseudo-terminal for the board"));
        return false;
    }
    m_serial = std::make_unique<Program>(QStringLiteral("socketserver-serial"),
        QStringLiteral(SOCKETSERVER_SERIAL_BINARY),
        m_dir.filePath(QStringLiteral("socketserver-serial.log")));
    m_listener = std::make_unique<Program>(QStringLiteral("socketserver-testclient"),
        QStringLiteral(TESTCLIENT_BINARY),
        m_dir.filePath(QStringLiteral("socketserver-testclient.log")), true);
    m_listener->onMessage = [this](const QByteArray &m) { received(*m_receivers["headless"], m); };
    const QString port = QString::number(m_port);
    if (!m_serial->start({"--device", device, "--host", "127.0.0.1", "--port", port, "--settle-ms",
            "0", "--prefix", "arduino:"})
        || !m_listener->start({"--headless", "--host", "127.0.0.1", "--port", port, "--listen",
            "--raw", "--retry", "--send", "headless:ping", "--every", "500"})) {
        fail(QStringLiteral("cannot start socketserver-serial or socketserver-testclient"));
        return false;
    }
    for (const QByteArray &name : kCheckers) {
        m_checkers.push_back(std::make_unique<Checker>(name, &m_senders, m_port));
        Checker *checker = m_checkers.back().get();
        checker->onMessage = [this, checker](const QByteArray &m) {
            received(*m_receivers[checker->name()], m, checker);
        };
    }
    QObject::connect(&m_sampler, &QTimer::timeout, [this] { sample(); });
    m_sampler.start(250);
    return recover(startup, true, now());
}

bool Driver::startRelay(quint16 port)
{
    if (!m_relay->start({"--bind", "127.0.0.1", "--port", QString::number(port)})) {
        fail(QStringLiteral("cannot start socketserver"));
        return false;
    }
    static const QRegularExpression listening(
        QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
    const int before = m_relay->count(QStringLiteral(" listening on "));
    if (!waitUntil([&] { return m_relay->count(QStringLiteral(" listening on ")) > before; },
            kFaultTimeoutMs)) {
        fail(QStringLiteral("socketserver did not start listening on port %1:\n%2")
                 .arg(port)
                 .arg(m_relay->tail()));
        return false;
    }
    m_port = quint16(listening.match(m_relay->tail(5)).captured(1).toUInt());
    m_runs.emplace_back();
    m_runs.back().pid = m_relay->pid();
    m_runs.back().startedMs = now();
    sample();
    return m_port != 0;
}

void Driver::received(Receiver &receiver, const QByteArray &message, Checker *checker)
{
    const QByteArray name = receiver.name().toLatin1();
    if (message.size() > kMaxMessageBytes) {
        fail(QStringLiteral("%1 received a message of %2 bytes, more than --max-message-bytes")
                 .arg(receiver.name())
                 .arg(message.size()));
    } else if (isNumbered(message)) {
        receiver.take(message);
    } else if (message == "headless:ping") {
        if (checker) {
            QPair<int, int> &pings = m_pings[name];
            if (pings.first != checker->connections())
                pings = {checker->connections(), 0};
            ++pings.second;
        }
    } else if (message.startsWith("fault:")) {
        if (message.startsWith("fault:flood:") && !message.endsWith(":after"))
            fail(QStringLiteral("%1 received part of a message longer than "
                                "--max-message-bytes (%2 bytes of it)")
                     .arg(receiver.name())
                     .arg(message.size()));
        if (m_faultLines)
            m_faultLines(name, message);
    } else {
        fail(QStringLiteral("%1 received an unexpected message: '%2'")
                 .arg(receiver.name(), QString::fromLatin1(message.left(200))));
    }
}

void Driver::sample()
{
    if (m_runs.empty())
        return;
    RelayRun &run = m_runs.back();
    // Nothing while the next run's process starts: this one's is gone from /proc.
    const ProcessSample s = ProcessSample::of(run.pid);
    if (s.rssKiB < 0)
        return;
    if (run.firstRss < 0)
        run.firstRss = s.rssKiB;
    if (run.steadyMs < 0)
        run.steadyRss = qMax(run.steadyRss, s.rssKiB);
    run.lastRss = s.rssKiB;
    run.lastFds = s.fds;
}

bool Driver::checkStillRunning()
{
    for (Program *program : {m_relay.get(), m_serial.get(), m_listener.get()}) {
        if (!program->isRunning()) {
            fail(QStringLiteral("%1 exited unexpectedly:\n%2")
                     .arg(program->name(), program->tail()));
            return false;
        }
    }
    return true;
}

void Driver::stopAll()
{
    for (Program *program : {m_listener.get(), m_serial.get(), m_relay.get()}) {
        if (program && program->isRunning() && !program->terminate())
            fail(QStringLiteral("%1 did not exit with status 0 on SIGTERM:\n%2")
                     .arg(program->name(), program->tail()));
    }
}

// ------------------------------------------------------------------ windows and recovery

// Who may lose what: in a restart everyone everything; an unplugged board loses what is sent
// to it, and everyone loses what it would have printed.
Window Driver::window(const QString &kind)
{
    Window w{kind, {}};
    const bool unplug = kind == u"unplug";
    for (auto &[name, receiver] : m_receivers) {
        for (const QByteArray &checker : kCheckers) {
            if (!unplug && name != "board")
                w.pairs.emplace_back(receiver.get(), "all:" + checker);
            if (!unplug || name == "board")
                w.pairs.emplace_back(receiver.get(), "arduino:" + checker);
        }
        if (name != "board")
            w.pairs.emplace_back(receiver.get(), "all:arduino");
    }
    for (auto &[receiver, stream] : w.pairs)
        receiver->openWindow(stream);
    return w;
}

// The fault was over at repairedMs (the new relay started, the board is back): waits until
// every receiver of the window gets a message of each stream sent since (and, with pingsToo,
// every checker a ping of the test client on a connection made since), then closes the window.
bool Driver::recover(Window &window, bool pingsToo, qint64 repairedMs)
{
    QHash<QByteArray, qint64> marks;
    for (const QByteArray &stream : m_senders.streams())
        marks[stream] = m_senders.sentCount(stream);
    const auto fresh = [&](Receiver *receiver, const QByteArray &stream) {
        return receiver->expected(stream) > marks.value(stream);
    };
    const auto pinged = [&](const Checker &c) {
        const QPair<int, int> pings = m_pings.value(c.name()); // connection, pings on it
        return c.isConnected() && now() - c.connectedSince().elapsed() >= repairedMs
            && pings.first == c.connections() && pings.second > 0;
    };
    const bool ok = waitUntil(
        [&] {
            for (const auto &[receiver, stream] : window.pairs) {
                if (!fresh(receiver, stream))
                    return false;
            }
            return !pingsToo
                || std::all_of(m_checkers.cbegin(), m_checkers.cend(),
                    [&](const auto &c) { return pinged(*c); });
        },
        kRecoveryTimeoutMs);
    if (!ok) {
        QStringList stuck;
        for (const auto &[receiver, stream] : window.pairs) {
            if (!fresh(receiver, stream))
                stuck += receiver->name() + QStringLiteral(" from ") + QString::fromLatin1(stream);
        }
        for (const auto &checker : m_checkers) {
            if (pingsToo && !pinged(*checker))
                stuck += QString::fromLatin1(checker->name())
                    + QStringLiteral(" from the test client");
        }
        fail(QStringLiteral("no recovery %1 s after the %2: nothing new reached %3\n"
                            "socketserver-serial said:\n%4\nsocketserver-testclient said:\n%5")
                 .arg(kRecoveryTimeoutMs / 1000)
                 .arg(window.kind, stuck.join(QStringLiteral(", ")), m_serial->tail(),
                     m_listener->tail()));
    }
    for (const auto &[receiver, stream] : window.pairs)
        receiver->closeWindow(stream, m_senders.sentCount(stream) - 1);
    if (ok) {
        ++m_recoveries;
        m_longestRecoveryMs = qMax(m_longestRecoveryMs, now() - repairedMs);
        if (m_runs.back().baselineFds < 0) { // the relay's open files with only its regulars
            sample();
            m_runs.back().baselineFds = m_runs.back().lastFds;
        }
    }
    return ok;
}

// The relay is about to stop: its open files must be back to what it had with only the
// regular clients, and its memory no more than it used once every fault had happened once.
void Driver::finishRelayRun()
{
    RelayRun &run = m_runs.back();
    waitUntil(
        [&] {
            sample();
            return run.lastFds <= run.baselineFds + kFdSlack;
        },
        10000);
    if (run.baselineFds >= 0 && run.lastFds > run.baselineFds + kFdSlack)
        fail(QStringLiteral("socketserver has %1 open files, %2 more than after it started "
                            "(with the same clients connected)")
                 .arg(run.lastFds)
                 .arg(run.lastFds - run.baselineFds));
    if (run.steadyMs >= 0 && run.lastRss > run.steadyRss + kRssSlackKiB + run.steadyRss / 5)
        fail(QStringLiteral("socketserver's memory grew from %1 (once every fault had "
                            "happened) to %2 in %3 s")
                 .arg(megabytes(run.steadyRss), megabytes(run.lastRss))
                 .arg((now() - run.steadyMs) / 1000));
}

void Driver::endOfFault(const QString &kind, const QString &label)
{
    ++m_faults[label.isEmpty() ? kind : label];
    RelayRun &run = m_runs.back();
    run.kindsSeen.insert(kind);
    if (run.steadyMs < 0 && run.kindsSeen.size() == kFaultKinds.size()) {
        sample();
        run.steadyMs = now();
    }
}

// -------------------------------------------------------------------------------- faults

void Driver::halfMessage(int n)
{
    const bool closes = m_random.bounded(2) == 0;
    const QByteArray half = "fault:half:" + QByteArray::number(n) + ":half a message";
    QSet<QByteArray> got;
    m_faultLines = [&](const QByteArray &receiver, const QByteArray &message) {
        if (message == half)
            got.insert(receiver);
    };
    FaultClient client;
    if (connectFaultClient(client.socket)) {
        client.socket.write(half);
        client.socket.flush();
        spin(50);
        if (closes) {
            client.socket.disconnectFromHost();
            // The relay delivers what a client sent before it closed, as a last message.
            if (!waitUntil(
                    [&] { return got.size() == qsizetype(kCheckers.size()) + 1; }, kFaultTimeoutMs))
                fail(QStringLiteral("the half message of a client that closed reached only %1 "
                                    "of the checkers and the test client")
                         .arg(got.size()));
        } else {
            reset(client.socket);
        }
    }
    m_faultLines = nullptr;
    endOfFault(QStringLiteral("half"),
        closes ? QStringLiteral("half (closed)") : QStringLiteral("half (reset)"));
}

void Driver::burst(int n)
{
    std::vector<std::unique_ptr<FaultClient>> clients;
    for (int i = 0; i < kBurstClients; ++i) {
        clients.push_back(std::make_unique<FaultClient>());
        clients.back()->socket.connectToHost(QHostAddress::LocalHost, m_port);
    }
    const auto connected = [&] {
        return std::count_if(clients.cbegin(), clients.cend(),
            [](const auto &c) { return c->socket.state() == QAbstractSocket::ConnectedState; });
    };
    if (!waitUntil([&] { return connected() == kBurstClients; }, kFaultTimeoutMs)) {
        fail(QStringLiteral("only %1 of a burst of %2 connections got through")
                 .arg(connected())
                 .arg(kBurstClients));
    } else {
        // Connected is not yet admitted: the probe is sent again until everyone has one.
        const QByteArray probe = "fault:burst:" + QByteArray::number(n) + ":probe";
        const auto reached = [&] {
            return std::count_if(clients.cbegin(), clients.cend(),
                [&](const auto &c) { return c->received(probe); });
        };
        if (!waitUntil(
                [&] {
                    clients.front()->socket.write(probe + '\n');
                    spin(200);
                    return reached() == kBurstClients;
                },
                kFaultTimeoutMs))
            fail(QStringLiteral("a message from a burst of %1 connections reached only %2 of "
                                "them")
                     .arg(kBurstClients)
                     .arg(reached()));
    }
    for (size_t i = 0; i < clients.size(); ++i) {
        if (i % 2)
            reset(clients[i]->socket);
        else
            clients[i]->socket.disconnectFromHost();
    }
    spin(100);
    endOfFault(QStringLiteral("burst"));
}

void Driver::flood(int n)
{
    const QByteArray tag = "fault:flood:" + QByteArray::number(n) + ':';
    const QByteArray after = tag + "after";
    QSet<QByteArray> got;
    m_faultLines = [&](const QByteArray &receiver, const QByteArray &message) {
        if (message == after)
            got.insert(receiver);
    };
    const int warnings = m_relay->count(QStringLiteral("sent a message longer than"));
    FaultClient client;
    if (connectFaultClient(client.socket)) {
        // Twice the limit, 16 KiB at a time, without an end; then the end, and a message.
        client.socket.write(tag);
        for (qint64 sent = 0; sent < 2 * kMaxMessageBytes; sent += 16384) {
            client.socket.write(QByteArray(16384, 'x'));
            spin(5);
        }
        client.socket.write("\n" + after + '\n');
        if (!waitUntil(
                [&] {
                    return client.received(after) && got.size() == qsizetype(kCheckers.size()) + 1;
                },
                kFaultTimeoutMs))
            fail(QStringLiteral("after a message longer than --max-message-bytes, the "
                                "sender's next message reached %1 of the checkers and the test "
                                "client, %2 the sender")
                     .arg(got.size())
                     .arg(client.received(after) ? "and" : "but not"));
        if (client.socket.state() != QAbstractSocket::ConnectedState)
            fail(QStringLiteral("the relay disconnected a client that sent a message longer "
                                "than --max-message-bytes"));
        if (!waitUntil(
                [&] {
                    return m_relay->count(QStringLiteral("sent a message longer than")) > warnings;
                },
                kFaultTimeoutMs))
            fail(QStringLiteral("the relay did not log the message longer than "
                                "--max-message-bytes it dropped"));
        client.socket.disconnectFromHost();
    }
    m_faultLines = nullptr;
    endOfFault(QStringLiteral("flood"));
}

// Connects one of the faults' own clients to the relay; a failure to is one of the soak's.
bool Driver::connectFaultClient(QTcpSocket &socket)
{
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (waitUntil(
            [&] { return socket.state() == QAbstractSocket::ConnectedState; }, kFaultTimeoutMs))
        return true;
    fail(QStringLiteral("a client could not connect to the relay"));
    return false;
}

void Driver::neverReads(int n)
{
    const int disconnected = m_relay->count(QStringLiteral("does not read what is sent to it"));
    QTcpSocket client;
    client.setReadBufferSize(1); // reads nothing: the system's buffers fill, then the relay's
    if (connectFaultClient(client)) {
        // It sends 32 KB messages, about 6 MB/s, and the relay echoes them back to it.
        const QByteArray bulk
            = "fault:bulk:" + QByteArray::number(n) + ':' + QByteArray(32000, 'y') + '\n';
        qint64 sent = 0;
        const bool dropped = waitUntil(
            [&] {
                if (client.state() == QAbstractSocket::ConnectedState
                    && client.bytesToWrite() < 4 * bulk.size()) {
                    for (int i = 0; i < 4; ++i)
                        client.write(bulk);
                    sent += 4 * bulk.size();
                }
                return m_relay->count(QStringLiteral("does not read what is sent to it"))
                    > disconnected;
            },
            kFaultTimeoutMs * 2);
        if (!dropped)
            fail(QStringLiteral("the relay did not disconnect a client that never reads, "
                                "after it sent %1")
                     .arg(megabytes(sent / 1024)));
        reset(client);
    }
    endOfFault(QStringLiteral("stuck"));
}

void Driver::unplug()
{
    const int wentAway = m_serial->count(QStringLiteral(" went away "));
    const int ready = m_serial->count(QStringLiteral(" ready"));
    Window w = window(QStringLiteral("unplug"));
    m_board->unplug();
    ++m_unplugs;
    if (!waitUntil([&] { return m_serial->count(QStringLiteral(" went away ")) > wentAway; },
            kFaultTimeoutMs))
        fail(QStringLiteral("socketserver-serial did not notice the board's unplug:\n%1")
                 .arg(m_serial->tail()));
    spin(300 + int(m_random.bounded(2700)));
    if (!m_board->plugIn()) {
        fail(QStringLiteral("cannot open a pseudo-terminal for the board"));
        return;
    }
    if (!waitUntil(
            [&] { return m_serial->count(QStringLiteral(" ready")) > ready; }, kFaultTimeoutMs))
        fail(QStringLiteral("socketserver-serial did not reopen the board:\n%1")
                 .arg(m_serial->tail()));
    recover(w, false, now());
    endOfFault(QStringLiteral("unplug"));
}

void Driver::restart()
{
    finishRelayRun();
    Window w = window(QStringLiteral("restart"));
    ++m_restarts;
    if (!m_relay->terminate())
        fail(QStringLiteral("socketserver did not exit with status 0 on SIGTERM:\n%1")
                 .arg(m_relay->tail()));
    const qint64 startedMs = now(); // connections from here on are to the new relay
    if (startRelay(m_port))
        recover(w, true, startedMs);
    ++m_faults[QStringLiteral("restart")];
}

// ------------------------------------------------------------------------------- the run

int Driver::run()
{
    m_clock.start();
    std::printf("soak: %lld s, seed %u\n", m_seconds, m_seed);
    std::fflush(stdout);
    if (startAll()) {
        const qint64 endMs = m_seconds * 1000;
        // A restart when the relay has run this long and has seen every other fault.
        const qint64 restartEveryMs = qBound(qint64(20000), endMs / 3, qint64(300000));
        QStringList bag;
        int n = 0;
        while (now() < endMs && checkStillRunning() && m_failures.size() < 50) {
            spin(1000 + int(m_random.bounded(2000)));
            const RelayRun &run = m_runs.back();
            if (run.steadyMs >= 0 && now() - run.startedMs >= restartEveryMs
                && endMs - now() >= 20000) {
                restart();
                continue;
            }
            if (bag.isEmpty()) {
                bag = kFaultKinds;
                for (qsizetype i = bag.size() - 1; i > 0; --i)
                    bag.swapItemsAt(i, qsizetype(m_random.bounded(int(i) + 1)));
            }
            const QString kind = bag.takeFirst();
            ++n;
            if (kind == u"half")
                halfMessage(n);
            else if (kind == u"burst")
                burst(n);
            else if (kind == u"flood")
                flood(n);
            else if (kind == u"stuck")
                neverReads(n);
            else
                unplug();
        }
        // The end: everything sent so far must arrive.
        for (const auto &checker : m_checkers)
            checker->setSending(false);
        m_board->setSending(false);
        const auto complete = [&](const Receiver &receiver) {
            const QList<QByteArray> streams = m_senders.streams();
            return std::all_of(streams.cbegin(), streams.cend(), [&](const QByteArray &s) {
                return (&receiver == m_receivers["board"].get() && !s.startsWith("arduino:"))
                    || receiver.expected(s) == m_senders.sentCount(s);
            });
        };
        waitUntil(
            [&] {
                return std::all_of(m_receivers.cbegin(), m_receivers.cend(),
                    [&](const auto &r) { return complete(*r.second); });
            },
            20000);
        for (const auto &[name, receiver] : m_receivers) {
            if (!complete(*receiver))
                fail(QStringLiteral("%1 never received the last messages sent")
                         .arg(receiver->name()));
        }
        if (checkStillRunning())
            finishRelayRun();
        // Nobody lost a connection or the board but in a restart or an unplug.
        for (const auto &checker : m_checkers) {
            if (checker->disconnections() != m_restarts)
                fail(QStringLiteral("%1 lost its connection %2 times in %3 restarts")
                         .arg(QString::fromLatin1(checker->name()))
                         .arg(checker->disconnections())
                         .arg(m_restarts));
        }
        const int serialLost = m_serial->count(QStringLiteral("relay: lost the connection"));
        const int listenerLost = m_listener->count(QStringLiteral("lost the connection to"));
        const int boardLost = m_serial->count(QStringLiteral(" went away "));
        if (serialLost != m_restarts || listenerLost != m_restarts || boardLost != m_unplugs)
            fail(QStringLiteral("in %1 restarts and %2 unplugs, socketserver-serial lost the "
                                "relay %3 times and the board %4 times, and the test client "
                                "lost the relay %5 times")
                     .arg(m_restarts)
                     .arg(m_unplugs)
                     .arg(serialLost)
                     .arg(boardLost)
                     .arg(listenerLost));
        if (m_board->failedWrites() > 0)
            fail(QStringLiteral("the board could not print %1 lines: socketserver-serial did "
                                "not read them")
                     .arg(m_board->failedWrites()));
    }
    m_sampler.stop();
    stopAll();
    printSummary();
    return m_failures.isEmpty() ? 0 : 1;
}

void Driver::printSummary()
{
    QStringList out;
    out += QStringLiteral("soak: %1 s (seed %2), relay on 127.0.0.1:%3")
               .arg(double(now()) / 1000, 0, 'f', 0)
               .arg(m_seed)
               .arg(m_port);
    QStringList faults;
    for (auto it = m_faults.cbegin(); it != m_faults.cend(); ++it)
        faults += QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
    out += QStringLiteral("faults: ") + faults.join(QStringLiteral(", "));
    out += QStringLiteral("recoveries: %1 (start, restarts, unplugs), the longest %2 s")
               .arg(m_recoveries)
               .arg(double(m_longestRecoveryMs) / 1000, 0, 'f', 1);
    QStringList sent;
    for (const QByteArray &stream : m_senders.streams())
        sent += QStringLiteral("%1 %2")
                    .arg(QString::fromLatin1(stream))
                    .arg(m_senders.sentCount(stream));
    out += QStringLiteral("sent: ") + sent.join(QStringLiteral(", "));
    QStringList got;
    for (const auto &[name, receiver] : m_receivers)
        got += QStringLiteral("%1 %2 (%3 lost in restarts/unplugs)")
                   .arg(receiver->name())
                   .arg(receiver->receivedCount())
                   .arg(receiver->lostInWindows());
    out += QStringLiteral("received: ") + got.join(QStringLiteral(", "));
    out += QStringLiteral("socketserver, per run (VmRSS at start / once every fault had "
                          "happened / at the end; open files after start / at the end):");
    for (size_t i = 0; i < m_runs.size(); ++i) {
        const RelayRun &run = m_runs[i];
        out += QStringLiteral("  run %1 from %2 s: %3 / %4 / %5; files %6 / %7")
                   .arg(i + 1)
                   .arg(run.startedMs / 1000)
                   .arg(megabytes(run.firstRss),
                       run.steadyMs >= 0 ? megabytes(run.steadyRss) : QStringLiteral("-"),
                       megabytes(run.lastRss))
                   .arg(run.baselineFds)
                   .arg(run.lastFds);
    }
    out += QStringLiteral("logs: %1").arg(m_dir.path());
    if (m_failures.isEmpty()) {
        out += QStringLiteral("soak: PASS");
    } else {
        m_dir.keep();
        for (const QString &failure : m_failures)
            out += QStringLiteral("FAIL: ") + failure;
        out += QStringLiteral("soak: FAIL (%1 failures; the programs' logs are kept)")
                   .arg(m_failures.size());
    }
    std::printf("%s\n", qPrintable(out.join(u'\n')));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs socketserver, socketserver-serial (on a pseudo-terminal playing an Arduino) and "
        "socketserver-testclient --headless with a fault every few seconds, checks that nothing "
        "is lost, corrupted or reordered outside restarts and unplugs, that every part "
        "recovers and that the relay's memory and open files stay flat."));
    parser.addHelpOption();
    parser.addOption({"seconds", "Run this long (default 60).", "N", "60"});
    parser.addOption({"minutes", "Run this long instead.", "N"});
    parser.addOption({"logs",
        "Write the programs' logs to this folder and keep them (default: a "
        "temporary folder, kept only when the soak fails).",
        "DIR"});
    parser.addOption({"seed", "Seed of the fault schedule and messages (default: random).", "N"});
    parser.process(app);
    bool ok = true;
    const qint64 seconds = parser.isSet("minutes") ? parser.value("minutes").toLongLong(&ok) * 60
                                                   : parser.value("seconds").toLongLong(&ok);
    if (!ok || seconds < 1) {
        std::fprintf(stderr, "soak: the duration must be a whole number above 0\n");
        return 2;
    }
    const quint32 seed = parser.isSet("seed") ? parser.value("seed").toUInt(&ok)
                                              : QRandomGenerator::system()->generate();
    if (!ok) {
        std::fprintf(stderr, "soak: --seed must be a whole number\n");
        return 2;
    }
    return Driver(seconds, seed, parser.value("logs")).run();
}
