// CategoryLog: the lines one logging category writes during a test (the relay's, the MQTT
// bridge's), caught on their way to Qt Test's message handler and passed on as information, so
// that failOnWarning() still fails the test on any other warning. One category per test program.
// Header-only, for the test suites.
#pragma once

#include <QStringList>
#include <QtGlobal>

#include <cstring>

namespace CategoryLog {

/// The lines caught so far (a test's init() clears them).
inline QStringList lines;
inline const char *g_category = nullptr;
inline QtMessageHandler g_next = nullptr;

inline void catchLine(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (context.category && std::strcmp(context.category, g_category) == 0) {
        lines.append(message);
        type = QtInfoMsg;
    }
    g_next(type, context, message);
}

/// Starts catching the lines of @p category, e.g. "socketserver.relay" (in initTestCase()).
inline void install(const char *category)
{
    g_category = category;
    g_next = qInstallMessageHandler(catchLine);
}

/// How many lines caught contain @p text.
inline int count(const QString &text, Qt::CaseSensitivity cs = Qt::CaseSensitive)
{
    return int(lines.filter(text, cs).size());
}

} // namespace CategoryLog
