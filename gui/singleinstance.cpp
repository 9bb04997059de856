#include "singleinstance.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcInstance, "socketserver.panel.instance", QtInfoMsg)

namespace {

QString userName()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME");
    return user.isEmpty() ? QStringLiteral("user") : user;
}

const QByteArray kShowRequest = QByteArrayLiteral("show\n");

} // namespace

SingleInstance::SingleInstance(const QString &name, QObject *parent)
    : QObject(parent)
    , m_name(name.isEmpty() ? QStringLiteral("socketserver-panel-") + userName() : name)
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(kConnectTimeoutMs);
    // An instance that does not answer in time is hung: take over.
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        m_probe.abort();
        becomePrimary();
    });
    connect(&m_probe, &QLocalSocket::connected, this, [this] {
        m_reached = true;
        m_probe.write(kShowRequest);
        m_probe.disconnectFromServer(); // sends what is written first
    });
    connect(&m_probe, &QLocalSocket::disconnected, this, [this] {
        if (m_decided)
            return;
        m_decided = true;
        m_timeout.stop();
        emit otherInstanceRunning();
    });
    connect(&m_probe, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError) {
        if (!m_reached)
            becomePrimary(); // nobody listens (or a stale socket file is left)
    });
    connect(&m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
                if (socket->readAll().contains(kShowRequest.trimmed()))
                    emit activationRequested();
            });
        }
    });
}

void SingleInstance::start()
{
    m_decided = false;
    m_reached = false;
    m_probe.connectToServer(m_name);
    m_timeout.start();
}

void SingleInstance::becomePrimary()
{
    if (m_decided)
        return;
    m_decided = true;
    m_timeout.stop();
    if (!m_server.listen(m_name)) {
        // A socket file left by an instance that crashed.
        QLocalServer::removeServer(m_name);
        if (!m_server.listen(m_name))
            qCWarning(lcInstance).noquote()
                << "cannot make sure only one panel runs:" << m_server.errorString();
    }
    emit becamePrimary();
}
