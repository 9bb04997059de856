// FrameCodec: a client's byte stream cut into messages (auto and exact terminators), oversize
// messages dropped, many messages in one read, the terminator names; as tables.
#include "framecodec.h"

#include <QTest>

using Endings = QList<LineEnding>;
Q_DECLARE_METATYPE(LineEnding)
Q_DECLARE_METATYPE(Terminator)

namespace {

const Terminator kAuto = Terminator::autoDetect();

Terminator exact(const QByteArray &bytes)
{
    return Terminator::exact(bytes);
}

struct Decoded
{
    QByteArrayList messages;
    Endings endings;
    QByteArray tail;
    qint64 dropped = 0;
    qsizetype largestPending = 0;
};

// Feeds input in pieces of pieceSize bytes (0: all at once) and collects what comes out.
Decoded decode(const Terminator &terminator, const QByteArray &input, qsizetype pieceSize,
    qsizetype maxMessageBytes = 1024)
{
    FrameCodec codec(terminator, maxMessageBytes);
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
        out.largestPending = std::max(out.largestPending, codec.pendingBytes());
    }
    out.tail = codec.takeUnterminated(); // counts a tail over the maximum as dropped
    out.dropped = codec.droppedMessages();
    return out;
}

} // namespace

class tst_FrameCodec : public QObject
{
    Q_OBJECT

private slots:
    void split_data();
    void split();
    void oversize_data();
    void oversize();
    void manyMessagesInOneRead();
    void takeUnterminatedForgets();
    void terminatorNames_data();
    void terminatorNames();
};

void tst_FrameCodec::split_data()
{
    QTest::addColumn<Terminator>("terminator");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArrayList>("messages");
    QTest::addColumn<Endings>("endings");
    QTest::addColumn<QByteArray>("tail");

    using E = LineEnding;
    QTest::newRow("auto: lf") << kAuto << QByteArray("a\nbc\n") << QByteArrayList{"a", "bc"}
                              << Endings{E::Lf, E::Lf} << QByteArray();
    QTest::newRow("auto: crlf") << kAuto << QByteArray("a\r\nb\r\n") << QByteArrayList{"a", "b"}
                                << Endings{E::CrLf, E::CrLf} << QByteArray();
    QTest::newRow("auto: nul") << kAuto << QByteArrayLiteral("a\0b\0") << QByteArrayList{"a", "b"}
                               << Endings{E::Nul, E::Nul} << QByteArray();
    QTest::newRow("auto: mixed") << kAuto << QByteArrayLiteral("a\nb\r\nc\0")
                                 << QByteArrayList{"a", "b", "c"} << Endings{E::Lf, E::CrLf, E::Nul}
                                 << QByteArray();
    QTest::newRow("auto: lone cr is data")
        << kAuto << QByteArray("a\rb\n") << QByteArrayList{"a\rb"} << Endings{E::Lf}
        << QByteArray();
    QTest::newRow("auto: cr before nul is data")
        << kAuto << QByteArrayLiteral("a\r\0") << QByteArrayList{"a\r"} << Endings{E::Nul}
        << QByteArray();
    QTest::newRow("auto: empty messages") << kAuto << QByteArray("\n\r\n") << QByteArrayList{"", ""}
                                          << Endings{E::Lf, E::CrLf} << QByteArray();
    QTest::newRow("auto: tail") << kAuto << QByteArray("a\nbc") << QByteArrayList{"a"}
                                << Endings{E::Lf} << QByteArray("bc");
    QTest::newRow("auto: cr waiting for lf")
        << kAuto << QByteArray("a\r") << QByteArrayList{} << Endings{} << QByteArray("a\r");
    QTest::newRow("auto: binary") << kAuto << QByteArray("\xff\xfe\x01\n")
                                  << QByteArrayList{"\xff\xfe\x01"} << Endings{E::Lf}
                                  << QByteArray();
    QTest::newRow("auto: only a tail")
        << kAuto << QByteArray("no end") << QByteArrayList{} << Endings{} << QByteArray("no end");
    QTest::newRow("exact 0,14") << exact(QByteArrayLiteral("\0\x0e"))
                                << QByteArrayLiteral("a\0\x0e"
                                                     "b\nc\0\x0e")
                                << QByteArrayList{"a", "b\nc"} << Endings{E::Exact, E::Exact}
                                << QByteArray();
    QTest::newRow("exact: half a terminator is data")
        << exact(QByteArrayLiteral("\0\x0e")) << QByteArrayLiteral("a\0b\0\x0e")
        << QByteArrayList{QByteArrayLiteral("a\0b")} << Endings{E::Exact} << QByteArray();
    QTest::newRow("exact: overlapping start")
        << exact("ab") << QByteArray("aab") << QByteArrayList{"a"} << Endings{E::Exact}
        << QByteArray();
    QTest::newRow("exact crlf: lf is data")
        << exact("\r\n") << QByteArray("a\nb\r\n") << QByteArrayList{"a\nb"} << Endings{E::Exact}
        << QByteArray();
    QTest::newRow("exact lf: cr is data")
        << exact("\n") << QByteArray("a\r\n") << QByteArrayList{"a\r"} << Endings{E::Exact}
        << QByteArray();
    QTest::newRow("exact nul: nul inside auto-mode text")
        << exact(QByteArrayLiteral("\0")) << QByteArrayLiteral("x\ny\0") << QByteArrayList{"x\ny"}
        << Endings{E::Exact} << QByteArray();
    QTest::newRow("exact: tail with half a terminator")
        << exact("--") << QByteArray("a--b-") << QByteArrayList{"a"} << Endings{E::Exact}
        << QByteArray("b-");
}

