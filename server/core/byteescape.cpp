#include "byteescape.h"

namespace ByteEscape {

namespace {

// The length of the well-formed UTF-8 sequence starting at bytes[i] (RFC 3629), or 0.
qsizetype utf8SequenceLength(QByteArrayView bytes, qsizetype i)
{
    const uchar lead = uchar(bytes[i]);
    qsizetype length = 0;
    uchar secondMin = 0x80, secondMax = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            secondMin = 0xA0; // no overlong forms
        else if (lead == 0xED)
            secondMax = 0x9F; // no UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            secondMin = 0x90;
        else if (lead == 0xF4)
            secondMax = 0x8F; // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (i + length > bytes.size())
        return 0;
    for (qsizetype k = 1; k < length; ++k) {
        const uchar c = uchar(bytes[i + k]);
        const uchar min = k == 1 ? secondMin : 0x80;
        const uchar max = k == 1 ? secondMax : 0xBF;
        if (c < min || c > max)
            return 0;
    }
    return length;
}

// The code point of the well-formed sequence of @p length bytes at bytes[i].
char32_t decode(QByteArrayView bytes, qsizetype i, qsizetype length)
{
    static constexpr uchar kLeadMask[] = {0, 0, 0x1F, 0x0F, 0x07};
    char32_t codePoint = uchar(bytes[i]) & kLeadMask[length];
    for (qsizetype k = 1; k < length; ++k)
        codePoint = (codePoint << 6) | (uchar(bytes[i + k]) & 0x3F);
    return codePoint;
}

// Characters that show as nothing, or that reorder the text around them: shown as their bytes,
// so that what is shown is what arrived (and reads back the same through ByteInput).
bool isInvisible(char32_t c)
{
    return (c >= 0x80 && c <= 0x9F) // C1 controls
        || (c >= 0x200B && c <= 0x200F) // zero-width space, joiners, direction marks
        || c == 0x2028 || c == 0x2029 // line and paragraph separators
        || (c >= 0x202A && c <= 0x202E) // bidi embeddings and overrides
        || (c >= 0x2066 && c <= 0x2069) // bidi isolates
        || c == 0xFEFF; // byte order mark, zero-width no-break space
}

void appendHex(QString &out, uchar c)
{
    out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
}

} // namespace

QString toDisplay(QByteArrayView bytes, qsizetype maxBytes)
{
    const bool truncated = maxBytes >= 0 && bytes.size() > maxBytes;
    const QByteArrayView shown = truncated ? bytes.first(maxBytes) : bytes;
    QString out;
    out.reserve(shown.size() + 16);
    for (qsizetype i = 0; i < shown.size(); ++i) {
        const uchar c = uchar(shown[i]);
        switch (c) {
        case '\n':
            out += QLatin1String("\\n");
            continue;
        case '\r':
            out += QLatin1String("\\r");
            continue;
        case '\t':
            out += QLatin1String("\\t");
            continue;
        case '\0':
            out += QLatin1String("\\0");
            continue;
        case '\\':
            out += QLatin1String("\\\\");
            continue;
        default:
            break;
        }
        if (c >= 0x20 && c < 0x7F) {
            out += QLatin1Char(char(c));
            continue;
        }
        const qsizetype length = c >= 0x80 ? utf8SequenceLength(shown, i) : 0;
        if (length == 0) {
            appendHex(out, c);
            continue;
        }
        // Decoded here, one code point at a time: QString::fromUtf8() would drop a U+FEFF.
        const char32_t codePoint = decode(shown, i, length);
        if (isInvisible(codePoint)) {
            for (qsizetype k = 0; k < length; ++k)
                appendHex(out, uchar(shown[i + k]));
        } else {
            out += QStringView(QChar::fromUcs4(codePoint));
        }
        i += length - 1;
    }
    if (truncated)
        out += QStringLiteral("… (%1 bytes)").arg(bytes.size());
    return out;
}

} // namespace ByteEscape
