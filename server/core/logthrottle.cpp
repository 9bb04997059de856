#include "logthrottle.h"

#include <chrono>
#include <utility>

qint64 LogThrottle::steadyClockMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

LogThrottle::LogThrottle(int maxLines, int periodMs, Clock clock)
    : m_maxLines(maxLines)
    , m_periodMs(periodMs)
    , m_clock(std::move(clock))
{ }

bool LogThrottle::allow()
{
    const qint64 now = m_clock();
    if (!m_periodStart || now - *m_periodStart >= m_periodMs) {
        m_periodStart = now;
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
