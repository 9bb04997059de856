#include "outgoingmessages.h"

#include <QUtf8StringView>

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
    block.reserve(size);
    for (qsizetype i = m_first; i < m_last; ++i)
        block.append(m_batch.payload(i)).append(terminator);
    return block;
}

const OutgoingMessages::WebSocketMessage &OutgoingMessages::webSocketMessage(qsizetype index)
{
    if (m_webSocketMessages.isEmpty()) {
        m_webSocketMessages.reserve(count());
        for (qsizetype i = m_first; i < m_last; ++i) {
            const QByteArrayView payload = m_batch.payload(i);
            WebSocketMessage message;
            message.isText = QUtf8StringView(payload.data(), payload.size()).isValidUtf8();
            if (message.isText)
                message.text = QString::fromUtf8(payload);
            else
                message.binary = payload.toByteArray();
            m_webSocketMessages.append(message);
        }
    }
    return m_webSocketMessages.at(index);
}
