#include "websocketsession.h"

#include "logging.h"
#include "outgoingmessages.h"

#include <QUtf8StringView>
#include <QWebSocket>

WebSocketSession::WebSocketSession(
    quint64 id, QWebSocket *socket, const RelayConfig &config, QObject *parent)
    : ClientSession(id, ClientInfo::Kind::WebSocket, config, parent)
    , m_socket(socket)
    , m_maxMessageBytes(config.maxMessageBytes)
{
    socket->setParent(this);
    socket->setMaxAllowedIncomingMessageSize(quint64(config.maxMessageBytes));
    socket->setMaxAllowedIncomingFrameSize(quint64(config.maxMessageBytes));
    m_info.address = socket->peerAddress();
    m_info.port = socket->peerPort();

    connect(socket, &QWebSocket::textMessageReceived, this, [this](const QString &message) {
        const QByteArray bytes = message.toUtf8();
        receive(bytes, bytes.size());
    });
    connect(socket, &QWebSocket::binaryMessageReceived, this,
        [this](const QByteArray &message) { receive(message, message.size()); });
    connect(socket, &QWebSocket::bytesWritten, this, &WebSocketSession::checkOutputBudget);
    connect(socket, &QWebSocket::disconnected, this, &WebSocketSession::onDisconnected);
}

void WebSocketSession::send(OutgoingMessages &messages)
{
    if (isClosing())
        return;
    qint64 bytes = 0;
    for (qsizetype i = 0; i < messages.count(); ++i) {
        const OutgoingMessages::WebSocketMessage &message = messages.webSocketMessage(i);
        bytes += message.isText ? m_socket->sendTextMessage(message.text)
                                : m_socket->sendBinaryMessage(message.binary);
    }
    sent(messages.count(), bytes);
    checkOutputBudget();
}

void WebSocketSession::sendMessage(QByteArrayView message)
{
    if (isClosing())
        return;
    sent(1, sendOne(message));
    checkOutputBudget();
}

qint64 WebSocketSession::sendOne(QByteArrayView message)
{
    if (QUtf8StringView(message.data(), message.size()).isValidUtf8())
        return m_socket->sendTextMessage(QString::fromUtf8(message));
    return m_socket->sendBinaryMessage(message.toByteArray());
}

qint64 WebSocketSession::bytesWaiting() const
{
    return m_socket->bytesToWrite();
}

void WebSocketSession::closeConnection()
{
    m_socket->close(QWebSocketProtocol::CloseCodeNormal, QString());
}

void WebSocketSession::abortConnection()
{
    m_socket->abort();
}

void WebSocketSession::flushOutput()
{
    m_socket->flush();
}

void WebSocketSession::receive(QByteArrayView message, qint64 wireBytes)
{
    m_batch.clear();
    m_batch.append(message, LineEnding::Message);
    received(wireBytes, m_batch);
}

void WebSocketSession::onDisconnected()
{
    if (m_socket->closeCode() == QWebSocketProtocol::CloseCodeTooMuchData) {
        ++m_info.droppedMessages;
        const QString reason
            = QStringLiteral("sent a message longer than %1 bytes").arg(m_maxMessageBytes);
        qCWarning(lcClients).noquote() << peerName() << reason + QStringLiteral(": closed it");
        setCloseReason(reason);
    } else if (m_socket->closeCode() != QWebSocketProtocol::CloseCodeNormal
        && m_socket->closeCode() != QWebSocketProtocol::CloseCodeGoingAway) {
        setCloseReason(
            QStringLiteral("WebSocket closed with code %1").arg(int(m_socket->closeCode())));
    }
    reportDisconnected();
}
