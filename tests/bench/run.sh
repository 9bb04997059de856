#!/usr/bin/env bash
# The SocketServer benchmark: socketserver and ncat --broker (the closest existing tool: it relays
# bytes from any client to all the others, but not back to the sender) under the same loadgen
# workloads, side by side. Each workload gets a fresh relay process, so memory figures are its
# own. Prints a table and writes every result as one JSON line to BUILD/bench-results.jsonl
# (relay logs in BUILD/bench-logs/).
#
#   usage: tests/bench/run.sh [--quick] [--build-dir DIR]
#     --quick          1 s runs and smaller counts, for a fast check
#     --build-dir DIR  the CMake build directory, relative to the repository (default: build);
#                      configured (RelWithDebInfo) only if it is not yet
#
# The connections workload also runs against barerelay, a bare epoll loop that only calls send()
# for each client: the floor of what any relay can do on this machine.
# Builds socketserver, loadgen and barerelay, and installs ncat with apt-get when it is missing.
# Only 127.0.0.1 is used.
set -euo pipefail

quick=false
build=build
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=true ;;
        --build-dir) build=${2:?--build-dir wants a directory}; shift ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

cd "$(dirname "$0")/../.."
started=$(date +%s)

# ------------------------------------------------------------------------------- the sizes
if $quick; then
    seconds=1; connection_counts=(200 1000); slow_megabytes=20; wait_limit=5
else
    seconds=5; connection_counts=(1000 5000 10000); slow_megabytes=200; wait_limit=15
fi
fanout_receivers=(1 10 100)
max_clients=20000

# ------------------------------------------------------------------------- what it needs
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v ncat >/dev/null; then
    echo "Installing ncat..."
    as_root apt-get install -y ncat >/dev/null \
        || { as_root apt-get update >/dev/null && as_root apt-get install -y ncat >/dev/null; }
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --target socketserver loadgen barerelay >/dev/null
socketserver=$build/server/daemon/socketserver
loadgen=$build/tests/bench/loadgen
barerelay=$build/tests/bench/barerelay

# Every relay and loadgen started from here may open this many files (root may raise the hard
# limit; anyone else gets the hard limit, and the biggest connection counts may fail).
wanted_files=$((max_clients + 100))
ulimit -n "$wanted_files" 2>/dev/null || ulimit -n "$(ulimit -Hn)"

results=$build/bench-results.jsonl
logs=$build/bench-logs
mkdir -p "$logs"
: >"$results"
: >"$logs/shell.log"

# --------------------------------------------------------------------------------- relays
relay_pid=
relay_port=
relay_log=

stop_relay() {
    [ -n "$relay_pid" ] || return 0
    kill "$relay_pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$relay_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$relay_pid" 2>/dev/null || true
    wait "$relay_pid" 2>/dev/null || true
    relay_pid=
}
trap stop_relay EXIT

# Whether 127.0.0.1:$1 is listening (/proc/net/tcp: local address, state 0A).
is_listening() {
    grep -q "0100007F:$(printf '%04X' "$1") 00000000:0000 0A" /proc/net/tcp
}

# wait_for_port NAME SED-EXPRESSION: reads the port the relay just started prints in its log.
wait_for_port() {
    for _ in $(seq 100); do
        relay_port=$(sed -n "$2" "$relay_log")
        [ -n "$relay_port" ] && return 0
        kill -0 "$relay_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "$1 did not start: $(cat "$relay_log")" >&2
    return 1
}

start_socketserver() {
    "$socketserver" --port 0 --bind 127.0.0.1 --max-clients "$max_clients" >"$relay_log" 2>&1 &
    relay_pid=$!
    wait_for_port socketserver 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p'
}

start_barerelay() {
    "$barerelay" 0 >"$relay_log" 2>&1 &
    relay_pid=$!
    wait_for_port barerelay 's/^listening on \([0-9]*\)$/\1/p'
}

# ncat needs a port of its own: one below the ephemeral range, tried until one is free.
start_ncat() {
    local first_ephemeral
    first_ephemeral=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
    for _ in $(seq 10); do
        relay_port=$((20000 + RANDOM % (first_ephemeral - 20000)))
        is_listening "$relay_port" && continue
        ncat --broker --listen 127.0.0.1 "$relay_port" --max-conns "$max_clients" \
            </dev/null >"$relay_log" 2>&1 &
        relay_pid=$!
        for _ in $(seq 50); do
            kill -0 "$relay_pid" 2>/dev/null || break
            is_listening "$relay_port" && return 0
            sleep 0.1
        done
        stop_relay
    done
    echo "ncat did not start: $(cat "$relay_log")" >&2
    return 1
}

# ------------------------------------------------------------------------------ workloads
declare -A result # [relay|run] = loadgen's JSON line ("ok":false when it failed), or empty

json_escape() {
    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | tr '\n' ' '
}

