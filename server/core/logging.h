// The core's logging categories. Debug lines are the verbose ones (-v turns them on); info,
// warnings and errors are always shown.
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcRelay) // socketserver.relay: listening, starting, stopping
Q_DECLARE_LOGGING_CATEGORY(lcClients) // socketserver.clients: connections and refusals
Q_DECLARE_LOGGING_CATEGORY(lcTraffic) // socketserver.traffic: every message (verbose)
Q_DECLARE_LOGGING_CATEGORY(lcMqtt) // socketserver.mqtt: the MQTT bridge and its broker
