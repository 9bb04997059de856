// MessageLogModel: every message one connection sent and received, as a table: time,
// direction, size and the bytes (escaped text, or hex on demand). Capped: past capacity() rows
// or byteBudget() bytes of messages, the oldest rows are removed. Rows are appended in batches,
// one beginInsertRows for many messages, never with a reset. Owned by a ConnectionSession;
// filtered for the view by a QSortFilterProxyModel.
#pragma once

#include <QAbstractTableModel>
#include <QByteArray>
#include <QList>

class MessageLogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        TimeColumn,
        DirectionColumn,
        SizeColumn,
        TextColumn,
        ColumnCount
    };
    enum class Direction
    {
        Sent,
        Received,
    };
    enum class TimeFormat
    {
        Absolute, ///< the time of day, 14:03:07.215 (exports add the date)
        Relative, ///< seconds since the first message in the log, +12.345
    };
    enum Role
    {
        BytesRole = Qt::UserRole + 1, ///< the message's bytes (QByteArray)
        DirectionRole, ///< Direction, as int
    };
    struct Entry
    {
        qint64 timeMs = 0; ///< ms since the epoch
        Direction direction = Direction::Received;
        QByteArray bytes; ///< the message without its terminator
    };

    static constexpr int kDefaultCapacity = 10000;
    static constexpr qint64 kDefaultByteBudget = 32 * 1024 * 1024;
    /// Messages longer than this are shown cut, with their full size; the bytes are kept.
    static constexpr qsizetype kShownBytes = 2000;

    explicit MessageLogModel(int capacity = kDefaultCapacity,
        qint64 byteBudget = kDefaultByteBudget, QObject *parent = nullptr);

    /// Appends @p entries, oldest first, with one row insertion (nothing while paused); removes
    /// the oldest rows past capacity() or byteBudget(). The newest message is always kept,
    /// even alone over the budget; of a batch larger than the log, only its newest rows.
    void append(const QList<Entry> &entries);
    void clear();

    /// While paused, append() drops messages: the table holds still to be read.
    void setPaused(bool paused) { m_paused = paused; }
    bool isPaused() const { return m_paused; }
    void setHexView(bool on);
    bool hexView() const { return m_hexView; }
    void setTimeFormat(TimeFormat format);
    TimeFormat timeFormat() const { return m_timeFormat; }
    int capacity() const { return m_capacity; }
    qint64 byteBudget() const { return m_byteBudget; }
    /// The bytes of all messages in the log.
    qint64 byteCount() const { return m_byteCount; }
    const Entry &entry(int row) const { return m_entries.at(row); }

    /// One row as shown, columns separated by tabs (for the clipboard), but with the date in
    /// absolute times: 2026-01-31 14:03:07.215.
    QString rowText(int row) const;
    /// Every row as rowText(), one per line.
    QString toText() const;
    /// Every row as CSV (RFC 4180), with a header line; cells as in rowText(). A cell that
    /// starts with = + - or @ gets a ' in front, so that a spreadsheet does not run it as a
    /// formula.
    QString toCsv() const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    // A cell as text; the message shows at most @p maxBytes bytes (-1: all, and absolute
    // times with their date, for exports).
    QString cellText(int row, int column, qsizetype maxBytes) const;
    void removeOldest(int count);

    QList<Entry> m_entries;
    int m_capacity;
    qint64 m_byteBudget;
    qint64 m_byteCount = 0;
    qint64 m_firstTimeMs = -1; // the first message since the last clear(), for relative times
    bool m_paused = false;
    bool m_hexView = false;
    TimeFormat m_timeFormat = TimeFormat::Absolute;
};
