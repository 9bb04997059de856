#include "repeatsender.h"

RepeatSender::RepeatSender(SendFunction send, QObject *parent)
    : QObject(parent)
    , m_send(std::move(send))
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RepeatSender::sendOne);
}

void RepeatSender::start(int intervalMs, int count)
{
    m_timer.stop();
    m_sent = 0;
    m_count = qMax(0, count);
    m_timer.start(qMax(1, intervalMs));
    emit progressed(m_sent, m_count);
    sendOne();
}

void RepeatSender::stop()
{
    if (!m_timer.isActive())
        return;
    m_timer.stop();
    emit finished();
}

void RepeatSender::sendOne()
{
    if (m_send())
        ++m_sent;
    emit progressed(m_sent, m_count);
    if (m_count > 0 && m_sent >= m_count)
        stop();
}
