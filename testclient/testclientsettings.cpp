#include "testclientsettings.h"

#include "relayconfig.h"
#include "savedmessagesmodel.h"
#include "sendhistory.h"

#include <QJsonDocument>

namespace {
// QSettings keys, in one place.
const QString kHost = QStringLiteral("connection/host");
const QString kPort = QStringLiteral("connection/port");
const QString kAutoReconnect = QStringLiteral("connection/autoReconnect");
const QString kHistory = QStringLiteral("send/history");
const QString kEnding = QStringLiteral("send/ending");
const QString kSavedMessages = QStringLiteral("savedMessages/json");
} // namespace

TestClientSettings::TestClientSettings()
    : m_settings(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("SocketServer"),
        QStringLiteral("socketserver-testclient"))
{ }

QString TestClientSettings::host() const
{
    return m_settings.value(kHost, QStringLiteral("localhost")).toString();
}

void TestClientSettings::setHost(const QString &host)
{
    m_settings.setValue(kHost, host);
}

quint16 TestClientSettings::port() const
{
    const uint port = m_settings.value(kPort, RelayConfig::kDefaultPort).toUInt();
    return port > 0 && port <= 65535 ? quint16(port) : RelayConfig::kDefaultPort;
}

void TestClientSettings::setPort(quint16 port)
{
    m_settings.setValue(kPort, port);
}

bool TestClientSettings::autoReconnect() const
{
    return m_settings.value(kAutoReconnect, true).toBool();
}

void TestClientSettings::setAutoReconnect(bool on)
{
    m_settings.setValue(kAutoReconnect, on);
}

QStringList TestClientSettings::sendHistory() const
{
    return m_settings.value(kHistory).toStringList();
}

void TestClientSettings::setSendHistory(const QStringList &lines)
{
    m_settings.setValue(kHistory, lines);
}

void TestClientSettings::addToSendHistory(const QString &line)
{
    // Read back before adding: another tab may have added lines since this one last looked.
    SendHistory history;
    history.setEntries(sendHistory());
    history.add(line);
    setSendHistory(history.entries());
}

OutgoingMessage::Ending TestClientSettings::sendEnding() const
{
    return OutgoingMessage::endingFromName(m_settings.value(kEnding).toString())
        .value_or(OutgoingMessage::Ending::Lf);
}

void TestClientSettings::setSendEnding(OutgoingMessage::Ending ending)
{
    m_settings.setValue(kEnding, OutgoingMessage::endingName(ending));
}

void TestClientSettings::persist(SavedMessagesModel *model)
{
    QList<SavedMessage> messages;
    const QJsonDocument stored
        = QJsonDocument::fromJson(m_settings.value(kSavedMessages).toByteArray());
    if (stored.isArray() && SavedMessagesModel::fromJson(stored.array(), &messages).isEmpty())
        model->replaceAll(messages);
    // A fresh QSettings per save: this object may be gone by then; they share one file.
    QObject::connect(model, &SavedMessagesModel::changed, model, [model] {
        TestClientSettings settings;
        settings.m_settings.setValue(
            kSavedMessages, QJsonDocument(model->toJson()).toJson(QJsonDocument::Compact));
    });
}
