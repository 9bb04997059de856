// mqttload: the MQTT part of the SocketServer benchmark (tests/bench/run.sh, mqttsmoke.sh).
//
// One sender, N receivers, 64-byte messages, over one of two paths through the same broker:
//   --broker PORT                      the reference: an MQTT publisher and N MQTT subscribers
//                                      directly on the broker (libmosquitto, MQTT 5, QoS 0: what
//                                      mosquitto_pub -V 5 and mosquitto_sub -V 5 do; those two
//                                      cannot stamp or time messages, so these clients stand in
//                                      for them);
//   --send-port A --receive-port B     the bridge: a TCP sender on relay A, N TCP receivers on
//                                      relay B, both relays joined to the broker with --mqtt.
// Each message carries its sequence number and a CLOCK_MONOTONIC time (sender and receivers are
// this one process), so every receiver checks count and order and measures latency. With
// --messages the sender goes as fast as a window of unreceived messages allows (throughput);
// with --rate it is paced (latency, from when each message was due). --cpu NAME=PID reports what
// CPU a process (the broker, a relay) used during the run, from /proc/PID/stat.
//
// One thread and epoll, like loadgen; the MQTT clients are driven with mosquitto_loop_read(),
// mosquitto_loop_write() and mosquitto_loop_misc() from that loop (no libmosquitto thread).
// Linux only.

#include <mosquitto.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "benchsupport.h"

using namespace Bench;

namespace {

constexpr size_t kMessageBytes = 64; // on TCP, '\n' included; over MQTT the payload is 63 bytes
constexpr int64_t kProbeEveryNs = 50'000'000;
constexpr int64_t kDrainNs = 2 * kNsPerSecond; // paced: the last messages may come this late
constexpr int kPacketsPerRead = 256; // an MQTT client reads at most this many at a time

// ----------------------------------------------------------------------------------- options

struct CpuWatch
{
    std::string name;
    int pid = 0;
    double before = 0; // CPU seconds when the run started
};

struct Options
{
    int brokerPort = 0; // the reference
    std::string topic = "socketserver/bench";
    int sendPort = 0; // the bridge
    int receivePort = 0;
    int receivers = 10;
    uint64_t messages = 0; // saturating: this many, as fast as the window allows
    double rate = 0; // paced: this many a second...
    double seconds = 5; // ...for this long
    uint64_t window = 4096;
    double timeoutSeconds = 30;
    std::vector<CpuWatch> cpu;
    bool json = false;
};

const char kHelp[]
    = R"(Usage: mqttload --broker PORT [--topic T] (--messages N | --rate R [--seconds S]) [options]
       mqttload --send-port A --receive-port B (--messages N | --rate R [--seconds S]) [options]

The MQTT part of the SocketServer benchmark: one sender, N receivers, 64-byte messages (63 bytes
of MQTT payload), on 127.0.0.1.
  --broker PORT       the reference: an MQTT publisher and N MQTT subscribers on the broker
                      itself, on --topic (default socketserver/bench); libmosquitto clients,
                      MQTT 5, QoS 0, as mosquitto_pub -V 5 / mosquitto_sub -V 5 (which cannot
                      time messages)
  --send-port A --receive-port B
                      the bridge: a TCP sender on relay A, N TCP receivers on relay B (two
                      socketservers joined to one broker with --mqtt)
  --receivers N       receivers (default 10)
  --messages N        saturating: send N messages as fast as the path takes them, at most
                      --window of them not yet at the slowest receiver; ends once every
                      receiver got all N
  --rate R            paced: R messages a second for --seconds S (default 5); latency from
                      when each message was due
  --window N          saturating: messages on their way at most (default 4096)
  --timeout S         longest wait for the path to be ready and, saturating, for the next
                      message to arrive (paced: 2 s after the last was due) (default 30)
  --cpu NAME=PID      report the CPU seconds PID used during the run as cpu_NAME_s, and
                      per message sent as cpu_NAME_us (microseconds); may be repeated
  --json              one JSON object instead of a line of text

Every receiver must get every message once, in order; the run fails otherwise.
Figures: msgs_per_s (per receiver), p50_ms, p99_ms, max_ms, seconds, received, missing,
disordered, and the CPU figures (cpu_mqttload_s is this process).
Exit status: 0 when every message arrived in order; 1 when not, or the run failed; 2 for a
mistake on the command line.
)";

