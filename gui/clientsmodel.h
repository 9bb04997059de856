// ClientsModel: the panel's table of connected clients, one row per client keyed by its id.
// Rows are inserted and removed as the relay reports connections; the counters are sampled from
// RelayServer::clients() a few times a second (nothing is emitted per message), and only rows
// whose values changed get dataChanged. A UDP port's peers are rows too (kind UDP or OSC,
// "Target" for a --udp-target); what a client sent that was dropped, and what was not sent to
// it, shows beside its message counts, explained in the row's tooltip. Owned by the window; watches
// a RelayServer it does not own.
#pragma once

#include "clientinfo.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QTimer>

class RelayServer;

class ClientsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Address,
        Kind,
        Port,
        ConnectedSince,
        MessagesIn,
        MessagesOut,
        BytesIn,
        BytesOut,
        LastActivity,
        ColumnCount
    };

    enum Role
    {
        ValueRole = Qt::UserRole, ///< the plain value: counters as numbers, times as QDateTime
    };

    static constexpr int kSampleIntervalMs = 250;

    explicit ClientsModel(QObject *parent = nullptr);

    /// Shows the clients of @p relay (its current ones at once, then as they come and go).
    void setRelay(RelayServer *relay);

    /// The id of the client in @p row; 0 when there is no such row.
    quint64 clientId(int row) const;
    /// The row of client @p id; -1 when it is not shown.
    int rowOf(quint64 id) const;
    /// Reads the counters now (the timer does it every kSampleIntervalMs).
    void sample();

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void addClient(const ClientInfo &client);
    void removeClient(const ClientInfo &client);
    void reindexFrom(int row);
    QString toolTip(const ClientInfo &client) const;

    QPointer<RelayServer> m_relay;
    QList<ClientInfo> m_clients; // in connection order
    QHash<quint64, int> m_rows; // client id -> row
    QTimer m_sampler;
};
