// macOS: an NSProcessInfo activity keeps App Nap from throttling the relay while it serves.
#include "appnapblocker.h"

#import <Foundation/Foundation.h>

void AppNapBlocker::begin(const QString &reason)
{
    if (m_active)
        return;
    id<NSObject> activity = [[NSProcessInfo processInfo]
        beginActivityWithOptions:NSActivityUserInitiatedAllowingIdleSystemSleep
        | NSActivityLatencyCritical
                          reason:reason.toNSString()];
    // CFBridgingRetain/Release hold the token under manual and automatic reference counting.
    m_activity = const_cast<void *>(CFBridgingRetain(activity));
    m_active = true;
}

void AppNapBlocker::end()
{
    if (!m_active)
        return;
    id<NSObject> activity = CFBridgingRelease(m_activity);
    [[NSProcessInfo processInfo] endActivity:activity];
    m_activity = nullptr;
    m_active = false;
}
