#!/usr/bin/env bash
# The SocketServer benchmark: socketserver and ncat --broker (the closest existing tool: it relays
# bytes from any client to all the others, but not back to the sender) under the same loadgen
# workloads, side by side; then socketserver over WebSocket against its own TCP figures and
# against a Node.js relay on the npm package ws (wsrelay.js: what a web developer would write).
# First, what monitoring costs: fan-out 1 -> 10 with a scraper reading /metrics ten times a
# second (loadgen --scrape), against none, alternated a few times on the same relay settings.
# Last, the MQTT bridge (mqttload): 1 sender on relay A -> 10 receivers on relay B, the relays
# joined by a mosquitto of its own, against an MQTT publisher and 10 subscribers (and 1) on that
# broker alone, alternated: msgs/s, latency, and the CPU of the broker and the relays.
# Then the UDP port (--udp-port, text and --osc): 1 UDP sender -> 10 TCP receivers and 1 TCP
# sender -> 10 UDP peers, against 1 TCP sender -> 10 TCP receivers through socketserver and
# against barerelay's bare UDP forwarder (the floor): msgs/s delivered with a 256 KiB window,
# the messages lost, latency at 2000 msgs/s, and the relay's CPU and peak memory; every relay
# of this part runs without echo (--no-echo), as the floor has none.
# Each workload gets a fresh relay process, so memory figures are its own. Prints four tables
# and writes every result as one JSON line to BUILD/bench-results.jsonl (relay logs in
# BUILD/bench-logs/).
#
#   usage: tests/bench/run.sh [--quick] [--metrics-only | --mqtt-only | --udp-only]
#                             [--build-dir DIR]
#     --quick          1 s runs and smaller counts, for a fast check
#     --metrics-only   only the monitoring comparison (needs neither ncat nor node)
#     --mqtt-only      only the MQTT bridge comparison (needs mosquitto, neither ncat nor node)
#     --udp-only       only the UDP and OSC comparison (needs neither ncat, node nor mosquitto)
#     --build-dir DIR  the CMake build directory, relative to the repository (default: build);
#                      configured (RelWithDebInfo) only if it is not yet
#
# The connections workload also runs against barerelay, a bare epoll loop that only calls send()
# for each client: the floor of what any relay can do on this machine; so does the UDP part.
# Builds socketserver, loadgen, barerelay and mqttload; installs ncat, node and npm, and
# mosquitto with apt-get when they are missing, and ws with npm into BUILD/bench-node/. Only
# 127.0.0.1 is used (the broker on a free port, never 1883).
set -euo pipefail

quick=false
metrics_only=false
mqtt_only=false
udp_only=false
build=build
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=true ;;
        --metrics-only) metrics_only=true ;;
        --mqtt-only) mqtt_only=true ;;
        --udp-only) udp_only=true ;;
        --build-dir) build=${2:?--build-dir wants a directory}; shift ;;
        -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if [ "$(grep -o true <<<"$metrics_only $mqtt_only $udp_only" | wc -l)" -gt 1 ]; then
    echo "run.sh: --metrics-only, --mqtt-only and --udp-only exclude each other" >&2
    exit 2
fi
only=false # one part only: neither ncat nor node is needed
! $metrics_only && ! $mqtt_only && ! $udp_only || only=true

cd "$(dirname "$0")/../.."
started=$(date +%s)

# ------------------------------------------------------------------------------- the sizes
if $quick; then
    seconds=1; connection_counts=(200 1000); slow_megabytes=20; wait_limit=5
    saturated_messages=5000; saturated_wait=30; long_messages=200000; scrape_rounds=2
    mqtt_messages=20000; mqtt_rounds=1; udp_seconds=0.5
else
    seconds=5; connection_counts=(1000 5000 10000); slow_megabytes=200; wait_limit=15
    saturated_messages=50000; saturated_wait=150; long_messages=5000000; scrape_rounds=5
    mqtt_messages=100000; mqtt_rounds=3; udp_seconds=5
fi
udp_receivers=10
udp_rate=2000 # where no datagram is lost on a busy 2-core machine, for the latency figures
udp_window=256 # KiB: more overflows the relay's UDP receive buffer, and loses datagrams
mqtt_receivers=10
mqtt_rate=2000
fanout_receivers=(1 10 100)
ws_fanout_receivers=(10 100)
ws_clients=1000 # one of connection_counts: the TCP figures come from there
max_clients=20000

