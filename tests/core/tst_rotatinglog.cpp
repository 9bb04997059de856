// RotatingLog on real files in a temporary folder: rotation by size, five old files, reopening
// after logrotate moved the file, and failures (folder gone, disk full) that stop nothing.
#include "rotatinglog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace {

// A line of n bytes, the newline included.
QByteArray line(int n, char fill = 'x')
{
    return QByteArray(n - 1, fill) + '\n';
}

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(missing)");
}

// The sizes of PATH, PATH.1 ... PATH.6, -1 for a file that is not there.
QList<qint64> sizes(const RotatingLog &log)
{
    QList<qint64> result = {QFileInfo::exists(log.path()) ? QFileInfo(log.path()).size() : -1};
    for (int n = 1; n <= RotatingLog::kOldFiles + 1; ++n) {
        const QFileInfo old(log.oldFile(n));
        result.append(old.exists() ? old.size() : -1);
    }
    return result;
}

#ifdef Q_OS_UNIX
// What the code under test writes to stderr while it lives (fd 2 goes to a temporary file).
class StderrCapture
{
public:
    StderrCapture()
    {
        std::fflush(stderr);
        m_file.open();
        m_saved = ::dup(STDERR_FILENO);
        ::dup2(m_file.handle(), STDERR_FILENO);
    }
    ~StderrCapture() { restore(); }

    QByteArray text()
    {
        restore();
        m_file.seek(0);
        return m_file.readAll();
    }

private:
    void restore()
    {
        if (m_saved < 0)
            return;
        std::fflush(stderr);
        ::dup2(m_saved, STDERR_FILENO);
        ::close(m_saved);
        m_saved = -1;
    }

    QTemporaryFile m_file;
    int m_saved = -1;
};
#endif

} // namespace

class tst_RotatingLog : public QObject
{
    Q_OBJECT

private slots:
    void rotation_data();
    void rotation();
    void fiveOldFilesInOrder();
    void appendsToAnExistingFile();
    void reopenAfterTheFileWasMoved();
    void cannotOpen();
    void folderGoneAndBack();
    void writingResumesWithoutReopen();
    void diskFullReportedOnce();
    void lineLoggedWhileOpeningGoesToStderr();
};

void tst_RotatingLog::rotation_data()
{
    QTest::addColumn<qint64>("maxBytes");
    QTest::addColumn<QList<int>>("lines"); // their sizes, written in this order
    QTest::addColumn<QList<qint64>>("expected"); // sizes(): PATH, PATH.1 ... PATH.6

    const qint64 no = -1;
    QTest::newRow("under the limit")
        << qint64(100) << QList<int>{40, 40} << QList<qint64>{80, no, no, no, no, no, no};
    QTest::newRow("exactly the limit")
        << qint64(100) << QList<int>{50, 50} << QList<qint64>{100, no, no, no, no, no, no};
    QTest::newRow("one byte over: the line starts a new file")
        << qint64(100) << QList<int>{50, 50, 1} << QList<qint64>{1, 100, no, no, no, no, no};
    QTest::newRow("a line longer than the limit, alone in its file")
        << qint64(100) << QList<int>{10, 250, 10} << QList<qint64>{10, 250, 10, no, no, no, no};
    QTest::newRow("a line longer than the limit, first")
        << qint64(100) << QList<int>{250} << QList<qint64>{250, no, no, no, no, no, no};
    QTest::newRow("two rotations")
        << qint64(100) << QList<int>{60, 60, 60} << QList<qint64>{60, 60, 60, no, no, no, no};
    QTest::newRow("five old files, the sixth dropped") << qint64(
        100) << QList<int>{91, 92, 93, 94, 95, 96, 97} << QList<qint64>{97, 96, 95, 94, 93, 92, no};
    QTest::newRow("0: never rotated")
        << qint64(0) << QList<int>{500, 500, 500} << QList<qint64>{1500, no, no, no, no, no, no};
}

