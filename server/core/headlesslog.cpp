#include "headlesslog.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <cstdio>

namespace HeadlessLog {

namespace {

void writeLine(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    const char *level = "";
    FILE *stream = stderr;
    switch (type) {
    case QtDebugMsg:
    case QtInfoMsg:
        stream = stdout;
        break;
    case QtWarningMsg:
        level = "warning: ";
        break;
    case QtCriticalMsg:
    case QtFatalMsg:
        level = "error: ";
        break;
    }
    const QByteArray time
        = QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz")).toUtf8();
    std::fprintf(stream, "%s %s%s\n", time.constData(), level, message.toUtf8().constData());
    std::fflush(stream);
}

} // namespace

void install(bool verbose)
{
    qInstallMessageHandler(writeLine);
    if (verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("socketserver.*.debug=true"));
}

} // namespace HeadlessLog