# ------------------------------------------------------------------------- what it needs
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# need COMMAND PACKAGE...: installs Debian's PACKAGEs when COMMAND is missing.
need() {
    command -v "$1" >/dev/null && return 0
    shift
    echo "Installing $*..."
    as_root apt-get install -y "$@" >/dev/null \
        || { as_root apt-get update >/dev/null && as_root apt-get install -y "$@" >/dev/null; }
}
if ! $only; then
    need ncat ncat
    need node nodejs npm
    need npm npm
fi
PATH=$PATH:/usr/sbin # where Debian puts mosquitto
$metrics_only || $udp_only || need mosquitto mosquitto

if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --target socketserver loadgen barerelay mqttload >/dev/null
socketserver=$build/server/daemon/socketserver
loadgen=$build/tests/bench/loadgen
barerelay=$build/tests/bench/barerelay
mqttload=$build/tests/bench/mqttload

# The Node.js relay's one package, kept in the build directory.
node_modules=$build/bench-node/node_modules
if ! $only && [ ! -f "$node_modules/ws/package.json" ]; then
    echo "Installing the npm package ws..."
    npm install --prefix "$build/bench-node" --no-audit --no-fund --loglevel=error ws@8 >/dev/null
fi
$only || node_modules=$(cd "$node_modules" && pwd)

# Every relay and loadgen started from here may open this many files (root may raise the hard
# limit; anyone else gets the hard limit, and the biggest connection counts may fail).
wanted_files=$((max_clients + 100))
ulimit -n "$wanted_files" 2>/dev/null || ulimit -n "$(ulimit -Hn)"

results=$build/bench-results.jsonl
logs=$build/bench-logs
mkdir -p "$logs"
: >"$results"
# A log left by an earlier run could be read before a relay starts writing its own (its port).
rm -f "$logs"/*.log
: >"$logs/shell.log"

# --------------------------------------------------------------------------------- relays
relay_pid=
relay_port= # TCP
relay_ws_port= # WebSocket
relay_udp_port= # UDP
relay_log=

# stop_pid VARIABLE: stops the process whose id VARIABLE holds (killed after 5 s) and empties
# VARIABLE.
stop_pid() {
    local pid=${!1}
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    printf -v "$1" %s ''
}
stop_relay() { stop_pid relay_pid; }
broker_pid= # the MQTT part's mosquitto
mqtt_sender_pid= # and its relay A (relay B is relay_pid)
trap 'stop_relay; stop_pid mqtt_sender_pid; stop_pid broker_pid' EXIT

# Whether 127.0.0.1:$1 is listening (/proc/net/tcp: local address, state 0A).
is_listening() {
    grep -q "0100007F:$(printf '%04X' "$1") 00000000:0000 0A" /proc/net/tcp
}

# wait_for_port NAME VARIABLE SED-EXPRESSION: sets VARIABLE to the port that the relay just
# started prints in its log.
wait_for_port() {
    local port
    for _ in $(seq 100); do
        port=$(sed -n "$3" "$relay_log")
        if [ -n "$port" ]; then
            printf -v "$2" %s "$port"
            return 0
        fi
        kill -0 "$relay_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "$1 did not start: $(cat "$relay_log")" >&2
    return 1
}

# socketserver with OPTIONS...; its TCP port from the start-up line
# "... listening on 127.0.0.1:PORT (...)".
socketserver_with() {
    "$socketserver" --port 0 --bind 127.0.0.1 --max-clients "$max_clients" "$@" >"$relay_log" 2>&1 &
    relay_pid=$!
    wait_for_port socketserver relay_port 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p'
}

start_socketserver() { socketserver_with; }
start_socketserver-no-echo() { socketserver_with --no-echo; }

# Also the WebSocket port, from the line "web pages connect to ws://127.0.0.1:PORT/; ...".
start_socketserver-ws() {
    socketserver_with --ws-port 0 || return 1
    wait_for_port socketserver relay_ws_port \
        's|.*web pages connect to ws://127\.0\.0\.1:\([0-9]*\)/.*|\1|p'
}

# The UDP part's relays, without echo (as barerelay), their UDP port from the line
# "datagrams on UDP 127.0.0.1:PORT; ..." (or "OSC on UDP ...").
socketserver_udp_with() {
    socketserver_with --no-echo --udp-port 0 "$@" || return 1
    wait_for_port socketserver relay_udp_port 's/.* on UDP 127\.0\.0\.1:\([0-9]*\);.*/\1/p'
}
start_socketserver-udp() { socketserver_udp_with; }
start_socketserver-osc() { socketserver_udp_with --osc; }

start_node-ws() {
    NODE_PATH=$node_modules node tests/bench/wsrelay.js 0 >"$relay_log" 2>&1 &
    relay_pid=$!
    wait_for_port "node wsrelay.js" relay_ws_port 's/^listening on \([0-9]*\)$/\1/p'
}

