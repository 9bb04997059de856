// The relay's WebSocket port on the wire, byte by byte, against RFC 6455. A raw client on a
// QTcpSocket (no QWebSocket) does the HTTP upgrade and builds its frames itself, so that it can
// send what a browser never would (unmasked frames, reserved bits, split headers, bad UTF-8,
// writes cut at any byte) and see exactly what the relay sends back: each frame's FIN, opcode,
// mask, length encoding and payload, and when the TCP connection closed.
#include "byteescape.h"
#include "clientinfo.h"
#include "relayfixture.h"
#include "relayserver.h"
#include "tcpstate.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QtEndian>

#include <optional>

namespace {

// Opcodes (RFC 6455 section 5.2).
constexpr quint8 kContinuation = 0x0;
constexpr quint8 kText = 0x1;
constexpr quint8 kBinary = 0x2;
constexpr quint8 kClose = 0x8;
constexpr quint8 kPing = 0x9;
constexpr quint8 kPong = 0xA;

// Close codes (section 7.4.1).
constexpr int kNormalClosure = 1000;
constexpr int kGoingAway = 1001;
constexpr int kProtocolError = 1002;
constexpr int kNoStatusReceived = 1005; // what a Close frame without a payload stands for
constexpr int kInvalidPayload = 1007;
constexpr int kMessageTooBig = 1009;

// RSV bits, as they sit in a frame's first byte.
constexpr quint8 kRsv1 = 0x40;
constexpr quint8 kRsv2 = 0x20;
constexpr quint8 kRsv3 = 0x10;

constexpr int kWaitMs = 5000;

// The smallest length encoding a payload of @p size allows: 7, 16 or 64 bits (section 5.2).
int minimalLengthBits(quint64 size)
{
    return size <= 125 ? 7 : size <= 0xFFFF ? 16 : 64;
}

// Sec-WebSocket-Accept for @p key (section 4.2.2).
QByteArray acceptFor(const QByteArray &key)
{
    return QCryptographicHash::hash(
        key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1)
        .toBase64();
}

// A Close frame's payload: the code, big-endian, then the reason (section 5.5.1).
QByteArray closePayload(quint16 code, const QByteArray &reason = {})
{
    QByteArray payload(2, '\0');
    qToBigEndian(code, payload.data());
    return payload + reason;
}

QByteArray pattern(qsizetype size, bool text)
{
    QByteArray bytes(size, '\0');
    for (qsizetype i = 0; i < size; ++i) // binary: from 0xFF down, so never valid UTF-8
        bytes[i] = text ? char('a' + i % 26) : char(0xFF - i % 256);
    return bytes;
}

// A frame as a client sends it, built byte by byte. By default final, masked (with a fixed
// key), no RSV bits, the minimal length encoding.
class ClientFrame
{
public:
    explicit ClientFrame(quint8 opcode, const QByteArray &payload = {})
        : m_opcode(opcode)
        , m_payload(payload)
    { }

    ClientFrame &notFinal()
    {
        m_fin = false;
        return *this;
    }
    ClientFrame &withRsv(quint8 bits)
    {
        m_rsv = bits;
        return *this;
    }
    ClientFrame &unmasked()
    {
        m_masked = false;
        return *this;
    }
    /// The length in 7, 16 or 64 bits, minimal or not.
    ClientFrame &withLengthBits(int bits)
    {
        m_lengthBits = bits;
        return *this;
    }
    /// A length field that says @p length, whatever the payload's size.
    ClientFrame &withLengthField(quint64 length)
    {
        m_lengthField = length;
        return *this;
    }

    QByteArray bytes() const
    {
        QByteArray out;
        out.append(char((m_fin ? 0x80 : 0) | m_rsv | m_opcode));
        const quint8 maskBit = m_masked ? 0x80 : 0;
        const quint64 length = m_lengthField.value_or(quint64(m_payload.size()));
        const int bits = m_lengthBits != 0 ? m_lengthBits : minimalLengthBits(length);
        if (bits == 7) {
            out.append(char(maskBit | length));
        } else if (bits == 16) {
            out.append(char(maskBit | 126));
            for (int shift = 8; shift >= 0; shift -= 8)
                out.append(char(length >> shift));
        } else {
            out.append(char(maskBit | 127));
            for (int shift = 56; shift >= 0; shift -= 8)
                out.append(char(length >> shift));
        }
        if (!m_masked)
            return out + m_payload;
        static constexpr char kKey[4] = {'\x37', '\xfa', '\x21', '\x3d'};
        out.append(kKey, 4);
        for (qsizetype i = 0; i < m_payload.size(); ++i)
            out.append(char(m_payload.at(i) ^ kKey[i % 4]));
        return out;
    }

private:
    quint8 m_opcode;
    QByteArray m_payload;
    bool m_fin = true;
    quint8 m_rsv = 0;
    bool m_masked = true;
    int m_lengthBits = 0; // 0: minimal
    std::optional<quint64> m_lengthField;
};

// A frame as the relay sent it.
struct ServerFrame
{
    bool fin = false;
    quint8 rsv = 0;
    quint8 opcode = 0;
    bool masked = false;
    int lengthBits = 0; ///< the length encoding used: 7, 16 or 64
    QByteArray payload; ///< unmasked

