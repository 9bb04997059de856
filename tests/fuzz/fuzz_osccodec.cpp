// libFuzzer target for OscCodec (server/core/osccodec.h): what a UDP peer sends in OSC mode, and
// what the relay's other clients send to OSC peers.
//
// Input layout: none; the whole input is decoded as a datagram and encoded as a text line.
//
// Any broken invariant calls abort():
//   (a) a refused datagram appends nothing (the batch's earlier message stays as it was), and its
//       reason has words;
//   (b) every line of an accepted datagram is one text line: it starts with a valid address and
//       holds no "\n", "\r" or "\0"; all of them together are at most 6 times the datagram's size
//       (the most a byte can grow: a one-byte tag F becomes " false");
//   (c) every such line encodes, to a datagram that decodes into one line, which encodes to the
//       same datagram again; that line is the first one, unless the input holds a byte 'd' (a
//       double is read back by its look as a float, so its text may change: the one type where
//       it does);
//   (d) a message whose type tags are all among i f s b T F N, and no float a NaN (whose bits
//       are not kept), comes back byte for byte from encode(decode(input));
//   (e) a line that encodes gives a datagram that decodes into one line, which encodes to the
//       same datagram again;
//   (f) with forced types (/f=ihfdsScb), a line to /f that encodes has those tags first, as many
//       as it has arguments, and decodes; any other line encodes as without forced types.

#include "messagebatch.h"
#include "osccodec.h"

#include <QByteArray>
#include <QByteArrayView>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

void check(bool ok, const char *invariant)
{
    if (ok)
        return;
    std::fprintf(stderr, "fuzz_osccodec: invariant broken: %s\n", invariant);
    std::abort();
}

// The type tags (after the ',') of an OSC message that decode() accepted.
QByteArrayView tagsOf(QByteArrayView message)
{
    const qsizetype tagsStart = (message.indexOf('\0') + 4) & ~qsizetype(3);
    const qsizetype tagsEnd = message.indexOf('\0', tagsStart);
    return message.sliced(tagsStart + 1, tagsEnd - tagsStart - 1);
}

bool hasNaNArgument(QByteArrayView line)
{
    return line.endsWith(" nan") || line.contains(" nan ");
}

bool isOneLine(QByteArrayView line)
{
    const qsizetype addressEnd = line.indexOf(' ');
    return OscCodec::isValidAddress(addressEnd < 0 ? line : line.first(addressEnd))
        && !line.contains('\n') && !line.contains('\r') && !line.contains('\0');
}

// (c): @p line encodes to a datagram that decodes into one line (@p line itself when @p exact),
// which encodes to the same datagram again.
void checkLineRoundTrip(OscCodec &codec, QByteArrayView line, bool exact)
{
    QByteArray datagram;
    check(codec.encode(line, datagram), "(c) a decoded line encodes");
    MessageBatch batch;
    check(codec.decode(datagram, batch) == OscCodec::Error::None && batch.count() == 1,
        "(c) the encoded line decodes into one line");
    check(!exact || batch.payload(0) == line, "(c) without a double, that is the line itself");
    QByteArray again;
    check(codec.encode(batch.payload(0), again) && again == datagram,
        "(c) which encodes to the same datagram again");
}

void checkDecode(OscCodec &codec, QByteArrayView input)
{
    MessageBatch batch;
    batch.append("before", LineEnding::Lf);
    const OscCodec::Error error = codec.decode(input, batch);
    if (error != OscCodec::Error::None) {
        check(batch.count() == 1 && batch.payload(0) == "before",
            "(a) a refused datagram appends nothing");
        check(!OscCodec::errorText(error).isEmpty(), "(a) the reason has words");
        return;
    }
    qsizetype total = 0;
    for (qsizetype i = 1; i < batch.count(); ++i) {
        check(isOneLine(batch.payload(i)), "(b) each message is one text line");
        total += batch.payload(i).size();
        checkLineRoundTrip(codec, batch.payload(i), !input.contains('d'));
    }
    check(total <= 6 * input.size(), "(b) lines at most 6 times the datagram");

    if (!input.startsWith('/'))
        return;
    bool canonical = !hasNaNArgument(batch.payload(1));
    for (const char tag : tagsOf(input))
        canonical = canonical && QByteArrayView("ifsbTFN").contains(tag);
    if (canonical) {
        QByteArray datagram;
        check(codec.encode(batch.payload(1), datagram) && datagram == input,
            "(d) a message of i f s b T F N comes back byte for byte");
    }
}

void checkEncode(OscCodec &codec, OscCodec &forcing, QByteArrayView input)
{
    QByteArray datagram;
    const bool encoded = codec.encode(input, datagram);
    if (encoded) {
        MessageBatch batch;
        check(codec.decode(datagram, batch) == OscCodec::Error::None && batch.count() == 1,
            "(e) an encoded line decodes into one line");
        QByteArray again;
        check(codec.encode(batch.payload(0), again) && again == datagram,
            "(e) which encodes to the same datagram");
    }

    QByteArray forced;
    const bool forcedEncoded = forcing.encode(input, forced);
    const bool toF = input == "/f" || input.startsWith("/f ") || input.startsWith("/f\t");
    if (!toF) {
        check(forcedEncoded == encoded && (!encoded || forced == datagram),
            "(f) other addresses are encoded by look");
        return;
    }
    if (!forcedEncoded)
        return;
    MessageBatch batch;
    check(forcing.decode(forced, batch) == OscCodec::Error::None && batch.count() == 1,
        "(f) a forced message decodes");
    const QByteArrayView tags = tagsOf(forced);
    const QByteArrayView rule("ihfdsScb");
    const qsizetype forcedCount = std::min(tags.size(), rule.size());
    check(tags.first(forcedCount) == rule.first(forcedCount), "(f) the forced tags come first");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static OscCodec codec; // one for every input, as the relay keeps one: buffers reused
    static OscCodec forcing(QList<OscCodec::TypeRule>{{"/f", "ihfdsScb"}});
    const QByteArrayView input(data, qsizetype(size));
    checkDecode(codec, input);
    checkEncode(codec, forcing, input);
    return 0;
}
