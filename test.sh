#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
# SOCKETSERVER_TEST_PACKAGES: also install what only the tests need (chromium, systemd, prometheus).
SOCKETSERVER_TEST_PACKAGES=1 scripts/bootstrap.sh -DSOCKETSERVER_WERROR=ON
cd build
# Two at a time, as the machine has cores; tests that must not overlap say so (RESOURCE_LOCK).
ctest --output-on-failure --timeout 300 --parallel 2
