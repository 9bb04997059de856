// linkReason(): why a RelayLink is down, in the words the test client shows, in the window's
// status line and in the headless client's messages alike ("connection refused").
#pragma once

#include <QString>

class RelayLink;

/// The link's error string as the end of one of our sentences: starting with a small letter.
/// Empty when there is no error.
QString linkReason(const RelayLink &link);
