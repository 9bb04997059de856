#include "panelsettings.h"

#include "relayoptions.h"

#include <QMap>

namespace {

const QString kStartOnOpen = QStringLiteral("panel/start-on-open");
const QString kWindowGeometry = QStringLiteral("panel/window-geometry");

} // namespace

PanelSettings::PanelSettings() = default;

PanelSettings::PanelSettings(const QString &fileName)
    : m_settings(fileName, QSettings::IniFormat)
{ }

RelayConfig PanelSettings::relayConfig() const
{
    QStringList args;
    const QStringList keys = m_settings.childKeys();
    for (const QString &key : keys) {
        if (key == u"config") // a file named in the panel's settings is not read
            continue;
        // A setting given several times (expect) is stored as a list.
        const QStringList values = m_settings.value(key).toStringList();
        for (const QString &value : values)
            args.append(QStringLiteral("--%1=%2").arg(key, value));
    }
    // The core's parser checks every value, as it does for the daemon's command line. A value
    // it refuses (edited by hand) is left out, so one bad line does not lose the others. Some
    // values are right only beside another (a topic with wildcards needs mqtt-direction = in),
    // and the platform's storage may list keys in any order: a value refused is tried again
    // once another has been taken.
    RelayConfig config;
    QStringList taken;
    for (bool tookMore = true; tookMore;) {
        tookMore = false;
        for (auto arg = args.begin(); arg != args.end();) {
            const RelayOptions options = parseRelayOptions(taken + QStringList{*arg});
            if (options.action != RelayOptions::Action::Run) {
                ++arg;
                continue;
            }
            config = options.config;
            taken.append(*arg);
            arg = args.erase(arg);
            tookMore = true;
        }
    }
    return config;
}

void PanelSettings::setRelayConfig(const RelayConfig &config)
{
    const QStringList keys = m_settings.childKeys();
    for (const QString &key : keys)
        m_settings.remove(key);
    // A key on several lines (expect) becomes one list.
    QMap<QString, QStringList> values;
    const auto settings = relaySettings(config);
    for (const auto &[key, value] : settings)
        values[key].append(value);
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        if (it.value().size() == 1)
            m_settings.setValue(it.key(), it.value().constFirst());
        else
            m_settings.setValue(it.key(), it.value());
    }
}

bool PanelSettings::startOnOpen() const
{
    return m_settings.value(kStartOnOpen, false).toBool();
}

void PanelSettings::setStartOnOpen(bool on)
{
    m_settings.setValue(kStartOnOpen, on);
}

QByteArray PanelSettings::windowGeometry() const
{
    return m_settings.value(kWindowGeometry).toByteArray();
}

void PanelSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings.setValue(kWindowGeometry, geometry);
}

void PanelSettings::sync()
{
    m_settings.sync();
}