    /// A Close frame's status code; kNoStatusReceived when its payload is empty.
    int closeCode() const
    {
        return payload.size() < 2 ? kNoStatusReceived : qFromBigEndian<quint16>(payload.data());
    }
    QByteArray closeReason() const { return payload.mid(2); }
};

// A data message as the relay sent it, reassembled from its frames.
struct ServerMessage
{
    quint8 opcode = 0; ///< kText or kBinary
    QByteArray payload;
};

// The test's raw WebSocket client: speaks RFC 6455 itself over a QTcpSocket and records
// everything the relay sends back.
class RawWebSocket
{
public:
    RawWebSocket()
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] { takeInput(); });
        QObject::connect(&m_socket, &QAbstractSocket::stateChanged, &m_socket,
            [this](QAbstractSocket::SocketState state) {
                if (state != QAbstractSocket::UnconnectedState || m_disconnected)
                    return;
                if (m_socket.isOpen())
                    takeInput();
                m_disconnected = true;
                m_framesBeforeDisconnect = m_frames.size();
            });
    }

    ~RawWebSocket() { QObject::disconnect(&m_socket, nullptr, nullptr, nullptr); }
    Q_DISABLE_COPY_MOVE(RawWebSocket)

    // --- Connecting ---

    /// Only the TCP connection, for tests that send their own HTTP request.
    bool connectTo(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        if (!m_socket.waitForConnected(kWaitMs)) {
            m_error = QStringLiteral("no TCP connection: ") + m_socket.errorString();
            return false;
        }
        m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1); // a write, a segment
        m_localPort = m_socket.localPort();
        return true;
    }

    /// The opening handshake as a client does it (section 4.1): false, with the reason in
    /// errorString(), unless the relay answered 101 with the right Sec-WebSocket-Accept.
    bool open(quint16 port)
    {
        if (!connectTo(port))
            return false;
        const QByteArray key = newKey();
        sendRaw(upgradeRequest(key));
        return waitForUpgrade(key);
    }

    static QByteArray newKey()
    {
        quint32 nonce[4];
        QRandomGenerator::global()->fillRange(nonce);
        return QByteArray(reinterpret_cast<const char *>(nonce), sizeof nonce).toBase64();
    }

    static QByteArray upgradeRequest(const QByteArray &key)
    {
        return "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: "
            + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    /// Waits for the response to the request sent with @p key and checks it is an upgrade.
    bool waitForUpgrade(const QByteArray &key)
    {
        if (!waitForResponseHead()) {
            m_error = QStringLiteral("no HTTP response; ") + summary();
            return false;
        }
        if (statusCode() != 101 || responseHeader("upgrade").toLower() != "websocket"
            || !responseTokens("connection").contains("upgrade")
            || responseHeader("sec-websocket-accept") != acceptFor(key)) {
            m_error = QStringLiteral("not an upgrade (the accept key should be %1): %2")
                          .arg(QString::fromLatin1(acceptFor(key)),
                              ByteEscape::toDisplay(m_responseHead));
            return false;
        }
        return true;
    }

    QString errorString() const { return m_error; }
    void setErrorString(const QString &error) { m_error = error; }
    /// The client's port, as the relay's ClientInfo has it (kept after the connection closed).
    quint16 localPort() const { return m_localPort; }

    // --- Sending ---

    /// Stops taking data, as a frozen page does: Qt holds one byte, then the system's buffers
    /// fill up and the relay's output for this client backs up.
    void stopReading()
    {
        QObject::disconnect(&m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
        m_socket.setReadBufferSize(1);
    }
    const QTcpSocket &socket() const { return m_socket; }

    /// @p bytes in one write (nothing once the connection is gone).
    void sendRaw(const QByteArray &bytes)
    {
        if (m_socket.state() != QAbstractSocket::ConnectedState)
            return;
        m_socket.write(bytes);
        m_socket.flush();
    }
    void send(const ClientFrame &frame) { sendRaw(frame.bytes()); }

    /// @p bytes in several writes, cut before each offset in @p cuts; the relay (in this
    /// process) gets to read each piece before the next is written.
    void sendInPieces(const QByteArray &bytes, const QList<qsizetype> &cuts)
    {
        qsizetype from = 0;
        for (const qsizetype cut : cuts) {
            sendRaw(bytes.mid(from, cut - from));
            from = cut;
            letTheRelayRead();
        }
        sendRaw(bytes.mid(from));
    }
    /// Every frame in @p frames in a write of its own.
    void sendEach(const QByteArrayList &frames)
    {
        for (const QByteArray &frame : frames) {
            sendRaw(frame);
            letTheRelayRead();
        }
    }
    /// @p bytes one byte per write.
    void sendBytewise(const QByteArray &bytes)
    {
        for (const char byte : bytes) {
            sendRaw(QByteArray(1, byte));
            letTheRelayRead();
        }
    }

    // --- What came back ---

    bool hasResponseHead() const { return m_headDone; }
    bool waitForResponseHead()
    {
        return QTest::qWaitFor([this] { return m_headDone || m_disconnected; }, kWaitMs)
            && m_headDone;
    }
    QByteArray responseHead() const { return m_responseHead; }
    /// The HTTP status; 0 before a response (or when none came).
    int statusCode() const
    {
        const QList<QByteArray> status
            = m_responseHead.left(m_responseHead.indexOf('\r')).split(' ');
        return status.size() >= 2 ? status.at(1).toInt() : 0;
    }
    /// The value of the header @p name (lower case), matched case-insensitively.
    QByteArray responseHeader(const QByteArray &name) const
    {
        const QList<QByteArray> lines = m_responseHead.split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray &line = lines.at(i);
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().toLower() == name)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }

    /// The comma-separated tokens of the header @p name, trimmed and in lower case.
    QList<QByteArray> responseTokens(const QByteArray &name) const
    {
        QList<QByteArray> tokens = responseHeader(name).toLower().split(',');
        for (QByteArray &token : tokens)
            token = token.trimmed();
        return tokens;
    }

    const QList<ServerFrame> &frames() const { return m_frames; }
    const QList<ServerMessage> &dataMessages() const { return m_messages; }
    /// The data messages, each as its payload; binary ones marked " (binary)".
    QList<QByteArray> messages() const
    {
        QList<QByteArray> list;
        for (const ServerMessage &message : m_messages)
            list.append(message.payload + (message.opcode == kBinary ? " (binary)" : ""));
        return list;
    }
    QList<QByteArray> pongs() const
    {
        QList<QByteArray> list;
        for (const ServerFrame &frame : m_frames) {
            if (frame.opcode == kPong)
                list.append(frame.payload);
        }
        return list;
    }
    /// The index in frames() of the first Close frame; -1 when none came.
    qsizetype closeFrameIndex() const
    {
        for (qsizetype i = 0; i < m_frames.size(); ++i) {
            if (m_frames.at(i).opcode == kClose)
                return i;
        }
        return -1;
    }
    bool hasCloseFrame() const { return closeFrameIndex() >= 0; }
    ServerFrame closeFrame() const
    {
        const qsizetype at = closeFrameIndex();
        return at < 0 ? ServerFrame() : m_frames.at(at);
    }
    /// True once the TCP connection is closed (by either end).
    bool isDisconnected() const { return m_disconnected; }
    /// How many frames had come when the TCP connection closed.
    qsizetype framesBeforeDisconnect() const { return m_framesBeforeDisconnect; }

    bool waitForCloseFrame()
    {
        return QTest::qWaitFor([this] { return hasCloseFrame() || m_disconnected; }, kWaitMs)
            && hasCloseFrame();
    }
    bool waitForDisconnected(int timeoutMs = kWaitMs)
    {
        return QTest::qWaitFor([this] { return m_disconnected; }, timeoutMs);
    }
    /// True once the relay has sent a Close frame with @p code, unmasked, and then closed the
    /// TCP connection. summary() tells what came instead.
    bool waitForServerClose(int code)
    {
        return waitForCloseFrame() && closeFrame().closeCode() == code && !closeFrame().masked
            && waitForDisconnected() && closeFrameIndex() < m_framesBeforeDisconnect;
    }

    /// Everything received, for failure messages: "text "Hello", pong "p", close 1002 "..."
    /// - TCP closed".
    QString summary() const
    {
        QStringList parts;
        for (const ServerFrame &frame : m_frames) {
            static const char *const kNames[16] = {"continuation", "text", "binary", "opcode 3",
                "opcode 4", "opcode 5", "opcode 6", "opcode 7", "close", "ping", "pong",
                "opcode 0xB", "opcode 0xC", "opcode 0xD", "opcode 0xE", "opcode 0xF"};
            QString part = QString::fromLatin1(kNames[frame.opcode & 0xF]);
            if (!frame.fin)
                part += QStringLiteral(" (not final)");
            if (frame.masked)
                part += QStringLiteral(" (masked)");
            if (frame.opcode == kClose && frame.payload.size() >= 2) {
                part += QStringLiteral(" %1 \"%2\"")
                            .arg(frame.closeCode())
                            .arg(ByteEscape::toDisplay(frame.closeReason(), 60));
            } else {
                part += QStringLiteral(" \"%1\"").arg(ByteEscape::toDisplay(frame.payload, 60));
            }
            parts.append(part);
        }
        if (!m_headDone)
            parts.prepend(QStringLiteral("no HTTP response head"));
        return QStringLiteral("received: [%1] - TCP %2")
            .arg(parts.join(QStringLiteral(", ")),
                m_disconnected ? QStringLiteral("closed") : QStringLiteral("open"));
    }

private:
    // The relay runs in this process: it reads what was written only when events are processed.
    static void letTheRelayRead()
    {
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
    }

    void takeInput()
    {
        m_input += m_socket.readAll();
        if (!m_headDone) {
            const qsizetype end = m_input.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            m_responseHead = m_input.left(end + 4);
            m_input.remove(0, end + 4);
            m_headDone = true;
        }
        if (statusCode() == 101)
            takeFrames(); // anything else: the response's body, not frames
    }

    void takeFrames()
    {
        for (;;) {
            if (m_input.size() < 2)
                return;
            const auto *bytes = reinterpret_cast<const uchar *>(m_input.constData());
            ServerFrame frame;
            frame.fin = bytes[0] & 0x80;
            frame.rsv = bytes[0] & 0x70;
            frame.opcode = bytes[0] & 0x0F;
            frame.masked = bytes[1] & 0x80;
            quint64 length = bytes[1] & 0x7F;
            qsizetype at = 2;
            frame.lengthBits = 7;
            if (length == 126) {
                if (m_input.size() < 4)
                    return;
                length = qFromBigEndian<quint16>(bytes + 2);
                at = 4;
                frame.lengthBits = 16;
            } else if (length == 127) {
                if (m_input.size() < 10)
                    return;
                length = qFromBigEndian<quint64>(bytes + 2);
                at = 10;
                frame.lengthBits = 64;
            }
            const qsizetype keyAt = at;
            if (frame.masked)
                at += 4;
            if (m_input.size() < at || quint64(m_input.size() - at) < length)
                return;
            frame.payload = m_input.mid(at, qsizetype(length));
            for (qsizetype i = 0; frame.masked && i < frame.payload.size(); ++i)
                frame.payload[i] = char(frame.payload.at(i) ^ m_input.at(keyAt + i % 4));
            m_input.remove(0, at + qsizetype(length));
            record(frame);
        }
    }

    void record(const ServerFrame &frame)
    {
        m_frames.append(frame);
        if (frame.opcode == kText || frame.opcode == kBinary)
            m_partial = ServerMessage{frame.opcode, {}};
        if (frame.opcode == kText || frame.opcode == kBinary || frame.opcode == kContinuation) {
            m_partial.payload += frame.payload;
            if (frame.fin)
                m_messages.append(m_partial);
        }
    }

    QTcpSocket m_socket;
    quint16 m_localPort = 0;
    QByteArray m_input; // received, not parsed yet
    bool m_headDone = false;
    QByteArray m_responseHead;
    QList<ServerFrame> m_frames;
    QList<ServerMessage> m_messages;
    ServerMessage m_partial; // the data message being reassembled
    bool m_disconnected = false;
    qsizetype m_framesBeforeDisconnect = -1;
    QString m_error;
};

