// TestPeer: a test's TCP client. Connects on loopback and collects every byte that arrives,
// so that tests can QTRY_COMPARE what it received. Header-only, for the test suites.
#pragma once

#include <QHostAddress>
#include <QTcpSocket>

class TestPeer
{
public:
    TestPeer() { takeEverythingThatArrives(); }

    bool connectTo(const QHostAddress &address, quint16 port)
    {
        m_socket.connectToHost(address, port);
        return m_socket.waitForConnected(5000);
    }

    /// Stops taking data: Qt holds one byte, then the system's buffers fill up and the
    /// relay's output for this peer backs up, as with a program that hangs.
    void stopReading()
    {
        QObject::disconnect(&m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
        m_socket.setReadBufferSize(1);
    }

    /// Takes data again, after stopReading().
    void resumeReading()
    {
        m_socket.setReadBufferSize(0);
        takeEverythingThatArrives();
        m_received += m_socket.readAll();
    }

    void send(const QByteArray &bytes) { m_socket.write(bytes); }
    QByteArray received() const { return m_received; }
    void clearReceived() { m_received.clear(); }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QTcpSocket &socket() { return m_socket; }

private:
    void takeEverythingThatArrives()
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket,
            [this] { m_received += m_socket.readAll(); });
    }

    QTcpSocket m_socket;
    QByteArray m_received;
};
