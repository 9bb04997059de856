#include "relaybanner.h"

#include "netaddress.h"
#include "relayserver.h"

QStringList relayBanner(const RelayServer &relay, const QString &program)
{
    const RelayConfig &config = relay.config();
    QStringList endpoints;
    const auto addresses = relay.listenAddresses();
    for (const QHostAddress &address : addresses) {
        endpoints.append(address == QHostAddress(QHostAddress::Any)
                ? QStringLiteral("every interface, port %1").arg(relay.port())
                : NetAddress::endpoint(address, relay.port()));
    }
    QStringList settings = {
        QStringLiteral("eol %1").arg(config.terminator.name()),
        config.echo ? QStringLiteral("echo on") : QStringLiteral("echo off"),
        QStringLiteral("max %1 clients").arg(config.maxClients),
        QStringLiteral("max message %1 bytes").arg(config.maxMessageBytes),
    };
    if (config.heartbeatSeconds > 0)
        settings.append(QStringLiteral("heartbeat every %1 s").arg(config.heartbeatSeconds));
    if (config.verbose)
        settings.append(QStringLiteral("verbose"));
    if (config.console)
        settings.append(QStringLiteral("console"));
    if (config.flashPolicy)
        settings.append(QStringLiteral("Flash policy"));
    if (!config.expected.isEmpty())
        settings.append(QStringLiteral("%1 expected client(s), grace %2 s")
                            .arg(config.expected.size())
                            .arg(config.expectGraceSeconds));
    QStringList lines;
    lines += QStringLiteral("%1 %2 listening on %3 (%4)")
                 .arg(program, QStringLiteral(SOCKETSERVER_VERSION),
                     endpoints.join(QStringLiteral(" and ")), settings.join(QStringLiteral(", ")));
    if (relay.webSocketPort() != 0) {
        // Where a browser reaches it: on every interface, that is this machine's LAN address.
        const QList<QHostAddress> hosts = NetAddress::reachableAddresses(addresses);
        QStringList sockets;
        QStringList pages;
        for (const QHostAddress &host : std::as_const(hosts)) {
            const QString where = NetAddress::endpoint(host, relay.webSocketPort());
            sockets << QStringLiteral("ws://%1/").arg(where);
            pages << QStringLiteral("http://%1/").arg(where);
        }
        lines += QStringLiteral("web pages connect to %1; the built-in page: %2")
                     .arg(sockets.join(QStringLiteral(" or ")), pages.join(QStringLiteral(" or ")));
        if (!pages.isEmpty())
            lines += QStringLiteral("monitoring: %1health and %1metrics").arg(pages.first());
    }
    if (!relay.localServerPath().isEmpty())
        lines += QStringLiteral("programs on this machine connect to the local socket %1")
                     .arg(relay.localServerPath());
    if (relay.udpPort() != 0) {
        QStringList ports;
        for (const QHostAddress &address : addresses) {
            ports.append(address == QHostAddress(QHostAddress::Any)
                    ? QStringLiteral("every interface, port %1").arg(relay.udpPort())
                    : NetAddress::endpoint(address, relay.udpPort()));
        }
        QStringList peers;
        for (const auto &[address, port] : config.udpTargets)
            peers.append(NetAddress::endpoint(address, port));
        peers.append(
            QStringLiteral("every program heard from in the last %1 s").arg(config.udpPeerSeconds));
        lines += QStringLiteral("%1 on UDP %2; messages go out to %3")
                     .arg(config.osc ? QStringLiteral("OSC") : QStringLiteral("datagrams"),
                         ports.join(QStringLiteral(" and ")), peers.join(QStringLiteral(", ")));
    }
    if (config.mqtt.isEnabled())
        lines += QStringLiteral("other rooms: through the MQTT broker %1, topic %2 (%3)")
                     .arg(config.mqtt.url, config.mqtt.topic,
                         MqttSettings::directionText(config.mqtt.direction));
    return lines;
}