CpuWatch parseCpu(const std::string &text)
{
    const size_t equals = text.find('=');
    if (equals == 0 || equals == std::string::npos)
        throw UsageError("--cpu wants NAME=PID, not \"" + text + "\"");
    return {text.substr(0, equals), int(parseWhole("--cpu", text.substr(equals + 1), 1, 1 << 30))};
}

Options parseOptions(int argc, char **argv)
{
    Options o;
    forEachOption(argc, argv, kHelp, {{"--json", &o.json}},
        [&o](const std::string &name, const std::string &value) {
            if (name == "--broker")
                o.brokerPort = int(parseWhole(name, value, 1, 65535));
            else if (name == "--topic")
                o.topic = value;
            else if (name == "--send-port")
                o.sendPort = int(parseWhole(name, value, 1, 65535));
            else if (name == "--receive-port")
                o.receivePort = int(parseWhole(name, value, 1, 65535));
            else if (name == "--receivers")
                o.receivers = int(parseWhole(name, value, 1, 1000));
            else if (name == "--messages")
                o.messages = parseWhole(name, value, 1, 1e9);
            else if (name == "--rate")
                o.rate = parseNumber(name, value, 1, 1e6);
            else if (name == "--seconds")
                o.seconds = parseNumber(name, value, 0.1, 3600);
            else if (name == "--window")
                o.window = parseWhole(name, value, 1, 1e6);
            else if (name == "--timeout")
                o.timeoutSeconds = parseNumber(name, value, 1, 3600);
            else if (name == "--cpu")
                o.cpu.push_back(parseCpu(value));
            else
                throw UsageError("unknown option " + name);
        });
    const bool bridge = o.sendPort != 0 || o.receivePort != 0;
    if (bridge == (o.brokerPort != 0))
        throw UsageError("give either --broker or --send-port and --receive-port");
    if (bridge && (o.sendPort == 0 || o.receivePort == 0))
        throw UsageError("--send-port and --receive-port go together");
    if ((o.messages != 0) == (o.rate != 0))
        throw UsageError("give either --messages or --rate");
    return o;
}

// -------------------------------------------------------------------------------- event loop

// Calls a handler for each ready file descriptor (level-triggered epoll). Waits end at a
// timerfd, for a paced sender's sake: epoll_wait() alone only has milliseconds.
class EventLoop
{
public:
    using Handler = std::function<void(uint32_t events)>;

    EventLoop()
        : m_epoll(createEpoll())
    {
        watch(m_timer.fd(), EPOLLIN, [this](uint32_t) { m_timer.acknowledge(); });
    }

    void watch(int fd, uint32_t events, Handler handler)
    {
        if (size_t(fd) >= m_handlers.size())
            m_handlers.resize(size_t(fd) + 1);
        m_handlers[size_t(fd)] = std::move(handler);
        control(EPOLL_CTL_ADD, fd, events);
    }

    void setEvents(int fd, uint32_t events) { control(EPOLL_CTL_MOD, fd, events); }

    // Waits for events until deadlineNs (or 100 ms) at the latest, and handles them.
    void runOnce(int64_t deadlineNs)
    {
        m_timer.armAt(std::max(std::min(deadlineNs, nowNs() + 100'000'000), int64_t(1)));
        epoll_event events[64];
        const int count = epoll_wait(m_epoll.get(), events, 64, -1);
        if (count < 0 && errno != EINTR)
            fail(systemError("epoll_wait"));
        for (int i = 0; i < count; ++i)
            m_handlers[size_t(events[i].data.fd)](events[i].events);
    }

private:
    void control(int operation, int fd, uint32_t events)
    {
        epoll_event event{};
        event.events = events;
        event.data.fd = fd;
        if (epoll_ctl(m_epoll.get(), operation, fd, &event) != 0)
            fail(systemError("epoll_ctl"));
    }

    Fd m_epoll;
    Timer m_timer;
    std::vector<Handler> m_handlers; // by file descriptor
};

// ------------------------------------------------------------------------------- messages

