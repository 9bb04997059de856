#include "signalwatcher.h"

#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalPipe[2] = {-1, -1}; // [0] read by the notifier, [1] written by the handler

extern "C" void onSignal(int number)
{
    const char byte = char(number);
    [[maybe_unused]] const ssize_t written = ::write(g_signalPipe[1], &byte, 1);
}

void watch(int number)
{
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(number, &action, nullptr);
}

} // namespace

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
{
    Q_ASSERT(g_signalPipe[0] == -1); // one per process
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        qFatal("cannot create the socket pair for signal handling");
    m_notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::readSignal);
    watch(SIGINT);
    watch(SIGTERM);
}

void SignalWatcher::watchHangup()
{
    watch(SIGHUP);
    m_watchingHangup = true;
}

SignalWatcher::~SignalWatcher()
{
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    if (m_watchingHangup)
        ::signal(SIGHUP, SIG_DFL);
    ::close(g_signalPipe[0]);
    ::close(g_signalPipe[1]);
    g_signalPipe[0] = g_signalPipe[1] = -1;
}

void SignalWatcher::readSignal()
{
    char byte = 0;
    if (::read(g_signalPipe[0], &byte, 1) != 1)
        return;
    if (byte == SIGHUP) {
        emit hangupReceived();
        return;
    }
    emit terminationRequested(
        byte == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"));
}
