#include "osccodec.h"

#include <QtEndian>

#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

namespace {

constexpr QByteArrayView kBundleHeader("#bundle\0", 8);
constexpr qsizetype kBundleHeaderBytes = 16; // "#bundle\0" and the 8-byte time tag
constexpr QByteArrayView kForcedTagChars("ihfdsScb");

// @p size rounded up to the next multiple of 4: every part of an OSC packet is aligned.
constexpr qsizetype padded(qsizetype size)
{
    return (size + 3) & ~qsizetype(3);
}

bool isControl(char c)
{
    return uchar(c) < 0x20 || uchar(c) == 0x7F;
}

bool isSeparator(char c)
{
    return c == ' ' || c == '\t';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (isDigit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

qsizetype skipDigits(QByteArrayView text, qsizetype at)
{
    while (at < text.size() && isDigit(text[at]))
        ++at;
    return at;
}

qsizetype skipSign(QByteArrayView text, qsizetype at)
{
    return at < text.size() && (text[at] == '+' || text[at] == '-') ? at + 1 : at;
}

// [+-]digits
bool isIntegerSyntax(QByteArrayView text)
{
    const qsizetype start = skipSign(text, 0);
    return start < text.size() && skipDigits(text, start) == text.size();
}

// [+-] then digits[.digits], or .digits, then [e[+-]digits]; with a '.' or an exponent or both.
bool isFloatSyntax(QByteArrayView text)
{
    qsizetype at = skipSign(text, 0);
    const qsizetype intStart = at;
    at = skipDigits(text, at);
    bool digits = at > intStart;
    bool point = false;
    if (at < text.size() && text[at] == '.') {
        point = true;
        const qsizetype fractionStart = ++at;
        at = skipDigits(text, at);
        digits = digits || at > fractionStart;
    }
    if (!digits)
        return false;
    bool exponent = false;
    if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
        const qsizetype exponentStart = skipSign(text, at + 1);
        at = skipDigits(text, exponentStart);
        if (at == exponentStart)
            return false;
        exponent = true;
    }
    return at == text.size() && (point || exponent);
}

// <hex digits, an even number of them>
bool isHexBlob(QByteArrayView text)
{
    if (text.size() < 2 || text.front() != '<' || text.back() != '>' || text.size() % 2 != 0)
        return false;
    for (const char c : text.sliced(1, text.size() - 2)) {
        if (hexValue(c) < 0)
            return false;
    }
    return true;
}

// The value of a number argument (a whole number, a float, inf, -inf or nan) as a float or a
// double; false when @p text is not one or is out of the type's range.
template<typename Real> bool readReal(QByteArrayView text, Real &value)
{
    if (text == "inf" || text == "-inf") {
        value = text[0] == '-' ? -std::numeric_limits<Real>::infinity()
                               : std::numeric_limits<Real>::infinity();
        return true;
    }
    if (text == "nan") {
        value = std::numeric_limits<Real>::quiet_NaN();
        return true;
    }
    if (!isIntegerSyntax(text) && !isFloatSyntax(text))
        return false;
    bool ok = false;
    if constexpr (std::is_same_v<Real, float>)
        value = text.toFloat(&ok); // Qt's: the same in every locale
    else
        value = text.toDouble(&ok);
    return ok;
}

// The type tag an unquoted argument gets by its look (see the table in osccodec.h).
char tagByLook(QByteArrayView text)
{
    if (text == "true")
        return 'T';
    if (text == "false")
        return 'F';
    if (text == "nil")
        return 'N';
    if (isHexBlob(text))
        return 'b';
    bool ok = false;
    if (isIntegerSyntax(text)) {
        (void)text.toInt(&ok);
        if (ok)
            return 'i';
        (void)text.toLongLong(&ok);
        return ok ? 'h' : 's';
    }
    float value = 0;
    return readReal(text, value) ? 'f' : 's';
}

template<typename T> void appendBigEndian(QByteArray &out, T value)
{
    char bytes[sizeof(T)];
    qToBigEndian(value, bytes);
    out.append(bytes, qsizetype(sizeof(T)));
}

// An OSC-string: the bytes, a NUL, and NULs up to the next multiple of 4.
void appendOscString(QByteArray &out, QByteArrayView bytes)
{
    out.append(bytes);
    out.append(padded(bytes.size() + 1) - bytes.size(), '\0');
}

void appendInteger(QByteArray &line, qint64 value)
{
    char text[24];
    const std::to_chars_result end = std::to_chars(text, text + sizeof text, value);
    line.append(text, end.ptr - text);
}

// As few digits as read back as the same float (or double), always read back as a float.
template<typename Real> void appendReal(QByteArray &line, Real value)
{
    if (std::isnan(value)) {
        line.append("nan"); // never "-nan": one spelling
        return;
    }
    char text[64];
    const std::to_chars_result end = std::to_chars(text, text + sizeof text, value);
    const QByteArrayView written(text, end.ptr - text);
    line.append(written);
    if (std::isfinite(value) && !written.contains('.') && !written.contains('e'))
        line.append(".0");
}

bool needsQuotes(QByteArrayView text)
{
    if (text.isEmpty() || text.front() == '"' || tagByLook(text) != 's')
        return true;
    for (const char c : text) {
        if (c == ' ' || isControl(c))
            return true;
    }
    return false;
}

// A string argument, in quotes when it needs them (see osccodec.h).
void appendString(QByteArray &line, QByteArrayView text)
{
    if (!needsQuotes(text)) {
        line.append(text);
        return;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    line.append('"');
    for (const char c : text) {
        switch (c) {
        case '"':
            line.append("\\\"");
            break;
        case '\\':
            line.append("\\\\");
            break;
        case '\n':
            line.append("\\n");
            break;
        case '\r':
            line.append("\\r");
            break;
        case '\t':
            line.append("\\t");
            break;
        default:
            if (isControl(c)) {
                const char escape[] = {'\\', 'x', kHex[uchar(c) >> 4], kHex[uchar(c) & 0xF]};
                line.append(escape, 4);
            } else {
                line.append(c);
            }
        }
    }
    line.append('"');
}

void appendBlob(QByteArray &line, QByteArrayView bytes)
{
    static constexpr char kHex[] = "0123456789abcdef";
    line.append('<');
    for (const char c : bytes) {
        line.append(kHex[uchar(c) >> 4]);
        line.append(kHex[uchar(c) & 0xF]);
    }
    line.append('>');
}

// Reads a quoted argument starting at line[at] ('"'): its text, unescaped, into @p out; @p at
// moves past the closing quote. False for an unfinished quote, a bad escape, or a closing quote
// followed by something else than a separator.
bool unquote(QByteArrayView line, qsizetype &at, QByteArray &out)
{
    out.resize(0);
    ++at;
    while (at < line.size()) {
        const char c = line[at++];
        if (c == '"')
            return at == line.size() || isSeparator(line[at]);
        if (c != '\\') {
            out.append(c);
            continue;
        }
        if (at == line.size())
            return false;
        switch (line[at++]) {
        case '"':
            out.append('"');
            break;
        case '\\':
            out.append('\\');
            break;
        case 'n':
            out.append('\n');
            break;
        case 'r':
            out.append('\r');
            break;
        case 't':
            out.append('\t');
            break;
        case 'x': {
            const int high = at + 1 < line.size() ? hexValue(line[at]) : -1;
            const int low = high >= 0 ? hexValue(line[at + 1]) : -1;
            if (low < 0)
                return false;
            out.append(char(high * 16 + low));
            at += 2;
            break;
        }
        default:
            return false;
        }
    }
    return false; // no closing quote
}

// Reads the parts of one OSC message in order, never past its end.
class Reader
{
public:
    using Error = OscCodec::Error;

    explicit Reader(QByteArrayView bytes)
        : m_bytes(bytes)
    { }

    bool atEnd() const { return m_at == m_bytes.size(); }
    bool nextIs(char c) const { return m_at < m_bytes.size() && m_bytes[m_at] == c; }

    /// An OSC-string: the bytes before its NUL.
    Error string(QByteArrayView &out)
    {
        const qsizetype nul = m_bytes.indexOf('\0', m_at);
        if (nul < 0)
            return Error::Truncated;
        const QByteArrayView text = m_bytes.sliced(m_at, nul - m_at);
        const Error error = skipPadded(text.size() + 1);
        out = text;
        return error;
    }
    /// @p count bytes and their padding.
    Error bytes(qsizetype count, QByteArrayView &out)
    {
        if (count < 0 || count > m_bytes.size() - m_at)
            return Error::Truncated;
        out = m_bytes.sliced(m_at, count);
        return skipPadded(count);
    }
    /// A big-endian number of 4 or 8 bytes.
    template<typename T> Error number(T &out)
    {
        if (m_bytes.size() - m_at < qsizetype(sizeof(T)))
            return Error::Truncated;
        out = qFromBigEndian<T>(m_bytes.data() + m_at);
        m_at += qsizetype(sizeof(T));
        return Error::None;
    }

private:
    // Moves past @p count bytes and the padding after them, which must be zero bytes.
    Error skipPadded(qsizetype count)
    {
        const qsizetype end = m_at + padded(count);
        if (end > m_bytes.size())
            return Error::Truncated;
        for (qsizetype i = m_at + count; i < end; ++i) {
            if (m_bytes[i] != '\0')
                return Error::BadPadding;
        }
        m_at = end;
        return Error::None;
    }

    QByteArrayView m_bytes;
    qsizetype m_at = 0;
};

} // namespace

OscCodec::OscCodec(const QList<TypeRule> &typeRules, qsizetype maxLineBytes)
    : m_typeRules(typeRules)
    , m_maxLineBytes(maxLineBytes)
{ }

OscCodec::Error OscCodec::decode(QByteArrayView datagram, MessageBatch &out)
{
    const qsizetype before = out.count();
    const qint64 droppedBefore = m_droppedLines;
    const Error error = decodePacket(datagram, 0, out);
    if (error != Error::None) { // a bundle's messages before the fault
        out.truncate(before);
        m_droppedLines = droppedBefore;
    }
    return error;
}

// A message, or a bundle inside @p depth others.
OscCodec::Error OscCodec::decodePacket(QByteArrayView packet, int depth, MessageBatch &out)
{
    if (packet.startsWith('/'))
        return decodeMessage(packet, out);
    if (!packet.startsWith(kBundleHeader))
        return Error::NotOsc;
    if (depth == kMaxBundleDepth)
        return Error::TooDeep;
    if (packet.size() < kBundleHeaderBytes)
        return Error::Truncated;
    // The time tag is ignored: every message is relayed at once.
    qsizetype at = kBundleHeaderBytes;
    while (at < packet.size()) {
        if (packet.size() - at < 4)
            return Error::Truncated;
        const qint32 size = qFromBigEndian<qint32>(packet.data() + at);
        at += 4;
        if (size < 0 || size % 4 != 0 || size > packet.size() - at)
            return Error::BadBundleElement;
        const Error error = decodePacket(packet.sliced(at, size), depth + 1, out);
        if (error != Error::None)
            return error;
        at += size;
    }
    return Error::None;
}

OscCodec::Error OscCodec::decodeMessage(QByteArrayView message, MessageBatch &out)
{
    Reader reader(message);
    QByteArrayView address;
    if (const Error error = reader.string(address); error != Error::None)
        return error;
    if (!isValidAddress(address))
        return Error::BadAddress;
    QByteArrayView tags;
    if (!reader.nextIs(','))
        return Error::MissingTypeTags;
    if (const Error error = reader.string(tags); error != Error::None)
        return error;

    m_line.resize(0);
    m_line.append(address);
    for (const char tag : tags.sliced(1)) {
        m_line.append(' ');
        Error error = Error::None;
        switch (tag) {
        case 'i': {
            qint32 value = 0;
            error = reader.number(value);
            appendInteger(m_line, value);
            break;
        }
        case 'h': {
            qint64 value = 0;
            error = reader.number(value);
            appendInteger(m_line, value);
            break;
        }
        case 'f': {
            float value = 0;
            error = reader.number(value);
            appendReal(m_line, value);
            break;
        }
        case 'd': {
            double value = 0;
            error = reader.number(value);
            appendReal(m_line, value);
            break;
        }
        case 's':
        case 'S': {
            QByteArrayView text;
            error = reader.string(text);
            appendString(m_line, text);
            break;
        }
        case 'c': {
            qint32 value = 0;
            error = reader.number(value);
            const char c = char(value & 0xFF);
            appendString(m_line, c == '\0' ? QByteArrayView() : QByteArrayView(&c, 1));
            break;
        }
        case 'b': {
            qint32 size = 0;
            QByteArrayView bytes;
            error = reader.number(size);
            if (error == Error::None)
                error = reader.bytes(size, bytes);
            appendBlob(m_line, bytes);
            break;
        }
        case 'T':
            m_line.append("true");
            break;
        case 'F':
            m_line.append("false");
            break;
        case 'N':
            m_line.append("nil");
            break;
        default:
            return Error::UnknownTypeTag;
        }
        if (error != Error::None)
            return error;
    }
    if (!reader.atEnd())
        return Error::TrailingBytes;
    if (m_line.size() > m_maxLineBytes)
        ++m_droppedLines;
    else
        out.append(m_line, LineEnding::None);
    return Error::None;
}

bool OscCodec::encode(QByteArrayView line, QByteArray &datagram)
{
    qsizetype at = 0;
    while (at < line.size() && !isSeparator(line[at]))
        ++at;
    const QByteArrayView address = line.first(at);
    if (!isValidAddress(address))
        return false;
    const QByteArrayView forced = forcedTags(address);

    m_tags.resize(0);
    m_tags.append(',');
    m_arguments.resize(0);
    for (qsizetype index = 0;; ++index) {
        while (at < line.size() && isSeparator(line[at]))
            ++at;
        if (at == line.size())
            break;
        const bool quoted = line[at] == '"';
        QByteArrayView text;
        if (quoted) {
            if (!unquote(line, at, m_unquoted))
                return false;
            text = m_unquoted;
        } else {
            const qsizetype start = at;
            while (at < line.size() && !isSeparator(line[at]))
                ++at;
            text = line.sliced(start, at - start);
        }
        const char tag = index < forced.size() ? forced[index] : quoted ? 's' : tagByLook(text);
        if (!encodeArgument(text, tag))
            return false;
    }

    datagram.resize(0);
    appendOscString(datagram, address);
    appendOscString(datagram, m_tags);
    datagram.append(m_arguments);
    return true;
}

// Appends one argument of type @p tag, read from @p text, to m_arguments and its tag to
// m_tags; false when @p text is not a value of that type.
bool OscCodec::encodeArgument(QByteArrayView text, char tag)
{
    bool ok = true;
    switch (tag) {
    case 'i': {
        ok = isIntegerSyntax(text);
        const int value = ok ? text.toInt(&ok) : 0;
        appendBigEndian<qint32>(m_arguments, value);
        break;
    }
    case 'h': {
        ok = isIntegerSyntax(text);
        const qlonglong value = ok ? text.toLongLong(&ok) : 0;
        appendBigEndian<qint64>(m_arguments, value);
        break;
    }
    case 'f': {
        float value = 0;
        ok = readReal(text, value);
        appendBigEndian(m_arguments, value);
        break;
    }
    case 'd': {
        double value = 0;
        ok = readReal(text, value);
        appendBigEndian(m_arguments, value);
        break;
    }
    case 's':
    case 'S':
        ok = !text.contains('\0'); // an OSC-string ends at its first NUL
        appendOscString(m_arguments, text);
        break;
    case 'c':
        ok = text.size() == 1;
        appendBigEndian<qint32>(m_arguments, ok ? uchar(text[0]) : 0);
        break;
    case 'b': {
        const bool hex = isHexBlob(text);
        const qsizetype size = hex ? (text.size() - 2) / 2 : text.size();
        appendBigEndian<qint32>(m_arguments, qint32(size));
        if (hex) {
            for (qsizetype i = 1; i + 1 < text.size(); i += 2)
                m_arguments.append(char(hexValue(text[i]) * 16 + hexValue(text[i + 1])));
        } else {
            m_arguments.append(text);
        }
        m_arguments.append(padded(size) - size, '\0');
        break;
    }
    case 'T':
    case 'F':
    case 'N':
        break; // no bytes: the tag is the value
    default:
        ok = false;
    }
    m_tags.append(tag);
    return ok;
}

QByteArrayView OscCodec::forcedTags(QByteArrayView address) const
{
    for (const TypeRule &rule : m_typeRules) {
        if (rule.address == address)
            return rule.tags;
    }
    return {};
}

QLatin1String OscCodec::errorText(Error error)
{
    static_assert(kMaxBundleDepth == 8, "errorText(TooDeep) says 8");
    switch (error) {
    case Error::None:
        return QLatin1String("no error");
    case Error::NotOsc:
        return QLatin1String("neither an OSC message (starting with '/') nor a bundle");
    case Error::BadAddress:
        return QLatin1String("the address holds a space or a control character");
    case Error::MissingTypeTags:
        return QLatin1String("the type tag string (starting with ',') is missing");
    case Error::UnknownTypeTag:
        return QLatin1String("an unknown type tag (only i h f d s S c b T F N are read)");
    case Error::Truncated:
        return QLatin1String("truncated: a string, an argument or a bundle runs past the end");
    case Error::BadPadding:
        return QLatin1String("a padding byte is not zero");
    case Error::TrailingBytes:
        return QLatin1String("bytes left over after the last argument");
    case Error::BadBundleElement:
        return QLatin1String(
            "a bundle element's size is negative, not a multiple of 4, or past the end");
    case Error::TooDeep:
        return QLatin1String("bundles nested more than 8 deep");
    }
    return QLatin1String("unknown error");
}

std::optional<OscCodec::TypeRule> OscCodec::parseTypeRule(QStringView text)
{
    const qsizetype equals = text.lastIndexOf(u'='); // an address may hold '=', tags never
    if (equals < 0)
        return std::nullopt;
    TypeRule rule{text.first(equals).toUtf8(), text.sliced(equals + 1).toUtf8()};
    if (!isValidAddress(rule.address) || rule.tags.isEmpty())
        return std::nullopt;
    for (const char tag : std::as_const(rule.tags)) {
        if (!kForcedTagChars.contains(tag))
            return std::nullopt;
    }
    return rule;
}

bool OscCodec::isValidAddress(QByteArrayView address)
{
    if (!address.startsWith('/'))
        return false;
    for (const char c : address) {
        if (c == ' ' || isControl(c))
            return false;
    }
    return true;
}
