// OscCodec on its own: OSC 1.0 datagrams (built here byte by byte) to text lines, every type and
// padding length, bundles and nested bundles, every malformed datagram refused with its reason;
// text lines to datagrams, by look and with forced types; round trips; and liblo's real tools,
// oscsend sending to the codec and oscdump reading what it encodes.
#include "osccodec.h"
#include "requiretool.h"
#include "testprocess.h"

#include <QDeadlineTimer>
#include <QNetworkDatagram>
#include <QStandardPaths>
#include <QTest>
#include <QUdpSocket>
#include <QtEndian>

#include <limits>

Q_DECLARE_METATYPE(OscCodec::Error)

namespace {

template<typename T> QByteArray bigEndian(T value)
{
    QByteArray bytes(qsizetype(sizeof(T)), '\0');
    qToBigEndian(value, bytes.data());
    return bytes;
}

QByteArray i32(qint32 value)
{
    return bigEndian(value);
}

QByteArray i64(qint64 value)
{
    return bigEndian(value);
}

QByteArray f32(float value)
{
    return bigEndian(value);
}

QByteArray f64(double value)
{
    return bigEndian(value);
}

// An OSC-string: the text, then one to four NULs up to a multiple of 4 bytes.
QByteArray str(const QByteArray &text)
{
    QByteArray bytes = text + '\0';
    while (bytes.size() % 4 != 0)
        bytes += '\0';
    return bytes;
}

QByteArray blob(const QByteArray &bytes)
{
    QByteArray out = i32(qint32(bytes.size())) + bytes;
    while (out.size() % 4 != 0)
        out += '\0';
    return out;
}

QByteArray message(const QByteArray &address, const QByteArray &tags, const QByteArray &args = {})
{
    return str(address) + str(tags) + args;
}

// A bundle of @p elements, each given its size; the time tag is @p timeTag.
QByteArray bundle(const QByteArrayList &elements, quint64 timeTag = 1)
{
    QByteArray out = QByteArray("#bundle\0", 8) + bigEndian(timeTag);
    for (const QByteArray &element : elements)
        out += i32(qint32(element.size())) + element;
    return out;
}

QByteArray bytes(const char *data, qsizetype size)
{
    return QByteArray(data, size);
}

// What decode() gives for @p datagram: its error and the lines it appended.
struct Decoded
{
    OscCodec::Error error;
    QByteArrayList lines;
};

Decoded decode(const QByteArray &datagram)
{
    OscCodec codec;
    MessageBatch batch;
    Decoded out{codec.decode(datagram, batch), {}};
    for (qsizetype i = 0; i < batch.count(); ++i) {
        out.lines.append(batch.payload(i).toByteArray());
        if (batch.ending(i) != LineEnding::None)
            out.lines.append("(ending not None)");
    }
    return out;
}

// The forced types of @p specs ("/address=tags"), which must all be valid.
QList<OscCodec::TypeRule> typeRules(const QStringList &specs)
{
    QList<OscCodec::TypeRule> rules;
    for (const QString &spec : specs) {
        const std::optional<OscCodec::TypeRule> rule = OscCodec::parseTypeRule(spec);
        if (!rule)
            qFatal("bad type rule in the test: %s", qPrintable(spec));
        rules.append(*rule);
    }
    return rules;
}

// A UDP port no one uses at the moment (a tool started next listens on it).
quint16 freeUdpPort()
{
    QUdpSocket probe;
    if (!probe.bind(QHostAddress::LocalHost, 0))
        return 0;
    return probe.localPort();
}

} // namespace

class tst_OscCodec : public QObject
{
    Q_OBJECT

private slots:
    void decodeTypes_data();
    void decodeTypes();
    void padding_data();
    void padding();
    void bundles_data();
    void bundles();
    void malformed_data();
    void malformed();
    void everyCutIsRefused();
    void linesOverTheMaximumAreDropped();
    void encodeByLook_data();
    void encodeByLook();
    void notEncoded_data();
    void notEncoded();
    void forcedTypes_data();
    void forcedTypes();
    void parseTypeRule_data();
    void parseTypeRule();
    void roundTripFromLine_data();
    void roundTripFromLine();
    void roundTripFromDatagram_data();
    void roundTripFromDatagram();
    void oscsendIsDecoded_data();
    void oscsendIsDecoded();
    void oscdumpReadsEncoded_data();
    void oscdumpReadsEncoded();
};

