// loadgen: the load generator of the SocketServer benchmark (tests/bench/run.sh, smoke.sh).
//
// It connects TCP clients to a relay on this machine (socketserver, or ncat --broker for
// comparison), runs one workload (fanout, senders, latency, connections, slow: see --help) and
// prints its figures as one line of text, or as one JSON object with --json. Only what receivers
// get is measured: socketserver also echoes every message to its sender and ncat does not, so
// whatever reaches a sender is read and ignored.
//
// Written so that loadgen is not the bottleneck: one thread, non-blocking sockets and epoll,
// every read of up to 256 KiB into one reused buffer, newlines counted 16 bytes at a time, up to
// 256 KiB of messages per write(). Senders keep at most --window bytes on their way to the
// slowest receiver, so the relay never has to queue much for a receiver only because loadgen,
// busy with the others, has not read it yet. Linux only.

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace {

constexpr size_t kMessageBytes = 64; // every message, its '\n' included
constexpr size_t kIoChunk = 256 * 1024; // the most one read() or write() moves
// A workload's receivers connect this many at a time, each batch registered by the relay before
// the next: fewer than ncat's listen backlog (10), past which connects are dropped (retried a
// second later) or, in a burst, left connected on the client's side only, never accepted.
// (The connections workload connects in bursts of --in-flight instead: that is what it measures.)
constexpr int kConnectBatch = 8;
constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int64_t kDrainNs = 2 * kNsPerSecond; // receivers may catch up this long after sending
// A probe that stopped reaching new clients this long is sent again (see probe()).
constexpr int64_t kProbeQuietNs = 100'000'000;
constexpr int64_t kProbeUnansweredNs = 1'000'000'000;
constexpr char kProbePrefix[] = "probe ";

// ------------------------------------------------------------------------------------ basics

struct UsageError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string &what)
{
    throw std::runtime_error(what);
}

std::string systemError(const std::string &what)
{
    return what + ": " + std::strerror(errno);
}

int64_t nowNs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return int64_t(now.tv_sec) * kNsPerSecond + now.tv_nsec;
}

int64_t secondsToNs(double seconds)
{
    return int64_t(seconds * double(kNsPerSecond));
}

double nsToSeconds(int64_t ns)
{
    return double(ns) / double(kNsPerSecond);
}

// Owns one file descriptor.
class Fd
{
public:
    explicit Fd(int fd = -1)
        : m_fd(fd)
    { }
    Fd(Fd &&other) noexcept
        : m_fd(other.m_fd)
    {
        other.m_fd = -1;
    }
    Fd &operator=(Fd &&other) noexcept
    {
        std::swap(m_fd, other.m_fd);
        return *this;
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

std::vector<int> fdsOf(const std::vector<Fd> &owned)
{
    std::vector<int> fds;
    for (const Fd &fd : owned)
        fds.push_back(fd.get());
    return fds;
}

// ----------------------------------------------------------------------------------- options

struct Options
{
    std::string host = "127.0.0.1";
    int port = 0;
    std::string workload;
    int receivers = 0; // 0: the workload's own default
    int senders = 10;
    int clients = 1000;
    int inFlight = 500;
    double seconds = 5;
    double rate = 2000;
    double megabytes = 200;
    double timeoutSeconds = 30;
    size_t windowBytes = 1024 * 1024;
    int serverPid = 0;
    bool nodelay = false;
    bool json = false;
    bool requireIntegrity = false;
};

const char kHelp[]
    = R"(Usage: loadgen --host 127.0.0.1 --port PORT --workload NAME [options] [--json]

The load generator of the SocketServer benchmark: it connects clients to a message relay on
this machine and measures one workload. Messages are 64-byte lines, '\n' included. Only what
receivers get is counted; what reaches a sender (socketserver's echo) is read and ignored.

Workloads (defaults in brackets):
  fanout       1 sender -> N receivers, as fast as the relay goes, for S seconds: delivered
               messages/s (summed over receivers) and MB/s  [--receivers 10 --seconds 5]
  senders      M senders -> N receivers; each line "S<id>:<seq>:<padding>" is checked:
               delivered/s and lines corrupt, missing, reordered, duplicated
               [--senders 10 --receivers 10 --seconds 5]
  latency      1 sender paced at R messages/s -> N receivers: p50, p99 and max of the time
               from when each message was due to its arrival
               [--receivers 100 --rate 2000 --seconds 5]
  connections  N idle clients: the time until the relay has taken them all in (a first line
               reached every one), then the time for one more line to reach all of them;
               with --server-pid the relay's memory per client
               [--clients 1000]
  slow         1 client that never reads, 1 receiver, 1 sender pushing MB megabytes: did the
               receiver get every line, how long it took; with --server-pid the relay's peak
               memory  [--megabytes 200]

Options:
  --host ADDRESS       the relay's IPv4 address (default 127.0.0.1)
  --port PORT          the relay's port (required)
  --workload NAME      one of the workloads above (required)
  --receivers N  --senders N  --seconds S  --rate R  --clients N  --megabytes MB
                       the workload's size, as above
  --in-flight N        connections: most connects in flight at once (default 500)
  --server-pid PID     the relay's process, whose memory is read from /proc/PID/status
  --window KIB         most KiB of messages on their way to a receiver before senders wait
                       for it (default 1024)
  --timeout S          longest any wait may last: connecting, the relay registering
                       clients, the slow transfer (default 30)
  --nodelay            set TCP_NODELAY on every socket (default: off)
  --require-integrity  senders: fail when any line was corrupt, missing, reordered or
                       duplicated
  --json               print one JSON object instead of a line of text
  --help               show this help

Exit status: 0 when the workload ran; 1 when it could not (connection refused, a timeout,
the relay closing a connection, messages that never arrived) or, with --require-integrity,
when lines were damaged; 2 for a mistake on the command line.
)";

std::string shortNumber(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

double parseNumber(const std::string &option, const std::string &text, double min, double max)
{
    char *end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(value >= min && value <= max))
        throw UsageError(option + " wants a number from " + shortNumber(min) + " to "
            + shortNumber(max) + ", not \"" + text + "\"");
    return value;
}

int parseInteger(const std::string &option, const std::string &text, int min, int max)
{
    const double value = parseNumber(option, text, min, max);
    if (value != double(int(value)))
        throw UsageError(option + " wants a whole number, not \"" + text + "\"");
    return int(value);
}

int defaultReceivers(const std::string &workload)
{
    return workload == "latency" ? 100 : 10;
}

Options parseOptions(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        if (name == "--help" || name == "-h") {
            std::fputs(kHelp, stdout);
            std::exit(0);
        }
        if (name == "--json") {
            o.json = true;
            continue;
        }
        if (name == "--nodelay") {
            o.nodelay = true;
            continue;
        }
        if (name == "--require-integrity") {
            o.requireIntegrity = true;
            continue;
        }
        if (i + 1 >= argc)
            throw UsageError(name.rfind("--", 0) == 0 ? name + " wants a value"
                                                      : "unknown argument \"" + name + "\"");
        const std::string value = argv[++i];
        if (name == "--host")
            o.host = value;
        else if (name == "--port")
            o.port = parseInteger(name, value, 1, 65535);
        else if (name == "--workload")
            o.workload = value;
        else if (name == "--receivers")
            o.receivers = parseInteger(name, value, 1, 100000);
        else if (name == "--senders")
            o.senders = parseInteger(name, value, 1, 10000);
        else if (name == "--clients")
            o.clients = parseInteger(name, value, 1, 1000000);
        else if (name == "--in-flight")
            o.inFlight = parseInteger(name, value, 1, 100000);
        else if (name == "--seconds")
            o.seconds = parseNumber(name, value, 0.1, 3600);
        else if (name == "--rate")
            o.rate = parseNumber(name, value, 1, 1000000);
        else if (name == "--megabytes")
            o.megabytes = parseNumber(name, value, 1, 100000);
        else if (name == "--timeout")
            o.timeoutSeconds = parseNumber(name, value, 1, 3600);
        else if (name == "--window")
            o.windowBytes = size_t(parseInteger(name, value, 64, 1 << 20)) * 1024;
        else if (name == "--server-pid")
            o.serverPid = parseInteger(name, value, 1, 1 << 30);
        else
            throw UsageError("unknown option " + name);
    }
    static const char *const workloads[] = {"fanout", "senders", "latency", "connections", "slow"};
    if (std::find(std::begin(workloads), std::end(workloads), o.workload) == std::end(workloads))
        throw UsageError(o.workload.empty() ? "--workload is required"
                                            : "unknown workload \"" + o.workload + "\"");
    if (o.port == 0)
        throw UsageError("--port is required");
    if (o.receivers == 0)
        o.receivers = defaultReceivers(o.workload);
    return o;
}

int64_t deadlineFromNow(const Options &o)
{
    return nowNs() + secondsToNs(o.timeoutSeconds);
}

// -------------------------------------------------------------------------------- event loop

// Calls a handler for each ready file descriptor (level-triggered epoll).
class EventLoop
{
public:
    using Handler = std::function<void(uint32_t events)>;

