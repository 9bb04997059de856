#include "websocketcodec.h"

#include <QUtf8StringView>
#include <QtEndian>

#include <cstring>

namespace {
constexpr qsizetype kMaxControlPayload = 125;
constexpr qsizetype kMaxCloseReasonBytes = kMaxControlPayload - 2; // after the code

bool isValidUtf8(QByteArrayView bytes)
{
    return QUtf8StringView(bytes.data(), bytes.size()).isValidUtf8();
}

// The codes a client may send (RFC 6455 section 7.4): the defined ones, those IANA registered
// since (1012 to 1014), and the range for applications. 1004 to 1006 and 1015 are never sent.
bool isValidCloseCode(quint16 code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
}

// Appends @p masked to @p out, unmasked with @p mask from byte @p offset of the payload on:
// eight bytes at a time, the mask turned to start where the payload is.
void appendUnmasked(
    QByteArray &out, QByteArrayView masked, const std::array<uchar, 4> &mask, qint64 offset)
{
    const qsizetype start = out.size();
    const qsizetype size = masked.size();
    out.resize(start + size);
    char *to = out.data() + start;
    const char *from = masked.data();
    uchar turned[8];
    for (int i = 0; i < 8; ++i)
        turned[i] = mask[size_t((offset + i) & 3)];
    quint64 word;
    std::memcpy(&word, turned, sizeof word);
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        quint64 chunk;
        std::memcpy(&chunk, from + i, sizeof chunk);
        chunk ^= word;
        std::memcpy(to + i, &chunk, sizeof chunk);
    }
    for (; i < size; ++i)
        to[i] = char(uchar(from[i]) ^ turned[i & 7]);
}
} // namespace

WebSocketCodec::WebSocketCodec(qsizetype maxMessageBytes)
    : m_maxMessageBytes(maxMessageBytes)
{ }

void WebSocketCodec::feed(QByteArrayView bytes, MessageBatch &out)
{
    qsizetype at = 0;
    while (m_state == State::Open) {
        if (!m_inPayload) {
            at += readHeader(bytes.sliced(at));
            if (!m_inPayload)
                return; // the header is not complete yet, or broke the protocol
        }
        const qsizetype take = qsizetype(qMin<qint64>(m_payloadLeft, bytes.size() - at));
        readPayload(bytes.sliced(at, take));
        at += take;
        if (m_payloadLeft > 0)
            return;
        finishFrame(out);
    }
}

QByteArray WebSocketCodec::takeReplies()
{
    QByteArray replies;
    replies.swap(m_replies);
    return replies;
}

// Takes header bytes from @p bytes until the header is whole (then the payload is next) or
// @p bytes end; returns how many it took. The first two bytes are judged as soon as they are
// here, so that a frame that breaks the protocol is refused before its payload is awaited.
qsizetype WebSocketCodec::readHeader(QByteArrayView bytes)
{
    qsizetype used = 0;
    for (;;) {
        qsizetype size = 2;
        if (m_headerBytes >= 2) {
            const uchar length = m_header[1] & 0x7F;
            size += (length == 126 ? 2 : length == 127 ? 8 : 0) + 4; // length, then the mask
        }
        if (m_headerBytes == size) {
            m_headerBytes = 0;
            m_inPayload = startFrame();
            return used;
        }
        if (used == bytes.size())
            return used;
        const qsizetype take = qMin(size - m_headerBytes, bytes.size() - used);
        std::memcpy(m_header.data() + m_headerBytes, bytes.data() + used, size_t(take));
        m_headerBytes += take;
        used += take;
        if (m_headerBytes != 2)
            continue;
        const uchar first = m_header[0];
        const bool masked = m_header[1] & 0x80;
        const qsizetype length = m_header[1] & 0x7F;
        m_fin = first & 0x80;
        m_opcode = first & 0x0F;
        if (first & 0x70)
            fail(kProtocolError, QStringLiteral("set a reserved bit (no extension was agreed)"));
        else if (!masked)
            fail(kProtocolError, QStringLiteral("sent a frame that is not masked"));
        else if (m_opcode == Continuation && m_messageOpcode == Continuation)
            fail(kProtocolError, QStringLiteral("continued a message it never started"));
        else if ((m_opcode == Text || m_opcode == Binary) && m_messageOpcode != Continuation)
            fail(kProtocolError, QStringLiteral("started a message before ending the last"));
        else if (m_opcode >= Close && m_opcode <= Pong && !m_fin)
            fail(kProtocolError, QStringLiteral("sent a fragmented control frame"));
        else if (m_opcode >= Close && m_opcode <= Pong && length > kMaxControlPayload)
            fail(kProtocolError, QStringLiteral("sent a control frame over 125 bytes"));
        else if (m_opcode > Binary && (m_opcode < Close || m_opcode > Pong))
            fail(kProtocolError, QStringLiteral("sent a frame of unknown type %1").arg(m_opcode));
        if (m_state != State::Open)
            return used;
    }
}

