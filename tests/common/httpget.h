// httpGet(): one HTTP request to the relay's web port on loopback, for the test suites: the
// status, headers and body of the answer. Waits in the event loop, so the relay may run in the
// same thread. Header-only.
#pragma once

#include "testpeer.h"

#include <QHash>
#include <QTest>

struct HttpResponse
{
    int status = 0; ///< 0 when no answer came
    QByteArray head; ///< the status line and the headers
    QByteArray body;

    /// The value of header @p name (case as sent), empty when absent.
    QByteArray header(QByteArrayView name) const
    {
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.first(colon).trimmed().toLower() == name.toByteArray().toLower())
                return line.sliced(colon + 1).trimmed();
        }
        return {};
    }
};

/// Sends "@p method @p path" on @p peer (connected to the web port) and waits for the answer.
inline HttpResponse httpRequest(
    TestPeer &peer, const QByteArray &path, const QByteArray &method = "GET")
{
    peer.send(method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    HttpResponse response;
    if (!QTest::qWaitFor([&peer] { return !peer.isConnected(); }, 10000))
        return response;
    const QByteArray all = peer.received();
    const qsizetype end = all.indexOf("\r\n\r\n");
    if (end < 0)
        return response;
    response.head = all.first(end);
    response.body = all.sliced(end + 4);
    const QList<QByteArray> status = response.head.split(' ');
    response.status = status.size() > 1 ? status.at(1).toInt() : 0;
    return response;
}

/// Connects to @p port on loopback and sends "@p method @p path".
inline HttpResponse httpGet(quint16 port, const QByteArray &path, const QByteArray &method = "GET")
{
    TestPeer peer;
    if (!peer.connectTo(QHostAddress::LocalHost, port))
        return {};
    return httpRequest(peer, path, method);
}

/// The samples of a Prometheus text document: {"name{labels}": value}.
inline QHash<QByteArray, double> metricSamples(const QByteArray &text)
{
    QHash<QByteArray, double> samples;
    for (const QByteArray &line : text.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.lastIndexOf(' ');
        samples.insert(line.first(space), line.sliced(space + 1).toDouble());
    }
    return samples;
}
