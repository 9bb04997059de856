// ByteInput: what a person types turned into the bytes to send. The inverse of ByteEscape:
// text with \n \r \t \0 \\ \xNN escapes, or hexadecimal bytes ("48 65 6c" or "48656c").
// Pure functions; a mistake comes back as one sentence that says where and how to fix it.
#pragma once

#include <QByteArray>
#include <QString>

namespace ByteInput {

/// The bytes a text stands for, or why it stands for none.
struct Result
{
    QByteArray bytes;
    QString error; ///< empty when the text was valid

    bool isValid() const { return error.isEmpty(); }
};

/// @p text as UTF-8, with the escapes ByteEscape::toDisplay() writes: \n \r \t \0 \\ and
/// \xNN (exactly two hex digits). fromEscaped(ByteEscape::toDisplay(b)).bytes == b.
Result fromEscaped(const QString &text);

/// Hexadecimal bytes, two digits each; groups may be separated by spaces, tabs, commas or
/// colons, and may start with 0x: "48 65 6c", "48656c", "0x48,0x65".
Result fromHex(const QString &text);

/// @p bytes as lower-case hex pairs separated by spaces ("48 65 6c").
QString toHex(const QByteArray &bytes);

} // namespace ByteInput
