// OutgoingMessages: one run of relayed messages on its way to every client. Each kind of client
// wants them in its own wire form (a block of lines ended by LF, CRLF, NUL or the exact
// terminator; one WebSocket frame each; one OSC datagram each): each form is made once, on the
// first client that asks for it, and shared by all the others. Lives on the stack of
// RelayServer::deliver().
#pragma once

#include "messagebatch.h"
#include "terminator.h"

class OscCodec;

#include <QByteArray>

#include <array>

class OutgoingMessages
{
public:
    /// Messages @p first to @p last (exclusive) of @p batch, which must outlive this object.
    OutgoingMessages(
        const MessageBatch &batch, qsizetype first, qsizetype last, const Terminator &terminator);

    qsizetype count() const { return m_last - m_first; }
    /// Message @p index (from 0 to count() - 1), without terminator: one UDP datagram.
    QByteArrayView payload(qsizetype index) const { return m_batch.payload(m_first + index); }
    /// Every message followed by the terminator for @p ending, back to back.
    const QByteArray &block(LineEnding ending);
    /// Every message as a WebSocket frame, back to back: a WebSocket client's message as it
    /// came (text or binary), any other as text when it is valid UTF-8, else as binary.
    const QByteArray &webSocketFrames();
    /// Every message that is an OSC message (OscCodec::encode()) as an OSC datagram, one entry
    /// each; the other messages are left out.
    const MessageBatch &oscDatagrams(OscCodec &codec);

private:
    const MessageBatch &m_batch;
    qsizetype m_first;
    qsizetype m_last;
    const Terminator &m_terminator;
    std::array<QByteArray, kLineEndingCount> m_blocks; // empty until asked for
    QByteArray m_webSocketFrames; // empty until asked for
    MessageBatch m_oscDatagrams;
    bool m_oscEncoded = false;
};
