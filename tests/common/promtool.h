// Prometheus' own checker for what the relay serves on /metrics: promtoolCheckMetrics() runs
// `promtool check metrics` on a text. REQUIRE_PROMTOOL() finds promtool for a test function, or
// ends it (see REQUIRE_TOOL()). Header-only, for the test suites.
#pragma once

#include "requiretool.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTest>

/// Declares QString @p path, promtool's; ends the test function when there is none.
#define REQUIRE_PROMTOOL(path)                                                                     \
    const QString path = QStandardPaths::findExecutable(QStringLiteral("promtool"));               \
    REQUIRE_TOOL(!path.isEmpty(), "prometheus", "promtool, which comes with Prometheus")

/// What `promtool check metrics` says about @p metrics: empty when it finds no problem.
inline QByteArray promtoolCheckMetrics(const QString &promtool, const QByteArray &metrics)
{
    QProcess check;
    check.setProcessChannelMode(QProcess::MergedChannels);
    check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    if (!check.waitForStarted(5000))
        return "promtool did not start: " + check.errorString().toUtf8();
    check.write(metrics);
    check.closeWriteChannel();
    if (!check.waitForFinished(30000))
        return "promtool did not finish";
    const QByteArray problems = check.readAll();
    if (check.exitCode() != 0 && problems.isEmpty())
        return "promtool failed with status " + QByteArray::number(check.exitCode());
    return problems;
}
