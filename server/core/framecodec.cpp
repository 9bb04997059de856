#include "framecodec.h"

#include <algorithm>
#include <cstring>

FrameCodec::FrameCodec(const Terminator &terminator, qsizetype maxMessageBytes)
    : m_terminator(terminator)
    , m_maxMessageBytes(maxMessageBytes)
    , m_terminatorSlack(terminator.isAuto() ? 1 : terminator.exactBytes().size() - 1)
{
    Q_ASSERT(maxMessageBytes > 0);
}

void FrameCodec::feed(QByteArrayView bytes, MessageBatch &out)
{
    if (m_pending.isEmpty()) {
        // The common case: split straight from the caller's buffer, keep only the tail.
        const qsizetype used = split(bytes, 0, out);
        m_pending = bytes.sliced(used).toByteArray();
    } else {
        // Everything before scanFrom is known to hold no terminator; a multi-byte one may
        // have begun in the last bytes.
        const qsizetype scanFrom = m_terminator.isAuto()
            ? m_pending.size()
            : std::max<qsizetype>(0, m_pending.size() - m_terminatorSlack);
        m_pending.append(bytes);
        m_pending.remove(0, split(m_pending, scanFrom, out));
    }
    limitPending();
}

QByteArray FrameCodec::takeUnterminated()
{
    QByteArray tail;
    tail.swap(m_pending);
    // The pending bytes may exceed the maximum by a possible terminator's first bytes.
    if (!m_discarding && tail.size() > m_maxMessageBytes)
        ++m_droppedMessages;
    if (m_discarding || tail.size() > m_maxMessageBytes)
        tail.clear();
    m_discarding = false;
    return tail;
}

void FrameCodec::finish(MessageBatch &out)
{
    const QByteArray tail = takeUnterminated();
    if (!tail.isEmpty())
        out.append(tail, LineEnding::None);
}

void FrameCodec::splitDatagram(QByteArrayView datagram, MessageBatch &out)
{
    Q_ASSERT(m_pending.isEmpty() && !m_discarding); // a codec for datagrams splits nothing else
    const QByteArrayView tail = datagram.sliced(split(datagram, 0, out, false));
    if (tail.size() > m_maxMessageBytes)
        ++m_droppedMessages;
    else if (!tail.isEmpty())
        out.append(tail, LineEnding::None);
}

// Appends each complete message of data to out (empty ones only when keepEmpty) and returns how
// many bytes were consumed; what is left is the start of an unfinished message.
qsizetype FrameCodec::split(
    QByteArrayView data, qsizetype scanFrom, MessageBatch &out, bool keepEmpty)
{
    qsizetype start = 0;
    for (;;) {
        const Match match = findTerminator(data, std::max(start, scanFrom));
        if (match.at < 0)
            return start;
        QByteArrayView payload = data.sliced(start, match.at - start);
        LineEnding ending = match.ending;
        if (ending == LineEnding::Lf && payload.endsWith('\r')) {
            payload.chop(1);
            ending = LineEnding::CrLf;
        }
        if (m_discarding)
            m_discarding = false; // this terminator ends a message already counted as dropped
        else if (payload.size() > m_maxMessageBytes)
            ++m_droppedMessages;
        else if (keepEmpty || !payload.isEmpty())
            out.append(payload, ending);
        start = match.at + match.length;
    }
}

FrameCodec::Match FrameCodec::findTerminator(QByteArrayView data, qsizetype from) const
{
    if (m_terminator.isAuto()) {
        // Two memchr() calls, each many bytes at a time: the first LF, then a NUL before it.
        const char *begin = data.data() + from;
        const size_t left = size_t(data.size() - from);
        const auto *lf = static_cast<const char *>(std::memchr(begin, '\n', left));
        const size_t beforeLf = lf ? size_t(lf - begin) : left;
        if (const auto *nul = static_cast<const char *>(std::memchr(begin, '\0', beforeLf)))
            return {nul - data.data(), 1, LineEnding::Nul};
        if (!lf)
            return {};
        return {lf - data.data(), 1, LineEnding::Lf};
    }
    const QByteArray &exact = m_terminator.exactBytes();
    const qsizetype at = data.indexOf(exact, from);
    if (at < 0)
        return {};
    return {at, exact.size(), LineEnding::Exact};
}

// Once an unfinished message can no longer fit the maximum size, it is dropped: only the
// bytes that may begin its terminator are kept, and the rest of it is skipped when it comes.
void FrameCodec::limitPending()
{
    if (m_pending.size() <= m_maxMessageBytes + m_terminatorSlack)
        return;
    if (!m_discarding) {
        m_discarding = true;
        ++m_droppedMessages;
    }
    m_pending = m_terminator.isAuto() ? QByteArray() : m_pending.right(m_terminatorSlack);
}
