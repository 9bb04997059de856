#include "singleinstance.h"

#include <QDir>
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

QString panelName(const QString &name)
{
    return name.isEmpty() ? QStringLiteral("socketserver-panel-") + userName() : name;
}

} // namespace

SingleInstance::SingleInstance(const QString &name, QObject *parent)
    : QObject(parent)
    , m_name(panelName(name))
    , m_lock(QDir(QDir::tempPath()).filePath(m_name + QStringLiteral(".lock")))
{
    // Only a lock whose process is gone is stale: a busy panel keeps its lock however long.
    m_lock.setStaleLockTime(0);
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    m_retry.setSingleShot(true);
    m_retry.setInterval(kRetryMs);
    connect(&m_retry, &QTimer::timeout, this, &SingleInstance::attempt);
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(kConnectTimeoutMs);
    // An instance that holds the lock but does not answer in time is hung: take over.
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        m_probe.abort();
        qCWarning(lcInstance) << "the other panel does not answer: this one takes over";
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
        // Nobody listens (yet): the lock's holder is about to, or it is gone.
        if (!m_reached && !m_decided && !m_retry.isActive())
            m_retry.start();
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
    m_timeout.start();
    attempt();
}

void SingleInstance::attempt()
{
    if (m_decided)
        return;
    if (m_lock.isLocked() || m_lock.tryLock(0)) {
        becomePrimary();
        return;
    }
    m_reached = false;
    m_probe.connectToServer(m_name);
}

void SingleInstance::becomePrimary()
{
    if (m_decided)
        return;
    m_decided = true;
    m_timeout.stop();
    m_retry.stop();
    if (!m_server.listen(m_name)) {
        // A socket file left by an instance that crashed (or a hung one, after the timeout).
        QLocalServer::removeServer(m_name);
        if (!m_server.listen(m_name))
            qCWarning(lcInstance).noquote()
                << "cannot make sure only one panel runs:" << m_server.errorString();
    }
    emit becamePrimary();
}
