// TrafficModel: the panel's live log of connections, disconnections and messages (time, client,
// escaped text). Fed by a RelayServer's client signals and its rate-limited message tap; holds at
// most maxRows() rows (the oldest go first), can be paused and cleared, and saved as text.
// Owned by the window; watches a RelayServer it does not own.
#pragma once

#include "relayserver.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QPointer>

class QIODevice;

class TrafficModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Time,
        Client,
        Message,
        ColumnCount
    };

    /// What a row is about.
    enum class Kind
    {
        Connected,
        Disconnected,
        Message,
        Note, ///< the log's own remarks: messages not shown
    };

    enum Role
    {
        KindRole = Qt::UserRole, ///< the row's Kind, as an int
    };

    static constexpr int kDefaultMaxRows = 5000;
    static constexpr qsizetype kShownMessageBytes = 300; // longer messages are shown cut

    explicit TrafficModel(QObject *parent = nullptr);

    /// Logs the traffic of @p relay from now on (its message tap is switched on).
    void setRelay(RelayServer *relay);

    int maxRows() const { return m_maxRows; }
    void setMaxRows(int rows);
    /// While paused nothing is added; on resuming one row says how much was missed.
    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    void clear();

    /// Adds one row (the relay's signals call this; public for tests and the console line).
    void append(Kind kind, qint64 timeMs, const QString &client, const QString &text);
    /// Every row as a line of text: "time<TAB>client<TAB>message".
    QString toText() const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Entry
    {
        Kind kind;
        qint64 timeMs;
        QString client;
        QString text;
    };

    void onMessage(const TappedMessage &message);
    QString senderName(const TappedMessage &message) const;
    static QString timeText(qint64 timeMs);

    QPointer<RelayServer> m_relay;
    QList<Entry> m_entries;
    QHash<quint64, QString> m_names; // client id -> "192.168.1.20:53422"
    int m_maxRows = kDefaultMaxRows;
    bool m_paused = false;
    qint64 m_missed = 0; // rows not added while paused
};
