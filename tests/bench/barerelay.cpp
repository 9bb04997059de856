// barerelay: the least a relay can do, as the benchmark's floor for the connections workload
// and for the UDP path. One thread, epoll, and for every read one plain send() of the same
// bytes to every other client: no framing, no queue (what a client cannot take at once is
// lost), no limits. It is not a usable relay; it shows what this machine's send() calls cost,
// so that socketserver's time to reach 10,000 clients can be read against it.
//
// Its UDP port forwards, and does nothing else: the datagrams waiting there (up to 256 at a
// time, as socketserver reads them), each with a '\n', in one send() to every TCP client; each
// line a TCP client sends, as one sendto() datagram to every UDP peer (an address that has sent
// a datagram). No OSC: datagrams and lines are forwarded as they are.
//
//   usage: barerelay PORT   (127.0.0.1; PORT 0 picks one, and the UDP port is always picked;
//                            prints "listening on PORT" and "UDP on PORT")
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {
constexpr int kDatagramsPerTurn = 256;

bool sameAddress(const sockaddr_in &a, const sockaddr_in &b)
{
    return a.sin_addr.s_addr == b.sin_addr.s_addr && a.sin_port == b.sin_port;
}
} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: barerelay PORT\n");
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);

    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const int on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(uint16_t(std::atoi(argv[1])));
    socklen_t length = sizeof address;
    if (bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || listen(listener, 4096) != 0
        || getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        std::perror("barerelay: listen");
        return 1;
    }
    const int udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    const int bufferBytes = 4 * 1024 * 1024; // as socketserver asks for
    setsockopt(udp, SOL_SOCKET, SO_RCVBUF, &bufferBytes, sizeof bufferBytes);
    setsockopt(udp, SOL_SOCKET, SO_SNDBUF, &bufferBytes, sizeof bufferBytes);
    sockaddr_in udpAddress{};
    udpAddress.sin_family = AF_INET;
    udpAddress.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    length = sizeof udpAddress;
    if (bind(udp, reinterpret_cast<sockaddr *>(&udpAddress), sizeof udpAddress) != 0
        || getsockname(udp, reinterpret_cast<sockaddr *>(&udpAddress), &length) != 0) {
        std::perror("barerelay: UDP");
        return 1;
    }
    std::printf(
        "listening on %d\nUDP on %d\n", ntohs(address.sin_port), ntohs(udpAddress.sin_port));
    std::fflush(stdout);

    const int poller = epoll_create1(0);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = listener;
    epoll_ctl(poller, EPOLL_CTL_ADD, listener, &event);
    event.data.fd = udp;
    epoll_ctl(poller, EPOLL_CTL_ADD, udp, &event);
    std::vector<int> clients;
    std::vector<sockaddr_in> peers;
    std::vector<epoll_event> ready(1024);
    char buffer[64 * 1024];
    std::string lines; // datagrams on their way to TCP clients
    // A TCP line that has not ended yet, on its way to UDP peers: one for all clients, as the
    // UDP workloads have one TCP sender.
    std::string partial;
    for (;;) {
        const int count = epoll_wait(poller, ready.data(), int(ready.size()), -1);
        for (int i = 0; i < count; ++i) {
            const int fd = ready[size_t(i)].data.fd;
            if (fd == listener) {
                for (int client;
                     (client = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
                    event.data.fd = client;
                    epoll_ctl(poller, EPOLL_CTL_ADD, client, &event);
                    clients.push_back(client);
                }
                continue;
            }
            if (fd == udp) {
                lines.clear();
                for (int d = 0; d < kDatagramsPerTurn; ++d) {
                    sockaddr_in from{};
                    socklen_t fromLength = sizeof from;
                    const ssize_t size = recvfrom(udp, buffer, sizeof buffer, 0,
                        reinterpret_cast<sockaddr *>(&from), &fromLength);
                    if (size < 0)
                        break;
                    bool known = false;
                    for (const sockaddr_in &peer : peers)
                        known = known || sameAddress(peer, from);
                    if (!known)
                        peers.push_back(from);
                    lines.append(buffer, size_t(size));
                    lines += '\n';
                }
                for (const int client : clients) {
                    if (!lines.empty())
                        send(client, lines.data(), lines.size(), MSG_NOSIGNAL);
                }
                continue;
            }
            const ssize_t size = read(fd, buffer, sizeof buffer);
            if (size <= 0) {
                close(fd); // also leaves the epoll set
                for (size_t c = 0; c < clients.size(); ++c) {
                    if (clients[c] == fd) {
                        clients[c] = clients.back();
                        clients.pop_back();
                        break;
                    }
                }
                continue;
            }
            for (const int client : clients) {
                if (client != fd)
                    send(client, buffer, size_t(size), MSG_NOSIGNAL);
            }
            if (peers.empty())
                continue;
            const char *line = buffer;
            const char *end = buffer + size;
            for (const char *newline;
                 (newline = static_cast<const char *>(std::memchr(line, '\n', size_t(end - line))));
                 line = newline + 1) {
                const char *start = line;
                size_t length = size_t(newline - line);
                if (!partial.empty()) {
                    partial.append(line, length);
                    start = partial.data();
                    length = partial.size();
                }
                for (const sockaddr_in &peer : peers)
                    sendto(udp, start, length, 0, reinterpret_cast<const sockaddr *>(&peer),
                        sizeof peer);
                partial.clear();
            }
            partial.append(line, end);
        }
    }
}