start_barerelay() {
    "$barerelay" 0 >"$relay_log" 2>&1 &
    relay_pid=$!
    wait_for_port barerelay relay_port 's/^listening on \([0-9]*\)$/\1/p' || return 1
    wait_for_port barerelay relay_udp_port 's/^UDP on \([0-9]*\)$/\1/p'
}

# on_free_port NAME LAUNCH LOG: for servers that need a port of their own (ncat, mosquitto).
# LAUNCH PORT starts one on 127.0.0.1:PORT in the background, its output to LOG, and sets
# started_pid; PORT is one below the ephemeral range that nothing listens on, tried until the
# server listens there. Sets started_port.
on_free_port() {
    local first_ephemeral
    first_ephemeral=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
    for _ in $(seq 10); do
        started_port=$((20000 + RANDOM % (first_ephemeral - 20000)))
        is_listening "$started_port" && continue
        "$2" "$started_port"
        for _ in $(seq 50); do
            kill -0 "$started_pid" 2>/dev/null || break
            is_listening "$started_port" && return 0
            sleep 0.1
        done
        stop_pid started_pid
    done
    echo "$1 did not start: $(cat "$3")" >&2
    return 1
}

launch_ncat() {
    ncat --broker --listen 127.0.0.1 "$1" --max-conns "$max_clients" </dev/null >"$relay_log" 2>&1 &
    started_pid=$!
}

start_ncat() {
    on_free_port ncat launch_ncat "$relay_log" || return 1
    relay_pid=$started_pid
    relay_port=$started_port
}

# The MQTT part's broker: a mosquitto of its own on a free port (never the system's 1883).
launch_mosquitto() {
    printf '# tests/bench/run.sh: the MQTT bridge benchmark'"'"'s broker\n%s\n%s\n' \
        "listener $1 127.0.0.1" "allow_anonymous true" >"$logs/mosquitto.conf"
    mosquitto -c "$logs/mosquitto.conf" >"$logs/mosquitto.log" 2>&1 &
    started_pid=$!
}

# ------------------------------------------------------------------------------ workloads
declare -A result # [relay|run] = loadgen's JSON line ("ok":false when it failed), or empty

json_escape() {
    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | tr '\n' ' '
}