// "M<seq>:<ns>:" padded with 'x' to 63 bytes: message seq, sent (or due) at ns.
void formatMessage(char *out, uint64_t seq, int64_t ns)
{
    std::memset(out, 'x', kMessageBytes - 1);
    std::snprintf(out, kMessageBytes - 1, "M%llu:%lld:", static_cast<unsigned long long>(seq),
        static_cast<long long>(ns));
    out[std::strlen(out)] = 'x'; // over snprintf's terminator
}

// Reads the decimal number at p and the ':' after it, moving p past both.
bool parseField(const char *&p, const char *end, uint64_t &value)
{
    const char *start = p;
    value = 0;
    while (p < end && *p >= '0' && *p <= '9' && p - start < 19)
        value = value * 10 + uint64_t(*p++ - '0');
    return p > start && p < end && *p++ == ':';
}

// What every receiver does with each message (a payload, or a line without its '\n'): counts
// it, checks its order, and records its latency. Probe messages ("P...") are ignored.
struct Receiver
{
    uint64_t next = 0; // the sequence number due next
    uint64_t inOrder = 0;
    uint64_t disordered = 0; // missing before it, repeated or late
    bool probed = false;

    void take(const char *data, size_t size, std::vector<int64_t> &latencies)
    {
        const char *p = data + 1;
        const char *end = data + size;
        uint64_t seq = 0;
        uint64_t ns = 0;
        if (size > 0 && data[0] == 'P') {
            probed = true;
            return;
        }
        if (size == 0 || data[0] != 'M' || !parseField(p, end, seq) || !parseField(p, end, ns))
            fail("a receiver got \"" + std::string(data, std::min(size, kMessageBytes))
                + "\", not a benchmark message");
        latencies.push_back(nowNs() - int64_t(ns));
        if (seq == next)
            ++inOrder;
        else
            ++disordered;
        next = seq + 1;
    }
};

// ---------------------------------------------------------------------------------- clients

// Where messages go: one MQTT publisher or one TCP sender.
class Sender
{
public:
    virtual ~Sender() = default;
    /// Sends one 63-byte message (a TCP sender only queues it until flush()).
    virtual void send(const char *payload) = 0;
    /// Writes what send() queued.
    virtual void flush() { }
};

int connectTcp(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fail(systemError("socket"));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
        fail(systemError("cannot connect to 127.0.0.1:" + std::to_string(port)));
    if (::fcntl(fd, F_SETFL, O_NONBLOCK) != 0)
        fail(systemError("fcntl"));
    return fd;
}

// Reads what is there; throws once the relay closed the connection.
size_t readSome(int fd, char *buffer, size_t capacity)
{
    const ssize_t size = ::read(fd, buffer, capacity);
    if (size == 0)
        fail("a relay closed a connection");
    if (size < 0 && errno != EAGAIN && errno != EINTR)
        fail(systemError("read"));
    return size > 0 ? size_t(size) : 0;
}

// A TCP client of a relay. As a sender it writes the lines sent since the last flush() in one
// go, keeping what the socket does not take (bounded by the window or the rate) until it is
// writable again, and reads and drops whatever comes back.
class TcpClient : public Sender
{
public:
    using OnLine = std::function<void(const char *, size_t)>;

    TcpClient(EventLoop &loop, int port, OnLine onLine)
        : m_loop(loop)
        , m_fd(connectTcp(port))
        , m_onLine(std::move(onLine))
    {
        m_loop.watch(m_fd.get(), EPOLLIN, [this](uint32_t events) {
            if (events & EPOLLOUT)
                write();
            if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                read();
        });
    }

    void send(const char *payload) override
    {
        m_output.append(payload, kMessageBytes - 1);
        m_output += '\n';
    }

    void flush() override
    {
        if (!m_waitingToWrite)
            write();
    }

private:
    void read()
    {
        static char buffer[64 * 1024];
        const size_t size = readSome(m_fd.get(), buffer, sizeof buffer);
        if (m_onLine)
            m_splitter.feed(buffer, size, m_onLine);
    }

