// libFuzzer target for FrameCodec (server/core/framecodec.h).
//
// Input layout
//   byte 0   bits 0-1: terminator: 0 = auto, 1..3 = exact, that many bytes taken from the input
//            bits 2-7: piece size for the second decoding, 1..64 bytes
//   byte 1   maximum message size, 1..64 bytes
//   then     the exact terminator's bytes (if any), then the stream itself
//
// The stream is decoded twice, each time by a fresh FrameCodec collecting into one MessageBatch:
// once fed all at once, once fed in pieces. Any broken invariant calls abort():
//   (a) both decodings give the same messages, endings, droppedMessages() and tail;
//   (b) no payload is longer than the maximum;
//   (c) no payload holds a terminator: in exact mode the configured bytes, in auto mode "\n" or
//       "\0"; an auto message that ended with LF does not end with "\r" (that would be CRLF);
//       every ending is Exact in exact mode, Lf, CrLf or Nul in auto mode;
//   (d) after every feed, pendingBytes() <= maximum + 1 (auto) or maximum + length - 1 (exact);
//   (e) when nothing was dropped, payloads + their terminators + the tail give back the stream;
//   (f) the result matches a naive reference splitter: the same messages and endings, the same
//       drop count for terminated messages, and an unterminated tail that fits the maximum is
//       returned as it is; a longer tail is dropped and counted;
//   (g) takeUnterminated() forgets: a second call returns nothing and nothing stays pending;
//   (h) splitDatagram() of the stream as one UDP datagram gives the same messages without the
//       empty ones, then the tail (ended None) when it is not empty, with the same drop count,
//       and holds nothing back.

#include "framecodec.h"
#include "messagebatch.h"
#include "terminator.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

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
    qint64 dropped = 0;
    QByteArray tail;
};

struct FuzzCase
{
    Terminator terminator;
    qsizetype maxMessageBytes = 1;
    qsizetype pieceSize = 1;
    QByteArrayView stream;
};

void check(bool ok, const char *invariant)
{
    if (ok)
        return;
    std::fprintf(stderr, "fuzz_framecodec: invariant broken: %s\n", invariant);
    std::abort();
}

// Reads the header described above; false when the input is too short to hold it.
bool parseCase(QByteArrayView input, FuzzCase &out)
{
    if (input.size() < 2)
        return false;
    const auto control = uchar(input[0]);
    const qsizetype terminatorLength = control % 4;
    if (input.size() < 2 + terminatorLength)
        return false;
    if (terminatorLength > 0)
        out.terminator = Terminator::exact(input.sliced(2, terminatorLength).toByteArray());
    out.pieceSize = control / 4 + 1;
    out.maxMessageBytes = uchar(input[1]) % 64 + 1;
    out.stream = input.sliced(2 + terminatorLength);
    return true;
}

qsizetype pendingLimit(const FuzzCase &c)
{
    return c.maxMessageBytes + (c.terminator.isAuto() ? 1 : c.terminator.exactBytes().size() - 1);
}

// Feeds the stream in pieces of pieceSize bytes to one codec and collects what comes out.
Decoded decode(const FuzzCase &c, qsizetype pieceSize)
{
    FrameCodec codec(c.terminator, c.maxMessageBytes);
    MessageBatch batch;
    for (qsizetype at = 0; at < c.stream.size(); at += pieceSize) {
        codec.feed(c.stream.sliced(at, std::min(pieceSize, c.stream.size() - at)), batch);
        check(codec.pendingBytes() <= pendingLimit(c), "(d) pendingBytes() within limit");
    }
    Decoded out;
    for (qsizetype i = 0; i < batch.count(); ++i)
        out.messages.append({batch.payload(i).toByteArray(), batch.ending(i)});
    out.tail = codec.takeUnterminated(); // counts a tail over the maximum as dropped
    out.dropped = codec.droppedMessages();
    check(codec.takeUnterminated().isEmpty() && codec.pendingBytes() == 0,
        "(g) takeUnterminated() forgets");
    return out;
}

