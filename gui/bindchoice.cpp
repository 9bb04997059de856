#include "bindchoice.h"

#include <QCoreApplication>
#include <QNetworkInterface>

QList<BindChoice> BindChoice::available()
{
    const auto tr
        = [](const char *text) { return QCoreApplication::translate("BindChoice", text); };
    QList<BindChoice> choices = {
        {tr("This computer only (localhost)"), RelayConfig::Bind::Localhost, {}},
        {tr("All network interfaces"), RelayConfig::Bind::Any, {}},
        {tr("This computer's LAN address (found at start)"), RelayConfig::Bind::Lan, {}},
    };
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        const auto flags = interface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp)
            || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        const auto entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            const QHostAddress ip = entry.ip();
            if (ip.isLinkLocal())
                continue;
            choices.append({interface.humanReadableName() + QStringLiteral(" – ") + ip.toString(),
                RelayConfig::Bind::Address, ip});
        }
    }
    return choices;
}

int BindChoice::indexOf(const QList<BindChoice> &choices, const RelayConfig &config)
{
    for (int i = 0; i < choices.size(); ++i) {
        const BindChoice &choice = choices.at(i);
        if (choice.bind == config.bind
            && (config.bind != RelayConfig::Bind::Address || choice.address == config.address))
            return i;
    }
    return -1;
}