// Waits until @p receiver has @p count data messages; gives up at once when @p sender is sent a
// Close or disconnected instead (what it sent was refused: no use waiting longer).
bool waitForMessages(const RawWebSocket &receiver, qsizetype count, const RawWebSocket &sender)
{
    const auto done = [&] { return receiver.dataMessages().size() >= count; };
    return QTest::qWaitFor(
               [&] { return done() || sender.hasCloseFrame() || sender.isDisconnected(); }, kWaitMs)
        && done();
}

RelayConfig webConfig()
{
    RelayConfig config;
    config.port = 0;
    config.webSocketEnabled = true;
    config.webSocketPort = 0;
    return config;
}

ClientInfo clientOf(const QList<QVariant> &clientDisconnected)
{
    return clientDisconnected.at(0).value<ClientInfo>();
}

} // namespace

class tst_WebSocketProtocol : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();

    void unmaskedClientFrameIsProtocolError();
    void fragmentedMessageIsRelayedWhole_data();
    void fragmentedMessageIsRelayedWhole();
    void invalidUtf8IsRejected_data();
    void invalidUtf8IsRejected();
    void utf8CharacterSplitAcrossFragments_data();
    void utf8CharacterSplitAcrossFragments();
    void payloadLengthsAreExact_data();
    void payloadLengthsAreExact();
    void nonMinimalLengthIsAccepted_data();
    void nonMinimalLengthIsAccepted();
    void pingIsAnsweredWithPong_data();
    void pingIsAnsweredWithPong();
    void unsolicitedPongIsIgnored();
    void invalidControlFrameIsProtocolError_data();
    void invalidControlFrameIsProtocolError();
    void closeHandshake();
    void closeWithoutPayload();
    void invalidClosePayloadIsProtocolError_data();
    void invalidClosePayloadIsProtocolError();
    void validCloseCodesGetANormalReply_data();
    void validCloseCodesGetANormalReply();
    void closeReasonMustBeUtf8();
    void dataAfterCloseIsNotRelayed_data();
    void dataAfterCloseIsNotRelayed();
    void stopClosesEveryWebSocket();
    void disconnectClientClosesWebSocket();
    void clientThatNeverReadsIsReset();
    void protocolErrors_data();
    void protocolErrors();
    void oversizeMessage_data();
    void oversizeMessage();
    void stalledFrameHeader();
    void payloadOneBytePerWrite();
    void frameSplitAtAnyByte_data();
    void frameSplitAtAnyByte();
    void textAndBinaryAcrossKinds_data();
    void textAndBinaryAcrossKinds();
    void handshakeRefused_data();
    void handshakeRefused();
    void handshakeHeadersInAnyCase_data();
    void handshakeHeadersInAnyCase();
    void framesPipelinedWithHandshake();

private:
    RelayServer &relay() { return m_fixture.relay(); }
    TestPeer &peer(int i) { return m_fixture.peer(i); }
    bool startRelay(const RelayConfig &config = webConfig(), int tcpPeers = 1)
    {
        return m_fixture.start(config, tcpPeers);
    }
    /// Opens @p ws and waits until the relay counts it as a client.
    bool admitted(RawWebSocket &ws)
    {
        const int before = relay().clientCount();
        if (!ws.open(relay().webSocketPort()))
            return false;
        if (!QTest::qWaitFor([&] { return relay().clientCount() == before + 1; }, kWaitMs)) {
            ws.setErrorString(QStringLiteral("upgraded, but the relay did not count it"));
            return false;
        }
        return true;
    }
    /// Checks that the rejected client's data reached nobody: a line from the TCP peer is all
    /// that @p other and the TCP peer get.
    void expectNothingRelayed(RawWebSocket &other);

    RelayFixture m_fixture;
};

void tst_WebSocketProtocol::cleanup()
{
    m_fixture.reset();
}

void tst_WebSocketProtocol::expectNothingRelayed(RawWebSocket &other)
{
    peer(0).send("barrier\n");
    QTRY_COMPARE(peer(0).received(), QByteArray("barrier\n"));
    QTRY_COMPARE(other.messages(), QList<QByteArray>{"barrier"});
}

// RFC 6455 5.1: a client frame without a mask is an error: Close 1002, connection closed.
void tst_WebSocketProtocol::unmaskedClientFrameIsProtocolError()
{
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(gone.isValid());

    sender.send(ClientFrame(kText, "unmasked").unmasked());
    QVERIFY2(sender.waitForServerClose(kProtocolError), qPrintable(sender.summary()));
    QTRY_COMPARE(gone.count(), 1);
    QCOMPARE(clientOf(gone.first()).port, sender.localPort());
    QCOMPARE(relay().clientCount(), 2);

    // The others carry on; the unmasked message reached none of them.
    expectNothingRelayed(other);
    other.send(ClientFrame(kText, "from ws"));
    QTRY_COMPARE(peer(0).received(), QByteArray("barrier\nfrom ws\n"));
    QTRY_COMPARE(other.messages(), (QList<QByteArray>{"barrier", "from ws"}));
    QVERIFY(!other.isDisconnected());
}

