// MessageBatch: the complete messages one read from one client produced, stored back to back
// in one buffer so that a read of thousands of messages costs no allocation per message.
// Filled by FrameCodec, consumed by RelayServer; the owner reuses it from read to read.
#pragma once

#include "terminator.h"

#include <QByteArray>

#include <algorithm>
#include <cstring>
#include <vector>

class MessageBatch
{
public:
    // Inline, and without QByteArray::append(): these run once per message, where a call and
    // append()'s checks cost several times the copy.

    /// Appends one message (without its terminator) and how it was ended.
    void append(QByteArrayView payload, LineEnding ending)
    {
        const qsizetype end = m_used + payload.size();
        if (end > m_bytes.size())
            grow(end);
        if (!payload.isEmpty())
            std::memcpy(m_bytes.data() + m_used, payload.data(), size_t(payload.size()));
        m_used = end;
        m_entries.push_back({end, ending});
    }
    /// Drops the messages from index @p count on, keeping the memory (OscCodec takes back
    /// what a datagram it then finds malformed gave).
    void truncate(qsizetype count)
    {
        m_used = count == 0 ? 0 : m_entries[size_t(count - 1)].end;
        m_entries.resize(size_t(count));
    }
    /// Empties the batch and keeps its memory for the next read.
    void clear()
    {
        m_used = 0;
        m_entries.clear();
    }

    qsizetype count() const { return qsizetype(m_entries.size()); }
    bool isEmpty() const { return m_entries.empty(); }
    QByteArrayView payload(qsizetype index) const
    {
        const qsizetype begin = index == 0 ? 0 : m_entries[size_t(index - 1)].end;
        return QByteArrayView(m_bytes.constData() + begin, m_entries[size_t(index)].end - begin);
    }
    LineEnding ending(qsizetype index) const { return m_entries[size_t(index)].ending; }

private:
    struct Entry
    {
        qsizetype end; // offset just past the payload in m_bytes
        LineEnding ending;
    };
    void grow(qsizetype needed);

    QByteArray m_bytes; // the payloads, back to back; its size is its capacity
    qsizetype m_used = 0; // of m_bytes
    std::vector<Entry> m_entries; // a plain vector: its capacity is kept by clear()
};
