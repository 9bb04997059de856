#include "paneloutput.h"

#include <QApplication>
#include <QFontDatabase>
#include <QMessageBox>

#include <cstdio>

#ifdef Q_OS_WIN
#include <windows.h>
#endif

namespace PanelOutput {

namespace {

#ifdef Q_OS_WIN
// Writes to the console of the process that started this one (cmd.exe, PowerShell); false when
// there is none (Explorer, a shortcut).
bool writeToParentConsole(const QString &text, Kind kind)
{
    if (!AttachConsole(ATTACH_PARENT_PROCESS))
        return false;
    FILE *stream = nullptr;
    if (freopen_s(&stream, "CONOUT$", "w", kind == Kind::Mistake ? stderr : stdout) != 0)
        return false;
    // The prompt is already printed: start on a line of our own.
    std::fputs("\n", stream);
    std::fputs(text.toLocal8Bit().constData(), stream);
    std::fflush(stream);
    return true;
}
#endif

} // namespace

std::unique_ptr<QMessageBox> messageBox(const QString &text, Kind kind)
{
    auto box = std::make_unique<QMessageBox>(
        kind == Kind::Mistake ? QMessageBox::Warning : QMessageBox::Information,
        QStringLiteral("SocketServer"), text.trimmed(), QMessageBox::Ok);
    // The text is laid out in columns, as on a terminal.
    box->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    box->setTextFormat(Qt::PlainText);
    return box;
}

void show(const QString &text, Kind kind, int &argc, char **argv)
{
#ifdef Q_OS_WIN
    if (writeToParentConsole(text, kind))
        return;
    QApplication app(argc, argv);
    messageBox(text, kind)->exec();
#else
    Q_UNUSED(argc);
    Q_UNUSED(argv);
    std::fputs(text.toLocal8Bit().constData(), kind == Kind::Mistake ? stderr : stdout);
#endif
}

} // namespace PanelOutput