# run_workload RELAY RUN LOADGEN-ARGS...: a fresh relay, one loadgen run against it. The run is
# stopped after run_limit seconds when that is set (as in run_limit=300 run_workload ...); with
# scrape=1, loadgen reads the relay's /metrics meanwhile (the relay must have a web port).
run_workload() {
    local relay=$1 run=$2
    shift 2
    relay_log=$logs/$relay-${run// /-}.log
    printf '%-20s %-22s ' "$relay" "$run"
    local line='' ok=true error ports=()
    error=$(mktemp)
    relay_port=''
    relay_ws_port=''
    relay_udp_port=''
    # The shell's notice of a relay that crashed goes to a log, not amid the table.
    {
        if "start_$relay" 2>"$error"; then
            [ -z "$relay_port" ] || ports+=(--port "$relay_port")
            [ -z "$relay_ws_port" ] || ports+=(--ws-port "$relay_ws_port")
            [ -z "$relay_udp_port" ] || ports+=(--udp-port "$relay_udp_port")
            [ -z "${scrape:-}" ] || ports+=(--scrape "$relay_ws_port")
            line=$(timeout "${run_limit:-$((seconds + 3 * wait_limit + 30))}" "$loadgen" \
                --host 127.0.0.1 "${ports[@]}" --server-pid "$relay_pid" --timeout "$wait_limit" \
                --json "$@" 2>"$error") || ok=false
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

# ---------------------------------------------------------------------------------- tables
# field LINE KEY: the value of KEY in a flat JSON line.
field() {
    sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" <<<"$1" | tr -d '"'
}

# cell RELAY RUN KEY SCALE DECIMALS: one figure for the table; "-" when it was not run, "failed"
# when the run failed without it, and the figure with a "!" when the run failed with it.
cell() {
    local line=${result[$1|$2]:-} value
    [ -n "$line" ] || { echo -; return; }
    value=$(field "$line" "$3")
    if [ -z "$value" ] || [ "$value" = null ]; then echo failed; return; fi
    awk -v v="$value" -v s="$4" -v d="$5" 'BEGIN { printf "%.*f", d, v / s }'
    [ "$(field "$line" ok)" = true ] || echo -n '!'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2f", a / b; else print "-" }'
}

dashes() {
    printf -- '-%.0s' $(seq "$1")
}

# heading LABEL COLUMN... / RATIO...: a table's first two lines.
heading() {
    local line rule name ratios=false
    line=$(printf '| %-40s ' "$1")
    rule="|$(dashes 42)"
    shift
    for name in "$@"; do
        if [ "$name" = / ]; then
            ratios=true
        elif $ratios; then
            line+=$(printf '| %8s ' "$name")
            rule+="|$(dashes 10)"
        else
            line+=$(printf '| %16s ' "$name")
            rule+="|$(dashes 18)"
        fi
    done
    echo "$line|"
    echo "$rule|"
}

# row LABEL VALUE...: the values, then the ratio of the first to each of the others.
row() {
    local line value first=$2
    line=$(printf '| %-40s ' "$1")
    shift
    for value in "$@"; do line+=$(printf '| %16s ' "$value"); done
    shift
    for value in "$@"; do line+=$(printf '| %8s ' "$(ratio "$first" "$value")"); done
    echo "$line|"
}

# figure_row LABEL RUN KEY [SCALE [DECIMALS]]: one figure of RUN for each of columns[@].
figure_row() {
    local scale=${4:-1} decimals=${5:-2} relay values=()
    for relay in "${columns[@]}"; do
        values+=("$(cell "$relay" "$2" "$3" "$scale" "$decimals")")
    done
    row "$1" "${values[@]}"
}

integrity() {
    local line=${result[$1|senders 10x10]:-}
    if [ "$(field "$line" ok)" != true ]; then echo failed; return; fi
    local counts=() key
    for key in corrupt missing reordered duplicated; do counts+=("$(field "$line" "$key")"); done
    (IFS=/; echo "${counts[*]}")
}

# delivery RELAY RUN: "all" when every receiver got every message of a --messages run, else the
# share that arrived and how many receivers were disconnected.
delivery() {
    local line=${result[$1|$2]:-}
    if [ -z "$(field "$line" delivered)" ]; then echo failed; return; fi
    if [ "$(field "$line" complete)" = true ]; then echo all; return; fi
    awk -v d="$(field "$line" delivered)" -v u="$(field "$line" undelivered)" \
        -v x="$(field "$line" disconnected)" \
        'BEGIN { printf "%.1f %%, %d disc.", 100 * d / (d + u), x }'
}

# The monitoring table, printed at once: run.sh --metrics-only stops after it.
monitoring_table() {
    local round scraped=0 unscraped=0 a b
    echo
    heading "monitoring: fanout 1 -> 10" "scraped" "not scraped" / ratio
    for round in $(seq "$scrape_rounds"); do
        a=$(cell socketserver-ws "scraped $round" msgs_per_s 1000000 2)
        b=$(cell socketserver-ws "unscraped $round" msgs_per_s 1000000 2)
        row "round $round: million msgs/s" "$a" "$b"
        scraped=$(awk -v s="$scraped" -v v="$a" 'BEGIN { print s + v }')
        unscraped=$(awk -v s="$unscraped" -v v="$b" 'BEGIN { print s + v }')
    done
    row "all rounds: million msgs/s" "$scraped" "$unscraped"
    echo "scraped: loadgen --scrape reads /metrics every 100 ms during the run; the ratio"
    echo "scraped / not scraped should be at least 0.97."
}

# --------------------------------------------------------------------------------- MQTT
mqtt_topic=socketserver/bench
mqtt_sender_port= # relay A's TCP port

# start_mqtt_relays RUN: relay A (mqtt_sender_pid, mqtt_sender_port; --no-echo, as the
# reference's publisher gets nothing back either) and relay B (relay_pid, relay_port), both
# joined to the broker on one topic.
start_mqtt_relays() {
    local mqtt=(--mqtt "mqtt://127.0.0.1:$broker_port" --mqtt-topic "$mqtt_topic")
    relay_log=$logs/mqtt-relay-a-${1// /-}.log
    socketserver_with --no-echo "${mqtt[@]}" || return 1
    mqtt_sender_pid=$relay_pid
    mqtt_sender_port=$relay_port
    relay_pid=
    relay_log=$logs/mqtt-relay-b-${1// /-}.log
    socketserver_with "${mqtt[@]}"
}

# run_mqtt PATH RUN MQTTLOAD-ARGS...: one mqttload run on the broker alone (PATH broker, or
# broker-1 for a single subscriber), or through two fresh relays joined to it (PATH relays),
# with the CPU of the broker (and the relays); its JSON line goes to the results like
# run_workload's, as relay "mqtt-PATH".
run_mqtt() {
    local path=$1 run=$2 line='' ok=true error target cpu=(--cpu "broker=$broker_pid")
    shift 2
    printf '%-20s %-22s ' "mqtt-$path" "$run"
    error=$(mktemp)
    {
        if [ "$path" != relays ]; then
            target=(--broker "$broker_port" --topic "$mqtt_topic")
            [ "$path" = broker ] || target+=(--receivers 1)
        elif start_mqtt_relays "$run" 2>"$error"; then
            target=(--send-port "$mqtt_sender_port" --receive-port "$relay_port")
            cpu+=(--cpu "relay_a=$mqtt_sender_pid" --cpu "relay_b=$relay_pid")
        else
            ok=false
        fi
        if $ok; then
            line=$(timeout 900 "$mqttload" --receivers "$mqtt_receivers" "${target[@]}" \
                "${cpu[@]}" --timeout "$wait_limit" --json "$@" 2>"$error") || ok=false
        fi
        stop_relay
        stop_pid mqtt_sender_pid
    } 2>>"$logs/shell.log"
    if [ -z "$line" ]; then
        line="{\"error\":\"$(json_escape <"$error")\"}"
    fi
    line="{\"relay\":\"mqtt-$path\",\"run\":\"$run\",\"ok\":$ok,${line#\{}"
    echo "$line" >>"$results"
    result[mqtt-$path|$run]=$line
    if $ok; then echo "done"; else echo "failed: $(tr '\n' ' ' <"$error")"; fi
    rm -f "$error"
}

# mqtt_mean PATH RUN KEY DECIMALS: KEY's mean over the rounds of RUN ("-" if one is missing).
mqtt_mean() {
    local round values=()
    for round in $(seq "$mqtt_rounds"); do
        values+=("$(cell "mqtt-$1" "$2 $round" "$3" 1 3)")
    done
    awk -v d="$4" 'BEGIN {
        for (i = 1; i < ARGC; i++) {
            if (ARGV[i] !~ /^[0-9.]+$/) { print "-"; exit }
            sum += ARGV[i]
        }
        printf "%.*f", d, sum / (ARGC - 1) }' "${values[@]}"
}

# added PATH: how much later than on PATH messages arrive through the relays, at p50 and p99.
added() {
    awk -v r="$(mqtt_mean relays paced p50_ms 3)" -v m="$(mqtt_mean "$1" paced p50_ms 3)" \
        -v r99="$(mqtt_mean relays paced p99_ms 3)" -v m99="$(mqtt_mean "$1" paced p99_ms 3)" \
        'BEGIN { if (r m r99 m99 ~ /-/) print "-"
                 else printf "%.3f ms at p50 and %.3f ms at p99", r - m, r99 - m99 }'
}

# The MQTT bridge against the broker alone, alternated, on one broker; then its table. The
# broker alone delivers to 10 subscribers (the issue's reference) and to 1: what the broker does
# on the bridge's path, where relay B fans out. The bridge holds its path back when it stays
# below the second.
mqtt_part() {
    local round p what a b c d
    echo "MQTT ($mode): 1 sender -> $mqtt_receivers receivers through relays A and B and" \
        "mosquitto $(mosquitto -h 2>/dev/null | sed -n 's/^mosquitto version \([^ ]*\).*/\1/p'), against" \
        "the broker alone, alternated"
    on_free_port mosquitto launch_mosquitto "$logs/mosquitto.log" || return 0
    broker_pid=$started_pid
    broker_port=$started_port
    for round in $(seq "$mqtt_rounds"); do
        for path in relays broker broker-1; do
            run_mqtt "$path" "saturated $round" --messages "$mqtt_messages"
            run_mqtt "$path" "paced $round" --rate "$mqtt_rate" --seconds "$seconds"
        done
    done
    stop_pid broker_pid

    echo
    heading "MQTT: 1 sender, 64-byte messages" "relays 1 -> $mqtt_receivers" \
        "broker 1 -> $mqtt_receivers" "broker 1 -> 1" / r/b10 r/b1
    for round in $(seq "$mqtt_rounds"); do
        row "saturated, round $round: msgs/s per rcv" \
            "$(cell mqtt-relays "saturated $round" msgs_per_s 1 0)" \
            "$(cell mqtt-broker "saturated $round" msgs_per_s 1 0)" \
            "$(cell mqtt-broker-1 "saturated $round" msgs_per_s 1 0)"
    done
    row "saturated, mean: msgs/s per receiver" "$(mqtt_mean relays saturated msgs_per_s 0)" \
        "$(mqtt_mean broker saturated msgs_per_s 0)" "$(mqtt_mean broker-1 saturated msgs_per_s 0)"
    for round in $(seq "$mqtt_rounds"); do
        for p in p50 p99; do
            row "$mqtt_rate/s, round $round: $p ms" \
                "$(cell mqtt-relays "paced $round" "${p}_ms" 1 3)" \
                "$(cell mqtt-broker "paced $round" "${p}_ms" 1 3)" \
                "$(cell mqtt-broker-1 "paced $round" "${p}_ms" 1 3)"
        done
    done
    for p in p50 p99 max; do
        row "$mqtt_rate/s, mean: $p ms" "$(mqtt_mean relays paced "${p}_ms" 3)" \
            "$(mqtt_mean broker paced "${p}_ms" 3)" "$(mqtt_mean broker-1 paced "${p}_ms" 3)"
    done
    for what in saturated paced; do
        row "$what, mean: broker CPU us/msg" "$(mqtt_mean relays "$what" cpu_broker_us 1)" \
            "$(mqtt_mean broker "$what" cpu_broker_us 1)" \
            "$(mqtt_mean broker-1 "$what" cpu_broker_us 1)"
        row "$what, mean: relay A / B CPU us/msg" \
            "$(mqtt_mean relays "$what" cpu_relay_a_us 1) / $(mqtt_mean relays "$what" cpu_relay_b_us 1)" \
            - -
        row "$what, mean: mqttload CPU us/msg" "$(mqtt_mean relays "$what" cpu_mqttload_us 1)" \
            "$(mqtt_mean broker "$what" cpu_mqttload_us 1)" \
            "$(mqtt_mean broker-1 "$what" cpu_mqttload_us 1)"
    done
    a=$(ratio "$(mqtt_mean relays saturated msgs_per_s 0)" "$(mqtt_mean broker saturated msgs_per_s 0)")
    c=$(ratio "$(mqtt_mean relays saturated msgs_per_s 0)" "$(mqtt_mean broker-1 saturated msgs_per_s 0)")
    b=$(added broker)
    d=$(added broker-1)
    echo "relays: a TCP sender on relay A (--no-echo), $mqtt_receivers TCP receivers on relay B, both relays"
    echo "joined with --mqtt to one mosquitto of this run's own. broker: an MQTT publisher and"
    echo "$mqtt_receivers subscribers (or 1: the broker's part of the relays' path) on that broker alone"
    echo "(mqttload's libmosquitto clients, MQTT 5, QoS 0, as mosquitto_pub and mosquitto_sub are;"
    echo "those cannot time messages)."
    echo "saturated: $mqtt_messages messages, at most 4096 not yet at every receiver; paced:"
    echo "$mqtt_rate a second for $seconds s, latency from when each was due. CPU: microseconds per"
    echo "message sent (not per delivery), during the run: once each has a core, the costliest stage"
    echo "limits the path. Every receiver must get every message in order (else 'failed' or '!')."
    echo "The bridge: $a of the broker's msgs/s to $mqtt_receivers clients of its own (goal: at least 0.9),"
    echo "$c of the broker's 1 -> 1 (below 1: the relays, not the broker, limit their path)."
    echo "It adds $b to the broker's 1 -> $mqtt_receivers (goal: under 1 ms at p50),"
    echo "$d to its 1 -> 1 (paced, means of the rounds)."
}

# ----------------------------------------------------------------------------------- UDP
# udp_row LABEL TEXT OSC TCP FLOOR: the figures, then text and OSC against TCP and the floor.
udp_row() {
    local line value pair
    line=$(printf '| %-40s ' "$1")
    for value in "$2" "$3" "$4" "$5"; do line+=$(printf '| %16s ' "$value"); done
    for pair in "$2 $4" "$3 $4" "$2 $5" "$3 $5"; do
        # shellcheck disable=SC2086 # two words: the two figures
        line+=$(printf '| %8s ' "$(ratio $pair)")
    done
    echo "$line|"
}

# udp_figure_row LABEL PATH WORKLOAD KEY SCALE DECIMALS: KEY of WORKLOAD on PATH (udp-tcp or
# tcp-udp) through socketserver in text and OSC mode, of WORKLOAD over TCP alone, and on PATH
# through barerelay.
udp_figure_row() {
    local relay values=()
    for relay in socketserver-udp socketserver-osc; do
        values+=("$(cell "$relay" "$2 $3" "$4" "$5" "$6")")
    done
    values+=("$(cell socketserver-no-echo "tcp-tcp $3" "$4" "$5" "$6")")
    values+=("$(cell barerelay "$2 $3" "$4" "$5" "$6")")
    udp_row "$1" "${values[@]}"
}

# The UDP port in text and OSC mode, on both paths, then TCP alone and the floor; then its
# tables, one per path.
udp_part() {
    local relay path osc workload=(--receivers "$udp_receivers" --window "$udp_window")
    echo "UDP ($mode): socketserver --udp-port (text, --osc) against its TCP port and barerelay," \
        "1 sender -> $udp_receivers receivers, no echo"
    for relay in socketserver-udp socketserver-osc barerelay; do
        osc=()
        [ "$relay" != socketserver-osc ] || osc=(--osc)
        for path in udp-tcp tcp-udp; do
            run_workload "$relay" "$path fanout" --transport "$path" "${osc[@]}" \
                --workload fanout --seconds "$udp_seconds" "${workload[@]}"
            run_workload "$relay" "$path latency" --transport "$path" "${osc[@]}" \
                --workload latency --rate "$udp_rate" --seconds "$udp_seconds" "${workload[@]}"
        done
    done
    run_workload socketserver-no-echo "tcp-tcp fanout" --workload fanout \
        --seconds "$udp_seconds" "${workload[@]}"
    run_workload socketserver-no-echo "tcp-tcp latency" --workload latency --rate "$udp_rate" \
        --seconds "$udp_seconds" "${workload[@]}"

    for path in udp-tcp tcp-udp; do
        echo
        if [ "$path" = udp-tcp ]; then
            heading "1 UDP sender -> $udp_receivers TCP receivers" "ss text" "ss OSC" \
                "ss TCP -> TCP" "floor text" / text/tcp osc/tcp text/flr osc/flr
        else
            heading "1 TCP sender -> $udp_receivers UDP peers" "ss text" "ss OSC" \
                "ss TCP -> TCP" "floor text" / text/tcp osc/tcp text/flr osc/flr
        fi
        udp_figure_row "saturated: thousand msgs/s" "$path" fanout msgs_per_s 1000 1
        udp_figure_row "saturated: lost %" "$path" fanout lost_pct 1 3
        udp_figure_row "saturated: relay CPU us/msg sent" "$path" fanout relay_cpu_us 1 1
        udp_figure_row "saturated: relay peak RSS MB" "$path" fanout peak_rss_mb 1 1
        for p in p50 p99 max; do
            udp_figure_row "$udp_rate/s: $p ms" "$path" latency "${p}_ms" 1 3
        done
        udp_figure_row "$udp_rate/s: lost %" "$path" latency lost_pct 1 3
        udp_figure_row "$udp_rate/s: relay CPU us/msg sent" "$path" latency relay_cpu_us 1 1
    done
    echo "ss text, ss OSC: socketserver --no-echo --udp-port 0 (--osc); the UDP side is"
    echo "loadgen's UDP sender or its $udp_receivers UDP peers (each says hello first)."
    echo "ss TCP -> TCP: the same workload with every client on socketserver's TCP port."
    echo "floor text: barerelay, which forwards datagrams to TCP clients and lines to UDP peers as"
    echo "they are, nothing else (no OSC: osc/flr is what OSC costs above the bare text floor)."
    echo "saturated: $udp_seconds s, at most $udp_window KiB on the way to the slowest receiver"
    echo "(msgs/s summed over receivers; lost: what never arrived, UDP drops under overload)."
    echo "$udp_rate/s: paced, latency from when each message was due. CPU: microseconds of the"
    echo "relay's CPU per message sent (not per delivery). Ratios: a/b of the columns named; for"
    echo "msgs/s higher is better, for ms, us and MB lower is. !: the run failed; -: not run."
}

mode=full
$quick && mode=quick
if $udp_only; then
    udp_part
    echo "Results: $results   relay logs: $logs/   total time: $(($(date +%s) - started)) s"
    exit 0
fi
if $mqtt_only; then
    mqtt_part
    echo "Results: $results   relay logs: $logs/   total time: $(($(date +%s) - started)) s"
    exit 0
fi
echo "Monitoring ($mode): socketserver --ws-port, fanout 1 -> 10 with /metrics read 10 times a" \
    "second, and without, alternated"
for round in $(seq "$scrape_rounds"); do
    scrape=1 run_workload socketserver-ws "scraped $round" --workload fanout --receivers 10 \
        --seconds "$seconds"
    run_workload socketserver-ws "unscraped $round" --workload fanout --receivers 10 \
        --seconds "$seconds"
done
monitoring_table
if $metrics_only; then
    echo "Results: $results   relay logs: $logs/   total time: $(($(date +%s) - started)) s"
    exit 0
fi
echo

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
run_workload socketserver-no-echo "fanout 1" --workload fanout --receivers 1 --seconds "$seconds"
for n in "${connection_counts[@]}"; do
    run_workload barerelay "connections $n" --workload connections --clients "$n"
done

echo "WebSocket: socketserver vs the Node.js ws relay (node $(node --version)," \
    "ws $(sed -n 's/^ *"version": "\(.*\)",$/\1/p' "$node_modules/ws/package.json"))"
for relay in socketserver-ws node-ws; do
    for n in "${ws_fanout_receivers[@]}"; do
        run_workload "$relay" "fanout $n" --transport ws --workload fanout --receivers "$n" \
            --seconds "$seconds"
    done
    run_workload "$relay" "latency" --transport ws --workload latency --receivers 100 \
        --rate 2000 --seconds "$seconds"
    run_workload "$relay" "connections $ws_clients" --transport ws --workload connections \
        --clients "$ws_clients"
done
run_workload socketserver-ws "mixed 100" --transport tcp-ws --workload fanout --receivers 100 \
    --seconds "$seconds"
# A slow relay may still be delivering for a long while once the last message is sent.
for relay in socketserver-ws socketserver node-ws; do
    transport=ws
    [ "$relay" != socketserver ] || transport=tcp
    run_limit=$((2 * saturated_wait + 30)) run_workload "$relay" saturated \
        --transport "$transport" --workload fanout --receivers 100 \
        --messages "$saturated_messages" --timeout "$saturated_wait"
    # Long enough to show that memory stays bounded: socketserver only (the Node relay would
    # take hours).
    [ "$relay" != node-ws ] || continue
    run_limit=$((2 * saturated_wait + 30)) run_workload "$relay" "saturated long" \
        --transport "$transport" --workload fanout --receivers 100 \
        --messages "$long_messages" --timeout "$saturated_wait"
done

echo
columns=(socketserver ncat)
heading workload socketserver ncat / ss/ncat
for n in "${fanout_receivers[@]}"; do
    figure_row "fanout 1 -> $n: million msgs/s" "fanout $n" msgs_per_s 1000000
    figure_row "fanout 1 -> $n: MB/s" "fanout $n" mb_per_s 1 0
done
row "fanout 1 -> 1 --no-echo: million msgs/s" \
    "$(cell socketserver-no-echo "fanout 1" msgs_per_s 1000000 2)" \
    "$(cell ncat "fanout 1" msgs_per_s 1000000 2)"
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
columns=(socketserver-ws socketserver node-ws)
heading "WebSocket workload" "socketserver ws" "socketserver tcp" "node ws" / ws/tcp ws/node
for n in "${ws_fanout_receivers[@]}"; do
    figure_row "fanout 1 -> $n: million msgs/s" "fanout $n" msgs_per_s 1000000
done
for p in p50 p99 max; do
    figure_row "latency 100 rcv, 2000/s: $p ms" latency "${p}_ms"
done
figure_row "$ws_clients idle clients: connect s" "connections $ws_clients" connect_s 1 3
figure_row "$ws_clients idle clients: reach all ms" "connections $ws_clients" broadcast_ms 1 1
figure_row "$ws_clients idle: relay KB per client" "connections $ws_clients" rss_kb_per_client 1 1
row "TCP 1 -> 100 WS: million msgs/s" "$(cell socketserver-ws "mixed 100" msgs_per_s 1000000 2)" \
    "$(cell socketserver "fanout 100" msgs_per_s 1000000 2)" -
row "saturated 1 -> 100, $saturated_messages msgs: got" \
    "$(delivery socketserver-ws saturated)" "$(delivery socketserver saturated)" \
    "$(delivery node-ws saturated)"
figure_row "saturated: million msgs/s" saturated msgs_per_s 1000000
figure_row "saturated: relay peak RSS MB" saturated peak_rss_mb 1 1
row "saturated 1 -> 100, $long_messages msgs: got" \
    "$(delivery socketserver-ws "saturated long")" "$(delivery socketserver "saturated long")" -
figure_row "saturated long: relay peak RSS MB" "saturated long" peak_rss_mb 1 1
echo
echo "msgs/s, MB/s (summed over receivers): higher is better; s, ms, KB, MB: lower is better."
echo "floor: the third column is barerelay, a loop of bare send() calls, not ncat."
echo "slow: one client never reads; 'failed' or '!' means the normal receiver did not get every"
echo "line in time."
echo "ws: socketserver --ws-port, every client over WebSocket (TCP 1 -> 100 WS: the sender over"
echo "TCP); tcp: the same workload over TCP, from the first table; node ws: tests/bench/wsrelay.js"
echo "(no echo, no limits). saturated: the sender sends $saturated_messages messages as fast as"
echo "its window allows; 'got': the share that arrived. !: the run failed (messages missing,"
echo "clients disconnected), and this is what it measured. -: not run."
echo
udp_part
echo
mqtt_part
echo "Results: $results   relay logs: $logs/   total time: $(($(date +%s) - started)) s"
