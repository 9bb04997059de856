// HeadlessClient: socketserver-testclient --headless. Connects (to --host and --port, or to the
// relay --find finds by name), sends (once or as a periodic broadcaster) and/or prints what
// arrives, then reports an exit status. Writes received messages to stdout, flushed line by
// line, and its complaints to stderr. Owned by main().
#pragma once

#include "relaylink.h"
#include "testclientoptions.h"

#include <QObject>
#include <QTimer>

#include <cstdio>

class RelayFinder;
class RepeatSender;
struct FoundRelay;

class HeadlessClient : public QObject
{
    Q_OBJECT

public:
    /// How long --find waits for its relay without --retry (--help says so).
    static constexpr int kFindWaitMs = 10000;

    explicit HeadlessClient(const TestClientOptions &options, FILE *out = stdout,
        FILE *err = stderr, QObject *parent = nullptr);

    /// Connects (with --find: once the relay is found); finished() follows when the work is
    /// done or cannot be done.
    void start();
    /// Stops cleanly (Ctrl+C): what is queued is sent, then finished(0).
    void stop();

    /// One line of --listen output for @p message received at @p timeMs (ms since the epoch),
    /// without the newline: "2026-01-31 14:03:07.215 the message, escaped".
    static QByteArray listenLine(const QByteArray &message, qint64 timeMs);

signals:
    /// The program should exit with @p exitCode; @p error is the sentence to print, if any.
    void finished(int exitCode, const QString &error);

private:
    void onFound(const FoundRelay &relay);
    void onFindProblem();
    void onStateChanged(RelayLink::State state);
    void onMessage(const QByteArray &message);
    void finishWhenSent(int exitCode, const QString &error = QString());

    TestClientOptions m_options;
    FILE *m_out;
    FILE *m_err;
    RelayLink *m_link;
    RepeatSender *m_repeat;
    RelayFinder *m_finder = nullptr; // with --find
    QTimer m_findWait; // --find without --retry: gives up when it expires
    bool m_everConnected = false;
    bool m_sent = false; // the one --send went out (without --every)
    bool m_finishing = false;
    int m_exitCode = 0;
    QString m_error;
};