void tst_WebSocketProtocol::fragmentedMessageIsRelayedWhole_data()
{
    QTest::addColumn<QByteArrayList>("frames"); // each in a write of its own
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<bool>("isText");
    QTest::addColumn<QByteArrayList>("pongs");

    QTest::newRow("ping between fragments")
        << QByteArrayList{ClientFrame(kText, "Hel").notFinal().bytes(),
               ClientFrame(kPing, "p").bytes(), ClientFrame(kContinuation, "lo").bytes()}
        << QByteArray("Hello") << true << QByteArrayList{"p"};
    QTest::newRow("three fragments") << QByteArrayList{ClientFrame(kText, "He").notFinal().bytes(),
        ClientFrame(kContinuation, "l").notFinal().bytes(),
        ClientFrame(kContinuation, "lo").bytes()}
                                     << QByteArray("Hello") << true << QByteArrayList();
    QTest::newRow("five fragments, two pings")
        << QByteArrayList{ClientFrame(kText, "H").notFinal().bytes(),
               ClientFrame(kContinuation, "e").notFinal().bytes(), ClientFrame(kPing, "1").bytes(),
               ClientFrame(kContinuation, "l").notFinal().bytes(),
               ClientFrame(kContinuation, "l").notFinal().bytes(), ClientFrame(kPing, "2").bytes(),
               ClientFrame(kContinuation, "o").bytes()}
        << QByteArray("Hello") << true << QByteArrayList{"1", "2"};
    QTest::newRow("empty final fragment")
        << QByteArrayList{ClientFrame(kText, "Hello").notFinal().bytes(),
               ClientFrame(kContinuation, "").bytes()}
        << QByteArray("Hello") << true << QByteArrayList();
    QTest::newRow("empty first fragment")
        << QByteArrayList{ClientFrame(kText, "").notFinal().bytes(),
               ClientFrame(kContinuation, "Hello").bytes()}
        << QByteArray("Hello") << true << QByteArrayList();
    QTest::newRow("U+FEFF at the start of a fragment")
        << QByteArrayList{ClientFrame(kText, "Hel").notFinal().bytes(),
               ClientFrame(kContinuation,
                   "\xef\xbb\xbf"
                   "lo")
                   .bytes()}
        << QByteArray("Hel\xef\xbb\xbf"
                      "lo")
        << true << QByteArrayList();
    QTest::newRow("binary in three fragments")
        << QByteArrayList{ClientFrame(kBinary, "\x01\xff").notFinal().bytes(),
               ClientFrame(kContinuation, QByteArray("\0", 1)).notFinal().bytes(),
               ClientFrame(kContinuation, "\xfe").bytes()}
        << QByteArray("\x01\xff\0\xfe", 4) << false << QByteArrayList();
}

// RFC 6455 5.4 and 5.5: fragments make one message; control frames may come between them.
void tst_WebSocketProtocol::fragmentedMessageIsRelayedWhole()
{
    QFETCH(QByteArrayList, frames);
    QFETCH(QByteArray, message);
    QFETCH(bool, isText);
    QFETCH(QByteArrayList, pongs);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    sender.sendEach(frames);
    const QByteArray asReceived = message + (isText ? "" : " (binary)");
    QTRY_VERIFY2(other.dataMessages().size() == 1, qPrintable(other.summary()));
    QCOMPARE(other.messages(), QList<QByteArray>{asReceived});
    QTRY_COMPARE(peer(0).received(), message + '\n');
    QTRY_COMPARE(sender.messages(), QList<QByteArray>{asReceived}); // the echo
    QTRY_COMPARE(sender.pongs(), pongs);
    // Once only: the next message follows it directly.
    peer(0).send("next\n");
    QTRY_COMPARE(other.messages(), (QList<QByteArray>{asReceived, "next"}));
    QCOMPARE(peer(0).received(), message + "\nnext\n");
    QVERIFY2(!sender.hasCloseFrame() && !sender.isDisconnected(), qPrintable(sender.summary()));
}

void tst_WebSocketProtocol::invalidUtf8IsRejected_data()
{
    QTest::addColumn<QByteArrayList>("frames");

    QTest::newRow("invalid byte") << QByteArrayList{ClientFrame(kText, "bad \xff byte").bytes()};
    QTest::newRow("invalid sequence split across fragments")
        << QByteArrayList{ClientFrame(kText, "caf\xc3").notFinal().bytes(),
               ClientFrame(kContinuation, "\x28").bytes()};
    QTest::newRow("invalid byte in a later fragment") << QByteArrayList{
        ClientFrame(kText, "fine").notFinal().bytes(), ClientFrame(kContinuation, "\xff").bytes()};
    QTest::newRow("message ends inside a character")
        << QByteArrayList{ClientFrame(kText, "caf\xc3").bytes()};
    QTest::newRow("overlong encoding") << QByteArrayList{ClientFrame(kText, "\xc0\xaf").bytes()};
    QTest::newRow("UTF-16 surrogate") << QByteArrayList{ClientFrame(kText, "\xed\xa0\x80").bytes()};
    QTest::newRow("beyond U+10FFFF")
        << QByteArrayList{ClientFrame(kText, "\xf4\x90\x80\x80").bytes()};
}

// RFC 6455 5.6 and 8.1: a text message that is not UTF-8 fails the connection with 1007.
void tst_WebSocketProtocol::invalidUtf8IsRejected()
{
    QFETCH(QByteArrayList, frames);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    sender.sendEach(frames);
    QVERIFY2(sender.waitForServerClose(kInvalidPayload), qPrintable(sender.summary()));
    QTRY_COMPARE(relay().clientCount(), 2);
    expectNothingRelayed(other);
}

void tst_WebSocketProtocol::utf8CharacterSplitAcrossFragments_data()
{
    QTest::addColumn<QByteArrayList>("frames");
    QTest::addColumn<QByteArray>("message");

    QTest::newRow("é split in two")
        << QByteArrayList{ClientFrame(kText, "caf\xc3").notFinal().bytes(),
               ClientFrame(kContinuation, "\xa9").bytes()}
        << QByteArray("caf\xc3\xa9");
    QTest::newRow("4-byte character over three fragments") << QByteArrayList{
        ClientFrame(kText, "smile \xf0").notFinal().bytes(),
        ClientFrame(kContinuation, "\x9f\x98").notFinal().bytes(),
        ClientFrame(kContinuation, "\x80!").bytes()} << QByteArray("smile \xf0\x9f\x98\x80!");
}

// RFC 6455 5.6 and 8.1: UTF-8 is checked over the whole message; fragments may split a
// character. (Fails with Qt 6.4's QtWebSockets, which checks each frame: QTBUG-136216.)
void tst_WebSocketProtocol::utf8CharacterSplitAcrossFragments()
{
    QFETCH(QByteArrayList, frames);
    QFETCH(QByteArray, message);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    sender.sendEach(frames);
    QVERIFY2(waitForMessages(other, 1, sender),
        qPrintable(QStringLiteral("the other WebSocket %1; the sender %2")
                       .arg(other.summary(), sender.summary())));
    QCOMPARE(other.messages(), QList<QByteArray>{message});
    QCOMPARE(other.dataMessages().first().opcode, kText);
    QTRY_COMPARE(peer(0).received(), message + '\n');
    QTRY_COMPARE(sender.messages(), QList<QByteArray>{message});
    QVERIFY2(!sender.hasCloseFrame() && !sender.isDisconnected(), qPrintable(sender.summary()));
}

void tst_WebSocketProtocol::payloadLengthsAreExact_data()
{
    QTest::addColumn<quint8>("opcode");
    QTest::addColumn<QByteArray>("payload");

    for (const int size : {0, 125, 126, 65535, 65536}) {
        QTest::addRow("text, %d bytes", size) << kText << pattern(size, true);
        QTest::addRow("binary, %d bytes", size) << kBinary << pattern(size, false);
    }
}

