// parseTestClientOptions(): socketserver-testclient's command line as a table; --help.
#include "bonjour.h"
#include "testclientoptions.h"

#include <QTest>

// parseTestClientOptions(): the command line as a table.
class tst_TestClientOptions : public QObject
{
    Q_OBJECT

private slots:
    void parses_data();
    void parses();
    void findsByName_data();
    void findsByName();
    void fails_data();
    void fails();
    void helpListsEveryOption();
};

using Action = TestClientOptions::Action;
Q_DECLARE_METATYPE(TestClientOptions::Action)

void tst_TestClientOptions::parses_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<Action>("action");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("terminator");
    QTest::addColumn<int>("everyMs");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("listen");
    QTest::addColumn<bool>("raw");

    const auto args = [](const char *text) {
        return QString::fromLatin1(text).split(u' ', Qt::SkipEmptyParts);
    };
    QTest::newRow("window") << QStringList() << Action::RunWindow << "localhost" << 6780
                            << QByteArray() << QByteArray() << 0 << 0 << false << false;
    QTest::newRow("window at an address")
        << args("--host 10.0.0.5 --port=5783") << Action::RunWindow << "10.0.0.5" << 5783
        << QByteArray() << QByteArray() << 0 << 0 << false << false;
    QTest::newRow("send once") << args("--headless --send a\\tb") << Action::RunHeadless
                               << "localhost" << 6780 << QByteArray("a\tb") << QByteArray("\n") << 0
                               << 0 << false << false;
    QTest::newRow("send hex with nul")
        << args("--headless --send=48:69 --hex --eol nul") << Action::RunHeadless << "localhost"
        << 6780 << QByteArray("Hi") << QByteArray(1, '\0') << 0 << 0 << false << false;
    QTest::newRow("broadcaster") << args(
        "--headless --host h --port 1 --send ping --every 500 --count 10 --eol crlf")
                                 << Action::RunHeadless << "h" << 1 << QByteArray("ping")
                                 << QByteArray("\r\n") << 500 << 10 << false << false;
    QTest::newRow("broadcaster forever")
        << args("--headless --send x --every 20 --eol none") << Action::RunHeadless << "localhost"
        << 6780 << QByteArray("x") << QByteArray() << 20 << 0 << false << false;
    QTest::newRow("listen raw") << args("--headless --listen --raw") << Action::RunHeadless
                                << "localhost" << 6780 << QByteArray() << QByteArray() << 0 << 0
                                << true << true;
    QTest::newRow("help beside a mistake")
        << args("--bogus --help") << Action::ShowHelp << "localhost" << 6780 << QByteArray()
        << QByteArray() << 0 << 0 << false << false;
    QTest::newRow("--help as the text to send")
        << args("--headless --send --help") << Action::RunHeadless << "localhost" << 6780
        << QByteArray("--help") << QByteArray("\n") << 0 << 0 << false << false;
    QTest::newRow("-h as the text to send")
        << args("--headless --send -h") << Action::RunHeadless << "localhost" << 6780
        << QByteArray("-h") << QByteArray("\n") << 0 << 0 << false << false;
    QTest::newRow("--version as a host")
        << args("--host --version") << Action::RunWindow << "--version" << 6780 << QByteArray()
        << QByteArray() << 0 << 0 << false << false;
    QTest::newRow("help after a value")
        << args("--headless --send --help --help") << Action::ShowHelp << "localhost" << 6780
        << QByteArray() << QByteArray() << 0 << 0 << false << false;
    QTest::newRow("help after --find alone")
        << args("--headless --find --help") << Action::ShowHelp << "localhost" << 6780
        << QByteArray() << QByteArray() << 0 << 0 << false << false;
    QTest::newRow("--help as the name to find")
        << args("--headless --listen --find=--help") << Action::RunHeadless << "localhost" << 6780
        << QByteArray() << QByteArray() << 0 << 0 << true << false;
    QTest::newRow("version") << args("--version") << Action::ShowVersion << "localhost" << 6780
                             << QByteArray() << QByteArray() << 0 << 0 << false << false;
}

void tst_TestClientOptions::parses()
{
    QFETCH(QStringList, arguments);
    QFETCH(Action, action);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, terminator);
    QFETCH(int, everyMs);
    QFETCH(int, count);
    QFETCH(bool, listen);
    QFETCH(bool, raw);
    const TestClientOptions options = parseTestClientOptions(arguments);
    QVERIFY2(options.error.isEmpty(), qPrintable(options.error));
    QCOMPARE(options.action, action);
    QCOMPARE(options.host, host);
    QCOMPARE(int(options.port), port);
    QCOMPARE(options.sendPayload, payload);
    QCOMPARE(options.send.has_value(), !payload.isEmpty());
    if (options.send)
        QCOMPARE(options.send->terminator(), terminator);
    QCOMPARE(options.everyMs, everyMs);
    QCOMPARE(options.count, count);
    QCOMPARE(options.listen, listen);
    QCOMPARE(options.raw, raw);
}

void tst_TestClientOptions::findsByName_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("findGiven");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("listen");
    QTest::addColumn<bool>("retry");
    QTest::newRow("no --find") << QStringList{"--headless", "--listen"} << false << "" << true
                               << false;
    QTest::newRow("a name") << QStringList{"--headless", "--find", "Gallery 2", "--listen"} << true
                            << "Gallery 2" << true << false;
    QTest::newRow("a name with =")
        << QStringList{"--headless", "--find=Gallery 2", "--send", "x", "--retry"} << true
        << "Gallery 2" << false << true;
    QTest::newRow("alone, another option next")
        << QStringList{"--headless", "--find", "--listen"} << true << "" << true << false;
    QTest::newRow("alone, last") << QStringList{"--headless", "--listen", "--find"} << true << ""
                                 << true << false;
    QTest::newRow("a name like an option, with =") << QStringList{"--headless", "--find=--odd--",
        "--listen"} << true << "--odd--" << true << false;
    QTest::newRow("a name that starts with a dash, with =")
        << QStringList{"--headless", "--find=-x-", "--listen"} << true << "-x-" << true << false;
    QTest::newRow("an empty name, with =: the only relay")
        << QStringList{"--headless", "--find=", "--listen"} << true << "" << true << false;
    QTest::newRow("a name trimmed")
        << QStringList{"--headless", "--find", " Gallery 2 ", "--listen"} << true << "Gallery 2"
        << true << false;
}

