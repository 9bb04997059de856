#include "mqttsettings.h"

#include <QUrl>

QString MqttSettings::Broker::displayName() const
{
    return (host.contains(u':') ? u'[' + host + u']' : host) + u':' + QString::number(port);
}

std::optional<MqttSettings::Broker> MqttSettings::brokerFromUrl(const QString &url)
{
    const QUrl parsed(url.trimmed(), QUrl::StrictMode);
    const QString scheme = parsed.scheme().toLower();
    if (!parsed.isValid() || (scheme != u"mqtt" && scheme != u"mqtts") || parsed.host().isEmpty()
        || !parsed.userInfo().isEmpty() || !(parsed.path().isEmpty() || parsed.path() == u"/")
        || parsed.hasQuery() || parsed.hasFragment())
        return std::nullopt;
    Broker broker;
    broker.tls = scheme == u"mqtts";
    broker.host = parsed.host();
    const int port = parsed.port(broker.tls ? kDefaultTlsPort : kDefaultPort);
    if (port < 1)
        return std::nullopt;
    broker.port = quint16(port);
    return broker;
}

QString MqttSettings::topicProblem(const QString &topic)
{
    if (topic.isEmpty())
        return QStringLiteral("the topic must not be empty");
    if (topic.contains(QChar(0)) || topic.toUtf8().size() > 65535)
        return QStringLiteral("'%1' is not an MQTT topic").arg(topic);
    // + must be a whole level, # a whole last level.
    const QStringList levels = topic.split(u'/');
    for (qsizetype i = 0; i < levels.size(); ++i) {
        const QString &level = levels[i];
        if ((level.contains(u'+') && level != u"+")
            || (level.contains(u'#') && (level != u"#" || i != levels.size() - 1)))
            return QStringLiteral("'%1' is not an MQTT topic: + and # stand for whole levels "
                                  "(museum/+/screen, museum/#)")
                .arg(topic);
    }
    return {};
}

bool MqttSettings::hasWildcards(const QString &topic)
{
    return topic.contains(u'+') || topic.contains(u'#');
}

QString MqttSettings::directionName(Direction direction)
{
    switch (direction) {
    case Direction::Both:
        return QStringLiteral("both");
    case Direction::Out:
        return QStringLiteral("out");
    case Direction::In:
        return QStringLiteral("in");
    }
    return {};
}

QString MqttSettings::directionText(Direction direction)
{
    switch (direction) {
    case Direction::Both:
        return QStringLiteral("publishing and listening");
    case Direction::Out:
        return QStringLiteral("publishing only");
    case Direction::In:
        return QStringLiteral("listening only");
    }
    return {};
}

std::optional<MqttSettings::Direction> MqttSettings::directionFromName(const QString &name)
{
    for (Direction direction : {Direction::Both, Direction::Out, Direction::In}) {
        if (name.trimmed().compare(directionName(direction), Qt::CaseInsensitive) == 0)
            return direction;
    }
    return std::nullopt;
}

QString MqttStatus::text() const
{
    switch (state) {
    case State::Connecting:
        return QStringLiteral("connecting to %1").arg(broker);
    case State::Connected:
        return QStringLiteral("connected to %1, topic %2").arg(broker, topic);
    case State::Waiting:
        return QStringLiteral("waiting for %1 (%2)").arg(broker, problem);
    }
    return {};
}
