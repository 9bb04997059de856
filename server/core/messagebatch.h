// MessageBatch: the complete messages one read from one client produced, stored back to back
// in one buffer so that a read of thousands of messages costs no allocation per message.
// Filled by FrameCodec, consumed by RelayServer; the owner reuses it from read to read.
#pragma once

#include "terminator.h"

#include <QByteArray>

#include <vector>

class MessageBatch
{
public:
    /// Appends one message (without its terminator) and how it was ended.
    void append(QByteArrayView payload, LineEnding ending);
    /// Empties the batch and keeps its memory for the next read.
    void clear();

    qsizetype count() const { return qsizetype(m_entries.size()); }
    bool isEmpty() const { return m_entries.empty(); }
    QByteArrayView payload(qsizetype index) const;
    LineEnding ending(qsizetype index) const { return m_entries[size_t(index)].ending; }

private:
    struct Entry
    {
        qsizetype end; // offset just past the payload in m_bytes
        LineEnding ending;
    };
    QByteArray m_bytes;
    std::vector<Entry> m_entries; // a plain vector: appended to once per message
};
