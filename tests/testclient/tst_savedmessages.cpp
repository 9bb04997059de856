// SavedMessagesModel and TestClientSettings: saved messages edited, kept across runs,
// exported and imported.
#include "savedmessagesmodel.h"
#include "testclientsettings.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

// SavedMessagesModel and its persistence through TestClientSettings, in a temporary directory.
class tst_SavedMessages : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void addEditRemove();
    void persistsAcrossRuns();
    void exportImportRoundTrips();
    void importReplacesSameNames();
    void importRejectsOtherFiles_data();
    void importRejectsOtherFiles();
    void settingsRemembered();

private:
    static QList<SavedMessage> sample();
    QTemporaryDir m_dir;
};

void tst_SavedMessages::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(
        QSettings::IniFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
}

void tst_SavedMessages::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    QFile::remove(
        m_dir.filePath(QStringLiteral("settings/SocketServer/socketserver-testclient.ini")));
}

QList<SavedMessage> tst_SavedMessages::sample()
{
    OutgoingMessage red{QStringLiteral("computer2:main:changecolor:ball27,red"),
        OutgoingMessage::Format::Text, OutgoingMessage::Ending::Lf};
    OutgoingMessage flash{QStringLiteral("<policy-file-request/>"), OutgoingMessage::Format::Text,
        OutgoingMessage::Ending::Nul};
    OutgoingMessage bytes{
        QStringLiteral("00 0e ff"), OutgoingMessage::Format::Hex, OutgoingMessage::Ending::None};
    OutgoingMessage escaped{QStringLiteral("tab\\there\\r"), OutgoingMessage::Format::Text,
        OutgoingMessage::Ending::CrLf};
    return {{QStringLiteral("ball27 red"), red}, {QStringLiteral("flash policy"), flash},
        {QStringLiteral("raw bytes"), bytes},
        {QString::fromUtf8("caf\xc3\xa9 \xe2\x86\x92"), escaped}};
}

void tst_SavedMessages::addEditRemove()
{
    SavedMessagesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&model, &SavedMessagesModel::changed);
    for (const SavedMessage &saved : sample())
        model.append(saved);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(0, SavedMessagesModel::NameColumn).data().toString(),
        QStringLiteral("ball27 red"));
    QCOMPARE(model.index(1, SavedMessagesModel::MessageColumn).data().toString(),
        QStringLiteral("<policy-file-request/>  [nul]"));
    QCOMPARE(model.index(2, SavedMessagesModel::MessageColumn).data().toString(),
        QStringLiteral("hex 00 0e ff  [none]"));
    QVERIFY(model.setData(model.index(0, SavedMessagesModel::NameColumn), QStringLiteral("red")));
    QVERIFY(!model.setData(model.index(0, SavedMessagesModel::NameColumn), QString()));
    QCOMPARE(model.message(0).name, QStringLiteral("red"));
    QVERIFY(model.remove(1));
    QVERIFY(!model.remove(7));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(changed.count(), 6);
}

void tst_SavedMessages::persistsAcrossRuns()
{
    {
        SavedMessagesModel model;
        TestClientSettings().persist(&model);
        QCOMPARE(model.rowCount(), 0);
        for (const SavedMessage &saved : sample())
            model.append(saved);
        model.remove(0);
    }
    SavedMessagesModel again;
    QAbstractItemModelTester tester(&again, QAbstractItemModelTester::FailureReportingMode::QtTest);
    TestClientSettings().persist(&again);
    QCOMPARE(again.messages(), sample().mid(1));
}

void tst_SavedMessages::exportImportRoundTrips()
{
    SavedMessagesModel model;
    for (const SavedMessage &saved : sample())
        model.append(saved);
    const QString path = m_dir.filePath(QStringLiteral("exhibit.json"));
    QCOMPARE(model.exportFile(path), QString());

    SavedMessagesModel other;
    QAbstractItemModelTester tester(&other, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(other.importFile(path), QString());
    QCOMPARE(other.messages(), sample());
}

void tst_SavedMessages::importReplacesSameNames()
{
    SavedMessagesModel model;
    for (const SavedMessage &saved : sample())
        model.append(saved);
    const QString path = m_dir.filePath(QStringLiteral("one.json"));
    SavedMessagesModel file;
    file.append({QStringLiteral("flash policy"),
        {QStringLiteral("new"), OutgoingMessage::Format::Text, OutgoingMessage::Ending::Lf}});
    file.append({QStringLiteral("extra"),
        {QStringLiteral("x"), OutgoingMessage::Format::Text, OutgoingMessage::Ending::Lf}});
    QCOMPARE(file.exportFile(path), QString());
    QCOMPARE(model.importFile(path), QString());
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.message(1).message.text, QStringLiteral("new"));
    QCOMPARE(model.message(4).name, QStringLiteral("extra"));
}

void tst_SavedMessages::importRejectsOtherFiles_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("error");
    QTest::newRow("not json") << QByteArray("hello")
                              << QStringLiteral("%1 is not a file of saved messages.");
    QTest::newRow("other json") << QByteArray("{\"a\": 1}")
                                << QStringLiteral("%1 is not a file of saved messages.");
    QTest::newRow("bad ending")
        << QByteArray("{\"kind\": \"socketserver-testclient saved messages\", \"version\": 1, "
                      "\"messages\": [{\"name\": \"a\", \"text\": \"b\", \"ending\": \"cr\"}]}")
        << QStringLiteral(
               "%1: Message 1 is not valid: it needs a name, a text, a format (text or hex) "
               "and an ending (lf, crlf, nul or none).");
}

void tst_SavedMessages::importRejectsOtherFiles()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, error);
    const QString path = m_dir.filePath(QStringLiteral("bad.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();
    SavedMessagesModel model;
    model.append(sample().constFirst());
    QCOMPARE(model.importFile(path), error.arg(path));
    QCOMPARE(model.rowCount(), 1); // unchanged
    const QString missing = m_dir.filePath(QStringLiteral("missing.json"));
    QVERIFY(model.importFile(missing).startsWith(QStringLiteral("Cannot read %1: ").arg(missing)));
}

void tst_SavedMessages::settingsRemembered()
{
    {
        TestClientSettings settings;
        QCOMPARE(settings.host(), QStringLiteral("localhost"));
        QCOMPARE(settings.port(), quint16(6780));
        QVERIFY(settings.autoReconnect());
        QCOMPARE(settings.sendEnding(), OutgoingMessage::Ending::Lf);
        settings.setHost(QStringLiteral("10.0.0.9"));
        settings.setPort(5783);
        settings.setAutoReconnect(false);
        settings.setSendEnding(OutgoingMessage::Ending::Nul);
        settings.setSendHistory({QStringLiteral("a"), QStringLiteral("b")});
    }
    TestClientSettings settings;
    QCOMPARE(settings.host(), QStringLiteral("10.0.0.9"));
    QCOMPARE(settings.port(), quint16(5783));
    QVERIFY(!settings.autoReconnect());
    QCOMPARE(settings.sendEnding(), OutgoingMessage::Ending::Nul);
    QCOMPARE(settings.sendHistory(), QStringList({QStringLiteral("a"), QStringLiteral("b")}));
}

QTEST_GUILESS_MAIN(tst_SavedMessages)
#include "tst_savedmessages.moc"
