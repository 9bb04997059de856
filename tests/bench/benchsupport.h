// The helpers that the benchmark's load generators, loadgen and mqttload, share: errors and
// usage errors, CLOCK_MONOTONIC time, a process's CPU time, a file descriptor's owner, a
// timerfd, cutting a byte stream into lines, reading options and their numbers, formatting
// figures. Header-only, Linux only.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace Bench {

constexpr int64_t kNsPerSecond = 1'000'000'000;

// ------------------------------------------------------------------------------------ basics

// A mistake on the command line (exit status 2).
struct UsageError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(const std::string &what)
{
    throw std::runtime_error(what);
}

inline std::string systemError(const std::string &what)
{
    return what + ": " + std::strerror(errno);
}

inline int64_t nowNs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return int64_t(now.tv_sec) * kNsPerSecond + now.tv_nsec;
}

inline double nsToSeconds(int64_t ns)
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

// A new epoll instance.
inline Fd createEpoll()
{
    Fd epoll(epoll_create1(EPOLL_CLOEXEC));
    if (epoll.get() < 0)
        fail(systemError("epoll_create1"));
    return epoll;
}

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

// utime + stime of pid, in seconds.
inline double cpuSeconds(int pid)
{
    const std::string path = "/proc/" + std::to_string(pid) + "/stat";
    FILE *file = std::fopen(path.c_str(), "r");
    if (!file)
        fail(systemError("cannot read " + path));
    char text[1024] = {};
    const size_t size = std::fread(text, 1, sizeof text - 1, file);
    std::fclose(file);
    // After the name in parentheses (which may hold anything): state is field 3, utime 14.
    const char *p = std::strrchr(text, ')');
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    if (!p || size == 0
        || std::sscanf(
               p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime)
            != 2)
        fail("cannot parse " + path);
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

// ------------------------------------------------------------------------------------ options

// An option without a value, which sets a bool.
struct Flag
{
    const char *name;
    bool *value;
};

// For parseOptions(): walks the command line. --help (or -h) prints help and ends the program
// (status 0); one of flags sets its bool; any other option goes to onOption with the argument
// that must follow it.
template<typename OnOption>
void forEachOption(
    int argc, char **argv, const char *help, std::initializer_list<Flag> flags, OnOption &&onOption)
{
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        if (name == "--help" || name == "-h") {
            std::fputs(help, stdout);
            std::exit(0);
        }
        const auto flag = std::find_if(
            flags.begin(), flags.end(), [&name](const Flag &f) { return name == f.name; });
        if (flag != flags.end()) {
            *flag->value = true;
            continue;
        }
        if (i + 1 >= argc)
            throw UsageError(name.rfind("--", 0) == 0 ? name + " wants a value"
                                                      : "unknown argument \"" + name + "\"");
        onOption(name, std::string(argv[++i]));
    }
}

// value as printf's %g writes it (1, 0.1, 1e+06), for messages.
inline std::string shortNumber(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

// The number text, from min to max, for option; throws a UsageError otherwise.
inline double parseNumber(
    const std::string &option, const std::string &text, double min, double max)
{
    char *end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(value >= min && value <= max))
        throw UsageError(option + " wants a number from " + shortNumber(min) + " to "
            + shortNumber(max) + ", not \"" + text + "\"");
    return value;
}

// The whole number text, from min to max, for option; throws a UsageError otherwise.
inline uint64_t parseWhole(
    const std::string &option, const std::string &text, double min, double max)
{
    const double value = parseNumber(option, text, min, max);
    if (value != std::floor(value))
        throw UsageError(option + " wants a whole number, not \"" + text + "\"");
    return uint64_t(value);
}

// ------------------------------------------------------------------------------------ figures

// value with decimals decimals, or null (JSON) when it is not a finite number.
inline std::string number(double value, int decimals)
{
    if (!std::isfinite(value))
        return "null";
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

// The fraction percentile of sorted (nanoseconds), in milliseconds; NaN when it is empty.
inline double percentileMs(const std::vector<int64_t> &sorted, double fraction)
{
    if (sorted.empty())
        return std::nan("");
    const size_t index = std::min(sorted.size() - 1, size_t(fraction * double(sorted.size())));
    return double(sorted[index]) / 1e6;
}

} // namespace Bench
