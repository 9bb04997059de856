// The test client's real window (offscreen) against a real relay: tabs, hex, history, repeat,
// refusals in words, reconnecting, saved messages, saving and copying the table.
#include "connectionsession.h"
#include "connectiontab.h"
#include "mainwindow.h"
#include "relayserver.h"
#include "repeatsender.h"
#include "savedmessagesmodel.h"
#include "testpeer.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

namespace {

QtMessageHandler g_testHandler = nullptr;

// The offscreen platform cannot resize a window to its size hints and says so whenever a dock
// changes them; that says nothing about the program. Every other message goes on to Qt Test,
// where failOnWarning() catches it.
void dropOffscreenNoise(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (message == QLatin1String("This plugin does not support propagateSizeHints()"))
        return;
    g_testHandler(type, context, message);
}

} // namespace

// The window, driven as a user would (clicks and keys), offscreen, against a real relay.
class tst_TestClientWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void connectSendAndSeeTheEcho();
    void twoTabsPlayTwoMachines();
    void hexInputAndHexView();
    void badEscapeIsExplainedNotSent();
    void historyWithUpAndDown();
    void historySharedByTabs();
    void repeatFromTheWindow();
    void repeatOnlyWhileConnected();
    void refusedConnectionInWords();
    void reconnectsAfterTheRelayRestarts();
    void savedMessagesSendImportExport();
    void saveAndCopyTheTable();

private:
    template<typename T> static T *child(QWidget *parent, const char *name)
    {
        T *found = parent->findChild<T *>(QLatin1String(name));
        if (!found)
            qWarning("no child %s", name);
        return found;
    }
    // Connects @p tab to the relay by typing the port and clicking Connect.
    bool connectTab(ConnectionTab *tab);
    void typeAndSend(ConnectionTab *tab, const QString &text);

    QTemporaryDir m_dir;
    std::unique_ptr<RelayServer> m_relay;
};

void tst_TestClientWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    g_testHandler = qInstallMessageHandler(dropOffscreenNoise);
    QSettings::setPath(
        QSettings::IniFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
}

void tst_TestClientWindow::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    QFile::remove(
        m_dir.filePath(QStringLiteral("settings/SocketServer/socketserver-testclient.ini")));
    RelayConfig config;
    config.port = 0;
    m_relay = std::make_unique<RelayServer>();
    QVERIFY(m_relay->start(config));
}

void tst_TestClientWindow::cleanup()
{
    m_relay.reset();
}

bool tst_TestClientWindow::connectTab(ConnectionTab *tab)
{
    auto *host = child<QComboBox>(tab, "host");
    auto *port = child<QSpinBox>(tab, "port");
    host->setEditText(QStringLiteral("127.0.0.1"));
    port->setValue(m_relay->port());
    const int before = m_relay->clientCount();
    QTest::mouseClick(child<QPushButton>(tab, "connect"), Qt::LeftButton);
    return QTest::qWaitFor([&] {
        return m_relay->clientCount() == before + 1
            && tab->session()->state() == RelayLink::State::Connected;
    });
}

void tst_TestClientWindow::typeAndSend(ConnectionTab *tab, const QString &text)
{
    auto *line = child<QLineEdit>(tab, "sendLine");
    line->setFocus();
    line->setText(text);
    QTest::keyClick(line, Qt::Key_Return);
}

