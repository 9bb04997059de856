#include "seriallogging.h"

Q_LOGGING_CATEGORY(lcSerial, "socketserver.serial", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSerialTraffic, "socketserver.serial.traffic", QtInfoMsg)