// One message per row: each type the codec reads, at its edges, written as osccodec.h says.
void tst_OscCodec::decodeTypes_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QByteArray>("line");

    QTest::newRow("no arguments") << message("/go", ",") << QByteArray("/go");
    QTest::newRow("i 0") << message("/a", ",i", i32(0)) << QByteArray("/a 0");
    QTest::newRow("i -7") << message("/a", ",i", i32(-7)) << QByteArray("/a -7");
    QTest::newRow("i max") << message("/a", ",i", i32(std::numeric_limits<qint32>::max()))
                           << QByteArray("/a 2147483647");
    QTest::newRow("i min") << message("/a", ",i", i32(std::numeric_limits<qint32>::min()))
                           << QByteArray("/a -2147483648");
    QTest::newRow("h") << message("/a", ",h", i64(12345678901)) << QByteArray("/a 12345678901");
    QTest::newRow("h min") << message("/a", ",h", i64(std::numeric_limits<qint64>::min()))
                           << QByteArray("/a -9223372036854775808");
    QTest::newRow("f 2.5") << message("/a", ",f", f32(2.5f)) << QByteArray("/a 2.5");
    QTest::newRow("f 1 gets .0") << message("/a", ",f", f32(1.0f)) << QByteArray("/a 1.0");
    QTest::newRow("f 100 gets .0") << message("/a", ",f", f32(100.0f)) << QByteArray("/a 100.0");
    QTest::newRow("f -0") << message("/a", ",f", f32(-0.0f)) << QByteArray("/a -0.0");
    QTest::newRow("f 0.1 shortest") << message("/a", ",f", f32(0.1f)) << QByteArray("/a 0.1");
    QTest::newRow("f 1e20") << message("/a", ",f", f32(1e20f)) << QByteArray("/a 1e+20");
    QTest::newRow("f max") << message("/a", ",f", f32(std::numeric_limits<float>::max()))
                           << QByteArray("/a 3.4028235e+38");
    QTest::newRow("f smallest") << message(
        "/a", ",f", f32(std::numeric_limits<float>::denorm_min()))
                                << QByteArray("/a 1e-45");
    QTest::newRow("f inf") << message("/a", ",f", f32(std::numeric_limits<float>::infinity()))
                           << QByteArray("/a inf");
    QTest::newRow("f -inf") << message("/a", ",f", f32(-std::numeric_limits<float>::infinity()))
                            << QByteArray("/a -inf");
    QTest::newRow("f nan") << message("/a", ",f", f32(std::numeric_limits<float>::quiet_NaN()))
                           << QByteArray("/a nan");
    QTest::newRow("f -nan") << message("/a", ",f", f32(-std::numeric_limits<float>::quiet_NaN()))
                            << QByteArray("/a nan");
    QTest::newRow("d 0.1") << message("/a", ",d", f64(0.1)) << QByteArray("/a 0.1");
    QTest::newRow("d 3") << message("/a", ",d", f64(3)) << QByteArray("/a 3.0");
    QTest::newRow("d 1e300") << message("/a", ",d", f64(1e300)) << QByteArray("/a 1e+300");
    QTest::newRow("s") << message("/a", ",s", str("hi")) << QByteArray("/a hi");
    QTest::newRow("S") << message("/a", ",S", str("sym")) << QByteArray("/a sym");
    QTest::newRow("s UTF-8 as it is")
        << message("/a", ",s", str("caf\xc3\xa9")) << QByteArray("/a caf\xc3\xa9");
    QTest::newRow("s backslash inside")
        << message("/a", ",s", str("C:\\x")) << QByteArray("/a C:\\x");
    QTest::newRow("s quote inside") << message("/a", ",s", str("a\"b")) << QByteArray("/a a\"b");
    QTest::newRow("s empty") << message("/a", ",s", str("")) << QByteArray("/a \"\"");
    QTest::newRow("s space") << message("/a", ",s", str("hi there"))
                             << QByteArray("/a \"hi there\"");
    QTest::newRow("s quote first")
        << message("/a", ",s", str("\"q\\")) << QByteArray("/a \"\\\"q\\\\\"");
    QTest::newRow("s controls") << message("/a", ",s", str("1\n2\r3\t4\x01\x7f"))
                                << QByteArray("/a \"1\\n2\\r3\\t4\\x01\\x7f\"");
    QTest::newRow("s like an int") << message("/a", ",s", str("42")) << QByteArray("/a \"42\"");
    QTest::newRow("s like a float")
        << message("/a", ",s", str("-.5e3")) << QByteArray("/a \"-.5e3\"");
    QTest::newRow("s like a blob")
        << message("/a", ",s", str("<00ff>")) << QByteArray("/a \"<00ff>\"");
    for (const char *word : {"true", "false", "nil", "inf", "-inf", "nan"}) {
        QTest::addRow("s %s", word)
            << message("/a", ",s", str(word)) << "/a \"" + QByteArray(word) + '"';
    }
    QTest::newRow("s not quite a number")
        << message("/a", ",s", str("1.2.3")) << QByteArray("/a 1.2.3");
    QTest::newRow("s too big for int64") << message("/a", ",s", str("99999999999999999999"))
                                         << QByteArray("/a 99999999999999999999");
    QTest::newRow("s odd hex") << message("/a", ",s", str("<abc>")) << QByteArray("/a <abc>");
    QTest::newRow("c") << message("/a", ",c", i32('x')) << QByteArray("/a x");
    QTest::newRow("c space") << message("/a", ",c", i32(' ')) << QByteArray("/a \" \"");
    QTest::newRow("c digit") << message("/a", ",c", i32('7')) << QByteArray("/a \"7\"");
    QTest::newRow("c NUL") << message("/a", ",c", i32(0)) << QByteArray("/a \"\"");
    QTest::newRow("b") << message("/a", ",b", blob(bytes("\x00\xff\x7f\x10", 4)))
                       << QByteArray("/a <00ff7f10>");
    QTest::newRow("b empty") << message("/a", ",b", blob("")) << QByteArray("/a <>");
    QTest::newRow("T F N") << message("/a", ",TFN") << QByteArray("/a true false nil");
    QTest::newRow("all") << message("/x/y", ",ifsbTFNhdcS",
        i32(1) + f32(2.5f) + str("hi") + blob("\x01") + i64(-3) + f64(0.25) + i32('c') + str("S"))
                         << QByteArray("/x/y 1 2.5 hi <01> true false nil -3 0.25 c S");
    QTest::newRow("address with wildcards")
        << message("/a/*/[0-9]{x,y}?", ",") << QByteArray("/a/*/[0-9]{x,y}?");
    QTest::newRow("address UTF-8") << message("/caf\xc3\xa9", ",") << QByteArray("/caf\xc3\xa9");
    QTest::newRow("address /") << message("/", ",i", i32(1)) << QByteArray("/ 1");
}

