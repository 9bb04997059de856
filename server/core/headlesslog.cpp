#include "headlesslog.h"

#include "rotatinglog.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <cstdio>

namespace HeadlessLog {

namespace {

RotatingLog *g_file = nullptr; // install()'s

void writeLine(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    const QByteArray line = formatLine(type, message);
    if (g_file && g_file->write(line))
        return;
    // No log file, or it cannot be written now (disk full): the line is not lost.
    FILE *stream = type == QtDebugMsg || type == QtInfoMsg ? stdout : stderr;
    std::fputs(line.constData(), stream);
    std::fflush(stream);
}

} // namespace

QByteArray formatLine(QtMsgType type, const QString &message)
{
    const char *level = "";
    switch (type) {
    case QtDebugMsg:
    case QtInfoMsg:
        break;
    case QtWarningMsg:
        level = "warning: ";
        break;
    case QtCriticalMsg:
    case QtFatalMsg:
        level = "error: ";
        break;
    }
    return QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz")).toUtf8()
        + ' ' + level + message.toUtf8() + '\n';
}

void install(bool verbose, RotatingLog *file)
{
    g_file = file;
    qInstallMessageHandler(writeLine);
    if (verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("socketserver.*.debug=true"));
}

} // namespace HeadlessLog