# run_workload RELAY RUN LOADGEN-ARGS...: a fresh relay, one loadgen run against it.
run_workload() {
    local relay=$1 run=$2
    shift 2
    relay_log=$logs/$relay-${run// /-}.log
    printf '%-13s %-22s ' "$relay" "$run"
    local line='' ok=true error
    error=$(mktemp)
    # The shell's notice of a relay that crashed goes to a log, not amid the table.
    {
        if "start_$relay" 2>"$error"; then
            line=$(timeout $((seconds + 3 * wait_limit + 30)) "$loadgen" --host 127.0.0.1 \
                --port "$relay_port" --server-pid "$relay_pid" --timeout "$wait_limit" --json \
                "$@" 2>"$error") || ok=false
            kill -0 "$relay_pid" 2>/dev/null \
                || echo "($relay exited: $(tail -n 1 "$relay_log"))" >>"$error"
        else
            ok=false
        fi
        stop_relay
    } 2>>"$logs/shell.log"
    if [ -z "$line" ]; then
        line="{\"workload\":\"${run%% *}\",\"error\":\"$(json_escape <"$error")\"}"
    fi
    line="{\"relay\":\"$relay\",\"run\":\"$run\",\"ok\":$ok,${line#\{}"
    echo "$line" >>"$results"
    result[$relay|$run]=$line
    if $ok; then echo "done"; else echo "failed: $(tr '\n' ' ' <"$error")"; fi
    rm -f "$error"
}

mode=full
$quick && mode=quick
echo "Benchmark ($mode): socketserver vs ncat --broker, 64-byte messages"
for relay in socketserver ncat; do
    for n in "${fanout_receivers[@]}"; do
        run_workload "$relay" "fanout $n" --workload fanout --receivers "$n" --seconds "$seconds"
    done
    run_workload "$relay" "senders 10x10" --workload senders --senders 10 --receivers 10 \
        --seconds "$seconds"
    run_workload "$relay" "latency" --workload latency --receivers 100 --rate 2000 \
        --seconds "$seconds"
    for n in "${connection_counts[@]}"; do
        run_workload "$relay" "connections $n" --workload connections --clients "$n"
    done
    run_workload "$relay" "slow" --workload slow --megabytes "$slow_megabytes"
done
for n in "${connection_counts[@]}"; do
    run_workload barerelay "connections $n" --workload connections --clients "$n"
done

# ---------------------------------------------------------------------------------- table
# field LINE KEY: the value of KEY in a flat JSON line.
field() {
    sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" <<<"$1" | tr -d '"'
}

# cell RELAY RUN KEY SCALE DECIMALS: one figure for the table, "failed" when the run failed.
cell() {
    local line=${result[$1|$2]}
    if [ "$(field "$line" ok)" != true ] || [ -z "$(field "$line" "$3")" ]; then
        echo failed
    else
        awk -v v="$(field "$line" "$3")" -v s="$4" -v d="$5" 'BEGIN { printf "%.*f", d, v / s }'
    fi
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2f", a / b; else print "-" }'
}

line_format='| %-40s | %16s | %16s | %8s |\n'

row() {
    # shellcheck disable=SC2059
    printf "$line_format" "$1" "$2" "$3" "$(ratio "$2" "$3")"
}

# figure_row LABEL RUN KEY [SCALE [DECIMALS]]
figure_row() {
    local scale=${4:-1} decimals=${5:-2}
    row "$1" "$(cell socketserver "$2" "$3" "$scale" "$decimals")" \
        "$(cell ncat "$2" "$3" "$scale" "$decimals")"
}

integrity() {
    local line=${result[$1|senders 10x10]}
    if [ "$(field "$line" ok)" != true ]; then echo failed; return; fi
    local counts=() key
    for key in corrupt missing reordered duplicated; do counts+=("$(field "$line" "$key")"); done
    (IFS=/; echo "${counts[*]}")
}

echo
# shellcheck disable=SC2059
printf "$line_format" workload socketserver ncat "ss/ncat"
echo "|------------------------------------------|------------------|------------------|----------|"
for n in "${fanout_receivers[@]}"; do
    figure_row "fanout 1 -> $n: million msgs/s" "fanout $n" msgs_per_s 1000000
    figure_row "fanout 1 -> $n: MB/s" "fanout $n" mb_per_s 1 0
done
figure_row "senders 10 -> 10: million msgs/s" "senders 10x10" msgs_per_s 1000000
row "senders: corrupt/missing/reordered/dup" "$(integrity socketserver)" "$(integrity ncat)"
for p in p50 p99 max; do
    figure_row "latency 100 rcv, 2000/s: $p ms" latency "${p}_ms"
done
for n in "${connection_counts[@]}"; do
    figure_row "connections $n: connect s" "connections $n" connect_s 1 3
    figure_row "connections $n: reach all ms" "connections $n" broadcast_ms 1 1
    figure_row "connections $n: relay KB per client" "connections $n" rss_kb_per_client 1 1
done
for n in "${connection_counts[@]}"; do
    row "connections $n: reach all ms, floor" \
        "$(cell socketserver "connections $n" broadcast_ms 1 1)" \
        "$(cell barerelay "connections $n" broadcast_ms 1 1)"
done
figure_row "slow reader, $slow_megabytes MB: seconds" slow seconds 1 3
figure_row "slow reader: relay peak RSS MB" slow peak_rss_mb 1 1
echo
echo "msgs/s, MB/s (summed over receivers): higher is better; s, ms, KB, MB: lower is better."
echo "floor: the third column is barerelay, a loop of bare send() calls, not ncat."
echo "slow: one client never reads; 'failed' means the normal receiver did not get every line."
echo "Results: $results   relay logs: $logs/   total time: $(($(date +%s) - started)) s"
