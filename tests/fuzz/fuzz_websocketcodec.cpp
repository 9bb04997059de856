// libFuzzer target for WebSocketCodec (server/core/websocketcodec.h): what a client sends.
//
// Input layout
//   byte 0   maximum message size, 1..256 bytes (byte + 1)
//   byte 1   piece size for the second decoding, 1..64 bytes (byte % 64 + 1)
//   then     the client's byte stream (frames are masked: a zero mask leaves payloads plain)
//
// The stream is decoded twice, each time by a fresh WebSocketCodec: once fed all at once, once
// fed in pieces; after each feed the replies are taken. Any broken invariant calls abort():
//   (a) both decodings give the same messages, endings, replies, state, closeCode() and error();
//   (b) no message is longer than the maximum;
//   (c) every TextMessage is valid UTF-8 (by the strict table of RFC 3629 below, not Qt's), and
//       opcodeFor() (the relay's choice of frame for what it sends) says Text for a message, of
//       either kind, exactly when it is;
//   (d) once the state is not Open, a feed changes nothing: no message, no reply, the same
//       state, code and error (checked for the rest of the pieces, and for more bytes fed after
//       the stream: the stream again, a valid ping, a valid text message);
//   (e) Failed: closeCode() is 1002, 1007 or 1009 and error() says something; Closed: closeCode()
//       is 1005 (no code) or one a client may send (1000-1003, 1007-1014, 3000-4999);
//   (f) a naive reference parser, which has the whole stream and reads it frame by frame, gives
//       the same messages and endings, and the same final state (and code, unless Open);
//   (g) the replies are whole, unmasked, unfragmented Pong frames, each length in its 7-bit
//       form, and their payloads are those of the pings the reference read, in order;
//       takeReplies() empties the list.
//
// What the reference takes as the contract (websocketcodec.h): a frame's first two bytes are
// judged as soon as they are here (reserved bits, mask bit, opcode, fragmentation, control
// frame length); its length (over 2^63: 1002; over what the message has room for: 1009) once
// the whole header, mask included, is here; a control frame, and a text message's UTF-8, once
// the whole frame or message is here. A length not in its shortest form is accepted.

#include "messagebatch.h"
#include "websocketcodec.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

using State = WebSocketCodec::State;

struct Message
{
    QByteArray payload;
    LineEnding ending;

    friend bool operator==(const Message &a, const Message &b)
    {
        return a.payload == b.payload && a.ending == b.ending;
    }
};

struct Decoded
{
    QList<Message> messages;
    QByteArray replies; // every takeReplies(), in order
    State state = State::Open;
    quint16 closeCode = 0;
    QString error;
};

struct FuzzCase
{
    qsizetype maxMessageBytes = 1;
    qsizetype pieceSize = 1;
    QByteArrayView stream;
};

void check(bool ok, const char *invariant)
{
    if (ok)
        return;
    std::fprintf(stderr, "fuzz_websocketcodec: invariant broken: %s\n", invariant);
    std::abort();
}

// Reads the header described above; false when the input is too short to hold it.
bool parseCase(QByteArrayView input, FuzzCase &out)
{
    if (input.size() < 2)
        return false;
    out.maxMessageBytes = qsizetype(uchar(input[0])) + 1;
    out.pieceSize = qsizetype(uchar(input[1]) % 64) + 1;
    out.stream = input.sliced(2);
    return true;
}

// UTF-8 as RFC 3629 section 4 defines it, byte by byte: no overlong form, no surrogate, nothing
// over U+10FFFF, no sequence cut short.
bool isStrictUtf8(QByteArrayView bytes)
{
    qsizetype i = 0;
    while (i < bytes.size()) {
        const uchar lead = uchar(bytes[i]);
        if (lead <= 0x7F) {
            ++i;
            continue;
        }
        qsizetype following = 0;
        uchar secondMin = 0x80;
        uchar secondMax = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            following = 1;
        } else if (lead == 0xE0) {
            following = 2;
            secondMin = 0xA0;
        } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
            following = 2;
        } else if (lead == 0xED) {
            following = 2;
            secondMax = 0x9F;
        } else if (lead == 0xF0) {
            following = 3;
            secondMin = 0x90;
        } else if (lead >= 0xF1 && lead <= 0xF3) {
            following = 3;
        } else if (lead == 0xF4) {
            following = 3;
            secondMax = 0x8F;
        } else {
            return false; // 0x80..0xC1, 0xF5..0xFF
        }
        if (bytes.size() - i - 1 < following)
            return false;
        const uchar second = uchar(bytes[i + 1]);
        if (second < secondMin || second > secondMax)
            return false;
        for (qsizetype k = 2; k <= following; ++k) {
            const uchar next = uchar(bytes[i + k]);
            if (next < 0x80 || next > 0xBF)
                return false;
        }
        i += 1 + following;
    }
    return true;
}

