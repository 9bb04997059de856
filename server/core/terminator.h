// Terminator: how messages are delimited on the wire, as chosen by --eol / -e.
// A small value type shared by the codec, the sessions and the option parser.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

/// How one message ended, and so how a client wants its messages ended.
enum class LineEnding : quint8
{
    Lf, ///< "\n" (auto mode)
    CrLf, ///< "\r\n" (auto mode: telnet)
    Nul, ///< "\0" (auto mode: Flash/AIR)
    Exact, ///< the one configured terminator (exact mode)
    None, ///< no terminator: the client disconnected mid-message; or an MQTT message
    TextMessage, ///< no terminator needed: a WebSocket text message (valid UTF-8)
    BinaryMessage, ///< no terminator needed: a WebSocket binary message
};
inline constexpr int kLineEndingCount = 7;

/// The framing mode: `auto` (a message ends at LF, CRLF or NUL) or one exact byte sequence.
class Terminator
{
public:
    /// Auto mode, the default: a message ends at "\n", "\r\n" or "\0"; a lone "\r" is data.
    Terminator() = default;
    static Terminator autoDetect() { return Terminator(); }
    /// Every message ends with exactly @p bytes (must not be empty).
    static Terminator exact(const QByteArray &bytes);
    /// Parses auto, lf, crlf, cr, nul or decimal codes "0,14"; nullopt when invalid.
    static std::optional<Terminator> fromName(const QString &name);

    bool isAuto() const { return m_exact.isEmpty(); }
    const QByteArray &exactBytes() const { return m_exact; }
    /// The ending a client gets before it has spoken: LF in auto mode, else the exact one.
    LineEnding initialEnding() const { return isAuto() ? LineEnding::Lf : LineEnding::Exact; }
    /// The bytes to append to a message for a client that wants @p ending.
    QByteArrayView bytesFor(LineEnding ending) const;
    /// The name --eol accepts for this terminator ("auto", "crlf", "0,14", ...).
    QString name() const;

    friend bool operator==(const Terminator &a, const Terminator &b)
    {
        return a.m_exact == b.m_exact;
    }
    friend bool operator!=(const Terminator &a, const Terminator &b) { return !(a == b); }

private:
    QByteArray m_exact; // empty in auto mode
};
