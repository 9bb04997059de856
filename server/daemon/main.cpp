// socketserver: the headless relay. Parses the command line, starts a RelayServer, and wires
// the console (-c), the log, Ctrl+C / SIGTERM and the service manager (systemd) to it.
#include "consolereader.h"
#include "headlesslog.h"
#include "heaptuning.h"
#include "netaddress.h"
#include "relayoptions.h"
#include "relayserver.h"
#include "servicenotifier.h"
#include "signalwatcher.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <cstdio>

Q_LOGGING_CATEGORY(lcDaemon, "socketserver.daemon", QtInfoMsg) // start-up and shutdown

namespace {

constexpr char kProgram[] = "socketserver";
constexpr int kShutdownGraceMs = 2000; // how long clients get to take what is queued for them

// The start-up lines: where clients connect, and the settings that change what they see.
QStringList banner(const RelayServer &relay)
{
    const RelayConfig &config = relay.config();
    QStringList endpoints;
    const auto addresses = relay.listenAddresses();
    for (const QHostAddress &address : addresses) {
        endpoints.append(address == QHostAddress(QHostAddress::Any)
                ? QStringLiteral("every interface, port %1").arg(relay.port())
                : NetAddress::endpoint(address, relay.port()));
    }
    QStringList settings = {
        QStringLiteral("eol %1").arg(config.terminator.name()),
        config.echo ? QStringLiteral("echo on") : QStringLiteral("echo off"),
        QStringLiteral("max %1 clients").arg(config.maxClients),
        QStringLiteral("max message %1 bytes").arg(config.maxMessageBytes),
    };
    if (config.heartbeatSeconds > 0)
        settings.append(QStringLiteral("heartbeat every %1 s").arg(config.heartbeatSeconds));
    if (config.verbose)
        settings.append(QStringLiteral("verbose"));
    if (config.console)
        settings.append(QStringLiteral("console"));
    if (config.flashPolicy)
        settings.append(QStringLiteral("Flash policy"));
    if (!config.expected.isEmpty())
        settings.append(QStringLiteral("%1 expected client(s), grace %2 s")
                            .arg(config.expected.size())
                            .arg(config.expectGraceSeconds));
    QStringList lines;
    lines += QStringLiteral("%1 %2 listening on %3 (%4)")
                 .arg(QLatin1String(kProgram), QCoreApplication::applicationVersion(),
                     endpoints.join(QStringLiteral(" and ")), settings.join(QStringLiteral(", ")));
    if (relay.webSocketPort() != 0) {
        // Where a browser reaches it: on every interface, that is this machine's LAN address.
        const QList<QHostAddress> hosts = NetAddress::reachableAddresses(addresses);
        QStringList sockets;
        QStringList pages;
        for (const QHostAddress &host : std::as_const(hosts)) {
            const QString where = NetAddress::endpoint(host, relay.webSocketPort());
            sockets << QStringLiteral("ws://%1/").arg(where);
            pages << QStringLiteral("http://%1/").arg(where);
        }
        lines += QStringLiteral("web pages connect to %1; the built-in page: %2")
                     .arg(sockets.join(QStringLiteral(" or ")), pages.join(QStringLiteral(" or ")));
        if (!pages.isEmpty())
            lines += QStringLiteral("monitoring: %1health and %1metrics").arg(pages.first());
    }
    if (!relay.localServerPath().isEmpty())
        lines += QStringLiteral("programs on this machine connect to the local socket %1")
                     .arg(relay.localServerPath());
    return lines;
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
    case RelayOptions::Action::Run:
        break;
    }

    HeadlessLog::install(options.config.verbose);
    RelayServer relay;
    QObject::connect(&relay, &RelayServer::listening, &relay, [&relay] {
        const QStringList lines = banner(relay);
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
    QObject::connect(&relay, &RelayServer::stopped, &app, &QCoreApplication::quit);
    if (!relay.start(options.config)) {
        std::fprintf(stderr, "%s: %s\n", kProgram, relay.errorString().toUtf8().constData());
        return 1;
    }

    ConsoleReader console;
    if (options.config.console) {
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
