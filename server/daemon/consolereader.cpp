#include "consolereader.h"

#include <QSocketNotifier>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace {
constexpr qsizetype kMaxLineBytes = 64 * 1024;
}

ConsoleReader::ConsoleReader(QObject *parent)
    : QObject(parent)
    , m_codec(Terminator::autoDetect(), kMaxLineBytes)
{ }

bool ConsoleReader::start()
{
    if (::fcntl(STDIN_FILENO, F_GETFD) == -1)
        return false; // stdin is closed
    m_notifier = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &ConsoleReader::readAvailable);
    return true;
}

void ConsoleReader::readAvailable()
{
    char buffer[4096];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    m_batch.clear();
    if (n > 0) {
        m_codec.feed(QByteArrayView(buffer, n), m_batch);
    } else { // end of input, or an error that will not go away
        m_notifier->setEnabled(false);
        m_codec.finish(m_batch);
    }
    for (qsizetype i = 0; i < m_batch.count(); ++i)
        emit lineRead(m_batch.payload(i).toByteArray());
    if (n <= 0)
        emit finished();
}