    EventLoop()
        : m_epoll(epoll_create1(EPOLL_CLOEXEC))
    {
        if (m_epoll.get() < 0)
            fail(systemError("epoll_create1"));
    }

    // Starts calling handler with fd's ready events. A handler may unwatch() or setEvents() its
    // own fd, but must not watch() it again (that would destroy the handler while it runs).
    void watch(int fd, uint32_t events, Handler handler)
    {
        if (size_t(fd) >= m_handlers.size()) {
            m_handlers.resize(size_t(fd) + 1);
            m_watched.resize(size_t(fd) + 1, false);
        }
        m_handlers[size_t(fd)] = std::move(handler);
        if (!control(EPOLL_CTL_ADD, fd, events)) {
            if (errno != EEXIST || !control(EPOLL_CTL_MOD, fd, events))
                fail(systemError("epoll_ctl"));
        }
        m_watched[size_t(fd)] = true;
    }

    void setEvents(int fd, uint32_t events)
    {
        if (!control(EPOLL_CTL_MOD, fd, events))
            fail(systemError("epoll_ctl"));
    }

    void unwatch(int fd)
    {
        control(EPOLL_CTL_DEL, fd, 0);
        m_watched[size_t(fd)] = false;
    }

    // Waits for events (not past deadlineNs) and handles them; false once the deadline passed.
    bool runOnce(int64_t deadlineNs)
    {
        const int64_t left = deadlineNs - nowNs();
        if (left <= 0)
            return false;
        const int timeoutMs = int(std::min<int64_t>((left + 999'999) / 1'000'000, 1000));
        epoll_event events[256];
        const int count = epoll_wait(m_epoll.get(), events, 256, timeoutMs);
        if (count < 0 && errno != EINTR)
            fail(systemError("epoll_wait"));
        for (int i = 0; i < count; ++i) {
            const size_t fd = size_t(events[i].data.fd);
            if (m_watched[fd])
                m_handlers[fd](events[i].events);
        }
        return true;
    }

    // Handles events until done() (true) or the deadline (false).
    bool runUntil(int64_t deadlineNs, const std::function<bool()> &done)
    {
        while (!done()) {
            if (!runOnce(deadlineNs))
                return done();
        }
        return true;
    }

private:
    bool control(int operation, int fd, uint32_t events)
    {
        epoll_event event{};
        event.events = events;
        event.data.fd = fd;
        return epoll_ctl(m_epoll.get(), operation, fd, &event) == 0;
    }

    Fd m_epoll;
    std::vector<Handler> m_handlers; // by file descriptor
    std::vector<bool> m_watched;
};

// A timerfd that fires at absolute CLOCK_MONOTONIC times.
class Timer
{
public:
    Timer()
        : m_fd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC))
    {
        if (m_fd.get() < 0)
            fail(systemError("timerfd_create"));
    }
    int fd() const { return m_fd.get(); }

    void armAt(int64_t ns)
    {
        itimerspec spec{};
        spec.it_value.tv_sec = time_t(ns / kNsPerSecond);
        spec.it_value.tv_nsec = long(ns % kNsPerSecond);
        if (timerfd_settime(m_fd.get(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0)
            fail(systemError("timerfd_settime"));
    }

    void acknowledge()
    {
        uint64_t expirations = 0;
        if (::read(m_fd.get(), &expirations, sizeof expirations) < 0 && errno != EAGAIN)
            fail(systemError("timerfd read"));
    }

private:
    Fd m_fd;
};

// ------------------------------------------------------------------------------ socket input

using Sink = std::function<void(const char *data, size_t size)>;

// Reads once (up to kIoChunk, into a buffer every read shares) and passes what came to sink.
void readOnce(int fd, const char *who, const Sink &sink)
{
    static std::vector<char> buffer(kIoChunk);
    const ssize_t size = ::read(fd, buffer.data(), buffer.size());
    if (size > 0)
        sink(buffer.data(), size_t(size));
    else if (size == 0)
        fail(std::string(who) + ": connection closed by the relay");
    else if (errno != EAGAIN && errno != EINTR)
        fail(systemError(who));
}

void watchReceiver(EventLoop &loop, int fd, Sink sink)
{
    loop.watch(
        fd, EPOLLIN, [fd, sink = std::move(sink)](uint32_t) { readOnce(fd, "receiver", sink); });
}

// Counts the '\n' in data, 16 bytes at a time where SSE2 is there (always on x86-64): one
// memchr() per 64-byte line made loadgen the bottleneck at tens of millions of lines a second.
uint64_t countLines(const char *data, size_t size)
{
    uint64_t lines = 0;
    size_t i = 0;
#ifdef __SSE2__
    const __m128i newline = _mm_set1_epi8('\n');
    while (size - i >= 16) {
        // Each byte of sums counts the newlines in its column, for at most 255 blocks.
        __m128i sums = _mm_setzero_si128();
        const size_t blocks = std::min<size_t>((size - i) / 16, 255);
        for (size_t block = 0; block < blocks; ++block, i += 16) {
            const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i *>(data + i));
            sums = _mm_sub_epi8(sums, _mm_cmpeq_epi8(bytes, newline)); // a match is -1
        }
        const __m128i halves = _mm_sad_epu8(sums, _mm_setzero_si128()); // two 64-bit sums
        lines += uint64_t(_mm_cvtsi128_si64(halves)) + uint64_t(_mm_extract_epi16(halves, 4));
    }
#endif
    for (; i < size; ++i)
        lines += data[i] == '\n';
    return lines;
}

// Cuts a byte stream into lines (passed without their '\n'), keeping a line that spans reads.
class LineSplitter
{
public:
    template<typename OnLine> void feed(const char *data, size_t size, OnLine &&onLine)
    {
        const char *end = data + size;
        while (data < end) {
            const auto *newline
                = static_cast<const char *>(std::memchr(data, '\n', size_t(end - data)));
            if (!newline) {
                m_partial.append(data, end);
                return;
            }
            if (m_partial.empty()) {
                onLine(data, size_t(newline - data));
            } else {
                m_partial.append(data, newline);
                onLine(m_partial.data(), m_partial.size());
                m_partial.clear();
            }
            data = newline + 1;
        }
    }

private:
    std::string m_partial;
};

// Reads a decimal number at p (moving p past it); false when there is no digit there.
bool parseDecimal(const char *&p, const char *end, uint64_t &value)
{
    const char *start = p;
    value = 0;
    while (p < end && *p >= '0' && *p <= '9' && p - start < 19)
        value = value * 10 + uint64_t(*p++ - '0');
    return p > start;
}

char *appendDecimal(char *p, uint64_t value)
{
    char digits[20];
    int count = 0;
    do {
        digits[count++] = char('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (count > 0)
        *p++ = digits[--count];
    return p;
}

// -------------------------------------------------------------------------- connecting

sockaddr_in relayAddress(const Options &o)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(o.port));
    if (inet_pton(AF_INET, o.host.c_str(), &address.sin_addr) != 1)
        throw UsageError("--host wants an IPv4 address such as 127.0.0.1, not \"" + o.host + "\"");
    return address;
}

std::string relayName(const Options &o)
{
    return o.host + ":" + std::to_string(o.port);
}

Fd startConnect(const Options &o, const sockaddr_in &address)
{
    Fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket.get() < 0)
        fail(systemError("socket (is ulimit -n high enough?)"));
    const int on = 1;
    if (o.nodelay && setsockopt(socket.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0)
        fail(systemError("TCP_NODELAY"));
    if (::connect(socket.get(), reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0
        && errno != EINPROGRESS)
        fail(systemError("cannot connect to " + relayName(o)));
    return socket;
}

void checkConnected(const Options &o, int fd)
{
    int error = 0;
    socklen_t size = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0)
        fail(systemError("getsockopt"));
    if (error != 0) {
        errno = error;
        fail(systemError("cannot connect to " + relayName(o)));
    }
}

// Connects count clients, at most maxInFlight at a time.
std::vector<Fd> connectClients(EventLoop &loop, const Options &o, int count, int maxInFlight)
{
    const int64_t deadline = deadlineFromNow(o);
    const sockaddr_in address = relayAddress(o);
    std::vector<Fd> clients;
    clients.reserve(size_t(count));
    int inFlight = 0;
    int connected = 0;
    while (connected < count) {
        while (int(clients.size()) < count && inFlight < maxInFlight) {
            clients.push_back(startConnect(o, address));
            const int fd = clients.back().get();
            ++inFlight;
            loop.watch(fd, EPOLLOUT, [&, fd](uint32_t) {
                checkConnected(o, fd);
                loop.unwatch(fd);
                --inFlight;
                ++connected;
            });
        }
        if (!loop.runOnce(deadline))
            fail("timed out connecting: " + std::to_string(connected) + " of "
                + std::to_string(count) + " clients connected to " + relayName(o));
    }
    return clients;
}

Fd connectOne(EventLoop &loop, const Options &o)
{
    return std::move(connectClients(loop, o, 1, 1).front());
}

void raiseFileLimit(rlim_t needed)
{
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur >= needed)
        return;
    limit.rlim_cur = needed;
    limit.rlim_max = std::max(limit.rlim_max, needed);
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
        fail(systemError("cannot raise the open files limit to " + std::to_string(needed)
            + " (raise ulimit -n)"));
}

// --------------------------------------------------------------------------------- sending

// One client that sends whole messages as fast as the relay takes them: it writes only when its
// socket is writable, one chunk (at most kIoChunk) at a time, so its unsent queue stays bounded.
// The producer fills the chunk with whole messages, or returns 0 when none is due yet; wake()
// asks it again. With splitLines, every write ends inside a line (the end of the last line waits
// for the next write), so the relay gets lines in pieces, as TCP may deliver them from any
// client. What reaches the sender (echo, other senders' messages) is read and ignored.
class Sender
{
public:
    using Producer = std::function<size_t(char *buffer, size_t capacity)>;