// RFC 6455 5.2: every length encoding both ways; the server's frames are unmasked (5.1) and
// use the minimal length encoding.
void tst_WebSocketProtocol::payloadLengthsAreExact()
{
    QFETCH(quint8, opcode);
    QFETCH(QByteArray, payload);
    RelayConfig config = webConfig();
    config.maxMessageBytes = 128 * 1024;
    QVERIFY2(startRelay(config), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    sender.send(ClientFrame(opcode, payload));
    QTRY_VERIFY2(other.dataMessages().size() == 1, qPrintable(other.summary()));
    const ServerMessage received = other.dataMessages().first();
    QCOMPARE(received.opcode, opcode);
    QCOMPARE(received.payload.size(), payload.size());
    QVERIFY(received.payload == payload);
    for (const ServerFrame &frame : other.frames()) {
        QVERIFY(!frame.masked);
        QCOMPARE(frame.rsv, quint8(0));
        QCOMPARE(frame.lengthBits, minimalLengthBits(quint64(frame.payload.size())));
    }
    QVERIFY2(!sender.hasCloseFrame(), qPrintable(sender.summary()));
}

void tst_WebSocketProtocol::nonMinimalLengthIsAccepted_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QByteArray>("message");

    QTest::newRow("126 bytes in a 64-bit length")
        << ClientFrame(kText, pattern(126, true)).withLengthBits(64).bytes() << pattern(126, true);
    QTest::newRow("5 bytes in a 16-bit length")
        << ClientFrame(kText, "hello").withLengthBits(16).bytes() << QByteArray("hello");
    QTest::newRow("5 bytes in a 64-bit length")
        << ClientFrame(kText, "hello").withLengthBits(64).bytes() << QByteArray("hello");
}

// RFC 6455 5.2 asks the sender for the minimal encoding; the relay is lenient in what it takes.
void tst_WebSocketProtocol::nonMinimalLengthIsAccepted()
{
    QFETCH(QByteArray, frame);
    QFETCH(QByteArray, message);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    sender.sendRaw(frame);
    QVERIFY2(waitForMessages(other, 1, sender),
        qPrintable(QStringLiteral("the sender %1").arg(sender.summary())));
    QCOMPARE(other.messages(), QList<QByteArray>{message});
    QTRY_COMPARE(peer(0).received(), message + '\n');
    QVERIFY2(!sender.hasCloseFrame(), qPrintable(sender.summary()));
}

void tst_WebSocketProtocol::pingIsAnsweredWithPong_data()
{
    QTest::addColumn<QByteArray>("payload");

    QTest::newRow("abc") << QByteArray("abc");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("125 bytes, the most allowed") << pattern(125, false);
}

// RFC 6455 5.5.2 and 5.5.3: a ping is answered with a pong carrying the same payload.
void tst_WebSocketProtocol::pingIsAnsweredWithPong()
{
    QFETCH(QByteArray, payload);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    sender.send(ClientFrame(kPing, payload));
    QTRY_VERIFY2(sender.pongs().size() == 1, qPrintable(sender.summary()));
    QCOMPARE(sender.pongs().first(), payload);
    const ServerFrame pong = sender.frames().first();
    QCOMPARE(pong.opcode, kPong);
    QVERIFY(pong.fin);
    QVERIFY(!pong.masked);
    QCOMPARE(pong.lengthBits, 7);
    expectNothingRelayed(other); // a ping is no message
    QCOMPARE(sender.messages(), QList<QByteArray>{"barrier"});
}

// RFC 6455 5.5.3: an unsolicited pong needs no answer, and is no message.
void tst_WebSocketProtocol::unsolicitedPongIsIgnored()
{
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    sender.send(ClientFrame(kPong, "unasked"));
    sender.send(ClientFrame(kText, "after"));
    QTRY_COMPARE(other.messages(), QList<QByteArray>{"after"});
    QTRY_COMPARE(peer(0).received(), QByteArray("after\n"));
    QTRY_COMPARE(sender.messages(), QList<QByteArray>{"after"});
    QCOMPARE(sender.frames().size(), 1); // no pong, no close: the echo only
    QVERIFY(!sender.isDisconnected());
}

void tst_WebSocketProtocol::invalidControlFrameIsProtocolError_data()
{
    QTest::addColumn<QByteArray>("frame");

    QTest::newRow("ping with 126 bytes") << ClientFrame(kPing, pattern(126, true)).bytes();
    QTest::newRow("fragmented ping") << ClientFrame(kPing, "p").notFinal().bytes();
    QTest::newRow("pong with 126 bytes") << ClientFrame(kPong, pattern(126, true)).bytes();
    QTest::newRow("fragmented close")
        << ClientFrame(kClose, closePayload(kNormalClosure)).notFinal().bytes();
}

// RFC 6455 5.5: control frames carry at most 125 bytes and are never fragmented.
void tst_WebSocketProtocol::invalidControlFrameIsProtocolError()
{
    QFETCH(QByteArray, frame);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    sender.sendRaw(frame);
    QVERIFY2(sender.waitForServerClose(kProtocolError), qPrintable(sender.summary()));
    QVERIFY(sender.pongs().isEmpty());
    QTRY_COMPARE(relay().clientCount(), 2);
    expectNothingRelayed(other);
}

// RFC 6455 5.5.1 and 7.1.2: a client's Close is answered with a Close, then the server closes
// the TCP connection first (7.1.1).
void tst_WebSocketProtocol::closeHandshake()
{
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket ws;
    QVERIFY2(admitted(ws), qPrintable(ws.errorString()));
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(gone.isValid());

    ws.send(ClientFrame(kClose, closePayload(kNormalClosure, "bye")));
    QVERIFY2(ws.waitForServerClose(kNormalClosure), qPrintable(ws.summary()));
    QCOMPARE(ws.frames().size(), 1); // the Close, nothing after it
    QTRY_COMPARE(gone.count(), 1);
    QCOMPARE(clientOf(gone.first()).port, ws.localPort());
    QCOMPARE(gone.first().at(1).toString(), QStringLiteral("closed by client"));
    QCOMPARE(relay().clientCount(), 1);
}

// RFC 6455 5.5.1: a Close may have no payload; the reply has none either, or code 1000.
void tst_WebSocketProtocol::closeWithoutPayload()
{
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket ws;
    QVERIFY2(admitted(ws), qPrintable(ws.errorString()));

    ws.send(ClientFrame(kClose));
    QVERIFY2(ws.waitForCloseFrame(), qPrintable(ws.summary()));
    QVERIFY2(ws.closeFrame().closeCode() == kNoStatusReceived
            || ws.closeFrame().closeCode() == kNormalClosure,
        qPrintable(ws.summary()));
    QVERIFY(!ws.closeFrame().masked);
    QVERIFY(ws.waitForDisconnected());
    QTRY_COMPARE(relay().clientCount(), 1);
}

void tst_WebSocketProtocol::invalidClosePayloadIsProtocolError_data()
{
    QTest::addColumn<QByteArray>("payload");

    QTest::newRow("1-byte payload") << QByteArray("\x03", 1);
    for (const int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000})
        QTest::addRow("code %d", code) << closePayload(quint16(code));
    QTest::newRow("code 1005 with a reason") << closePayload(1005, "why");
}

