// ExpectedClients, the state machine of the exhibit's inventory, on a clock the tests move by
// hand: each table row is a script of samples (what is connected at which second) and the
// states and alarms each sample must give.
#include "expectedclients.h"
#include "relayoptions.h"

#include <QTest>

namespace {

constexpr qint64 kStartMs = 1'800'000'000'000; // any fixed moment

// One step of a script: at second `at`, `connected` is there (or not) and last sent at
// second `lastSent`; the sample must leave `state` and tell `alarms` ("missing", "back"...).
struct Step
{
    int at;
    bool connected;
    int lastSent;
    QString state;
    QStringList alarms;
};

} // namespace

Q_DECLARE_METATYPE(QList<Step>)

class tst_ExpectedClients : public QObject
{
    Q_OBJECT

private slots:
    void script_data();
    void script();
    void matchesOnlyItsName();
    void statusesBeforeTheFirstSample();
    void timeOfDayJumps();
    void texts();

private:
    qint64 m_nowMs = kStartMs;
};

void tst_ExpectedClients::script_data()
{
    QTest::addColumn<int>("grace");
    QTest::addColumn<int>("silence");
    QTest::addColumn<QList<Step>>("steps");

    QTest::newRow("there from the start")
        << 120 << 0 << QList<Step>{{0, true, 0, "present", {}}, {500, true, 0, "present", {}}};
    QTest::newRow("never came: waiting, then missing once")
        << 120 << 0
        << QList<Step>{{0, false, 0, "waiting", {}}, {119, false, 0, "waiting", {}},
               {120, false, 0, "missing", {"missing"}}, {121, false, 0, "missing", {}},
               {5000, false, 0, "missing", {}}};
    QTest::newRow("came late within the grace: no alarm")
        << 120 << 0 << QList<Step>{{0, false, 0, "waiting", {}}, {60, true, 60, "present", {}}};
    QTest::newRow("left, missing after the grace, back once")
        << 10 << 0
        << QList<Step>{{0, true, 0, "present", {}}, {100, false, 0, "waiting", {}},
               {109, false, 0, "waiting", {}}, {110, false, 0, "missing", {"missing"}},
               {111, false, 0, "missing", {}}, {200, true, 200, "present", {"back"}},
               {201, true, 200, "present", {}}};
    QTest::newRow("restarted within the grace: nothing to tell")
        << 10 << 0
        << QList<Step>{{0, true, 0, "present", {}}, {50, false, 0, "waiting", {}},
               {55, true, 55, "present", {}}};
    QTest::newRow("grace 0: missing at the first sample without it")
        << 0 << 0
        << QList<Step>{{0, true, 0, "present", {}}, {1, false, 0, "missing", {"missing"}},
               {2, true, 2, "present", {"back"}}};
    QTest::newRow("silence off: quiet is fine")
        << 10 << 0 << QList<Step>{{0, true, 0, "present", {}}, {9999, true, 0, "present", {}}};
    QTest::newRow("silent once, back when it speaks")
        << 10 << 30
        << QList<Step>{{0, true, 0, "present", {}}, {29, true, 0, "present", {}},
               {30, true, 0, "silent", {"silent"}}, {31, true, 0, "silent", {}},
               {40, true, 40, "present", {"back"}}, {69, true, 40, "present", {}},
               {70, true, 40, "silent", {"silent"}}};
    QTest::newRow("no silence within the start grace")
        << 120 << 30
        << QList<Step>{{0, true, 0, "present", {}}, {100, true, 0, "present", {}},
               {120, true, 0, "silent", {"silent"}}};
    QTest::newRow("silent, then gone: missing too, then back once")
        << 10 << 30
        << QList<Step>{{0, true, 0, "present", {}}, {30, true, 0, "silent", {"silent"}},
               {35, false, 0, "waiting", {}}, {45, false, 0, "missing", {"missing"}},
               {50, true, 50, "present", {"back"}}};
}