    Sender(EventLoop &loop, Fd fd, Producer produce, bool splitLines = false)
        : m_loop(loop)
        , m_fd(std::move(fd))
        , m_produce(std::move(produce))
        , m_buffer(kIoChunk)
        , m_splitLines(splitLines)
    {
        m_loop.watch(m_fd.get(), EPOLLIN, [this](uint32_t events) { onEvents(events); });
    }
    Sender(const Sender &) = delete;
    Sender &operator=(const Sender &) = delete;

    int fd() const { return m_fd.get(); }
    uint64_t linesSent() const { return m_bytesSent / kMessageBytes; }
    bool finished() const { return !m_sending && m_begin == m_end; }

    void start()
    {
        m_sending = true;
        writeSome();
    }

    // Finishes the message being written, then writes no more.
    void stop()
    {
        m_sending = false;
        const size_t restOfLine = (kMessageBytes - m_bytesSent % kMessageBytes) % kMessageBytes;
        m_end = std::min(m_end, m_begin + restOfLine);
    }

    void wake()
    {
        if (!m_wantWrite)
            writeSome();
    }

private:
    void onEvents(uint32_t events)
    {
        if (events & EPOLLOUT)
            writeSome();
        if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
            readOnce(fd(), "sender", [](const char *, size_t) {});
    }

