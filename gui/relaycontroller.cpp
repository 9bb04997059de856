#include "relaycontroller.h"

#include "netaddress.h"
#include "panellog.h"
#include "relaybanner.h"

#include <QRegularExpression>

RelayController::RelayController(QObject *parent)
    : QObject(parent)
{
    connect(&m_relay, &RelayServer::listening, this, [this] {
        const QStringList lines = relayBanner(m_relay, QStringLiteral("socketserver-panel"));
        for (const QString &line : lines)
            qCInfo(lcPanel).noquote() << line;
        setState(State::Running);
    });
    connect(&m_relay, &RelayServer::stopped, this, [this] {
        qCInfo(lcPanel) << "stopped";
        setState(State::Stopped);
    });
}

bool RelayController::start(const RelayConfig &config)
{
    if (m_state != State::Stopped)
        return false;
    if (!m_relay.start(config)) {
        QString error = m_relay.errorString();
        qCWarning(lcPanel).noquote() << QStringLiteral("cannot start:") << error;
        if (!error.isEmpty())
            error[0] = error.at(0).toUpper();
        emit errorOccurred(error);
        return false;
    }
    // listening() has set Running already unless the relay waits for its address.
    if (m_relay.isWaiting())
        setState(State::Waiting);
    return true;
}

void RelayController::stop()
{
    if (m_state == State::Stopped || m_state == State::Stopping)
        return;
    setState(State::Stopping);
    m_relay.stop(); // emits stopped() at once when no client is connected
}

void RelayController::broadcast(const QString &text)
{
    if (m_state == State::Running)
        m_relay.broadcast(text.toUtf8());
}

void RelayController::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    if (state == State::Stopped)
        m_appNap.end();
    else
        m_appNap.begin(QStringLiteral("SocketServer relays messages between exhibit programs"));
    emit stateChanged(state);
}

QString RelayController::connectionHint() const
{
    switch (m_state) {
    case State::Stopped:
        return tr("Not serving: press Start.");
    case State::Stopping:
        return tr("Closing the connections…");
    case State::Waiting:
        return waitingHint();
    case State::Running:
        break;
    }
    QString hint = tcpHint();
    if (m_relay.config().webSocketEnabled)
        hint += tr("; web pages to port %1").arg(m_relay.webSocketPort());
    if (!m_relay.config().localServerName.isEmpty())
        hint += tr("; local programs to %1").arg(m_relay.localServerPath());
    if (m_relay.config().udpEnabled) {
        hint += (m_relay.config().osc ? tr("; OSC programs to UDP port %1")
                                      : tr("; UDP programs to port %1"))
                    .arg(m_relay.udpPort());
    }
    return hint;
}

QString RelayController::waitingHint() const
{
    const RelayConfig &config = m_relay.config();
    if (config.bind == RelayConfig::Bind::Address) {
        return tr("Waiting for the address %1 to appear on this computer (is the network "
                  "up?)…")
            .arg(config.address.toString());
    }
    return tr("Waiting for a LAN address (is the network up?)…");
}

QString RelayController::tcpHint() const
{
    if (m_relay.config().bind == RelayConfig::Bind::Localhost)
        return tr("Programs on this computer connect to localhost, port %1").arg(m_relay.port());
    QStringList names;
    const QList<QHostAddress> addresses = NetAddress::reachableAddresses(m_relay.listenAddresses());
    for (const QHostAddress &address : addresses) {
        if (!address.isLoopback())
            names.append(NetAddress::unmapped(address).toString());
    }
    // IPv4 addresses are what technicians type; IPv6 ones only when there is no other.
    const QStringList v4 = names.filter(QRegularExpression(QStringLiteral("^[0-9.]+$")));
    if (!v4.isEmpty())
        names = v4;
    if (names.isEmpty())
        names.append(QStringLiteral("localhost"));
    return tr("Clients connect to %1, port %2")
        .arg(names.join(tr(" or ")), QString::number(m_relay.port()));
}

QString RelayController::connectionText() const
{
    if (m_state != State::Running)
        return {};
    return endpoint(m_relay.port());
}

QString RelayController::webAddress() const
{
    if (m_state != State::Running || m_relay.webSocketPort() == 0)
        return {};
    return QStringLiteral("http://%1/").arg(endpoint(m_relay.webSocketPort()));
}

QString RelayController::endpoint(quint16 port) const
{
    if (m_relay.config().bind == RelayConfig::Bind::Localhost)
        return QStringLiteral("localhost:%1").arg(port);
    const QList<QHostAddress> addresses = NetAddress::reachableAddresses(m_relay.listenAddresses());
    for (const QHostAddress &address : addresses) {
        if (!address.isLoopback())
            return NetAddress::endpoint(address, port);
    }
    return QStringLiteral("localhost:%1").arg(port);
}

QString RelayController::stateText() const
{
    switch (m_state) {
    case State::Stopped:
        return tr("Stopped");
    case State::Waiting:
        return tr("Waiting for the network");
    case State::Stopping:
        return tr("Stopping");
    case State::Running:
        break;
    }
    const int clients = m_relay.clientCount();
    return clients == 1 ? tr("Running – 1 client connected")
                        : tr("Running – %1 clients connected").arg(clients);
}
