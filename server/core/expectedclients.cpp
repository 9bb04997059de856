#include "expectedclients.h"

#include "netaddress.h"

#include <chrono>
#include <utility>

namespace {

using State = ExpectedClientStatus::State;

// Today's times alone, older ones with their date.
QString timeText(const QDateTime &time)
{
    const QDateTime local = time.toLocalTime();
    if (local.date() == QDate::currentDate())
        return local.toString(QStringLiteral("HH:mm:ss"));
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace

QString ExpectedClientStatus::stateName(State state)
{
    switch (state) {
    case State::Present:
        return QStringLiteral("present");
    case State::Missing:
        return QStringLiteral("missing");
    case State::Silent:
        return QStringLiteral("silent");
    case State::Waiting:
        break;
    }
    return QStringLiteral("waiting");
}

QString ExpectedClientAlarm::logLine() const
{
    if (state == u"back")
        return QStringLiteral("expected client %1 (%2) back (%3 since %4)")
            .arg(name, where, was, timeText(since));
    return QStringLiteral("expected client %1 (%2) %3 since %4")
        .arg(name, where, state, timeText(since));
}

QByteArray ExpectedClientAlarm::message(const QByteArray &messageTemplate) const
{
    QByteArray message = messageTemplate;
    message.replace("{name}", name.toUtf8());
    message.replace("{state}", state.toUtf8());
    message.replace("{address}", where.toUtf8());
    return message;
}

qint64 ExpectedClients::steadyClock()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

ExpectedClients::ExpectedClients(const RelayConfig &config, Clock steady, Clock wall)
    : m_clock(std::move(steady))
    , m_wallClock(std::move(wall))
    , m_startMs(m_clock())
    , m_graceMs(config.expectGraceSeconds * 1000LL)
    , m_silenceMs(config.expectSilenceSeconds * 1000LL)
{
    for (const Expectation &expectation : config.expected) {
        Watch watch;
        watch.status.name = expectation.name;
        watch.status.match = expectation.matchText();
        watch.status.since = timeOf(m_startMs, m_startMs);
        watch.goneSinceMs = m_startMs;
        watch.where
            = expectation.address.isNull() ? watch.status.match : expectation.address.toString();
        m_watches.append(watch);
    }
}

QList<ExpectedClientAlarm> ExpectedClients::sample(const QList<ClientInfo> &named)
{
    const qint64 now = m_clock();
    const bool inStartGrace = now - m_startMs < m_graceMs;
    QList<ExpectedClientAlarm> alarms;
    for (Watch &watch : m_watches) {
        ExpectedClientStatus &status = watch.status;
        // Its first connection stands for it; the latest activity of any of them counts.
        const ClientInfo *client = nullptr;
        qint64 idleMs = 0;
        for (const ClientInfo &candidate : named) {
            if (candidate.name != status.name)
                continue;
            idleMs = client ? qMin(idleMs, candidate.idleMs) : candidate.idleMs;
            if (!client)
                client = &candidate;
        }
        State state;
        if (client) {
            watch.where = client->hostText();
            status.clientId = client->id;
            status.address = NetAddress::unmapped(client->address);
            const bool silent = m_silenceMs > 0 && !inStartGrace && idleMs >= m_silenceMs;
            state = silent ? State::Silent : State::Present;
            status.since = silent ? timeOf(now - idleMs, now) : client->connectedSince;
        } else {
            status.clientId = 0;
            status.address.clear();
            if (status.state == State::Present || status.state == State::Silent)
                watch.goneSinceMs = now; // noticed gone now: the grace starts
            state = now - watch.goneSinceMs >= m_graceMs ? State::Missing : State::Waiting;
            status.since = timeOf(watch.goneSinceMs, now);
        }
        const State before = std::exchange(status.state, state);
        if ((state == State::Missing || state == State::Silent) && state != before) {
            watch.alarmed = true;
            watch.alarmState = ExpectedClientStatus::stateName(state);
            watch.alarmSince = status.since;
            alarms.append({status.name, watch.alarmState, watch.where, status.since, {}});
        } else if (state == State::Present && watch.alarmed) {
            watch.alarmed = false;
            alarms.append({status.name, QStringLiteral("back"), watch.where, watch.alarmSince,
                watch.alarmState});
        }
    }
    return alarms;
}

// @p steadyMs, a moment on the steady clock, as the time of day it was (seen from @p nowMs).
QDateTime ExpectedClients::timeOf(qint64 steadyMs, qint64 nowMs) const
{
    return QDateTime::fromMSecsSinceEpoch(m_wallClock() - (nowMs - steadyMs));
}

QList<ExpectedClientStatus> ExpectedClients::statuses() const
{
    QList<ExpectedClientStatus> statuses;
    statuses.reserve(m_watches.size());
    for (const Watch &watch : m_watches)
        statuses.append(watch.status);
    return statuses;
}
