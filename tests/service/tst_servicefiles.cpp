// The files that run the relay as a service: the systemd units pass systemd-analyze (verify, and
// its sandboxing score), the launchd plist is a property list with the keys launchd needs, and
// the example settings file is read by the daemon.
#include "relayoptions.h"
#include "requiretool.h"
#include "testprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

namespace {

const QString kTestUnits = QStringLiteral(SOCKETSERVER_TEST_UNITS);
const QString kInstalledDaemon = QStringLiteral(SOCKETSERVER_INSTALLED_DAEMON);

QString readText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

bool writeText(const QString &path, const QString &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text.toUtf8()) == text.toUtf8().size();
}

// Finds systemd-analyze for a test function; without it the test is skipped, except on Debian,
// where ./test.sh installs it: there it fails.
#define REQUIRE_SYSTEMD_ANALYZE(tool)                                                              \
    const QString tool = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));        \
    REQUIRE_TOOL(!tool.isEmpty(), "systemd",                                                       \
        "systemd-analyze, which comes with systemd, Linux's service manager")

// `systemd-analyze verify` on one unit file. A unit passes only with exit status 0 and nothing
// printed: systemd-analyze only warns about an unknown key, and exits 0.
struct Verdict
{
    bool passed = false;
    QString output;
};

Verdict verify(const QString &tool, const QString &unit)
{
    const ProgramResult result = runToEnd(tool, {"verify", "--recursive-errors=no", unit});
    const QString output = result.out + result.err;
    return {result.exitCode == 0 && output.isEmpty(), output};
}

// A property list (the XML form launchd reads) as QVariants: dict, array, string, integer,
// true and false, which is all a launchd job uses; anything else is an error.
class PlistReader
{
public:
    QVariant read(const QString &path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            m_error = file.errorString();
            return {};
        }
        m_xml.setDevice(&file);
        if (!m_xml.readNextStartElement() || m_xml.name() != u"plist"
            || m_xml.attributes().value(QStringLiteral("version")) != u"1.0"
            || !m_xml.readNextStartElement())
            return fail(QStringLiteral("not a <plist version=\"1.0\">"));
        const QVariant root = value();
        if (m_xml.readNextStartElement())
            return fail(QStringLiteral("more than one value in <plist>"));
        if (m_xml.hasError())
            return fail(m_xml.errorString());
        return root;
    }

    QString error() const { return m_error; }

private:
    // The value whose start element has just been read, up to and including its end element.
    QVariant value()
    {
        const QStringView name = m_xml.name();
        if (name == u"string")
            return m_xml.readElementText();
        if (name == u"integer") {
            bool ok = false;
            const qint64 number = m_xml.readElementText().toLongLong(&ok);
            return ok ? QVariant(number) : fail(QStringLiteral("an <integer> that is not one"));
        }
        if (name == u"true" || name == u"false") {
            const bool truth = name == u"true";
            m_xml.skipCurrentElement();
            return truth;
        }
        if (name == u"array") {
            QVariantList list;
            while (m_xml.readNextStartElement())
                list.append(value());
            return list;
        }
        if (name == u"dict") {
            QVariantMap map;
            while (m_xml.readNextStartElement()) {
                if (m_xml.name() != u"key")
                    return fail(QStringLiteral("a <dict> entry without its <key>"));
                const QString key = m_xml.readElementText();
                if (map.contains(key) || !m_xml.readNextStartElement())
                    return fail(QStringLiteral("key %1 twice, or without a value").arg(key));
                map.insert(key, value());
            }
            return map;
        }
        return fail(QStringLiteral("unexpected <%1>").arg(name));
    }

    QVariant fail(const QString &error)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("line %1: %2").arg(m_xml.lineNumber()).arg(error);
        m_xml.raiseError(error);
        return {};
    }

    QXmlStreamReader m_xml;
    QString m_error;
};

} // namespace

