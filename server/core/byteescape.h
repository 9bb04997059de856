// ByteEscape: shows arbitrary bytes as readable text, for logs and monitors. Valid UTF-8 is
// shown as text; control bytes, backslashes, invalid UTF-8 and invisible or text-reordering
// characters (C1 controls, zero-width and bidi marks, line separators, U+FEFF) are escaped
// (\n \r \t \0 \\ \xNN), so what is shown is exact and unambiguous.
#pragma once

#include <QByteArrayView>
#include <QString>

namespace ByteEscape {

/// Escapes @p bytes; when more than @p maxBytes are given, shows the first @p maxBytes and
/// ends with "… (N bytes)". A negative @p maxBytes shows everything.
QString toDisplay(QByteArrayView bytes, qsizetype maxBytes = -1);

} // namespace ByteEscape