void tst_OscCodec::decodeTypes()
{
    QFETCH(QByteArray, datagram);
    QFETCH(QByteArray, line);
    const Decoded out = decode(datagram);
    QCOMPARE(out.error, OscCodec::Error::None);
    QCOMPARE(out.lines, QByteArrayList{line});
}

// Every padding length, written out byte by byte: a string of 4n bytes needs 4 NULs; a blob of
// 4n bytes none.
void tst_OscCodec::padding_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QByteArray>("line");

    QTest::newRow("address 1+3") << bytes("/\0\0\0,\0\0\0", 8) << QByteArray("/");
    QTest::newRow("address 2+2") << bytes("/a\0\0,\0\0\0", 8) << QByteArray("/a");
    QTest::newRow("address 3+1") << bytes("/ab\0,\0\0\0", 8) << QByteArray("/ab");
    QTest::newRow("address 4+4") << bytes("/abc\0\0\0\0,\0\0\0", 12) << QByteArray("/abc");
    QTest::newRow("address 5+3") << bytes("/abcd\0\0\0,\0\0\0", 12) << QByteArray("/abcd");
    QTest::newRow("tags 1+3") << bytes("/a\0\0,\0\0\0", 8) << QByteArray("/a");
    QTest::newRow("tags 4+4") << bytes("/a\0\0,TFN\0\0\0\0", 12) << QByteArray("/a true false nil");
    QTest::newRow("tags 5+3") << bytes("/a\0\0,TFNT\0\0\0", 12)
                              << QByteArray("/a true false nil true");
    QTest::newRow("s 0+4") << bytes("/a\0\0,s\0\0\0\0\0\0", 12) << QByteArray("/a \"\"");
    QTest::newRow("s 1+3") << bytes("/a\0\0,s\0\0x\0\0\0", 12) << QByteArray("/a x");
    QTest::newRow("s 2+2") << bytes("/a\0\0,s\0\0xy\0\0", 12) << QByteArray("/a xy");
    QTest::newRow("s 3+1") << bytes("/a\0\0,s\0\0xyz\0", 12) << QByteArray("/a xyz");
    QTest::newRow("s 4+4") << bytes("/a\0\0,s\0\0wxyz\0\0\0\0", 16) << QByteArray("/a wxyz");
    QTest::newRow("s 8+4") << bytes("/a\0\0,s\0\0abcdefgh\0\0\0\0", 20)
                           << QByteArray("/a abcdefgh");
    QTest::newRow("s then i") << bytes("/a\0\0,si\0xyz\0\0\0\0\x05", 16) << QByteArray("/a xyz 5");
    QTest::newRow("b 0+0") << bytes("/a\0\0,b\0\0\0\0\0\0", 12) << QByteArray("/a <>");
    QTest::newRow("b 1+3") << bytes("/a\0\0,b\0\0\0\0\0\1\x61\0\0\0", 16) << QByteArray("/a <61>");
    QTest::newRow("b 2+2") << bytes("/a\0\0,b\0\0\0\0\0\2\x61\x62\0\0", 16)
                           << QByteArray("/a <6162>");
    QTest::newRow("b 3+1") << bytes("/a\0\0,b\0\0\0\0\0\3\x61\x62\x63\0", 16)
                           << QByteArray("/a <616263>");
    QTest::newRow("b 4+0") << bytes("/a\0\0,b\0\0\0\0\0\4\x61\x62\x63\x64", 16)
                           << QByteArray("/a <61626364>");
    QTest::newRow("b 5+3") << bytes("/a\0\0,bi\0\0\0\0\5abcde\0\0\0\0\0\0\1", 24)
                           << QByteArray("/a <6162636465> 1");
}

void tst_OscCodec::padding()
{
    QFETCH(QByteArray, datagram);
    QFETCH(QByteArray, line);
    const Decoded out = decode(datagram);
    QCOMPARE(out.error, OscCodec::Error::None);
    QCOMPARE(out.lines, QByteArrayList{line});
}

void tst_OscCodec::bundles_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QByteArrayList>("lines");

    const QByteArray a = message("/a", ",i", i32(1));
    const QByteArray b = message("/b", ",s", str("two"));
    const QByteArray c = message("/c", ",");
    QTest::newRow("empty") << bundle({}) << QByteArrayList{};
    QTest::newRow("one") << bundle({a}) << QByteArrayList{"/a 1"};
    QTest::newRow("in order") << bundle({a, b, c}) << QByteArrayList{"/a 1", "/b two", "/c"};
    QTest::newRow("time tag ignored")
        << bundle({b, a}, 0xdeadbeef12345678ULL) << QByteArrayList{"/b two", "/a 1"};
    QTest::newRow("nested, flattened where they stand")
        << bundle({a, bundle({b, bundle({c})}), c, bundle({})})
        << QByteArrayList{"/a 1", "/b two", "/c", "/c"};
    QByteArray deepest = a;
    for (int depth = 1; depth <= OscCodec::kMaxBundleDepth; ++depth)
        deepest = bundle({deepest, c});
    QTest::newRow("nested as deep as allowed")
        << deepest << QByteArrayList{"/a 1", "/c", "/c", "/c", "/c", "/c", "/c", "/c", "/c"};
}

void tst_OscCodec::bundles()
{
    QFETCH(QByteArray, datagram);
    QFETCH(QByteArrayList, lines);
    const Decoded out = decode(datagram);
    QCOMPARE(out.error, OscCodec::Error::None);
    QCOMPARE(out.lines, lines);
}