void tst_TestClientOptions::findsByName()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, findGiven);
    QFETCH(QString, name);
    QFETCH(bool, listen);
    QFETCH(bool, retry);
    if (findGiven && !Bonjour::isBuiltIn())
        QSKIP("built without Bonjour: --find is refused");
    const TestClientOptions options = parseTestClientOptions(arguments);
    QVERIFY2(options.error.isEmpty(), qPrintable(options.error));
    QCOMPARE(options.action, Action::RunHeadless);
    QCOMPARE(options.find.has_value(), findGiven);
    QCOMPARE(options.find.value_or(QString()), name);
    QCOMPARE(options.listen, listen);
    QCOMPARE(options.retry, retry);
    QVERIFY(!options.addressGiven);
}

void tst_TestClientOptions::fails_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("error");
    const auto args = [](const char *text) {
        return QString::fromLatin1(text).split(u' ', Qt::SkipEmptyParts);
    };
    QTest::newRow("unknown") << args("--bogus") << "Unknown option --bogus.";
    QTest::newRow("not an option")
        << args("localhost") << "Unexpected argument \"localhost\": options start with --.";
    QTest::newRow("missing value") << args("--port") << "--port needs a value (PORT).";
    QTest::newRow("bad port") << args("--port 70000")
                              << "--port takes a whole number from 1 to 65535, not \"70000\".";
    QTest::newRow("switch with value") << args("--listen=yes") << "--listen takes no value.";
    QTest::newRow("nothing to do")
        << args("--headless") << "Nothing to do: give --send TEXT, --listen, or both.";
    QTest::newRow("send without headless")
        << args("--send x")
        << "--send, --listen, --every, --count, --raw, --retry, --hex and --find work only "
           "with --headless (the window lists the relays found in its Host field).";
    QTest::newRow("find without headless")
        << args("--find")
        << "--send, --listen, --every, --count, --raw, --retry, --hex and --find work only "
           "with --headless (the window lists the relays found in its Host field).";
    QTest::newRow("find and host")
        << args("--headless --listen --find Gallery --host 10.0.0.5")
        << "--find looks the relay up by its name: give it, or --host and --port, not both.";
    QTest::newRow("find alone and port")
        << args("--headless --listen --port 6781 --find")
        << "--find looks the relay up by its name: give it, or --host and --port, not both.";
    QTest::newRow("find a name too long")
        << QStringList{"--headless", "--listen", "--find", QString(64, u'x')}
        << QStringLiteral("--find: the name \"%1\" is longer than 63 bytes.")
               .arg(QString(64, u'x'));
    QTest::newRow("every without send")
        << args("--headless --listen --every 5")
        << "--every repeats the --send message: give --send TEXT too.";
    QTest::newRow("count without every") << args("--headless --send x --count 3")
                                         << "--count goes with --every: give --every MS too.";
    QTest::newRow("zero every") << args("--headless --send x --every 0")
                                << "--every takes a whole number from 1 to 86400000, not \"0\".";
    QTest::newRow("raw without listen") << args("--headless --send x --raw")
                                        << "--raw changes what --listen prints: give --listen too.";
    QTest::newRow("bad eol") << args("--headless --send x --eol cr")
                             << "--eol takes lf, crlf, nul or none, not \"cr\".";
    QTest::newRow("bad escape") << args("--headless --send a\\q")
                                << "--send: Unknown escape \\q at character 2: use \\n, \\r, \\t, "
                                   "\\0, \\\\ or \\xNN.";
    QTest::newRow("bad hex") << args("--headless --send 4 --hex")
                             << "--send: \"4\" is not a whole number of bytes: write each byte as "
                                "two digits, e.g. 0a.";
}

void tst_TestClientOptions::fails()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, error);
    if (error.startsWith(QStringLiteral("--find: ")) && !Bonjour::isBuiltIn())
        QSKIP("built without Bonjour: every --find is refused as such");
    const TestClientOptions options = parseTestClientOptions(arguments);
    QCOMPARE(options.action, Action::Fail);
    QCOMPARE(options.error, error);
}

void tst_TestClientOptions::helpListsEveryOption()
{
    const QString help = testClientHelp(QStringLiteral("socketserver-testclient"));
    for (const char *option : {"--host HOST", "--port PORT", "--find [NAME]", "--headless",
             "--send TEXT", "--hex", "--eol ENDING", "--every MS", "--count N", "--listen", "--raw",
             "--retry", "--help", "--version", "default localhost", "default 6780", "lf (default)",
             "then exit unless --listen"}) {
        QVERIFY2(help.simplified().contains(QLatin1String(option)), option); // wherever it wraps
    }
    // The text fits a terminal; only a long example command may run past it.
    const QString text = help.left(help.indexOf(QStringLiteral("\nExamples:")));
    for (const QString &line : text.split(u'\n'))
        QVERIFY2(line.size() <= 79, qPrintable(line));
}

QTEST_APPLESS_MAIN(tst_TestClientOptions)
#include "tst_testclientoptions.moc"
