// WebSocketCodec: the relay's side of RFC 6455 framing, one per WebSocket client. Pure code, no
// QObject, like FrameCodec; tested with raw frames, cut at every byte.
//
// Reading: feed() takes the client's bytes as they arrive (a frame may be cut anywhere) and
// appends each complete message to a MessageBatch, ended LineEnding::TextMessage or
// BinaryMessage. Payloads are unmasked as they arrive, so the codec holds at most one
// unfinished message (never more than the maximum size) and a frame header. A ping is answered
// (takeReplies()); a pong is ignored. A text message is judged valid UTF-8 as a whole, however
// it is fragmented (RFC 6455 section 8.1). Reading stops for good at the client's Close frame
// (state Closed) or at the first breach of the protocol (state Failed: closeCode() is the code
// to answer with, error() says what was wrong in words).
//
// Writing: appendFrame() and closeFrame() make the server's frames: unmasked, one frame per
// message, the length in its shortest form.
#pragma once

#include "messagebatch.h"

#include <QByteArray>
#include <QString>

#include <array>

class WebSocketCodec
{
public:
    enum class State
    {
        Open,
        Closed, ///< the client sent a Close frame: answer with closeFrame(closeCode())
        Failed, ///< the client broke the protocol: close with closeCode()
    };

    enum Opcode : quint8
    {
        Continuation = 0x0,
        Text = 0x1,
        Binary = 0x2,
        Close = 0x8,
        Ping = 0x9,
        Pong = 0xA,
    };

    // Close codes (RFC 6455 section 7.4.1).
    static constexpr quint16 kNormalClosure = 1000;
    static constexpr quint16 kProtocolError = 1002;
    static constexpr quint16 kNoStatusReceived = 1005; // never sent: a Close without a code
    static constexpr quint16 kInvalidPayload = 1007; // text that is not UTF-8
    static constexpr quint16 kMessageTooBig = 1009;
    static constexpr quint16 kTryAgainLater = 1013; // the relay is full

    explicit WebSocketCodec(qsizetype maxMessageBytes);

    /// Reads the frames in @p bytes, which may end anywhere; appends every complete message to
    /// @p out. Ignores everything once the state is no longer Open.
    void feed(QByteArrayView bytes, MessageBatch &out);
    State state() const { return m_state; }
    /// Closed: the code the client gave (kNoStatusReceived when none); Failed: the code to send.
    quint16 closeCode() const { return m_closeCode; }
    /// Failed: what the client did wrong, e.g. "sent a frame that is not masked".
    QString error() const { return m_error; }
    /// The frames to send back (pongs), in order; empties the list.
    QByteArray takeReplies();
    qsizetype maxMessageBytes() const { return m_maxMessageBytes; }

    /// Appends one server frame (FIN set, not masked) carrying @p payload to @p out.
    static void appendFrame(QByteArray &out, Opcode opcode, QByteArrayView payload);
    /// A Close frame with @p code (none when kNoStatusReceived) and @p reason, which is cut to
    /// the 123 bytes a Close frame has room for, never inside a UTF-8 character.
    static QByteArray closeFrame(quint16 code, const QString &reason = QString());
    /// The frame for @p message: a WebSocket client's as it came (@p ending TextMessage or
    /// BinaryMessage); any other text when it is valid UTF-8, else binary.
    static Opcode opcodeFor(QByteArrayView message, LineEnding ending = LineEnding::None);

private:
    qsizetype readHeader(QByteArrayView bytes);
    bool startFrame();
    void readPayload(QByteArrayView bytes);
    void finishFrame(MessageBatch &out);
    void finishClose();
    void fail(quint16 code, const QString &error);

    qsizetype m_maxMessageBytes;
    State m_state = State::Open;
    quint16 m_closeCode = 0;
    QString m_error;
    QByteArray m_replies;

    // The frame being read: its header first (2 to 14 bytes), then its payload.
    std::array<uchar, 14> m_header{};
    qsizetype m_headerBytes = 0; // of m_header, read so far
    bool m_inPayload = false;
    bool m_fin = false;
    quint8 m_opcode = 0;
    std::array<uchar, 4> m_mask{};
    qint64 m_payloadLeft = 0;
    qint64 m_maskOffset = 0; // payload bytes unmasked so far

    Opcode m_messageOpcode = Continuation; // Text or Binary while a message is unfinished
    QByteArray m_message; // its payload so far, unmasked
    QByteArray m_control; // the payload of the control frame being read
};
