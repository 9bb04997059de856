// barerelay: the least a relay can do, as the benchmark's floor for the connections workload.
// One thread, epoll, and for every read one plain send() of the same bytes to every client:
// no framing, no queue (what a client cannot take at once is lost), no limits. It is not a
// usable relay; it shows what this machine's send() calls cost, so that socketserver's time to
// reach 10,000 clients can be read against it.
//
//   usage: barerelay PORT   (127.0.0.1; PORT 0 picks one; prints "listening on PORT")
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
#include <vector>

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: barerelay PORT\n");
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    rlimit files {};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);

    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const int on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address {};
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
    std::printf("listening on %d\n", ntohs(address.sin_port));
    std::fflush(stdout);

    const int poller = epoll_create1(0);
    epoll_event event {};
    event.events = EPOLLIN;
    event.data.fd = listener;
    epoll_ctl(poller, EPOLL_CTL_ADD, listener, &event);
    std::vector<int> clients;
    std::vector<epoll_event> ready(1024);
    char buffer[64 * 1024];
    for (;;) {
        const int count = epoll_wait(poller, ready.data(), int(ready.size()), -1);
        for (int i = 0; i < count; ++i) {
            const int fd = ready[size_t(i)].data.fd;
            if (fd == listener) {
                for (int client; (client = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
                    event.data.fd = client;
                    epoll_ctl(poller, EPOLL_CTL_ADD, client, &event);
                    clients.push_back(client);
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
            for (const int client : clients)
                send(client, buffer, size_t(size), MSG_NOSIGNAL);
        }
    }
}