class tst_ServiceFiles : public QObject
{
    Q_OBJECT

private slots:
    void unitsPassVerify_data();
    void unitsPassVerify();
    void verifyFindsMistakes_data();
    void verifyFindsMistakes();
    void unitsAreSandboxed_data();
    void unitsAreSandboxed();
    void installedUnitsRunTheInstalledDaemon_data();
    void installedUnitsRunTheInstalledDaemon();
    void exampleSettingsAreAccepted_data();
    void exampleSettingsAreAccepted();
    void launchdPlist();
    void launchdPlistPassesPlutil();
};

void tst_ServiceFiles::unitsPassVerify_data()
{
    QTest::addColumn<QString>("unit");
    QTest::newRow("socketserver.service") << "socketserver.service";
    QTest::newRow("socketserver@.service") << "socketserver@.service";
}

void tst_ServiceFiles::unitsPassVerify()
{
    QFETCH(QString, unit);
    REQUIRE_SYSTEMD_ANALYZE(tool);
    const Verdict verdict = verify(tool, kTestUnits + u'/' + unit);
    QVERIFY2(verdict.passed, qPrintable(verdict.output));
}

// The check above can fail: a broken copy of the unit does not pass it.
void tst_ServiceFiles::verifyFindsMistakes_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("complaint");
    QTest::newRow("misspelled key") << "WatchdogSec="
                                    << "WatchdogSecs="
                                    << "Unknown key";
    QTest::newRow("bad value") << "Type=notify"
                               << "Type=notfy"
                               << "Failed to parse";
    QTest::newRow("no such daemon") << "/socketserver "
                                    << "/socketserver-missing "
                                    << "is not executable";
}

void tst_ServiceFiles::verifyFindsMistakes()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, complaint);
    REQUIRE_SYSTEMD_ANALYZE(tool);
    const QString good = readText(kTestUnits + QStringLiteral("/socketserver.service"));
    QVERIFY(good.contains(from));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString broken = dir.filePath(QStringLiteral("socketserver.service"));
    QVERIFY(writeText(broken, QString(good).replace(from, to)));
    const Verdict verdict = verify(tool, broken);
    QVERIFY(!verdict.passed);
    QVERIFY2(verdict.output.contains(complaint), qPrintable(verdict.output));
}

void tst_ServiceFiles::unitsAreSandboxed_data()
{
    unitsPassVerify_data();
}

// systemd's own measure of a service's exposure, from 0 (locked down) to 10: the sandbox keeps it
// at 2 or below (a network daemon without PrivateNetwork cannot get much lower).
void tst_ServiceFiles::unitsAreSandboxed()
{
    QFETCH(QString, unit);
    REQUIRE_SYSTEMD_ANALYZE(tool);
    const ProgramResult result = runToEnd(tool,
        {"security", "--offline=yes", "--threshold=20", "--no-pager", kTestUnits + u'/' + unit});
    static const QRegularExpression level(QStringLiteral("Overall exposure level for .*: (\\S+)"));
    const QString found = level.match(result.out).captured(1);
    QVERIFY2(result.exitCode == 0 && !found.isEmpty(),
        qPrintable(QStringLiteral("exposure %1\n%2").arg(found, result.out + result.err)));
    QCOMPARE(result.err, QString());
    qInfo("%s: exposure %s", qPrintable(unit), qPrintable(found));
}

void tst_ServiceFiles::installedUnitsRunTheInstalledDaemon_data()
{
    QTest::addColumn<QString>("unit");
    QTest::addColumn<QString>("arguments");
    QTest::newRow("socketserver.service") << "socketserver.service"
                                          << "--bind any";
    QTest::newRow("socketserver@.service") << "socketserver@.service"
                                           << "--config /etc/socketserver/%i.ini";
}

