// socketserver-serial: relays lines between one serial device and the relay. Parses the
// command line, then wires a SerialDevice and a RelayLink together with a SerialRelay, and
// Ctrl+C / SIGTERM to a clean exit.
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

namespace {
constexpr char kProgram[] = "socketserver-serial";
}

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
    qCInfo(lcSerial).noquote() << QStringLiteral(
        "%1 %2 relaying %3 (%4) to the relay at %5 port %6")
                                      .arg(QLatin1String(kProgram), app.applicationVersion(),
                                          options.device.describe(), options.serial.describe(),
                                          options.host)
                                      .arg(options.port);

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
    link.open(options.host, options.port);
    return app.exec();
}
