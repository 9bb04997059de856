#include "helptext.h"

#include <QStringList>

namespace HelpText {

namespace {
constexpr int kWidth = 79;
constexpr int kDescriptionColumn = 26;
} // namespace

QString paragraph(const QString &text, int indent)
{
    QString out;
    QString line;
    const QStringList words = text.split(u' ', Qt::SkipEmptyParts);
    for (const QString &word : words) {
        if (!line.isEmpty() && indent + line.size() + 1 + word.size() > kWidth) {
            out += QString(indent, u' ') + line + u'\n';
            line.clear();
        }
        line += (line.isEmpty() ? QString() : QStringLiteral(" ")) + word;
    }
    if (!line.isEmpty())
        out += QString(indent, u' ') + line + u'\n';
    return out;
}

QString option(const QString &name, const QString &description)
{
    const QString text = paragraph(description, kDescriptionColumn);
    const QString head = QStringLiteral("  ") + name;
    if (head.size() < kDescriptionColumn - 1)
        return head + text.mid(head.size());
    return head + u'\n' + text;
}

} // namespace HelpText
