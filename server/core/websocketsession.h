// WebSocketSession: a client on a WebSocket, usually a web page. Each WebSocket message it
// sends, text or binary, is one relay message; each relay message reaches it as one WebSocket
// message, without a terminator (text when it is valid UTF-8, else binary). A message over
// the size limit closes the WebSocket with code 1009 (Qt's own behaviour).
#pragma once

#include "clientsession.h"

#include <QWebSocketProtocol>

class QWebSocket;

class WebSocketSession : public ClientSession
{
    Q_OBJECT

public:
    /// Takes ownership of the connected @p socket; @p config gives the limits.
    WebSocketSession(quint64 id, QWebSocket *socket, const RelayConfig &config, QObject *parent);

    void send(OutgoingMessages &messages) override;
    void sendMessage(QByteArrayView message) override;

protected:
    qint64 bytesWaiting() const override;
    void closeConnection() override;
    void abortConnection() override;
    void flushOutput() override;

private:
    void receive(QByteArrayView message, qint64 wireBytes);
    qint64 sendOne(QByteArrayView message);
    void onDisconnected();

    QWebSocket *m_socket;
    MessageBatch m_batch; // reused from message to message
    qsizetype m_maxMessageBytes;
};
