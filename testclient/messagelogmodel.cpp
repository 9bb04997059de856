#include "messagelogmodel.h"

#include "byteescape.h"
#include "byteinput.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>

MessageLogModel::MessageLogModel(int capacity, qint64 byteBudget, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(qMax(1, capacity))
    , m_byteBudget(qMax<qint64>(1, byteBudget))
{ }

void MessageLogModel::append(const QList<Entry> &entries)
{
    if (m_paused || entries.isEmpty())
        return;
    if (m_firstTimeMs < 0)
        m_firstTimeMs = entries.constFirst().timeMs;
    // Of a batch larger than the log, only its newest rows that fit alone are kept: at most
    // capacity() rows and byteBudget() bytes (the newest always, even alone over the budget).
    qsizetype first = entries.size();
    qint64 bytes = 0;
    while (first > 0 && entries.size() - first < m_capacity) {
        const qsizetype size = entries.at(first - 1).bytes.size();
        if (first < entries.size() && bytes + size > m_byteBudget)
            break;
        bytes += size;
        --first;
    }
    const qsizetype count = entries.size() - first;

    // Make room. Past a limit, drop a tenth more (of the rows, or of the bytes) than needed,
    // so that a full log does not remove rows on every append.
    qsizetype drop = 0;
    if (m_entries.size() + count > m_capacity)
        drop = m_entries.size() - qMax<qsizetype>(0, m_capacity - m_capacity / 10 - count);
    if (m_byteCount + bytes > m_byteBudget) {
        const qint64 target = m_byteBudget - m_byteBudget / 10 - bytes;
        qint64 kept = m_byteCount;
        for (qsizetype row = 0; row < drop; ++row)
            kept -= m_entries.at(row).bytes.size();
        while (drop < m_entries.size() && kept > target)
            kept -= m_entries.at(drop++).bytes.size();
    }
    removeOldest(int(drop));

    const int row = int(m_entries.size());
    beginInsertRows(QModelIndex(), row, row + int(count) - 1);
    m_entries.append(entries.mid(first));
    m_byteCount += bytes;
    endInsertRows();
}

void MessageLogModel::clear()
{
    m_firstTimeMs = -1;
    removeOldest(int(m_entries.size()));
}

void MessageLogModel::removeOldest(int count)
{
    if (count <= 0)
        return;
    beginRemoveRows(QModelIndex(), 0, count - 1);
    for (int row = 0; row < count; ++row)
        m_byteCount -= m_entries.at(row).bytes.size();
    m_entries.remove(0, count);
    endRemoveRows();
}

void MessageLogModel::setHexView(bool on)
{
    if (m_hexView == on)
        return;
    m_hexView = on;
    emit headerDataChanged(Qt::Horizontal, TextColumn, TextColumn);
    if (!m_entries.isEmpty())
        emit dataChanged(index(0, TextColumn), index(rowCount() - 1, TextColumn));
}

void MessageLogModel::setTimeFormat(TimeFormat format)
{
    if (m_timeFormat == format)
        return;
    m_timeFormat = format;
    if (!m_entries.isEmpty())
        emit dataChanged(index(0, TimeColumn), index(rowCount() - 1, TimeColumn));
}

QString MessageLogModel::rowText(int row) const
{
    QStringList cells;
    for (int column = 0; column < ColumnCount; ++column)
        cells.append(cellText(row, column, -1));
    return cells.join(u'\t');
}

QString MessageLogModel::toText() const
{
    QString text;
    for (int row = 0; row < rowCount(); ++row)
        text += rowText(row) + u'\n';
    return text;
}

QString MessageLogModel::toCsv() const
{
    const auto quoted = [](QString cell) {
        static const QString kFormulaStarts = QStringLiteral("=+-@");
        if (!cell.isEmpty() && kFormulaStarts.contains(cell.at(0)))
            cell.prepend(u'\'');
        if (cell.contains(u',') || cell.contains(u'"') || cell.contains(u'\n')) {
            cell.replace(QStringLiteral("\""), QStringLiteral("\"\""));
            cell = u'"' + cell + u'"';
        }
        return cell;
    };
    QStringList header;
    for (int column = 0; column < ColumnCount; ++column)
        header.append(quoted(headerData(column, Qt::Horizontal).toString()));
    QString csv = header.join(u',') + QStringLiteral("\r\n");
    for (int row = 0; row < rowCount(); ++row) {
        QStringList cells;
        for (int column = 0; column < ColumnCount; ++column)
            cells.append(quoted(cellText(row, column, -1)));
        csv += cells.join(u',') + QStringLiteral("\r\n");
    }
    return csv;
}

int MessageLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int MessageLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MessageLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const Entry &entry = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return cellText(index.row(), index.column(), kShownBytes);
    case Qt::ToolTipRole:
        if (index.column() == TextColumn && entry.bytes.size() > kShownBytes)
            return tr("%1 bytes; copy the row to see them all").arg(entry.bytes.size());
        return QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn || index.column() == TimeColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (index.column() == DirectionColumn) {
            return QBrush(entry.direction == Direction::Sent ? QColor(0x1f, 0x5f, 0xa8)
                                                             : QColor(0x2e, 0x7d, 0x32));
        }
        return QVariant();
    case Qt::FontRole:
        if (index.column() == TextColumn) {
            QFont font(QStringLiteral("monospace"));
            font.setStyleHint(QFont::TypeWriter);
            return font;
        }
        return QVariant();
    case BytesRole:
        return entry.bytes;
    case DirectionRole:
        return int(entry.direction);
    default:
        return QVariant();
    }
}

QVariant MessageLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    // Headers line up with their columns: time and size to the right.
    if (orientation == Qt::Horizontal && role == Qt::TextAlignmentRole
        && (section == SizeColumn || section == TimeColumn))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case DirectionColumn:
        return tr("Direction");
    case SizeColumn:
        return tr("Bytes");
    case TextColumn:
        return m_hexView ? tr("Message (hex)") : tr("Message");
    default:
        return QVariant();
    }
}

QString MessageLogModel::cellText(int row, int column, qsizetype maxBytes) const
{
    const Entry &entry = m_entries.at(row);
    switch (column) {
    case TimeColumn:
        if (m_timeFormat == TimeFormat::Relative)
            return QStringLiteral("+%1").arg(
                double(entry.timeMs - m_firstTimeMs) / 1000.0, 0, 'f', 3);
        return QDateTime::fromMSecsSinceEpoch(entry.timeMs)
            .toString(maxBytes < 0 ? QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz")
                                   : QStringLiteral("hh:mm:ss.zzz"));
    case DirectionColumn:
        return entry.direction == Direction::Sent ? tr("sent") : tr("received");
    case SizeColumn:
        return QString::number(entry.bytes.size());
    case TextColumn:
        if (m_hexView) {
            const bool cut = maxBytes >= 0 && entry.bytes.size() > maxBytes;
            return ByteInput::toHex(cut ? entry.bytes.left(maxBytes) : entry.bytes)
                + (cut ? QStringLiteral("… (%1 bytes)").arg(entry.bytes.size()) : QString());
        }
        return ByteEscape::toDisplay(entry.bytes, maxBytes);
    default:
        return QString();
    }
}
