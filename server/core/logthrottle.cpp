#include "logthrottle.h"

#include <utility>

LogThrottle::LogThrottle(int linesPerSecond)
    : m_linesPerSecond(linesPerSecond)
{
}

bool LogThrottle::allow()
{
    if (!m_second.isValid() || m_second.hasExpired(1000)) {
        m_second.start();
        m_linesThisSecond = 0;
    }
    if (m_linesThisSecond < m_linesPerSecond) {
        ++m_linesThisSecond;
        return true;
    }
    ++m_skipped;
    return false;
}

qint64 LogThrottle::takeSkipped()
{
    return std::exchange(m_skipped, 0);
}