void tst_RotatingLog::rotation()
{
    QFETCH(qint64, maxBytes);
    QFETCH(QList<int>, lines);
    QFETCH(QList<qint64>, expected);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    RotatingLog log(dir.filePath(QStringLiteral("relay.log")), maxBytes);
    QVERIFY2(log.open(), qPrintable(log.errorString()));
    for (int size : std::as_const(lines))
        QVERIFY(log.write(line(size)));
    QCOMPARE(sizes(log), expected);
    QVERIFY(log.isWriting());
}

// The newest lines in PATH, older ones in PATH.1 to PATH.5, the oldest dropped.
void tst_RotatingLog::fiveOldFilesInOrder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    RotatingLog log(dir.filePath(QStringLiteral("relay.log")), 64 * 1024);
    QVERIFY(log.open());
    // 1,000 lines of 1 KiB: 64 to a file (the 65th would pass 64 KiB), 16 files' worth.
    for (int i = 0; i < 1000; ++i)
        QVERIFY(log.write(QByteArray::number(i).leftJustified(1023, ' ') + '\n'));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1 + RotatingLog::kOldFiles);
    QByteArray all;
    for (int n = RotatingLog::kOldFiles; n >= 1; --n) {
        QCOMPARE(QFileInfo(log.oldFile(n)).size(), 64 * 1024);
        all += contents(log.oldFile(n));
    }
    all += contents(log.path());
    const QList<QByteArray> kept = all.split('\n');
    const int count = 5 * 64 + 1000 % 64; // 40 lines in PATH
    QCOMPARE(kept.size(), count + 1); // and nothing after the last newline
    for (int k = 0; k < count; ++k)
        QCOMPARE(kept.at(k).trimmed().toInt(), 1000 - count + k);
}

void tst_RotatingLog::appendsToAnExistingFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("relay.log"));
    {
        RotatingLog first(path, 100);
        QVERIFY(first.open());
        QVERIFY(first.write(line(70, 'a')));
    }
    RotatingLog second(path, 100); // a restarted relay: what is there counts
    QVERIFY(second.open());
    QVERIFY(second.write(line(20, 'b')));
    QCOMPARE(contents(path), line(70, 'a') + line(20, 'b'));
    QVERIFY(second.write(line(20, 'c')));
    QCOMPARE(contents(path), line(20, 'c'));
    QCOMPARE(contents(second.oldFile(1)), line(70, 'a') + line(20, 'b'));
}

// logrotate renames the file, then sends SIGHUP: reopen() starts a new file at the path.
void tst_RotatingLog::reopenAfterTheFileWasMoved()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("relay.log"));
    RotatingLog log(path);
    QVERIFY(log.open());
    QVERIFY(log.write("before\n"));
    const QString moved = dir.filePath(QStringLiteral("relay.log-20240501"));
    QVERIFY(QFile::rename(path, moved));
#ifndef Q_OS_WIN // an open file cannot be renamed there
    QVERIFY(log.write("between\n")); // still the open file, now under its new name
#endif
    QVERIFY(log.reopen());
    QVERIFY(log.write("after\n"));
    QCOMPARE(contents(path), QByteArray("after\n"));
    QVERIFY(contents(moved).startsWith("before\n"));
}

void tst_RotatingLog::cannotOpen()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("missing/relay.log"));
    RotatingLog log(path);
    QVERIFY(!log.open());
    QVERIFY(!log.isWriting());
    QCOMPARE(log.errorString(),
        QStringLiteral("cannot open the log file %1: No such file or directory")
            .arg(QDir::toNativeSeparators(path)));
    QVERIFY(!log.write("lost\n"));
    QVERIFY(!QFileInfo::exists(path));
}

