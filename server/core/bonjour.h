// Bonjour (mDNS/DNS-SD): a relay announces itself on the network as a _socketserver._tcp
// service (RelayAnnouncer), and clients find relays by name (RelayBrowser). Built on the DNS-SD
// API, dns_sd.h: the system's own on macOS, avahi's compatibility library on Linux, Apple's
// Bonjour SDK on Windows. Each request's socket is watched by a QSocketNotifier and its results
// are read in the notifier's slot: no thread of ours, nothing waits in the event loop. Only what
// avahi's layer supports is used (flags 0 when registering; no DNSServiceGetAddrInfo: the
// address is asked for with DNSServiceQueryRecord). A build without the library
// (SOCKETSERVER_BONJOUR=OFF) has the same classes, which say that Bonjour is not available.
#pragma once

#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QTimer>

#include <optional>

class DnsSdRequest;

namespace Bonjour {

/// The service type relays announce and clients browse.
inline constexpr char kServiceType[] = "_socketserver._tcp";
/// While Bonjour is not available (no avahi-daemon yet, or it stopped), the announcer and the
/// browser try again this often.
inline constexpr int kRetryMs = 10000;

/// True when this build can announce and browse.
bool isBuiltIn();
/// The name a relay announces without --name: "SocketServer on HOST".
QString defaultName();
/// Why @p name cannot be a service name, in one sentence; empty when it can.
QString nameProblem(const QString &name);
/// What is wrong with `--find VALUE` (the clients' option: the relay's name, trimmed; empty for
/// the only relay announced), in one sentence; empty when nothing is. A build without Bonjour
/// cannot find relays at all.
QString findProblem(const QString &value);
/// The name to try after @p name was taken by another service @p number - 1 times:
/// "Gallery 2 (2)", "Gallery 2 (3)"... (shortened to stay within DNS-SD's 63 bytes).
QString numberedName(const QString &name, int number);

} // namespace Bonjour

/// A relay announced on the network, as RelayBrowser found it.
struct FoundRelay
{
    QString name; ///< its service name, "Gallery 2"
    QString hostName; ///< the machine, "gallery-pc.local."
    QHostAddress address; ///< the machine's IPv4 address
    quint16 port = 0; ///< the relay's TCP port
    // From its TXT record; empty or 0 when it did not say.
    QString version; ///< SocketServer's version, "0.5.0"
    QString eol; ///< its --eol, "auto"
    quint16 webSocketPort = 0; ///< its WebSocket port (web pages), 0: none
    QString localName; ///< its local socket's name, for programs on that machine

    /// "192.168.1.20:6780"
    QString endpoint() const;
    /// "Gallery 2 — 192.168.1.20:6780", as the clients list it.
    QString label() const;
    bool operator==(const FoundRelay &other) const;
    bool operator!=(const FoundRelay &other) const { return !(*this == other); }
};

/// Announces one relay as a _socketserver._tcp service. When the name is already in use on the
/// network, the announcer tries "NAME (2)", "NAME (3)"... where the system only reports the
/// conflict (avahi), or takes the name the system picked (macOS). While Bonjour is not
/// available it tries again every Bonjour::kRetryMs; stateChanged() tells each change.
class RelayAnnouncer : public QObject
{
    Q_OBJECT

public:
    enum class State
    {
        Off, ///< not asked to announce (stop(), or never started)
        Registering, ///< asked; the system has not confirmed yet
        Announced, ///< on the network as name()
        Unavailable, ///< Bonjour cannot announce now: errorString() says why; retrying
    };
    Q_ENUM(State)

    using TxtRecord = QList<QPair<QByteArray, QByteArray>>;

    explicit RelayAnnouncer(QObject *parent = nullptr);
    ~RelayAnnouncer() override;

    /// Announces @p name for TCP port @p port with @p txt, on every interface
    /// (@p interfaceIndex 0) or on one.
    void start(const QString &name, quint16 port, const TxtRecord &txt, quint32 interfaceIndex = 0);
    /// Takes the announcement off the network.
    void stop();

