#include "messagelogmodel.h"

#include <QAbstractItemModelTester>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

// MessageLogModel: appended rows, the cap, the view switches and the exports.
class tst_MessageLogModel : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void appendsRowsWithoutReset();
    void dropsTheOldestPastCapacity();
    void dropsTheOldestPastTheByteBudget();
    void showsControlBytesAndHex();
    void relativeTimes();
    void pauseDropsNewMessages();
    void clearEmptiesTheLog();
    void rowTextAndExports();
    void exportsHaveTheDate();
    void csvDefusesFormulas();
    void filterThroughAProxy();

private:
    static constexpr qint64 kT0 = 1'700'000'000'000; // a fixed instant, ms since the epoch
    using Direction = MessageLogModel::Direction;
};

void tst_MessageLogModel::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_MessageLogModel::appendsRowsWithoutReset()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.append(Direction::Sent, "hello", kT0);
    model.append(Direction::Received, "hello", kT0 + 5);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(MessageLogModel::ColumnCount));
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 1);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(
        model.index(0, MessageLogModel::DirectionColumn).data().toString(), QStringLiteral("sent"));
    QCOMPARE(model.index(1, MessageLogModel::DirectionColumn).data().toString(),
        QStringLiteral("received"));
    QCOMPARE(model.index(1, MessageLogModel::SizeColumn).data().toString(), QStringLiteral("5"));
    QCOMPARE(
        model.index(1, MessageLogModel::TextColumn).data().toString(), QStringLiteral("hello"));
    QCOMPARE(model.index(1, MessageLogModel::TextColumn).data(MessageLogModel::BytesRole),
        QVariant(QByteArray("hello")));
    QCOMPARE(model.rowCount(model.index(0, 0)), 0);
}

void tst_MessageLogModel::dropsTheOldestPastCapacity()
{
    MessageLogModel model(20);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    for (int i = 0; i < 25; ++i)
        model.append(Direction::Received, QByteArray::number(i), kT0 + i);
    QVERIFY(model.rowCount() <= 20);
    QVERIFY(removed.count() > 0);
    QCOMPARE(removed.at(0).at(1).toInt(), 0); // always from the top
    // The newest is last, and rows are in order without a gap.
    QCOMPARE(model.entry(model.rowCount() - 1).bytes, QByteArray("24"));
    const int first = model.entry(0).bytes.toInt();
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.entry(row).bytes.toInt(), first + row);
    QCOMPARE(first, 25 - model.rowCount());
}

void tst_MessageLogModel::dropsTheOldestPastTheByteBudget()
{
    MessageLogModel model(1000, 1000); // rows, bytes
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    const auto message = [](int i) { return QByteArray::number(i).rightJustified(100, '.'); };
    for (int i = 0; i < 30; ++i) {
        model.append(Direction::Received, message(i), kT0 + i);
        QVERIFY2(model.byteCount() <= 1000, qPrintable(QString::number(model.byteCount())));
        QCOMPARE(model.byteCount(), qint64(model.rowCount()) * 100);
    }
    QVERIFY(removed.count() > 0);
    QVERIFY(removed.count() < 30 - 10); // a few rows at a time, not one per message
    QCOMPARE(removed.at(0).at(1).toInt(), 0); // always from the top
    // The newest is last, and rows are in order without a gap.
    const int first = 30 - model.rowCount();
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.entry(row).bytes, message(first + row));

    // One message over the whole budget replaces everything; clear() gives the bytes back.
    model.append(Direction::Sent, QByteArray(1500, 'x'), kT0 + 100);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.byteCount(), 1500);
    model.append(Direction::Sent, "small", kT0 + 101);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.entry(0).bytes, QByteArray("small"));
    model.clear();
    QCOMPARE(model.byteCount(), 0);
}

void tst_MessageLogModel::showsControlBytesAndHex()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(Direction::Received, QByteArray("a\rb\0c\x1b", 6), kT0);
    const QModelIndex text = model.index(0, MessageLogModel::TextColumn);
    QCOMPARE(text.data().toString(), QStringLiteral("a\\rb\\0c\\x1b"));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setHexView(true);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(text.data().toString(), QStringLiteral("61 0d 62 00 63 1b"));
    QCOMPARE(model.headerData(MessageLogModel::TextColumn, Qt::Horizontal).toString(),
        QStringLiteral("Message (hex)"));
    model.setHexView(false);
    QCOMPARE(text.data().toString(), QStringLiteral("a\\rb\\0c\\x1b"));

    // A long message is shown cut, with its size; rowText() has it all.
    const QByteArray big(MessageLogModel::kShownBytes + 10, 'x');
    model.append(Direction::Sent, big, kT0);
    QVERIFY(model.index(1, MessageLogModel::TextColumn)
                .data()
                .toString()
                .endsWith(QStringLiteral("… (%1 bytes)").arg(big.size())));
    QVERIFY(model.rowText(1).endsWith(QString::fromLatin1(big)));
}

