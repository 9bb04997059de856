// HelpText: the layout every program's --help shares: paragraphs wrapped to 79 columns, and
// one entry per option with its description in a column.
#pragma once

#include <QString>

namespace HelpText {

/// @p text wrapped to 79 columns, every line indented by @p indent spaces.
QString paragraph(const QString &text, int indent = 0);
/// "  --port PORT" and its description from column 26 on (on the next lines when the name is
/// too long to leave room).
QString option(const QString &name, const QString &description);

} // namespace HelpText
