// FrameCodec: splits one client's byte stream into messages. Pure code, no QObject; one per
// ClientSession (and one for the daemon's console). Fuzzed.
//
// The wire format
// ---------------
// A message is any sequence of bytes followed by a terminator. Nothing else is on the wire:
// no length prefix, no escaping, no encoding (bytes are relayed as they are, UTF-8 or not).
//
//  - auto mode (the default): a message ends at "\n", "\r\n" or "\0", whichever comes first.
//    A "\r" not followed by "\n" is data. The ending found is reported with each message so
//    that the relay can answer each client the way it writes.
//  - exact mode (-e / --eol): a message ends at one configured byte sequence, e.g. "\0\x0e";
//    every other byte, including "\n" and "\0", is data.
//
// A message longer than the maximum size is discarded up to its terminator and counted in
// droppedMessages(); the codec never holds more than about the maximum size for one client.
// Bytes left without a terminator when the client goes away are taken with takeUnterminated().
#pragma once

#include "messagebatch.h"
#include "terminator.h"

#include <QByteArray>

class FrameCodec
{
public:
    FrameCodec(const Terminator &terminator, qsizetype maxMessageBytes);

    /// Splits @p bytes, which may end mid-message, and appends every complete message to @p out.
    void feed(QByteArrayView bytes, MessageBatch &out);
    /// Returns and forgets the bytes received since the last terminator (empty, and counted
    /// as dropped, when they are more than the maximum size).
    QByteArray takeUnterminated();
    /// End of input: appends the unterminated bytes, if any, to @p out as a last message ended
    /// by LineEnding::None (nothing is lost when a client leaves mid-message).
    void finish(MessageBatch &out);
    /// Splits one whole UDP datagram, independent of what came before: appends each non-empty
    /// line of it to @p out, the last one even without a terminator (LineEnding::None).
    /// Lines over the maximum size are dropped and counted. Holds nothing back.
    void splitDatagram(QByteArrayView datagram, MessageBatch &out);
    const Terminator &terminator() const { return m_terminator; }
    qsizetype maxMessageBytes() const { return m_maxMessageBytes; }
    /// Bytes held for an unfinished message.
    qsizetype pendingBytes() const { return m_pending.size(); }
    /// Messages discarded so far for being longer than the maximum size.
    qint64 droppedMessages() const { return m_droppedMessages; }

private:
    struct Match
    {
        qsizetype at = -1; // index of the terminator's first byte, -1 when none was found
        qsizetype length = 0;
        LineEnding ending = LineEnding::None;
    };
    Match findTerminator(QByteArrayView data, qsizetype from) const;
    qsizetype split(
        QByteArrayView data, qsizetype scanFrom, MessageBatch &out, bool keepEmpty = true);
    void limitPending();

    Terminator m_terminator;
    qsizetype m_maxMessageBytes;
    // How many trailing bytes of an unfinished message may still turn out to be part of a
    // terminator: the CR of a CRLF, or all but one byte of a multi-byte exact terminator.
    qsizetype m_terminatorSlack;
    QByteArray m_pending; // the unfinished message
    bool m_discarding = false; // an oversize message is being skipped up to its terminator
    qint64 m_droppedMessages = 0;
};