    void write()
    {
        const ssize_t written = ::write(m_fd.get(), m_output.data(), m_output.size());
        if (written < 0 && errno != EAGAIN && errno != EINTR)
            fail(systemError("sender"));
        if (written > 0)
            m_output.erase(0, size_t(written));
        const bool waiting = !m_output.empty();
        if (waiting != m_waitingToWrite)
            m_loop.setEvents(m_fd.get(), EPOLLIN | (waiting ? EPOLLOUT : 0u));
        m_waitingToWrite = waiting;
    }

    EventLoop &m_loop;
    Fd m_fd;
    OnLine m_onLine; // empty for the sender: what comes back is dropped
    LineSplitter m_splitter;
    std::string m_output;
    bool m_waitingToWrite = false;
};

// An MQTT 5 client of the broker, on the loop: a publisher, or a subscriber of the topic.
class MqttClient : public Sender
{
public:
    using OnMessage = std::function<void(const char *, size_t)>;

    MqttClient(EventLoop &loop, const Options &o, const std::string &id, OnMessage onMessage)
        : m_loop(loop)
        , m_topic(o.topic)
        , m_onMessage(std::move(onMessage))
        , m_mosq(mosquitto_new(id.c_str(), true, this), mosquitto_destroy)
    {
        if (!m_mosq)
            fail("mosquitto_new failed");
        mosquitto *mosq = m_mosq.get();
        mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
        mosquitto_connect_v5_callback_set(
            mosq, [](mosquitto *m, void *self, int reason, int, const mosquitto_property *) {
                auto *client = static_cast<MqttClient *>(self);
                if (reason != 0)
                    client->m_problem = std::string("refused: ") + mosquitto_reason_string(reason);
                else if (client->m_onMessage)
                    mosquitto_subscribe_v5(m, nullptr, client->m_topic.c_str(), 0, 0, nullptr);
            });
        mosquitto_message_v5_callback_set(mosq,
            [](mosquitto *, void *self, const mosquitto_message *message,
                const mosquitto_property *) {
                auto *client = static_cast<MqttClient *>(self);
                if (client->m_onMessage)
                    client->m_onMessage(
                        static_cast<const char *>(message->payload), size_t(message->payloadlen));
            });
        const int rc
            = mosquitto_connect_bind_v5(mosq, "127.0.0.1", o.brokerPort, 60, nullptr, nullptr);
        if (rc != MOSQ_ERR_SUCCESS)
            fail("cannot connect to the broker at 127.0.0.1:" + std::to_string(o.brokerPort) + ": "
                + mosquitto_strerror(rc));
        m_fd = mosquitto_socket(mosq);
        m_loop.watch(m_fd, EPOLLIN, [this](uint32_t events) {
            if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                readAll();
            if (events & EPOLLOUT)
                check(mosquitto_loop_write(m_mosq.get(), 1));
            updateEvents();
        });
        updateEvents();
    }

    void send(const char *payload) override
    {
        check(mosquitto_publish_v5(m_mosq.get(), nullptr, m_topic.c_str(), int(kMessageBytes - 1),
            payload, 0, false, nullptr));
        updateEvents();
    }

    // Keep-alive; called about once a second.
    void misc() { check(mosquitto_loop_misc(m_mosq.get())); }

private:
    // libmosquitto reads one packet per call (mosquitto_sub makes one call per select()): this
    // takes what has arrived, as the bridge does, so that the broker alone is measured at its
    // best. It stops at EAGAIN.
    void readAll()
    {
        for (int i = 0; i < kPacketsPerRead; ++i) {
            errno = 0;
            check(mosquitto_loop_read(m_mosq.get(), 1));
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
        }
    }

    void check(int rc)
    {
        if (rc != MOSQ_ERR_SUCCESS)
            fail("MQTT client: " + std::string(mosquitto_strerror(rc)));
        if (!m_problem.empty())
            fail("the broker " + m_problem);
    }

    void updateEvents()
    {
        const bool wantWrite = mosquitto_want_write(m_mosq.get());
        if (wantWrite != m_wantWrite)
            m_loop.setEvents(m_fd, EPOLLIN | (wantWrite ? EPOLLOUT : 0u));
        m_wantWrite = wantWrite;
    }

