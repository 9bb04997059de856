// Open at login on Linux: an XDG autostart file under $XDG_CONFIG_HOME.
#include "loginitem.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class tst_LoginItem : public QObject
{
    Q_OBJECT

private slots:
    void xdgAutostart();
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

QTEST_GUILESS_MAIN(tst_LoginItem)
#include "tst_loginitem.moc"
