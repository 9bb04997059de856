// WebSocketCodec on its own: client frames in, messages and replies out, cut at every byte;
// every breach of RFC 6455 it must refuse, with its close code; the server frames it makes.
// (tst_websocketprotocol checks the same rules end to end, on the relay's WebSocket port.)
#include "websocketcodec.h"

#include <QTest>

#include <QtEndian>

Q_DECLARE_METATYPE(LineEnding)

namespace {

constexpr qsizetype kMax = 1024;

// A client frame: masked with a key that changes from frame to frame, the length in its
// shortest form unless @p longLength asks for the 64-bit one.
QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool fin = true,
    bool masked = true, bool longLength = false)
{
    static quint8 seed = 0x3c;
    QByteArray frame;
    frame.append(char((fin ? 0x80 : 0) | opcode));
    const char maskBit = masked ? char(0x80) : char(0);
    const quint64 size = quint64(payload.size());
    if (size <= 125 && !longLength) {
        frame.append(char(maskBit | char(size)));
    } else if (size <= 0xFFFF && !longLength) {
        frame.append(char(maskBit | 126));
        frame.append(char(size >> 8)).append(char(size & 0xFF));
    } else {
        frame.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((size >> shift) & 0xFF));
    }
    if (!masked)
        return frame + payload;
    const char key[4] = {char(seed), char(seed * 7 + 1), char(seed * 13 + 5), char(seed ^ 0xa5)};
    seed = quint8(seed * 31 + 17);
    frame.append(key, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload.at(i) ^ key[i % 4]));
    return frame;
}

QByteArray closePayload(quint16 code, const QByteArray &reason = QByteArray())
{
    return QByteArray(1, char(code >> 8)) + char(code & 0xFF) + reason;
}

struct Decoded
{
    QByteArrayList messages;
    QList<LineEnding> endings;
    QByteArray replies;
};

// Feeds @p input in pieces of @p pieceSize bytes (0: all at once) to @p codec.
Decoded decode(WebSocketCodec &codec, const QByteArray &input, qsizetype pieceSize = 0)
{
    MessageBatch batch;
    Decoded out;
    const qsizetype step = pieceSize > 0 ? pieceSize : std::max<qsizetype>(input.size(), 1);
    for (qsizetype at = 0; at < input.size(); at += step) {
        batch.clear();
        codec.feed(QByteArrayView(input).sliced(at, std::min(step, input.size() - at)), batch);
        for (qsizetype i = 0; i < batch.count(); ++i) {
            out.messages.append(batch.payload(i).toByteArray());
            out.endings.append(batch.ending(i));
        }
        out.replies += codec.takeReplies();
    }
    return out;
}

} // namespace

class tst_WebSocketCodec : public QObject
{
    Q_OBJECT

private slots:
    void cutAnywhere_data();
    void cutAnywhere();
    void unmasksEveryLengthAndOffset();
    void breaches_data();
    void breaches();
    void oversizeIsRefusedBeforeItsPayload();
    void closeFrames_data();
    void closeFrames();
    void nothingIsReadAfterClose();
    void serverFrameLengths_data();
    void serverFrameLengths();
    void closeReasonIsCutBetweenCharacters();
};

// Messages of every kind and length form, fragmented with a ping in the middle: the same
// messages and the same pong come out however the bytes are cut.
void tst_WebSocketCodec::cutAnywhere_data()
{
    QTest::addColumn<qsizetype>("pieceSize");
    for (const qsizetype size : {0, 1, 2, 3, 5, 7, 13, 64, 100})
        QTest::addRow("pieces of %lld", qlonglong(size)) << size;
}

void tst_WebSocketCodec::cutAnywhere()
{
    QFETCH(qsizetype, pieceSize);
    const QByteArray big(300, 'b'); // a 16-bit length
    const QByteArray input = clientFrame(WebSocketCodec::Text, "hello")
        + clientFrame(WebSocketCodec::Binary, big)
        + clientFrame(WebSocketCodec::Text, "caf\xc3", false) // "é" cut in two
        + clientFrame(WebSocketCodec::Ping, "are you there")
        + clientFrame(WebSocketCodec::Continuation, "\xa9 au", false)
        + clientFrame(WebSocketCodec::Continuation, " lait", true)
        + clientFrame(WebSocketCodec::Binary, QByteArray("\0\xff", 2), true, true, true)
        + clientFrame(WebSocketCodec::Text, QByteArray())
        + clientFrame(WebSocketCodec::Pong, "unasked");
    WebSocketCodec codec(kMax);
    const Decoded out = decode(codec, input, pieceSize);
    QCOMPARE(codec.state(), WebSocketCodec::State::Open);
    QCOMPARE(out.messages,
        QByteArrayList({"hello", big, "caf\xc3\xa9 au lait", QByteArray("\0\xff", 2), ""}));
    QCOMPARE(out.endings,
        QList<LineEnding>({LineEnding::TextMessage, LineEnding::BinaryMessage,
            LineEnding::TextMessage, LineEnding::BinaryMessage, LineEnding::TextMessage}));
    QByteArray pong;
    WebSocketCodec::appendFrame(pong, WebSocketCodec::Pong, "are you there");
    QCOMPARE(out.replies, pong);
}