// The header is whole: reads its length and mask. False when the frame cannot be taken.
bool WebSocketCodec::startFrame()
{
    const uchar length7 = m_header[1] & 0x7F;
    quint64 length = length7;
    qsizetype maskAt = 2;
    if (length7 == 126) {
        length = qFromBigEndian<quint16>(m_header.data() + 2);
        maskAt = 4;
    } else if (length7 == 127) {
        length = qFromBigEndian<quint64>(m_header.data() + 2);
        maskAt = 10;
    }
    std::memcpy(m_mask.data(), m_header.data() + maskAt, m_mask.size());
    const bool control = m_opcode >= Close;
    if (length >> 63) {
        fail(kProtocolError, QStringLiteral("sent a frame length over 2^63"));
        return false;
    }
    if (!control && length > quint64(m_maxMessageBytes - m_message.size())) {
        fail(kMessageTooBig,
            QStringLiteral("sent a message longer than %1 bytes").arg(m_maxMessageBytes));
        return false;
    }
    if (m_opcode == Text || m_opcode == Binary)
        m_messageOpcode = Opcode(m_opcode);
    if (control)
        m_control.resize(0);
    m_payloadLeft = qint64(length);
    m_maskOffset = 0;
    return true;
}

void WebSocketCodec::readPayload(QByteArrayView bytes)
{
    appendUnmasked(m_opcode >= Close ? m_control : m_message, bytes, m_mask, m_maskOffset);
    m_maskOffset += bytes.size();
    m_payloadLeft -= bytes.size();
}

void WebSocketCodec::finishFrame(MessageBatch &out)
{
    m_inPayload = false;
    switch (m_opcode) {
    case Ping:
        appendFrame(m_replies, Pong, m_control);
        return;
    case Pong:
        return;
    case Close:
        finishClose();
        return;
    default:
        break;
    }
    if (!m_fin)
        return;
    const bool text = m_messageOpcode == Text;
    if (text && !isValidUtf8(m_message)) {
        fail(kInvalidPayload, QStringLiteral("sent a text message that is not valid UTF-8"));
        return;
    }
    out.append(m_message, text ? LineEnding::TextMessage : LineEnding::BinaryMessage);
    m_message.resize(0); // keeps the capacity for the next message
    m_messageOpcode = Continuation;
}

void WebSocketCodec::finishClose()
{
    if (m_control.isEmpty()) {
        m_state = State::Closed;
        m_closeCode = kNoStatusReceived;
        return;
    }
    if (m_control.size() == 1) {
        fail(kProtocolError, QStringLiteral("sent a Close frame with a 1-byte body"));
        return;
    }
    const quint16 code = qFromBigEndian<quint16>(m_control.constData());
    if (!isValidCloseCode(code)) {
        fail(kProtocolError, QStringLiteral("sent the close code %1, which is reserved").arg(code));
        return;
    }
    if (!isValidUtf8(QByteArrayView(m_control).sliced(2))) {
        fail(kInvalidPayload, QStringLiteral("sent a close reason that is not valid UTF-8"));
        return;
    }
    m_state = State::Closed;
    m_closeCode = code;
}

void WebSocketCodec::fail(quint16 code, const QString &error)
{
    m_state = State::Failed;
    m_closeCode = code;
    m_error = error;
    m_message = QByteArray(); // what it held is never relayed now: its memory goes
}

// The header is made in place and the payload copied once, without QByteArray::append(): this
// runs once per message of every broadcast to WebSocket clients.
void WebSocketCodec::appendFrame(QByteArray &out, Opcode opcode, QByteArrayView payload)
{
    const quint64 size = quint64(payload.size());
    uchar header[10] = {uchar(0x80 | opcode)};
    qsizetype headerSize = 2;
    if (size <= 125) {
        header[1] = uchar(size);
    } else if (size <= 0xFFFF) {
        header[1] = 126;
        qToBigEndian(quint16(size), header + 2);
        headerSize = 4;
    } else {
        header[1] = 127;
        qToBigEndian(size, header + 2);
        headerSize = 10;
    }
    const qsizetype at = out.size();
    out.resize(at + headerSize + payload.size());
    char *to = out.data() + at;
    std::memcpy(to, header, size_t(headerSize));
    if (!payload.isEmpty())
        std::memcpy(to + headerSize, payload.data(), size_t(payload.size()));
}

QByteArray WebSocketCodec::closeFrame(quint16 code, const QString &reason)
{
    QByteArray payload;
    if (code != kNoStatusReceived) {
        QByteArray text = reason.toUtf8();
        if (text.size() > kMaxCloseReasonBytes) {
            qsizetype end = kMaxCloseReasonBytes;
            while (end > 0 && (uchar(text.at(end)) & 0xC0) == 0x80)
                --end; // text[end] continues a character: cut before that character
            text.truncate(end);
        }
        payload.append(char(code >> 8)).append(char(code & 0xFF)).append(text);
    }
    QByteArray frame;
    appendFrame(frame, Close, payload);
    return frame;
}

WebSocketCodec::Opcode WebSocketCodec::opcodeFor(QByteArrayView message, LineEnding ending)
{
    if (ending == LineEnding::TextMessage)
        return Text;
    if (ending == LineEnding::BinaryMessage)
        return Binary;
    return isValidUtf8(message) ? Text : Binary;
}
