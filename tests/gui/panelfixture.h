// Panel: one control panel for the window's test suites: its settings (in a file the test
// names), its login item, its relay controller and its real window. Questions are answered
// by the test. Header-only.
#pragma once

#include "loginitem.h"
#include "mainwindow.h"
#include "panelsettings.h"

#include <QLabel>
#include <QtGlobal>

struct Panel
{
    explicit Panel(const QString &settingsFile)
        : settings(settingsFile)
        , loginItem(QStringLiteral("/opt/socketserver-panel"))
        , window(&controller, &settings, &loginItem)
    {
        window.setQuestion([this](const QString &text) {
            questions.append(text);
            return answer;
        });
    }

    /// The window's widget called @p name; there must be one.
    template<typename T> T *child(const char *name)
    {
        T *widget = window.findChild<T *>(QLatin1String(name));
        if (!widget)
            qFatal("no widget named %s", name);
        return widget;
    }

    QString stateText() { return child<QLabel>("state")->text(); }

    PanelSettings settings;
    LoginItem loginItem;
    RelayController controller;
    MainWindow window;
    QStringList questions; ///< every question asked, in order
    bool answer = false; ///< the answer to each
};
