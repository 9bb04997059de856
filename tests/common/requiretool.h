// REQUIRE_TOOL(): a test that needs a real program (a broker, a browser, a checker) and finds
// none ends there: a failure on Debian, where ./test.sh installs it, so that CI never passes
// without running it; a skip elsewhere, saying how to get it. Header-only, for the test suites.
#pragma once

#include <QFileInfo>
#include <QTest>

/// Ends the test function unless @p found; @p debianPackages and @p elsewhere (string
/// literals) say where the tool comes from.
#define REQUIRE_TOOL(found, debianPackages, elsewhere)                                             \
    if (!(found)) {                                                                                \
        if (QFileInfo::exists(QStringLiteral("/etc/debian_version")))                              \
            QFAIL("missing: ./test.sh installs it (Debian: " debianPackages ")");                  \
        QSKIP("not installed: " elsewhere);                                                        \
    }
