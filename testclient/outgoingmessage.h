// OutgoingMessage: a message as a person writes it for sending: the text, whether it is
// escaped text or hex, and the terminator to append (as the relay's modes: LF, CRLF, NUL or
// none). A value type, shared by the send line, saved messages and the headless --send.
#pragma once

#include "byteinput.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

struct OutgoingMessage
{
    enum class Format
    {
        Text, ///< UTF-8 text with \n \r \t \0 \\ \xNN escapes
        Hex, ///< hex bytes, "48 65 6c"
    };
    enum class Ending
    {
        Lf,
        CrLf,
        Nul,
        None,
    };

    QString text;
    Format format = Format::Text;
    Ending ending = Ending::Lf;

    /// The message's bytes without the terminator, or why the text is not valid.
    ByteInput::Result payload() const;
    /// The bytes appended after the payload.
    QByteArray terminator() const { return terminatorBytes(ending); }

    static QByteArray terminatorBytes(Ending ending);
    /// "lf", "crlf", "nul", "none": the names --eol and saved-message files use.
    static QString endingName(Ending ending);
    static std::optional<Ending> endingFromName(const QString &name);
    /// Every ending's name, in the order of the enum.
    static QStringList endingNames();
    /// "text" or "hex".
    static QString formatName(Format format);
    static std::optional<Format> formatFromName(const QString &name);

    friend bool operator==(const OutgoingMessage &a, const OutgoingMessage &b)
    {
        return a.text == b.text && a.format == b.format && a.ending == b.ending;
    }
    friend bool operator!=(const OutgoingMessage &a, const OutgoingMessage &b) { return !(a == b); }
};
