#include "sendhistory.h"

void SendHistory::add(const QString &line)
{
    if (!line.isEmpty() && (m_entries.isEmpty() || m_entries.constLast() != line))
        m_entries.append(line);
    while (m_entries.size() > kMaxEntries)
        m_entries.removeFirst();
    m_position = m_entries.size();
    m_draft.clear();
}

QString SendHistory::previous(const QString &current)
{
    if (m_position == 0)
        return current;
    if (m_position == m_entries.size())
        m_draft = current;
    return m_entries.at(--m_position);
}

QString SendHistory::next(const QString &current)
{
    if (m_position >= m_entries.size())
        return current;
    ++m_position;
    return m_position == m_entries.size() ? m_draft : m_entries.at(m_position);
}

void SendHistory::setEntries(const QStringList &entries)
{
    m_entries = entries.mid(qMax<qsizetype>(0, entries.size() - kMaxEntries));
    m_position = m_entries.size();
    m_draft.clear();
}
