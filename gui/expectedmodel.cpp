#include "expectedmodel.h"

#include "relayserver.h"

#include <QBrush>
#include <QColor>

namespace {

using ClientState = ExpectedClientStatus::State;

bool sameRows(const QList<ExpectedClientStatus> &a, const QList<ExpectedClientStatus> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a.at(i).name != b.at(i).name)
            return false;
    }
    return true;
}

} // namespace

ExpectedModel::ExpectedModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_sampler.setInterval(kSampleIntervalMs);
    connect(&m_sampler, &QTimer::timeout, this, &ExpectedModel::sample);
}

void ExpectedModel::setRelay(RelayServer *relay)
{
    if (m_relay)
        disconnect(m_relay, nullptr, this, nullptr);
    m_relay = relay;
    sample();
    if (!relay) {
        m_sampler.stop();
        return;
    }
    // Start and stop change the list at once, not at the next sample.
    connect(relay, &RelayServer::listening, this, &ExpectedModel::sample);
    connect(relay, &RelayServer::stopped, this, &ExpectedModel::sample);
    m_sampler.start();
}

void ExpectedModel::sample()
{
    QList<ExpectedClientStatus> statuses;
    if (m_relay)
        statuses = m_relay->expectedClients();
    m_sampledAt = QDateTime::currentDateTime();
    if (!sameRows(statuses, m_statuses)) {
        beginResetModel();
        m_statuses = statuses;
        endResetModel();
        return;
    }
    if (statuses.isEmpty())
        return;
    m_statuses = statuses;
    // The texts say "for 5 min": they change as time passes, whatever the states do.
    emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

QString ExpectedModel::durationText(qint64 seconds)
{
    seconds = qMax<qint64>(0, seconds);
    if (seconds < 60)
        return tr("%1 s").arg(seconds);
    const qint64 minutes = seconds / 60;
    if (minutes < 60)
        return tr("%1 min").arg(minutes);
    const qint64 hours = minutes / 60;
    if (hours < 24)
        return tr("%1 h %2 min").arg(hours).arg(minutes % 60);
    return tr("%1 d %2 h").arg(hours / 24).arg(hours % 24);
}

QString ExpectedModel::stateText(const ExpectedClientStatus &status, const QDateTime &now)
{
    const QString duration = durationText(status.since.secsTo(now));
    switch (status.state) {
    case ClientState::Present:
        return tr("present");
    case ClientState::Missing:
        return tr("missing for %1").arg(duration);
    case ClientState::Silent:
        return tr("silent for %1").arg(duration);
    case ClientState::Waiting:
        break;
    }
    return tr("waiting");
}

int ExpectedModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_statuses.size());
}

int ExpectedModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ExpectedModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ExpectedClientStatus &status = m_statuses.at(index.row());
    if (role == Qt::ForegroundRole && index.column() == State) {
        switch (status.state) {
        case ClientState::Missing:
            return QBrush(QColor(0xc6, 0x28, 0x28));
        case ClientState::Silent:
            return QBrush(QColor(0xb2, 0x6a, 0x00));
        case ClientState::Present:
            return QBrush(QColor(0x2e, 0x7d, 0x32));
        case ClientState::Waiting:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Name:
        return status.name;
    case State:
        return stateText(status, m_sampledAt);
    case Match:
        return status.match;
    case Client:
        if (status.clientId == 0)
            return QVariant();
        return status.address.isNull() ? tr("this computer") : status.address.toString();
    case ColumnCount:
        break;
    }
    return {};
}

QVariant ExpectedModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Name:
        return tr("Name");
    case State:
        return tr("State");
    case Match:
        return tr("Match");
    case Client:
        return tr("Connected from");
    case ColumnCount:
        break;
    }
    return {};
}
