// Black-box checks of the socketserver-panel program's command line: help, version, errors.
// They need no screen: the options are read before the window system is touched.
#include <QProcess>
#include <QTest>

namespace {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

Result run(const QStringList &args)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(SOCKETSERVER_PANEL_BINARY), args);
    if (!process.waitForFinished(10000))
        return {};
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
        QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class tst_PanelBinary : public QObject
{
    Q_OBJECT

private slots:
    void help();
    void version();
    void badOptions_data();
    void badOptions();
};

void tst_PanelBinary::help()
{
    const Result result = run({QStringLiteral("--help")});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.startsWith(QStringLiteral("Usage: socketserver-panel")));
    QVERIFY(result.out.contains(QStringLiteral("--start")));
    QCOMPARE(result.err, QString());
}

void tst_PanelBinary::version()
{
    const Result result = run({QStringLiteral("--version")});
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out, QStringLiteral("socketserver-panel " SOCKETSERVER_VERSION "\n"));
}

void tst_PanelBinary::badOptions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error");
    QTest::newRow("port") << QStringList{"--port", "99999"}
                          << "socketserver-panel: --port: '99999' is not a port number (0 to "
                             "65535)\n";
    QTest::newRow("bind") << QStringList{"--bind", "kitchen"}
                          << "socketserver-panel: --bind: 'kitchen' is not an IP address (nor "
                             "localhost, any or lan)\n";
    QTest::newRow("unknown") << QStringList{"--fast"}
                             << "socketserver-panel: unknown option '--fast'\n";
}

void tst_PanelBinary::badOptions()
{
    QFETCH(QStringList, args);
    QFETCH(QString, error);
    const Result result = run(args);
    QCOMPARE(result.exitCode, 2);
    QCOMPARE(result.out, QString());
    QCOMPARE(result.err,
        error + QStringLiteral("Run 'socketserver-panel --help' to see the options.\n"));
}

QTEST_GUILESS_MAIN(tst_PanelBinary)
#include "tst_panelbinary.moc"
