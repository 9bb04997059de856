// SavedMessagesModel: the named messages a team keeps for an exhibit ("ball27 red"), sent with
// a double-click or Ctrl+1..9. A table of name and message; written to and read from a JSON
// file (import/export) and persisted by TestClientSettings. Owned by the main window.
#pragma once

#include "outgoingmessage.h"

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QList>

struct SavedMessage
{
    QString name;
    OutgoingMessage message;

    friend bool operator==(const SavedMessage &a, const SavedMessage &b)
    {
        return a.name == b.name && a.message == b.message;
    }
};

class SavedMessagesModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        NameColumn,
        MessageColumn,
        ColumnCount
    };

    explicit SavedMessagesModel(QObject *parent = nullptr);

    void append(const SavedMessage &message);
    bool remove(int row);
    void replaceAll(const QList<SavedMessage> &messages);
    const QList<SavedMessage> &messages() const { return m_messages; }
    SavedMessage message(int row) const { return m_messages.value(row); }

    /// The messages as JSON: [{"name": ..., "text": ..., "format": "text"|"hex",
    /// "ending": "lf"|"crlf"|"nul"|"none"}, ...].
    QJsonArray toJson() const;
    /// Reads what toJson() wrote; returns an empty string, or why it could not (nothing changed).
    static QString fromJson(const QJsonArray &array, QList<SavedMessage> *messages);

    /// Writes every message to @p path as a JSON file; returns why it failed, or an empty string.
    QString exportFile(const QString &path) const;
    /// Adds the messages of a file exportFile() wrote (names already here are replaced);
    /// returns why it failed, or an empty string.
    QString importFile(const QString &path);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    /// Anything was added, removed or edited: time to persist.
    void changed();

private:
    QList<SavedMessage> m_messages;
};
