#include "bonjour.h"

#include <QHostInfo>
#include <QSocketNotifier>
#include <QtEndian>

#include <algorithm>
#include <functional>
#include <utility>

#ifdef SOCKETSERVER_BONJOUR
#include <dns_sd.h>
#endif

namespace {

constexpr int kMaxNameBytes = 63; // DNS-SD's limit for a service name, in UTF-8
constexpr int kMaxNameNumber = 99; // "NAME (99)": past that, give up

} // namespace

// One DNS-SD request under way (a registration, a browse, a resolve, an address query): owns
// its DNSServiceRef and reads its results when its socket has some. finish() ends it at once, so
// that a name it registered is free for the next registration; from within its own callback
// (inside DNSServiceProcessResult) the reference is released later, when the request is deleted.
class DnsSdRequest : public QObject
{
public:
    explicit DnsSdRequest(QObject *owner, const QString &name = QString())
        : QObject(owner)
        , name(name)
    { }
    ~DnsSdRequest() override { release(); }

    /// Stops reading results, releases the request (unless it is reading its own) and deletes
    /// this object soon.
    void finish()
    {
        m_finished = true;
        if (m_notifier)
            m_notifier->setEnabled(false);
        if (!m_processing)
            release();
        deleteLater();
    }
    bool isFinished() const { return m_finished; }

    const QString name; // the service it is about (resolve, query)

#ifdef SOCKETSERVER_BONJOUR
    /// Reads @p ref's results as they come; @p onError gets a failure to read them.
    void watch(DNSServiceRef ref, std::function<void(int)> onError)
    {
        m_ref = ref;
        m_notifier
            = new QSocketNotifier(qintptr(DNSServiceRefSockFD(ref)), QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, [this, onError] {
            m_processing = true;
            const DNSServiceErrorType error = DNSServiceProcessResult(m_ref);
            m_processing = false;
            if (error != kDNSServiceErr_NoError && !m_finished) {
                m_notifier->setEnabled(false); // a dead socket would wake us forever
                onError(error);
            }
        });
    }
#endif

private:
    // Ends the request: the library closes its socket (the notifier is disabled by then).
    void release()
    {
#ifdef SOCKETSERVER_BONJOUR
        if (m_ref)
            DNSServiceRefDeallocate(std::exchange(m_ref, nullptr));
#endif
    }

#ifdef SOCKETSERVER_BONJOUR
    DNSServiceRef m_ref = nullptr;
#endif
    QSocketNotifier *m_notifier = nullptr;
    bool m_finished = false;
    bool m_processing = false; // inside DNSServiceProcessResult: its callbacks run
};

namespace {

#ifdef SOCKETSERVER_BONJOUR
constexpr int kServiceNotRunning = -65563; // kDNSServiceErr_ServiceNotRunning (not in avahi's)

// avahi's compatibility layer prints a three-line warning to stderr at a program's first DNS-SD
// call unless AVAHI_COMPAT_NOWARN is set. Called before each DNSServiceRegister/Browse.
void quietAvahi()
{
    if (!qEnvironmentVariableIsSet("AVAHI_COMPAT_NOWARN"))
        qputenv("AVAHI_COMPAT_NOWARN", "1");
}

QString describe(int error)
{
    if (error == kDNSServiceErr_Unknown || error == kServiceNotRunning)
        return QStringLiteral("the Bonjour service is not running on this machine (on Linux: "
                              "avahi-daemon)");
    return QStringLiteral("Bonjour error %1").arg(error);
}

// The value of @p key in the TXT record @p txt; empty when it has none.
QString txtValue(const QByteArray &txt, const char *key)
{
    uint8_t length = 0;
    const void *value = TXTRecordGetValuePtr(uint16_t(txt.size()), txt.constData(), key, &length);
    return value ? QString::fromUtf8(static_cast<const char *>(value), length) : QString();
}
#else
const QString kNotBuiltIn = QStringLiteral("this build of SocketServer has no Bonjour");
#endif

} // namespace

// ---------------------------------------------------------------------------------------------
// Bonjour

bool Bonjour::isBuiltIn()
{
#ifdef SOCKETSERVER_BONJOUR
    return true;
#else
    return false;
#endif
}

QString Bonjour::defaultName()
{
    const QString host = QHostInfo::localHostName().section(QLatin1Char('.'), 0, 0);
    return numberedName(QStringLiteral("SocketServer on ") + host, 1);
}

