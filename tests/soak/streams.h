// The soak's checked streams: numbered messages, and the book of who received what.
//
// A checked message is "TO:FROM:SEQ:PAYLOAD:CRC" (the exhibits' TO:FROM:MESSAGE convention):
// TO is "all" or "arduino" (the serial relay writes only "arduino:" messages to the board),
// FROM the sender, SEQ counts from 0 per stream (a stream is "TO:FROM"), PAYLOAD random
// letters, CRC the CRC-16 of everything before it in hex. A receiver checks each stream's
// messages arrive complete, uncorrupted and in order. Messages may only go missing while a
// fault window (a relay restart, an unplugged board) is open for that receiver and stream, and
// then only those the receiver had not yet received when the window opened, up to the last one
// sent before it closed.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <limits>
#include <optional>

namespace Soak {

/// A checked message, parsed.
struct Numbered
{
    QByteArray stream; ///< "TO:FROM"
    qint64 seq = 0;
};

/// Whether @p message claims to be a checked message (starts with "all:" or "arduino:").
bool isNumbered(const QByteArray &message);
/// The checked message's stream and number; nullopt when it is malformed or its CRC is wrong.
std::optional<Numbered> parseNumbered(const QByteArray &message);

/// Every checked stream's sender side: hands out the next message of a stream.
class Senders
{
public:
    explicit Senders(quint32 seed)
        : m_random(seed)
    { }
    /// The next message of stream "TO:FROM" (without its line ending); counts it as sent.
    QByteArray next(const QByteArray &to, const QByteArray &from);
    /// The number the stream's next message will have (= how many were sent).
    qint64 sentCount(const QByteArray &stream) const { return m_next.value(stream); }
    QList<QByteArray> streams() const;

private:
    QRandomGenerator m_random;
    QHash<QByteArray, qint64> m_next;
};

/// One receiver's view of every stream: what it got, and the windows in which it may lose some.
class Receiver
{
public:
    explicit Receiver(QString name, QStringList *failures)
        : m_name(std::move(name))
        , m_failures(failures)
    { }

    QString name() const { return m_name; }

    /// Checks one message that arrived (a checked one, or one that only looks like one).
    void take(const QByteArray &message);

    /// From now on, messages of @p stream this receiver has not got yet may go missing.
    void openWindow(const QByteArray &stream);
    /// ...up to @p lastSeq, the last one sent before the window closed.
    void closeWindow(const QByteArray &stream, qint64 lastSeq);

    /// The number of the next message expected in @p stream (= received, plus those lost).
    qint64 expected(const QByteArray &stream) const { return m_streams.value(stream).next; }
    qint64 receivedCount() const { return m_received; }
    qint64 lostInWindows() const { return m_lostInWindows; }

private:
    struct Range
    {
        qint64 first = 0;
        qint64 last = std::numeric_limits<qint64>::max(); // open until the window closes
    };
    struct Stream
    {
        qint64 next = 0;
        QList<Range> mayLose; // the newest last
    };
    void fail(const QString &sentence);

    QString m_name;
    QStringList *m_failures;
    QHash<QByteArray, Stream> m_streams;
    qint64 m_received = 0;
    qint64 m_lostInWindows = 0;
    int m_failureCount = 0;
};

} // namespace Soak
