#include "loginitem.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

#ifdef Q_OS_WIN
#include <QSettings>
#endif

namespace {

[[maybe_unused]] constexpr char kLabel[] = "org.socketserver.panel";
[[maybe_unused]] constexpr char kRunKey[]
    = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";
[[maybe_unused]] constexpr char kRunValue[] = "SocketServer Panel";

// Text for the login item file of this platform.
[[maybe_unused]] QByteArray itemText(const QString &program)
{
#ifdef Q_OS_MACOS
    QString escaped = program.toHtmlEscaped();
    return QStringLiteral(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
        "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
        "<plist version=\"1.0\">\n<dict>\n"
        "  <key>Label</key>\n  <string>%1</string>\n"
        "  <key>ProgramArguments</key>\n  <array>\n    <string>%2</string>\n  </array>\n"
        "  <key>RunAtLoad</key>\n  <true/>\n"
        "  <key>ProcessType</key>\n  <string>Interactive</string>\n"
        "</dict>\n</plist>\n")
        .arg(QLatin1String(kLabel), escaped)
        .toUtf8();
#else
    // The Exec key quotes arguments with double quotes (Desktop Entry Specification).
    QString quoted = program;
    quoted.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
    return QStringLiteral("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=SocketServer\n"
                          "Comment=Message relay for interactive exhibits\n"
                          "Exec=\"%1\"\n"
                          "Icon=socketserver-panel\n"
                          "Terminal=false\n"
                          "X-GNOME-Autostart-enabled=true\n")
        .arg(quoted)
        .toUtf8();
#endif
}

} // namespace

LoginItem::LoginItem(const QString &program)
    : m_program(program.isEmpty() ? QCoreApplication::applicationFilePath() : program)
{ }

QString LoginItem::location() const
{
#if defined(Q_OS_WIN)
    return QLatin1String(kRunKey) + u'\\' + QLatin1String(kRunValue);
#elif defined(Q_OS_MACOS)
    return QDir::homePath()
        + QStringLiteral("/Library/LaunchAgents/%1.plist").arg(QLatin1String(kLabel));
#else
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (config.isEmpty() || !QDir::isAbsolutePath(config))
        config = QDir::homePath() + QStringLiteral("/.config");
    return config + QStringLiteral("/autostart/socketserver-panel.desktop");
#endif
}

bool LoginItem::isEnabled() const
{
#ifdef Q_OS_WIN
    QSettings run(QLatin1String(kRunKey), QSettings::NativeFormat);
    return run.contains(QLatin1String(kRunValue));
#else
    return QFileInfo::exists(location());
#endif
}

QString LoginItem::locationProblem(const QString &program)
{
    const char *context = "LoginItem";
    if (program.contains(QLatin1String("/AppTranslocation/")))
        return QCoreApplication::translate(context,
            "macOS runs SocketServer from a temporary copy that is gone after a restart. Move "
            "SocketServer to the Applications folder first (drag it there in the Finder), open "
            "it from there, then turn on Open at login.");
    if (program.startsWith(QLatin1String("/Volumes/")))
        return QCoreApplication::translate(context,
            "SocketServer runs from a disk image (or another disk) that may not be there after "
            "a restart. Move SocketServer to the Applications folder first (drag it there in "
            "the Finder), open it from there, then turn on Open at login.");
    return {};
}

bool LoginItem::setEnabled(bool on)
{
    m_error.clear();
#ifdef Q_OS_MACOS
    if (on) {
        m_error = locationProblem(m_program);
        if (!m_error.isEmpty())
            return false;
    }
#endif
#ifdef Q_OS_WIN
    QSettings run(QLatin1String(kRunKey), QSettings::NativeFormat);
    if (on)
        run.setValue(QLatin1String(kRunValue), u'"' + QDir::toNativeSeparators(m_program) + u'"');
    else
        run.remove(QLatin1String(kRunValue));
    run.sync();
    if (run.status() != QSettings::NoError)
        m_error = QCoreApplication::translate("LoginItem", "Cannot change the Run key.");
    return m_error.isEmpty();
#else
    const QString path = location();
    if (!on) {
        if (QFileInfo::exists(path) && !QFile::remove(path)) {
            m_error = QCoreApplication::translate("LoginItem", "Cannot remove %1.").arg(path);
            return false;
        }
        return true;
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        m_error
            = QCoreApplication::translate("LoginItem", "Cannot create the folder of %1.").arg(path);
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(itemText(m_program)) < 0 || !file.commit()) {
        m_error = QCoreApplication::translate("LoginItem", "Cannot write %1: %2")
                      .arg(path, file.errorString());
        return false;
    }
    return true;
#endif
}
