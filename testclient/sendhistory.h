// SendHistory: the lines sent, newest last, browsed with Up and Down as a shell does. Pure;
// the send line's widget forwards its keys here. The lines themselves are kept by
// TestClientSettings, one list for every tab; each tab browses its own copy.
#pragma once

#include <QString>
#include <QStringList>

class SendHistory
{
public:
    static constexpr int kMaxEntries = 100;

    /// Remembers @p line (not twice in a row, not empty) and ends browsing.
    void add(const QString &line);
    /// The line before the one shown; @p current is kept to come back to with next().
    /// Returns @p current when there is nothing older.
    QString previous(const QString &current);
    /// The line after the one shown, or what was being typed before browsing started.
    QString next(const QString &current);

    /// Between previous() and the next add() or setEntries(), or until next() is back at the end.
    bool isBrowsing() const { return m_position < m_entries.size(); }
    QStringList entries() const { return m_entries; }
    void setEntries(const QStringList &entries);

private:
    QStringList m_entries;
    qsizetype m_position = 0; // == m_entries.size() when not browsing
    QString m_draft; // what was typed before browsing
};