// The units that are installed are the ones verified, with the installed daemon in ExecStart.
void tst_ServiceFiles::installedUnitsRunTheInstalledDaemon()
{
    QFETCH(QString, unit);
    QFETCH(QString, arguments);
    const QString installed = readText(QStringLiteral(SOCKETSERVER_UNITS "/") + unit);
    const QString execStart
        = QStringLiteral("\nExecStart=%1 %2\n").arg(kInstalledDaemon, arguments);
    QVERIFY2(installed.contains(execStart), qPrintable(installed));
    const QString tested = readText(kTestUnits + u'/' + unit);
    QVERIFY(!tested.isEmpty());
    const QString builtDir = QFileInfo(QStringLiteral(SOCKETSERVER_BUILT_DAEMON)).path();
    const QString installedDir = QFileInfo(kInstalledDaemon).path();
    QCOMPARE(QString(tested).replace(builtDir, installedDir), installed);
}

void tst_ServiceFiles::exampleSettingsAreAccepted_data()
{
    QTest::addColumn<bool>("uncommented");
    QTest::newRow("as shipped") << false;
    QTest::newRow("every suggestion taken") << true;
}

void tst_ServiceFiles::exampleSettingsAreAccepted()
{
    QFETCH(bool, uncommented);
    QString text = readText(QStringLiteral(SOCKETSERVER_EXAMPLE_SETTINGS));
    QVERIFY(text.contains(QStringLiteral("\nbind = any\n")));
    if (uncommented) {
        static const QRegularExpression suggestion(
            QStringLiteral("^# ([a-z-]+ = )"), QRegularExpression::MultilineOption);
        QVERIFY(text.contains(suggestion));
        text.replace(suggestion, QStringLiteral("\\1"));
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("example.ini"));
    QVERIFY(writeText(path, text));
    const RelayOptions options = parseRelayOptions({QStringLiteral("--config"), path});
    QVERIFY2(options.action == RelayOptions::Action::Run, qPrintable(options.error));
    QCOMPARE(options.config.bind, RelayConfig::Bind::Any);
    QCOMPARE(options.config.port, RelayConfig::kDefaultPort);
    QCOMPARE(options.config.webSocketEnabled, uncommented);
    QCOMPARE(options.config.localServerName.isEmpty(), !uncommented);
}

void tst_ServiceFiles::launchdPlist()
{
    PlistReader reader;
    const QVariantMap job = reader.read(QStringLiteral(SOCKETSERVER_PLIST)).toMap();
    QVERIFY2(reader.error().isEmpty(), qPrintable(reader.error()));
    QCOMPARE(job.value(QStringLiteral("Label")), QStringLiteral("org.socketserver.daemon"));
    QCOMPARE(job.value(QStringLiteral("ProgramArguments")).toStringList(),
        QStringList({kInstalledDaemon, QStringLiteral("--config"),
            QStringLiteral("/Library/Application Support/SocketServer/socketserver.ini")}));
    QCOMPARE(job.value(QStringLiteral("RunAtLoad")), QVariant(true));
    QCOMPARE(job.value(QStringLiteral("KeepAlive")), QVariant(true));
    for (const char *key : {"StandardOutPath", "StandardErrorPath"}) {
        const QString path = job.value(QLatin1String(key)).toString();
        QVERIFY2(path.startsWith(QStringLiteral("/Library/Logs/SocketServer/")), key);
    }
    // Only keys launchd knows (a misspelled one is ignored by launchd, silently).
    const QStringList known = {"Label", "ProgramArguments", "UserName", "GroupName", "RunAtLoad",
        "KeepAlive", "ProcessType", "StandardOutPath", "StandardErrorPath"};
    for (const QString &key : job.keys())
        QVERIFY2(known.contains(key), qPrintable(key));
}

void tst_ServiceFiles::launchdPlistPassesPlutil()
{
    const QString plutil = QStandardPaths::findExecutable(QStringLiteral("plutil"));
    if (plutil.isEmpty())
        QSKIP("plutil is macOS's (launchdPlist above reads the file everywhere)");
    const ProgramResult result = runToEnd(plutil, {"-lint", QStringLiteral(SOCKETSERVER_PLIST)});
    QVERIFY2(result.exitCode == 0, qPrintable(result.out + result.err));
}

QTEST_GUILESS_MAIN(tst_ServiceFiles)
#include "tst_servicefiles.moc"
