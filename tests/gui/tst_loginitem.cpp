// Open at login on Linux: an XDG autostart file under $XDG_CONFIG_HOME. And, on every system,
// which places a program must not be opened at login from (a Mac disk image, a translocated app).
#include "loginitem.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class tst_LoginItem : public QObject
{
    Q_OBJECT

private slots:
    void xdgAutostart();
    void locationProblem_data();
    void locationProblem();
};

void tst_LoginItem::xdgAutostart()
{
#if defined(Q_OS_WIN) || defined(Q_OS_MACOS)
    QSKIP("The XDG autostart file is the login item of Linux and other Unix desktops only");
#else
    QTemporaryDir config;
    QVERIFY(config.isValid());
    QVERIFY(qputenv("XDG_CONFIG_HOME", config.path().toUtf8()));
    LoginItem item(QStringLiteral("/opt/socket server/socketserver-panel"));
    const QString path = config.filePath(QStringLiteral("autostart/socketserver-panel.desktop"));
    QCOMPARE(item.location(), path);
    QVERIFY(!item.isEnabled());

    QVERIFY2(item.setEnabled(true), qPrintable(item.errorString()));
    QVERIFY(item.isEnabled());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(text.startsWith("[Desktop Entry]\n"));
    QVERIFY(text.contains("\nExec=\"/opt/socket server/socketserver-panel\"\n"));
    QVERIFY(text.contains("\nType=Application\n"));
    file.close();

    QVERIFY(item.setEnabled(true)); // again: still one file, still enabled
    QVERIFY(item.isEnabled());
    QVERIFY(item.setEnabled(false));
    QVERIFY(!item.isEnabled());
    QVERIFY(!QFile::exists(path));
    QVERIFY(item.setEnabled(false)); // nothing to remove is fine

    // Without XDG_CONFIG_HOME: ~/.config.
    qunsetenv("XDG_CONFIG_HOME");
    QCOMPARE(item.location(),
        QDir::homePath() + QStringLiteral("/.config/autostart/socketserver-panel.desktop"));
#endif
}

void tst_LoginItem::locationProblem_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QString>("problem"); // a word of the sentence; empty: no problem

    const QString inApp = QStringLiteral("/SocketServer.app/Contents/MacOS/SocketServer");
    QTest::newRow("Applications") << "/Applications" + inApp << QString();
    QTest::newRow("the user's Applications") << "/Users/anna/Applications" + inApp << QString();
    QTest::newRow("Downloads, not translocated") << "/Users/anna/Downloads" + inApp << QString();
    QTest::newRow("disk image") << "/Volumes/SocketServer 1.0" + inApp << "disk image";
    QTest::newRow("disk image, Linux-like name")
        << QStringLiteral("/Volumes/socketserver/socketserver-panel") << "disk image";
    QTest::newRow("translocated") << "/private/var/folders/x1/abc/T/AppTranslocation/6A2B-41D7/d"
            + inApp << "temporary copy";
    QTest::newRow("translocated from a disk image")
        << "/private/var/folders/x1/abc/T/AppTranslocation/6A2B-41D7/d/Volumes" + inApp
        << "temporary copy";
    QTest::newRow("a folder that only starts like Volumes")
        << "/VolumesOfNotes" + inApp << QString();
    QTest::newRow("Linux") << QStringLiteral("/usr/bin/socketserver-panel") << QString();
    QTest::newRow("Windows") << QStringLiteral(
        "C:/Program Files/SocketServer/socketserver-panel.exe")
                             << QString();
}

void tst_LoginItem::locationProblem()
{
    QFETCH(QString, program);
    QFETCH(QString, problem);

    const QString sentence = LoginItem::locationProblem(program);
    if (problem.isEmpty()) {
        QCOMPARE(sentence, QString());
    } else {
        QVERIFY2(sentence.contains(problem), qPrintable(sentence));
        QVERIFY(sentence.contains(QStringLiteral("Move SocketServer to the Applications folder")));
    }
}

QTEST_GUILESS_MAIN(tst_LoginItem)
#include "tst_loginitem.moc"
