#include "rotatinglog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

RotatingLog::RotatingLog(const QString &path, qint64 maxBytes)
    : m_path(path)
    , m_maxBytes(maxBytes)
{ }

namespace {

// Marks the log busy while it works on its file.
class Busy
{
public:
    explicit Busy(bool &busy)
        : m_busy(busy)
    {
        m_busy = true;
    }
    ~Busy() { m_busy = false; }
    Busy(const Busy &) = delete;
    Busy &operator=(const Busy &) = delete;

private:
    bool &m_busy;
};

} // namespace

bool RotatingLog::open()
{
    QMutexLocker lock(&m_mutex);
    const Busy busy(m_busy);
    m_failed = !openFile();
    return !m_failed;
}

bool RotatingLog::reopen()
{
    QMutexLocker lock(&m_mutex);
    const Busy busy(m_busy);
    m_file.close();
    if (openFile()) {
        m_failed = false;
        return true;
    }
    fail(m_error);
    return false;
}

bool RotatingLog::write(QByteArrayView bytes)
{
    QMutexLocker lock(&m_mutex);
    if (m_busy) { // a line logged by the work on the file itself
        std::fwrite(bytes.data(), 1, size_t(bytes.size()), stderr);
        return false;
    }
    const Busy busy(m_busy);
    if (m_failed) {
        if (m_failedAt.elapsed() < m_retryMs)
            return false;
        m_file.close();
        if (!openFile()) {
            m_failedAt.start();
            return false;
        }
        m_failed = false;
    }
    if (!m_file.isOpen())
        return false;
    // A device (/dev/stderr) has no size to keep small, and cannot be renamed.
    if (m_maxBytes > 0 && m_size > 0 && m_size + bytes.size() > m_maxBytes && !m_file.isSequential()
        && !rotate()) {
        fail(m_error);
        return false;
    }
    const qint64 written = m_file.write(bytes.data(), bytes.size());
    if (written > 0)
        m_size += written;
    if (written != bytes.size()) {
        fail(QStringLiteral("cannot write the log file %1: %2")
                 .arg(QDir::toNativeSeparators(m_path), m_file.errorString()));
        return false;
    }
    return true;
}

bool RotatingLog::isWriting() const
{
    QMutexLocker lock(&m_mutex);
    return m_file.isOpen() && !m_failed;
}

QString RotatingLog::errorString() const
{
    QMutexLocker lock(&m_mutex);
    return m_error;
}

QString RotatingLog::oldFile(int n) const
{
    return m_path + u'.' + QString::number(n);
}

// Opens m_path to append to, unbuffered: each write() is one system call. A device
// (/dev/stderr) is written as it is: it has no end to append at.
bool RotatingLog::openFile()
{
    const QFileInfo info(m_path);
    QIODevice::OpenMode mode = QIODevice::WriteOnly | QIODevice::Unbuffered;
    if (info.isFile() || !info.exists())
        mode |= QIODevice::Append;
    m_file.setFileName(m_path);
    if (!m_file.open(mode)) {
        m_error = QStringLiteral("cannot open the log file %1: %2")
                      .arg(QDir::toNativeSeparators(m_path), m_file.errorString());
        return false;
    }
    m_size = m_file.size();
    return true;
}

// PATH.4 -> PATH.5, ..., PATH -> PATH.1 (the oldest dropped), then a new, empty PATH.
bool RotatingLog::rotate()
{
    m_file.close();
    QFile::remove(oldFile(kOldFiles));
    for (int n = kOldFiles - 1; n >= 1; --n) {
        if (QFile::exists(oldFile(n)))
            QFile::rename(oldFile(n), oldFile(n + 1));
    }
    // Only this rename matters: when an old file above is stuck, this one fails too.
    QFile current(m_path);
    if (!current.rename(oldFile(1))) {
        m_error = QStringLiteral("cannot rotate the log file %1 (rename it to %2): %3")
                      .arg(QDir::toNativeSeparators(m_path), QDir::toNativeSeparators(oldFile(1)),
                          current.errorString());
        return false;
    }
    return openFile();
}

// Stops writing until the retry or reopen(); says why on stderr, once (the log itself cannot).
void RotatingLog::fail(const QString &error)
{
    m_error = error;
    m_failedAt.start();
    if (m_failed)
        return;
    m_failed = true;
    std::fprintf(stderr, "%s: %s; trying again once a minute\n",
        qUtf8Printable(QCoreApplication::applicationName()), qUtf8Printable(error));
    std::fflush(stderr);
}
