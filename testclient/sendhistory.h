// SendHistory: the lines sent from one send line, newest last, browsed with Up and Down as a
// shell does. Pure; the send line's widget forwards its keys here.
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

    QStringList entries() const { return m_entries; }
    void setEntries(const QStringList &entries);

private:
    QStringList m_entries;
    qsizetype m_position = 0; // == m_entries.size() when not browsing
    QString m_draft; // what was typed before browsing
};
