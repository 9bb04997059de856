#include "webgateway.h"

#include "keepalive.h"
#include "logging.h"
#include "netaddress.h"

#include <QFile>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QVariant>
#include <QWebSocket>

namespace {
constexpr QByteArrayView kEndOfHead("\r\n\r\n");

// True when a page from @p origin was served by the host and port the request went to
// (@p host, the Host header): the built-in page, under whatever name the browser used for it.
bool isSameOrigin(const QString &origin, const QString &host)
{
    const QUrl page(origin);
    const QUrl server(QStringLiteral("http://") + host);
    return page.scheme() == u"http" && server.isValid() && !server.host().isEmpty()
        && page.host() == server.host() && page.port(80) == server.port(80);
}
} // namespace

WebGateway::WebGateway(const RelayConfig &config, QObject *parent)
    : QObject(parent)
    , m_server(QStringLiteral("SocketServer"), QWebSocketServer::NonSecureMode)
    , m_config(config)
{
    m_server.setMaxPendingConnections(1024); // taken at once anyway: see below
    connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
        while (m_server.hasPendingConnections())
            emit webSocketConnected(m_server.nextPendingConnection());
    });
}

void WebGateway::handle(QTcpSocket *socket)
{
    socket->setParent(this);
    KeepAlive::enable(socket);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, QVariant(1));
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    // A connection that never finishes its request head is dropped.
    auto *timeout = new QTimer(socket);
    timeout->setSingleShot(true);
    connect(timeout, &QTimer::timeout, socket, &QTcpSocket::abort);
    timeout->start(kHeadTimeoutMs);
    connect(socket, &QTcpSocket::readyRead, timeout, [this, socket] { readHead(socket); });
    if (socket->bytesAvailable() > 0)
        readHead(socket);
}

// Only peeks: a WebSocket upgrade goes to QWebSocketServer with its head still unread.
void WebGateway::readHead(QTcpSocket *socket)
{
    const QByteArray head = socket->peek(kMaxHeadBytes + 1);
    const qsizetype end = head.indexOf(kEndOfHead);
    if (end < 0) {
        if (head.size() > kMaxHeadBytes)
            socket->abort();
        return;
    }
    // Done with this socket here: no more reading, no more timeout.
    disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    if (auto *timeout = socket->findChild<QTimer *>()) {
        timeout->stop();
        timeout->deleteLater();
    }

    const QList<QByteArray> lines = head.left(end).split('\n');
    const QList<QByteArray> request = lines.first().trimmed().split(' ');
    bool upgrade = false;
    QString origin;
    QString host;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const QByteArray lower = line.toLower();
        const QString value = QString::fromLatin1(line.mid(line.indexOf(':') + 1).trimmed());
        if (lower.startsWith("upgrade:") && lower.contains("websocket"))
            upgrade = true;
        else if (lower.startsWith("origin:"))
            origin = value;
        else if (lower.startsWith("host:"))
            host = value;
    }
    if (request.size() != 3 || request.at(0) != "GET" || !request.at(2).startsWith("HTTP/")) {
        socket->abort();
        return;
    }
    if (upgrade) {
        if (isSameOrigin(origin, host) || m_config.isOriginAllowed(origin)) {
            m_server.handleConnection(socket);
            return;
        }
        qCWarning(lcClients).noquote()
            << "refused a WebSocket from the web page at"
            << (origin.isEmpty() ? QStringLiteral("(no origin)") : origin)
            << "- not in --ws-origin";
        socket->skip(end + kEndOfHead.size());
        respond(socket, "403 Forbidden", "text/plain; charset=utf-8",
            "This web page may not connect here (see --ws-origin).\n");
        return;
    }
    socket->skip(end + kEndOfHead.size());
    const QByteArray path = request.at(1).split('?').first();
    if (path == "/" || path == "/index.html")
        respond(socket, "200 OK", "text/html; charset=utf-8", page());
    else
        respond(socket, "404 Not Found", "text/plain; charset=utf-8", "Not found\n");
}

void WebGateway::respond(
    QTcpSocket *socket, const QByteArray &status, const QByteArray &type, const QByteArray &body)
{
    socket->write("HTTP/1.1 " + status + "\r\nContent-Type: " + type
        + "\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n" + body);
    socket->disconnectFromHost();
}

QByteArray WebGateway::page()
{
    QFile file(QStringLiteral(":/web/index.html"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