QString Bonjour::nameProblem(const QString &name)
{
    if (name.trimmed().isEmpty())
        return QStringLiteral("the name is empty");
    if (name.toUtf8().size() > kMaxNameBytes)
        return QStringLiteral("the name \"%1\" is longer than %2 bytes")
            .arg(name)
            .arg(kMaxNameBytes);
    const bool control = std::any_of(
        name.cbegin(), name.cend(), [](QChar c) { return c.category() == QChar::Other_Control; });
    if (control)
        return QStringLiteral("the name \"%1\" has a control character").arg(name);
    return QString();
}

QString Bonjour::findProblem(const QString &value)
{
    if (!isBuiltIn())
        return QStringLiteral("this build cannot look for relays (it was built without "
                              "Bonjour): use --host and --port");
    const QString name = value.trimmed();
    return name.isEmpty() ? QString() : nameProblem(name);
}

QString Bonjour::numberedName(const QString &name, int number)
{
    const QString suffix = number > 1 ? QStringLiteral(" (%1)").arg(number) : QString();
    QString base = name;
    // Shortened by whole characters, never through a UTF-8 sequence or a surrogate pair.
    while ((base + suffix).toUtf8().size() > kMaxNameBytes)
        base.chop(base.size() >= 2 && base.back().isLowSurrogate() ? 2 : 1);
    return base + suffix;
}

// ---------------------------------------------------------------------------------------------
// FoundRelay

QString FoundRelay::endpoint() const
{
    return QStringLiteral("%1:%2").arg(address.toString()).arg(port);
}

QString FoundRelay::label() const
{
    return name + QStringLiteral(" \u2014 ") + endpoint();
}

bool FoundRelay::operator==(const FoundRelay &other) const
{
    return name == other.name && hostName == other.hostName && address == other.address
        && port == other.port && version == other.version && eol == other.eol
        && webSocketPort == other.webSocketPort && localName == other.localName;
}

// ---------------------------------------------------------------------------------------------
// The DNS-SD callbacks: each passes its results on to the request's owner.

struct DnsSdCallbacks
{
#ifdef SOCKETSERVER_BONJOUR
    static void DNSSD_API registered(DNSServiceRef, DNSServiceFlags, DNSServiceErrorType error,
        const char *name, const char *, const char *, void *context)
    {
        auto *request = static_cast<DnsSdRequest *>(context);
        if (!request->isFinished())
            static_cast<RelayAnnouncer *>(request->parent())
                ->onRegistered(error, QString::fromUtf8(name));
    }

    static void DNSSD_API browsed(DNSServiceRef, DNSServiceFlags flags, uint32_t interfaceIndex,
        DNSServiceErrorType error, const char *name, const char *, const char *domain,
        void *context)
    {
        auto *request = static_cast<DnsSdRequest *>(context);
        if (!request->isFinished())
            static_cast<RelayBrowser *>(request->parent())
                ->onBrowsed(error, flags & kDNSServiceFlagsAdd, interfaceIndex,
                    QString::fromUtf8(name), QByteArray(domain));
    }

    static void DNSSD_API resolved(DNSServiceRef, DNSServiceFlags, uint32_t interfaceIndex,
        DNSServiceErrorType error, const char *, const char *hostName, uint16_t port,
        uint16_t txtLength, const unsigned char *txt, void *context)
    {
        auto *request = static_cast<DnsSdRequest *>(context);
        if (!request->isFinished())
            static_cast<RelayBrowser *>(request->parent())
                ->onResolved(request->name, error, interfaceIndex, QByteArray(hostName),
                    qFromBigEndian(port),
                    QByteArray(reinterpret_cast<const char *>(txt), txtLength));
    }

    static void DNSSD_API answered(DNSServiceRef, DNSServiceFlags flags, uint32_t,
        DNSServiceErrorType error, const char *, uint16_t type, uint16_t, uint16_t length,
        const void *data, uint32_t, void *context)
    {
        auto *request = static_cast<DnsSdRequest *>(context);
        if (request->isFinished())
            return;
        QHostAddress address;
        if (error == kDNSServiceErr_NoError) {
            if (type != kDNSServiceType_A || length != 4)
                return;
            address.setAddress(qFromBigEndian<quint32>(data));
        }
        static_cast<RelayBrowser *>(request->parent())
            ->onAddress(request->name, error, address, flags & kDNSServiceFlagsAdd);
    }
#endif
};

// ---------------------------------------------------------------------------------------------
// RelayAnnouncer

