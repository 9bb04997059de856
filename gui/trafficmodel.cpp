#include "trafficmodel.h"

#include "byteescape.h"

#include <QColor>
#include <QDateTime>

TrafficModel::TrafficModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void TrafficModel::setRelay(RelayServer *relay)
{
    if (m_relay)
        disconnect(m_relay, nullptr, this, nullptr);
    m_relay = relay;
    m_names.clear();
    if (!relay)
        return;
    const QList<ClientInfo> clients = relay->clients();
    for (const ClientInfo &client : clients)
        m_names.insert(client.id, client.peerName());
    connect(relay, &RelayServer::clientConnected, this, [this](const ClientInfo &client) {
        m_names.insert(client.id, client.peerName());
        append(Kind::Connected, QDateTime::currentMSecsSinceEpoch(), client.peerName(),
            tr("connected"));
    });
    connect(relay, &RelayServer::clientDisconnected, this,
        [this](const ClientInfo &client, const QString &reason) {
            m_names.remove(client.id);
            append(Kind::Disconnected, QDateTime::currentMSecsSinceEpoch(), client.peerName(),
                tr("disconnected (%1)").arg(reason));
        });
    connect(relay, &RelayServer::messageTapped, this, &TrafficModel::onMessage);
    relay->setTapEnabled(true);
}

void TrafficModel::setMaxRows(int rows)
{
    m_maxRows = qMax(1, rows);
    if (m_entries.size() > m_maxRows) {
        const int excess = int(m_entries.size()) - m_maxRows;
        beginRemoveRows(QModelIndex(), 0, excess - 1);
        m_entries.remove(0, excess);
        endRemoveRows();
    }
}

void TrafficModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (!paused && m_missed > 0) {
        const qint64 missed = m_missed;
        m_missed = 0;
        append(Kind::Note, QDateTime::currentMSecsSinceEpoch(), QString(),
            tr("(%n event(s) not shown while paused)", nullptr,
                int(qMin<qint64>(missed, INT_MAX))));
    }
}

void TrafficModel::clear()
{
    if (m_entries.isEmpty())
        return;
    beginRemoveRows(QModelIndex(), 0, int(m_entries.size()) - 1);
    m_entries.clear();
    endRemoveRows();
}

void TrafficModel::append(Kind kind, qint64 timeMs, const QString &client, const QString &text)
{
    if (m_paused) {
        ++m_missed;
        return;
    }
    // Trim in steps of a tenth, so that a full log does not remove one row per message.
    if (m_entries.size() >= m_maxRows) {
        const int excess = int(m_entries.size()) - m_maxRows + qMax(1, m_maxRows / 10);
        const int remove = qMin(excess, int(m_entries.size()));
        beginRemoveRows(QModelIndex(), 0, remove - 1);
        m_entries.remove(0, remove);
        endRemoveRows();
    }
    const int row = int(m_entries.size());
    beginInsertRows(QModelIndex(), row, row);
    m_entries.append({kind, timeMs, client, text});
    endInsertRows();
}

void TrafficModel::onMessage(const TappedMessage &message)
{
    if (message.skippedBefore > 0) {
        append(Kind::Note, message.timeMs, QString(),
            tr("(%1 messages not shown: more than %2 a second)")
                .arg(message.skippedBefore)
                .arg(RelayServer::kTapMessagesPerSecond));
    }
    append(Kind::Message, message.timeMs, senderName(message),
        ByteEscape::toDisplay(message.payload, kShownMessageBytes));
}

QString TrafficModel::senderName(const TappedMessage &message) const
{
    if (message.fromBroker)
        return QStringLiteral("MQTT");
    if (message.clientId == 0)
        return tr("relay");
    return m_names.value(message.clientId, tr("client %1").arg(message.clientId));
}

QString TrafficModel::timeText(qint64 timeMs)
{
    return QDateTime::fromMSecsSinceEpoch(timeMs).toString(QStringLiteral("HH:mm:ss.zzz"));
}

QString TrafficModel::toText() const
{
    QString text;
    for (const Entry &entry : m_entries) {
        text += QDateTime::fromMSecsSinceEpoch(entry.timeMs).toString(Qt::ISODateWithMs) + u'\t'
            + entry.client + u'\t' + entry.text + u'\n';
    }
    return text;
}

int TrafficModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int TrafficModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TrafficModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = m_entries.at(index.row());
    switch (role) {
    case KindRole:
        return int(entry.kind);
    case Qt::ForegroundRole:
        // Connections and remarks stand apart from the messages themselves.
        if (entry.kind == Kind::Connected)
            return QColor(0x1e, 0x7d, 0x32);
        if (entry.kind == Kind::Disconnected)
            return QColor(0xb2, 0x3b, 0x1e);
        if (entry.kind == Kind::Note)
            return QColor(Qt::gray);
        return {};
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        break;
    default:
        return {};
    }
    switch (Column(index.column())) {
    case Time:
        return timeText(entry.timeMs);
    case Client:
        return entry.client;
    case Message:
        return entry.text;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant TrafficModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Client:
        return tr("Client");
    case Message:
        return tr("Message");
    case ColumnCount:
        break;
    }
    return {};
}
