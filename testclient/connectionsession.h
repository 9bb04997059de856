// ConnectionSession: one test client's connection to a relay and everything about it that a
// tab shows: the RelayLink, the log of messages sent and received (with its filter), the
// rates, and repeat sending. The logic behind one ConnectionTab; owned by the main window
// (one per tab), and driven directly by tests.
//
// Messages reach the log in batches: they are collected and appended together at most
// kLogFlushMs later, so that a busy relay costs the table one insertion (and the view one
// scroll) per batch, not per message; sooner when a full log's worth waits, so that what
// waits is bounded as the log is. The rates count every message at once.
#pragma once

#include "messagelogmodel.h"
#include "outgoingmessage.h"
#include "ratemeter.h"
#include "relaylink.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

class QSortFilterProxyModel;
class RepeatSender;

class ConnectionSession : public QObject
{
    Q_OBJECT

public:
    static constexpr int kLogFlushMs = 40;

    explicit ConnectionSession(QObject *parent = nullptr);

    /// Connects to the relay at @p host:@p port, closing any earlier connection.
    void open(const QString &host, quint16 port);
    void close();
    /// Retry by itself after a failed attempt or a lost connection (on by default).
    void setAutoReconnect(bool on) { m_link->setAutoReconnect(on); }
    bool autoReconnect() const { return m_link->autoReconnect(); }

    RelayLink::State state() const { return m_link->state(); }
    /// The state in words: "connected to localhost port 6780", "reconnecting in 3 s: ...".
    QString statusText() const;
    /// "localhost:6780", or "not connected" before the first open().
    QString title() const;

    /// Sends @p message; returns an empty string, or why nothing was sent (a bad escape, not
    /// connected).
    QString send(const OutgoingMessage &message);
    /// Sends @p payload + @p terminator and logs it; false, sending nothing, unless connected.
    bool sendBytes(const QByteArray &payload, const QByteArray &terminator);

    /// Sends @p message every @p intervalMs, @p count times (0: until stopped); returns why it
    /// cannot (a bad escape, not connected), or an empty string. Stops by itself when the
    /// link goes down for good (Disconnected).
    QString startRepeat(const OutgoingMessage &message, int intervalMs, int count);
    void stopRepeat();
    RepeatSender *repeatSender() const { return m_repeat; }

    /// The log of messages; the newest may still wait, up to kLogFlushMs, to be appended.
    MessageLogModel *log() const { return m_log; }
    /// Appends the messages still waiting to the log now.
    void flushLog();
    /// Pauses the log (see MessageLogModel::setPaused()), after appending what came before.
    void setLogPaused(bool paused);
    /// Empties the log, and drops what still waited to be appended.
    void clearLog();
    /// The log as the table shows it: filtered by setFilterText().
    QSortFilterProxyModel *filteredLog() const { return m_filter; }
    /// Shows only messages whose text (as shown) contains @p text, any letter case.
    void setFilterText(const QString &text);
    const RateMeter &rates() const { return m_rates; }
    RelayLink *link() const { return m_link; }

signals:
    void stateChanged(RelayLink::State state);
    /// statusText() changed (also every second while waiting to retry).
    void statusChanged(const QString &text);
    /// The rates were sampled (once a second).
    void ratesChanged();

private:
    void tick();
    void logMessage(MessageLogModel::Direction direction, const QByteArray &bytes);

    RelayLink *m_link;
    MessageLogModel *m_log;
    QSortFilterProxyModel *m_filter;
    QList<MessageLogModel::Entry> m_pendingLog; // not yet in m_log, oldest first
    qint64 m_pendingBytes = 0; // of the messages in m_pendingLog
    QTimer m_logFlush;
    RepeatSender *m_repeat;
    OutgoingMessage m_repeatMessage;
    QByteArray m_repeatPayload;
    RateMeter m_rates;
    QTimer m_tick;
    QElapsedTimer m_sinceSample;
    bool m_opened = false;
};