// RFC 6455 7.4.1 and 7.4.2: codes a client may not send in a Close (never used, reserved for
// the endpoints' own reports, undefined) are a protocol error.
void tst_WebSocketProtocol::invalidClosePayloadIsProtocolError()
{
    QFETCH(QByteArray, payload);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket ws;
    QVERIFY2(admitted(ws), qPrintable(ws.errorString()));

    ws.send(ClientFrame(kClose, payload));
    QVERIFY2(ws.waitForServerClose(kProtocolError), qPrintable(ws.summary()));
    QTRY_COMPARE(relay().clientCount(), 1);
}

void tst_WebSocketProtocol::validCloseCodesGetANormalReply_data()
{
    QTest::addColumn<int>("code");

    for (const int code : {1000, 1001, 1003, 1011, 3000, 4999})
        QTest::addRow("code %d", code) << code;
}

// RFC 6455 7.4.1 and 7.4.2: the defined codes, and 3000-4999 (libraries, applications), are
// fine: the reply echoes the code or says 1000.
void tst_WebSocketProtocol::validCloseCodesGetANormalReply()
{
    QFETCH(int, code);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket ws;
    QVERIFY2(admitted(ws), qPrintable(ws.errorString()));

    ws.send(ClientFrame(kClose, closePayload(quint16(code), "done")));
    QVERIFY2(ws.waitForCloseFrame(), qPrintable(ws.summary()));
    const int reply = ws.closeFrame().closeCode();
    QVERIFY2(reply == code || reply == kNormalClosure, qPrintable(ws.summary()));
    QVERIFY(ws.waitForDisconnected());
    QTRY_COMPARE(relay().clientCount(), 1);
}

// RFC 6455 5.5.1 and 8.1: a Close frame's reason is UTF-8; anything else is 1007.
void tst_WebSocketProtocol::closeReasonMustBeUtf8()
{
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket ws;
    QVERIFY2(admitted(ws), qPrintable(ws.errorString()));

    ws.send(ClientFrame(kClose, closePayload(kNormalClosure, "bye \xff\xfe")));
    QVERIFY2(ws.waitForServerClose(kInvalidPayload), qPrintable(ws.summary()));
    QTRY_COMPARE(relay().clientCount(), 1);
}

void tst_WebSocketProtocol::dataAfterCloseIsNotRelayed_data()
{
    QTest::addColumn<bool>("sameWrite");

    QTest::newRow("in the same write") << true;
    QTest::newRow("in the next write") << false;
}

// RFC 6455 5.5.1: after sending a Close, an endpoint sends no more data; nothing a client sends
// after its Close is taken.
void tst_WebSocketProtocol::dataAfterCloseIsNotRelayed()
{
    QFETCH(bool, sameWrite);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    const QByteArray close = ClientFrame(kClose, closePayload(kNormalClosure)).bytes();
    const QByteArray late = ClientFrame(kText, "late").bytes();
    if (sameWrite)
        sender.sendRaw(close + late);
    else
        sender.sendInPieces(close + late, {close.size()});
    QVERIFY2(sender.waitForServerClose(kNormalClosure), qPrintable(sender.summary()));
    QVERIFY(sender.messages().isEmpty());
    expectNothingRelayed(other);
}

// RFC 6455 7.1.2 and 7.1.1: stopping, the relay sends each WebSocket a Close (1000 or 1001);
// once the client has answered, the TCP connection closes.
void tst_WebSocketProtocol::stopClosesEveryWebSocket()
{
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket first;
    RawWebSocket second;
    QVERIFY2(admitted(first), qPrintable(first.errorString()));
    QVERIFY2(admitted(second), qPrintable(second.errorString()));
    QSignalSpy stopped(&relay(), &RelayServer::stopped);
    QVERIFY(stopped.isValid());

    relay().stop();
    for (RawWebSocket *ws : {&first, &second}) {
        QVERIFY2(ws->waitForCloseFrame(), qPrintable(ws->summary()));
        const int code = ws->closeFrame().closeCode();
        QVERIFY2(code == kNormalClosure || code == kGoingAway, qPrintable(ws->summary()));
        QVERIFY(!ws->closeFrame().masked);
        ws->send(ClientFrame(kClose, closePayload(quint16(code))));
    }
    QVERIFY2(first.waitForDisconnected(), qPrintable(first.summary()));
    QVERIFY2(second.waitForDisconnected(), qPrintable(second.summary()));
    QTRY_COMPARE(stopped.count(), 1);
    QCOMPARE(relay().clientCount(), 0);
}

// RFC 6455 7.1.2: the operator's disconnect is a Close frame then a TCP close, even when the
// client never answers (the relay then waits its grace period, 2 s, and drops it).
void tst_WebSocketProtocol::disconnectClientClosesWebSocket()
{
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket target;
    RawWebSocket other;
    QVERIFY2(admitted(target), qPrintable(target.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));
    quint64 id = 0;
    for (const ClientInfo &client : relay().clients()) {
        if (client.kind == ClientInfo::Kind::WebSocket && client.port == target.localPort())
            id = client.id;
    }
    QVERIFY(id != 0);
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(gone.isValid());

    QVERIFY(relay().disconnectClient(id));
    QVERIFY2(target.waitForCloseFrame(), qPrintable(target.summary()));
    const int code = target.closeFrame().closeCode();
    QVERIFY2(code >= 1000 && code != kNoStatusReceived && code != 1006 && code != 1015,
        qPrintable(target.summary())); // a code an endpoint may send
    QVERIFY(!target.closeFrame().masked);
    QVERIFY2(target.waitForDisconnected(10000), qPrintable(target.summary()));
    QTRY_COMPARE(gone.count(), 1);
    QCOMPARE(clientOf(gone.first()).id, id);
    expectNothingRelayed(other);
}

// Not RFC 6455 but the relay's promise: a page that stops reading is dropped at its output
// budget with a reset (no Close frame could get through what waits for it), so that its
// connection ends at once and the system frees what was queued; the others get everything.
void tst_WebSocketProtocol::clientThatNeverReadsIsReset()
{
    RelayConfig config = webConfig();
    config.maxClientBuffer = 1024 * 1024;
    QVERIFY2(startRelay(config), qPrintable(relay().errorString()));
    RawWebSocket stuck;
    QVERIFY2(admitted(stuck), qPrintable(stuck.errorString()));
    stuck.stopReading();
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(gone.isValid());
    QTest::ignoreMessage(QtWarningMsg,
        QRegularExpression(
            QStringLiteral("^disconnecting ws 127\\.0\\.0\\.1:\\d+: it does "
                           "not read what is sent to it \\(\\d+ bytes waiting\\)$")));

    QByteArray lines;
    for (int i = 0; i < 400000; ++i) // 25 MB: far more than the system's buffers hold
        lines += "line " + QByteArray::number(i).rightJustified(57, '0') + '\n';
    peer(0).send(lines);
    QTRY_COMPARE_WITH_TIMEOUT(gone.count(), 1, 30000);
    QCOMPARE(clientOf(gone.first()).port, stuck.localPort());
    QCOMPARE(clientOf(gone.first()).kind, ClientInfo::Kind::WebSocket);
    QVERIFY(gone.first().at(1).toString().startsWith(QStringLiteral("not reading")));
#ifdef Q_OS_LINUX
    QTRY_COMPARE(tcpState(stuck.socket()), int(TCP_CLOSE));
#endif
    QTRY_COMPARE_WITH_TIMEOUT(peer(0).received().size(), lines.size(), 30000);
}

