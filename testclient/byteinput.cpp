#include "byteinput.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace ByteInput {

namespace {

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

Result failure(const QString &error)
{
    return {QByteArray(), error};
}

QString tr(const char *text)
{
    return QCoreApplication::translate("ByteInput", text);
}

} // namespace

Result fromEscaped(const QString &text)
{
    Result result;
    QString plain; // the text since the last escape, converted to UTF-8 in one go
    const auto flush = [&] {
        result.bytes += plain.toUtf8();
        plain.clear();
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c != u'\\') {
            plain += c;
            continue;
        }
        flush();
        const qsizetype column = i + 1; // where the escape starts, counting from 1
        if (i + 1 >= text.size()) {
            return failure(tr("A lone \\ ends the text at character %1: write \\\\ for a "
                              "backslash.")
                               .arg(column));
        }
        const QChar code = text.at(++i);
        switch (code.unicode()) {
        case u'n':
            result.bytes += '\n';
            break;
        case u'r':
            result.bytes += '\r';
            break;
        case u't':
            result.bytes += '\t';
            break;
        case u'0':
            result.bytes += '\0';
            break;
        case u'\\':
            result.bytes += '\\';
            break;
        case u'x': {
            const int high = i + 1 < text.size() ? hexValue(text.at(i + 1)) : -1;
            const int low = i + 2 < text.size() ? hexValue(text.at(i + 2)) : -1;
            if (high < 0 || low < 0) {
                return failure(
                    tr("\\x at character %1 needs two hex digits, e.g. \\x1b.").arg(column));
            }
            result.bytes += char(high * 16 + low);
            i += 2;
            break;
        }
        default:
            return failure(tr("Unknown escape \\%1 at character %2: use \\n, \\r, \\t, \\0, "
                              "\\\\ or \\xNN.")
                               .arg(code)
                               .arg(column));
        }
    }
    flush();
    return result;
}

Result fromHex(const QString &text)
{
    static const QRegularExpression separators(QStringLiteral("[\\s,:]+"));
    Result result;
    const QStringList groups = text.split(separators, Qt::SkipEmptyParts);
    for (QString group : groups) {
        const QString written = group;
        if (group.startsWith(u"0x", Qt::CaseInsensitive))
            group = group.mid(2);
        for (const QChar c : std::as_const(group)) {
            if (hexValue(c) < 0) {
                return failure(tr("\"%1\" is not hexadecimal: use the digits 0-9 and the "
                                  "letters a-f.")
                                   .arg(written));
            }
        }
        if (group.isEmpty() || group.size() % 2 != 0) {
            return failure(tr("\"%1\" is not a whole number of bytes: write each byte as two "
                              "digits, e.g. 0a.")
                               .arg(written));
        }
        for (qsizetype i = 0; i < group.size(); i += 2)
            result.bytes += char(hexValue(group.at(i)) * 16 + hexValue(group.at(i + 1)));
    }
    return result;
}

QString toHex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex(' '));
}

} // namespace ByteInput
