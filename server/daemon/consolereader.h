// ConsoleReader: the daemon's -c console. Reads the lines typed on standard input without
// blocking the event loop and hands each one on; stops quietly at the end of input (a closed
// or redirected stdin never makes it spin). Owned by main().
#pragma once

#include "framecodec.h"
#include "messagebatch.h"

#include <QObject>

class QSocketNotifier;

class ConsoleReader : public QObject
{
    Q_OBJECT

public:
    explicit ConsoleReader(QObject *parent = nullptr);

    /// Starts reading; false when there is no standard input to read.
    bool start();

signals:
    void lineRead(const QByteArray &line);
    /// Standard input has ended; no more lines will come.
    void finished();

private:
    void readAvailable();

    QSocketNotifier *m_notifier = nullptr;
    FrameCodec m_codec;
    MessageBatch m_batch;
};
