// PanelShutdown: what the panel does when the system ends it (SIGTERM from a kiosk shutting
// down): saves the settings, closes the clients as the daemon does, gives them a grace period to
// take what is queued for them, then says finished(). It never asks anything: nobody is there to
// answer, and a question would keep the kiosk from powering off. Owned by main() (or a test).
#pragma once

#include <QObject>
#include <QTimer>

#include <functional>

class RelayController;

class PanelShutdown : public QObject
{
    Q_OBJECT

public:
    PanelShutdown(RelayController *controller, int graceMs, QObject *parent = nullptr);

    /// Called once when termination begins, before the relay stops (saves the settings).
    void setSaveSettings(std::function<void()> save) { m_save = std::move(save); }

    /// Begins termination; finished() follows once the relay stopped or the grace period ended.
    void terminate();

signals:
    /// The panel may exit now: main() leaves the event loop without closing windows.
    void finished();

private:
    void finish();

    RelayController *m_controller;
    QTimer m_grace;
    std::function<void()> m_save;
    bool m_terminating = false;
    bool m_finished = false;
};