RelayAnnouncer::RelayAnnouncer(QObject *parent)
    : QObject(parent)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(Bonjour::kRetryMs);
    connect(&m_retry, &QTimer::timeout, this, &RelayAnnouncer::registerNow);
}

RelayAnnouncer::~RelayAnnouncer() = default;

void RelayAnnouncer::start(
    const QString &name, quint16 port, const TxtRecord &txt, quint32 interfaceIndex)
{
    stop();
    m_requestedName = name;
    m_number = 1;
    m_port = port;
    m_txt = txt;
    m_interfaceIndex = interfaceIndex;
    registerNow();
}

void RelayAnnouncer::stop()
{
    m_retry.stop();
    if (m_request)
        m_request->finish();
    m_errorString.clear();
    setState(State::Off);
}

void RelayAnnouncer::registerNow()
{
    if (m_request)
        m_request->finish();
    m_name = Bonjour::numberedName(m_requestedName, m_number);
#ifdef SOCKETSERVER_BONJOUR
    quietAvahi();
    TXTRecordRef txt;
    TXTRecordCreate(&txt, 0, nullptr);
    for (const auto &[key, value] : std::as_const(m_txt))
        TXTRecordSetValue(&txt, key.constData(), uint8_t(value.size()), value.constData());
    auto *request = new DnsSdRequest(this);
    DNSServiceRef ref = nullptr;
    const DNSServiceErrorType error = DNSServiceRegister(&ref, 0, m_interfaceIndex,
        m_name.toUtf8().constData(), Bonjour::kServiceType, nullptr, nullptr, qToBigEndian(m_port),
        TXTRecordGetLength(&txt), TXTRecordGetBytesPtr(&txt), &DnsSdCallbacks::registered, request);
    TXTRecordDeallocate(&txt);
    if (error != kDNSServiceErr_NoError) {
        delete request;
        onRegistered(error, m_name); // avahi reports a name in use at once, here
        return;
    }
    request->watch(ref, [this](int error) { onRegistered(error, m_name); });
    m_request = request;
    setState(State::Registering);
#else
    setUnavailable(kNotBuiltIn);
#endif
}

void RelayAnnouncer::onRegistered(int error, const QString &name)
{
#ifdef SOCKETSERVER_BONJOUR
    // A name in use is reported as a conflict (avahi, when the other service is known to it at
    // once), or replaced by a name the system chose: "NAME (2)" on macOS, which is the name this
    // announcer would take next, or "NAME #2" from avahi (another machine has the name), which
    // is replaced by the next of our own numbered names, so that it reads the same everywhere.
    if (error == kDNSServiceErr_NoError
        && name == Bonjour::numberedName(m_requestedName, m_number + 1)) {
        ++m_number;
        m_name = name;
    }
    if (error == kDNSServiceErr_NameConflict
        || (error == kDNSServiceErr_NoError && name != m_name)) {
        if (m_number == kMaxNameNumber) {
            setUnavailable(QStringLiteral("the names \"%1\" to \"%2\" are all in use")
                               .arg(m_requestedName, m_name));
            return;
        }
        ++m_number;
        registerNow();
        return;
    }
    if (error != kDNSServiceErr_NoError) {
        setUnavailable(describe(error));
        return;
    }
    m_errorString.clear();
    setState(State::Announced);
#else
    Q_UNUSED(error);
    Q_UNUSED(name);
#endif
}

void RelayAnnouncer::setUnavailable(const QString &reason)
{
    if (m_request)
        m_request->finish();
    const bool changed = reason != m_errorString;
    m_errorString = reason;
    if (Bonjour::isBuiltIn())
        m_retry.start();
    if (changed && m_state == State::Unavailable)
        emit stateChanged();
    setState(State::Unavailable);
}

void RelayAnnouncer::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    emit stateChanged();
}

// ---------------------------------------------------------------------------------------------
// RelayBrowser

RelayBrowser::RelayBrowser(QObject *parent)
    : QObject(parent)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(Bonjour::kRetryMs);
    connect(&m_retry, &QTimer::timeout, this, &RelayBrowser::browseNow);
}

RelayBrowser::~RelayBrowser() = default;

void RelayBrowser::start()
{
    stop();
    browseNow();
}

void RelayBrowser::stop()
{
    m_retry.stop();
    if (m_browse)
        m_browse->finish();
    const bool listed = !relays().isEmpty();
    for (Service &service : m_services)
        forget(service);
    m_services.clear();
    if (listed)
        emit relaysChanged();
    if (m_available) {
        m_available = false;
        emit availabilityChanged();
    }
}

