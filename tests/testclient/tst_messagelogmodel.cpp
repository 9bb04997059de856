// MessageLogModel: the test client's message log: batched insertion, capacity and byte budget,
// display of control bytes and hex, export (CSV defused), filtering.
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
    void appendsABatchWithOneInsertion();
    void batchLargerThanTheCapacity();
    void batchLargerThanTheByteBudget();
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
    // Checks that the rows inserted and removed, as signalled, add up to the model's row count.
    struct RowCounter
    {
        explicit RowCounter(MessageLogModel &model);
        QSignalSpy inserted;
        QSignalSpy removed;
        int rows = 0;
        int signalledRows() const;
    };
    static QList<MessageLogModel::Entry> batch(int first, int count, int size = 0);
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
    model.append({{kT0, Direction::Sent, "hello"}});
    model.append({{kT0 + 5, Direction::Received, "hello"}});
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
        model.append({{kT0 + i, Direction::Received, QByteArray::number(i)}});
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

tst_MessageLogModel::RowCounter::RowCounter(MessageLogModel &model)
    : inserted(&model, &QAbstractItemModel::rowsInserted)
    , removed(&model, &QAbstractItemModel::rowsRemoved)
    , rows(model.rowCount())
{ }

int tst_MessageLogModel::RowCounter::signalledRows() const
{
    int count = rows;
    for (const QList<QVariant> &signal : inserted)
        count += signal.at(2).toInt() - signal.at(1).toInt() + 1;
    for (const QList<QVariant> &signal : removed) {
        if (signal.at(1).toInt() != 0) // always from the top
            return -1;
        count -= signal.at(2).toInt() + 1;
    }
    return count;
}

// Messages "first" to "first + count - 1", as numbers (padded with dots to size bytes).
QList<MessageLogModel::Entry> tst_MessageLogModel::batch(int first, int count, int size)
{
    QList<MessageLogModel::Entry> entries;
    for (int i = first; i < first + count; ++i)
        entries.append(
            {kT0 + i, Direction::Received, QByteArray::number(i).rightJustified(size, '.')});
    return entries;
}

void tst_MessageLogModel::appendsABatchWithOneInsertion()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    RowCounter counter(model);
    QVERIFY(counter.inserted.isValid());
    model.append(batch(0, 5));
    model.append({}); // nothing: no signal
    model.append(batch(5, 3));
    QCOMPARE(counter.inserted.count(), 2);
    QCOMPARE(counter.inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(counter.inserted.at(0).at(2).toInt(), 4);
    QCOMPARE(counter.inserted.at(1).at(1).toInt(), 5);
    QCOMPARE(counter.inserted.at(1).at(2).toInt(), 7);
    QCOMPARE(model.rowCount(), 8);
    for (int row = 0; row < 8; ++row)
        QCOMPARE(model.entry(row).bytes, QByteArray::number(row));
    QCOMPARE(model.byteCount(), 8);
    QCOMPARE(counter.signalledRows(), 8);
}

void tst_MessageLogModel::batchLargerThanTheCapacity()
{
    MessageLogModel model(20);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    RowCounter counter(model);
    model.append(batch(0, 15));
    model.append(batch(15, 50)); // alone more than the log holds: its newest 20 rows
    QCOMPARE(model.rowCount(), 20);
    for (int row = 0; row < 20; ++row)
        QCOMPARE(model.entry(row).bytes, QByteArray::number(45 + row));
    QCOMPARE(model.byteCount(), 20 * 2);
    QCOMPARE(counter.inserted.count(), 2);
    QCOMPARE(counter.removed.count(), 1); // the 15 older rows, at once
    QCOMPARE(counter.signalledRows(), model.rowCount());

    // Full, each batch drops the oldest rows; order stays without a gap.
    for (int i = 65; i < 100; i += 3) {
        model.append(batch(i, 3));
        QVERIFY(model.rowCount() <= 20);
        QCOMPARE(model.entry(model.rowCount() - 1).bytes, QByteArray::number(i + 2));
        const int first = model.entry(0).bytes.toInt();
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(model.entry(row).bytes.toInt(), first + row);
        QCOMPARE(counter.signalledRows(), model.rowCount());
    }
    // Relative times count from the first message of all, though it was dropped.
    model.setTimeFormat(MessageLogModel::TimeFormat::Relative);
    QCOMPARE(model.index(model.rowCount() - 1, MessageLogModel::TimeColumn).data().toString(),
        QStringLiteral("+0.100"));
}

