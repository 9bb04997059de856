// LogThrottle: caps how many lines a noisy source (a flood of messages under -v, a client that
// keeps sending oversize messages) writes per period, and counts the lines it held back so
// the log can say so.
#pragma once

#include <QtGlobal>

#include <functional>
#include <optional>

class LogThrottle
{
public:
    /// Milliseconds on a clock that never goes back. Tests pass their own to step through periods.
    using Clock = std::function<qint64()>;
    /// The system's monotonic clock, the default.
    static qint64 steadyClockMs();

    LogThrottle(int maxLines, int periodMs, Clock clock = steadyClockMs);

    /// True when one more line may be written now; otherwise the line is counted as skipped.
    bool allow();
    /// Counts @p count more lines as skipped, without asking for each.
    void skip(qint64 count) { m_skipped += count; }
    /// Returns and resets how many lines were skipped since the last call.
    qint64 takeSkipped();

private:
    int m_maxLines;
    int m_periodMs;
    Clock m_clock;
    int m_linesThisPeriod = 0;
    qint64 m_skipped = 0;
    std::optional<qint64> m_periodStart; // none before the first line
};
