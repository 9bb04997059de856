// ExpectedModel: the panel's table of expected clients (--expect) and their state, one row per
// expected client in the configuration's order: "present", "missing for 5 min" (red), "silent
// for 40 s" (orange), "waiting" (grey). Sampled from RelayServer::expectedClients() once a
// second, as often as the relay judges them. Owned by the window; watches a relay it does not own.
#pragma once

#include "expectedclients.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QTimer>

class RelayServer;

class ExpectedModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Name,
        State,
        Match,
        Client,
        ColumnCount
    };

    static constexpr int kSampleIntervalMs = 1000;

    explicit ExpectedModel(QObject *parent = nullptr);

    /// Shows the expected clients of @p relay, sampled from now on.
    void setRelay(RelayServer *relay);
    /// Reads the states now (the timer does it every kSampleIntervalMs).
    void sample();

    /// "present", "missing for 5 min", "silent for 40 s", "waiting": @p status at @p now.
    static QString stateText(const ExpectedClientStatus &status, const QDateTime &now);
    /// "40 s", "5 min", "2 h 5 min", "3 d 4 h".
    static QString durationText(qint64 seconds);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QPointer<RelayServer> m_relay;
    QList<ExpectedClientStatus> m_statuses;
    QDateTime m_sampledAt;
    QTimer m_sampler;
};