// Each malformed datagram is refused with its reason, and appends nothing: not even the messages
// of a bundle before the fault; what the batch held stays.
void tst_OscCodec::malformed_data()
{
    using Error = OscCodec::Error;
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<Error>("error");

    const QByteArray good = message("/ok", ",i", i32(1));
    QTest::newRow("empty") << QByteArray() << Error::NotOsc;
    QTest::newRow("plain text") << QByteArray("hello\n") << Error::NotOsc;
    QTest::newRow("#bundl") << QByteArray("#bundl\0\0", 8) << Error::NotOsc;
    QTest::newRow("address without NUL") << QByteArray("/abc") << Error::Truncated;
    QTest::newRow("address padding cut") << bytes("/abc\0\0", 6) << Error::Truncated;
    QTest::newRow("address padding not zero") << bytes("/a\0x,\0\0\0", 8) << Error::BadPadding;
    QTest::newRow("address with space") << message("/a b", ",") << Error::BadAddress;
    QTest::newRow("address with tab") << message("/a\tb", ",") << Error::BadAddress;
    QTest::newRow("address with DEL") << message("/a\x7f", ",") << Error::BadAddress;
    QTest::newRow("no type tags") << str("/a") << Error::MissingTypeTags;
    QTest::newRow("no type tags, arguments") << str("/a") + i32(1) << Error::MissingTypeTags;
    QTest::newRow("type tags without ','") << message("/a", "i", i32(1)) << Error::MissingTypeTags;
    QTest::newRow("type tags without NUL") << bytes("/a\0\0,iii", 8) << Error::Truncated;
    QTest::newRow("type tags padding not zero")
        << bytes("/a\0\0,i\0\1\0\0\0\1", 12) << Error::BadPadding;
    for (const char tag : QByteArray("ImtrX[]u\x01")) {
        QTest::addRow("unknown tag 0x%02x", tag) << message("/a", QByteArray(",i") + tag,
            i32(1) + i32(2) + i32(3)) << Error::UnknownTypeTag;
    }
    QTest::newRow("i cut") << message("/a", ",i", i32(1).left(3)) << Error::Truncated;
    QTest::newRow("h cut") << message("/a", ",h", i64(1).left(7)) << Error::Truncated;
    QTest::newRow("f missing") << message("/a", ",f") << Error::Truncated;
    QTest::newRow("d cut") << message("/a", ",d", f64(1).left(4)) << Error::Truncated;
    QTest::newRow("c missing") << message("/a", ",ic", i32(1)) << Error::Truncated;
    QTest::newRow("s without NUL") << message("/a", ",s", "abcd") << Error::Truncated;
    QTest::newRow("s padding cut") << message("/a", ",s", bytes("abcd\0\0", 6)) << Error::Truncated;
    QTest::newRow("s padding not zero")
        << message("/a", ",s", bytes("ab\0\1", 4)) << Error::BadPadding;
    QTest::newRow("b size missing") << message("/a", ",b") << Error::Truncated;
    QTest::newRow("b past the end") << message("/a", ",b", i32(5) + "abcd") << Error::Truncated;
    QTest::newRow("b size negative") << message("/a", ",b", i32(-4) + "abcd") << Error::Truncated;
    QTest::newRow("b size huge") << message("/a", ",b", i32(0x7fffffff) + "abcd")
                                 << Error::Truncated;
    QTest::newRow("b padding cut") << message("/a", ",b", i32(1) + "a") << Error::Truncated;
    QTest::newRow("b padding not zero")
        << message("/a", ",b", i32(1) + bytes("ab\0\0", 4)) << Error::BadPadding;
    QTest::newRow("trailing bytes") << good + i32(0) << Error::TrailingBytes;
    QTest::newRow("trailing byte") << good + '\0' << Error::TrailingBytes;
    QTest::newRow("bundle without time tag")
        << QByteArray("#bundle\0\0\0\0\0", 12) << Error::Truncated;
    QTest::newRow("bundle element size cut")
        << bundle({good}) + bytes("\0\0", 2) << Error::Truncated;
    QTest::newRow("bundle element past the end")
        << bundle({good}).chopped(4) << Error::BadBundleElement;
    QTest::newRow("bundle element size negative")
        << bundle({}) + i32(-4) + good << Error::BadBundleElement;
    QTest::newRow("bundle element size not 4n")
        << bundle({}) + i32(good.size() - 1) + good << Error::BadBundleElement;
    QTest::newRow("bundle element empty") << bundle({QByteArray()}) << Error::NotOsc;
    QTest::newRow("bundle element not OSC") << bundle({"abcd"}) << Error::NotOsc;
    QTest::newRow("bundle, then a bad message")
        << bundle({good, good, message("/a", ",m", i32(0))}) << Error::UnknownTypeTag;
    QTest::newRow("nested bundle, then a bad message")
        << bundle({good, bundle({good, str("/x")})}) << Error::MissingTypeTags;
    QByteArray tooDeep = good;
    for (int depth = 1; depth <= OscCodec::kMaxBundleDepth + 1; ++depth)
        tooDeep = bundle({good, tooDeep});
    QTest::newRow("nested too deep") << tooDeep << Error::TooDeep;
}

void tst_OscCodec::malformed()
{
    QFETCH(QByteArray, datagram);
    QFETCH(OscCodec::Error, error);
    OscCodec codec;
    MessageBatch batch;
    batch.append("already here", LineEnding::Lf);
    QCOMPARE(codec.decode(datagram, batch), error);
    QCOMPARE(batch.count(), 1);
    QCOMPARE(batch.payload(0), "already here");
    QVERIFY(!OscCodec::errorText(error).isEmpty());
    QVERIFY(OscCodec::errorText(error) != OscCodec::errorText(OscCodec::Error::None));

    // The same codec and batch go on decoding good datagrams after a refusal.
    QCOMPARE(codec.decode(message("/next", ",i", i32(2)), batch), OscCodec::Error::None);
    QCOMPARE(batch.count(), 2);
    QCOMPARE(batch.payload(1), "/next 2");
}

