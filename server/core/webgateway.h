// WebGateway: the front door of the WebSocket port. Reads the head of each HTTP request that
// arrives there (bounded in size and time) and
//  - hands a WebSocket upgrade to Qt's QWebSocketServer, if the page's origin is allowed: in
//    --ws-origin (webSocketOrigins), or the built-in page (the origin is the request's Host);
//  - answers "GET /" with the built-in web page (see resources/web/index.html);
//  - answers any other GET with 404, and closes anything else.
// Owned by RelayServer, which accepts the connections (allow list first) and admits the
// WebSockets this hands on.
#pragma once

#include "relayconfig.h"

#include <QByteArray>
#include <QObject>
#include <QWebSocketServer>

class QTcpSocket;
class QWebSocket;

class WebGateway : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype kMaxHeadBytes = 16 * 1024;
    static constexpr int kHeadTimeoutMs = 10000;

    /// Only web pages that @p config allows (webSocketOrigins) may open a WebSocket, and the
    /// built-in page.
    explicit WebGateway(const RelayConfig &config, QObject *parent = nullptr);

    /// Takes a new connection to the WebSocket port (and ownership of @p socket).
    void handle(QTcpSocket *socket);

    /// The built-in page, as served.
    static QByteArray page();

signals:
    /// A WebSocket finished its handshake; the receiver takes ownership of @p socket.
    void webSocketConnected(QWebSocket *socket);

private:
    void readHead(QTcpSocket *socket);
    void respond(QTcpSocket *socket, const QByteArray &status, const QByteArray &type,
        const QByteArray &body);

    QWebSocketServer m_server;
    RelayConfig m_config;
};
