#include "panelshutdown.h"

#include "relaycontroller.h"

PanelShutdown::PanelShutdown(RelayController *controller, int graceMs, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
{
    m_grace.setSingleShot(true);
    m_grace.setInterval(graceMs);
    connect(&m_grace, &QTimer::timeout, this, &PanelShutdown::finish);
    connect(controller, &RelayController::stateChanged, this, [this](RelayController::State state) {
        if (m_terminating && state == RelayController::State::Stopped)
            finish();
    });
}

void PanelShutdown::terminate()
{
    if (m_terminating)
        return;
    m_terminating = true;
    if (m_save)
        m_save();
    m_grace.start();
    m_controller->stop();
    if (m_controller->state() == RelayController::State::Stopped)
        finish();
}

void PanelShutdown::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_grace.stop();
    emit finished();
}
