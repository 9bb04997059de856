#include "messagebatch.h"

void MessageBatch::grow(qsizetype needed)
{
    // Doubling: a read of many messages grows the buffer a few times, then never again.
    m_bytes.resize(std::max(needed, 2 * m_bytes.size()));
}
