// socketserver: the headless relay. Parses the command line, starts a RelayServer, and wires
// the console (-c), the log (to stdout and stderr, or --log-file), Ctrl+C / SIGTERM / SIGHUP
// and the service manager (systemd) to it.
#include "bonjour.h"
#include "consolereader.h"
#include "headlesslog.h"
#include "heaptuning.h"
#include "mqttbridge.h"
#include "relaybanner.h"
#include "relayoptions.h"
#include "relayserver.h"
#include "rotatinglog.h"
#include "servicenotifier.h"
#include "signalwatcher.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QTimer>

#include <cstdio>
#include <optional>

Q_LOGGING_CATEGORY(lcDaemon, "socketserver.daemon", QtInfoMsg) // start-up and shutdown

namespace {

constexpr char kProgram[] = "socketserver";
constexpr int kShutdownGraceMs = 2000; // how long clients get to take what is queued for them
constexpr int kListRelaysMs = 3000; // how long --list-relays looks

// --list-relays: looks for relays on the network for a while, then prints one line for each.
int listRelays(QCoreApplication &app)
{
    RelayBrowser browser;
    browser.start();
    if (browser.isAvailable()) {
        QTimer::singleShot(kListRelaysMs, &app, &QCoreApplication::quit);
        app.exec();
    }
    if (!browser.isAvailable()) {
        std::fprintf(stderr, "%s: cannot look for relays: %s\n", kProgram,
            qUtf8Printable(browser.errorString()));
        return 1;
    }
    const QList<FoundRelay> relays = browser.relays();
    if (relays.isEmpty()) {
        std::printf(
            "No relay announces itself on this network (looked for %d s).\n", kListRelaysMs / 1000);
        return 1;
    }
    for (const FoundRelay &relay : relays) {
        QStringList details = {QStringLiteral("on ") + relay.hostName};
        if (relay.webSocketPort)
            details.append(QStringLiteral("web page http://%1:%2/")
                               .arg(relay.address.toString())
                               .arg(relay.webSocketPort));
        if (!relay.version.isEmpty())
            details.append(QStringLiteral("version ") + relay.version);
        std::printf("%s  (%s)\n", qUtf8Printable(relay.label()),
            qUtf8Printable(details.join(QStringLiteral(", "))));
    }
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    // Qt's GLib event loop updates its list of sockets in time proportional to their number at
    // every change, which makes thousands of clients slow; Qt's own Unix event loop does not.
    qputenv("QT_NO_GLIB", "1");
    HeapTuning::keepFreedMemory();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QLatin1String(kProgram));
    QCoreApplication::setApplicationVersion(QStringLiteral(SOCKETSERVER_VERSION));

    const RelayOptions options = parseRelayOptions(app.arguments().mid(1));
    switch (options.action) {
    case RelayOptions::Action::ShowHelp:
        std::fputs(relayOptionsHelp(QLatin1String(kProgram)).toUtf8().constData(), stdout);
        return 0;
    case RelayOptions::Action::ShowVersion:
        std::printf("%s %s\n", kProgram, SOCKETSERVER_VERSION);
        return 0;
    case RelayOptions::Action::Fail:
        std::fprintf(stderr, "%s: %s\nRun '%s --help' to see the options.\n", kProgram,
            options.error.toUtf8().constData(), kProgram);
        return 2;
    case RelayOptions::Action::ListRelays:
        return listRelays(app);
    case RelayOptions::Action::Run:
        break;
    }

    // A file the settings name that cannot be used is a mistake in the settings, like a bad
    // option: exit status 2, which the service units do not restart.
    const QString filesProblem = MqttBridge::filesProblem(options.config.mqtt);
    if (!filesProblem.isEmpty()) {
        std::fprintf(stderr, "%s: %s\n", kProgram, qUtf8Printable(filesProblem));
        return 2;
    }

    // With --log-file every line goes to the file, and only what happens before it is open (or
    // makes the relay fail to start) to stderr as well: the terminal or journal says where the
    // log is and why the relay is not running.
    const RelayConfig &config = options.config;
    std::optional<RotatingLog> logFile;
    if (!config.logFile.isEmpty()) {
        logFile.emplace(QFileInfo(config.logFile).absoluteFilePath(), config.logMaxBytes);
        if (!logFile->open()) {
            std::fprintf(stderr, "%s: %s\n", kProgram, qUtf8Printable(logFile->errorString()));
            return 2;
        }
        std::printf("%s: the log goes to %s\n", kProgram,
            qUtf8Printable(QDir::toNativeSeparators(logFile->path())));
        std::fflush(stdout);
    }
    HeadlessLog::install(config.verbose, logFile ? &*logFile : nullptr);
    const auto closingLog = qScopeGuard([] { qInstallMessageHandler(nullptr); });
    RelayServer relay;
    QObject::connect(&relay, &RelayServer::listening, &relay, [&relay] {
        const QStringList lines = relayBanner(relay, QLatin1String(kProgram));
        for (const QString &line : lines)
            qCInfo(lcDaemon).noquote() << line;
    });
    ServiceNotifier serviceNotifier; // under systemd: READY=1 after the lines above, the watchdog
    serviceNotifier.watch(&relay);
    // Signals are watched before start(): the relay may wait a long time for its address.
    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &relay,
        [&relay, &serviceNotifier](const QString &name) {
            qCInfo(lcDaemon).noquote() << name + QStringLiteral(": stopping");
            serviceNotifier.stopping();
            relay.stop();
            QTimer::singleShot(kShutdownGraceMs, qApp, &QCoreApplication::quit);
        });
    // logrotate moved the file away: a new one at the same path. Without a log file SIGHUP is
    // taken too, so that a stray one (a shared logrotate rule) does not end the relay.
    signalWatcher.watchHangup();
    QObject::connect(&signalWatcher, &SignalWatcher::hangupReceived, &relay, [&logFile] {
        if (!logFile)
            qCInfo(lcDaemon) << "SIGHUP: no log file to reopen";
        else if (logFile->reopen())
            qCInfo(lcDaemon) << "SIGHUP: log file reopened";
    });
    QObject::connect(&relay, &RelayServer::stopped, &app, &QCoreApplication::quit);
    if (!relay.start(config)) {
        std::fprintf(stderr, "%s: %s\n", kProgram, relay.errorString().toUtf8().constData());
        if (logFile)
            qCCritical(lcDaemon).noquote() << relay.errorString();
        return 1;
    }

    ConsoleReader console;
    if (config.console) {
        QObject::connect(&console, &ConsoleReader::lineRead, &relay, &RelayServer::broadcast);
        QObject::connect(&console, &ConsoleReader::finished, &relay,
            [] { qCInfo(lcDaemon) << "console: end of input, nothing more will be read"; });
        if (console.start())
            qCInfo(lcDaemon) << "console: each line typed here is sent to every client";
        else
            qCWarning(lcDaemon) << "console: standard input is closed, -c has no effect";
    }
    return app.exec();
}