// The folder is removed under the running relay, then made again: reopen() picks it up.
void tst_RotatingLog::folderGoneAndBack()
{
#ifdef Q_OS_WIN
    QSKIP("A folder with an open file cannot be removed on Windows");
#else
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString folder = dir.filePath(QStringLiteral("logs"));
    QVERIFY(QDir().mkpath(folder));
    const QString path = folder + QStringLiteral("/relay.log");
    RotatingLog log(path);
    QVERIFY(log.open());
    QVERIFY(log.write("one\n"));
    QVERIFY(QDir(folder).removeRecursively());

    StderrCapture stderrText;
    QVERIFY(!log.reopen());
    QVERIFY(!log.isWriting());
    QVERIFY(!log.write("lost\n"));
    QVERIFY(!log.reopen()); // still gone: reported once
    const QByteArray reported = stderrText.text();
    QCOMPARE(reported.count('\n'), 1);
    QVERIFY2(reported.contains("cannot open the log file " + path.toUtf8()
                 + ": No such file or directory; trying again once a minute"),
        reported.constData());

    QVERIFY(QDir().mkpath(folder));
    QVERIFY(log.reopen());
    QVERIFY(log.isWriting());
    QVERIFY(log.write("two\n"));
    QCOMPARE(contents(path), QByteArray("two\n"));
#endif
}

// Nobody sends SIGHUP after a disk was full or a folder gone for a while: a write a retry
// interval after the failure opens the file again by itself.
void tst_RotatingLog::writingResumesWithoutReopen()
{
#ifdef Q_OS_WIN
    QSKIP("A folder with an open file cannot be removed on Windows");
#else
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString folder = dir.filePath(QStringLiteral("logs"));
    QVERIFY(QDir().mkpath(folder));
    const QString path = folder + QStringLiteral("/relay.log");
    RotatingLog log(path, 20); // every second line rotates: the folder is needed again
    QVERIFY(log.open());
    QVERIFY(log.write("one\n"));
    QVERIFY(QDir(folder).removeRecursively());

    StderrCapture stderrText;
    QVERIFY(!log.write("lost, rotating into a folder that is gone\n"));
    QVERIFY(!log.write("lost, within the retry interval\n"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(!log.write("lost, still within the retry interval\n"));
    log.setRetryMs(0);
    QVERIFY(log.write("two\n"));
    QVERIFY(log.isWriting());
    QCOMPARE(contents(path), QByteArray("two\n"));
    QCOMPARE(stderrText.text().count('\n'), 1);
#endif
}

// /dev/full fails every write as a full disk does: one report, no crash, and reopen() is
// tried again (and fails again, silently).
void tst_RotatingLog::diskFullReportedOnce()
{
#ifndef Q_OS_LINUX
    QSKIP("/dev/full (a device that is always full) is Linux's");
#else
    RotatingLog log(QStringLiteral("/dev/full"), 100);
    QVERIFY(log.open());
    StderrCapture stderrText;
    for (int i = 0; i < 10; ++i)
        QVERIFY(!log.write(line(60)));
    QVERIFY(log.reopen()); // it opens, ...
    QVERIFY(!log.write(line(60))); // ... and it is full again
    QVERIFY(!log.isWriting());
    const QByteArray reported = stderrText.text();
    QCOMPARE(reported.count('\n'), 2); // once before the reopen, once after
    QVERIFY2(reported.contains(
                 "cannot write the log file /dev/full: No space left on device; trying again "
                 "once a minute\n"),
        reported.constData());
    QVERIFY(log.errorString().contains(QStringLiteral("No space left on device")));
#endif
}

// The log is the message handler, and Qt warns from inside QFile while the log opens it: that
// line goes to stderr instead of waiting for the log (which would wait forever).
void tst_RotatingLog::lineLoggedWhileOpeningGoesToStderr()
{
#ifndef Q_OS_UNIX
    QSKIP("stderr is captured with dup2()");
#else
    static RotatingLog *s_log = nullptr;
    RotatingLog log{QString()}; // Qt warns that the file has no name
    s_log = &log;
    const QtMessageHandler previous
        = qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &message) {
              s_log->write(message.toUtf8() + '\n');
          });
    StderrCapture stderrText;
    const bool opened = log.open();
    const QByteArray reported = stderrText.text();
    qInstallMessageHandler(previous);
    QVERIFY(!opened);
    QVERIFY2(reported.contains("No file name specified\n"), reported.constData());
#endif
}

QTEST_GUILESS_MAIN(tst_RotatingLog)
#include "tst_rotatinglog.moc"