    State state() const { return m_state; }
    /// The name asked for in start().
    QString requestedName() const { return m_requestedName; }
    /// The name on the network while Announced (it differs from the one asked for after a
    /// conflict); else the one being tried.
    QString name() const { return m_name; }
    /// Why the state is Unavailable, in one sentence.
    QString errorString() const { return m_errorString; }

signals:
    void stateChanged();

private:
    friend struct DnsSdCallbacks;
    void registerNow();
    void onRegistered(int error, const QString &name);
    void setUnavailable(const QString &reason);
    void setState(State state);

    QPointer<DnsSdRequest> m_request;
    QTimer m_retry;
    State m_state = State::Off;
    QString m_requestedName;
    QString m_name;
    int m_number = 1; // 1: the name as asked; 2: "NAME (2)"...
    quint16 m_port = 0;
    TxtRecord m_txt;
    quint32 m_interfaceIndex = 0;
    QString m_errorString;
};

/// Finds the relays announced on the network and keeps the list current as they come and go.
/// Each one found is resolved (host, port, TXT) and its address asked for before it is listed;
/// it stays resolved, so that a new port or TXT record under the same name is seen.
/// While Bonjour is not available it tries again every Bonjour::kRetryMs.
class RelayBrowser : public QObject
{
    Q_OBJECT

public:
    explicit RelayBrowser(QObject *parent = nullptr);
    ~RelayBrowser() override;

    void start();
    void stop();

    /// True while browsing works (after start(), before any failure).
    bool isAvailable() const { return m_available; }
    /// Why browsing does not work, in one sentence; empty while it does.
    QString errorString() const { return m_errorString; }

    /// The relays found and resolved, sorted by name.
    QList<FoundRelay> relays() const;
    /// The relay announced as @p name, if found.
    std::optional<FoundRelay> relay(const QString &name) const;

signals:
    /// A relay came, left, or moved (a new address or port).
    void relaysChanged();
    /// isAvailable() changed.
    void availabilityChanged();

private:
    friend struct DnsSdCallbacks;
    struct Service
    {
        FoundRelay relay;
        int interfaces = 0; // announced on this many interfaces
        QList<QHostAddress> addresses; // its machine's, as answered; relay.address is one
        /// Complete (it has an address): listed.
        bool isListed() const { return !addresses.isEmpty(); }
        QPointer<DnsSdRequest> resolve; // open while it is there: its port and TXT record
        QPointer<DnsSdRequest> query; // open while it is there: its machine's address
    };

    void browseNow();
    void onBrowsed(int error, bool added, quint32 interfaceIndex, const QString &name,
        const QByteArray &domain);
    void onResolved(const QString &name, int error, quint32 interfaceIndex,
        const QByteArray &hostName, quint16 port, const QByteArray &txt);
    void onAddress(const QString &name, int error, const QHostAddress &address, bool added);
    void setUnavailable(const QString &reason);
    void forget(Service &service);

    QPointer<DnsSdRequest> m_browse;
    QMap<QString, Service> m_services; // by name; those not yet resolved too
    QTimer m_retry;
    bool m_available = false;
    QString m_errorString;
};

/// One relay looked for by name, for a client that connects to it (`--find NAME`): follows it
/// when it moves (a restart on a new address or port). With no name, the one relay on the
/// network, if there is exactly one once the browser has looked for kSettleMs (from the moment
/// browsing works: Bonjour may come later than the client, at boot).
class RelayFinder : public QObject
{
    Q_OBJECT

public:
    static constexpr int kSettleMs = 3000;

    explicit RelayFinder(const QString &name, QObject *parent = nullptr);

    void start();
    /// The name looked for (with no name: the one found, once found).
    QString name() const { return m_name; }
    /// The relay as last found.
    std::optional<FoundRelay> relay() const { return m_relay; }
    /// Why there is no relay to connect to, in one sentence (Bonjour not available, no relay
    /// with that name yet, several relays and no name); empty once found.
    QString problem() const;

signals:
    /// Found, or found at another address or port: connect (again) there.
    void found(const FoundRelay &relay);
    /// problem() changed.
    void problemChanged();

private:
    void update();

    RelayBrowser m_browser;
    QTimer m_settle; // with no name: the browser's first look since it works
    QString m_name;
    std::optional<FoundRelay> m_relay;
    QString m_problem;
};