bool isSendableCloseCode(quint16 code)
{
    if (code >= 3000 && code <= 4999)
        return true;
    return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

// One masked client frame, the length in its shortest form, for the feeds after the stream.
QByteArray maskedFrame(quint8 opcode, QByteArrayView payload)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    frame.append(char(0x80 | int(payload.size()))); // payload.size() <= 125 here
    const char mask[4] = {'\x12', '\x34', '\x56', '\x78'};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

// (d): a codec no longer Open takes @p bytes and nothing changes.
void checkFeedChangesNothing(WebSocketCodec &codec, QByteArrayView bytes)
{
    const State state = codec.state();
    const quint16 code = codec.closeCode();
    const QString error = codec.error();
    MessageBatch batch;
    codec.feed(bytes, batch);
    check(batch.isEmpty(), "(d) no message once the state is not Open");
    check(codec.takeReplies().isEmpty(), "(d) no reply once the state is not Open");
    check(codec.state() == state && codec.closeCode() == code && codec.error() == error,
        "(d) state, code and error stay once the state is not Open");
}

// Feeds the stream in pieces of pieceSize bytes to one codec and collects what comes out.
Decoded decode(const FuzzCase &c, qsizetype pieceSize)
{
    WebSocketCodec codec(c.maxMessageBytes);
    Decoded out;
    MessageBatch batch;
    for (qsizetype at = 0; at < c.stream.size(); at += pieceSize) {
        const QByteArrayView piece = c.stream.sliced(at, std::min(pieceSize, c.stream.size() - at));
        if (codec.state() != State::Open) {
            checkFeedChangesNothing(codec, piece);
            continue;
        }
        batch.clear();
        codec.feed(piece, batch);
        for (qsizetype i = 0; i < batch.count(); ++i)
            out.messages.append({batch.payload(i).toByteArray(), batch.ending(i)});
        out.replies += codec.takeReplies();
        check(codec.takeReplies().isEmpty(), "(g) takeReplies() empties the list");
    }
    if (codec.state() != State::Open) {
        checkFeedChangesNothing(codec, c.stream);
        checkFeedChangesNothing(codec, maskedFrame(WebSocketCodec::Ping, "ping"));
        checkFeedChangesNothing(codec, maskedFrame(WebSocketCodec::Text, "text"));
    }
    out.state = codec.state();
    out.closeCode = codec.closeCode();
    out.error = codec.error();
    return out;
}

struct Reference
{
    QList<Message> messages;
    QList<QByteArray> pings; // payloads, in order
    State state = State::Open;
    quint16 closeCode = 0;
};

// The naive parser: walks the whole stream frame by frame, unmasking byte by byte. It stops
// where the stream ends before a frame does (still Open), at a Close frame, or at a breach.
Reference referenceParse(const FuzzCase &c)
{
    Reference ref;
    const QByteArrayView s = c.stream;
    auto fail = [&ref](quint16 code) {
        ref.state = State::Failed;
        ref.closeCode = code;
        return ref;
    };
    bool inMessage = false;
    bool messageIsText = false;
    QByteArray message;
    qsizetype at = 0;
    for (;;) {
        if (s.size() - at < 2)
            return ref;
        const uchar byte0 = uchar(s[at]);
        const uchar byte1 = uchar(s[at + 1]);
        const bool fin = byte0 & 0x80;
        const uchar reserved = byte0 & 0x70;
        const uchar opcode = byte0 & 0x0F;
        const bool masked = byte1 & 0x80;
        const uchar length7 = byte1 & 0x7F;
        const bool isData = opcode == 0x0 || opcode == 0x1 || opcode == 0x2;
        const bool isControl = opcode == 0x8 || opcode == 0x9 || opcode == 0xA;

        // Judged on the first two bytes; every such breach is a protocol error.
        if (reserved != 0 || !masked || (!isData && !isControl))
            return fail(1002);
        if (opcode == 0x0 && !inMessage)
            return fail(1002);
        if ((opcode == 0x1 || opcode == 0x2) && inMessage)
            return fail(1002);
        if (isControl && (!fin || length7 > 125))
            return fail(1002);

        // The whole header: the length, then the mask.
        const qsizetype lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        const qsizetype headerBytes = 2 + lengthBytes + 4;
        if (s.size() - at < headerBytes)
            return ref;
        quint64 length = length7;
        if (lengthBytes > 0) {
            length = 0;
            for (qsizetype k = 0; k < lengthBytes; ++k)
                length = (length << 8) | uchar(s[at + 2 + k]);
        }
        if (length >= (quint64(1) << 63))
            return fail(1002);
        if (isData && quint64(message.size()) + length > quint64(c.maxMessageBytes))
            return fail(1009);
        const qsizetype maskAt = at + 2 + lengthBytes;
        at += headerBytes;

        // The payload.
        if (quint64(s.size() - at) < length)
            return ref;
        QByteArray payload;
        for (qsizetype k = 0; k < qsizetype(length); ++k)
            payload.append(char(uchar(s[at + k]) ^ uchar(s[maskAt + k % 4])));
        at += qsizetype(length);

        if (opcode == 0x9) {
            ref.pings.append(payload);
        } else if (opcode == 0xA) {
            // a pong: nothing to do
        } else if (opcode == 0x8) {
            if (payload.isEmpty()) {
                ref.state = State::Closed;
                ref.closeCode = 1005;
                return ref;
            }
            if (payload.size() == 1)
                return fail(1002);
            const quint16 code = quint16((uchar(payload[0]) << 8) | uchar(payload[1]));
            if (!isSendableCloseCode(code))
                return fail(1002);
            if (!isStrictUtf8(QByteArrayView(payload).sliced(2)))
                return fail(1007);
            ref.state = State::Closed;
            ref.closeCode = code;
            return ref;
        } else {
            if (opcode != 0x0) {
                inMessage = true;
                messageIsText = opcode == 0x1;
            }
            message.append(payload);
            if (fin) {
                if (messageIsText && !isStrictUtf8(message))
                    return fail(1007);
                ref.messages.append(
                    {message, messageIsText ? LineEnding::TextMessage : LineEnding::BinaryMessage});
                message.clear();
                inMessage = false;
            }
        }
    }
}

// (g): the replies split into Pong frames; aborts on anything else.
QList<QByteArray> pongPayloads(QByteArrayView replies)
{
    QList<QByteArray> payloads;
    qsizetype at = 0;
    while (at < replies.size()) {
        check(replies.size() - at >= 2, "(g) a reply is a whole frame");
        check(uchar(replies[at]) == 0x8A, "(g) a reply is a Pong with FIN set, no reserved bit");
        const uchar byte1 = uchar(replies[at + 1]);
        check(!(byte1 & 0x80), "(g) a reply is not masked");
        check(byte1 <= 125, "(g) a reply's length is in its 7-bit form");
        check(replies.size() - at - 2 >= byte1, "(g) a reply is a whole frame");
        payloads.append(replies.sliced(at + 2, byte1).toByteArray());
        at += 2 + byte1;
    }
    return payloads;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzCase c;
    if (!parseCase(QByteArrayView(data, qsizetype(size)), c))
        return 0;

    const Decoded whole = decode(c, std::max<qsizetype>(c.stream.size(), 1));
    const Decoded pieces = decode(c, c.pieceSize);

    check(whole.messages == pieces.messages, "(a) all at once and in pieces: the same messages");
    check(whole.replies == pieces.replies, "(a) all at once and in pieces: the same replies");
    check(whole.state == pieces.state && whole.closeCode == pieces.closeCode
            && whole.error == pieces.error,
        "(a) all at once and in pieces: the same state, code and error");

    for (const Message &m : whole.messages) {
        check(m.payload.size() <= c.maxMessageBytes, "(b) message within the maximum");
        check(m.ending == LineEnding::TextMessage || m.ending == LineEnding::BinaryMessage,
            "(b) a message ends TextMessage or BinaryMessage");
        const bool utf8 = isStrictUtf8(m.payload);
        if (m.ending == LineEnding::TextMessage)
            check(utf8, "(c) a text message is valid UTF-8");
        check((WebSocketCodec::opcodeFor(m.payload) == WebSocketCodec::Text) == utf8,
            "(c) opcodeFor() says Text exactly for valid UTF-8");
    }

    switch (whole.state) {
    case State::Failed:
        check(whole.closeCode == 1002 || whole.closeCode == 1007 || whole.closeCode == 1009,
            "(e) Failed: close code 1002, 1007 or 1009");
        check(!whole.error.isEmpty(), "(e) Failed: error() says what was wrong");
        break;
    case State::Closed:
        check(whole.closeCode == 1005 || isSendableCloseCode(whole.closeCode),
            "(e) Closed: close code 1005 or one a client may send");
        break;
    case State::Open:
        break;
    }

    const Reference ref = referenceParse(c);
    check(whole.messages == ref.messages, "(f) messages match the reference parser");
    check(whole.state == ref.state, "(f) state matches the reference parser");
    if (ref.state != State::Open)
        check(whole.closeCode == ref.closeCode, "(f) close code matches the reference parser");
    check(pongPayloads(whole.replies) == ref.pings, "(g) one pong per ping, the same payload");
    return 0;
}