// The obvious splitter, without a size limit while scanning: every terminated message (dropped
// or not, counted in dropped when too long) and the bytes after the last terminator.
Decoded referenceSplit(const FuzzCase &c)
{
    Decoded out;
    const QByteArrayView s = c.stream;
    const QByteArrayView exact = c.terminator.exactBytes();
    QByteArray current;
    auto finish = [&](LineEnding ending) {
        if (current.size() > c.maxMessageBytes)
            ++out.dropped;
        else
            out.messages.append({current, ending});
        current.clear();
    };
    for (qsizetype i = 0; i < s.size();) {
        if (c.terminator.isAuto() && (s[i] == '\n' || s[i] == '\0')) {
            const bool crlf = s[i] == '\n' && current.endsWith('\r');
            if (crlf)
                current.chop(1);
            finish(s[i] == '\0' ? LineEnding::Nul : crlf ? LineEnding::CrLf : LineEnding::Lf);
            i += 1;
        } else if (!c.terminator.isAuto() && s.sliced(i).startsWith(exact)) {
            finish(LineEnding::Exact);
            i += exact.size();
        } else {
            current.append(s[i]);
            i += 1;
        }
    }
    out.tail = current;
    return out;
}

bool payloadHoldsTerminator(const FuzzCase &c, const Message &m)
{
    if (c.terminator.isAuto())
        return m.payload.contains('\n') || m.payload.contains('\0');
    return m.payload.contains(c.terminator.exactBytes());
}

bool endingFitsMode(const FuzzCase &c, const Message &m)
{
    if (!c.terminator.isAuto())
        return m.ending == LineEnding::Exact;
    switch (m.ending) {
    case LineEnding::Lf:
        return !m.payload.endsWith('\r');
    case LineEnding::CrLf:
    case LineEnding::Nul:
        return true;
    case LineEnding::Exact:
    case LineEnding::None:
    case LineEnding::TextMessage:
    case LineEnding::BinaryMessage:
        break;
    }
    return false;
}

// The stream as the messages say it was: payload + terminator bytes each, then the tail.
QByteArray reassemble(const FuzzCase &c, const Decoded &d)
{
    QByteArray bytes;
    for (const Message &m : d.messages) {
        bytes.append(m.payload);
        bytes.append(c.terminator.bytesFor(m.ending));
    }
    bytes.append(d.tail);
    return bytes;
}

void checkAgainstReference(const FuzzCase &c, const Decoded &d)
{
    const Decoded ref = referenceSplit(c);
    check(d.messages == ref.messages, "(f) messages match the reference splitter");
    if (ref.tail.size() <= c.maxMessageBytes) {
        check(d.tail == ref.tail && d.dropped == ref.dropped,
            "(f) a tail within the maximum is returned, not dropped");
        return;
    }
    check(d.tail.isEmpty() && d.dropped == ref.dropped + 1,
        "(f) a tail over the maximum is dropped and counted");
}

void checkDatagram(const FuzzCase &c, const Decoded &whole)
{
    QList<Message> expected;
    for (const Message &m : whole.messages) {
        if (!m.payload.isEmpty())
            expected.append(m);
    }
    if (!whole.tail.isEmpty())
        expected.append({whole.tail, LineEnding::None});
    FrameCodec codec(c.terminator, c.maxMessageBytes);
    MessageBatch batch;
    codec.splitDatagram(c.stream, batch);
    QList<Message> got;
    for (qsizetype i = 0; i < batch.count(); ++i)
        got.append({batch.payload(i).toByteArray(), batch.ending(i)});
    check(got == expected && codec.droppedMessages() == whole.dropped && codec.pendingBytes() == 0,
        "(h) a datagram splits as the stream does");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzCase c;
    if (!parseCase(QByteArrayView(data, qsizetype(size)), c))
        return 0;

    const Decoded whole = decode(c, std::max<qsizetype>(c.stream.size(), 1));
    const Decoded pieces = decode(c, c.pieceSize);

    check(whole.messages == pieces.messages && whole.dropped == pieces.dropped
            && whole.tail == pieces.tail,
        "(a) all at once and in pieces agree");
    for (const Message &m : whole.messages) {
        check(m.payload.size() <= c.maxMessageBytes, "(b) payload within the maximum");
        check(!payloadHoldsTerminator(c, m), "(c) payload holds no terminator");
        check(endingFitsMode(c, m), "(c) ending fits the mode");
    }
    if (whole.dropped == 0)
        check(reassemble(c, whole) == c.stream, "(e) nothing dropped: the stream is rebuilt");
    checkAgainstReference(c, whole);
    checkDatagram(c, whole);
    return 0;
}