QList<FoundRelay> RelayBrowser::relays() const
{
    QList<FoundRelay> found;
    for (const Service &service : m_services) // QMap: sorted by name
        if (service.isListed())
            found.append(service.relay);
    return found;
}

std::optional<FoundRelay> RelayBrowser::relay(const QString &name) const
{
    const auto it = m_services.constFind(name);
    if (it == m_services.cend() || !it->isListed())
        return std::nullopt;
    return it->relay;
}

void RelayBrowser::browseNow()
{
#ifdef SOCKETSERVER_BONJOUR
    quietAvahi();
    auto *request = new DnsSdRequest(this);
    DNSServiceRef ref = nullptr;
    const DNSServiceErrorType error = DNSServiceBrowse(
        &ref, 0, 0, Bonjour::kServiceType, nullptr, &DnsSdCallbacks::browsed, request);
    if (error != kDNSServiceErr_NoError) {
        delete request;
        setUnavailable(describe(error));
        return;
    }
    request->watch(ref, [this](int error) { setUnavailable(describe(error)); });
    m_browse = request;
    m_errorString.clear();
    if (!m_available) {
        m_available = true;
        emit availabilityChanged();
    }
#else
    setUnavailable(kNotBuiltIn);
#endif
}

void RelayBrowser::onBrowsed(
    int error, bool added, quint32 interfaceIndex, const QString &name, const QByteArray &domain)
{
#ifdef SOCKETSERVER_BONJOUR
    if (error != kDNSServiceErr_NoError) {
        setUnavailable(describe(error));
        return;
    }
    if (!added) {
        const auto it = m_services.find(name);
        if (it == m_services.end() || --it->interfaces > 0)
            return;
        const bool listed = it->isListed();
        forget(*it);
        m_services.erase(it);
        if (listed)
            emit relaysChanged();
        return;
    }
    Service &service = m_services[name];
    if (++service.interfaces > 1)
        return; // already being resolved on another interface
    service.relay.name = name;
    auto *request = new DnsSdRequest(this, name);
    DNSServiceRef ref = nullptr;
    const DNSServiceErrorType resolveError
        = DNSServiceResolve(&ref, 0, interfaceIndex, name.toUtf8().constData(),
            Bonjour::kServiceType, domain.constData(), &DnsSdCallbacks::resolved, request);
    if (resolveError != kDNSServiceErr_NoError) {
        delete request; // this one stays unlisted; the others are unaffected
        return;
    }
    request->watch(ref,
        [this, name](int error) { onResolved(name, error, 0, QByteArray(), 0, QByteArray()); });
    service.resolve = request;
#else
    Q_UNUSED(error);
    Q_UNUSED(added);
    Q_UNUSED(interfaceIndex);
    Q_UNUSED(name);
    Q_UNUSED(domain);
#endif
}

// The resolve and the address query stay open while the relay is on the network: a relay
// restarted within a second under the same name is not removed and added again, only its port
// (or its machine's address) changes.
void RelayBrowser::onResolved(const QString &name, int error, quint32 interfaceIndex,
    const QByteArray &hostName, quint16 port, const QByteArray &txt)
{
#ifdef SOCKETSERVER_BONJOUR
    const auto it = m_services.find(name);
    if (it == m_services.end())
        return;
    if (error != kDNSServiceErr_NoError) {
        if (it->resolve)
            it->resolve->finish();
        return; // stays as it was
    }
    FoundRelay relay = it->relay;
    relay.hostName = QString::fromUtf8(hostName);
    relay.port = port;
    relay.version = txtValue(txt, "version");
    relay.eol = txtValue(txt, "eol");
    relay.webSocketPort = quint16(txtValue(txt, "ws").toUInt());
    relay.localName = txtValue(txt, "local");
    const bool newHost = relay.hostName != it->relay.hostName || !it->query;
    const bool wasListed = it->isListed();
    if (newHost) { // its address is asked for (again) before it is listed
        relay.address = QHostAddress();
        it->addresses.clear();
    }
    const bool changed = relay != it->relay;
    it->relay = relay;
    if (newHost) {
        if (it->query)
            it->query->finish();
        auto *request = new DnsSdRequest(this, name);
        DNSServiceRef ref = nullptr;
        const DNSServiceErrorType queryError
            = DNSServiceQueryRecord(&ref, 0, interfaceIndex, hostName.constData(),
                kDNSServiceType_A, kDNSServiceClass_IN, &DnsSdCallbacks::answered, request);
        if (queryError == kDNSServiceErr_NoError) {
            request->watch(
                ref, [this, name](int error) { onAddress(name, error, QHostAddress(), false); });
            it->query = request;
        } else {
            delete request;
        }
    }
    if (wasListed && changed)
        emit relaysChanged(); // last: a slot may stop the browser
#else
    Q_UNUSED(name);
    Q_UNUSED(error);
    Q_UNUSED(interfaceIndex);
    Q_UNUSED(hostName);
    Q_UNUSED(port);
    Q_UNUSED(txt);
#endif
}

