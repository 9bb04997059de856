#include "terminator.h"

#include <QStringList>

namespace {

struct NamedTerminator
{
    const char *name;
    QByteArrayView bytes;
};

// The names --eol accepts besides "auto" and decimal codes.
constexpr NamedTerminator kNamed[] = {
    {"lf", QByteArrayView("\n", 1)},
    {"crlf", QByteArrayView("\r\n", 2)},
    {"cr", QByteArrayView("\r", 1)},
    {"nul", QByteArrayView("\0", 1)},
};

} // namespace

Terminator Terminator::exact(const QByteArray &bytes)
{
    Q_ASSERT(!bytes.isEmpty());
    Terminator t;
    t.m_exact = bytes;
    return t;
}

std::optional<Terminator> Terminator::fromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"auto")
        return autoDetect();
    for (const NamedTerminator &named : kNamed) {
        if (n == QLatin1String(named.name))
            return exact(named.bytes.toByteArray());
    }
    QByteArray bytes;
    const QStringList codes = n.split(u',', Qt::SkipEmptyParts);
    for (const QString &code : codes) {
        bool ok = false;
        const uint value = code.trimmed().toUInt(&ok, 10);
        if (!ok || value > 255)
            return std::nullopt;
        bytes.append(char(value));
    }
    if (bytes.isEmpty())
        return std::nullopt;
    return exact(bytes);
}

QByteArrayView Terminator::bytesFor(LineEnding ending) const
{
    switch (ending) {
    case LineEnding::CrLf:
        return QByteArrayView("\r\n", 2);
    case LineEnding::Nul:
        return QByteArrayView("\0", 1);
    case LineEnding::Exact:
        return m_exact;
    case LineEnding::Lf:
    case LineEnding::None:
    case LineEnding::TextMessage:
    case LineEnding::BinaryMessage:
        break;
    }
    return QByteArrayView("\n", 1);
}

QString Terminator::name() const
{
    if (isAuto())
        return QStringLiteral("auto");
    for (const NamedTerminator &named : kNamed) {
        if (named.bytes == m_exact)
            return QLatin1String(named.name);
    }
    QStringList codes;
    for (const char c : m_exact)
        codes.append(QString::number(uchar(c)));
    return codes.join(u',');
}
