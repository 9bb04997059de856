#include "savedmessagesmodel.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace {
// The file's top-level object: {"kind": kFileKind, "version": 1, "messages": [...]}.
constexpr char kFileKind[] = "socketserver-testclient saved messages";
constexpr int kFileVersion = 1;
} // namespace

SavedMessagesModel::SavedMessagesModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void SavedMessagesModel::append(const SavedMessage &message)
{
    const int row = int(m_messages.size());
    beginInsertRows(QModelIndex(), row, row);
    m_messages.append(message);
    endInsertRows();
    emit changed();
}

bool SavedMessagesModel::remove(int row)
{
    if (row < 0 || row >= m_messages.size())
        return false;
    beginRemoveRows(QModelIndex(), row, row);
    m_messages.removeAt(row);
    endRemoveRows();
    emit changed();
    return true;
}

void SavedMessagesModel::replaceAll(const QList<SavedMessage> &messages)
{
    beginResetModel();
    m_messages = messages;
    endResetModel();
    emit changed();
}

QJsonArray SavedMessagesModel::toJson() const
{
    QJsonArray array;
    for (const SavedMessage &saved : m_messages) {
        array.append(QJsonObject{
            {QStringLiteral("name"), saved.name},
            {QStringLiteral("text"), saved.message.text},
            {QStringLiteral("format"), OutgoingMessage::formatName(saved.message.format)},
            {QStringLiteral("ending"), OutgoingMessage::endingName(saved.message.ending)},
        });
    }
    return array;
}

QString SavedMessagesModel::fromJson(const QJsonArray &array, QList<SavedMessage> *messages)
{
    QList<SavedMessage> read;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject object = array.at(i).toObject();
        SavedMessage saved;
        saved.name = object.value(QStringLiteral("name")).toString();
        saved.message.text = object.value(QStringLiteral("text")).toString();
        const auto format = OutgoingMessage::formatFromName(
            object.value(QStringLiteral("format")).toString(QStringLiteral("text")));
        const auto ending = OutgoingMessage::endingFromName(
            object.value(QStringLiteral("ending")).toString(QStringLiteral("lf")));
        if (!array.at(i).isObject() || saved.name.isEmpty() || !format || !ending)
            return tr("Message %1 is not valid: it needs a name, a text, a format (text or hex) "
                      "and an ending (lf, crlf, nul or none).")
                .arg(i + 1);
        saved.message.format = *format;
        saved.message.ending = *ending;
        read.append(saved);
    }
    *messages = read;
    return QString();
}

QString SavedMessagesModel::exportFile(const QString &path) const
{
    const QJsonObject root{
        {QStringLiteral("kind"), QLatin1String(kFileKind)},
        {QStringLiteral("version"), kFileVersion},
        {QStringLiteral("messages"), toJson()},
    };
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(QJsonDocument(root).toJson(QJsonDocument::Indented)) < 0 || !file.commit())
        return tr("Cannot write %1: %2").arg(path, file.errorString());
    return QString();
}

QString SavedMessagesModel::importFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tr("Cannot read %1: %2").arg(path, file.errorString());
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    const QJsonObject root = document.object();
    if (document.isNull()
        || root.value(QStringLiteral("kind")).toString() != QLatin1String(kFileKind))
        return tr("%1 is not a file of saved messages.").arg(path);
    QList<SavedMessage> read;
    const QString error = fromJson(root.value(QStringLiteral("messages")).toArray(), &read);
    if (!error.isEmpty())
        return tr("%1: %2").arg(path, error);
    QList<SavedMessage> merged = m_messages;
    for (const SavedMessage &saved : std::as_const(read)) {
        const auto same = std::find_if(merged.begin(), merged.end(),
            [&saved](const SavedMessage &old) { return old.name == saved.name; });
        if (same != merged.end())
            *same = saved;
        else
            merged.append(saved);
    }
    replaceAll(merged);
    return QString();
}

int SavedMessagesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_messages.size());
}

int SavedMessagesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SavedMessagesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const SavedMessage &saved = m_messages.at(index.row());
    if (role == Qt::DisplayRole || role == Qt::EditRole) {
        if (index.column() == NameColumn)
            return saved.name;
        if (role == Qt::EditRole)
            return saved.message.text;
        QString shown = saved.message.text;
        if (saved.message.format == OutgoingMessage::Format::Hex)
            shown = tr("hex %1").arg(shown);
        if (saved.message.ending != OutgoingMessage::Ending::Lf)
            shown += tr("  [%1]").arg(OutgoingMessage::endingName(saved.message.ending));
        return shown;
    }
    if (role == Qt::ToolTipRole && index.row() < 9)
        return tr("Double-click or press Ctrl+%1 to send").arg(index.row() + 1);
    return QVariant();
}

bool SavedMessagesModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)
        || role != Qt::EditRole)
        return false;
    SavedMessage &saved = m_messages[index.row()];
    const QString text = value.toString();
    if (index.column() == NameColumn) {
        if (text.isEmpty())
            return false;
        saved.name = text;
    } else {
        saved.message.text = text;
    }
    emit dataChanged(index, index);
    emit changed();
    return true;
}

Qt::ItemFlags SavedMessagesModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return QAbstractTableModel::flags(index) | Qt::ItemIsEditable;
}

QVariant SavedMessagesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == NameColumn)
        return tr("Name");
    if (section == MessageColumn)
        return tr("Message");
    return QVariant();
}
