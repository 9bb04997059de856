#include "logging.h"

Q_LOGGING_CATEGORY(lcRelay, "socketserver.relay", QtInfoMsg)
Q_LOGGING_CATEGORY(lcClients, "socketserver.clients", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTraffic, "socketserver.traffic", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMqtt, "socketserver.mqtt", QtInfoMsg)