void tst_MessageLogModel::relativeTimes()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(Direction::Sent, "a", kT0);
    model.append(Direction::Received, "a", kT0 + 1234);
    QCOMPARE(model.index(1, MessageLogModel::TimeColumn).data().toString(),
        QDateTime::fromMSecsSinceEpoch(kT0 + 1234).toString(QStringLiteral("hh:mm:ss.zzz")));
    model.setTimeFormat(MessageLogModel::TimeFormat::Relative);
    QCOMPARE(
        model.index(0, MessageLogModel::TimeColumn).data().toString(), QStringLiteral("+0.000"));
    QCOMPARE(
        model.index(1, MessageLogModel::TimeColumn).data().toString(), QStringLiteral("+1.234"));
}

void tst_MessageLogModel::pauseDropsNewMessages()
{
    MessageLogModel model;
    model.append(Direction::Sent, "before", kT0);
    model.setPaused(true);
    model.append(Direction::Sent, "during", kT0);
    model.setPaused(false);
    model.append(Direction::Sent, "after", kT0);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.entry(1).bytes, QByteArray("after"));
}

void tst_MessageLogModel::clearEmptiesTheLog()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(Direction::Sent, "a", kT0);
    model.append(Direction::Sent, "b", kT0 + 10);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    // Relative times start again from the first message after clear().
    model.setTimeFormat(MessageLogModel::TimeFormat::Relative);
    model.append(Direction::Sent, "c", kT0 + 5000);
    QCOMPARE(
        model.index(0, MessageLogModel::TimeColumn).data().toString(), QStringLiteral("+0.000"));
}

void tst_MessageLogModel::rowTextAndExports()
{
    MessageLogModel model;
    model.setTimeFormat(MessageLogModel::TimeFormat::Relative);
    model.append(Direction::Sent, "ball27,red", kT0);
    model.append(Direction::Received, "say \"hi\"\r", kT0 + 500);
    QCOMPARE(model.rowText(0), QStringLiteral("+0.000\tsent\t10\tball27,red"));
    QCOMPARE(model.toText(),
        QStringLiteral("+0.000\tsent\t10\tball27,red\n+0.500\treceived\t9\tsay \"hi\"\\r\n"));
    // A leading + could start a formula in a spreadsheet: see csvDefusesFormulas().
    QCOMPARE(model.toCsv(),
        QStringLiteral("Time,Direction,Bytes,Message\r\n"
                       "'+0.000,sent,10,\"ball27,red\"\r\n"
                       "'+0.500,received,9,\"say \"\"hi\"\"\\r\"\r\n"));
}

void tst_MessageLogModel::exportsHaveTheDate()
{
    MessageLogModel model;
    model.append(Direction::Sent, "hello", kT0 + 7);
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(kT0 + 7);
    QCOMPARE(model.index(0, MessageLogModel::TimeColumn).data().toString(),
        time.toString(QStringLiteral("hh:mm:ss.zzz"))); // the table: the time of day only
    const QString stamp = time.toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"));
    QVERIFY(stamp.endsWith(QStringLiteral(".007")));
    QCOMPARE(model.rowText(0), stamp + QStringLiteral("\tsent\t5\thello"));
    QCOMPARE(model.toText(), stamp + QStringLiteral("\tsent\t5\thello\n"));
    QCOMPARE(model.toCsv(),
        QStringLiteral("Time,Direction,Bytes,Message\r\n") + stamp
            + QStringLiteral(",sent,5,hello\r\n"));
}

void tst_MessageLogModel::csvDefusesFormulas()
{
    MessageLogModel model;
    model.setTimeFormat(MessageLogModel::TimeFormat::Relative);
    for (const char *text : {"=1+1", "+1", "-1", "@SUM(A1)", "=HYPERLINK(\"x\",\"y\")", "a=b"})
        model.append(Direction::Received, text, kT0);
    const QStringList lines = model.toCsv().split(QStringLiteral("\r\n"));
    QCOMPARE(lines.value(1), QStringLiteral("'+0.000,received,4,'=1+1"));
    QCOMPARE(lines.value(2), QStringLiteral("'+0.000,received,2,'+1"));
    QCOMPARE(lines.value(3), QStringLiteral("'+0.000,received,2,'-1"));
    QCOMPARE(lines.value(4), QStringLiteral("'+0.000,received,8,'@SUM(A1)"));
    QCOMPARE(
        lines.value(5), QStringLiteral("'+0.000,received,19,\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""));
    QCOMPARE(lines.value(6), QStringLiteral("'+0.000,received,3,a=b"));
}

void tst_MessageLogModel::filterThroughAProxy()
{
    MessageLogModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setFilterKeyColumn(MessageLogModel::TextColumn);
    proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(Direction::Sent, "computer2:main:changecolor:ball27,red", kT0);
    model.append(Direction::Received, "computer1:ping", kT0);
    proxy.setFilterFixedString(QStringLiteral("BALL27"));
    QCOMPARE(proxy.rowCount(), 1);
    model.append(Direction::Received, "ball27 again", kT0);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setFilterFixedString(QString());
    QCOMPARE(proxy.rowCount(), 3);
}

QTEST_GUILESS_MAIN(tst_MessageLogModel)
#include "tst_messagelogmodel.moc"
