// RotatingLog: a log file that keeps itself small, for the daemon's --log-file and the panel's
// log. Each write goes to the file at once (nothing waits in a buffer when the power goes).
// Past maxBytes the file becomes PATH.1, PATH.1 becomes PATH.2 and so on; kOldFiles old files
// are kept, the oldest is dropped. reopen() starts a new PATH after logrotate moved the file
// away (SIGHUP). A file that cannot be written (disk full, folder gone) is reported once on
// stderr, and write() returns false for its lines (the caller may put them elsewhere) until the
// file can be opened again: tried at the next write a minute later, or at reopen(). Nothing
// else is held up by it.
#pragma once

#include <QByteArrayView>
#include <QElapsedTimer>
#include <QFile>
#include <QMutex>
#include <QString>

class RotatingLog
{
public:
    static constexpr qint64 kDefaultMaxBytes = 10 * 1024 * 1024;
    static constexpr int kOldFiles = 5; ///< PATH.1 (the newest) to PATH.5
    static constexpr int kRetryMs = 60 * 1000; ///< after a failure, how often opening is tried

    /// A log at @p path, rotated when a write would take it past @p maxBytes (0: never
    /// rotated, for a log that logrotate rotates). Nothing is opened yet.
    explicit RotatingLog(const QString &path, qint64 maxBytes = kDefaultMaxBytes);

    /// Opens (creates) the file to append to; false with errorString() when it cannot (not
    /// reported: the caller says it, e.g. by refusing to start).
    bool open();
    /// Closes the file and opens PATH again (a new file when it was moved away); after a
    /// failure this is when writing is tried again. False when it cannot (reported on stderr).
    bool reopen();
    /// Appends @p bytes (whole lines, ending in a newline), first rotating the file when they
    /// would take it past maxBytes. False when they were not written: the first such failure
    /// is reported on stderr, later ones are silent until the file works again.
    bool write(QByteArrayView bytes);
    /// For tests: how long after a failure the file is opened again (kRetryMs by default).
    void setRetryMs(int ms) { m_retryMs = ms; }

    /// True while lines are written (open, and no failure since).
    bool isWriting() const;
    /// What went wrong last, in one sentence naming the file.
    QString errorString() const;
    QString path() const { return m_path; }
    /// PATH.n, the n-th old file (1 the newest).
    QString oldFile(int n) const;

private:
    bool openFile();
    bool rotate();
    void fail(const QString &error);

    const QString m_path;
    const qint64 m_maxBytes;
    // Qt may log from any thread, and from inside QFile (a warning while it opens the file):
    // that line, on the thread that holds the mutex already, goes to stderr (m_busy).
    mutable QRecursiveMutex m_mutex;
    bool m_busy = false;
    QFile m_file;
    qint64 m_size = 0; // bytes in the file now
    bool m_failed = false; // a failure was reported; writing waits for the retry or reopen()
    QElapsedTimer m_failedAt; // since the last failure (or failed retry)
    int m_retryMs = kRetryMs;
    QString m_error;
};
