// socketserver-serial: relays lines between one serial device and the relay. Parses the
// command line, then wires a SerialDevice and a RelayLink together with a SerialRelay, the link
// to the relay's address or (--find) to wherever a RelayFinder finds the relay, and Ctrl+C /
// SIGTERM to a clean exit.
#include "bonjour.h"
#include "headlesslog.h"
#include "relaylink.h"
#include "serialdevice.h"
#include "seriallogging.h"
#include "serialoptions.h"
#include "serialportentry.h"
#include "serialrelay.h"
#include "signalwatcher.h"

#include <QCoreApplication>

#include <cstdio>
#include <optional>

namespace {

constexpr char kProgram[] = "socketserver-serial";

// Where the relay is, for the start-up line.
QString relayDescription(const SerialOptions &options)
{
    if (!options.find)
        return QStringLiteral("the relay at %1 port %2").arg(options.host).arg(options.port);
    if (options.find->isEmpty())
        return QStringLiteral("the only relay announced on the network");
    return QStringLiteral("the relay announced on the network as \"%1\"").arg(*options.find);
}

// --find: connects @p link to the relay wherever @p finder finds it, again each time it moves;
// logs each change of what it waits for, once.
void follow(RelayFinder &finder, RelayLink &link)
{
    QObject::connect(&finder, &RelayFinder::problemChanged, &link, [&finder] {
        if (!finder.problem().isEmpty())
            qCInfo(lcSerial).noquote() << QStringLiteral("relay: waiting: ") + finder.problem();
    });
    QObject::connect(&finder, &RelayFinder::found, &link, [&link](const FoundRelay &relay) {
        const QString line = link.host().isEmpty()
            ? QStringLiteral("relay: found \"%1\" at %2")
            : QStringLiteral("relay: \"%1\" moved to %2; connecting there");
        qCInfo(lcSerial).noquote() << line.arg(relay.name, relay.endpoint());
        link.open(relay.address.toString(), relay.port);
    });
    finder.start();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QLatin1String(kProgram));
    QCoreApplication::setApplicationVersion(QStringLiteral(SOCKETSERVER_VERSION));

    const SerialOptions options = parseSerialOptions(app.arguments().mid(1));
    switch (options.action) {
    case SerialOptions::Action::ShowHelp:
        std::fputs(serialOptionsHelp(QLatin1String(kProgram)).toUtf8().constData(), stdout);
        return 0;
    case SerialOptions::Action::ShowVersion:
        std::printf("%s %s\n", kProgram, SOCKETSERVER_VERSION);
        return 0;
    case SerialOptions::Action::ListPorts:
        std::fputs(
            SerialPortEntry::describe(SerialPortEntry::available()).toUtf8().constData(), stdout);
        return 0;
    case SerialOptions::Action::Fail:
        std::fprintf(stderr, "%s: %s\nRun '%s --help' to see the options.\n", kProgram,
            options.error.toUtf8().constData(), kProgram);
        return 2;
    case SerialOptions::Action::Run:
        break;
    }

    HeadlessLog::install(options.verbose);
    qCInfo(lcSerial).noquote() << QStringLiteral("%1 %2 relaying %3 (%4) to %5")
                                      .arg(QLatin1String(kProgram), app.applicationVersion(),
                                          options.device.describe(), options.serial.describe(),
                                          relayDescription(options));

    SerialDevice device(options.device, options.serial);
    RelayLink link(options.relayTerminator);
    SerialRelay relay(&device, &link, options.relaySettings());
    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &app,
        [&device, &link](const QString &name) {
            qCInfo(lcSerial).noquote() << name + QStringLiteral(": stopping");
            device.stop();
            link.close();
            QCoreApplication::quit();
        });
    device.start();
    std::optional<RelayFinder> finder;
    if (options.find)
        follow(finder.emplace(*options.find), link);
    else
        link.open(options.host, options.port);
    return app.exec();
}
