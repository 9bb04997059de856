#include "headlessclient.h"

#include "bonjour.h"
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
    if (options.find) {
        m_finder = new RelayFinder(*options.find, this);
        connect(m_finder, &RelayFinder::found, this, &HeadlessClient::onFound);
        connect(m_finder, &RelayFinder::problemChanged, this, &HeadlessClient::onFindProblem);
        m_findWait.setSingleShot(true);
        m_findWait.setInterval(kFindWaitMs);
        connect(&m_findWait, &QTimer::timeout, this, [this] {
            emit finished(
                1, tr("gave up after %1 s: %2").arg(kFindWaitMs / 1000).arg(m_finder->problem()));
        });
    }
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
    if (!m_finder) {
        m_link->open(m_options.host, m_options.port);
        return;
    }
    if (!m_options.retry)
        m_findWait.start();
    m_finder->start();
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

void HeadlessClient::onFound(const FoundRelay &relay)
{
    m_findWait.stop();
    if (m_finishing)
        return;
    const QString host = relay.address.toString();
    std::fprintf(m_err, "%s\n",
        qPrintable(tr("found \"%1\" at %2 port %3").arg(relay.name, host).arg(relay.port)));
    std::fflush(m_err);
    m_link->open(host, relay.port); // (again: it moved)
}

// Says what --find waits for, each time that changes.
void HeadlessClient::onFindProblem()
{
    const QString problem = m_finder->problem();
    if (problem.isEmpty() || m_finishing)
        return;
    const QString waiting = m_findWait.isActive()
        ? tr("waiting up to %1 s: %2").arg((m_findWait.remainingTime() + 500) / 1000).arg(problem)
        : tr("waiting: %1").arg(problem);
    std::fprintf(m_err, "%s\n", qPrintable(waiting));
    std::fflush(m_err);
}

void HeadlessClient::onStateChanged(RelayLink::State state)
{
    if (m_finishing) {
        if (state == RelayLink::State::Disconnected) // finish() is done: all delivered
            emit finished(m_exitCode, m_error);
        return;
    }
    QString where = tr("%1 port %2").arg(m_link->host()).arg(m_link->port());
    if (m_finder)
        where = tr("\"%1\" at %2").arg(m_finder->name(), where);
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
