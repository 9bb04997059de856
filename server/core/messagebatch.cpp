#include "messagebatch.h"

#include <cstring>

// resize() and memcpy(), not QByteArray::append(): this runs once per message, and append()
// costs several times the copy for small ones.
void MessageBatch::append(QByteArrayView payload, LineEnding ending)
{
    const qsizetype at = m_bytes.size();
    m_bytes.resize(at + payload.size());
    if (!payload.isEmpty())
        std::memcpy(m_bytes.data() + at, payload.data(), size_t(payload.size()));
    m_entries.push_back({m_bytes.size(), ending});
}

void MessageBatch::clear()
{
    // resize(0), unlike QByteArray::clear(), keeps the capacity.
    m_bytes.resize(0);
    m_entries.clear(); // std::vector keeps its capacity too
}

QByteArrayView MessageBatch::payload(qsizetype index) const
{
    const qsizetype begin = index == 0 ? 0 : m_entries[size_t(index - 1)].end;
    return QByteArrayView(m_bytes).sliced(begin, m_entries[size_t(index)].end - begin);
}