void tst_WebSocketProtocol::protocolErrors_data()
{
    QTest::addColumn<QByteArrayList>("frames");
    QTest::addColumn<QByteArrayList>("relayedFirst"); // complete messages before the error

    QTest::newRow("RSV1 set") << QByteArrayList{ClientFrame(kText, "x").withRsv(kRsv1).bytes()}
                              << QByteArrayList();
    QTest::newRow("RSV2 set") << QByteArrayList{ClientFrame(kText, "x").withRsv(kRsv2).bytes()}
                              << QByteArrayList();
    QTest::newRow("RSV3 set") << QByteArrayList{ClientFrame(kText, "x").withRsv(kRsv3).bytes()}
                              << QByteArrayList();
    QTest::newRow("RSV1 on a ping")
        << QByteArrayList{ClientFrame(kPing, "x").withRsv(kRsv1).bytes()} << QByteArrayList();
    for (const quint8 opcode : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
        QTest::addRow("reserved opcode 0x%X", opcode)
            << QByteArrayList{ClientFrame(opcode, "x").bytes()} << QByteArrayList();
    QTest::newRow("continuation with no message started")
        << QByteArrayList{ClientFrame(kContinuation, "x").bytes()} << QByteArrayList();
    QTest::newRow("continuation after a complete message") << QByteArrayList{
        ClientFrame(kText, "done").bytes(),
        ClientFrame(kContinuation, "x").bytes()} << QByteArrayList{"done"};
    QTest::newRow("text while a text message is open") << QByteArrayList{
        ClientFrame(kText, "a").notFinal().bytes(),
        ClientFrame(kText, "b").bytes()} << QByteArrayList();
    QTest::newRow("binary while a text message is open") << QByteArrayList{
        ClientFrame(kText, "a").notFinal().bytes(),
        ClientFrame(kBinary, "b").bytes()} << QByteArrayList();
    QTest::newRow("text while a binary message is open") << QByteArrayList{
        ClientFrame(kBinary, "a").notFinal().bytes(),
        ClientFrame(kText, "b").bytes()} << QByteArrayList();
    QTest::newRow("64-bit length with the most significant bit set") << QByteArrayList{
        ClientFrame(kText, "hello")
            .withLengthBits(64)
            .withLengthField((quint64(1) << 63) | 5)
            .bytes()} << QByteArrayList();
}

// RFC 6455 5.2 and 5.4: reserved bits and opcodes without an extension, and fragments out of
// order, fail the connection with 1002.
void tst_WebSocketProtocol::protocolErrors()
{
    QFETCH(QByteArrayList, frames);
    QFETCH(QByteArrayList, relayedFirst);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(gone.isValid());

    sender.sendEach(frames);
    QVERIFY2(sender.waitForServerClose(kProtocolError), qPrintable(sender.summary()));
    QTRY_COMPARE(gone.count(), 1);
    QCOMPARE(clientOf(gone.first()).port, sender.localPort());
    // Nothing of the bad frame is relayed, only a complete message before it.
    peer(0).send("barrier\n");
    QTRY_COMPARE(other.messages(), relayedFirst + QByteArrayList{"barrier"});
}

void tst_WebSocketProtocol::oversizeMessage_data()
{
    QTest::addColumn<QByteArrayList>("frames");

    QTest::newRow("one 2000-byte frame")
        << QByteArrayList{ClientFrame(kText, QByteArray(2000, 'y')).bytes()};
    QTest::newRow("one 2000-byte binary frame")
        << QByteArrayList{ClientFrame(kBinary, pattern(2000, false)).bytes()};
    QTest::newRow("three 500-byte fragments")
        << QByteArrayList{ClientFrame(kText, QByteArray(500, 'a')).notFinal().bytes(),
               ClientFrame(kContinuation, QByteArray(500, 'b')).notFinal().bytes(),
               ClientFrame(kContinuation, QByteArray(500, 'c')).bytes()};
}

// RFC 6455 7.4.1 and 10.4: a message over the relay's limit closes with 1009.
void tst_WebSocketProtocol::oversizeMessage()
{
    QFETCH(QByteArrayList, frames);
    RelayConfig config = webConfig();
    config.maxMessageBytes = 1024;
    QVERIFY2(startRelay(config), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));
    QSignalSpy gone(&relay(), &RelayServer::clientDisconnected);
    QVERIFY(gone.isValid());

    sender.sendEach(frames);
    QVERIFY2(sender.waitForServerClose(kMessageTooBig), qPrintable(sender.summary()));
    QTRY_COMPARE(gone.count(), 1);
    QCOMPARE(clientOf(gone.first()).port, sender.localPort());
    QCOMPARE(relay().clientCount(), 2);
    expectNothingRelayed(other);
    other.send(ClientFrame(kText, QByteArray(1024, 'z'))); // the limit itself is fine
    QTRY_COMPARE(peer(0).received(), "barrier\n" + QByteArray(1024, 'z') + '\n');
}