    void writeSome()
    {
        const size_t heldBack = m_splitLines && m_sending ? kMessageBytes / 2 : 0;
        if (m_sending && m_end - m_begin <= heldBack)
            refill();
        if (m_end - m_begin <= heldBack) {
            setWantWrite(false); // until wake()
            return;
        }
        const size_t size = m_end - m_begin - heldBack;
        const ssize_t written = ::write(fd(), m_buffer.data() + m_begin, size);
        if (written < 0 && errno != EAGAIN && errno != EINTR)
            fail(systemError("sender"));
        if (written > 0) {
            m_begin += size_t(written);
            m_bytesSent += uint64_t(written);
        }
        setWantWrite(true);
    }

    // Keeps what is left (the end of a line), then asks the producer for more.
    void refill()
    {
        const size_t left = m_end - m_begin;
        std::memmove(m_buffer.data(), m_buffer.data() + m_begin, left);
        m_begin = 0;
        m_end = left + m_produce(m_buffer.data() + left, m_buffer.size() - left);
    }

    void setWantWrite(bool want)
    {
        if (want != m_wantWrite)
            m_loop.setEvents(fd(), EPOLLIN | (want ? EPOLLOUT : 0u));
        m_wantWrite = want;
    }

    EventLoop &m_loop;
    Fd m_fd;
    Producer m_produce;
    std::vector<char> m_buffer;
    bool m_splitLines;
    size_t m_begin = 0;
    size_t m_end = 0;
    uint64_t m_bytesSent = 0;
    bool m_sending = false;
    bool m_wantWrite = false;
};

void watchAndDiscard(EventLoop &loop, int fd)
{
    loop.watch(
        fd, EPOLLIN, [fd](uint32_t) { readOnce(fd, "sender", [](const char *, size_t) {}); });
}

// How many more lines a sender may produce so that at most `window` lines of it are on their
// way to its slowest receiver. Room is given in batches (a quarter window) to keep writes big.
uint64_t roomInWindow(uint64_t produced, uint64_t slowestReceived, uint64_t window)
{
    const uint64_t inFlight = produced - std::min(produced, slowestReceived);
    const uint64_t room = window - std::min(window, inFlight);
    return room >= std::max<uint64_t>(window / 4, 1) ? room : 0;
}

uint64_t windowLines(const Options &o, int senders)
{
    return std::max<uint64_t>(o.windowBytes / kMessageBytes / uint64_t(senders), 1);
}

// Fills buffer with `lines` messages of padding.
size_t fillPattern(char *buffer, uint64_t lines)
{
    const size_t bytes = size_t(lines) * kMessageBytes;
    std::memset(buffer, 'x', bytes);
    for (size_t end = kMessageBytes; end <= bytes; end += kMessageBytes)
        buffer[end - 1] = '\n';
    return bytes;
}

// Makes sure the relay has registered every client in `receivers`: `sender` sends a numbered
// probe line until every receiver got the latest one. A relay such as ncat may accept a client
// after a probe went by, so a new probe is sent when the latest has reached some receivers but
// no new one for kProbeQuietNs, or none at all for kProbeUnansweredNs (a busy relay).
// Returns the ns from the first probe until every receiver had got one.
int64_t probe(EventLoop &loop, const Options &o, int sender, const std::vector<int> &receivers)
{
    const size_t count = receivers.size();
    uint64_t latest = 0; // the number of the last probe sent
    size_t gotLatest = 0; // receivers that got it
    size_t gotAny = 0; // receivers that got a probe
    int64_t lastProgress = nowNs();
    int64_t allGotOne = 0;
    std::vector<LineSplitter> splitters(count);
    std::vector<bool> got(count, false);
    for (size_t i = 0; i < count; ++i) {
        watchReceiver(loop, receivers[i], [&, i](const char *data, size_t size) {
            splitters[i].feed(data, size, [&](const char *line, size_t length) {
                const size_t prefix = sizeof kProbePrefix - 1;
                const char *p = line + prefix;
                uint64_t number = 0;
                if (length <= prefix || std::memcmp(line, kProbePrefix, prefix) != 0
                    || !parseDecimal(p, line + length, number))
                    fail("a client got \"" + std::string(line, length)
                        + "\" instead of a probe line");
                if (!got[i]) {
                    got[i] = true;
                    if (++gotAny == count)
                        allGotOne = nowNs();
                }
                if (number == latest) {
                    ++gotLatest;
                    lastProgress = nowNs();
                }
            });
        });
    }
    const auto sendProbe = [&] {
        const std::string line = kProbePrefix + std::to_string(++latest) + "\n";
        if (::write(sender, line.data(), line.size()) != ssize_t(line.size()))
            fail(systemError("cannot send a probe line"));
        gotLatest = 0;
        lastProgress = nowNs();
    };

    const int64_t start = nowNs();
    const int64_t deadline = deadlineFromNow(o);
    sendProbe();
    while (gotLatest < count) { // so that no probe is still on its way when this returns
        if (nowNs() >= deadline)
            fail("timed out: " + std::to_string(gotAny) + " of " + std::to_string(count)
                + " clients got a probe line");
        const int64_t resendAt
            = lastProgress + (gotLatest > 0 ? kProbeQuietNs : kProbeUnansweredNs);
        if (nowNs() >= resendAt)
            sendProbe();
        else
            loop.runOnce(std::min(deadline, resendAt));
    }
    for (int fd : receivers)
        loop.unwatch(fd);
    return allGotOne - start;
}

// Connects count receivers in batches of kConnectBatch, probing (through prober) after each
// batch, so that the relay has registered every receiver when this returns.
std::vector<Fd> connectReceivers(EventLoop &loop, const Options &o, int count, int prober)
{
    std::vector<Fd> receivers;
    while (int(receivers.size()) < count) {
        const int batch = std::min(kConnectBatch, count - int(receivers.size()));
        for (Fd &fd : connectClients(loop, o, batch, batch))
            receivers.push_back(std::move(fd));
        probe(loop, o, prober, fdsOf(receivers));
    }
    return receivers;
}

// ---------------------------------------------------------------------------------- report

std::string number(long long value)
{
    return std::to_string(value);
}

std::string number(double value, int decimals)
{
    if (!std::isfinite(value))
        return "null";
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string boolean(bool value)
{
    return value ? "true" : "false";
}

// One workload's figures: printed as a line of text, or as one JSON object.
class Report
{
public:
    explicit Report(std::string workload)
        : m_workload(std::move(workload))
    { }

    void parameter(const std::string &key, const std::string &value)
    {
        m_parameters.push_back({key, value});
    }
    void figure(const std::string &key, const std::string &value)
    {
        m_figures.push_back({key, value});
    }
    // The workload ran but did not succeed: its figures are still printed, and why on stderr.
    void setFailure(std::string why) { m_failure = std::move(why); }
    const std::string &failure() const { return m_failure; }

    void print(bool json) const
    {
        std::string line
            = json ? "{\"workload\":\"" + m_workload + "\",\"parameters\":{" : m_workload + " (";
        appendFields(line, m_parameters, json);
        line += json ? "}," : "):";
        appendFields(line, m_figures, json);
        line += json ? "}\n" : "\n";
        std::fputs(line.c_str(), stdout);
        std::fflush(stdout);
    }

private:
    using Field = std::pair<std::string, std::string>;

    static void appendFields(std::string &line, const std::vector<Field> &fields, bool json)
    {
        for (size_t i = 0; i < fields.size(); ++i) {
            if (json)
                line += (i ? ",\"" : "\"") + fields[i].first + "\":" + fields[i].second;
            else
                line += (i || line.back() == ':' ? " " : "") + fields[i].first + "="
                    + fields[i].second;
        }
    }

    std::string m_workload;
    std::vector<Field> m_parameters;
    std::vector<Field> m_figures;
    std::string m_failure;
};

void addRate(Report &report, uint64_t messages, int64_t elapsedNs)
{
    const double perSecond = double(messages) / nsToSeconds(elapsedNs);
    report.figure("msgs_per_s", number(perSecond, 0));
    report.figure("mb_per_s", number(perSecond * kMessageBytes / 1e6, 1));
}

long long procStatusKb(int pid, const char *field)
{
    const std::string path = "/proc/" + std::to_string(pid) + "/status";
    FILE *file = std::fopen(path.c_str(), "r");
    if (!file)
        fail(systemError("cannot read " + path));
    char line[256];
    long long kb = -1;
    const size_t fieldLength = std::strlen(field);
    while (kb < 0 && std::fgets(line, sizeof line, file)) {
        if (std::strncmp(line, field, fieldLength) == 0 && line[fieldLength] == ':')
            kb = std::atoll(line + fieldLength + 1);
    }
    std::fclose(file);
    if (kb < 0)
        fail(path + " has no " + field);
    return kb;
}

// ---------------------------------------------------------------------------------- fanout

Report runFanout(const Options &o)
{
    EventLoop loop;
    std::vector<uint64_t> received(size_t(o.receivers), 0);
    const auto slowest = [&] { return *std::min_element(received.begin(), received.end()); };
    uint64_t produced = 0;
    const uint64_t window = windowLines(o, 1);
    Sender sender(loop, connectOne(loop, o), [&](char *buffer, size_t capacity) {
        const uint64_t lines = std::min<uint64_t>(
            capacity / kMessageBytes, roomInWindow(produced, slowest(), window));
        produced += lines;
        return fillPattern(buffer, lines);
    });
    const std::vector<Fd> receivers = connectReceivers(loop, o, o.receivers, sender.fd());
    for (size_t i = 0; i < receivers.size(); ++i) {
        watchReceiver(loop, receivers[i].get(), [&, i](const char *data, size_t size) {
            received[i] += countLines(data, size);
            sender.wake();
        });
    }

    const int64_t start = nowNs();
    sender.start();
    loop.runUntil(start + secondsToNs(o.seconds), [] { return false; });
    const int64_t elapsed = nowNs() - start;
    const uint64_t delivered = std::accumulate(received.begin(), received.end(), uint64_t(0));
    sender.stop();
    loop.runUntil(
        nowNs() + kDrainNs, [&] { return sender.finished() && slowest() >= sender.linesSent(); });

    Report report("fanout");
    report.parameter("receivers", number(o.receivers));
    report.parameter("seconds", number(o.seconds, 1));
    addRate(report, delivered, elapsed);
    report.figure("sent", number(sender.linesSent()));
    const uint64_t all = std::accumulate(received.begin(), received.end(), uint64_t(0));
    report.figure("undelivered", number(sender.linesSent() * received.size() - all));
    return report;
}

// --------------------------------------------------------------------------------- senders

char paddingFor(uint64_t sender)
{
    return char('a' + sender % 26);
}

// A line's worth of sender's padding, to compare against with memcmp.
const char *paddingLine(uint64_t sender)
{
    static const auto lines = [] {
        std::array<std::array<char, kMessageBytes>, 26> all{};
        for (size_t i = 0; i < all.size(); ++i)
            all[i].fill(paddingFor(i));
        return all;
    }();
    return lines[sender % 26].data();
}

// Writes one message of the senders workload: "S<id>:<seq>:<padding>\n", kMessageBytes long.
void formatSequenceLine(char *line, int sender, uint64_t seq)
{
    std::memset(line, paddingFor(uint64_t(sender)), kMessageBytes - 1);
    char *p = line;
    *p++ = 'S';
    p = appendDecimal(p, uint64_t(sender));
    *p++ = ':';
    p = appendDecimal(p, seq);
    *p = ':';
    line[kMessageBytes - 1] = '\n';
}

struct SequenceLine
{
    uint64_t sender = 0;
    uint64_t seq = 0;
};

// Parses one message of the senders workload (without its '\n'); false when it is corrupt.
bool parseSequenceLine(const char *line, size_t size, int senders, SequenceLine &parsed)
{
    if (size != kMessageBytes - 1 || line[0] != 'S')
        return false;
    const char *p = line + 1;
    const char *end = line + size;
    if (!parseDecimal(p, end, parsed.sender) || parsed.sender >= uint64_t(senders) || p == end
        || *p++ != ':')
        return false;
    if (!parseDecimal(p, end, parsed.seq) || p == end || *p++ != ':')
        return false;
    return std::memcmp(p, paddingLine(parsed.sender), size_t(end - p)) == 0;
}

struct IntegrityCounts
{
    uint64_t valid = 0;
    uint64_t corrupt = 0;
    uint64_t missing = 0;
    uint64_t reordered = 0;
    uint64_t duplicated = 0;

    uint64_t errors() const { return corrupt + missing + reordered + duplicated; }
    void add(const IntegrityCounts &other)
    {
        valid += other.valid;
        corrupt += other.corrupt;
        missing += other.missing;
        reordered += other.reordered;
        duplicated += other.duplicated;
    }
};

// Checks, at one receiver, the messages of the senders workload: every line whole, and each
// sender's sequence numbers once each, in order, none left out.
class IntegrityChecker
{
public:
    explicit IntegrityChecker(int senders)
        : m_senders(senders)
        , m_streams(size_t(senders))
    { }

    void feed(const char *data, size_t size)
    {
        m_splitter.feed(data, size, [this](const char *line, size_t length) {
            SequenceLine parsed;
            if (parseSequenceLine(line, length, m_senders, parsed))
                accept(parsed);
            else
                ++m_counts.corrupt;
        });
    }

    // The next sequence number expected from sender (all below it arrived or are gaps).
    uint64_t expected(int sender) const { return m_streams[size_t(sender)].expected; }

    // The counts once every sender has stopped, sent[i] lines having been sent by sender i.
    IntegrityCounts finish(const std::vector<uint64_t> &sent) const
    {
        IntegrityCounts counts = m_counts;
        for (size_t i = 0; i < m_streams.size(); ++i) {
            for (const auto &gap : m_streams[i].gaps)
                counts.missing += gap.second - gap.first;
            counts.missing += sent[i] - std::min(sent[i], m_streams[i].expected);
        }
        return counts;
    }

    uint64_t valid() const { return m_counts.valid; }

private:
    struct Stream
    {
        uint64_t expected = 0;
        std::map<uint64_t, uint64_t> gaps; // [first, end) of numbers skipped so far
    };

    void accept(const SequenceLine &line)
    {
        ++m_counts.valid;
        Stream &stream = m_streams[line.sender];
        if (line.seq >= stream.expected) {
            if (line.seq > stream.expected)
                stream.gaps[stream.expected] = line.seq;
            stream.expected = line.seq + 1;
            return;
        }
        auto gap = stream.gaps.upper_bound(line.seq);
        if (gap == stream.gaps.begin() || std::prev(gap)->second <= line.seq) {
            ++m_counts.duplicated;
            return;
        }
        --gap;
        ++m_counts.reordered;
        const uint64_t first = gap->first;
        const uint64_t end = gap->second;
        stream.gaps.erase(gap);
        if (first < line.seq)
            stream.gaps[first] = line.seq;
        if (line.seq + 1 < end)
            stream.gaps[line.seq + 1] = end;
    }

    int m_senders;
    std::vector<Stream> m_streams;
    LineSplitter m_splitter;
    IntegrityCounts m_counts;
};

// What sender s of the senders workload writes: its numbered lines, as many as its window allows.
Sender::Producer sequenceProducer(
    int s, const std::vector<IntegrityChecker> &checkers, uint64_t window)
{
    return [s, &checkers, window, seq = uint64_t(0)](char *buffer, size_t capacity) mutable {
        uint64_t slowest = UINT64_MAX;
        for (const IntegrityChecker &checker : checkers)
            slowest = std::min(slowest, checker.expected(s));
        const uint64_t lines
            = std::min<uint64_t>(capacity / kMessageBytes, roomInWindow(seq, slowest, window));
        for (uint64_t i = 0; i < lines; ++i)
            formatSequenceLine(buffer + i * kMessageBytes, s, seq++);
        return size_t(lines) * kMessageBytes;
    };
}

Report runSenders(const Options &o)
{
    EventLoop loop;
    std::vector<IntegrityChecker> checkers(size_t(o.receivers), IntegrityChecker(o.senders));
    const uint64_t window = windowLines(o, o.senders);
    std::vector<std::unique_ptr<Sender>> senders;
    const auto addSender = [&](int s) {
        const bool splitLines = true;
        senders.push_back(std::make_unique<Sender>(
            loop, connectOne(loop, o), sequenceProducer(s, checkers, window), splitLines));
    };
    // Sender 0 also sends the probes, so it comes first; the others connect once the relay has
    // registered the receivers, so that few connections ever wait for the relay at once.
    addSender(0);
    const std::vector<Fd> receivers = connectReceivers(loop, o, o.receivers, senders.front()->fd());
    for (int s = 1; s < o.senders; ++s)
        addSender(s);
    const auto forEachSender = [&](const std::function<void(Sender &)> &action) {
        for (auto &sender : senders)
            action(*sender);
    };
    for (size_t r = 0; r < receivers.size(); ++r) {
        watchReceiver(loop, receivers[r].get(), [&, r](const char *data, size_t size) {
            checkers[r].feed(data, size);
            forEachSender([](Sender &sender) { sender.wake(); });
        });
    }
    const auto validLines = [&] {
        uint64_t valid = 0;
        for (const IntegrityChecker &checker : checkers)
            valid += checker.valid();
        return valid;
    };
    const auto allArrived = [&] {
        for (int s = 0; s < o.senders; ++s) {
            if (!senders[size_t(s)]->finished())
                return false;
            for (const IntegrityChecker &checker : checkers) {
                if (checker.expected(s) < senders[size_t(s)]->linesSent())
                    return false;
            }
        }
        return true;
    };

    const int64_t start = nowNs();
    forEachSender([](Sender &sender) { sender.start(); });
    loop.runUntil(start + secondsToNs(o.seconds), [] { return false; });
    const int64_t elapsed = nowNs() - start;
    const uint64_t delivered = validLines();
    forEachSender([](Sender &sender) { sender.stop(); });
    loop.runUntil(nowNs() + kDrainNs, allArrived);

    std::vector<uint64_t> sent;
    forEachSender([&](Sender &sender) { sent.push_back(sender.linesSent()); });
    IntegrityCounts counts;
    for (const IntegrityChecker &checker : checkers)
        counts.add(checker.finish(sent));

    Report report("senders");
    report.parameter("senders", number(o.senders));
    report.parameter("receivers", number(o.receivers));
    report.parameter("seconds", number(o.seconds, 1));
    addRate(report, delivered, elapsed);
    report.figure("sent", number(std::accumulate(sent.begin(), sent.end(), uint64_t(0))));
    report.figure("corrupt", number(counts.corrupt));
    report.figure("missing", number(counts.missing));
    report.figure("reordered", number(counts.reordered));
    report.figure("duplicated", number(counts.duplicated));
    if (o.requireIntegrity && counts.errors() != 0)
        report.setFailure(number(counts.errors()) + " lines were not delivered intact");
    return report;
}

// --------------------------------------------------------------------------------- latency

// Writes one message of the latency workload: "L<due ns>:<padding>\n", kMessageBytes long.
void formatLatencyLine(char *line, int64_t dueNs)
{
    std::memset(line, 'l', kMessageBytes - 1);
    line[0] = 'L';
    *appendDecimal(line + 1, uint64_t(dueNs)) = ':';
    line[kMessageBytes - 1] = '\n';
}

// Records, at one receiver, now - due of every latency message.
class LatencyRecorder
{
public:
    explicit LatencyRecorder(std::vector<int64_t> &samples)
        : m_samples(&samples)
    { }

    void feed(const char *data, size_t size, int64_t now)
    {
        m_splitter.feed(data, size, [&](const char *line, size_t length) {
            const char *p = line + 1;
            uint64_t due = 0;
            if (length > 1 && line[0] == 'L' && parseDecimal(p, line + length, due))
                m_samples->push_back(now - int64_t(due));
        });
    }

private:
    std::vector<int64_t> *m_samples;
    LineSplitter m_splitter;
};

double percentileMs(std::vector<int64_t> &sorted, double fraction)
{
    if (sorted.empty())
        return std::nan("");
    const size_t index = std::min(sorted.size() - 1, size_t(fraction * double(sorted.size())));
    return double(sorted[index]) / 1e6;
}

Report runLatency(const Options &o)
{
    EventLoop loop;
    const uint64_t total = uint64_t(o.rate * o.seconds);
    int64_t start = 0;
    uint64_t next = 0;
    const auto due = [&](uint64_t i) { return start + int64_t(double(i) * 1e9 / o.rate); };
    Sender sender(loop, connectOne(loop, o), [&](char *buffer, size_t capacity) {
        const int64_t now = nowNs();
        size_t bytes = 0;
        for (; next < total && due(next) <= now && bytes + kMessageBytes <= capacity; ++next) {
            formatLatencyLine(buffer + bytes, due(next));
            bytes += kMessageBytes;
        }
        return bytes;
    });
    const std::vector<Fd> receivers = connectReceivers(loop, o, o.receivers, sender.fd());

    std::vector<int64_t> samples;
    samples.reserve(total * receivers.size());
    std::vector<LatencyRecorder> recorders(receivers.size(), LatencyRecorder(samples));
    for (size_t i = 0; i < receivers.size(); ++i) {
        watchReceiver(loop, receivers[i].get(),
            [&, i](const char *data, size_t size) { recorders[i].feed(data, size, nowNs()); });
    }
    Timer timer;
    loop.watch(timer.fd(), EPOLLIN, [&](uint32_t) {
        timer.acknowledge();
        sender.wake();
        if (next < total)
            timer.armAt(due(next));
    });

    start = nowNs();
    sender.start();
    if (next < total)
        timer.armAt(due(next));
    const size_t expected = total * receivers.size();
    const bool complete
        = loop.runUntil(due(total) + kDrainNs, [&] { return samples.size() >= expected; });

    std::sort(samples.begin(), samples.end());
    Report report("latency");
    report.parameter("receivers", number(o.receivers));
    report.parameter("rate", number(o.rate, 0));
    report.parameter("seconds", number(o.seconds, 1));
    report.figure("p50_ms", number(percentileMs(samples, 0.50), 3));
    report.figure("p99_ms", number(percentileMs(samples, 0.99), 3));
    report.figure(
        "max_ms", number(samples.empty() ? std::nan("") : double(samples.back()) / 1e6, 3));
    report.figure("samples", number(samples.size()));
    report.figure("missing", number(expected - std::min(expected, samples.size())));
    if (!complete)
        report.setFailure(number(expected - std::min(expected, samples.size())) + " of "
            + number(expected) + " messages did not arrive in time");
    return report;
}

// ----------------------------------------------------------------------------- connections

Report runConnections(const Options &o)
{
    raiseFileLimit(rlim_t(o.clients) + 64);
    const long long rssBeforeKb = o.serverPid ? procStatusKb(o.serverPid, "VmRSS") : 0;
    EventLoop loop;
    // Connected means the relay took every client in, not only that connect() returned: a
    // relay may still be accepting the last ones, so a first probe line must reach them all.
    const int64_t connectStart = nowNs();
    const std::vector<Fd> clients = connectClients(loop, o, o.clients, o.inFlight);
    const Fd prober = connectOne(loop, o);
    watchAndDiscard(loop, prober.get());
    probe(loop, o, prober.get(), fdsOf(clients));
    const int64_t connectNs = nowNs() - connectStart;
    const int64_t broadcastNs = probe(loop, o, prober.get(), fdsOf(clients));

    Report report("connections");
    report.parameter("clients", number(o.clients));
    report.figure("connect_s", number(nsToSeconds(connectNs), 3));
    report.figure("broadcast_ms", number(double(broadcastNs) / 1e6, 3));
    if (o.serverPid) {
        const long long rssAfterKb = procStatusKb(o.serverPid, "VmRSS");
        report.figure("rss_mb", number(double(rssAfterKb) / 1024, 1));
        report.figure("rss_kb_per_client", number(double(rssAfterKb - rssBeforeKb) / o.clients, 2));
    }
    return report;
}

// ------------------------------------------------------------------------------------ slow

Report runSlow(const Options &o)
{
    EventLoop loop;
    const uint64_t total = uint64_t(o.megabytes * 1e6) / kMessageBytes;
    uint64_t produced = 0;
    uint64_t received = 0;
    const uint64_t window = windowLines(o, 1);
    Sender sender(loop, connectOne(loop, o), [&](char *buffer, size_t capacity) {
        const uint64_t lines = std::min({uint64_t(capacity / kMessageBytes), total - produced,
            roomInWindow(produced, received, window)});
        produced += lines;
        return fillPattern(buffer, lines);
    });
    // clients[0] is the one that never reads: once registered, it is never watched again.
    const std::vector<Fd> clients = connectReceivers(loop, o, 2, sender.fd());
    const int receiver = clients[1].get();
    watchReceiver(loop, receiver, [&](const char *data, size_t size) {
        received += countLines(data, size);
        sender.wake();
    });

    const int64_t start = nowNs();
    sender.start();
    const bool complete = loop.runUntil(deadlineFromNow(o), [&] { return received >= total; });
    const int64_t elapsed = nowNs() - start;

    Report report("slow");
    report.parameter("megabytes", number(o.megabytes, 0));
    report.figure("complete", boolean(complete));
    report.figure("seconds", number(nsToSeconds(elapsed), 3));
    report.figure("received_mb", number(double(received * kMessageBytes) / 1e6, 1));
    report.figure(
        "mb_per_s", number(double(received * kMessageBytes) / 1e6 / nsToSeconds(elapsed), 1));
    if (o.serverPid)
        report.figure("peak_rss_mb", number(double(procStatusKb(o.serverPid, "VmHWM")) / 1024, 1));
    if (!complete)
        report.setFailure("the receiver got " + number(double(received * kMessageBytes) / 1e6, 1)
            + " of " + number(o.megabytes, 0) + " MB before the timeout");
    return report;
}

Report runWorkload(const Options &o)
{
    if (o.workload == "fanout")
        return runFanout(o);
    if (o.workload == "senders")
        return runSenders(o);
    if (o.workload == "latency")
        return runLatency(o);
    if (o.workload == "connections")
        return runConnections(o);
    return runSlow(o);
}

} // namespace

int main(int argc, char **argv)
{
    std::signal(SIGPIPE, SIG_IGN);
    Options options;
    try {
        options = parseOptions(argc, argv);
        const Report report = runWorkload(options);
        report.print(options.json);
        if (report.failure().empty())
            return 0;
        std::fprintf(
            stderr, "loadgen %s: %s\n", options.workload.c_str(), report.failure().c_str());
        return 1;
    } catch (const UsageError &error) {
        std::fprintf(stderr, "loadgen: %s (see loadgen --help)\n", error.what());
        return 2;
    } catch (const std::exception &error) {
        std::fprintf(stderr, "loadgen %s: %s\n", options.workload.c_str(), error.what());
        return 1;
    }
}