// A message whose line would be longer than the maximum is left out and counted, its bundle's
// others kept; a malformed datagram counts nothing, even for the long lines before its fault.
void tst_OscCodec::linesOverTheMaximumAreDropped()
{
    OscCodec codec({}, 9);
    MessageBatch batch;
    QCOMPARE(codec.decode(message("/a", ",i", i32(12345)), batch), OscCodec::Error::None);
    QCOMPARE(codec.droppedLines(), 0); // "/a 12345", 8 bytes
    QCOMPARE(codec.decode(bundle({message("/a", ",i", i32(1234567)),
                              message("/b", ",b", blob("\x01\x02")), message("/c", ",")}),
                 batch),
        OscCodec::Error::None);
    QCOMPARE(batch.count(), 3);
    QCOMPARE(batch.payload(0), "/a 12345");
    QCOMPARE(batch.payload(1), "/b <0102>");
    QCOMPARE(batch.payload(2), "/c");
    QCOMPARE(codec.droppedLines(), 1); // "/a 1234567", 10 bytes
    QCOMPARE(codec.decode(message("/b", ",b", blob("\x01\x02\x03")), batch), OscCodec::Error::None);
    QCOMPARE(codec.droppedLines(), 2); // "/b <010203>": a blob's line is twice its size
    QCOMPARE(batch.count(), 3);

    QCOMPARE(codec.decode(bundle({message("/a", ",i", i32(1234567)), str("/x")}), batch),
        OscCodec::Error::MissingTypeTags);
    QCOMPARE(codec.droppedLines(), 2);
    QCOMPARE(batch.count(), 3);
}

// A message cut after any of its bytes is refused (a message has no valid prefix).
void tst_OscCodec::everyCutIsRefused()
{
    const QByteArray whole = message("/all/types", ",ifsbTFNhdcS",
        i32(1) + f32(2.5f) + str("hello") + blob("\x01\x02\x03") + i64(-3) + f64(0.25) + i32('c')
            + str("sym"));
    QCOMPARE(decode(whole).error, OscCodec::Error::None);
    for (qsizetype size = 0; size < whole.size(); ++size) {
        const Decoded cut = decode(whole.first(size));
        if (cut.error == OscCodec::Error::None || !cut.lines.isEmpty())
            QFAIL(qPrintable(QStringLiteral("cut at %1 bytes was accepted").arg(size)));
    }
}

void tst_OscCodec::encodeByLook_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QByteArray>("datagram");

    QTest::newRow("address only") << QByteArray("/go") << message("/go", ",");
    QTest::newRow("address /") << QByteArray("/") << message("/", ",");
    QTest::newRow("trailing spaces") << QByteArray("/go  \t ") << message("/go", ",");
    QTest::newRow("int") << QByteArray("/a 42") << message("/a", ",i", i32(42));
    QTest::newRow("int signs") << QByteArray("/a -7 +7 007")
                               << message("/a", ",iii", i32(-7) + i32(7) + i32(7));
    QTest::newRow("int 32 bits") << QByteArray("/a 2147483647 -2147483648")
                                 << message("/a", ",ii", i32(2147483647) + i32(-2147483647 - 1));
    QTest::newRow("int 64 bits") << QByteArray("/a 2147483648")
                                 << message("/a", ",h", i64(2147483648LL));
    QTest::newRow("int too big") << QByteArray("/a 9223372036854775808")
                                 << message("/a", ",s", str("9223372036854775808"));
    QTest::newRow("float") << QByteArray("/a 2.5") << message("/a", ",f", f32(2.5f));
    QTest::newRow("float forms") << QByteArray("/a 1.0 1. .5 -0.25 1e3 2E-2 +1.5e+1")
                                 << message("/a", ",fffffff",
                                        f32(1) + f32(1) + f32(0.5f) + f32(-0.25f) + f32(1000)
                                            + f32(0.02f) + f32(15));
    QTest::newRow("float words") << QByteArray("/a inf -inf")
                                 << message("/a", ",ff",
                                        f32(std::numeric_limits<float>::infinity())
                                            + f32(-std::numeric_limits<float>::infinity()));
    QTest::newRow("float too big") << QByteArray("/a 1e39") << message("/a", ",s", str("1e39"));
    QTest::newRow("float too small") << QByteArray("/a 1e-50") << message("/a", ",s", str("1e-50"));
    QTest::newRow("float denormal") << QByteArray(
        "/a 1e-45") << message("/a", ",f", f32(std::numeric_limits<float>::denorm_min()));
    QTest::newRow("not numbers") << QByteArray("/a 1.2.3 1e . - e5 0x10 1,5")
                                 << message("/a", ",sssssss",
                                        str("1.2.3") + str("1e") + str(".") + str("-") + str("e5")
                                            + str("0x10") + str("1,5"));
    QTest::newRow("words") << QByteArray("/a true false nil") << message("/a", ",TFN");
    QTest::newRow("words are exact") << QByteArray(
        "/a True NIL nan-") << message("/a", ",sss", str("True") + str("NIL") + str("nan-"));
    QTest::newRow("blob") << QByteArray("/a <00fF7f>")
                          << message("/a", ",b", blob(bytes("\x00\xff\x7f", 3)));
    QTest::newRow("blob empty") << QByteArray("/a <>") << message("/a", ",b", blob(""));
    QTest::newRow("not blobs") << QByteArray("/a <abc> <xy> <a")
                               << message("/a", ",sss", str("<abc>") + str("<xy>") + str("<a"));
    QTest::newRow("string") << QByteArray("/a hello") << message("/a", ",s", str("hello"));
    QTest::newRow("string of 4n bytes")
        << QByteArray("/a four") << message("/a", ",s", str("four"));
    QTest::newRow("quotes inside a word")
        << QByteArray("/a a\"b C:\\x") << message("/a", ",ss", str("a\"b") + str("C:\\x"));
    QTest::newRow("quoted") << QByteArray("/a \"hi there\"")
                            << message("/a", ",s", str("hi there"));
    QTest::newRow("quoted number stays a string")
        << QByteArray("/a \"42\" \"true\" \"<00>\"")
        << message("/a", ",sss", str("42") + str("true") + str("<00>"));
    QTest::newRow("quoted empty") << QByteArray("/a \"\"") << message("/a", ",s", str(""));
    QTest::newRow("escapes") << QByteArray("/a \"\\\"\\\\\\n\\r\\t\\x01\\x7F\\xc3\\xA9\"")
                             << message("/a", ",s", str("\"\\\n\r\t\x01\x7f\xc3\xa9"));
    QTest::newRow("separators") << QByteArray("/a\t1  \t\"x y\"\t2")
                                << message("/a", ",isi", i32(1) + str("x y") + i32(2));
    QTest::newRow("everything") << QByteArray("/x/y 1 2.5 hi <01> true false nil")
                                << message("/x/y", ",ifsbTFN",
                                       i32(1) + f32(2.5f) + str("hi") + blob("\x01"));
}