void tst_TestClientWindow::connectSendAndSeeTheEcho()
{
    MainWindow window;
    window.show();
    ConnectionTab *tab = window.currentTab();
    QVERIFY(tab);
    auto *table = child<QTableView>(tab, "messages");
    QAbstractItemModelTester tester(
        table->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto *status = child<QLabel>(tab, "status");
    QCOMPARE(status->text(), QStringLiteral("disconnected"));
    QVERIFY(connectTab(tab));
    QCOMPARE(status->text(), QStringLiteral("connected to 127.0.0.1 port %1").arg(m_relay->port()));
    QCOMPARE(child<QPushButton>(tab, "connect")->text(), QStringLiteral("Disconnect"));

    typeAndSend(tab, QStringLiteral("computer2:main:changecolor:ball27,red"));
    QTRY_COMPARE(table->model()->rowCount(), 2);
    const auto cell = [table](int row, int column) {
        return table->model()->index(row, column).data().toString();
    };
    QCOMPARE(cell(0, MessageLogModel::DirectionColumn), QStringLiteral("sent"));
    QCOMPARE(cell(1, MessageLogModel::DirectionColumn), QStringLiteral("received"));
    QCOMPARE(cell(1, MessageLogModel::TextColumn),
        QStringLiteral("computer2:main:changecolor:ball27,red"));
    QCOMPARE(cell(1, MessageLogModel::SizeColumn), QStringLiteral("37"));
    QVERIFY(child<QLineEdit>(tab, "sendLine")->text().isEmpty());

    // Filter as you type.
    QTest::keyClicks(child<QLineEdit>(tab, "filter"), QStringLiteral("nothing like it"));
    QCOMPARE(table->model()->rowCount(), 0);
    child<QLineEdit>(tab, "filter")->clear();
    QCOMPARE(table->model()->rowCount(), 2);

    // Pause holds the table; Clear empties it.
    QTest::mouseClick(child<QToolButton>(tab, "pause"), Qt::LeftButton);
    typeAndSend(tab, QStringLiteral("while paused"));
    QTRY_COMPARE(tab->session()->rates().totalIn(), 2);
    QCOMPARE(table->model()->rowCount(), 2);
    QTest::mouseClick(child<QToolButton>(tab, "pause"), Qt::LeftButton);
    QTest::mouseClick(child<QPushButton>(tab, "clear"), Qt::LeftButton);
    QCOMPARE(table->model()->rowCount(), 0);

    QTest::mouseClick(child<QPushButton>(tab, "connect"), Qt::LeftButton);
    QCOMPARE(tab->session()->state(), RelayLink::State::Disconnected);
    QCOMPARE(status->text(), QStringLiteral("disconnected"));
    QTRY_COMPARE(m_relay->clientCount(), 0);
}

void tst_TestClientWindow::twoTabsPlayTwoMachines()
{
    MainWindow window;
    window.show();
    ConnectionTab *first = window.currentTab();
    QVERIFY(connectTab(first));
    ConnectionTab *second = window.addConnection();
    QCOMPARE(window.tabCount(), 2);
    QCOMPARE(window.currentTab(), second);
    QVERIFY(connectTab(second));
    QCOMPARE(m_relay->clientCount(), 2);

    typeAndSend(first, QStringLiteral("computer1:hello"));
    QTRY_COMPARE(second->session()->log()->rowCount(), 1);
    QCOMPARE(second->session()->log()->entry(0).direction, MessageLogModel::Direction::Received);
    QCOMPARE(second->session()->log()->entry(0).bytes, QByteArray("computer1:hello"));
    typeAndSend(second, QStringLiteral("computer2:hi"));
    QTRY_COMPARE(first->session()->log()->rowCount(), 3);
    QCOMPARE(first->session()->log()->entry(2).bytes, QByteArray("computer2:hi"));
}

void tst_TestClientWindow::hexInputAndHexView()
{
    MainWindow window;
    window.show();
    ConnectionTab *tab = window.currentTab();
    QVERIFY(connectTab(tab));
    TestPeer peer;
    QVERIFY(peer.connectTo(QHostAddress::LocalHost, m_relay->port()));
    QTRY_COMPARE(m_relay->clientCount(), 2);

    auto *format = child<QComboBox>(tab, "format");
    auto *ending = child<QComboBox>(tab, "ending");
    format->setCurrentIndex(format->findText(QStringLiteral("Hex")));
    ending->setCurrentIndex(ending->findText(QStringLiteral("CRLF")));
    typeAndSend(tab, QStringLiteral("1b 5b 33 31 6d 0d"));
    // The peer has not spoken yet: the relay ends messages to it with LF.
    QTRY_COMPARE(peer.received(), QByteArray("\x1b[31m\r\n"));
    auto *table = child<QTableView>(tab, "messages");
    QTRY_COMPARE(table->model()->rowCount(), 2);
    const QModelIndex text = table->model()->index(1, MessageLogModel::TextColumn);
    QCOMPARE(text.data().toString(), QStringLiteral("\\x1b[31m\\r"));
    QTest::mouseClick(child<QToolButton>(tab, "hex"), Qt::LeftButton);
    QCOMPARE(text.data().toString(), QStringLiteral("1b 5b 33 31 6d 0d"));
}

void tst_TestClientWindow::badEscapeIsExplainedNotSent()
{
    MainWindow window;
    window.show();
    ConnectionTab *tab = window.currentTab();
    QVERIFY(connectTab(tab));
    typeAndSend(tab, QStringLiteral("oops \\x4"));
    auto *feedback = child<QLabel>(tab, "feedback");
    QVERIFY(feedback->isVisible());
    QCOMPARE(
        feedback->text(), QStringLiteral("\\x at character 6 needs two hex digits, e.g. \\x1b."));
    QCOMPARE(child<QLineEdit>(tab, "sendLine")->text(), QStringLiteral("oops \\x4")); // to fix
    QCOMPARE(tab->session()->log()->rowCount(), 0);
    typeAndSend(tab, QStringLiteral("fixed \\x41"));
    QVERIFY(!feedback->isVisible());
    QTRY_COMPARE(tab->session()->log()->rowCount(), 2);
    QCOMPARE(tab->session()->log()->entry(1).bytes, QByteArray("fixed A"));
}

void tst_TestClientWindow::historyWithUpAndDown()
{
    MainWindow window;
    window.show();
    ConnectionTab *tab = window.currentTab();
    QVERIFY(connectTab(tab));
    typeAndSend(tab, QStringLiteral("first"));
    typeAndSend(tab, QStringLiteral("second"));
    auto *line = child<QLineEdit>(tab, "sendLine");
    QTest::keyClicks(line, QStringLiteral("draft"));
    QTest::keyClick(line, Qt::Key_Up);
    QCOMPARE(line->text(), QStringLiteral("second"));
    QTest::keyClick(line, Qt::Key_Up);
    QCOMPARE(line->text(), QStringLiteral("first"));
    QTest::keyClick(line, Qt::Key_Down);
    QTest::keyClick(line, Qt::Key_Down);
    QCOMPARE(line->text(), QStringLiteral("draft"));

    // The history outlives the window.
    MainWindow again;
    auto *lineAgain = child<QLineEdit>(again.currentTab(), "sendLine");
    QTest::keyClick(lineAgain, Qt::Key_Up);
    QCOMPARE(lineAgain->text(), QStringLiteral("second"));
}

void tst_TestClientWindow::historySharedByTabs()
{
    MainWindow window;
    window.show();
    ConnectionTab *first = window.currentTab();
    QVERIFY(connectTab(first));
    ConnectionTab *second = window.addConnection();
    QVERIFY(connectTab(second));
    typeAndSend(first, QStringLiteral("one"));
    typeAndSend(second, QStringLiteral("two"));
    typeAndSend(first, QStringLiteral("three"));
    // Repeat adds its message too.
    child<QLineEdit>(second, "sendLine")->setText(QStringLiteral("four"));
    child<QSpinBox>(second, "repeatCount")->setValue(1);
    QTest::mouseClick(child<QPushButton>(second, "repeat"), Qt::LeftButton);

    const auto browse = [](QLineEdit *line, int ups) {
        line->clear();
        for (int i = 0; i < ups; ++i)
            QTest::keyClick(line, Qt::Key_Up);
        const QString text = line->text();
        for (int i = 0; i < ups; ++i)
            QTest::keyClick(line, Qt::Key_Down);
        return text;
    };
    for (ConnectionTab *tab : {first, second}) {
        auto *line = child<QLineEdit>(tab, "sendLine");
        QCOMPARE(browse(line, 1), QStringLiteral("four"));
        QCOMPARE(browse(line, 2), QStringLiteral("three"));
        QCOMPARE(browse(line, 3), QStringLiteral("two"));
        QCOMPARE(browse(line, 4), QStringLiteral("one"));
    }

    // All four are saved, from both tabs.
    MainWindow again;
    auto *line = child<QLineEdit>(again.currentTab(), "sendLine");
    QCOMPARE(browse(line, 1), QStringLiteral("four"));
    QCOMPARE(browse(line, 4), QStringLiteral("one"));
}

void tst_TestClientWindow::repeatFromTheWindow()
{
    MainWindow window;
    window.show();
    ConnectionTab *tab = window.currentTab();
    QVERIFY(connectTab(tab));
    TestPeer peer;
    QVERIFY(peer.connectTo(QHostAddress::LocalHost, m_relay->port()));
    QTRY_COMPARE(m_relay->clientCount(), 2);

    child<QLineEdit>(tab, "sendLine")->setText(QStringLiteral("ping"));
    child<QSpinBox>(tab, "repeatInterval")->setValue(5);
    child<QSpinBox>(tab, "repeatCount")->setValue(12);
    auto *repeat = child<QPushButton>(tab, "repeat");
    QTest::mouseClick(repeat, Qt::LeftButton);
    QCOMPARE(repeat->text(), QStringLiteral("Stop"));
    QTRY_COMPARE(child<QLabel>(tab, "repeatProgress")->text(), QStringLiteral("12 of 12 sent"));
    QCOMPARE(repeat->text(), QStringLiteral("Repeat"));
    peer.send("marker\n");
    QTRY_VERIFY(peer.received().endsWith("marker\n"));
    QCOMPARE(peer.received(), QByteArray("ping\n").repeated(12) + "marker\n");

    // Forever, then Stop.
    child<QSpinBox>(tab, "repeatCount")->setValue(0);
    QTest::mouseClick(repeat, Qt::LeftButton);
    QTRY_VERIFY(tab->session()->repeatSender()->sentCount() >= 2);
    QTest::mouseClick(repeat, Qt::LeftButton);
    QVERIFY(!tab->session()->repeatSender()->isRunning());
    QCOMPARE(repeat->text(), QStringLiteral("Repeat"));
}

void tst_TestClientWindow::repeatOnlyWhileConnected()
{
    MainWindow window;
    window.show();
    ConnectionTab *tab = window.currentTab();
    auto *repeat = child<QPushButton>(tab, "repeat");
    child<QLineEdit>(tab, "sendLine")->setText(QStringLiteral("ping"));
    child<QSpinBox>(tab, "repeatInterval")->setValue(5);
    child<QSpinBox>(tab, "repeatCount")->setValue(0); // forever
    QTest::mouseClick(repeat, Qt::LeftButton);
    QVERIFY(!tab->session()->repeatSender()->isRunning());
    QCOMPARE(repeat->text(), QStringLiteral("Repeat"));
    QCOMPARE(child<QLabel>(tab, "feedback")->text(),
        QStringLiteral("Not connected: connect first, then repeat."));

    child<QCheckBox>(tab, "autoReconnect")->setChecked(false);
    QVERIFY(connectTab(tab));
    QTest::mouseClick(repeat, Qt::LeftButton);
    QCOMPARE(repeat->text(), QStringLiteral("Stop"));
    QTRY_VERIFY(tab->session()->repeatSender()->sentCount() >= 1);
    m_relay->stop();
    QTRY_COMPARE(tab->session()->state(), RelayLink::State::Disconnected);
    QVERIFY(!tab->session()->repeatSender()->isRunning());
    QCOMPARE(repeat->text(), QStringLiteral("Repeat"));
}

void tst_TestClientWindow::refusedConnectionInWords()
{
    MainWindow window;
    window.show();
    ConnectionTab *tab = window.currentTab();
    const quint16 port = m_relay->port();
    m_relay.reset();
    child<QCheckBox>(tab, "autoReconnect")->setChecked(false);
    tab->connectTo(QStringLiteral("127.0.0.1"), port);
    QTRY_COMPARE(tab->session()->state(), RelayLink::State::Disconnected);
    // The same words as the headless client's (and the README's).
    QCOMPARE(
        child<QLabel>(tab, "status")->text(), QStringLiteral("disconnected: connection refused"));
}

void tst_TestClientWindow::reconnectsAfterTheRelayRestarts()
{
    MainWindow window;
    window.show();
    ConnectionTab *tab = window.currentTab();
    QVERIFY(child<QCheckBox>(tab, "autoReconnect")->isChecked());
    QVERIFY(connectTab(tab));
    const quint16 port = m_relay->port();
    auto *status = child<QLabel>(tab, "status");

    m_relay->stop();
    QTRY_VERIFY(status->text().startsWith(QStringLiteral("reconnecting in ")));
    QVERIFY2(status->text().endsWith(QStringLiteral("the relay closed the connection")),
        qPrintable(status->text()));
    m_relay = std::make_unique<RelayServer>();
    RelayConfig config;
    config.port = port;
    QVERIFY(m_relay->start(config));
    QTRY_COMPARE_WITH_TIMEOUT(
        status->text(), QStringLiteral("connected to 127.0.0.1 port %1").arg(port), 10000);
    typeAndSend(tab, QStringLiteral("back again"));
    QTRY_COMPARE(tab->session()->log()->rowCount(), 2);
}

void tst_TestClientWindow::savedMessagesSendImportExport()
{
    const QString exported = m_dir.filePath(QStringLiteral("exhibit.json"));
    {
        MainWindow window;
        window.show();
        QAbstractItemModelTester tester(
            window.savedMessages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        ConnectionTab *tab = window.currentTab();
        QVERIFY(connectTab(tab));
        child<QLineEdit>(tab, "sendLine")
            ->setText(QStringLiteral("computer2:main:changecolor:ball27,red"));
        window.saveCurrentMessage(QStringLiteral("ball27 red"));
        child<QLineEdit>(tab, "sendLine")->setText(QStringLiteral("computer2:main:reset"));
        window.saveCurrentMessage(QStringLiteral("reset"));
        QCOMPARE(window.savedMessages()->rowCount(), 2);

        // A double-click sends it.
        auto *view = child<QTableView>(&window, "savedMessages");
        const QRect cell = view->visualRect(window.savedMessages()->index(1, 0));
        QVERIFY(view->isVisible());
        // An item view wants the press before the double-click, as from a real mouse.
        QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, cell.center());
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, cell.center());
        QTRY_COMPARE(tab->session()->log()->rowCount(), 2);
        QCOMPARE(tab->session()->log()->entry(0).bytes, QByteArray("computer2:main:reset"));
        // Ctrl+1 sends the first.
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QTRY_COMPARE(tab->session()->log()->rowCount(), 4);
        QCOMPARE(tab->session()->log()->entry(2).bytes,
            QByteArray("computer2:main:changecolor:ball27,red"));

        window.setFileChooser(
            [&exported](QWidget *, bool save) { return save ? exported : QString(); });
        window.exportMessages();
    }
    {
        // Persisted: a new window has them.
        MainWindow window;
        QCOMPARE(window.savedMessages()->rowCount(), 2);
        window.savedMessages()->replaceAll({});
    }
    MainWindow window;
    QCOMPARE(window.savedMessages()->rowCount(), 0);
    window.setFileChooser(
        [&exported](QWidget *, bool save) { return save ? QString() : exported; });
    window.importMessages();
    QCOMPARE(window.savedMessages()->rowCount(), 2);
    QCOMPARE(window.savedMessages()->message(0).name, QStringLiteral("ball27 red"));
    QCOMPARE(
        window.savedMessages()->message(1).message.text, QStringLiteral("computer2:main:reset"));
}

void tst_TestClientWindow::saveAndCopyTheTable()
{
    MainWindow window;
    window.show();
    ConnectionTab *tab = window.currentTab();
    QVERIFY(connectTab(tab));
    typeAndSend(tab, QStringLiteral("a,b"));
    QTRY_COMPARE(tab->session()->log()->rowCount(), 2);

    const QString csv = m_dir.filePath(QStringLiteral("log.csv"));
    tab->setSaveFileChooser([&csv](QWidget *) { return csv; });
    QTest::mouseClick(child<QPushButton>(tab, "save"), Qt::LeftButton);
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.value(0), QByteArray("Time,Direction,Bytes,Message\r"));
    QVERIFY2(lines.value(2).endsWith(",received,3,\"a,b\"\r"), lines.value(2).constData());

    auto *table = child<QTableView>(tab, "messages");
    table->selectRow(1);
    QTest::mouseClick(child<QPushButton>(tab, "copy"), Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), tab->session()->log()->rowText(1) + u'\n');
    QVERIFY(QApplication::clipboard()->text().endsWith(QStringLiteral("\treceived\t3\ta,b\n")));
}

QTEST_MAIN(tst_TestClientWindow)
#include "tst_testclientwindow.moc"
