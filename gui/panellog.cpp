#include "panellog.h"

#include "headlesslog.h"
#include "rotatinglog.h"

#include <QDir>
#include <QStandardPaths>

Q_LOGGING_CATEGORY(lcPanel, "socketserver.panel", QtInfoMsg)

namespace PanelLog {

namespace {

RotatingLog *g_file = nullptr; // install()'s
QtMessageHandler g_previous = nullptr; // where lines went before: Qt's own output

void writeLine(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const bool relay = context.category
        && QLatin1String(context.category).startsWith(QLatin1String("socketserver."));
    if (relay)
        g_file->write(HeadlessLog::formatLine(type, message));
    // The connection lines (debug) are for the file: stderr gets what it got before.
    if (!(relay && type == QtDebugMsg))
        g_previous(type, context, message);
}

} // namespace

QString folder()
{
#ifdef Q_OS_MACOS
    return QDir::homePath() + QStringLiteral("/Library/Logs/SocketServer");
#else
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
#endif
}

QString filePath()
{
    return folder() + QStringLiteral("/socketserver-panel.log");
}

void install(RotatingLog *file)
{
    g_file = file;
    g_previous = qInstallMessageHandler(writeLine);
    QLoggingCategory::setFilterRules(QStringLiteral("socketserver.clients.debug=true"));
}

} // namespace PanelLog
