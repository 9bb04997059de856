#include "outgoingmessages.h"

#include "osccodec.h"
#include "websocketcodec.h"

#include <cstring>

namespace {
constexpr qsizetype kMaxFrameHeaderBytes = 10; // a server frame's, for the largest length
} // namespace

OutgoingMessages::OutgoingMessages(
    const MessageBatch &batch, qsizetype first, qsizetype last, const Terminator &terminator)
    : m_batch(batch)
    , m_first(first)
    , m_last(last)
    , m_terminator(terminator)
{ }

const QByteArray &OutgoingMessages::block(LineEnding ending)
{
    QByteArray &block = m_blocks[size_t(ending)];
    if (!block.isEmpty()) // never empty once encoded: a terminator is at least one byte
        return block;
    const QByteArrayView terminator = m_terminator.bytesFor(ending);
    qsizetype size = 0;
    for (qsizetype i = m_first; i < m_last; ++i)
        size += m_batch.payload(i).size() + terminator.size();
    block.resize(size); // then copied in place: append() costs more than the copy, per message
    char *to = block.data();
    for (qsizetype i = m_first; i < m_last; ++i) {
        const QByteArrayView payload = m_batch.payload(i);
        std::memcpy(to, payload.data(), size_t(payload.size()));
        std::memcpy(to + payload.size(), terminator.data(), size_t(terminator.size()));
        to += payload.size() + terminator.size();
    }
    return block;
}

const QByteArray &OutgoingMessages::webSocketFrames()
{
    if (!m_webSocketFrames.isEmpty()) // never empty once encoded: a frame is at least 2 bytes
        return m_webSocketFrames;
    qsizetype size = 0;
    for (qsizetype i = m_first; i < m_last; ++i)
        size += m_batch.payload(i).size() + kMaxFrameHeaderBytes;
    m_webSocketFrames.reserve(size);
    for (qsizetype i = m_first; i < m_last; ++i) {
        const QByteArrayView payload = m_batch.payload(i);
        WebSocketCodec::appendFrame(
            m_webSocketFrames, WebSocketCodec::opcodeFor(payload, m_batch.ending(i)), payload);
    }
    return m_webSocketFrames;
}

const MessageBatch &OutgoingMessages::oscDatagrams(OscCodec &codec)
{
    if (m_oscEncoded)
        return m_oscDatagrams;
    m_oscEncoded = true;
    QByteArray datagram;
    for (qsizetype i = m_first; i < m_last; ++i) {
        if (codec.encode(m_batch.payload(i), datagram))
            m_oscDatagrams.append(datagram, LineEnding::None);
    }
    return m_oscDatagrams;
}
