#include "outgoingmessage.h"

ByteInput::Result OutgoingMessage::payload() const
{
    return format == Format::Hex ? ByteInput::fromHex(text) : ByteInput::fromEscaped(text);
}

QByteArray OutgoingMessage::terminatorBytes(Ending ending)
{
    switch (ending) {
    case Ending::Lf:
        return QByteArray("\n");
    case Ending::CrLf:
        return QByteArray("\r\n");
    case Ending::Nul:
        return QByteArray(1, '\0');
    case Ending::None:
        break;
    }
    return QByteArray();
}

QString OutgoingMessage::endingName(Ending ending)
{
    switch (ending) {
    case Ending::Lf:
        return QStringLiteral("lf");
    case Ending::CrLf:
        return QStringLiteral("crlf");
    case Ending::Nul:
        return QStringLiteral("nul");
    case Ending::None:
        break;
    }
    return QStringLiteral("none");
}

std::optional<OutgoingMessage::Ending> OutgoingMessage::endingFromName(const QString &name)
{
    for (const Ending ending : {Ending::Lf, Ending::CrLf, Ending::Nul, Ending::None}) {
        if (name.compare(endingName(ending), Qt::CaseInsensitive) == 0)
            return ending;
    }
    return std::nullopt;
}

QStringList OutgoingMessage::endingNames()
{
    return {endingName(Ending::Lf), endingName(Ending::CrLf), endingName(Ending::Nul),
        endingName(Ending::None)};
}

QString OutgoingMessage::formatName(Format format)
{
    return format == Format::Hex ? QStringLiteral("hex") : QStringLiteral("text");
}

std::optional<OutgoingMessage::Format> OutgoingMessage::formatFromName(const QString &name)
{
    if (name.compare(QLatin1String("text"), Qt::CaseInsensitive) == 0)
        return Format::Text;
    if (name.compare(QLatin1String("hex"), Qt::CaseInsensitive) == 0)
        return Format::Hex;
    return std::nullopt;
}