// The mask is applied eight bytes at a time from wherever a piece starts: every length and
// every starting offset must give the payload back.
void tst_WebSocketCodec::unmasksEveryLengthAndOffset()
{
    QByteArray payload;
    for (int i = 0; i < 40; ++i)
        payload.append(char(i * 37 + 11));
    for (qsizetype length = 0; length <= payload.size(); ++length) {
        for (qsizetype cut = 0; cut <= std::min<qsizetype>(length, 9); ++cut) {
            const QByteArray frame = clientFrame(WebSocketCodec::Binary, payload.left(length));
            const qsizetype payloadAt = frame.size() - length;
            WebSocketCodec codec(kMax);
            MessageBatch batch;
            codec.feed(QByteArrayView(frame).first(payloadAt + cut), batch);
            codec.feed(QByteArrayView(frame).sliced(payloadAt + cut), batch);
            QCOMPARE(batch.count(), 1);
            QCOMPARE(batch.payload(0).toByteArray(), payload.left(length));
        }
    }
}

void tst_WebSocketCodec::breaches_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("code");
    const int protocol = WebSocketCodec::kProtocolError;
    QTest::newRow("not masked") << clientFrame(WebSocketCodec::Text, "hi", true, false) << protocol;
    for (const int rsv : {0x40, 0x20, 0x10}) {
        QByteArray frame = clientFrame(WebSocketCodec::Text, "hi");
        frame[0] = char(frame[0] | rsv);
        QTest::addRow("reserved bit %x", rsv) << frame << protocol;
    }
    for (const int opcode : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
        QTest::addRow("opcode %x", opcode) << clientFrame(quint8(opcode), "x") << protocol;
    QTest::newRow("continuation first")
        << clientFrame(WebSocketCodec::Continuation, "x") << protocol;
    QTest::newRow("new message before the last ended")
        << clientFrame(WebSocketCodec::Text, "a", false) + clientFrame(WebSocketCodec::Text, "b")
        << protocol;
    QTest::newRow("fragmented ping") << clientFrame(WebSocketCodec::Ping, "p", false) << protocol;
    QTest::newRow("ping over 125 bytes")
        << clientFrame(WebSocketCodec::Ping, QByteArray(126, 'p')) << protocol;
    QByteArray huge = clientFrame(WebSocketCodec::Binary, "x", true, true, true);
    huge[2] = char(0x80); // the most significant bit of the 64-bit length
    QTest::newRow("length over 2^63") << huge << protocol;
    QTest::newRow("invalid UTF-8")
        << clientFrame(WebSocketCodec::Text, "a\xff") << int(WebSocketCodec::kInvalidPayload);
    QTest::newRow("invalid UTF-8 across fragments")
        << clientFrame(WebSocketCodec::Text, "caf\xc3", false)
            + clientFrame(WebSocketCodec::Continuation, "(")
        << int(WebSocketCodec::kInvalidPayload);
    QTest::newRow("UTF-8 left unfinished")
        << clientFrame(WebSocketCodec::Text, "caf\xc3") << int(WebSocketCodec::kInvalidPayload);
    QTest::newRow("too long") << clientFrame(WebSocketCodec::Binary, QByteArray(kMax + 1, 'x'))
                              << int(WebSocketCodec::kMessageTooBig);
    QTest::newRow("too long in fragments")
        << clientFrame(WebSocketCodec::Binary, QByteArray(kMax, 'x'), false)
            + clientFrame(WebSocketCodec::Continuation, "x")
        << int(WebSocketCodec::kMessageTooBig);
    QTest::newRow("close with a 1-byte body")
        << clientFrame(WebSocketCodec::Close, "\x03") << protocol;
    for (const int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535})
        QTest::addRow("close code %d", code)
            << clientFrame(WebSocketCodec::Close, closePayload(quint16(code))) << protocol;
    QTest::newRow("close reason not UTF-8")
        << clientFrame(WebSocketCodec::Close, closePayload(1000, "\xc3")) << 1007;
}

