// loadgen: the load generator of the SocketServer benchmark (tests/bench/run.sh, smoke.sh).
//
// It connects clients to a relay on this machine (socketserver, or ncat --broker or a Node.js
// `ws` relay for comparison), over TCP or WebSocket (--transport), runs one workload (fanout,
// senders, latency, connections, slow: see --help) and prints its figures as one line of text,
// or as one JSON object with --json. The fanout and latency workloads also run between the
// relay's UDP port and TCP clients (--transport udp-tcp or tcp-udp, --osc): UDP clients send and
// get one message per datagram, and may lose some, so their lines carry numbers (see
// formatStampedLine()) and loss is counted, not taken for a failure. Only what receivers get is
// measured: socketserver also echoes every message to its sender and the others do not, so whatever
// reaches a sender is read and ignored.
//
// A message is a 64-byte line, '\n' included. A WebSocket client sends and gets it as one
// message without the '\n' (63 bytes); what a WebSocket receiver gets is turned back into lines
// (payload + '\n') before the code that counts and checks lines sees it, so every workload
// checks both transports the same way.
//
// Written so that loadgen is not the bottleneck: one thread, non-blocking sockets and epoll,
// every read of up to 256 KiB into one reused buffer, newlines counted 16 bytes at a time, up to
// 256 KiB of messages (or WebSocket frames) per write(), no allocation per message. Senders keep
// at most --window bytes on their way to the slowest receiver, so the relay never has to queue
// much for a receiver only because loadgen, busy with the others, has not read it yet. Linux
// only. --scrape PORT adds a thread of its own that reads the relay's /metrics page ten times a
// second, as a (very eager) Prometheus server would, to show what monitoring costs.

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "benchsupport.h"

using namespace Bench;