void tst_OscCodec::encodeByLook()
{
    QFETCH(QByteArray, line);
    QFETCH(QByteArray, datagram);
    OscCodec codec;
    QByteArray out = "left from before";
    QVERIFY(codec.encode(line, out));
    QCOMPARE(out, datagram);
}

void tst_OscCodec::notEncoded_data()
{
    QTest::addColumn<QByteArray>("line");

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("plain text") << QByteArray("hello /a");
    QTest::newRow("space first") << QByteArray(" /a 1");
    QTest::newRow("bundle") << QByteArray("#bundle");
    QTest::newRow("control in the address") << QByteArray("/a\x01z 1");
    QTest::newRow("DEL in the address") << QByteArray("/a\x7f");
    QTest::newRow("NUL in the address") << QByteArray("/a\0b", 4);
    QTest::newRow("NUL in a string") << QByteArray("/a b\0c", 6);
    QTest::newRow("NUL escaped in a string") << QByteArray("/a \"b\\x00c\"");
    QTest::newRow("unfinished quote") << QByteArray("/a \"hi");
    QTest::newRow("unfinished quote after escape") << QByteArray("/a \"hi\\\"");
    QTest::newRow("text after the quote") << QByteArray("/a \"hi\"x");
    QTest::newRow("unknown escape") << QByteArray("/a \"\\q\"");
    QTest::newRow("escape at the end") << QByteArray("/a \"\\");
    QTest::newRow("short hex escape") << QByteArray("/a \"\\x4\"");
    QTest::newRow("bad hex escape") << QByteArray("/a \"\\xg0\"");
}

void tst_OscCodec::notEncoded()
{
    QFETCH(QByteArray, line);
    OscCodec codec;
    QByteArray out;
    QVERIFY(!codec.encode(line, out));
}

// --osc-types: the forced tags of the line's address type its arguments, the rest by look.
void tst_OscCodec::forcedTypes_data()
{
    QTest::addColumn<QStringList>("rules");
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QByteArray>("datagram"); // empty: not encoded

    const QStringList rules{"/light/level=f", "/mix=ifdh", "/say=sS", "/key=c", "/raw=b", "/a=b=s"};
    QTest::newRow("whole number as float")
        << rules << QByteArray("/light/level 1") << message("/light/level", ",f", f32(1));
    QTest::newRow("float as float")
        << rules << QByteArray("/light/level 0.5") << message("/light/level", ",f", f32(0.5f));
    QTest::newRow("word as float")
        << rules << QByteArray("/light/level -inf")
        << message("/light/level", ",f", f32(-std::numeric_limits<float>::infinity()));
    QTest::newRow("quoted number as float")
        << rules << QByteArray("/light/level \"2\"") << message("/light/level", ",f", f32(2));
    QTest::newRow("fewer tags than arguments")
        << rules << QByteArray("/light/level 1 2 x")
        << message("/light/level", ",fis", f32(1) + i32(2) + str("x"));
    QTest::newRow("more tags than arguments")
        << rules << QByteArray("/mix 1 2") << message("/mix", ",if", i32(1) + f32(2));
    QTest::newRow("no arguments") << rules << QByteArray("/mix") << message("/mix", ",");
    QTest::newRow("i f d h") << rules << QByteArray("/mix 1 2 0.1 2")
                             << message("/mix", ",ifdh", i32(1) + f32(2) + f64(0.1) + i64(2));
    QTest::newRow("other address: by look")
        << rules << QByteArray("/light 1") << message("/light", ",i", i32(1));
    QTest::newRow("address prefix: by look")
        << rules << QByteArray("/light/level/x 1") << message("/light/level/x", ",i", i32(1));
    QTest::newRow("numbers and words as strings")
        << rules << QByteArray("/say 42 true") << message("/say", ",sS", str("42") + str("true"));
    QTest::newRow("c") << rules << QByteArray("/key A") << message("/key", ",c", i32('A'));
    QTest::newRow("c quoted") << rules << QByteArray("/key \" \"")
                              << message("/key", ",c", i32(' '));
    QTest::newRow("b hex") << rules << QByteArray("/raw <0102>")
                           << message("/raw", ",b", blob("\x01\x02"));
    QTest::newRow("b text") << rules << QByteArray("/raw \"hi\\x00\"")
                            << message("/raw", ",b", blob(QByteArray("hi\0", 3)));
    QTest::newRow("address with =")
        << rules << QByteArray("/a=b 1") << message("/a=b", ",s", str("1"));

    QTest::newRow("i refuses a float") << rules << QByteArray("/mix 1.5") << QByteArray();
    QTest::newRow("i refuses 2^31") << rules << QByteArray("/mix 2147483648") << QByteArray();
    QTest::newRow("i refuses text") << rules << QByteArray("/mix x") << QByteArray();
    QTest::newRow("f refuses text") << rules << QByteArray("/light/level bright") << QByteArray();
    QTest::newRow("f refuses too big") << rules << QByteArray("/light/level 1e39") << QByteArray();
    QTest::newRow("h refuses 2^63")
        << rules << QByteArray("/mix 1 2 3 9223372036854775808") << QByteArray();
    QTest::newRow("c refuses two bytes") << rules << QByteArray("/key AB") << QByteArray();
    QTest::newRow("c refuses none") << rules << QByteArray("/key \"\"") << QByteArray();
    QTest::newRow("s refuses NUL") << rules << QByteArray("/say \"\\x00\"") << QByteArray();
}