// Each breach ends reading, with the code to close with and words for the log; whatever
// came before it is still delivered, nothing after it.
void tst_WebSocketCodec::breaches()
{
    QFETCH(QByteArray, input);
    QFETCH(int, code);
    WebSocketCodec codec(kMax);
    const Decoded out = decode(codec,
        clientFrame(WebSocketCodec::Text, "before") + input
            + clientFrame(WebSocketCodec::Text, "after"));
    QCOMPARE(codec.state(), WebSocketCodec::State::Failed);
    QCOMPARE(int(codec.closeCode()), code);
    QVERIFY(!codec.error().isEmpty());
    QCOMPARE(out.messages, QByteArrayList{"before"});
}

// A header that announces more than the maximum is refused at once: its payload is never
// waited for, nor held.
void tst_WebSocketCodec::oversizeIsRefusedBeforeItsPayload()
{
    const QByteArray frame = clientFrame(WebSocketCodec::Binary, QByteArray(1 << 20, 'x'));
    WebSocketCodec codec(kMax);
    MessageBatch batch;
    codec.feed(QByteArrayView(frame).first(14), batch); // the header only
    QCOMPARE(codec.state(), WebSocketCodec::State::Failed);
    QCOMPARE(codec.closeCode(), WebSocketCodec::kMessageTooBig);
    QCOMPARE(codec.error(), QStringLiteral("sent a message longer than 1024 bytes"));
}

void tst_WebSocketCodec::closeFrames_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("code");
    QTest::newRow("no body") << QByteArray() << int(WebSocketCodec::kNoStatusReceived);
    for (const int code : {1000, 1001, 1003, 1007, 1011, 1014, 3000, 4999})
        QTest::addRow("code %d", code) << closePayload(quint16(code), "bye") << code;
}

void tst_WebSocketCodec::closeFrames()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, code);
    WebSocketCodec codec(kMax);
    decode(codec, clientFrame(WebSocketCodec::Close, payload));
    QCOMPARE(codec.state(), WebSocketCodec::State::Closed);
    QCOMPARE(int(codec.closeCode()), code);
}

// After the client's Close, nothing it sends counts: not a message, not a ping.
void tst_WebSocketCodec::nothingIsReadAfterClose()
{
    WebSocketCodec codec(kMax);
    const Decoded out = decode(codec,
        clientFrame(WebSocketCodec::Close, closePayload(1000))
            + clientFrame(WebSocketCodec::Text, "late") + clientFrame(WebSocketCodec::Ping, "p")
            + QByteArray("garbage"));
    QCOMPARE(codec.state(), WebSocketCodec::State::Closed);
    QVERIFY(out.messages.isEmpty());
    QVERIFY(out.replies.isEmpty());
}

void tst_WebSocketCodec::serverFrameLengths_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("0") << qsizetype(0) << QByteArray("\x82\x00", 2);
    QTest::newRow("125") << qsizetype(125) << QByteArray("\x82\x7d");
    QTest::newRow("126") << qsizetype(126) << QByteArray("\x82\x7e\x00\x7e", 4);
    QTest::newRow("65535") << qsizetype(65535) << QByteArray("\x82\x7e\xff\xff");
    QTest::newRow("65536") << qsizetype(65536)
                           << QByteArray("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
}

// Server frames: FIN, not masked, the length in its shortest form (RFC 6455 section 5.2).
void tst_WebSocketCodec::serverFrameLengths()
{
    QFETCH(qsizetype, size);
    QFETCH(QByteArray, header);
    const QByteArray payload(size, 'p');
    QByteArray frame;
    WebSocketCodec::appendFrame(frame, WebSocketCodec::Binary, payload);
    QCOMPARE(frame.first(header.size()).toHex(' '), header.toHex(' '));
    QCOMPARE(frame.sliced(header.size()), payload);
}

// A Close frame's body has room for 123 bytes of reason: a longer one is cut before the
// character that would not fit whole, so the client still gets valid UTF-8.
void tst_WebSocketCodec::closeReasonIsCutBetweenCharacters()
{
    const QString reason = QString(122, u'a') + QStringLiteral("\u00e9tait"); // é at 122-123
    const QByteArray frame = WebSocketCodec::closeFrame(1000, reason);
    QCOMPARE(frame.at(0), char(0x88));
    QCOMPARE(int(frame.at(1)), 2 + 122);
    QCOMPARE(qFromBigEndian<quint16>(frame.constData() + 2), quint16(1000));
    QCOMPARE(frame.sliced(4), QByteArray(122, 'a'));
    QCOMPARE(
        WebSocketCodec::closeFrame(WebSocketCodec::kNoStatusReceived), QByteArray("\x88\x00", 2));
}

QTEST_GUILESS_MAIN(tst_WebSocketCodec)
#include "tst_websocketcodec.moc"
