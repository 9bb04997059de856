#include "websocketsession.h"

#include "logging.h"
#include "outgoingmessages.h"

#include <QTcpSocket>
#include <QTimer>

WebSocketSession::WebSocketSession(quint64 id, QTcpSocket *socket, const QByteArray &firstFrames,
    const RelayConfig &config, QObject *parent)
    : StreamSession(id, ClientInfo::Kind::WebSocket, socket, config, parent)
    , m_codec(config.maxMessageBytes)
{
    if (!firstFrames.isEmpty()) // not from here: the relay is not listening yet
        QTimer::singleShot(0, this, [this, firstFrames] { relayBytes(firstFrames); });
}

const QByteArray &WebSocketSession::encode(OutgoingMessages &messages)
{
    return messages.webSocketFrames();
}

QByteArray WebSocketSession::encode(QByteArrayView message)
{
    QByteArray frame;
    WebSocketCodec::appendFrame(frame, WebSocketCodec::opcodeFor(message), message);
    return frame;
}

void WebSocketSession::relayBytes(const QByteArray &bytes)
{
    m_batch.clear();
    m_codec.feed(bytes, m_batch);
    if (m_closeSent) // the relay said goodbye: what the client still says is not relayed
        m_batch.clear();
    received(bytes.size(), m_batch);
    const QByteArray replies = m_codec.takeReplies();
    if (!replies.isEmpty() && !isClosing())
        write(replies);

    const WebSocketCodec::State state = m_codec.state();
    if (state == WebSocketCodec::State::Open)
        return;
    if (isClosing()) { // the client answers the relay's Close, or the connection is gone
        tcpSocket()->disconnectFromHost();
        return;
    }
    if (state == WebSocketCodec::State::Closed) {
        close(Disconnect::ClientClosed, QStringLiteral("closed by client"));
        return;
    }
    const bool tooBig = m_codec.closeCode() == WebSocketCodec::kMessageTooBig;
    if (tooBig)
        ++m_info.droppedMessages;
    qCWarning(lcClients).noquote() << peerName() << m_codec.error() + QStringLiteral(": closed it");
    close(tooBig ? Disconnect::Oversize : Disconnect::ProtocolError, m_codec.error());
}

void WebSocketSession::closeConnection(const QString &reason)
{
    switch (m_codec.state()) {
    case WebSocketCodec::State::Open: // the relay closes: the client answers, then it is closed
        write(WebSocketCodec::closeFrame(WebSocketCodec::kNormalClosure, reason));
        m_closeSent = true;
        return;
    case WebSocketCodec::State::Closed: // the answer to the client's Close: the same code
        write(WebSocketCodec::closeFrame(m_codec.closeCode()));
        break;
    case WebSocketCodec::State::Failed:
        write(WebSocketCodec::closeFrame(m_codec.closeCode(), m_codec.error()));
        break;
    }
    m_closeSent = true;
    tcpSocket()->disconnectFromHost(); // may report disconnected() at once
}

void WebSocketSession::onDisconnected()
{
    setClosing(); // nothing is sent any more
    readAvailable(); // whatever arrived with the close; an unfinished message is not relayed
    reportDisconnected();
}
