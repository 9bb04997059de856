// End to end: the built-in web page in a real browser (headless Chromium) talks with a TCP
// client through the relay, both ways. The page is driven by its own ?send= feature; what it
// shows is read through Chromium's DevTools protocol. Skipped where no Chromium is installed.
#include "relayfixture.h"
#include "relayserver.h"
#include "requiretool.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <csignal>
#include <unistd.h>

namespace {

QString findChromium()
{
    for (const char *name : {"chromium", "chromium-browser", "google-chrome", "chrome"}) {
        const QString path = QStandardPaths::findExecutable(QLatin1String(name));
        if (!path.isEmpty())
            return path;
    }
    return {};
}

// A headless Chromium showing one URL, and a DevTools connection to read what the page shows.
class Browser
{
public:
    Browser()
    {
        m_profile.setAutoRemove(false); // removed below, once no browser process writes to it
        // Chromium starts helper processes; in a process group of their own they all go at once.
        m_process.setChildProcessModifier([] { ::setsid(); });
    }

    ~Browser()
    {
        m_devTools.abort();
        if (m_process.state() != QProcess::NotRunning) {
            ::kill(-pid_t(m_process.processId()), SIGKILL);
            m_process.waitForFinished(10000);
        }
        // A helper may still be on its way out: try again until the profile is gone.
        if (!QTest::qWaitFor([this] { return QDir(m_profile.path()).removeRecursively(); }, 5000))
            qWarning("cannot remove the browser's profile %s", qPrintable(m_profile.path()));
    }

    bool open(const QString &program, const QUrl &url)
    {
        m_process.setProgram(program);
        m_process.setArguments({QStringLiteral("--headless=new"), QStringLiteral("--no-sandbox"),
            QStringLiteral("--disable-gpu"), QStringLiteral("--no-first-run"),
            QStringLiteral("--remote-debugging-port=0"),
            QStringLiteral("--user-data-dir=") + m_profile.path(), url.toString()});
        // Headless Chromium complains about D-Bus and the like: not the test's business.
        m_process.setStandardOutputFile(QProcess::nullDevice());
        m_process.setStandardErrorFile(QProcess::nullDevice());
        m_process.start();
        return m_process.waitForStarted(10000);
    }

    // Connects to the page through DevTools: the browser writes its port to a file.
    bool attach()
    {
        QFile portFile(m_profile.filePath(QStringLiteral("DevToolsActivePort")));
        if (!QTest::qWaitFor([&] { return portFile.exists() && portFile.size() > 0; }, 30000)
            || !portFile.open(QIODevice::ReadOnly))
            return false;
        const QByteArray port = portFile.readLine().trimmed();
        // The page's target: asked of the browser over its own DevTools socket.
        QWebSocket browser;
        QObject::connect(
            &browser, &QWebSocket::textMessageReceived, &browser, [this](const QString &text) {
                m_replies.append(QJsonDocument::fromJson(text.toUtf8()).object());
            });
        browser.open(QUrl(QStringLiteral("ws://127.0.0.1:%1%2")
                              .arg(QString::fromLatin1(port),
                                  QString::fromLatin1(portFile.readLine().trimmed()))));
        if (!QTest::qWaitFor(
                [&] { return browser.state() == QAbstractSocket::ConnectedState; }, 10000))
            return false;
        QString targetId;
        const bool found = QTest::qWaitFor(
            [&] {
                m_replies.clear();
                browser.sendTextMessage(QStringLiteral(R"({"id":1,"method":"Target.getTargets"})"));
                (void)QTest::qWaitFor([&] { return !m_replies.isEmpty(); }, 2000);
                for (const QJsonObject &reply : std::as_const(m_replies)) {
                    const QJsonArray infos
                        = reply.value(u"result").toObject().value(u"targetInfos").toArray();
                    for (const QJsonValue &info : infos) {
                        if (info.toObject().value(u"type").toString() == u"page")
                            targetId = info.toObject().value(u"targetId").toString();
                    }
                }
                return !targetId.isEmpty();
            },
            10000);
        browser.close();
        if (!found)
            return false;
        QObject::connect(&m_devTools, &QWebSocket::textMessageReceived, &m_devTools,
            [this](const QString &text) {
                m_replies.append(QJsonDocument::fromJson(text.toUtf8()).object());
            });
        m_devTools.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/devtools/page/%2")
                                 .arg(QString::fromLatin1(port), targetId)));
        return QTest::qWaitFor(
            [&] { return m_devTools.state() == QAbstractSocket::ConnectedState; }, 10000);
    }

    // The text the page shows (its message log), or an empty string when not known yet.
    QString pageText()
    {
        m_replies.clear();
        const int id = ++m_lastId;
        m_devTools.sendTextMessage(QString::fromUtf8(QJsonDocument(
            QJsonObject{{QStringLiteral("id"), id},
                {QStringLiteral("method"), QStringLiteral("Runtime.evaluate")},
                {QStringLiteral("params"),
                    QJsonObject{{QStringLiteral("expression"),
                                    QStringLiteral("document.getElementById('log').innerText")},
                        {QStringLiteral("returnByValue"),
                            true}}}}).toJson(QJsonDocument::Compact)));
        (void)QTest::qWaitFor([&] { return !m_replies.isEmpty(); }, 2000);
        for (const QJsonObject &reply : std::as_const(m_replies)) {
            if (reply.value(u"id").toInt() == id)
                return reply.value(u"result")
                    .toObject()
                    .value(u"result")
                    .toObject()
                    .value(u"value")
                    .toString();
        }
        return {};
    }

private:
    QTemporaryDir m_profile;
    QProcess m_process;
    QWebSocket m_devTools;
    QList<QJsonObject> m_replies;
    int m_lastId = 100;
};

} // namespace

class tst_WebPage : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void pageTalksWithTcpClient();
};

void tst_WebPage::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_WebPage::pageTalksWithTcpClient()
{
    const QString chromium = findChromium();
    REQUIRE_TOOL(!chromium.isEmpty(), "chromium", "Chromium or Google Chrome");
    RelayConfig config;
    config.port = 0;
    config.webSocketEnabled = true;
    config.webSocketPort = 0;
    RelayFixture fixture;
    QVERIFY2(fixture.start(config, 1), qPrintable(fixture.relay().errorString()));
    TestPeer &tcp = fixture.peer(0);

    // The page sends its message as soon as it is connected: the TCP client gets it.
    Browser browser;
    QUrl url(QStringLiteral("http://127.0.0.1:%1/").arg(fixture.relay().webSocketPort()));
    url.setQuery(QStringLiteral("send=hello from the page \u00e9"));
    QVERIFY(browser.open(chromium, url));
    QTRY_COMPARE_WITH_TIMEOUT(tcp.received(), QByteArray("hello from the page \xc3\xa9\n"), 60000);
    QCOMPARE(fixture.relay().clients().at(1).kind, ClientInfo::Kind::WebSocket);

    // The reverse: the TCP client's message appears on the page.
    tcp.send("hello from tcp\tto the page\n");
    QVERIFY2(browser.attach(), "could not reach the page through Chromium's DevTools");
    QTRY_VERIFY_WITH_TIMEOUT(
        browser.pageText().contains(QStringLiteral("hello from tcp\\tto the page")), 30000);
    QVERIFY(browser.pageText().contains(QStringLiteral("hello from the page \u00e9")));
}

QTEST_GUILESS_MAIN(tst_WebPage)
#include "tst_webpage.moc"
