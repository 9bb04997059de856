// The serial relay's logging categories. Info and warnings (one line per change of state) are
// always shown; the debug lines of socketserver.serial.traffic, one per line relayed, only with
// --verbose.
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcSerial) // socketserver.serial: device and relay state
Q_DECLARE_LOGGING_CATEGORY(lcSerialTraffic) // socketserver.serial.traffic: each line (verbose)
