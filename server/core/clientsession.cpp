#include "clientsession.h"

#include <QTcpSocket>

ClientSession::ClientSession(quint64 id, QTcpSocket *socket, const Terminator &terminator,
                             qsizetype maxMessageBytes, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_codec(terminator, maxMessageBytes)
    , m_lineEnding(terminator.initialEnding())
{
    m_socket->setParent(this);
    m_info.id = id;
    m_info.address = socket->peerAddress();
    m_info.port = socket->peerPort();
    m_info.connectedSince = QDateTime::currentDateTime();
    m_info.lastActivity = m_info.connectedSince;

    connect(m_socket, &QTcpSocket::readyRead, this, &ClientSession::readAvailable);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (!m_closeReason.isEmpty())
            return;
        m_closeReason = error == QAbstractSocket::RemoteHostClosedError
            ? QStringLiteral("closed by client")
            : m_socket->errorString();
    });
    connect(m_socket, &QTcpSocket::disconnected, this, &ClientSession::onDisconnected);
}

ClientInfo ClientSession::info() const
{
    ClientInfo info = m_info;
    info.droppedMessages = m_codec.droppedMessages();
    return info;
}

void ClientSession::send(const QByteArray &block, qint64 messageCount)
{
    if (m_closing)
        return;
    m_socket->write(block);
    m_info.messagesOut += messageCount;
    m_info.bytesOut += block.size();
}

void ClientSession::sendMessage(QByteArrayView message)
{
    QByteArray block;
    const QByteArrayView terminator = m_codec.terminator().bytesFor(m_lineEnding);
    block.reserve(message.size() + terminator.size());
    block.append(message).append(terminator);
    send(block, 1);
}

void ClientSession::close(const QString &reason)
{
    if (m_closing)
        return;
    m_closeReason = reason;
    m_closing = true;
    m_socket->disconnectFromHost(); // may emit disconnected() at once
}

void ClientSession::readAvailable()
{
    const QByteArray bytes = m_socket->readAll();
    if (bytes.isEmpty())
        return;
    m_info.bytesIn += bytes.size();
    m_info.lastActivity = QDateTime::currentDateTime();
    m_batch.clear();
    m_codec.feed(bytes, m_batch);
    if (m_batch.isEmpty())
        return;
    m_info.messagesIn += m_batch.count();
    emit messagesReceived(this, m_batch);
}

void ClientSession::onDisconnected()
{
    readAvailable(); // whatever arrived with the close
    m_closing = true;
    m_batch.clear();
    const QByteArray tail = m_codec.takeUnterminated();
    if (!tail.isEmpty()) {
        m_batch.append(tail, LineEnding::None);
        m_info.messagesIn += 1;
        emit messagesReceived(this, m_batch);
    }
    emit disconnected(this, m_closeReason.isEmpty() ? QStringLiteral("closed by client")
                                                    : m_closeReason);
}
