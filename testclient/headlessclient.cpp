#include "headlessclient.h"

#include "byteescape.h"
#include "linkreason.h"
#include "repeatsender.h"

#include <QDateTime>

HeadlessClient::HeadlessClient(
    const TestClientOptions &options, FILE *out, FILE *err, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_out(out)
    , m_err(err)
    , m_link(new RelayLink(Terminator::autoDetect(), 64 * 1024, this))
    , m_repeat(new RepeatSender(
          [this] { return m_link->send(m_options.sendPayload, m_options.send->terminator()); },
          this))
{
    m_link->setAutoReconnect(options.retry);
    connect(m_link, &RelayLink::stateChanged, this, &HeadlessClient::onStateChanged);
    connect(m_link, &RelayLink::messageReceived, this, &HeadlessClient::onMessage);
    connect(m_repeat, &RepeatSender::finished, this, [this] {
        if (!m_options.listen && m_options.count > 0 && m_repeat->sentCount() >= m_options.count)
            finishWhenSent(0);
    });
}

void HeadlessClient::start()
{
    m_link->open(m_options.host, m_options.port);
}

void HeadlessClient::stop()
{
    m_repeat->stop();
    finishWhenSent(0);
}

QByteArray HeadlessClient::listenLine(const QByteArray &message, qint64 timeMs)
{
    return QDateTime::fromMSecsSinceEpoch(timeMs)
               .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"))
               .toUtf8()
        + ' ' + ByteEscape::toDisplay(message).toUtf8();
}

void HeadlessClient::onStateChanged(RelayLink::State state)
{
    if (m_finishing) {
        if (state == RelayLink::State::Disconnected) // finish() is done: all delivered
            emit finished(m_exitCode, m_error);
        return;
    }
    const QString where = tr("%1 port %2").arg(m_options.host).arg(m_options.port);
    switch (state) {
    case RelayLink::State::Connected:
        if (m_options.retry && m_everConnected)
            std::fprintf(m_err, "%s\n", qPrintable(tr("connected to %1 again").arg(where)));
        m_everConnected = true;
        if (m_options.send && m_options.everyMs > 0) {
            // Started once: while the link is down (--retry) it keeps going and counts only
            // the messages that went out, so --count is the number sent in all.
            if (!m_repeat->isRunning() && m_repeat->sentCount() == 0)
                m_repeat->start(m_options.everyMs, m_options.count);
        } else if (m_options.send && !m_sent) {
            m_sent = m_link->send(m_options.sendPayload, m_options.send->terminator());
            if (!m_options.listen)
                finishWhenSent(0);
        }
        break;
    case RelayLink::State::WaitingToRetry:
        std::fprintf(m_err, "%s\n",
            qPrintable(
                tr("%1 %2: %3; trying again in %4 s")
                    .arg(m_everConnected ? tr("lost the connection to") : tr("cannot connect to"),
                        where, linkReason(*m_link))
                    .arg((m_link->retryInMs() + 999) / 1000)));
        std::fflush(m_err);
        break;
    case RelayLink::State::Disconnected:
        emit finished(1,
            tr("%1 %2: %3")
                .arg(m_everConnected ? tr("lost the connection to") : tr("cannot connect to"),
                    where, linkReason(*m_link)));
        break;
    case RelayLink::State::Connecting:
        break;
    }
}

void HeadlessClient::onMessage(const QByteArray &message)
{
    if (!m_options.listen || m_finishing) // while finishing, what arrives is read and dropped
        return;
    if (m_options.raw) {
        std::fwrite(message.constData(), 1, size_t(message.size()), m_out);
        std::fputc('\n', m_out);
    } else {
        const QByteArray line = listenLine(message, QDateTime::currentMSecsSinceEpoch());
        std::fprintf(m_out, "%s\n", line.constData());
    }
    std::fflush(m_out);
}

// Exits once what was sent has surely reached the relay (RelayLink::finish()).
void HeadlessClient::finishWhenSent(int exitCode, const QString &error)
{
    if (m_finishing)
        return;
    m_finishing = true;
    m_exitCode = exitCode;
    m_error = error;
    if (m_link->state() == RelayLink::State::Connected)
        m_link->finish();
    else
        emit finished(m_exitCode, m_error);
}
