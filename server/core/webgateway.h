// WebGateway: the front door of the WebSocket port. Reads the head of each HTTP request that
// arrives there (bounded in size and time) and
//  - answers a WebSocket upgrade (RFC 6455 section 4.2) and hands the connection on, if the
//    page's origin is allowed: in --ws-origin (webSocketOrigins), or the built-in page (the
//    origin is the request's Host); a request that is not a proper upgrade gets 400, one for
//    another version of the protocol 426;
//  - answers "GET /" with the built-in web page (see resources/web/index.html), "GET /health"
//    and "GET /metrics" with the monitoring documents (see relaymetrics.h) of a snapshot of
//    the relay, taken when asked for;
//  - answers any other GET with 404 (HEAD as GET, without the body), and closes anything else.
// Owned by RelayServer, which accepts the connections (allow list first) and admits the
// WebSockets this hands on.
#pragma once

#include "relayconfig.h"
#include "relaymetrics.h"

#include <QByteArray>
#include <QObject>

#include <functional>

class QTcpSocket;

class WebGateway : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype kMaxHeadBytes = 16 * 1024;
    static constexpr int kHeadTimeoutMs = 10000;

    /// Takes a snapshot of the relay, for the monitoring pages.
    using Snapshot = std::function<RelaySnapshot()>;

    /// Only web pages that @p config allows (webSocketOrigins) may open a WebSocket, and the
    /// built-in page. /health and /metrics show what @p snapshot returns.
    WebGateway(const RelayConfig &config, Snapshot snapshot, QObject *parent = nullptr);

    /// Takes a new connection to the WebSocket port (and ownership of @p socket).
    void handle(QTcpSocket *socket);

    /// The built-in page, as served.
    static QByteArray page();

signals:
    /// A WebSocket finished its handshake; the receiver takes ownership of @p socket.
    /// @p firstFrames came right behind the handshake: the first of the client's frames.
    void webSocketConnected(QTcpSocket *socket, const QByteArray &firstFrames);
    /// A WebSocket's handshake was refused (and logged) for @p reason.
    void webSocketRefused(Refusal reason);

private:
    void readHead(QTcpSocket *socket);
    void upgrade(QTcpSocket *socket, const QByteArray &httpVersion, const QList<QByteArray> &lines,
        const QByteArray &firstFrames);
    void serve(QTcpSocket *socket, const QByteArray &path, bool withBody);
    void refuse(QTcpSocket *socket, Refusal reason, const QByteArray &status,
        const QByteArray &body, const QByteArray &headers = QByteArray());
    void respond(QTcpSocket *socket, const QByteArray &status, const QByteArray &type,
        const QByteArray &body, const QByteArray &headers = QByteArray(), bool withBody = true);

    RelayConfig m_config;
    Snapshot m_snapshot;
};
