// TestClientSettings: the one class that reads and writes the test client's QSettings: the
// last relay address, auto-reconnect, the send line's history and options, and the saved
// messages. Tests point QSettings at a temporary directory (QSettings::setPath()).
#pragma once

#include "outgoingmessage.h"

#include <QSettings>
#include <QStringList>

class SavedMessagesModel;

class TestClientSettings
{
public:
    TestClientSettings();

    QString host() const;
    void setHost(const QString &host);
    quint16 port() const;
    void setPort(quint16 port);
    bool autoReconnect() const;
    void setAutoReconnect(bool on);
    /// The lines sent, newest last; one history for every tab.
    QStringList sendHistory() const;
    void setSendHistory(const QStringList &lines);
    /// Adds @p line to the stored history (as SendHistory::add() does) and saves it.
    void addToSendHistory(const QString &line);
    OutgoingMessage::Ending sendEnding() const;
    void setSendEnding(OutgoingMessage::Ending ending);

    /// Fills @p model with the saved messages, and saves them again at each change from now on
    /// (for as long as @p model lives).
    void persist(SavedMessagesModel *model);

private:
    QSettings m_settings;
};
