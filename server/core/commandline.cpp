#include "commandline.h"

namespace CommandLine {

std::optional<qint64> wholeNumber(const QString &value, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 number = value.trimmed().toLongLong(&ok, 10);
    if (!ok || number < min || number > max)
        return std::nullopt;
    return number;
}

} // namespace CommandLine