namespace {

constexpr size_t kMessageBytes = 64; // every message, its '\n' included
constexpr size_t kIoChunk = 256 * 1024; // the most one read() or write() moves
constexpr int kUdpBufferBytes = 4 * 1024 * 1024; // asked for each UDP socket (Linux: rmem_max)
constexpr size_t kMaxDatagramBytes = 2048; // loadgen's messages are far smaller
constexpr unsigned kDatagramBatch = 64; // datagrams per recvmmsg() or sendmmsg()
// A UDP run that hears nothing this long while its sender waits takes what is on its way as lost.
constexpr int64_t kLossQuietNs = 50'000'000;
// A message as a WebSocket client's frame: a 2-byte header, a 4-byte masking key, and the line
// without its '\n' as the payload (what the relay sends back has no key: 65 bytes).
constexpr size_t kWebSocketMessageBytes = 2 + 4 + kMessageBytes - 1;
// A workload's receivers connect this many at a time, each batch registered by the relay before
// the next: fewer than ncat's listen backlog (10), past which connects are dropped (retried a
// second later) or, in a burst, left connected on the client's side only, never accepted.
// (The connections workload connects in bursts of --in-flight instead: that is what it measures.)
constexpr int kConnectBatch = 8;
constexpr int64_t kDrainNs = 2 * kNsPerSecond; // receivers may catch up this long after sending
// A probe that stopped reaching new clients this long is sent again (see probe()).
constexpr int64_t kProbeQuietNs = 100'000'000;
constexpr int64_t kProbeUnansweredNs = 1'000'000'000;

// ------------------------------------------------------------------------------------ basics

// The relay closed a connection (or reset it, or closed the WebSocket): the fanout workload
// counts such receivers as disconnected; everywhere else it fails the run like any error.
struct ConnectionLost : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

int64_t secondsToNs(double seconds)
{
    return int64_t(seconds * double(kNsPerSecond));
}

// ----------------------------------------------------------------------------------- options

// How clients reach the relay: tcp, ws (WebSocket), tcp-ws (senders on TCP, everyone else
// on WebSocket), udp-tcp (senders on UDP, receivers on TCP) or tcp-udp (senders on TCP,
// receivers UDP peers).
enum class Transport
{
    Tcp,
    WebSocket,
    TcpToWebSocket,
    UdpToTcp,
    TcpToUdp
};
// A client's part in a workload (idle clients count as receivers).
enum class Role
{
    Sender,
    Receiver
};

struct Options
{
    std::string host = "127.0.0.1";
    int port = 0;
    int wsPort = 0;
    int udpPort = 0;
    Transport transport = Transport::Tcp;
    uint64_t messages = 0; // fanout: 0 runs for --seconds
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
    int scrapePort = 0; // 0: no scraper
    bool nodelay = false;
    bool osc = false; // UDP clients speak OSC, and every line is an OSC message's text
    bool json = false;
    bool requireIntegrity = false;
};

const char kHelp[]
    = R"(Usage: loadgen --host 127.0.0.1 --port PORT --workload NAME [options] [--json]
       loadgen --host 127.0.0.1 --ws-port PORT --transport ws --workload NAME [options]
       loadgen --host 127.0.0.1 --port PORT --udp-port PORT --transport udp-tcp|tcp-udp
               --workload fanout|latency [--osc] [options]

The load generator of the SocketServer benchmark: it connects clients to a message relay on
this machine and measures one workload. Messages are 64-byte lines, '\n' included; over
WebSocket each is one text message of 63 bytes, without the '\n'. Only what receivers get is
counted; what reaches a sender (socketserver's echo) is read and ignored. MB/s counts 64 bytes
per message whatever the transport.

Over UDP each message is one datagram without the '\n' (with --osc, one OSC message: the
line's first word is its address, each further word an int32, int64 or string argument). A
receiving UDP peer is heard first: it sends "hello" ("/hello" with --osc), which the others
ignore. UDP may lose messages: fanout and latency count them (lost_pct) instead of failing, and
number every message ("L<n>:<padding>", with --osc "/L <n> <padding>"), so that the fanout
sender's window moves on past lost ones. Over TCP, lost_pct is what had not arrived when the
run stopped waiting.

Workloads (defaults in brackets):
  fanout       1 sender -> N receivers, as fast as the relay goes, for S seconds: delivered
               messages/s (summed over receivers) and MB/s; with --messages M, the sender
               sends exactly M messages and the run ends once every receiver got all M: fails
               unless all arrived  [--receivers 10 --seconds 5]
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
  --port PORT          the relay's TCP port (required, unless --transport ws)
  --ws-port PORT       the relay's WebSocket port (required with --transport ws or tcp-ws)
  --udp-port PORT      the relay's UDP port (required with --transport udp-tcp or tcp-udp)
  --transport NAME     tcp: every client on TCP (default); ws: every client a WebSocket
                       client; tcp-ws: senders on TCP, receivers and idle clients on WebSocket;
                       udp-tcp: the sender on UDP, receivers on TCP; tcp-udp: the sender on
                       TCP, receivers UDP peers (fanout and latency only)
  --osc                UDP clients send and get OSC messages (the relay runs with --osc)
  --workload NAME      one of the workloads above (required)
  --receivers N  --senders N  --seconds S  --rate R  --clients N  --megabytes MB
                       the workload's size, as above
  --messages N         fanout: send exactly N messages instead of sending for --seconds
  --in-flight N        connections: most connects (and WebSocket handshakes) in flight at
                       once (default 500)
  --scrape PORT        meanwhile GET /metrics from the relay's web port 10 times a second, on a
                       thread of its own (figures: scrapes, scrape_failures)
  --server-pid PID     the relay's process, whose memory is read from /proc/PID/status
                       (fanout, latency and slow: peak RSS; connections: memory per client)
                       and, for fanout and latency, its CPU time from /proc/PID/stat
                       (relay_cpu_us: microseconds per message sent)
  --window KIB         most KiB of messages on their way to a receiver before senders wait
                       for it (default 1024)
  --timeout S          longest any wait may last: connecting, the relay registering
                       clients, the slow transfer; fanout --messages: receivers getting nothing,
                       and the wait for the last messages once all are sent (default 30)
  --nodelay            set TCP_NODELAY on every socket (default: off)
  --require-integrity  senders: fail when any line was corrupt, missing, reordered or
                       duplicated
  --json               print one JSON object instead of a line of text
  --help               show this help

Exit status: 0 when the workload ran; 1 when it could not (connection refused, a refused
WebSocket handshake, a timeout, the relay closing a connection, messages that never arrived)
or, with --require-integrity, when lines were damaged; 2 for a mistake on the command line.
)";

int parseInteger(const std::string &option, const std::string &text, int min, int max)
{
    const double value = parseNumber(option, text, min, max);
    if (value != double(int(value)))
        throw UsageError(option + " wants a whole number, not \"" + text + "\"");
    return int(value);
}

Transport parseTransport(const std::string &text)
{
    if (text == "tcp")
        return Transport::Tcp;
    if (text == "ws")
        return Transport::WebSocket;
    if (text == "tcp-ws")
        return Transport::TcpToWebSocket;
    if (text == "udp-tcp")
        return Transport::UdpToTcp;
    if (text == "tcp-udp")
        return Transport::TcpToUdp;
    throw UsageError("--transport wants tcp, ws, tcp-ws, udp-tcp or tcp-udp, not \"" + text + "\"");
}

std::string transportName(Transport transport)
{
    switch (transport) {
    case Transport::Tcp:
        return "tcp";
    case Transport::WebSocket:
        return "ws";
    case Transport::TcpToWebSocket:
        return "tcp-ws";
    case Transport::UdpToTcp:
        return "udp-tcp";
    case Transport::TcpToUdp:
        break;
    }
    return "tcp-udp";
}

// Whether clients of role connect over WebSocket.
bool usesWebSocket(const Options &o, Role role)
{
    return o.transport == Transport::WebSocket
        || (o.transport == Transport::TcpToWebSocket && role == Role::Receiver);
}

// Whether clients of role exchange datagrams with the relay's UDP port.
bool usesUdp(const Options &o, Role role)
{
    return (o.transport == Transport::UdpToTcp && role == Role::Sender)
        || (o.transport == Transport::TcpToUdp && role == Role::Receiver);
}

// Whether messages may be lost on the way (some clients use UDP).
bool isLossy(const Options &o)
{
    return o.transport == Transport::UdpToTcp || o.transport == Transport::TcpToUdp;
}

int defaultReceivers(const std::string &workload)
{
    return workload == "latency" ? 100 : 10;
}

Options parseOptions(int argc, char **argv)
{
    Options o;
    forEachOption(argc, argv, kHelp,
        {{"--json", &o.json}, {"--nodelay", &o.nodelay}, {"--osc", &o.osc},
            {"--require-integrity", &o.requireIntegrity}},
        [&o](const std::string &name, const std::string &value) {
            if (name == "--host")
                o.host = value;
            else if (name == "--port")
                o.port = parseInteger(name, value, 1, 65535);
            else if (name == "--ws-port")
                o.wsPort = parseInteger(name, value, 1, 65535);
            else if (name == "--udp-port")
                o.udpPort = parseInteger(name, value, 1, 65535);
            else if (name == "--transport")
                o.transport = parseTransport(value);
            else if (name == "--messages")
                o.messages = parseWhole(name, value, 1, 1e12);
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
            else if (name == "--scrape")
                o.scrapePort = parseInteger(name, value, 1, 65535);
            else if (name == "--server-pid")
                o.serverPid = parseInteger(name, value, 1, 1 << 30);
            else
                throw UsageError("unknown option " + name);
        });
    static const char *const workloads[] = {"fanout", "senders", "latency", "connections", "slow"};
    if (std::find(std::begin(workloads), std::end(workloads), o.workload) == std::end(workloads))
        throw UsageError(o.workload.empty() ? "--workload is required"
                                            : "unknown workload \"" + o.workload + "\"");
    if (o.port == 0 && o.transport != Transport::WebSocket)
        throw UsageError("--port is required");
    const bool webSocket
        = o.transport == Transport::WebSocket || o.transport == Transport::TcpToWebSocket;
    if (o.wsPort == 0 && webSocket)
        throw UsageError("--ws-port is required with --transport " + transportName(o.transport));
    if (isLossy(o)) {
        if (o.udpPort == 0)
            throw UsageError(
                "--udp-port is required with --transport " + transportName(o.transport));
        if (o.workload != "fanout" && o.workload != "latency")
            throw UsageError("--transport " + transportName(o.transport)
                + " is for the fanout and latency workloads");
        if (o.messages != 0)
            throw UsageError("--messages waits for every message, which UDP does not promise");
    } else if (o.osc) {
        throw UsageError("--osc is for --transport udp-tcp or tcp-udp");
    }
    if (o.messages != 0 && o.workload != "fanout")
        throw UsageError("--messages is for the fanout workload");
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
        : m_epoll(createEpoll())
    { }

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

// ------------------------------------------------------------------------------ socket input

// Takes lines: whole or in pieces, as they came (a line may span calls).
using Sink = std::function<void(const char *data, size_t size)>;

// Reads once, up to capacity bytes; 0 when there was nothing to read.
size_t readSome(int fd, const char *who, char *buffer, size_t capacity)
{
    const ssize_t size = ::read(fd, buffer, capacity);
    if (size > 0)
        return size_t(size);
    if (size == 0)
        throw ConnectionLost(std::string(who) + ": connection closed by the relay");
    if (errno == ECONNRESET)
        throw ConnectionLost(std::string(who) + ": connection reset by the relay");
    if (errno != EAGAIN && errno != EINTR)
        fail(systemError(who));
    return 0;
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

// --------------------------------------------------------------------------------- WebSocket
// The client side of RFC 6455, as little as the workloads need: the upgrade handshake, masked
// frames out, and the server's frames in, turned into lines. No extension is asked for.

enum Opcode : uint8_t
{
    kContinuation = 0x0,
    kText = 0x1,
    kBinary = 0x2,
    kClose = 0x8,
    kPing = 0x9,
    kPong = 0xA,
};

// Random bytes from the kernel, for the handshake's keys (16 bytes per connection).
void randomBytes(void *out, size_t size)
{
    auto *p = static_cast<char *>(out);
    while (size > 0) {
        const ssize_t got = getrandom(p, size, 0);
        if (got < 0 && errno != EINTR)
            fail(systemError("getrandom"));
        if (got > 0) {
            p += got;
            size -= size_t(got);
        }
    }
}

// A masking key for every frame, from a xorshift generator that the kernel seeds: a getrandom()
// per frame would cost more than the frame itself. (RFC 6455 wants keys that a proxy on the way
// cannot predict; on loopback there is none, and the relay only unmasks them.)
uint32_t nextMaskKey()
{
    static uint64_t state = [] {
        uint64_t seed = 0;
        while (seed == 0)
            randomBytes(&seed, sizeof seed);
        return seed;
    }();
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return uint32_t(state >> 32);
}

uint32_t rotateLeft(uint32_t value, int bits)
{
    return (value << bits) | (value >> (32 - bits));
}

// SHA-1 (FIPS 180-4), for the handshake's Sec-WebSocket-Accept only: a few bytes per
// connection, so written for clarity, not speed.
std::array<uint8_t, 20> sha1(const std::string &text)
{
    std::string data = text;
    data += char(0x80);
    while (data.size() % 64 != 56)
        data += char(0);
    const uint64_t bits = uint64_t(text.size()) * 8;
    for (int shift = 56; shift >= 0; shift -= 8)
        data += char(bits >> shift);
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    for (size_t block = 0; block < data.size(); block += 64) {
        uint32_t w[80];
        for (size_t i = 0; i < 16; ++i) {
            const auto *bytes = reinterpret_cast<const uint8_t *>(data.data() + block + 4 * i);
            w[i] = uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8
                | bytes[3];
        }
        for (size_t i = 16; i < 80; ++i)
            w[i] = rotateLeft(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (size_t i = 0; i < 80; ++i) {
            uint32_t f = 0;
            uint32_t k = 0;
            if (i < 20) {
                f = (b & c) | (~b & d);
                k = 0x5A827999;
            } else if (i < 40) {
                f = b ^ c ^ d;
                k = 0x6ED9EBA1;
            } else if (i < 60) {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8F1BBCDC;
            } else {
                f = b ^ c ^ d;
                k = 0xCA62C1D6;
            }
            const uint32_t next = rotateLeft(a, 5) + f + e + k + w[i];
            e = d;
            d = c;
            c = rotateLeft(b, 30);
            b = a;
            a = next;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
    std::array<uint8_t, 20> digest{};
    for (size_t i = 0; i < digest.size(); ++i)
        digest[i] = uint8_t(h[i / 4] >> (24 - 8 * (i % 4)));
    return digest;
}

std::string base64(const uint8_t *data, size_t size)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string text;
    for (size_t i = 0; i < size; i += 3) {
        const uint32_t group = uint32_t(data[i]) << 16
            | (i + 1 < size ? uint32_t(data[i + 1]) << 8 : 0) | (i + 2 < size ? data[i + 2] : 0);
        text += digits[group >> 18 & 63];
        text += digits[group >> 12 & 63];
        text += i + 1 < size ? digits[group >> 6 & 63] : '=';
        text += i + 2 < size ? digits[group & 63] : '=';
    }
    return text;
}

// Copies size bytes of payload to out, masked with key (RFC 6455 5.3), 8 bytes at a time.
void copyMasked(char *out, const char *payload, size_t size, const uint8_t key[4])
{
    uint64_t key8 = 0; // the key twice, in the payload's byte order
    std::memcpy(&key8, key, 4);
    std::memcpy(reinterpret_cast<char *>(&key8) + 4, key, 4);
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t word = 0;
        std::memcpy(&word, payload + i, 8);
        word ^= key8;
        std::memcpy(out + i, &word, 8);
    }
    for (; i < size; ++i)
        out[i] = char(uint8_t(payload[i]) ^ key[i % 4]);
}

// Writes a whole message as one masked frame at out (room for size + 14 bytes); returns the
// frame's size.
size_t encodeFrame(char *out, Opcode opcode, const char *payload, size_t size)
{
    auto *header = reinterpret_cast<uint8_t *>(out);
    header[0] = uint8_t(0x80 | opcode); // FIN: the message's last (and only) frame
    size_t length = 2;
    if (size < 126) {
        header[1] = uint8_t(0x80 | size); // 0x80: masked, as every client frame must be
    } else if (size <= 0xFFFF) {
        header[1] = 0x80 | 126;
        header[2] = uint8_t(size >> 8);
        header[3] = uint8_t(size);
        length = 4;
    } else {
        header[1] = 0x80 | 127;
        for (size_t i = 0; i < 8; ++i)
            header[2 + i] = uint8_t(uint64_t(size) >> (56 - 8 * i));
        length = 10;
    }
    const uint32_t key = nextMaskKey();
    std::memcpy(header + length, &key, 4);
    copyMasked(out + length + 4, payload, size, header + length);
    return length + 4 + size;
}

// Frames each line in lines (size bytes of whole lines) as one text message without its '\n'
// (loadgen's lines are ASCII, so valid UTF-8); returns the bytes written at out. A
// kMessageBytes line takes kWebSocketMessageBytes.
size_t frameLines(const char *lines, size_t size, char *out)
{
    const char *end = lines + size;
    char *o = out;
    while (lines < end) {
        const auto *newline
            = static_cast<const char *>(std::memchr(lines, '\n', size_t(end - lines)));
        if (!newline)
            fail("internal error: a line to send has no end");
        o += encodeFrame(o, kText, lines, size_t(newline - lines));
        lines = newline + 1;
    }
    return size_t(o - out);
}

// Turns what a WebSocket server sends into lines: each text or binary message's payload and a
// '\n' (the payload is taken as it is, as a TCP line would be). Reads may cut frames anywhere:
// a partial header is kept here, a partial payload passed on as it comes. A ping's payload is
// kept for the pong; a close frame ends the stream (closeReason()).
class FrameReader
{
public:
    // Decodes size bytes at in into lines at out, which has room for size + 1 bytes: each
    // message's '\n' stands for a header of 2 bytes or more, save for a frame whose header came
    // in an earlier read. Returns the bytes written; fails on what a server must not send.
    size_t decode(const char *in, size_t size, char *out)
    {
        const char *end = in + size;
        char *o = out;
        while (in < end && m_closeReason.empty()) {
            if (!m_inPayload) {
                while (m_headSize < headerSize() && in < end)
                    m_head[m_headSize++] = uint8_t(*in++);
                if (m_headSize < headerSize())
                    break;
                startFrame();
            } else {
                const size_t take = size_t(std::min<uint64_t>(m_left, uint64_t(end - in)));
                if (isControl()) {
                    std::memcpy(m_control + m_controlSize, in, take);
                    m_controlSize += take;
                } else {
                    std::memcpy(o, in, take);
                    o += take;
                }
                in += take;
                m_left -= take;
            }
            if (m_inPayload && m_left == 0)
                o = endFrame(o);
        }
        return size_t(o - out);
    }

    // The payload of the latest ping not answered yet (RFC 6455 5.5.3: answering the latest
    // is enough); false when there is none.
    bool takePing(std::string &payload)
    {
        if (!m_pinged)
            return false;
        payload.assign(m_ping, m_pingSize);
        m_pinged = false;
        return true;
    }

    // Why the server closed the WebSocket; empty while it has not.
    const std::string &closeReason() const { return m_closeReason; }

private:
    // The header's size, as far as it is known yet.
    size_t headerSize() const
    {
        if (m_headSize < 2)
            return 2;
        const uint8_t length = m_head[1] & 0x7F;
        return 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + (m_head[1] & 0x80 ? 4 : 0);
    }

    bool isControl() const { return m_opcode & 0x8; }

    void startFrame()
    {
        m_fin = m_head[0] & 0x80;
        m_opcode = m_head[0] & 0x0F;
        if (m_head[0] & 0x70)
            fail("the relay sent a WebSocket frame with reserved bits set (no extension was "
                 "asked for)");
        if (m_head[1] & 0x80)
            fail("the relay sent a masked WebSocket frame (a server must not mask, RFC 6455 5.1)");
        uint64_t length = m_head[1] & 0x7F;
        if (length == 126) {
            length = uint64_t(m_head[2]) << 8 | m_head[3];
        } else if (length == 127) {
            length = 0;
            for (size_t i = 2; i < 10; ++i)
                length = length << 8 | m_head[i];
            if (length >> 63)
                fail("the relay sent a WebSocket frame longer than 2^63 bytes");
        }
        switch (m_opcode) {
        case kContinuation:
            if (!m_inMessage)
                fail("the relay sent a WebSocket continuation frame outside a message");
            break;
        case kText:
        case kBinary:
            if (m_inMessage)
                fail("the relay began a WebSocket message before the last one ended");
            break;
        case kClose:
        case kPing:
        case kPong:
            if (!m_fin || length > sizeof m_control)
                fail("the relay sent a fragmented or long WebSocket control frame");
            break;
        default:
            fail("the relay sent a WebSocket frame of unknown opcode " + std::to_string(m_opcode));
        }
        if (!isControl())
            m_inMessage = !m_fin;
        m_left = length;
        m_controlSize = 0;
        m_headSize = 0;
        m_inPayload = true;
    }

    char *endFrame(char *o)
    {
        m_inPayload = false;
        if (!isControl()) {
            if (m_fin)
                *o++ = '\n';
        } else if (m_opcode == kPing) {
            std::memcpy(m_ping, m_control, m_controlSize);
            m_pingSize = m_controlSize;
            m_pinged = true;
        } else if (m_opcode == kClose) {
            m_closeReason = "the relay closed the WebSocket";
            if (m_controlSize >= 2) {
                const int code = uint8_t(m_control[0]) << 8 | uint8_t(m_control[1]);
                m_closeReason += " (code " + std::to_string(code)
                    + (m_controlSize > 2 ? ": " + std::string(m_control + 2, m_controlSize - 2)
                                         : std::string())
                    + ")";
            }
        }
        return o;
    }

    uint8_t m_head[14] = {}; // the header read so far
    size_t m_headSize = 0;
    bool m_inPayload = false; // the header is complete, m_left payload bytes are still due
    uint64_t m_left = 0;
    bool m_fin = false;
    uint8_t m_opcode = 0;
    bool m_inMessage = false; // a fragmented message has begun and not ended
    char m_control[125] = {}; // a control frame's payload
    size_t m_controlSize = 0;
    char m_ping[125] = {};
    size_t m_pingSize = 0;
    bool m_pinged = false;
    std::string m_closeReason;
};

constexpr char kAcceptGuid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 1.3
constexpr size_t kMaxAnswerBytes = 8192; // the most an upgrade answer's head may take

// A WebSocket client's upgrade request (RFC 6455 4.1) and what its answer must carry. No Origin
// header: loadgen is not a web page.
struct Upgrade
{
    std::string request; // empty until sent
    std::string accept; // the Sec-WebSocket-Accept value that the key asks for
    std::string answer; // the answer, as far as it came
};

Upgrade makeUpgrade(const std::string &hostAndPort)
{
    uint8_t nonce[16];
    randomBytes(nonce, sizeof nonce);
    const std::string key = base64(nonce, sizeof nonce);
    const std::array<uint8_t, 20> digest = sha1(key + kAcceptGuid);
    Upgrade upgrade;
    upgrade.request = "GET / HTTP/1.1\r\nHost: " + hostAndPort
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
        + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    upgrade.accept = base64(digest.data(), digest.size());
    return upgrade;
}

std::string lowercase(std::string text)
{
    for (char &c : text)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// Checks the head of the relay's answer (up to its blank line): 101, the upgrade, and the
// accept value; returns what is wrong, or "" when nothing is.
std::string checkUpgradeAnswer(const std::string &head, const std::string &accept)
{
    const size_t statusEnd = std::min(head.find("\r\n"), head.size());
    const std::string status = head.substr(0, statusEnd);
    if (status.rfind("HTTP/1.1 101", 0) != 0)
        return "the relay refused the WebSocket upgrade: \"" + status + "\"";
    bool upgrade = false;
    bool connection = false;
    bool accepted = false;
    for (size_t start = statusEnd + 2; start < head.size();) {
        const size_t end = std::min(head.find("\r\n", start), head.size());
        const std::string line = head.substr(start, end - start);
        start = end + 2;
        const size_t colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        const std::string name = lowercase(line.substr(0, colon));
        const size_t first = line.find_first_not_of(" \t", colon + 1);
        const size_t last = line.find_last_not_of(" \t");
        const std::string value
            = first == std::string::npos ? "" : line.substr(first, last + 1 - first);
        if (name == "upgrade")
            upgrade = lowercase(value) == "websocket";
        else if (name == "connection")
            connection = lowercase(value).find("upgrade") != std::string::npos;
        else if (name == "sec-websocket-accept")
            accepted = value == accept;
        else if (name == "sec-websocket-extensions" || name == "sec-websocket-protocol")
            return "the relay's WebSocket answer names " + line.substr(0, colon)
                + ", which loadgen did not ask for";
    }
    if (!upgrade || !connection)
        return "the relay's WebSocket answer lacks \"Upgrade: websocket\" or \"Connection: "
               "Upgrade\"";
    if (!accepted)
        return "the relay's Sec-WebSocket-Accept does not match the key sent";
    return "";
}

// ----------------------------------------------------------------------------- UDP and OSC
// A UDP client sends each line (without its '\n') as one datagram and turns each datagram it
// gets back into a line; with --osc the datagrams are OSC messages, written and read only as far
// as loadgen's own lines need: an address and int32, int64 and string arguments.

// How a client's messages travel: lines on a TCP stream, WebSocket messages, or datagrams of
// the relay's UDP port, as text or as OSC messages.
enum class Wire
{
    Stream,
    WebSocket,
    Datagram,
    Osc
};

bool isDatagram(Wire wire)
{
    return wire == Wire::Datagram || wire == Wire::Osc;
}

// What a UDP peer sends first, so that the relay hears of it (the other peers ignore it).
std::string helloLine(Wire wire)
{
    return wire == Wire::Osc ? "/hello" : "hello";
}

void appendOscString(std::string &out, const char *text, size_t size)
{
    out.append(text, size);
    out.append(4 - size % 4, '\0'); // at least one NUL, then to a multiple of 4
}

void appendBigEndian(std::string &out, uint64_t value, int bytes)
{
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
        out += char(value >> shift);
}

// Encodes one of loadgen's lines (without '\n') as an OSC message, as the relay would: the
// first word is the address, each further word an argument, an int32 (i) or int64 (h) when it
// is a whole number, else a string (s). Words are split at single spaces: loadgen writes no
// others. out is reused, so that a message costs no allocation.
void encodeOsc(const char *line, size_t size, std::string &out)
{
    const char *end = line + size;
    const auto wordEnd = [end](const char *p) {
        const auto *space = static_cast<const char *>(std::memchr(p, ' ', size_t(end - p)));
        return space ? space : end;
    };
    // The type of the word at p: 'i', 'h' or 's'; value is the number.
    const auto typeOf = [&](const char *p, uint64_t &value) {
        const char *q = p;
        if (!parseDecimal(q, end, value) || q != wordEnd(p))
            return 's';
        return value <= 0x7FFFFFFF ? 'i' : 'h';
    };
    out.clear();
    const char *address = wordEnd(line);
    appendOscString(out, line, size_t(address - line));
    const size_t tags = out.size();
    out += ',';
    uint64_t value = 0;
    for (const char *p = address; p < end; p = wordEnd(p + 1))
        out += typeOf(p + 1, value);
    out.append(4 - (out.size() - tags) % 4, '\0');
    for (const char *p = address; p < end; p = wordEnd(p + 1)) {
        const char type = typeOf(p + 1, value);
        if (type == 's')
            appendOscString(out, p + 1, size_t(wordEnd(p + 1) - p - 1));
        else
            appendBigEndian(out, value, type == 'i' ? 4 : 8);
    }
}

// Appends the text line of an OSC message from the relay (without '\n'): the address, then
// each argument after a space. Only int32, int64 and string arguments are read: anything else,
// or a datagram that is no such OSC message, fails the run.
void decodeOsc(const char *data, size_t size, std::string &out)
{
    size_t at = 0;
    const auto readString = [&](const char *what) {
        const auto *nul = at < size
            ? static_cast<const char *>(std::memchr(data + at, '\0', size - at))
            : nullptr;
        if (!nul)
            fail(std::string("the relay sent an OSC message whose ") + what + " has no end");
        const size_t length = size_t(nul - (data + at));
        const std::string_view text(data + at, length);
        at += (length + 4) & ~size_t(3);
        return text;
    };
    const auto readNumber = [&](size_t bytes) {
        if (size - std::min(size, at) < bytes)
            fail("the relay sent an OSC message cut short");
        uint64_t value = 0;
        for (size_t i = 0; i < bytes; ++i)
            value = value << 8 | uint8_t(data[at++]);
        return value;
    };
    out += readString("address");
    const std::string_view tags = readString("type tags");
    if (tags.empty() || tags[0] != ',')
        fail("the relay sent an OSC message without type tags");
    char digits[24];
    for (const char tag : tags.substr(1)) {
        out += ' ';
        if (tag == 's') {
            out += readString("string");
        } else if (tag == 'i') {
            const auto value = int32_t(uint32_t(readNumber(4)));
            out.append(digits, size_t(std::snprintf(digits, sizeof digits, "%d", value)));
        } else if (tag == 'h') {
            const auto value = (long long)(readNumber(8));
            out.append(digits, size_t(std::snprintf(digits, sizeof digits, "%lld", value)));
        } else {
            fail(std::string("the relay sent an OSC argument of type '") + tag
                + "', which loadgen does not send");
        }
    }
}

// A UDP socket connected to the relay's UDP port (from 127.0.0.1, a port the system picks),
// with buffers as big as the system grants, so that loadgen, busy with other peers, drops no
// datagram that the relay sent.
Fd openUdp(const sockaddr_in &relay, const std::string &name)
{
    Fd socket(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket.get() < 0)
        fail(systemError("socket"));
    const int bytes = kUdpBufferBytes;
    setsockopt(socket.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    setsockopt(socket.get(), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
    if (::connect(socket.get(), reinterpret_cast<const sockaddr *>(&relay), sizeof relay) != 0)
        fail(systemError("cannot connect to UDP " + name));
    return socket;
}

// ----------------------------------------------------------------------------------- clients

// One connection to the relay, TCP, WebSocket or UDP: what comes from it is passed on as lines.
class Client
{
public:
    Client(Fd fd, Wire wire)
        : m_fd(std::move(fd))
        , m_wire(wire)
        , m_webSocket(wire == Wire::WebSocket)
    { }

    int fd() const { return m_fd.get(); }
    bool isWebSocket() const { return m_webSocket; }
    bool isDatagram() const { return ::isDatagram(m_wire); }
    // The bytes one message takes on its way from this client to the relay (a UDP sender's
    // lines, before they become datagrams).
    size_t wireMessageBytes() const { return m_webSocket ? kWebSocketMessageBytes : kMessageBytes; }

    // Reads once (up to kIoChunk, into a buffer every read shares; or up to kDatagramBatch
    // datagrams) and passes the lines that came to sink. Throws ConnectionLost once the relay
    // closed the connection (or the WebSocket, after the lines that came before its close frame).
    void read(const char *who, const Sink &sink)
    {
        if (isDatagram()) {
            readDatagrams(who, sink);
            return;
        }
        static std::vector<char> buffer(kIoChunk);
        const size_t size = readSome(fd(), who, buffer.data(), buffer.size());
        if (size > 0)
            pass(buffer.data(), size, who, sink);
    }

    // What came right after the handshake's answer, kept for the first reader.
    void setEarly(std::string bytes) { m_early = std::move(bytes); }
    void takeEarly(const char *who, const Sink &sink)
    {
        const std::string early = std::move(m_early);
        m_early.clear();
        if (!early.empty())
            pass(early.data(), early.size(), who, sink);
    }

    // Sends one line (a probe) at once: as it is, as one WebSocket message, or as a datagram.
    void sendLine(const std::string &line)
    {
        if (isDatagram()) {
            if (sendDatagrams(line.data(), line.size()) != line.size())
                fail(systemError("cannot send a probe datagram"));
            return;
        }
        std::string frame(line.size() + 14, '\0');
        if (m_webSocket)
            frame.resize(frameLines(line.data(), line.size(), frame.data()));
        else
            frame = line;
        if (::write(fd(), frame.data(), frame.size()) != ssize_t(frame.size()))
            fail(systemError("cannot send a probe line"));
    }

    // The pongs due (WebSocket). A client that sends messages sends them between two of its
    // messages (see Sender); the others with sendControl().
    bool controlDue() const { return !m_control.empty(); }
    void sendControl()
    {
        if (m_control.empty())
            return;
        const ssize_t written = ::write(fd(), m_control.data(), m_control.size());
        if (written < 0 && errno != EAGAIN && errno != EINTR)
            fail(systemError("cannot send a pong"));
        if (written > 0)
            m_control.erase(0, size_t(written));
    }

    // Sends whole lines of lines (size bytes) as one datagram each (OSC-encoded with --osc), as
    // many as the socket takes now; returns the bytes of the lines sent.
    size_t sendDatagrams(const char *lines, size_t size)
    {
        static std::vector<std::string> encoded(kDatagramBatch);
        mmsghdr headers[kDatagramBatch] = {};
        iovec vectors[kDatagramBatch] = {};
        const char *end = lines + size;
        const char *p = lines;
        unsigned count = 0;
        for (; count < kDatagramBatch && p < end; ++count) {
            const auto *newline = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
            if (!newline)
                fail("internal error: a line to send has no end");
            if (m_wire == Wire::Osc) {
                encodeOsc(p, size_t(newline - p), encoded[count]);
                vectors[count] = {encoded[count].data(), encoded[count].size()};
            } else {
                vectors[count] = {const_cast<char *>(p), size_t(newline - p)};
            }
            headers[count].msg_hdr.msg_iov = &vectors[count];
            headers[count].msg_hdr.msg_iovlen = 1;
            p = newline + 1;
        }
        const int sent = sendmmsg(fd(), headers, count, 0);
        if (sent < 0 && errno == ECONNREFUSED)
            throw ConnectionLost("sender: the relay's UDP port is closed");
        if (sent < 0 && errno != EAGAIN && errno != EINTR)
            fail(systemError("sender: sendmmsg"));
        // The bytes of the lines of the first `sent` datagrams.
        const char *q = lines;
        for (int i = 0; i < sent; ++i)
            q = static_cast<const char *>(std::memchr(q, '\n', size_t(end - q))) + 1;
        return size_t(q - lines);
    }

private:
    // Reads up to kDatagramBatch datagrams and passes each as a line (decoded from OSC with
    // --osc), leaving out the peers' hellos.
    void readDatagrams(const char *who, const Sink &sink)
    {
        static std::vector<char> buffer(kDatagramBatch * kMaxDatagramBytes);
        static std::string lines;
        const std::string hello = helloLine(m_wire); // short: no allocation
        mmsghdr headers[kDatagramBatch] = {};
        iovec vectors[kDatagramBatch] = {};
        for (unsigned i = 0; i < kDatagramBatch; ++i) {
            vectors[i] = {buffer.data() + i * kMaxDatagramBytes, kMaxDatagramBytes};
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
        }
        const int count = recvmmsg(fd(), headers, kDatagramBatch, MSG_DONTWAIT, nullptr);
        if (count < 0 && errno == ECONNREFUSED)
            throw ConnectionLost(std::string(who) + ": the relay's UDP port is closed");
        if (count < 0 && errno != EAGAIN && errno != EINTR)
            fail(systemError(who));
        lines.clear();
        for (int i = 0; i < count; ++i) {
            if (headers[i].msg_hdr.msg_flags & MSG_TRUNC)
                fail(std::string(who) + ": the relay sent a datagram longer than "
                    + std::to_string(kMaxDatagramBytes) + " bytes");
            const char *data = buffer.data() + size_t(i) * kMaxDatagramBytes;
            const size_t start = lines.size();
            if (m_wire == Wire::Osc)
                decodeOsc(data, headers[i].msg_len, lines);
            else
                lines.append(data, headers[i].msg_len);
            if (lines.compare(start, std::string::npos, hello) == 0)
                lines.resize(start);
            else
                lines += '\n';
        }
        if (!lines.empty())
            sink(lines.data(), lines.size());
    }

    void pass(const char *data, size_t size, const char *who, const Sink &sink)
    {
        if (!m_webSocket) {
            sink(data, size);
            return;
        }
        static std::vector<char> lines(kIoChunk + 1); // see FrameReader::decode()
        for (size_t done = 0; done < size;) {
            const size_t chunk = std::min(kIoChunk, size - done);
            const size_t count = m_frames.decode(data + done, chunk, lines.data());
            done += chunk;
            if (count > 0)
                sink(lines.data(), count);
        }
        std::string ping;
        if (m_frames.takePing(ping)) {
            const size_t queued = m_control.size();
            m_control.resize(queued + ping.size() + 14);
            m_control.resize(
                queued + encodeFrame(&m_control[queued], kPong, ping.data(), ping.size()));
        }
        if (!m_frames.closeReason().empty())
            throw ConnectionLost(std::string(who) + ": " + m_frames.closeReason());
    }

    Fd m_fd;
    Wire m_wire;
    bool m_webSocket;
    FrameReader m_frames;
    std::string m_early;
    std::string m_control;
};

std::vector<Client *> pointersTo(std::vector<Client> &clients)
{
    std::vector<Client *> pointers;
    for (Client &client : clients)
        pointers.push_back(&client);
    return pointers;
}

using LostHandler = std::function<void(const std::string &why)>;

// Reads client whenever it is readable, passing its lines to sink and answering its pings.
// Once the relay closed it, onLost is told why, or, without onLost, the run fails.
void watchClient(
    EventLoop &loop, Client &client, const char *who, Sink sink, LostHandler onLost = nullptr)
{
    loop.watch(
        client.fd(), EPOLLIN, [&loop, &client, who, sink, onLost = std::move(onLost)](uint32_t) {
            try {
                client.read(who, sink);
                client.sendControl();
            } catch (const ConnectionLost &lost) {
                if (!onLost)
                    throw;
                loop.unwatch(client.fd());
                onLost(lost.what());
            }
        });
    client.takeEarly(who, sink);
}

void watchReceiver(EventLoop &loop, Client &client, Sink sink, LostHandler onLost = nullptr)
{
    watchClient(loop, client, "receiver", std::move(sink), std::move(onLost));
}

void watchAndDiscard(EventLoop &loop, Client &client)
{
    watchClient(loop, client, "sender", [](const char *, size_t) {});
}

// -------------------------------------------------------------------------------- connecting

// Where clients of one role connect, and how.
struct Endpoint
{
    sockaddr_in address{};
    std::string name; // host:port, for messages and the Host header
    Wire wire = Wire::Stream;
    bool webSocket = false;
};

Endpoint endpointFor(const Options &o, Role role)
{
    Endpoint relay;
    relay.webSocket = usesWebSocket(o, role);
    if (usesUdp(o, role))
        relay.wire = o.osc ? Wire::Osc : Wire::Datagram;
    else if (relay.webSocket)
        relay.wire = Wire::WebSocket;
    const int port = isDatagram(relay.wire) ? o.udpPort : relay.webSocket ? o.wsPort : o.port;
    relay.address.sin_family = AF_INET;
    relay.address.sin_port = htons(uint16_t(port));
    if (inet_pton(AF_INET, o.host.c_str(), &relay.address.sin_addr) != 1)
        throw UsageError("--host wants an IPv4 address such as 127.0.0.1, not \"" + o.host + "\"");
    relay.name = o.host + ":" + std::to_string(port);
    return relay;
}

Fd startConnect(const Options &o, const Endpoint &relay)
{
    Fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket.get() < 0)
        fail(systemError("socket (is ulimit -n high enough?)"));
    const int on = 1;
    if (o.nodelay && setsockopt(socket.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0)
        fail(systemError("TCP_NODELAY"));
    const auto *address = reinterpret_cast<const sockaddr *>(&relay.address);
    if (::connect(socket.get(), address, sizeof relay.address) != 0 && errno != EINPROGRESS)
        fail(systemError("cannot connect to " + relay.name));
    return socket;
}

void checkConnected(const Endpoint &relay, int fd)
{
    int error = 0;
    socklen_t size = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0)
        fail(systemError("getsockopt"));
    if (error != 0) {
        errno = error;
        fail(systemError("cannot connect to " + relay.name));
    }
}

void sendUpgrade(const Endpoint &relay, int fd, Upgrade &upgrade)
{
    upgrade = makeUpgrade(relay.name);
    const std::string &request = upgrade.request;
    if (::write(fd, request.data(), request.size()) != ssize_t(request.size()))
        fail(systemError("cannot send the WebSocket upgrade request to " + relay.name));
}

// Reads the relay's answer to an upgrade request: true once it came whole and right (what came
// after it is kept in client for its first reader).
bool readUpgradeAnswer(Client &client, Upgrade &upgrade)
{
    char buffer[4096];
    upgrade.answer.append(
        buffer, readSome(client.fd(), "WebSocket handshake", buffer, sizeof buffer));
    const size_t end = upgrade.answer.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (upgrade.answer.size() > kMaxAnswerBytes)
            fail("the relay's answer to the WebSocket upgrade has no end");
        return false;
    }
    const std::string problem = checkUpgradeAnswer(upgrade.answer.substr(0, end), upgrade.accept);
    if (!problem.empty())
        fail(problem);
    client.setEarly(upgrade.answer.substr(end + 4));
    upgrade = Upgrade(); // done: its memory is not kept for every client
    return true;
}

// Connects count clients of role, at most maxInFlight at a time: a TCP client is connected
// once connect() succeeded, a WebSocket client once the relay also accepted its upgrade. A UDP
// client has nothing to wait for: a receiver says hello, so that the relay hears of it.
std::vector<Client> connectClients(
    EventLoop &loop, const Options &o, Role role, int count, int maxInFlight)
{
    const int64_t deadline = deadlineFromNow(o);
    const Endpoint relay = endpointFor(o, role);
    std::vector<Client> clients;
    clients.reserve(size_t(count)); // never moved while the handlers below point into it
    if (isDatagram(relay.wire)) {
        while (int(clients.size()) < count) {
            clients.emplace_back(openUdp(relay.address, relay.name), relay.wire);
            if (role == Role::Receiver)
                clients.back().sendLine(helloLine(relay.wire) + "\n");
        }
        return clients;
    }
    std::vector<Upgrade> upgrades(relay.webSocket ? size_t(count) : 0);
    int inFlight = 0;
    int connected = 0;
    const auto done = [&](int fd) {
        loop.unwatch(fd);
        --inFlight;
        ++connected;
    };
    while (connected < count) {
        while (int(clients.size()) < count && inFlight < maxInFlight) {
            const size_t i = clients.size();
            clients.emplace_back(startConnect(o, relay), relay.wire);
            const int fd = clients.back().fd();
            ++inFlight;
            loop.watch(fd, EPOLLOUT, [&, i, fd](uint32_t) {
                if (!relay.webSocket) {
                    checkConnected(relay, fd);
                    done(fd);
                } else if (upgrades[i].request.empty()) { // connected: upgrade
                    checkConnected(relay, fd);
                    sendUpgrade(relay, fd, upgrades[i]);
                    loop.setEvents(fd, EPOLLIN);
                } else if (readUpgradeAnswer(clients[i], upgrades[i])) {
                    done(fd);
                }
            });
        }
        if (!loop.runOnce(deadline))
            fail("timed out connecting: " + std::to_string(connected) + " of "
                + std::to_string(count) + " clients connected to " + relay.name
                + (relay.webSocket ? " (WebSocket)" : ""));
    }
    return clients;
}

Client connectOne(EventLoop &loop, const Options &o, Role role)
{
    return std::move(connectClients(loop, o, role, 1, 1).front());
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
// The producer fills the chunk with whole lines, or returns 0 when none is due yet; wake() asks
// it again. A WebSocket sender frames each line as one message (see frameLines()), a UDP sender
// sends each as one datagram (Client::sendDatagrams()). With
// splitLines, every write ends inside a message (the end of the last one waits for the next
// write), so the relay gets messages in pieces, as TCP may deliver them from any client. What
// reaches the sender (echo, other senders' messages) is read and ignored; a pong it owes the
// relay goes out between two messages.
class Sender
{
public:
    using Producer = std::function<size_t(char *buffer, size_t capacity)>;

    Sender(EventLoop &loop, Client client, Producer produce, bool splitLines = false)
        : m_loop(loop)
        , m_client(std::move(client))
        , m_produce(std::move(produce))
        , m_buffer(kIoChunk)
        , m_lines(m_client.isWebSocket() ? kIoChunk : 0)
        , m_messageBytes(m_client.wireMessageBytes())
        , m_splitLines(splitLines)
    {
        m_loop.watch(fd(), EPOLLIN, [this](uint32_t events) { onEvents(events); });
    }
    Sender(const Sender &) = delete;
    Sender &operator=(const Sender &) = delete;

    Client &client() { return m_client; }
    int fd() const { return m_client.fd(); }
    uint64_t linesSent() const { return m_bytesSent / m_messageBytes; }
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
        const size_t restOfMessage
            = (m_messageBytes - m_bytesSent % m_messageBytes) % m_messageBytes;
        m_end = std::min(m_end, m_begin + restOfMessage);
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
        if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
            m_client.read("sender", [](const char *, size_t) {});
            if (m_client.controlDue())
                wake();
        }
    }

    void writeSome()
    {
        // A pong goes out between two messages: the rest of the one under way goes first, so
        // nothing is held back then.
        const bool controlDue = m_client.controlDue();
        if (controlDue && m_bytesSent % m_messageBytes == 0) {
            m_client.sendControl();
            if (m_client.controlDue()) {
                setWantWrite(true);
                return;
            }
        }
        const size_t heldBack = m_splitLines && m_sending && !controlDue ? m_messageBytes / 2 : 0;
        if (m_sending && m_end - m_begin <= heldBack)
            refill();
        if (m_end - m_begin <= heldBack) {
            setWantWrite(false); // until wake()
            return;
        }
        const size_t size = m_end - m_begin - heldBack;
        const ssize_t written = m_client.isDatagram()
            ? ssize_t(m_client.sendDatagrams(m_buffer.data() + m_begin, size))
            : ::write(fd(), m_buffer.data() + m_begin, size);
        if (written < 0 && (errno == ECONNRESET || errno == EPIPE))
            throw ConnectionLost("sender: connection reset by the relay");
        if (written < 0 && errno != EAGAIN && errno != EINTR)
            fail(systemError("sender"));
        if (written > 0) {
            m_begin += size_t(written);
            m_bytesSent += uint64_t(written);
        }
        setWantWrite(true);
    }

    // Keeps what is left (the end of a message), then asks the producer for more lines; a
    // WebSocket sender has them written to m_lines and frames them into m_buffer.
    void refill()
    {
        const size_t left = m_end - m_begin;
        std::memmove(m_buffer.data(), m_buffer.data() + m_begin, left);
        m_begin = 0;
        const size_t room = m_buffer.size() - left;
        if (!m_client.isWebSocket()) {
            m_end = left + m_produce(m_buffer.data() + left, room);
            return;
        }
        const size_t lines = m_produce(m_lines.data(), room / m_messageBytes * kMessageBytes);
        m_end = left + frameLines(m_lines.data(), lines, m_buffer.data() + left);
    }

    void setWantWrite(bool want)
    {
        if (want != m_wantWrite)
            m_loop.setEvents(fd(), EPOLLIN | (want ? EPOLLOUT : 0u));
        m_wantWrite = want;
    }

    EventLoop &m_loop;
    Client m_client;
    Producer m_produce;
    std::vector<char> m_buffer; // what is written: lines, or WebSocket frames
    std::vector<char> m_lines; // a WebSocket sender's lines, before they are framed
    size_t m_messageBytes; // one message on the wire
    bool m_splitLines;
    size_t m_begin = 0;
    size_t m_end = 0;
    uint64_t m_bytesSent = 0;
    bool m_sending = false;
    bool m_wantWrite = false;
};

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
int64_t probe(
    EventLoop &loop, const Options &o, Client &sender, const std::vector<Client *> &receivers)
{
    const size_t count = receivers.size();
    // With --osc every line is an OSC message's text, a probe too.
    const std::string probePrefix = o.osc ? "/probe " : "probe ";
    uint64_t latest = 0; // the number of the last probe sent
    size_t gotLatest = 0; // receivers that got it
    size_t gotAny = 0; // receivers that got a probe
    int64_t lastProgress = nowNs();
    int64_t allGotOne = 0;
    std::vector<LineSplitter> splitters(count);
    std::vector<bool> got(count, false);
    for (size_t i = 0; i < count; ++i) {
        watchReceiver(loop, *receivers[i], [&, i](const char *data, size_t size) {
            splitters[i].feed(data, size, [&](const char *line, size_t length) {
                const size_t prefix = probePrefix.size();
                const char *p = line + prefix;
                uint64_t number = 0;
                if (length <= prefix || std::memcmp(line, probePrefix.data(), prefix) != 0
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
        const std::string line = probePrefix + std::to_string(++latest) + "\n";
        sender.sendLine(line);
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
    for (Client *receiver : receivers)
        loop.unwatch(receiver->fd());
    return allGotOne - start;
}

// Connects count receivers in batches of kConnectBatch, probing (through prober) after each
// batch, so that the relay has registered every receiver when this returns.
std::vector<Client> connectReceivers(EventLoop &loop, const Options &o, int count, Client &prober)
{
    std::vector<Client> receivers;
    receivers.reserve(size_t(count)); // never moved while probe() points into it
    while (int(receivers.size()) < count) {
        const int batch = std::min(kConnectBatch, count - int(receivers.size()));
        for (Client &client : connectClients(loop, o, Role::Receiver, batch, batch))
            receivers.push_back(std::move(client));
        probe(loop, o, prober, pointersTo(receivers));
    }
    return receivers;
}

// ---------------------------------------------------------------------------------- report

using Bench::number; // number(double, int), beside this one

std::string number(long long value)
{
    return std::to_string(value);
}

std::string boolean(bool value)
{
    return value ? "true" : "false";
}

// One workload's figures: printed as a line of text, or as one JSON object.
class Report
{
public:
    Report(std::string workload, const Options &o)
        : m_workload(std::move(workload))
    {
        parameter("transport", "\"" + transportName(o.transport) + "\"");
        if (o.osc)
            parameter("osc", "true");
    }

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
                    + unquoted(fields[i].second);
        }
    }

    // A JSON string's text, for the line of text; any other value as it is.
    static std::string unquoted(const std::string &value)
    {
        return value.size() >= 2 && value.front() == '"' ? value.substr(1, value.size() - 2)
                                                         : value;
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

// Writes a message that carries a number (when it was due, or its sequence number):
// "L<number>:<padding>\n", or with --osc "/L <number> <padding>\n" (the text of an OSC message
// with an integer and a string), kMessageBytes long.
void formatStampedLine(char *line, uint64_t number, bool osc)
{
    std::memset(line, 'l', kMessageBytes - 1);
    char *p = line;
    if (osc)
        *p++ = '/';
    *p++ = 'L';
    if (osc)
        *p++ = ' ';
    *appendDecimal(p, number) = osc ? ' ' : ':';
    line[kMessageBytes - 1] = '\n';
}

// The number of a line that formatStampedLine() wrote (without its '\n'); false for any other.
bool parseStampedLine(const char *line, size_t length, bool osc, uint64_t &number)
{
    const std::string_view prefix = osc ? "/L " : "L";
    const char *p = line + prefix.size();
    return length > prefix.size() && std::string_view(line, prefix.size()) == prefix
        && parseDecimal(p, line + length, number);
}

// What the relay (--server-pid) used while a run sent `sent` messages: its peak memory, and its
// CPU time since cpuBefore (seconds), per message sent.
void addRelayFigures(Report &report, const Options &o, double cpuBefore, uint64_t sent)
{
    if (!o.serverPid)
        return;
    const double used = cpuSeconds(o.serverPid) - cpuBefore;
    report.figure("relay_cpu_s", number(used, 2));
    report.figure("relay_cpu_us", number(sent ? used * 1e6 / double(sent) : std::nan(""), 2));
    report.figure("peak_rss_mb", number(double(procStatusKb(o.serverPid, "VmHWM")) / 1024, 1));
}

// lost of expected messages, in percent: what never arrived (over TCP, what had not arrived
// when the run gave up waiting).
void addLoss(Report &report, uint64_t lost, uint64_t expected)
{
    report.figure("lost_pct", number(expected ? 100.0 * double(lost) / double(expected) : 0, 3));
}

// ---------------------------------------------------------------------------------- fanout

// With o.messages, sends exactly that many and waits until every receiver got them all;
// otherwise sends for o.seconds. A receiver that the relay disconnects is counted, and the
// others go on: the run fails at the end. Over UDP, messages may be lost: each carries its
// sequence number, and the sender's window runs to the highest one each receiver heard (and,
// when nothing arrives for kLossQuietNs, past what is on its way); what never arrived is
// reported as lost_pct.
Report runFanout(const Options &o)
{
    EventLoop loop;
    const bool lossy = isLossy(o);
    std::vector<uint64_t> received(size_t(o.receivers), 0);
    // How far each receiver got: what it received, or over UDP the highest number heard + 1.
    std::vector<uint64_t> reached(size_t(o.receivers), 0);
    std::vector<LineSplitter> splitters(lossy ? size_t(o.receivers) : 0);
    std::vector<bool> lost(size_t(o.receivers), false);
    std::string firstLoss;
    // The slowest receiver still connected (one the relay dropped would stop the sender).
    const auto slowest = [&] {
        uint64_t least = UINT64_MAX;
        for (size_t i = 0; i < reached.size(); ++i) {
            if (!lost[i])
                least = std::min(least, reached[i]);
        }
        return least;
    };
    const auto sum = [&] { return std::accumulate(received.begin(), received.end(), uint64_t(0)); };
    const uint64_t total = o.messages ? o.messages : UINT64_MAX;
    uint64_t produced = 0;
    uint64_t givenUp = 0; // over UDP: messages below this are taken as arrived or lost
    int64_t lastArrival = nowNs();
    const uint64_t window = windowLines(o, 1);
    Sender sender(loop, connectOne(loop, o, Role::Sender), [&](char *buffer, size_t capacity) {
        const uint64_t lines = std::min({uint64_t(capacity / kMessageBytes), total - produced,
            roomInWindow(produced, std::max(slowest(), givenUp), window)});
        if (!lossy) {
            produced += lines;
            return fillPattern(buffer, lines);
        }
        for (uint64_t i = 0; i < lines; ++i)
            formatStampedLine(buffer + i * kMessageBytes, produced++, o.osc);
        return size_t(lines) * kMessageBytes;
    });
    std::vector<Client> receivers = connectReceivers(loop, o, o.receivers, sender.client());
    for (size_t i = 0; i < receivers.size(); ++i) {
        watchReceiver(
            loop, receivers[i],
            [&, i](const char *data, size_t size) {
                if (!lossy) {
                    received[i] += countLines(data, size);
                    reached[i] = received[i];
                } else {
                    splitters[i].feed(data, size, [&](const char *line, size_t length) {
                        uint64_t seq = 0;
                        if (parseStampedLine(line, length, o.osc, seq)) {
                            ++received[i];
                            reached[i] = std::max(reached[i], seq + 1);
                        }
                    });
                    lastArrival = nowNs();
                }
                sender.wake();
            },
            [&, i](const std::string &why) {
                lost[i] = true;
                if (firstLoss.empty())
                    firstLoss = why;
                sender.wake(); // the slowest receiver may be another now
            });
    }

    Timer quietCheck; // over UDP: gives up on what is on its way once nothing arrives
    if (lossy) {
        loop.watch(quietCheck.fd(), EPOLLIN, [&](uint32_t) {
            quietCheck.acknowledge();
            if (nowNs() - lastArrival >= kLossQuietNs) {
                givenUp = produced;
                sender.wake();
            }
            quietCheck.armAt(nowNs() + kLossQuietNs);
        });
        quietCheck.armAt(nowNs() + kLossQuietNs);
    }

    const double cpuBefore = o.serverPid ? cpuSeconds(o.serverPid) : 0;
    const int64_t start = nowNs();
    sender.start();
    int64_t elapsed = 0;
    uint64_t delivered = 0;
    std::string senderLoss; // why the relay disconnected the sender, if it did
    try {
        if (o.messages == 0) {
            loop.runUntil(start + secondsToNs(o.seconds), [] { return false; });
            elapsed = nowNs() - start;
            delivered = sum();
            sender.stop();
            loop.runUntil(nowNs() + kDrainNs, [&] {
                return sender.finished()
                    && (slowest() >= sender.linesSent()
                        || (lossy && nowNs() - lastArrival >= kLossQuietNs));
            });
        } else {
            // Bounded by --timeout twice over: while receivers get nothing at all, and once
            // every message is sent, until the last has arrived.
            const int64_t limit = secondsToNs(o.timeoutSeconds);
            int64_t lastProgress = start;
            int64_t allSent = 0; // when the last message was written
            uint64_t lastDelivered = 0;
            while (slowest() < o.messages) {
                const int64_t now = nowNs();
                if (sum() != lastDelivered) {
                    lastDelivered = sum();
                    lastProgress = now;
                }
                if (allSent == 0 && sender.linesSent() == o.messages)
                    allSent = now;
                const int64_t deadline
                    = (allSent ? std::min(lastProgress, allSent) : lastProgress) + limit;
                if (!loop.runOnce(deadline))
                    break;
            }
            elapsed = nowNs() - start;
            delivered = sum();
        }
    } catch (const ConnectionLost &lost) { // the receivers' are handled above
        senderLoss = lost.what();
        if (elapsed == 0) {
            elapsed = nowNs() - start;
            delivered = sum();
        }
    }

    const uint64_t all = sum();
    const uint64_t expected = (o.messages ? o.messages : sender.linesSent()) * received.size();
    const auto disconnected = uint64_t(std::count(lost.begin(), lost.end(), true));
    Report report("fanout", o);
    report.parameter("receivers", number(o.receivers));
    if (o.messages)
        report.parameter("messages", number(o.messages));
    else
        report.parameter("seconds", number(o.seconds, 1));
    addRate(report, delivered, elapsed);
    report.figure("sent", number(sender.linesSent()));
    if (o.messages) {
        report.figure("seconds", number(nsToSeconds(elapsed), 3));
        report.figure("delivered", number(all));
        report.figure("complete", boolean(all == expected));
    }
    report.figure("undelivered", number(expected - all));
    addLoss(report, expected - all, expected);
    report.figure("disconnected", number(disconnected));
    report.figure("sender_disconnected", boolean(!senderLoss.empty()));
    addRelayFigures(report, o, cpuBefore, sender.linesSent());
    if (disconnected)
        report.setFailure(number(disconnected) + " of " + number(o.receivers)
            + " receivers were disconnected (the first: " + firstLoss + ")"
            + (senderLoss.empty() ? "" : ", and the sender (" + senderLoss + ")"));
    else if (!senderLoss.empty())
        report.setFailure("the sender was disconnected (" + senderLoss + ")");
    else if (o.messages && all != expected)
        report.setFailure(number(expected - all) + " of " + number(expected)
            + " messages did not arrive within --timeout");
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
        senders.push_back(std::make_unique<Sender>(loop, connectOne(loop, o, Role::Sender),
            sequenceProducer(s, checkers, window), splitLines));
    };
    // Sender 0 also sends the probes, so it comes first; the others connect once the relay has
    // registered the receivers, so that few connections ever wait for the relay at once.
    addSender(0);
    std::vector<Client> receivers
        = connectReceivers(loop, o, o.receivers, senders.front()->client());
    for (int s = 1; s < o.senders; ++s)
        addSender(s);
    const auto forEachSender = [&](const std::function<void(Sender &)> &action) {
        for (auto &sender : senders)
            action(*sender);
    };
    for (size_t r = 0; r < receivers.size(); ++r) {
        watchReceiver(loop, receivers[r], [&, r](const char *data, size_t size) {
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

    Report report("senders", o);
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

// Records, at one receiver, now - due of every latency message (a stamped line holding when it
// was due: see formatStampedLine()).
class LatencyRecorder
{
public:
    LatencyRecorder(std::vector<int64_t> &samples, bool osc)
        : m_samples(&samples)
        , m_osc(osc)
    { }

    void feed(const char *data, size_t size, int64_t now)
    {
        m_splitter.feed(data, size, [&](const char *line, size_t length) {
            uint64_t due = 0;
            if (parseStampedLine(line, length, m_osc, due))
                m_samples->push_back(now - int64_t(due));
        });
    }

private:
    std::vector<int64_t> *m_samples;
    bool m_osc;
    LineSplitter m_splitter;
};

// Over UDP, messages that never arrive are reported (lost_pct), not taken for a failure: the
// wait for the last ones ends once nothing arrived for kLossQuietNs.
Report runLatency(const Options &o)
{
    EventLoop loop;
    const bool lossy = isLossy(o);
    const uint64_t total = uint64_t(o.rate * o.seconds);
    int64_t start = 0;
    uint64_t next = 0;
    const auto due = [&](uint64_t i) { return start + int64_t(double(i) * 1e9 / o.rate); };
    Sender sender(loop, connectOne(loop, o, Role::Sender), [&](char *buffer, size_t capacity) {
        const int64_t now = nowNs();
        size_t bytes = 0;
        for (; next < total && due(next) <= now && bytes + kMessageBytes <= capacity; ++next) {
            formatStampedLine(buffer + bytes, uint64_t(due(next)), o.osc);
            bytes += kMessageBytes;
        }
        return bytes;
    });
    std::vector<Client> receivers = connectReceivers(loop, o, o.receivers, sender.client());

    std::vector<int64_t> samples;
    samples.reserve(total * receivers.size());
    std::vector<LatencyRecorder> recorders(receivers.size(), LatencyRecorder(samples, o.osc));
    int64_t lastArrival = 0;
    for (size_t i = 0; i < receivers.size(); ++i) {
        watchReceiver(loop, receivers[i], [&, i](const char *data, size_t size) {
            lastArrival = nowNs();
            recorders[i].feed(data, size, lastArrival);
        });
    }
    Timer timer;
    loop.watch(timer.fd(), EPOLLIN, [&](uint32_t) {
        timer.acknowledge();
        sender.wake();
        if (next < total)
            timer.armAt(due(next));
        else if (lossy)
            timer.armAt(nowNs() + kLossQuietNs); // to see the quiet at the end
    });

    const double cpuBefore = o.serverPid ? cpuSeconds(o.serverPid) : 0;
    start = nowNs();
    lastArrival = start;
    sender.start();
    if (next < total)
        timer.armAt(due(next));
    const size_t expected = total * receivers.size();
    const bool complete = loop.runUntil(due(total) + kDrainNs, [&] {
        return samples.size() >= expected
            || (lossy && next >= total && nowNs() - lastArrival >= kLossQuietNs);
    });

    std::sort(samples.begin(), samples.end());
    Report report("latency", o);
    report.parameter("receivers", number(o.receivers));
    report.parameter("rate", number(o.rate, 0));
    report.parameter("seconds", number(o.seconds, 1));
    report.figure("p50_ms", number(percentileMs(samples, 0.50), 3));
    report.figure("p99_ms", number(percentileMs(samples, 0.99), 3));
    report.figure(
        "max_ms", number(samples.empty() ? std::nan("") : double(samples.back()) / 1e6, 3));
    report.figure("samples", number(samples.size()));
    report.figure("missing", number(expected - std::min(expected, samples.size())));
    addLoss(report, expected - std::min(expected, samples.size()), expected);
    addRelayFigures(report, o, cpuBefore, total);
    if (!complete && !lossy)
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
    std::vector<Client> clients = connectClients(loop, o, Role::Receiver, o.clients, o.inFlight);
    Client prober = connectOne(loop, o, Role::Sender);
    watchAndDiscard(loop, prober);
    probe(loop, o, prober, pointersTo(clients));
    const int64_t connectNs = nowNs() - connectStart;
    const int64_t broadcastNs = probe(loop, o, prober, pointersTo(clients));

    Report report("connections", o);
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
    Sender sender(loop, connectOne(loop, o, Role::Sender), [&](char *buffer, size_t capacity) {
        const uint64_t lines = std::min({uint64_t(capacity / kMessageBytes), total - produced,
            roomInWindow(produced, received, window)});
        produced += lines;
        return fillPattern(buffer, lines);
    });
    // clients[0] is the one that never reads: once registered, it is never watched again.
    std::vector<Client> clients = connectReceivers(loop, o, 2, sender.client());
    watchReceiver(loop, clients[1], [&](const char *data, size_t size) {
        received += countLines(data, size);
        sender.wake();
    });

    const int64_t start = nowNs();
    sender.start();
    const bool complete = loop.runUntil(deadlineFromNow(o), [&] { return received >= total; });
    const int64_t elapsed = nowNs() - start;

    Report report("slow", o);
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

// ----------------------------------------------------------------------------------- scraper

// --scrape: GET /metrics every 100 ms on a thread of its own, each on a new connection (as
// Prometheus does with a server that closes after each answer), until stop().
class Scraper
{
public:
    static constexpr int64_t kPeriodNs = 100'000'000;

    Scraper(const std::string &host, int port)
    {
        m_relay.sin_family = AF_INET;
        m_relay.sin_port = htons(uint16_t(port));
        if (inet_pton(AF_INET, host.c_str(), &m_relay.sin_addr) != 1)
            throw UsageError(
                "--host wants an IPv4 address such as 127.0.0.1, not \"" + host + "\"");
        m_request
            = "GET /metrics HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) + "\r\n\r\n";
        m_thread = std::thread([this] { run(); });
    }
    ~Scraper() { stop(); }

    void stop()
    {
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable())
            m_thread.join();
    }

    uint64_t scrapes() const { return m_scrapes; }
    uint64_t failures() const { return m_failures; }
    // Why the first scrape that failed did (valid once stopped).
    const std::string &firstFailure() const { return m_firstFailure; }

private:
    void run()
    {
        auto next = std::chrono::steady_clock::now();
        std::unique_lock<std::mutex> lock(m_mutex);
        while (!m_wake.wait_until(lock, next, [this] { return m_stopping; })) {
            lock.unlock();
            const std::string error = scrape();
            lock.lock();
            ++m_scrapes;
            if (!error.empty() && m_failures++ == 0)
                m_firstFailure = error;
            next += std::chrono::nanoseconds(kPeriodNs);
        }
    }

    // One GET /metrics, read to the end; what went wrong, or empty.
    std::string scrape()
    {
        Fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (socket.get() < 0)
            return systemError("socket");
        const timeval timeout{5, 0};
        setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        if (::connect(socket.get(), reinterpret_cast<const sockaddr *>(&m_relay), sizeof m_relay)
            != 0)
            return systemError("cannot connect to the web port");
        if (::send(socket.get(), m_request.data(), m_request.size(), MSG_NOSIGNAL)
            != ssize_t(m_request.size()))
            return systemError("cannot send the request");
        std::string answer;
        char buffer[16 * 1024];
        for (;;) {
            const ssize_t got = ::recv(socket.get(), buffer, sizeof buffer, 0);
            if (got < 0)
                return systemError("cannot read the answer");
            if (got == 0)
                break;
            answer.append(buffer, size_t(got));
        }
        if (answer.compare(0, 13, "HTTP/1.1 200 ") != 0
            || answer.find("\nsocketserver_messages_received_total ") == std::string::npos)
            return "not a /metrics page: " + answer.substr(0, answer.find('\r'));
        return {};
    }

    sockaddr_in m_relay{};
    std::string m_request;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    uint64_t m_scrapes = 0;
    uint64_t m_failures = 0;
    std::string m_firstFailure;
    std::thread m_thread;
};

// Runs the workload, with a scraper alongside when --scrape asks for one.
Report runWithScraper(const Options &o)
{
    if (o.scrapePort == 0)
        return runWorkload(o);
    Scraper scraper(o.host, o.scrapePort);
    Report report = runWorkload(o);
    scraper.stop();
    report.figure("scrapes", number(scraper.scrapes()));
    report.figure("scrape_failures", number(scraper.failures()));
    if (scraper.failures() != 0 && report.failure().empty())
        report.setFailure(number(scraper.failures()) + " of " + number(scraper.scrapes())
            + " scrapes failed (the first: " + scraper.firstFailure() + ")");
    return report;
}

} // namespace

int main(int argc, char **argv)
{
    std::signal(SIGPIPE, SIG_IGN);
    Options options;
    try {
        options = parseOptions(argc, argv);
        const Report report = runWithScraper(options);
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
