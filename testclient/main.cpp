// socketserver-testclient: a window to send messages to a relay and see what arrives, or with
// --headless the same in a terminal (a sender, a periodic broadcaster, a listener).
#include "connectiontab.h"
#include "headlessclient.h"
#include "mainwindow.h"
#include "signalwatcher.h"
#include "testclientoptions.h"

#include <QApplication>
#include <QCoreApplication>

#include <cstdio>
#include <memory>

namespace {
constexpr char kProgram[] = "socketserver-testclient";
} // namespace

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    const TestClientOptions options = parseTestClientOptions(arguments);
    switch (options.action) {
    case TestClientOptions::Action::ShowHelp:
        std::fputs(testClientHelp(QLatin1String(kProgram)).toUtf8().constData(), stdout);
        return 0;
    case TestClientOptions::Action::ShowVersion:
        std::printf("%s %s\n", kProgram, SOCKETSERVER_VERSION);
        return 0;
    case TestClientOptions::Action::Fail:
        std::fprintf(stderr, "%s: %s\nRun '%s --help' to see the options.\n", kProgram,
            options.error.toUtf8().constData(), kProgram);
        return 2;
    case TestClientOptions::Action::RunHeadless: {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QLatin1String(kProgram));
        QCoreApplication::setApplicationVersion(QStringLiteral(SOCKETSERVER_VERSION));
        HeadlessClient client(options);
        QObject::connect(
            &client, &HeadlessClient::finished, &app, [](int exitCode, const QString &error) {
                if (!error.isEmpty())
                    std::fprintf(stderr, "%s: %s\n", kProgram, error.toUtf8().constData());
                QCoreApplication::exit(exitCode);
            });
        SignalWatcher signalWatcher;
        QObject::connect(
            &signalWatcher, &SignalWatcher::terminationRequested, &client, &HeadlessClient::stop);
        client.start();
        return app.exec();
    }
    case TestClientOptions::Action::RunWindow:
        break;
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SocketServer"));
    QApplication::setApplicationName(QLatin1String(kProgram));
    QApplication::setApplicationDisplayName(QStringLiteral("SocketServer Test Client"));
    QApplication::setApplicationVersion(QStringLiteral(SOCKETSERVER_VERSION));
    MainWindow window;
    if (options.addressGiven)
        window.currentTab()->connectTo(options.host, options.port);
    window.show();
    return app.exec();
}
