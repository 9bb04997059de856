#include "streams.h"

namespace Soak {

namespace {

constexpr int kMaxFailuresPerReceiver = 10; // past it, one more sentence says how many more

QByteArray crcOf(QByteArrayView text)
{
    return QByteArray::number(qChecksum(text), 16);
}

} // namespace

bool isNumbered(const QByteArray &message)
{
    return message.startsWith("all:") || message.startsWith("arduino:");
}

std::optional<Numbered> parseNumbered(const QByteArray &message)
{
    const QList<QByteArray> fields = message.split(':');
    if (fields.size() != 5)
        return std::nullopt;
    const qsizetype crcAt = message.lastIndexOf(':');
    if (fields[4] != crcOf(QByteArrayView(message).first(crcAt)))
        return std::nullopt;
    bool ok = false;
    const qint64 seq = fields[2].toLongLong(&ok);
    if (!ok || seq < 0)
        return std::nullopt;
    return Numbered{fields[0] + ':' + fields[1], seq};
}

QByteArray Senders::next(const QByteArray &to, const QByteArray &from)
{
    static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    const QByteArray stream = to + ':' + from;
    QByteArray message = stream + ':' + QByteArray::number(m_next[stream]++) + ':';
    const int length = int(m_random.bounded(120));
    for (int i = 0; i < length; ++i)
        message += kLetters[m_random.bounded(int(sizeof kLetters - 1))];
    return message + ':' + crcOf(message);
}

QList<QByteArray> Senders::streams() const
{
    QList<QByteArray> names = m_next.keys();
    std::sort(names.begin(), names.end());
    return names;
}

void Receiver::take(const QByteArray &message)
{
    const std::optional<Numbered> numbered = parseNumbered(message);
    if (!numbered) {
        fail(QStringLiteral("%1 received a corrupted message: '%2'")
                 .arg(m_name, QString::fromLatin1(message.left(200))));
        return;
    }
    ++m_received;
    Stream &stream = m_streams[numbered->stream];
    const QString name = QString::fromLatin1(numbered->stream);
    if (numbered->seq < stream.next) {
        fail(QStringLiteral("%1 received %2 message %3 after message %4 (duplicated or reordered)")
                 .arg(m_name, name)
                 .arg(numbered->seq)
                 .arg(stream.next - 1));
        return;
    }
    if (numbered->seq > stream.next) {
        const qint64 first = stream.next;
        const qint64 last = numbered->seq - 1;
        const bool allowed = std::any_of(stream.mayLose.cbegin(), stream.mayLose.cend(),
            [&](const Range &range) { return range.first <= first && last <= range.last; });
        if (allowed)
            m_lostInWindows += last - first + 1;
        else
            fail(QStringLiteral("%1 never received %2 %3 (lost outside any restart or unplug)")
                     .arg(m_name, name,
                         first == last ? QStringLiteral("message %1").arg(first)
                                       : QStringLiteral("messages %1 to %2").arg(first).arg(last)));
    }
    stream.next = numbered->seq + 1;
}

void Receiver::openWindow(const QByteArray &stream)
{
    Stream &s = m_streams[stream];
    s.mayLose.append(Range{s.next});
}

void Receiver::closeWindow(const QByteArray &stream, qint64 lastSeq)
{
    Stream &s = m_streams[stream];
    if (!s.mayLose.isEmpty())
        s.mayLose.last().last = lastSeq;
}

void Receiver::fail(const QString &sentence)
{
    if (m_failureCount < kMaxFailuresPerReceiver)
        m_failures->append(sentence);
    else if (m_failureCount == kMaxFailuresPerReceiver)
        m_failures->append(QStringLiteral("%1: more failures like these, not shown").arg(m_name));
    ++m_failureCount;
}

} // namespace Soak