void tst_ExpectedClients::script()
{
    QFETCH(int, grace);
    QFETCH(int, silence);
    QFETCH(QList<Step>, steps);

    RelayConfig config;
    config.expected
        = {{QStringLiteral("kiosk3"), QHostAddress(QStringLiteral("192.168.1.23")), {}}};
    config.expectGraceSeconds = grace;
    config.expectSilenceSeconds = silence;
    m_nowMs = kStartMs;
    const auto clock = [this] { return m_nowMs; };
    ExpectedClients expected(config, clock, clock);

    for (const Step &step : steps) {
        m_nowMs = kStartMs + step.at * 1000LL;
        QList<ClientInfo> named;
        if (step.connected) {
            ClientInfo client;
            client.id = 7;
            client.name = QStringLiteral("kiosk3");
            client.address = QHostAddress(QStringLiteral("::ffff:192.168.1.23"));
            client.connectedSince = QDateTime::fromMSecsSinceEpoch(kStartMs);
            client.idleMs = m_nowMs - (kStartMs + step.lastSent * 1000LL);
            named.append(client);
        }
        QStringList told;
        const QList<ExpectedClientAlarm> alarms = expected.sample(named);
        for (const ExpectedClientAlarm &alarm : alarms)
            told.append(alarm.state);
        const QString at = QStringLiteral(" at second %1").arg(step.at);
        QCOMPARE(told.join(u',') + at, step.alarms.join(u',') + at);
        const ExpectedClientStatus status = expected.statuses().constFirst();
        QCOMPARE(ExpectedClientStatus::stateName(status.state) + at, step.state + at);
        QCOMPARE(status.clientId, step.connected ? 7u : 0u);
        QCOMPARE(status.address,
            step.connected ? QHostAddress(QStringLiteral("192.168.1.23")) : QHostAddress());
    }
}

// A client stands only for the expectation whose name it has; several of them for one name
// count as one, the latest activity of any keeping it from being silent.
void tst_ExpectedClients::matchesOnlyItsName()
{
    const RelayOptions options = parseRelayOptions({"--expect", "a=10.0.0.1", "--expect",
        "b=prefix:b:", "--expect-grace", "0", "--expect-silence", "10"});
    QCOMPARE(options.error, QString());
    m_nowMs = kStartMs;
    const auto clock = [this] { return m_nowMs; };
    ExpectedClients expected(options.config, clock, clock);

    ClientInfo first;
    first.id = 1;
    first.name = QStringLiteral("b");
    first.address = QHostAddress(QHostAddress::LocalHost);
    first.idleMs = 20'000;
    ClientInfo second = first;
    second.id = 2;
    m_nowMs += 20'000;
    second.idleMs = 0;

    const QList<ExpectedClientAlarm> alarms = expected.sample({first, second});
    QCOMPARE(alarms.size(), 1);
    QCOMPARE(alarms.first().name, QStringLiteral("a"));
    QCOMPARE(alarms.first().state, QStringLiteral("missing"));
    QCOMPARE(alarms.first().where, QStringLiteral("10.0.0.1"));
    const QList<ExpectedClientStatus> statuses = expected.statuses();
    QCOMPARE(statuses.size(), 2);
    QCOMPARE(statuses.at(0).state, ExpectedClientStatus::State::Missing);
    QCOMPARE(statuses.at(1).state, ExpectedClientStatus::State::Present);
    QCOMPARE(statuses.at(1).clientId, 1u);
    QCOMPARE(statuses.at(1).match, QStringLiteral("prefix:b:"));
}

void tst_ExpectedClients::statusesBeforeTheFirstSample()
{
    RelayConfig config;
    config.expected = {{QStringLiteral("kiosk1"), {}, QByteArray("k1:")}};
    m_nowMs = kStartMs;
    const auto clock = [this] { return m_nowMs; };
    ExpectedClients expected(config, clock, clock);
    const QList<ExpectedClientStatus> statuses = expected.statuses();
    QCOMPARE(statuses.size(), 1);
    QCOMPARE(statuses.first().state, ExpectedClientStatus::State::Waiting);
    QCOMPARE(statuses.first().since, QDateTime::fromMSecsSinceEpoch(kStartMs));
}