void tst_FrameCodec::split()
{
    QFETCH(Terminator, terminator);
    QFETCH(QByteArray, input);
    QFETCH(QByteArrayList, messages);
    QFETCH(Endings, endings);
    QFETCH(QByteArray, tail);

    // However the bytes arrive, the same messages come out.
    for (const qsizetype pieceSize : {qsizetype(0), qsizetype(1), qsizetype(2), qsizetype(3)}) {
        const Decoded decoded = decode(terminator, input, pieceSize);
        QCOMPARE(decoded.messages, messages);
        QCOMPARE(decoded.endings, endings);
        QCOMPARE(decoded.tail, tail);
        QCOMPARE(decoded.dropped, 0);
    }
}

void tst_FrameCodec::oversize_data()
{
    QTest::addColumn<Terminator>("terminator");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArrayList>("messages");
    QTest::addColumn<qint64>("dropped");
    QTest::addColumn<QByteArray>("tail");

    // The maximum is 4 bytes in every row.
    QTest::newRow("exactly the maximum")
        << kAuto << QByteArray("1234\n") << QByteArrayList{"1234"} << qint64(0) << QByteArray();
    QTest::newRow("maximum with crlf")
        << kAuto << QByteArray("1234\r\n") << QByteArrayList{"1234"} << qint64(0) << QByteArray();
    QTest::newRow("one byte over")
        << kAuto << QByteArray("12345\nok\n") << QByteArrayList{"ok"} << qint64(1) << QByteArray();
    QTest::newRow("long, then more")
        << kAuto << QByteArray(100, 'x') + "\nok\n" + QByteArray(50, 'y') + "\n"
        << QByteArrayList{"ok"} << qint64(2) << QByteArray();
    QTest::newRow("endless line") << kAuto << QByteArray(1000, 'x') << QByteArrayList{} << qint64(1)
                                  << QByteArray();
    QTest::newRow("endless line, then a message")
        << kAuto << QByteArray(1000, 'x') + QByteArrayLiteral("\0ok\0") << QByteArrayList{"ok"}
        << qint64(1) << QByteArray();
    QTest::newRow("exact: long, terminator split")
        << exact("<>") << QByteArray(40, 'x') + "<>ok<>" << QByteArrayList{"ok"} << qint64(1)
        << QByteArray();
    QTest::newRow("exact: endless")
        << exact("<>") << QByteArray(40, 'x') << QByteArrayList{} << qint64(1) << QByteArray();
    // What is pending may be one byte over (it could be the "\r" of a "\r\n"); when the
    // client leaves there, the tail is over the maximum all the same.
    QTest::newRow("tail one over") << kAuto << QByteArray("12345") << QByteArrayList{}
                                   << qint64(1) << QByteArray();
    QTest::newRow("tail of cr one over") << kAuto << QByteArray("1234\r") << QByteArrayList{}
                                         << qint64(1) << QByteArray();
    QTest::newRow("exact: tail with half a terminator over")
        << exact("<>") << QByteArray("1234<") << QByteArrayList{} << qint64(1) << QByteArray();
    QTest::newRow("tail at the maximum") << kAuto << QByteArray("1234") << QByteArrayList{}
                                         << qint64(0) << QByteArray("1234");
}

