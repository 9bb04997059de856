// WsPeer: a test's WebSocket client. Opens ws://127.0.0.1:PORT/ and collects every message
// that arrives, and whether each came as text. Header-only, for the test suites.
#pragma once

#include <QNetworkRequest>
#include <QWebSocket>

class WsPeer
{
public:
    WsPeer()
    {
        QObject::connect(
            &m_socket, &QWebSocket::textMessageReceived, &m_socket, [this](const QString &text) {
                m_messages.append({text.toUtf8(), true});
            });
        QObject::connect(&m_socket, &QWebSocket::binaryMessageReceived, &m_socket,
            [this](const QByteArray &bytes) {
                m_messages.append({bytes, false});
            });
    }

    void open(quint16 port, const QString &origin = QString())
    {
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
        if (!origin.isEmpty())
            request.setRawHeader("Origin", origin.toUtf8());
        m_socket.open(request);
    }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QList<QByteArray> texts() const
    {
        QList<QByteArray> list;
        for (const auto &message : m_messages)
            list.append(message.first + (message.second ? "" : " (binary)"));
        return list;
    }
    QWebSocket &socket() { return m_socket; }

private:
    QWebSocket m_socket;
    QList<QPair<QByteArray, bool>> m_messages;
};
