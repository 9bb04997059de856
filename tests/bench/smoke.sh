#!/usr/bin/env bash
# bench_smoke (ctest): runs every loadgen workload briefly against a real socketserver and checks
# that each one works: no corrupt, missing, reordered or duplicated line, every client reached.
# It asserts nothing about speed.
#   usage: smoke.sh SOCKETSERVER LOADGEN
set -euo pipefail
socketserver=$1
loadgen=$2

log=$(mktemp)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -f "$log"
}
trap cleanup EXIT

"$socketserver" --port 0 --bind 127.0.0.1 >"$log" 2>&1 &
server_pid=$!

# The start-up line: "... listening on 127.0.0.1:PORT (...)".
port=
for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; echo "socketserver did not start"; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { cat "$log"; echo "socketserver printed no start-up line"; exit 1; }

run() {
    echo "loadgen $*"
    "$loadgen" --host 127.0.0.1 --port "$port" --server-pid "$server_pid" --timeout 20 "$@"
}
run --workload senders --seconds 1 --require-integrity
run --workload fanout --receivers 3 --seconds 1
run --workload connections --clients 200
run --workload slow --megabytes 5

kill "$server_pid"
wait "$server_pid" || { cat "$log"; echo "socketserver did not stop cleanly"; exit 1; }
server_pid=
echo "bench_smoke: all workloads ran"