void tst_OscCodec::forcedTypes()
{
    QFETCH(QStringList, rules);
    QFETCH(QByteArray, line);
    QFETCH(QByteArray, datagram);
    OscCodec codec(typeRules(rules));
    QByteArray out;
    QCOMPARE(codec.encode(line, out), !datagram.isEmpty());
    if (!datagram.isEmpty())
        QCOMPARE(out, datagram);
}

void tst_OscCodec::parseTypeRule_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QByteArray>("address");
    QTest::addColumn<QByteArray>("tags");

    QTest::newRow("one") << "/light/level=f" << true << QByteArray("/light/level")
                         << QByteArray("f");
    QTest::newRow("every tag") << "/a=ihfdsScb" << true << QByteArray("/a")
                               << QByteArray("ihfdsScb");
    QTest::newRow("= in the address")
        << "/a=b=if" << true << QByteArray("/a=b") << QByteArray("if");
    QTest::newRow("UTF-8 address")
        << QStringLiteral("/caf\u00e9=s") << true << QByteArray("/caf\xc3\xa9") << QByteArray("s");
    QTest::newRow("no =") << "/a" << false << QByteArray() << QByteArray();
    QTest::newRow("no tags") << "/a=" << false << QByteArray() << QByteArray();
    QTest::newRow("no address") << "=f" << false << QByteArray() << QByteArray();
    QTest::newRow("address without /") << "a=f" << false << QByteArray() << QByteArray();
    QTest::newRow("space in address") << "/a b=f" << false << QByteArray() << QByteArray();
    QTest::newRow("tag T") << "/a=T" << false << QByteArray() << QByteArray();
    QTest::newRow("tag unknown") << "/a=ix" << false << QByteArray() << QByteArray();
    QTest::newRow("tag with a comma") << "/a=,i" << false << QByteArray() << QByteArray();
}

void tst_OscCodec::parseTypeRule()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QByteArray, address);
    QFETCH(QByteArray, tags);
    const std::optional<OscCodec::TypeRule> rule = OscCodec::parseTypeRule(text);
    QCOMPARE(rule.has_value(), valid);
    if (valid) {
        QCOMPARE(rule->address, address);
        QCOMPARE(rule->tags, tags);
    }
}

// A line as decode() writes it is encoded and decoded back to itself, and encoding it again
// gives the same datagram.
void tst_OscCodec::roundTripFromLine_data()
{
    QTest::addColumn<QByteArray>("line");

    for (const char *line : {"/go", "/a 1 -2 2147483647 -2147483648 9223372036854775807",
             "/a 2.5 1.0 -0.0 0.1 1e+20 3.4028235e+38 1e-45 1.1754944e-38 inf -inf nan",
             "/a hi \"hi there\" \"\" \"42\" \"true\" \"nan\" \"<00>\" \"\\\"x\" a\"b \\ C:\\x",
             "/a \"\\n\\r\\t\\x01\\x1f\\x7f\" caf\xc3\xa9 \xff\xfe", "/a <> <00> <0102030405>",
             "/a true false nil", "/a/*/{b,c} 1.5 x <ff> true"})
        QTest::newRow(line) << QByteArray(line);
}

void tst_OscCodec::roundTripFromLine()
{
    QFETCH(QByteArray, line);
    OscCodec codec;
    QByteArray datagram;
    QVERIFY(codec.encode(line, datagram));
    MessageBatch batch;
    QCOMPARE(codec.decode(datagram, batch), OscCodec::Error::None);
    QCOMPARE(batch.count(), 1);
    QCOMPARE(batch.payload(0), line);
    QByteArray again;
    QVERIFY(codec.encode(batch.payload(0), again));
    QCOMPARE(again, datagram);
}

// A datagram of the types encode() writes by look is decoded and encoded back to itself.
void tst_OscCodec::roundTripFromDatagram_data()
{
    QTest::addColumn<QByteArray>("datagram");

    QTest::newRow("no arguments") << message("/go", ",");
    QTest::newRow("i") << message("/a", ",iii", i32(0) + i32(-1) + i32(1234567));
    QTest::newRow("h beyond 32 bits") << message("/a", ",hh", i64(1LL << 40) + i64(-(1LL << 33)));
    QTest::newRow("f") << message("/a", ",fffff",
        f32(0.1f) + f32(-3.0f) + f32(1.17549435e-38f) + f32(6.0e-39f) + f32(16777217.0f));
    QTest::newRow("s") << message("/a", ",ssss", str("x") + str("a b") + str("") + str("3.0"));
    QTest::newRow("b") << message("/a", ",bb", blob(bytes("\0\1\2", 3)) + blob(""));
    QTest::newRow("T F N") << message("/a", ",TFN");
    QTest::newRow("mixed") << message("/m", ",sifbT", str("\t") + i32(7) + f32(7) + blob("7"));
}

