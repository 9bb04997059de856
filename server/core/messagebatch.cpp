#include "messagebatch.h"

void MessageBatch::append(QByteArrayView payload, LineEnding ending)
{
    m_bytes.append(payload);
    m_entries.append({m_bytes.size(), ending});
}

void MessageBatch::clear()
{
    // resize(0), unlike QByteArray::clear(), keeps the capacity.
    m_bytes.resize(0);
    m_entries.clear();
}

QByteArrayView MessageBatch::payload(qsizetype index) const
{
    const qsizetype begin = index == 0 ? 0 : m_entries.at(index - 1).end;
    return QByteArrayView(m_bytes).sliced(begin, m_entries.at(index).end - begin);
}
