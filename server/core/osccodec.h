// OscCodec: OSC 1.0 datagrams (Open Sound Control) to the relay's text lines and back, for the
// UDP port in OSC mode (--osc). Pure code, no QObject, like FrameCodec; table-tested and fuzzed.
//
// The text form
// -------------
// One OSC message is one line: its address, then each argument after one space:
//
//     /light/level 0.5            /scene "the end" 3 true           /dmx <00ff7f>
//
//   OSC type              written as                          read back (by look) as
//   i  int32              42, -7                              i
//   h  int64              12345678901                         i when it fits 32 bits, else h
//   f  float32            2.5, 1.0, 1e+20, inf, -inf, nan     f
//   d  float64 (double)   0.1                                 f (--osc-types keeps it a double)
//   s  string, S symbol   hi, or "hi there" (see below)       s
//   c  char               the one-character string            s
//   b  blob               <00ff7f> (hex, lower case), <>      b
//   T F N                 true, false, nil                    T, F, N
//
// A float always reads back as a float: it is written in as few digits as give the same float
// again, with ".0" added when that has neither a '.' nor an exponent (1.0, never 1).
// A string is written as it is unless it is empty, holds a space, a tab, a double quote at its
// start or a control character, or would read back as something else (a number, a blob, or one
// of the words true, false, nil, inf, -inf, nan). Then it is written in double quotes, with
// \" \\ \n \r \t and \xNN (any other control byte) escaped inside. Other bytes (UTF-8 or not)
// are written as they are.
// Any other type tag (I, m, t, r, arrays...) makes the whole datagram refused as UnknownTypeTag.
//
// Reading (decode): one datagram, a message or a bundle, gives one line per message: a bundle's
// messages in order, nested bundles flattened where they stand, time tags ignored. Each line is
// appended to a MessageBatch with LineEnding::None. A line longer than the codec's maximum
// (--max-message-bytes; a blob's line is twice its size) is left out and counted
// (droppedLines()), the datagram's other lines kept, as FrameCodec does with a text datagram.
// A malformed datagram appends nothing and decode() says why (Error; errorText() in words). The
// checks are those of OSC 1.0: every part 4-byte aligned, padding made of zero bytes, a type tag
// string starting with ',', nothing left over after the last argument, bundle elements a multiple
// of 4 bytes long that fit in their bundle, bundles at most kMaxBundleDepth deep.
//
// Writing (encode): a line whose first word is a valid address ('/' then bytes that are neither
// a space nor a control character) becomes one OSC message. The rest of the line is split at
// spaces and tabs (runs of them count once; a quoted string is one argument, always a string)
// and each argument is typed by its look, as in the last column above; an integer beyond 64
// bits, or a float a float32 cannot hold (1e39, 1e-50), is sent as a string. Forced types
// (--osc-types /address=tags) replace that for the messages to one address: the n-th tag types
// the n-th argument; arguments beyond the tags are typed by their look, tags beyond the
// arguments are unused. A forced tag is one of
//   i h   a whole number that fits 32 (i) or 64 (h) bits
//   f d   any number (a whole one too: 1 is sent as 1.0), inf, -inf, nan
//   s S   the argument's text (without its quotes)
//   c     a one-byte argument
//   b     a <hex> argument, or else the argument's text as bytes
// A line that is not a valid OSC message by these rules (not starting with '/', a bad address,
// an unfinished quote or a bad escape, a string holding a NUL byte, an argument that does not
// fit its forced tag) is not encoded: encode() returns false.
//
// Memory: the codec keeps its working buffers from call to call, so after the first datagrams
// it allocates nothing beyond what MessageBatch and the caller's datagram need.
#pragma once

#include "messagebatch.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1String>
#include <QList>
#include <QStringView>

#include <limits>
#include <optional>

class OscCodec
{
public:
    /// Why a datagram was refused.
    enum class Error
    {
        None,
        NotOsc, ///< neither a message ('/') nor a bundle ("#bundle")
        BadAddress, ///< the address holds a space or a control character
        MissingTypeTags, ///< no type tag string, or one not starting with ','
        UnknownTypeTag, ///< a type tag this codec does not read
        Truncated, ///< a string, an argument or a bundle header runs past the end
        BadPadding, ///< a padding byte that is not zero
        TrailingBytes, ///< bytes after the last argument
        BadBundleElement, ///< an element size negative, not a multiple of 4, or past the end
        TooDeep, ///< bundles nested more than kMaxBundleDepth deep
    };

    /// One --osc-types setting: messages to @p address get the type tags @p tags (see above).
    struct TypeRule
    {
        QByteArray address;
        QByteArray tags;
    };

    /// Bundles within bundles deeper than this are refused (the outermost counts as 1).
    static constexpr int kMaxBundleDepth = 8;

    /// Decodes into lines of at most @p maxLineBytes; encodes with the types of @p typeRules.
    explicit OscCodec(const QList<TypeRule> &typeRules = {},
        qsizetype maxLineBytes = std::numeric_limits<qsizetype>::max());

    /// Appends a line to @p out for every message in @p datagram (but those over the maximum
    /// size); on error appends nothing and counts nothing.
    Error decode(QByteArrayView datagram, MessageBatch &out);
    /// Lines left out by decode() for being over the maximum size, since the codec was made.
    qint64 droppedLines() const { return m_droppedLines; }
    /// Replaces @p datagram with the OSC message for @p line; false (and @p datagram undefined)
    /// when the line is not one.
    bool encode(QByteArrayView line, QByteArray &datagram);

    /// @p error in words, e.g. "a padding byte is not zero".
    static QLatin1String errorText(Error error);
    /// Parses "/address=tags", the value of one --osc-types; nullopt when it is not one (a bad
    /// address, no '=', no tags or a tag other than i h f d s S c b).
    static std::optional<TypeRule> parseTypeRule(QStringView text);
    /// Whether @p address is one encode() sends and decode() accepts.
    static bool isValidAddress(QByteArrayView address);

private:
    Error decodePacket(QByteArrayView packet, int depth, MessageBatch &out);
    Error decodeMessage(QByteArrayView message, MessageBatch &out);
    bool encodeArgument(QByteArrayView text, char tag);
    QByteArrayView forcedTags(QByteArrayView address) const;

    QList<TypeRule> m_typeRules; // a few; searched in order
    qsizetype m_maxLineBytes;
    qint64 m_droppedLines = 0;
    QByteArray m_line; // decode: the line being written
    QByteArray m_tags; // encode: the type tags so far, ',' first
    QByteArray m_arguments; // encode: the arguments' bytes so far
    QByteArray m_unquoted; // encode: a quoted argument without its quotes and escapes
};