void tst_OscCodec::roundTripFromDatagram()
{
    QFETCH(QByteArray, datagram);
    OscCodec codec;
    MessageBatch batch;
    QCOMPARE(codec.decode(datagram, batch), OscCodec::Error::None);
    QCOMPARE(batch.count(), 1);
    QByteArray encoded;
    QVERIFY(codec.encode(batch.payload(0), encoded));
    QCOMPARE(encoded, datagram);
}

// liblo's oscsend, the real tool, sends to a UDP socket here; the codec reads what it sent.
void tst_OscCodec::oscsendIsDecoded_data()
{
    QTest::addColumn<QStringList>("arguments"); // after the URL: address, types, values
    QTest::addColumn<QByteArray>("line"); // empty: refused as UnknownTypeTag

    QTest::newRow("ifsTFN") << QStringList{"/addr", "ifsTFN", "1", "2.5", "hi"}
                            << QByteArray("/addr 1 2.5 hi true false nil");
    QTest::newRow("hdcS") << QStringList{"/x/y", "hdcS", "12345678901", "0.1", "c", "sym"}
                          << QByteArray("/x/y 12345678901 0.1 c sym");
    QTest::newRow("quoted string")
        << QStringList{"/s", "sf", "hi there", "1"} << QByteArray("/s \"hi there\" 1.0");
    QTest::newRow("no arguments") << QStringList{"/go"} << QByteArray("/go");
    QTest::newRow("I is refused") << QStringList{"/i", "I"} << QByteArray();
    QTest::newRow("m is refused") << QStringList{"/m", "m", "00112233"} << QByteArray();
}

void tst_OscCodec::oscsendIsDecoded()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, line);
    const QString oscsend = QStandardPaths::findExecutable(QStringLiteral("oscsend"));
    REQUIRE_TOOL(!oscsend.isEmpty(), "liblo-tools", "oscsend, from liblo");

    QUdpSocket socket;
    QVERIFY(socket.bind(QHostAddress::LocalHost, 0));
    const ProgramResult sent = runToEnd(oscsend,
        QStringList{QStringLiteral("osc.udp://127.0.0.1:%1").arg(socket.localPort())} + arguments);
    QVERIFY2(sent.exitCode == 0, qPrintable(sent.out + sent.err));
    QTRY_VERIFY(socket.hasPendingDatagrams());
    const QNetworkDatagram datagram = socket.receiveDatagram();

    OscCodec codec;
    MessageBatch batch;
    const OscCodec::Error error = codec.decode(datagram.data(), batch);
    if (line.isEmpty()) {
        QCOMPARE(error, OscCodec::Error::UnknownTypeTag);
        QCOMPARE(batch.count(), 0);
        return;
    }
    QCOMPARE(error, OscCodec::Error::None);
    QCOMPARE(batch.count(), 1);
    QCOMPARE(batch.payload(0), line);
}

// What encode() makes, sent to liblo's oscdump (the real tool): it prints the message as read.
void tst_OscCodec::oscdumpReadsEncoded_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("printed"); // oscdump's line, after its time tag

    QTest::newRow("by look") << QByteArray("/addr 1 2.5 \"hi there\" true false nil")
                             << "/addr ifsTFN 1 2.500000 \"hi there\" #T #F Nil";
    QTest::newRow("64 bits, blob") << QByteArray("/x/y 12345678901 <616263> <>")
                                   << "/x/y hbb 12345678901 [3b 0x61 0x62 0x63] [0b ]";
    QTest::newRow("no arguments") << QByteArray("/go") << "/go ";
    QTest::newRow("4n-byte string") << QByteArray("/abc four") << "/abc s \"four\"";
}

void tst_OscCodec::oscdumpReadsEncoded()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, printed);
    const QString oscdump = QStandardPaths::findExecutable(QStringLiteral("oscdump"));
    REQUIRE_TOOL(!oscdump.isEmpty(), "liblo-tools", "oscdump, from liblo");

    OscCodec codec;
    QByteArray datagram;
    QVERIFY(codec.encode(line, datagram));

    // oscdump takes a port, not an address (a host makes it join a multicast group); it listens
    // on every interface, and the datagram goes to loopback only.
    const quint16 port = freeUdpPort();
    QVERIFY(port != 0);
    TestProcess dump;
    QVERIFY(dump.start(oscdump, {QStringLiteral("-L"), QString::number(port)}));
    // Sent again until oscdump prints it: nothing says when it is listening.
    QUdpSocket sender;
    const QRegularExpression printedLine(
        QStringLiteral("^[0-9a-f]{8}\\.[0-9a-f]{8} (.*)$"), QRegularExpression::MultilineOption);
    QRegularExpressionMatch match;
    QDeadlineTimer deadline(10000);
    while (!match.hasMatch() && !deadline.hasExpired()) {
        sender.writeDatagram(datagram, QHostAddress::LocalHost, port);
        dump.process().waitForReadyRead(200);
        match = printedLine.match(dump.output());
    }
    QVERIFY2(match.hasMatch(), qPrintable(dump.output()));
    QCOMPARE(match.captured(1), printed);
}

QTEST_GUILESS_MAIN(tst_OscCodec)
#include "tst_osccodec.moc"
