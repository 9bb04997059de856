#include "webgateway.h"

#include "directwrite.h"
#include "logging.h"
#include "netaddress.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <algorithm>

namespace {
constexpr QByteArrayView kEndOfHead("\r\n\r\n");
constexpr char kHandshakeGuid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 section 1.3

// The value of the header @p name (lower case) among the request head's @p lines; empty when
// it is not there. Header names are not case-sensitive.
QByteArray headerValue(const QList<QByteArray> &lines, QByteArrayView name)
{
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.first(colon).trimmed().toLower() == name)
            return line.sliced(colon + 1).trimmed();
    }
    return QByteArray();
}

// Whether the comma-separated @p list (a header's value) holds @p token, in any case:
// "keep-alive, Upgrade" holds "upgrade".
bool hasToken(const QByteArray &list, QByteArrayView token)
{
    const QList<QByteArray> items = list.split(',');
    return std::any_of(items.cbegin(), items.cend(),
        [token](const QByteArray &item) { return item.trimmed().toLower() == token; });
}

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

WebGateway::WebGateway(const RelayConfig &config, Snapshot snapshot, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_snapshot(std::move(snapshot))
{ }

void WebGateway::handle(QTcpSocket *socket)
{
    socket->setParent(this);
    socket->setReadBufferSize(kMaxHeadBytes + 1); // all a head may take, see readHead()
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
    // Read as one block of all that is here: Qt then hands over its 16 KiB read buffer instead
    // of copying out of it (skip() or readAll() would leave it to the socket, kept for as
    // long as the connection lasts: most of what an idle WebSocket client costs).
    const QByteArray rest = socket->read(socket->bytesAvailable()).sliced(end + kEndOfHead.size());

    const QList<QByteArray> lines = head.left(end).split('\n');
    const QList<QByteArray> request = lines.first().trimmed().split(' ');
    const bool headOnly = request.size() == 3 && request.at(0) == "HEAD";
    if (request.size() != 3 || (request.at(0) != "GET" && !headOnly)
        || !request.at(2).startsWith("HTTP/")) {
        socket->abort();
        return;
    }
    if (!headOnly && headerValue(lines, "upgrade").toLower().contains("websocket")) {
        const QString origin = QString::fromLatin1(headerValue(lines, "origin"));
        const QString host = QString::fromLatin1(headerValue(lines, "host"));
        if (isSameOrigin(origin, host) || m_config.isOriginAllowed(origin)) {
            upgrade(socket, request.at(2), lines, rest);
            return;
        }
        qCWarning(lcClients).noquote()
            << "refused a WebSocket from the web page at"
            << (origin.isEmpty() ? QStringLiteral("(no origin)") : origin)
            << "- not in --ws-origin";
        refuse(socket, Refusal::OriginNotAllowed, "403 Forbidden",
            "This web page may not connect here (see --ws-origin).\n");
        return;
    }
    serve(socket, request.at(1).split('?').first(), !headOnly);
}

// The pages: the built-in one, the monitoring documents, 404 for anything else.
void WebGateway::serve(QTcpSocket *socket, const QByteArray &path, bool withBody)
{
    if (path == "/" || path == "/index.html") {
        respond(socket, "200 OK", "text/html; charset=utf-8", page(), {}, withBody);
    } else if (path == "/health") {
        const RelaySnapshot snapshot = m_snapshot();
        const bool fail = RelayMetrics::healthStatus(snapshot) == RelayMetrics::Status::Fail;
        respond(socket, fail ? "503 Service Unavailable" : "200 OK", "application/health+json",
            RelayMetrics::healthJson(snapshot), {}, withBody);
    } else if (path == "/metrics") {
        respond(socket, "200 OK", "text/plain; version=0.0.4; charset=utf-8",
            RelayMetrics::prometheusText(m_snapshot()), {}, withBody);
    } else {
        respond(socket, "404 Not Found", "text/plain; charset=utf-8", "Not found\n", {}, withBody);
    }
}

// The server's half of the opening handshake (RFC 6455 section 4.2.2).
void WebGateway::upgrade(QTcpSocket *socket, const QByteArray &httpVersion,
    const QList<QByteArray> &lines, const QByteArray &firstFrames)
{
    if (headerValue(lines, "sec-websocket-version") != "13") {
        qCWarning(lcClients).noquote()
            << "refused a WebSocket from" << NetAddress::unmapped(socket->peerAddress()).toString()
            << "- it speaks another version of the protocol than 13";
        refuse(socket, Refusal::WrongVersion, "426 Upgrade Required",
            "This relay speaks WebSocket version 13 (RFC 6455).\n",
            "Sec-WebSocket-Version: 13\r\n");
        return;
    }
    const QByteArray key = headerValue(lines, "sec-websocket-key");
    const auto nonce = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    if (!nonce || nonce.decoded.size() != 16
        || !hasToken(headerValue(lines, "connection"), "upgrade") || httpVersion < "HTTP/1.1") {
        qCWarning(lcClients).noquote()
            << "refused a WebSocket from" << NetAddress::unmapped(socket->peerAddress()).toString()
            << "- not a proper WebSocket handshake (RFC 6455)";
        refuse(socket, Refusal::BadHandshake, "400 Bad Request",
            "Not a proper WebSocket handshake (RFC 6455).\n");
        return;
    }
    const QByteArray accept
        = QCryptographicHash::hash(key + kHandshakeGuid, QCryptographicHash::Sha1).toBase64();
    DirectWrite::write(socket,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Accept: "
            + accept + "\r\n\r\n");
    disconnect(socket, nullptr, socket, nullptr); // its deleteLater() on disconnect: handed on
    emit webSocketConnected(socket, firstFrames);
}

// Answers a WebSocket handshake with an error (logged by the caller), and counts the refusal.
void WebGateway::refuse(QTcpSocket *socket, Refusal reason, const QByteArray &status,
    const QByteArray &body, const QByteArray &headers)
{
    respond(socket, status, "text/plain; charset=utf-8", body, headers);
    emit webSocketRefused(reason);
}

void WebGateway::respond(QTcpSocket *socket, const QByteArray &status, const QByteArray &type,
    const QByteArray &body, const QByteArray &headers, bool withBody)
{
    DirectWrite::write(socket,
        "HTTP/1.1 " + status + "\r\n" + headers + "Content-Type: " + type
            + "\r\nContent-Length: " + QByteArray::number(body.size())
            + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
            + (withBody ? body : QByteArray()));
    socket->disconnectFromHost();
}

QByteArray WebGateway::page()
{
    QFile file(QStringLiteral(":/web/index.html"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
