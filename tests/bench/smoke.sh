#!/usr/bin/env bash
# bench_smoke (ctest): runs every loadgen workload briefly against a real socketserver, over TCP,
# over WebSocket and mixed (TCP senders, WebSocket receivers), and checks that each one works: no
# corrupt, missing, reordered or duplicated line, every client reached. It asserts nothing
# about speed.
#
# Then the UDP port, in text mode and with --osc: fanout and latency from a UDP sender to TCP
# receivers and from a TCP sender to UDP peers, once each and briefly. Each run must get its
# probe lines across (every receiver heard); messages lost on the way are reported, not checked.
#
# Last, a fast WebSocket sender: 3,000,000 messages to 10 WebSocket receivers that read all the
# time, with a window (64 MiB) that lets the sender run far ahead. Every receiver must get every
# message and none may be disconnected. A relay that reads a WebSocket sender without bound in
# one event-loop turn queues all of it for every receiver at once and disconnects them all as
# not reading (with --max-client-buffer 65536 here, so that it shows within seconds).
#   usage: smoke.sh SOCKETSERVER LOADGEN
set -euo pipefail
socketserver=$1
loadgen=$2

logs=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$logs"
}
trap cleanup EXIT

# start_server NAME OPTIONS...: a socketserver on 127.0.0.1 with a TCP and a WebSocket port,
# read from its start-up lines: "... listening on 127.0.0.1:PORT (...)" and
# "web pages connect to ws://127.0.0.1:PORT/; ...". Sets server_pid, server_log, port, ws_port,
# and udp_port when OPTIONS has --udp-port ("datagrams on UDP 127.0.0.1:PORT; ...", or "OSC on").
start_server() {
    server_log=$logs/$1.log
    shift
    "$socketserver" --port 0 --bind 127.0.0.1 --ws-port 0 "$@" >"$server_log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$server_log")
        ws_port=$(sed -n 's|.*web pages connect to ws://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' \
            "$server_log")
        udp_port=$(sed -n 's/.* on UDP 127\.0\.0\.1:\([0-9]*\);.*/\1/p' "$server_log")
        if [ -n "$port" ] && [ -n "$ws_port" ] \
            && [[ " $* " != *" --udp-port "* || -n "$udp_port" ]]; then
            return 0
        fi
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$server_log"
    echo "socketserver did not start or printed no start-up lines"
    exit 1
}

stop_server() {
    kill "$server_pid"
    wait "$server_pid" || { cat "$server_log"; echo "socketserver did not stop cleanly"; exit 1; }
    server_pid=
}

run() {
    echo "loadgen $*"
    local udp=()
    [ -z "${udp_port:-}" ] || udp=(--udp-port "$udp_port")
    "$loadgen" --host 127.0.0.1 --port "$port" --ws-port "$ws_port" "${udp[@]}" \
        --server-pid "$server_pid" --timeout 20 "$@"
}

start_server workloads
for transport in tcp ws tcp-ws; do
    run --transport "$transport" --workload senders --seconds 1 --require-integrity
    run --transport "$transport" --workload fanout --receivers 3 --seconds 1
    run --transport "$transport" --workload fanout --receivers 3 --messages 100000
    run --transport "$transport" --workload latency --receivers 10 --rate 1000 --seconds 1
    run --transport "$transport" --workload connections --clients 200
    run --transport "$transport" --workload slow --megabytes 5
done
stop_server
echo "bench_smoke: all workloads ran"

start_server fast-ws-sender --max-client-buffer 65536 --no-echo
if ! run --transport ws --workload fanout --receivers 10 --messages 3000000 --window 65536; then
    grep -m 3 disconnecting "$server_log" || true
    echo "bench_smoke: a fast WebSocket sender got WebSocket receivers that read disconnected"
    exit 1
fi
stop_server
echo "bench_smoke: a fast WebSocket sender reached every receiver"

for mode in text osc; do
    osc=()
    [ "$mode" = text ] || osc=(--osc)
    start_server "udp-$mode" --udp-port 0 "${osc[@]}"
    for transport in udp-tcp tcp-udp; do
        run --transport "$transport" "${osc[@]}" --workload fanout --receivers 3 --seconds 0.5
        run --transport "$transport" "${osc[@]}" --workload latency --receivers 3 --rate 1000 \
            --seconds 0.5
    done
    stop_server
done
echo "bench_smoke: the UDP workloads ran, in text and OSC mode"