void tst_MessageLogModel::batchLargerThanTheByteBudget()
{
    MessageLogModel model(1000, 1000); // rows, bytes
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    RowCounter counter(model);
    model.append(batch(0, 5, 100));
    model.append(batch(5, 30, 100)); // 3000 bytes: its newest 10 messages fit
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.byteCount(), 1000);
    for (int row = 0; row < 10; ++row)
        QCOMPARE(model.entry(row).bytes, QByteArray::number(25 + row).rightJustified(100, '.'));
    QCOMPARE(counter.signalledRows(), model.rowCount());

    // A batch whose newest message is alone over the budget: that one only.
    QList<MessageLogModel::Entry> entries = batch(35, 3, 100);
    entries.append({kT0 + 38, Direction::Sent, QByteArray(1500, 'x')});
    model.append(entries);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.byteCount(), 1500);
    QCOMPARE(model.entry(0).bytes, QByteArray(1500, 'x'));
    // One over the budget before the newest: the newest that fit, after it.
    entries = batch(40, 2, 100);
    entries.prepend({kT0 + 39, Direction::Sent, QByteArray(1500, 'y')});
    model.append(entries);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.byteCount(), 200);
    QCOMPARE(model.entry(0).bytes, QByteArray::number(40).rightJustified(100, '.'));
    QCOMPARE(counter.signalledRows(), model.rowCount());
}

void tst_MessageLogModel::dropsTheOldestPastTheByteBudget()
{
    MessageLogModel model(1000, 1000); // rows, bytes
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    const auto message = [](int i) { return QByteArray::number(i).rightJustified(100, '.'); };
    for (int i = 0; i < 30; ++i) {
        model.append({{kT0 + i, Direction::Received, message(i)}});
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
    model.append({{kT0 + 100, Direction::Sent, QByteArray(1500, 'x')}});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.byteCount(), 1500);
    model.append({{kT0 + 101, Direction::Sent, "small"}});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.entry(0).bytes, QByteArray("small"));
    model.clear();
    QCOMPARE(model.byteCount(), 0);
}

void tst_MessageLogModel::showsControlBytesAndHex()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append({{kT0, Direction::Received, QByteArray("a\rb\0c\x1b", 6)}});
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
    model.append({{kT0, Direction::Sent, big}});
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
    model.append({{kT0, Direction::Sent, "a"}});
    model.append({{kT0 + 1234, Direction::Received, "a"}});
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
    model.append({{kT0, Direction::Sent, "before"}});
    model.setPaused(true);
    model.append({{kT0, Direction::Sent, "during"}});
    model.setPaused(false);
    model.append({{kT0, Direction::Sent, "after"}});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.entry(1).bytes, QByteArray("after"));
}

void tst_MessageLogModel::clearEmptiesTheLog()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append({{kT0, Direction::Sent, "a"}});
    model.append({{kT0 + 10, Direction::Sent, "b"}});
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    // Relative times start again from the first message after clear().
    model.setTimeFormat(MessageLogModel::TimeFormat::Relative);
    model.append({{kT0 + 5000, Direction::Sent, "c"}});
    QCOMPARE(
        model.index(0, MessageLogModel::TimeColumn).data().toString(), QStringLiteral("+0.000"));
}

void tst_MessageLogModel::rowTextAndExports()
{
    MessageLogModel model;
    model.setTimeFormat(MessageLogModel::TimeFormat::Relative);
    model.append({{kT0, Direction::Sent, "ball27,red"}});
    model.append({{kT0 + 500, Direction::Received, "say \"hi\"\r"}});
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
    model.append({{kT0 + 7, Direction::Sent, "hello"}});
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
        model.append({{kT0, Direction::Received, text}});
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
    model.append({{kT0, Direction::Sent, "computer2:main:changecolor:ball27,red"}});
    model.append({{kT0, Direction::Received, "computer1:ping"}});
    proxy.setFilterFixedString(QStringLiteral("BALL27"));
    QCOMPARE(proxy.rowCount(), 1);
    model.append({{kT0, Direction::Received, "ball27 again"}});
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setFilterFixedString(QString());
    QCOMPARE(proxy.rowCount(), 3);
}

QTEST_GUILESS_MAIN(tst_MessageLogModel)
#include "tst_messagelogmodel.moc"
