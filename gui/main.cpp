// socketserver-panel: the control panel. Parses the few options, makes sure one panel runs per
// user, and opens the window on a RelayServer running in this process.
#include "heaptuning.h"
#include "loginitem.h"
#include "mainwindow.h"
#include "panelcommandline.h"
#include "panellog.h"
#include "paneloutput.h"
#include "panelsettings.h"
#include "panelshutdown.h"
#include "relaycontroller.h"
#include "rotatinglog.h"
#include "signalwatcher.h"
#include "singleinstance.h"

#include <QApplication>
#include <QDir>
#include <QIcon>
#include <QScopeGuard>

#include <cstdio>
#include <memory>
#include <optional>

namespace {
constexpr char kProgram[] = "socketserver-panel";
constexpr int kShutdownGraceMs = 2000; // how long clients get to take what is queued for them
} // namespace

int main(int argc, char *argv[])
{
    // Qt's GLib event loop updates its list of sockets in time proportional to their number at
    // every change, which makes thousands of clients slow; Qt's own Unix event loop does not.
    qputenv("QT_NO_GLIB", "1");
    HeapTuning::keepFreedMemory();
    // The options are read before the application exists: --help and --version work without
    // a screen (over ssh, in a build script).
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
#ifdef Q_OS_MACOS
    // Finder adds -psn_... to apps it starts on older macOS versions.
    arguments.removeIf([](const QString &arg) { return arg.startsWith(QLatin1String("-psn_")); });
#endif
    const PanelCommandLine options = PanelCommandLine::parse(arguments);
    switch (options.action) {
    case PanelCommandLine::Action::ShowHelp:
        PanelOutput::show(PanelCommandLine::help(QLatin1String(kProgram)),
            PanelOutput::Kind::Information, argc, argv);
        return 0;
    case PanelCommandLine::Action::ShowVersion:
        PanelOutput::show(QStringLiteral("%1 %2\n").arg(
                              QLatin1String(kProgram), QStringLiteral(SOCKETSERVER_VERSION)),
            PanelOutput::Kind::Information, argc, argv);
        return 0;
    case PanelCommandLine::Action::Fail:
        PanelOutput::show(QStringLiteral("%1: %2\nRun '%1 --help' to see the options.\n")
                              .arg(QLatin1String(kProgram), options.error),
            PanelOutput::Kind::Mistake, argc, argv);
        return 2;
    case PanelCommandLine::Action::Run:
        break;
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SocketServer"));
    QApplication::setOrganizationDomain(QStringLiteral("socketserver.org"));
    QApplication::setApplicationName(QLatin1String(kProgram));
    QApplication::setApplicationDisplayName(QStringLiteral("SocketServer"));
    QApplication::setApplicationVersion(QStringLiteral(SOCKETSERVER_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/socketserver-panel.png")));

    // The log file, opened once this panel is the only one. One that cannot be written is
    // tried again at each start of the relay.
    std::optional<RotatingLog> log;
    const auto closingLog = qScopeGuard([] { qInstallMessageHandler(nullptr); });
    PanelSettings settings;
    LoginItem loginItem;
    RelayController controller;
    QObject::connect(
        &controller, &RelayController::stateChanged, &app, [&log](RelayController::State state) {
            if (log && state == RelayController::State::Running && !log->isWriting())
                log->reopen();
        });
    std::unique_ptr<MainWindow> window;
    SingleInstance instance;
    QObject::connect(&instance, &SingleInstance::otherInstanceRunning, &app, [] {
        std::printf("%s: the panel is already open; its window was brought forward.\n", kProgram);
        QCoreApplication::exit(0);
    });
    QObject::connect(&instance, &SingleInstance::becamePrimary, &app, [&] {
        QDir().mkpath(PanelLog::folder());
        log.emplace(PanelLog::filePath());
        if (!log->open())
            std::fprintf(stderr, "%s: %s\n", kProgram, qUtf8Printable(log->errorString()));
        PanelLog::install(&*log);
        qCInfo(lcPanel).noquote() << QLatin1String(kProgram) << SOCKETSERVER_VERSION << "opened";
        window = std::make_unique<MainWindow>(&controller, &settings, &loginItem);
        QObject::connect(&instance, &SingleInstance::activationRequested, window.get(),
            &MainWindow::bringForward);
        if (options.hasPort || options.hasBind)
            window->useForThisRun(options.apply(settings.relayConfig()));
        window->show();
        if (options.start || settings.startOnOpen())
            window->toggleServing();
    });
    // A kiosk shutting down sends SIGTERM: clients are closed cleanly, as the daemon does, and
    // the settings are saved. exit(), unlike quit(), sends the windows no close event: closing
    // would ask about connected clients, and nobody is there to answer.
    PanelShutdown shutdown(&controller, kShutdownGraceMs);
    shutdown.setSaveSettings([&window] {
        if (window)
            window->saveSettings();
    });
    QObject::connect(&shutdown, &PanelShutdown::finished, &app, [] { QCoreApplication::exit(0); });
    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &shutdown,
        [&shutdown](const QString &name) {
            qCInfo(lcPanel).noquote() << name + QStringLiteral(": stopping");
            shutdown.terminate();
        });
    instance.start();
    const int code = app.exec();
    if (log)
        qCInfo(lcPanel).noquote() << QLatin1String(kProgram) << "quits";
    window.reset(); // before the relay it shows
    return code;
}