// RFC 6455 5.2: a frame is read across as many TCP reads as it takes; while one waits for
// the rest of its header, the client still gets what others send.
void tst_WebSocketProtocol::stalledFrameHeader()
{
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket stalled;
    RawWebSocket other;
    QVERIFY2(admitted(stalled), qPrintable(stalled.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    const QByteArray frame = ClientFrame(kText, "resumed").bytes();
    QCOMPARE(quint8(frame.at(0)), quint8(0x81));
    stalled.sendRaw(frame.left(1));
    peer(0).send("meanwhile\n");
    QTRY_COMPARE(stalled.messages(), QList<QByteArray>{"meanwhile"});
    QCOMPARE(stalled.dataMessages().first().opcode, kText);
    QTRY_COMPARE(other.messages(), QList<QByteArray>{"meanwhile"});
    QTRY_COMPARE(peer(0).received(), QByteArray("meanwhile\n"));

    stalled.sendRaw(frame.mid(1));
    QTRY_COMPARE(other.messages(), (QList<QByteArray>{"meanwhile", "resumed"}));
    QTRY_COMPARE(stalled.messages(), (QList<QByteArray>{"meanwhile", "resumed"}));
    QTRY_COMPARE(peer(0).received(), QByteArray("meanwhile\nresumed\n"));
}

// RFC 6455 5.2: a payload arriving a byte per TCP segment is one message.
void tst_WebSocketProtocol::payloadOneBytePerWrite()
{
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    sender.sendBytewise(ClientFrame(kText, "one byte at a time").bytes());
    QTRY_COMPARE(other.messages(), QList<QByteArray>{"one byte at a time"});
    QTRY_COMPARE(peer(0).received(), QByteArray("one byte at a time\n"));
    QTRY_COMPARE(sender.messages(), QList<QByteArray>{"one byte at a time"});
}

void tst_WebSocketProtocol::frameSplitAtAnyByte_data()
{
    QTest::addColumn<qsizetype>("cut");

    // A 200-byte text frame: byte 0 opcode, 1 mask bit and 126, 2-3 the length, 4-7 the
    // mask key, 8- the payload.
    const QList<QPair<const char *, qsizetype>> cuts = {{"after the first byte", 1},
        {"after the 7-bit length", 2}, {"inside the 16-bit length", 3}, {"before the mask key", 4},
        {"inside the mask key", 6}, {"before the payload", 8}, {"after one payload byte", 9},
        {"before the last byte", 207}};
    for (const auto &[name, cut] : cuts)
        QTest::newRow(name) << cut;
}

// RFC 6455 5.2: a frame cut in two at any byte is read whole.
void tst_WebSocketProtocol::frameSplitAtAnyByte()
{
    QFETCH(qsizetype, cut);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    const QByteArray message = pattern(200, true);
    const QByteArray frame = ClientFrame(kText, message).bytes();
    QCOMPARE(frame.size(), 208);
    sender.sendInPieces(frame, {cut});
    QTRY_COMPARE(other.messages(), QList<QByteArray>{message});
    QTRY_COMPARE(peer(0).received(), message + '\n');
}

void tst_WebSocketProtocol::textAndBinaryAcrossKinds_data()
{
    QTest::addColumn<bool>("fromTcp"); // else from a WebSocket
    QTest::addColumn<quint8>("opcode"); // sent (from a WebSocket) or expected (from TCP)
    QTest::addColumn<QByteArray>("payload");

    QTest::newRow("WebSocket binary") << false << kBinary << QByteArray("\x01\x02\xff");
    QTest::newRow("WebSocket binary that is valid UTF-8")
        << false << kBinary << QByteArray("plain bytes");
    QTest::newRow("WebSocket text") << false << kText << QByteArray("text \xc3\xa9t\xc3\xa9");
    QTest::newRow("WebSocket text starting with U+FEFF") << false << kText
                                                         << QByteArray("\xef\xbb\xbf"
                                                                       "bom first");
    QTest::newRow("TCP line in UTF-8") << true << kText << QByteArray("tcp \xc3\xa9t\xc3\xa9");
    QTest::newRow("TCP line not UTF-8") << true << kBinary << QByteArray("\xff\xfe");
}

// RFC 6455 5.6: text is for UTF-8; a WebSocket message keeps its kind, and a TCP line becomes
// text when it is UTF-8, else binary. TCP clients get the bytes and their line end.
void tst_WebSocketProtocol::textAndBinaryAcrossKinds()
{
    QFETCH(bool, fromTcp);
    QFETCH(quint8, opcode);
    QFETCH(QByteArray, payload);
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket sender;
    RawWebSocket other;
    QVERIFY2(admitted(sender), qPrintable(sender.errorString()));
    QVERIFY2(admitted(other), qPrintable(other.errorString()));

    if (fromTcp)
        peer(0).send(payload + '\n');
    else
        sender.send(ClientFrame(opcode, payload));
    for (RawWebSocket *ws : {&sender, &other}) {
        QTRY_VERIFY2(ws->dataMessages().size() == 1, qPrintable(ws->summary()));
        QCOMPARE(ws->dataMessages().first().payload, payload);
        QVERIFY2(ws->dataMessages().first().opcode == opcode, qPrintable(ws->summary()));
    }
    QTRY_COMPARE(peer(0).received(), payload + '\n');
}

void tst_WebSocketProtocol::handshakeRefused_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("mustClose");

    QTest::newRow("no Sec-WebSocket-Key")
        << QByteArray("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
        << 400 << true;
    QTest::newRow("Sec-WebSocket-Version: 8")
        << QByteArray("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 8\r\n\r\n")
        << 426 << false;
}

// RFC 6455 4.2.1, 4.2.2 and 4.4: a bad upgrade request gets 400, a version other than 13 gets
// 426 with the version the server speaks; neither becomes a client.
void tst_WebSocketProtocol::handshakeRefused()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(bool, mustClose);
    QVERIFY2(startRelay(webConfig(), 0), qPrintable(relay().errorString()));
    RawWebSocket ws;
    QVERIFY2(ws.connectTo(relay().webSocketPort()), qPrintable(ws.errorString()));

    ws.sendRaw(request);
    QVERIFY2(ws.waitForResponseHead(), qPrintable(ws.summary()));
    QCOMPARE(ws.statusCode(), status);
    const Refusal reason = status == 426 ? Refusal::WrongVersion : Refusal::BadHandshake;
    QCOMPARE(relay().stats().clientsRefused[reason], 1);
    QCOMPARE(relay().stats().clientsRefused.total(), 1);
    if (status == 426) {
        QVERIFY2(ws.responseTokens("sec-websocket-version").contains("13"),
            qPrintable(ByteEscape::toDisplay(ws.responseHead())));
    }
    if (mustClose)
        QVERIFY(ws.waitForDisconnected());
    QCOMPARE(relay().clientCount(), 0);
    QCOMPARE(relay().stats().clientsAccepted.total(), 0);
}

void tst_WebSocketProtocol::handshakeHeadersInAnyCase_data()
{
    QTest::addColumn<QByteArray>("request");

    // The key and its accept value are RFC 6455's own example (section 1.3).
    QTest::newRow("lower-case names")
        << QByteArray("GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nupgrade: websocket\r\n"
                      "connection: upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "sec-websocket-version: 13\r\n\r\n");
    QTest::newRow("upper-case names and values")
        << QByteArray("GET / HTTP/1.1\r\nHOST: 127.0.0.1\r\nUPGRADE: WebSocket\r\n"
                      "CONNECTION: UPGRADE\r\nSEC-WEBSOCKET-KEY: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "SEC-WEBSOCKET-VERSION: 13\r\n\r\n");
    QTest::newRow("as Firefox sends it")
        << QByteArray("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
                      "Firefox/128.0\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.5\r\n"
                      "Accept-Encoding: gzip, deflate\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Extensions: permessage-deflate\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Connection: keep-alive, Upgrade\r\nPragma: no-cache\r\n"
                      "Cache-Control: no-cache\r\nUpgrade: websocket\r\n\r\n");
}

// RFC 6455 4.2.1 (and RFC 9110 5.1): header names are case-insensitive, as are the values of
// Upgrade and Connection, which may list other tokens; an extension the server does not do is
// not accepted (9.1).
void tst_WebSocketProtocol::handshakeHeadersInAnyCase()
{
    QFETCH(QByteArray, request);
    QCOMPARE(acceptFor("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket ws;
    QVERIFY2(ws.connectTo(relay().webSocketPort()), qPrintable(ws.errorString()));

    ws.sendRaw(request);
    QVERIFY2(ws.waitForUpgrade("dGhlIHNhbXBsZSBub25jZQ=="), qPrintable(ws.errorString()));
    QCOMPARE(ws.responseHeader("sec-websocket-extensions"), QByteArray());
    QTRY_COMPARE(relay().clientCount(), 2);
    ws.send(ClientFrame(kText, "upgraded"));
    QTRY_COMPARE(peer(0).received(), QByteArray("upgraded\n"));
    QTRY_COMPARE(ws.messages(), QList<QByteArray>{"upgraded"});
}

// RFC 6455 4.1: a client may send frames right after its request, before the response came;
// they are relayed.
void tst_WebSocketProtocol::framesPipelinedWithHandshake()
{
    QVERIFY2(startRelay(), qPrintable(relay().errorString()));
    RawWebSocket ws;
    QVERIFY2(ws.connectTo(relay().webSocketPort()), qPrintable(ws.errorString()));

    const QByteArray key = RawWebSocket::newKey();
    ws.sendRaw(RawWebSocket::upgradeRequest(key) + ClientFrame(kText, "early").bytes()
        + ClientFrame(kBinary, "\x01\xff").bytes());
    QVERIFY2(ws.waitForUpgrade(key), qPrintable(ws.errorString()));
    QVERIFY2(QTest::qWaitFor([this] { return peer(0).received().count('\n') == 2; }, kWaitMs),
        qPrintable(QStringLiteral("the TCP peer received \"%1\"; the WebSocket %2")
                       .arg(ByteEscape::toDisplay(peer(0).received()), ws.summary())));
    QCOMPARE(peer(0).received(), QByteArray("early\n\x01\xff\n"));
    QTRY_COMPARE(ws.messages(), (QList<QByteArray>{"early", "\x01\xff (binary)"}));
}

QTEST_GUILESS_MAIN(tst_WebSocketProtocol)
#include "tst_websocketprotocol.moc"