void tst_FrameCodec::oversize()
{
    QFETCH(Terminator, terminator);
    QFETCH(QByteArray, input);
    QFETCH(QByteArrayList, messages);
    QFETCH(qint64, dropped);
    QFETCH(QByteArray, tail);

    constexpr qsizetype kMax = 4;
    for (const qsizetype pieceSize : {qsizetype(0), qsizetype(1), qsizetype(3), qsizetype(7)}) {
        const Decoded decoded = decode(terminator, input, pieceSize, kMax);
        QCOMPARE(decoded.messages, messages);
        QCOMPARE(decoded.dropped, dropped);
        QCOMPARE(decoded.tail, tail);
        // Never more than the maximum plus what may begin a terminator ("\r", "<").
        QVERIFY2(decoded.largestPending <= kMax + 1,
            qPrintable(QString::number(decoded.largestPending)));
    }
}

void tst_FrameCodec::manyMessagesInOneRead()
{
    QByteArray input;
    for (int i = 0; i < 10000; ++i)
        input += "message " + QByteArray::number(i) + (i % 3 == 0 ? "\r\n" : "\n");
    const Decoded decoded = decode(kAuto, input, 0);
    QCOMPARE(decoded.messages.size(), 10000);
    QCOMPARE(decoded.messages.first(), QByteArray("message 0"));
    QCOMPARE(decoded.messages.last(), QByteArray("message 9999"));
    QCOMPARE(decoded.endings.at(3), LineEnding::CrLf);
    QCOMPARE(decoded.endings.at(4), LineEnding::Lf);
}

void tst_FrameCodec::takeUnterminatedForgets()
{
    FrameCodec codec(kAuto, 100);
    MessageBatch batch;
    codec.feed("partial", batch);
    QCOMPARE(codec.takeUnterminated(), QByteArray("partial"));
    QCOMPARE(codec.takeUnterminated(), QByteArray());
    codec.feed("next\n", batch);
    QCOMPARE(batch.count(), 1);
    QCOMPARE(batch.payload(0), QByteArrayView("next"));
}

void tst_FrameCodec::terminatorNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QByteArray>("bytes"); // empty: auto
    QTest::addColumn<QString>("canonical");

    QTest::newRow("auto") << "AUTO" << true << QByteArray() << "auto";
    QTest::newRow("lf") << "lf" << true << QByteArray("\n") << "lf";
    QTest::newRow("crlf") << "CrLf" << true << QByteArray("\r\n") << "crlf";
    QTest::newRow("cr") << "cr" << true << QByteArray("\r") << "cr";
    QTest::newRow("nul") << "nul" << true << QByteArrayLiteral("\0") << "nul";
    QTest::newRow("codes") << "0,14" << true << QByteArrayLiteral("\0\x0e") << "0,14";
    QTest::newRow("code of lf") << "10" << true << QByteArray("\n") << "lf";
    QTest::newRow("code too big") << "256" << false << QByteArray() << "";
    QTest::newRow("negative code") << "-1" << false << QByteArray() << "";
    QTest::newRow("word") << "newline" << false << QByteArray() << "";
    QTest::newRow("empty") << "" << false << QByteArray() << "";
}

void tst_FrameCodec::terminatorNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, canonical);

    const std::optional<Terminator> terminator = Terminator::fromName(name);
    QCOMPARE(terminator.has_value(), valid);
    if (!valid)
        return;
    QCOMPARE(terminator->exactBytes(), bytes);
    QCOMPARE(terminator->name(), canonical);
}

QTEST_APPLESS_MAIN(tst_FrameCodec)
#include "tst_framecodec.moc"