// The machine's addresses come and go one by one (a machine on cable and Wi-Fi has two; a new
// DHCP lease may come before the old one goes). The relay is listed at the first one answered,
// kept while it lasts; when it goes, at another one the machine still has.
void RelayBrowser::onAddress(
    const QString &name, int error, const QHostAddress &address, bool added)
{
    const auto it = m_services.find(name);
    if (it == m_services.end())
        return;
    if (error != 0) {
        if (it->query)
            it->query->finish();
        return;
    }
    const bool wasListed = it->isListed();
    QList<QHostAddress> &addresses = it->addresses;
    if (!added)
        addresses.removeAll(address);
    else if (!addresses.contains(address))
        addresses.append(address);
    FoundRelay &relay = it->relay;
    const QHostAddress kept
        = addresses.contains(relay.address) ? relay.address : addresses.value(0, QHostAddress());
    if (kept == relay.address && wasListed == it->isListed())
        return;
    relay.address = kept;
    emit relaysChanged();
}

void RelayBrowser::setUnavailable(const QString &reason)
{
    const bool changed = m_available || reason != m_errorString;
    m_available = false;
    m_errorString = reason;
    stop();
    if (changed)
        emit availabilityChanged();
    if (Bonjour::isBuiltIn())
        m_retry.start();
}

void RelayBrowser::forget(Service &service)
{
    if (service.resolve)
        service.resolve->finish();
    if (service.query)
        service.query->finish();
}

// ---------------------------------------------------------------------------------------------
// RelayFinder

RelayFinder::RelayFinder(const QString &name, QObject *parent)
    : QObject(parent)
    , m_name(name)
{
    m_settle.setSingleShot(true);
    m_settle.setInterval(kSettleMs);
    connect(&m_settle, &QTimer::timeout, this, &RelayFinder::update);
    connect(&m_browser, &RelayBrowser::relaysChanged, this, &RelayFinder::update);
    connect(&m_browser, &RelayBrowser::availabilityChanged, this, [this] {
        // With no name, the only relay is chosen after a look of its own each time browsing
        // starts to work (at start, or once Bonjour is back): never the first one resolved.
        if (m_name.isEmpty() && m_browser.isAvailable())
            m_settle.start();
        update();
    });
}

void RelayFinder::start()
{
    m_browser.start();
    update();
}

QString RelayFinder::problem() const
{
    return m_problem;
}

void RelayFinder::update()
{
    QString problem;
    const QList<FoundRelay> relays = m_browser.relays();
    if (!m_browser.isAvailable()) {
        problem = QStringLiteral("cannot look for relays: ") + m_browser.errorString();
    } else if (m_name.isEmpty() && m_settle.isActive()) {
        problem = QStringLiteral("looking for relays on the network");
    } else if (m_name.isEmpty() && relays.isEmpty()) {
        problem = QStringLiteral("no relay announces itself on the network (yet)");
    } else if (m_name.isEmpty() && relays.size() > 1) {
        QStringList names;
        for (const FoundRelay &relay : relays)
            names.append(u'"' + relay.name + u'"');
        problem = QStringLiteral("several relays announce themselves (%1): say which one")
                      .arg(names.join(QStringLiteral(", ")));
    } else if (m_name.isEmpty()) {
        m_name = relays.first().name; // the only one: followed by name from now on
    }
    const std::optional<FoundRelay> relay
        = problem.isEmpty() ? m_browser.relay(m_name) : std::nullopt;
    if (problem.isEmpty() && !relay)
        problem = QStringLiteral("no relay called \"%1\" on the network (yet)").arg(m_name);
    if (problem != m_problem) {
        m_problem = problem;
        emit problemChanged();
    }
    // Gone from the network: the last place stays (the client keeps trying it) until it is back.
    // Only a new place is news: a new TXT record is not a reason to connect again.
    const bool moved = relay && (!m_relay || relay->endpoint() != m_relay->endpoint());
    if (relay)
        m_relay = relay;
    if (moved)
        emit found(*relay);
}
