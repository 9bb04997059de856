#include "logthrottle.h"

#include <utility>

LogThrottle::LogThrottle(int maxLines, int periodMs)
    : m_maxLines(maxLines)
    , m_periodMs(periodMs)
{ }

bool LogThrottle::allow()
{
    if (!m_period.isValid() || m_period.hasExpired(m_periodMs)) {
        m_period.start();
        m_linesThisPeriod = 0;
    }
    if (m_linesThisPeriod < m_maxLines) {
        ++m_linesThisPeriod;
        return true;
    }
    ++m_skipped;
    return false;
}

qint64 LogThrottle::takeSkipped()
{
    return std::exchange(m_skipped, 0);
}
