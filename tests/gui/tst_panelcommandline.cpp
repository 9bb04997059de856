// The panel's command line: --start, --port, --bind checked by the core's parser.
#include "panelcommandline.h"

#include <QTest>

class tst_PanelCommandLine : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void applyOverridesSaved();
    void help();
};

void tst_PanelCommandLine::parse_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("action");
    QTest::addColumn<bool>("start");
    QTest::addColumn<QString>("port"); // "" when not given
    QTest::addColumn<QString>("bind"); // "" when not given
    using A = PanelCommandLine::Action;
    QTest::newRow("nothing") << QStringList() << int(A::Run) << false << ""
                             << "";
    QTest::newRow("start") << QStringList{"--start"} << int(A::Run) << true << ""
                           << "";
    QTest::newRow("start port bind") << QStringList{"--start", "--port", "5783", "--bind", "any"}
                                     << int(A::Run) << true << "5783"
                                     << "any";
    QTest::newRow("equals") << QStringList{"--port=0", "--bind=127.0.0.1"} << int(A::Run) << false
                            << "0"
                            << "127.0.0.1";
    QTest::newRow("lan") << QStringList{"--bind", "LAN"} << int(A::Run) << false << ""
                         << "lan";
    QTest::newRow("help") << QStringList{"--port", "x", "--help"} << int(A::ShowHelp) << false << ""
                          << "";
    QTest::newRow("version") << QStringList{"--version"} << int(A::ShowVersion) << false << ""
                             << "";
    QTest::newRow("bad port") << QStringList{"--port", "70000"} << int(A::Fail) << false << ""
                              << "";
    QTest::newRow("bad bind") << QStringList{"--bind", "kitchen"} << int(A::Fail) << false << ""
                              << "";
    QTest::newRow("--help as the address") << QStringList{"--bind", "--help"} << int(A::Fail)
                                           << false << "" << "";
    QTest::newRow("missing value") << QStringList{"--port"} << int(A::Fail) << false << ""
                                   << "";
    QTest::newRow("unknown") << QStringList{"--verbose"} << int(A::Fail) << false << ""
                             << "";
    // Qt's own options are QApplication's: skipped, with their values.
    QTest::newRow("qt platform") << QStringList{"-platform", "offscreen", "--start"} << int(A::Run)
                                 << true << ""
                                 << "";
    QTest::newRow("qt style and session")
        << QStringList{"-style", "fusion", "--port", "5783", "-session", "10abc_1234"}
        << int(A::Run) << false << "5783"
        << "";
    QTest::newRow("qt equals and flags")
        << QStringList{"-style=fusion", "-reverse", "--platform", "offscreen", "-widgetcount"}
        << int(A::Run) << false << ""
        << "";
    QTest::newRow("qt geometry") << QStringList{"-qwindowgeometry", "800x600+0+0", "--bind", "any"}
                                 << int(A::Run) << false << ""
                                 << "any";
    QTest::newRow("qt value is not an option")
        << QStringList{"-qwindowtitle", "--port", "--start"} << int(A::Run) << true << ""
        << "";
    QTest::newRow("qt missing value") << QStringList{"-platform"} << int(A::Fail) << false << ""
                                      << "";
    QTest::newRow("qt-like unknown") << QStringList{"-styles", "x"} << int(A::Fail) << false << ""
                                     << "";
    QTest::newRow("daemon's legacy") << QStringList{"6780"} << int(A::Fail) << false << ""
                                     << "";
}

void tst_PanelCommandLine::parse()
{
    QFETCH(QStringList, args);
    QFETCH(int, action);
    QFETCH(bool, start);
    QFETCH(QString, port);
    QFETCH(QString, bind);
    const PanelCommandLine options = PanelCommandLine::parse(args);
    QCOMPARE(int(options.action), action);
    if (options.action == PanelCommandLine::Action::Fail) {
        QVERIFY(!options.error.isEmpty());
        return;
    }
    QCOMPARE(options.start, start);
    QCOMPARE(options.hasPort, !port.isEmpty());
    if (options.hasPort)
        QCOMPARE(QString::number(options.port), port);
    QCOMPARE(options.hasBind, !bind.isEmpty());
    if (options.hasBind) {
        RelayConfig config;
        config.bind = options.bind;
        config.address = options.address;
        QCOMPARE(config.bindName(), bind);
    }
}

void tst_PanelCommandLine::applyOverridesSaved()
{
    RelayConfig saved;
    saved.port = 1234;
    saved.maxClients = 7;
    saved.bind = RelayConfig::Bind::Any;
    RelayConfig result = PanelCommandLine::parse({"--port", "5783"}).apply(saved);
    QCOMPARE(result.port, 5783);
    QCOMPARE(result.bind, RelayConfig::Bind::Any); // not given: the saved one
    QCOMPARE(result.maxClients, 7);
    result = PanelCommandLine::parse({"--bind", "10.0.0.7"}).apply(saved);
    QCOMPARE(result.port, 1234);
    QCOMPARE(result.bind, RelayConfig::Bind::Address);
    QCOMPARE(result.address, QHostAddress(QStringLiteral("10.0.0.7")));
}

void tst_PanelCommandLine::help()
{
    const QString help = PanelCommandLine::help(QStringLiteral("socketserver-panel"));
    for (const char *option : {"--start", "--port PORT", "--bind ADDRESS", "--help", "--version"})
        QVERIFY2(help.contains(QLatin1String(option)), option);
    const QStringList lines = help.split(u'\n');
    for (const QString &line : lines)
        QVERIFY2(line.size() <= 79, qPrintable(line));
}

QTEST_APPLESS_MAIN(tst_PanelCommandLine)
#include "tst_panelcommandline.moc"
