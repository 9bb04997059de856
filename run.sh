#!/usr/bin/env bash
# Installs what is missing, builds, and starts the relay in the foreground with verbose
# logging on localhost:6780. Arguments go to the relay: ./run.sh -r 5783
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
exec build/server/daemon/socketserver -v "$@"