    EventLoop &m_loop;
    std::string m_topic;
    OnMessage m_onMessage; // empty for the publisher
    std::unique_ptr<mosquitto, void (*)(mosquitto *)> m_mosq;
    int m_fd = -1;
    bool m_wantWrite = false;
    std::string m_problem;
};

// ---------------------------------------------------------------------------------- the run

double ownCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds
        = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Figures
{
    std::vector<std::pair<std::string, std::string>> fields;
    std::string failure;

    void add(const std::string &key, const std::string &value) { fields.push_back({key, value}); }

    void print(bool json) const
    {
        std::string line = json ? "{" : "mqtt:";
        for (size_t i = 0; i < fields.size(); ++i) {
            if (json)
                line += (i ? ",\"" : "\"") + fields[i].first + "\":" + fields[i].second;
            else
                line += " " + fields[i].first + "=" + fields[i].second;
        }
        line += json ? "}\n" : "\n";
        std::fputs(line.c_str(), stdout);
    }
};

Figures run(Options &o)
{
    EventLoop loop;
    std::vector<int64_t> latencies;
    std::vector<Receiver> receivers(size_t(o.receivers));
    std::vector<std::unique_ptr<MqttClient>> mqttClients;
    std::vector<std::unique_ptr<TcpClient>> tcpReceivers;
    std::unique_ptr<TcpClient> tcpSender;
    Sender *sender = nullptr;
    const bool bridge = o.brokerPort == 0;

    // Connect the receivers first, then the sender.
    const std::string idPrefix = "mqttload-" + std::to_string(getpid()) + "-";
    for (size_t i = 0; i < receivers.size(); ++i) {
        const auto take = [&receivers, &latencies, i](const char *data, size_t size) {
            receivers[i].take(data, size, latencies);
        };
        if (bridge)
            tcpReceivers.push_back(std::make_unique<TcpClient>(loop, o.receivePort, take));
        else
            mqttClients.push_back(
                std::make_unique<MqttClient>(loop, o, idPrefix + std::to_string(i), take));
    }
    if (bridge) {
        tcpSender = std::make_unique<TcpClient>(loop, o.sendPort, nullptr);
        sender = tcpSender.get();
    } else {
        mqttClients.push_back(std::make_unique<MqttClient>(loop, o, idPrefix + "pub", nullptr));
        sender = mqttClients.back().get();
    }
    int64_t lastMisc = nowNs();
    const auto runOnce = [&](int64_t deadline) {
        loop.runOnce(deadline);
        if (nowNs() - lastMisc >= kNsPerSecond) {
            lastMisc = nowNs();
            for (auto &client : mqttClients)
                client->misc();
        }
    };

    // The path is ready once a probe sent now reaches every receiver (relay B and the broker
    // have taken every client in and subscribed).
    char payload[kMessageBytes];
    const int64_t readyBy = nowNs() + int64_t(o.timeoutSeconds * 1e9);
    for (int64_t nextProbe = 0;;) {
        if (std::all_of(receivers.begin(), receivers.end(), [](auto &r) { return r.probed; }))
            break;
        const int64_t now = nowNs();
        if (now >= readyBy)
            fail("timed out: not every receiver got a probe message through "
                + std::string(bridge ? "the relays" : "the broker"));
        if (now >= nextProbe) {
            std::memset(payload, 'x', kMessageBytes - 1);
            payload[0] = 'P';
            sender->send(payload);
            sender->flush();
            nextProbe = now + kProbeEveryNs;
        }
        runOnce(std::min(nextProbe, readyBy));
    }
    latencies.reserve(
        size_t(o.messages ? o.messages : uint64_t(o.rate * o.seconds)) * receivers.size());

    for (CpuWatch &watch : o.cpu)
        watch.before = cpuSeconds(watch.pid);
    const double ownBefore = ownCpuSeconds();
    const int64_t start = nowNs();
    const uint64_t total = o.messages ? o.messages : uint64_t(o.rate * o.seconds);
    const auto due = [&](uint64_t i) { return start + int64_t(double(i) * 1e9 / o.rate); };
    const auto slowest = [&] {
        uint64_t least = UINT64_MAX;
        for (const Receiver &r : receivers)
            least = std::min(least, r.inOrder + r.disordered);
        return least;
    };
    const auto allArrived = [&] { return slowest() >= total; };
    uint64_t sent = 0;
    uint64_t lastArrived = 0;
    int64_t lastProgress = start;
    const int64_t limit = int64_t(o.timeoutSeconds * 1e9);
    while (!allArrived()) {
        const int64_t now = nowNs();
        if (o.messages) {
            // In batches of a quarter window, so that the sender's writes stay large.
            const uint64_t inFlight = sent - std::min(sent, slowest());
            if (o.window - std::min(o.window, inFlight) >= std::max<uint64_t>(o.window / 4, 1)) {
                for (const uint64_t end = std::min(total, slowest() + o.window); sent < end;
                     ++sent) {
                    formatMessage(payload, sent, nowNs());
                    sender->send(payload);
                }
            }
        } else {
            for (; sent < total && due(sent) <= now; ++sent) {
                formatMessage(payload, sent, due(sent));
                sender->send(payload);
            }
        }
        sender->flush();
        if (slowest() != lastArrived) {
            lastArrived = slowest();
            lastProgress = now;
        }
        const int64_t giveUp = o.messages
            ? lastProgress + limit
            : std::max(due(total) + kDrainNs, lastProgress + kDrainNs);
        if (now >= giveUp)
            break;
        runOnce(sent < total && !o.messages ? std::min(due(sent), giveUp) : giveUp);
    }
    const int64_t elapsed = nowNs() - start;

    Figures figures;
    figures.add("path", bridge ? "\"relays\"" : "\"broker\"");
    figures.add("receivers", std::to_string(o.receivers));
    figures.add("messages", std::to_string(total));
    if (!o.messages)
        figures.add("rate", number(o.rate, 0));
    figures.add("seconds", number(nsToSeconds(elapsed), 3));
    uint64_t inOrder = 0;
    uint64_t disordered = 0;
    for (const Receiver &r : receivers) {
        inOrder += r.inOrder;
        disordered += r.disordered;
    }
    const uint64_t received = inOrder + disordered;
    figures.add("msgs_per_s",
        number(double(received) / double(receivers.size()) / nsToSeconds(elapsed), 0));
    std::sort(latencies.begin(), latencies.end());
    figures.add("p50_ms", number(percentileMs(latencies, 0.50), 3));
    figures.add("p99_ms", number(percentileMs(latencies, 0.99), 3));
    figures.add(
        "max_ms", number(latencies.empty() ? std::nan("") : double(latencies.back()) / 1e6, 3));
    const uint64_t expected = total * receivers.size();
    figures.add("received", std::to_string(received));
    figures.add("missing", std::to_string(expected - std::min(expected, inOrder)));
    figures.add("disordered", std::to_string(disordered));
    for (const CpuWatch &watch : o.cpu) {
        const double used = cpuSeconds(watch.pid) - watch.before;
        figures.add("cpu_" + watch.name + "_s", number(used, 2));
        figures.add("cpu_" + watch.name + "_us", number(used * 1e6 / double(total), 1));
    }
    const double own = ownCpuSeconds() - ownBefore;
    figures.add("cpu_mqttload_s", number(own, 2));
    figures.add("cpu_mqttload_us", number(own * 1e6 / double(total), 1));
    if (inOrder != expected || disordered != 0)
        figures.failure = std::to_string(expected - std::min(expected, inOrder)) + " of "
            + std::to_string(expected) + " messages did not arrive in order ("
            + std::to_string(disordered) + " out of order or repeated)";
    return figures;
}

} // namespace

int main(int argc, char **argv)
{
    std::signal(SIGPIPE, SIG_IGN);
    mosquitto_lib_init();
    int status = 0;
    try {
        Options options = parseOptions(argc, argv);
        const Figures figures = run(options);
        figures.print(options.json);
        if (!figures.failure.empty()) {
            std::fprintf(stderr, "mqttload: %s\n", figures.failure.c_str());
            status = 1;
        }
    } catch (const UsageError &error) {
        std::fprintf(stderr, "mqttload: %s (see mqttload --help)\n", error.what());
        status = 2;
    } catch (const std::exception &error) {
        std::fprintf(stderr, "mqttload: %s\n", error.what());
        status = 1;
    }
    mosquitto_lib_cleanup();
    return status;
}
