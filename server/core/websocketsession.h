// WebSocketSession: a client on a WebSocket, usually a web page: a StreamSession on the TCP
// connection that WebGateway upgraded, with RFC 6455 frames instead of lines (WebSocketCodec).
// Each WebSocket message it sends, text or binary, is one relay message; each relay message
// reaches it as one WebSocket message without a terminator: a WebSocket client's as it came
// (text or binary), any other as text when it is valid UTF-8, else as binary. Reads are bounded
// and writes shared as for TCP: every WebSocket client gets the same frames, made once.
//
// Closing: the client's Close frame is answered with a Close frame, then the connection is
// closed. The relay's own close (server stopping, the operator) sends a Close frame with the
// reason and waits for the client's answer, at most the grace period of ClientSession::close().
// A client that breaks the protocol, or sends a message over the size limit, gets a Close frame
// with the code that says why (1002, 1007, 1009), is logged once, and is closed at once.
#pragma once

#include "streamsession.h"
#include "websocketcodec.h"

class WebSocketSession : public StreamSession
{
    Q_OBJECT

public:
    /// Takes ownership of @p socket, whose handshake is done; @p firstFrames came right behind
    /// the handshake, and are read before anything else.
    WebSocketSession(quint64 id, QTcpSocket *socket, const QByteArray &firstFrames,
        const RelayConfig &config, QObject *parent);

protected:
    const QByteArray &encode(OutgoingMessages &messages) override;
    QByteArray encode(QByteArrayView message) override;
    void relayBytes(const QByteArray &bytes) override;
    void onDisconnected() override;
    void closeConnection(const QString &reason) override;

private:
    WebSocketCodec m_codec;
    MessageBatch m_batch; // reused from read to read
    bool m_closeSent = false;
};
