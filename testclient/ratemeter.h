// RateMeter: messages in and out of one connection: totals, and the rate over the last
// sample period. Pure; the owner counts each message and calls sample() about once a second.
#pragma once

#include <QtGlobal>

class RateMeter
{
public:
    void countIn() { ++m_totalIn; }
    void countOut() { ++m_totalOut; }
    /// Ends a sample period of @p elapsedMs: the rates become the messages counted in it
    /// per second.
    void sample(qint64 elapsedMs);

    qint64 totalIn() const { return m_totalIn; }
    qint64 totalOut() const { return m_totalOut; }
    double inPerSecond() const { return m_inPerSecond; }
    double outPerSecond() const { return m_outPerSecond; }

private:
    qint64 m_totalIn = 0;
    qint64 m_totalOut = 0;
    qint64 m_sampledIn = 0; // the totals at the last sample
    qint64 m_sampledOut = 0;
    double m_inPerSecond = 0;
    double m_outPerSecond = 0;
};
