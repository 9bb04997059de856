#include "clientsmodel.h"

#include "relayserver.h"

#include <QLocale>

namespace {

bool countersDiffer(const ClientInfo &a, const ClientInfo &b)
{
    return a.messagesIn != b.messagesIn || a.messagesOut != b.messagesOut || a.bytesIn != b.bytesIn
        || a.bytesOut != b.bytesOut || a.lastActivity != b.lastActivity
        || a.droppedMessages != b.droppedMessages || a.malformedDatagrams != b.malformedDatagrams
        || a.unsentMessages != b.unsentMessages
        || a.name != b.name; // named by its first message (--expect NAME=prefix:TEXT)
}

bool isUdp(const ClientInfo &client)
{
    return client.kind == ClientInfo::Kind::Udp || client.kind == ClientInfo::Kind::Osc;
}

// "TCP", "UDP", "OSC", ...; "Target" for a UDP target, as the settings call it (the UDP port's
// other rows say UDP or OSC; "OSC target" would not leave the table room for its columns).
QString kindText(const ClientInfo &client)
{
    return client.udpTarget ? ClientsModel::tr("Target") : ClientInfo::kindName(client.kind);
}

// The last time it sent something; none for a UDP target that has never sent anything (it is
// listed from the start, not because it was heard).
QDateTime lastActivity(const ClientInfo &client)
{
    return client.udpTarget && client.bytesIn == 0 ? QDateTime() : client.lastActivity;
}

// Messages it sent that were not relayed: over the size limit, or datagrams that are not OSC.
qint64 droppedIn(const ClientInfo &client)
{
    return client.droppedMessages + client.malformedDatagrams;
}

// "12", or "12 (3 dropped)" when some of what it sent was not relayed.
QString countText(qint64 count, qint64 notCounted, const QString &what)
{
    const QLocale locale;
    if (notCounted == 0)
        return locale.toString(count);
    return QStringLiteral("%1 (%2 %3)")
        .arg(locale.toString(count), locale.toString(notCounted), what);
}

// An expected client by its name: "kiosk3 (192.168.1.23)".
QString addressText(const ClientInfo &client)
{
    const QString host = client.hostText();
    return client.name.isEmpty() ? host : QStringLiteral("%1 (%2)").arg(client.name, host);
}

QString timeText(const QDateTime &time)
{
    if (!time.isValid())
        return QStringLiteral("–");
    const QDateTime local = time.toLocalTime();
    // Today's times alone; older ones with their date.
    if (local.date() == QDate::currentDate())
        return local.toString(QStringLiteral("HH:mm:ss"));
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace

ClientsModel::ClientsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_sampler.setInterval(kSampleIntervalMs);
    connect(&m_sampler, &QTimer::timeout, this, &ClientsModel::sample);
}

void ClientsModel::setRelay(RelayServer *relay)
{
    if (m_relay)
        disconnect(m_relay, nullptr, this, nullptr);
    beginResetModel();
    m_relay = relay;
    m_clients.clear();
    m_rows.clear();
    if (relay) {
        m_clients = relay->clients();
        reindexFrom(0);
    }
    endResetModel();
    if (!relay) {
        m_sampler.stop();
        return;
    }
    connect(relay, &RelayServer::clientConnected, this, &ClientsModel::addClient);
    connect(relay, &RelayServer::clientDisconnected, this,
        [this](const ClientInfo &client) { removeClient(client); });
    m_sampler.start();
}

quint64 ClientsModel::clientId(int row) const
{
    return row >= 0 && row < m_clients.size() ? m_clients.at(row).id : 0;
}

int ClientsModel::rowOf(quint64 id) const
{
    return m_rows.value(id, -1);
}

void ClientsModel::sample()
{
    if (!m_relay || m_clients.isEmpty())
        return;
    const QList<ClientInfo> snapshot = m_relay->clients();
    for (const ClientInfo &fresh : snapshot) {
        const int row = rowOf(fresh.id);
        if (row < 0 || !countersDiffer(m_clients.at(row), fresh))
            continue;
        m_clients[row] = fresh;
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

void ClientsModel::addClient(const ClientInfo &client)
{
    if (m_rows.contains(client.id))
        return;
    const int row = int(m_clients.size());
    beginInsertRows(QModelIndex(), row, row);
    m_clients.append(client);
    m_rows.insert(client.id, row);
    endInsertRows();
}

void ClientsModel::removeClient(const ClientInfo &client)
{
    const int row = rowOf(client.id);
    if (row < 0)
        return;
    beginRemoveRows(QModelIndex(), row, row);
    m_clients.removeAt(row);
    m_rows.remove(client.id);
    reindexFrom(row);
    endRemoveRows();
}

void ClientsModel::reindexFrom(int row)
{
    for (int r = row; r < m_clients.size(); ++r)
        m_rows.insert(m_clients.at(r).id, r);
}

int ClientsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_clients.size());
}

int ClientsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClientsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ClientInfo &client = m_clients.at(index.row());
    if (role == Qt::TextAlignmentRole) {
        const bool number = index.column() != Address && index.column() != Kind
            && index.column() != ConnectedSince && index.column() != LastActivity;
        return QVariant::fromValue(Qt::Alignment(
            number ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignLeft | Qt::AlignVCenter));
    }
    if (role == ValueRole) {
        switch (Column(index.column())) {
        case Address:
            return addressText(client);
        case Kind:
            return kindText(client);
        case Port:
            return client.port;
        case ConnectedSince:
            return client.connectedSince;
        case MessagesIn:
            return client.messagesIn;
        case MessagesOut:
            return client.messagesOut;
        case BytesIn:
            return client.bytesIn;
        case BytesOut:
            return client.bytesOut;
        case LastActivity:
            return lastActivity(client);
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role == Qt::ToolTipRole)
        return toolTip(client);
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (Column(index.column())) {
    case Address:
        return addressText(client);
    case Kind:
        return kindText(client);
    case Port:
        return client.kind == ClientInfo::Kind::Local ? QVariant() : QVariant(client.port);
    case ConnectedSince:
        return timeText(client.connectedSince);
    case MessagesIn:
        return countText(client.messagesIn, droppedIn(client), tr("dropped"));
    case MessagesOut:
        return countText(client.messagesOut, client.unsentMessages, tr("not sent"));
    case BytesIn:
        return locale.formattedDataSize(client.bytesIn, 1, QLocale::DataSizeTraditionalFormat);
    case BytesOut:
        return locale.formattedDataSize(client.bytesOut, 1, QLocale::DataSizeTraditionalFormat);
    case LastActivity:
        return timeText(lastActivity(client));
    case ColumnCount:
        break;
    }
    return {};
}

// What a UDP peer is, and why messages were dropped or not sent: the row's tooltip.
QString ClientsModel::toolTip(const ClientInfo &client) const
{
    QStringList lines;
    if (client.udpTarget) {
        lines += tr("A target in the UDP/OSC settings (%1): it gets the messages while the relay "
                    "runs.")
                     .arg(ClientInfo::kindName(client.kind));
    } else if (isUdp(client) && m_relay) {
        lines += tr("It gets the messages until it has sent nothing for %1 s; Disconnect forgets "
                    "it until it sends again.")
                     .arg(m_relay->config().udpPeerSeconds);
    }
    const QLocale locale;
    if (client.droppedMessages > 0)
        lines += tr("Dropped, longer than the Max message setting: %1")
                     .arg(locale.toString(client.droppedMessages));
    if (client.malformedDatagrams > 0)
        lines += tr("Dropped, datagrams that are not OSC: %1 (the log says why)")
                     .arg(locale.toString(client.malformedDatagrams));
    if (client.unsentMessages > 0)
        lines += tr("Not sent to it, too long for one datagram to reach it whole or refused by "
                    "the system: %1 (the log says which)")
                     .arg(locale.toString(client.unsentMessages));
    return lines.join(u'\n');
}

QVariant ClientsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Address:
        return tr("Address");
    case Kind:
        return tr("Kind");
    case Port:
        return tr("Port");
    case ConnectedSince:
        return tr("Connected");
    case MessagesIn:
        return tr("Messages in");
    case MessagesOut:
        return tr("Messages out");
    case BytesIn:
        return tr("Bytes in");
    case BytesOut:
        return tr("Bytes out");
    case LastActivity:
        return tr("Last active");
    case ColumnCount:
        break;
    }
    return {};
}
