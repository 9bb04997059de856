#include "ratemeter.h"

void RateMeter::sample(qint64 elapsedMs)
{
    if (elapsedMs <= 0)
        return;
    m_inPerSecond = double(m_totalIn - m_sampledIn) * 1000.0 / double(elapsedMs);
    m_outPerSecond = double(m_totalOut - m_sampledOut) * 1000.0 / double(elapsedMs);
    m_sampledIn = m_totalIn;
    m_sampledOut = m_totalOut;
}