// A machine without a clock chip boots in the past and sets the time of day from the network
// later: a jump of a day during the grace, and back, makes nobody missing or silent. Durations
// follow the steady clock; the times said follow the time of day.
void tst_ExpectedClients::timeOfDayJumps()
{
    const RelayOptions options = parseRelayOptions({"--expect", "away=10.0.0.1", "--expect",
        "here=10.0.0.2", "--expect-grace", "60", "--expect-silence", "30"});
    QCOMPARE(options.error, QString());
    m_nowMs = kStartMs;
    qint64 wallMs = kStartMs;
    ExpectedClients expected(
        options.config, [this] { return m_nowMs; }, [&wallMs] { return wallMs; });
    ClientInfo here;
    here.name = QStringLiteral("here");
    here.address = QHostAddress(QStringLiteral("10.0.0.2"));

    m_nowMs += 10'000;
    wallMs += 10'000 + 24 * 3600 * 1000LL; // the network's time arrives: a day later
    here.idleMs = 5'000;
    QCOMPARE(expected.sample({here}).size(), 0);
    QCOMPARE(expected.statuses().at(0).state, ExpectedClientStatus::State::Waiting);
    QCOMPARE(expected.statuses().at(1).state, ExpectedClientStatus::State::Present);
    // Waiting since the start, said in the new time of day.
    QCOMPARE(expected.statuses().at(0).since, QDateTime::fromMSecsSinceEpoch(wallMs - 10'000));

    m_nowMs += 40'000; // 50 s in, still within the grace; the clock set back an hour
    wallMs += 40'000 - 3600 * 1000LL;
    QCOMPARE(expected.sample({here}).size(), 0);

    m_nowMs += 20'000; // 70 s in: the grace is over
    wallMs += 20'000;
    const QList<ExpectedClientAlarm> alarms = expected.sample({here});
    QCOMPARE(alarms.size(), 1);
    QCOMPARE(alarms.first().name, QStringLiteral("away"));
    QCOMPARE(alarms.first().state, QStringLiteral("missing"));
    QCOMPARE(expected.statuses().at(1).state, ExpectedClientStatus::State::Present);
}

void tst_ExpectedClients::texts()
{
    const QDateTime since = QDateTime::currentDateTime();
    const QString time = since.toString(QStringLiteral("HH:mm:ss"));
    const ExpectedClientAlarm missing{QStringLiteral("kiosk3"), QStringLiteral("missing"),
        QStringLiteral("192.168.1.23"), since, {}};
    QCOMPARE(missing.logLine(),
        QStringLiteral("expected client kiosk3 (192.168.1.23) missing since ") + time);
    QCOMPARE(missing.message("socketserver:alarm:{name}:{state}:{address}:{other}"),
        QByteArray("socketserver:alarm:kiosk3:missing:192.168.1.23:{other}"));
    const ExpectedClientAlarm back{QStringLiteral("kiosk3"), QStringLiteral("back"),
        QStringLiteral("192.168.1.23"), since, QStringLiteral("silent")};
    QCOMPARE(back.logLine(),
        QStringLiteral("expected client kiosk3 (192.168.1.23) back (silent since %1)").arg(time));
    // An older time has its date.
    const ExpectedClientAlarm old{QStringLiteral("k"), QStringLiteral("missing"),
        QStringLiteral("prefix:k:"), since.addDays(-2), {}};
    QVERIFY(
        old.logLine().endsWith(since.addDays(-2).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))));
}

QTEST_APPLESS_MAIN(tst_ExpectedClients)
#include "tst_expectedclients.moc"
