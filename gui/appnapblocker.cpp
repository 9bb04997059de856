// Every platform but macOS: no App Nap, nothing to hold.
#include "appnapblocker.h"

void AppNapBlocker::begin(const QString &reason)
{
    Q_UNUSED(reason);
    m_active = true;
}

void AppNapBlocker::end()
{
    m_active = false;
}
