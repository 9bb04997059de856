#!/usr/bin/env bash
# bench_mqtt_smoke (ctest): mqttload briefly over both of its paths through a real mosquitto of
# its own (a free loopback port, never 1883, stopped by its process id): 500 messages from a TCP
# sender on relay A to 3 TCP receivers on relay B (the two socketservers joined with --mqtt),
# then 500 from an MQTT publisher to 3 MQTT subscribers on the broker alone. mqttload fails
# unless every receiver gets every message once and in order. It asserts nothing about speed.
# Without mosquitto it is skipped (exit 77), except on Debian, where ./test.sh installs it.
#   usage: mqttsmoke.sh SOCKETSERVER MQTTLOAD
set -euo pipefail
socketserver=$1
mqttload=$2

PATH=$PATH:/usr/sbin # where Debian puts mosquitto
if ! command -v mosquitto >/dev/null; then
    if [ -f /etc/debian_version ]; then
        echo "bench_mqtt_smoke: mosquitto is missing (./test.sh installs it: apt-get install mosquitto)"
        exit 1
    fi
    echo "bench_mqtt_smoke: skipped, mosquitto is not installed"
    exit 77
fi

logs=$(mktemp -d)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$logs"
}
trap cleanup EXIT

# Whether 127.0.0.1:$1 is listening (/proc/net/tcp: local address, state 0A).
is_listening() {
    grep -q "0100007F:$(printf '%04X' "$1") 00000000:0000 0A" /proc/net/tcp
}

# The broker, on a port below the ephemeral range that nothing listens on (mosquitto cannot be
# asked for a port of the system's choosing and say which it got).
start_broker() {
    local first_ephemeral
    first_ephemeral=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
    for _ in $(seq 10); do
        broker_port=$((20000 + RANDOM % (first_ephemeral - 20000)))
        is_listening "$broker_port" && continue
        printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$broker_port" >"$logs/mosquitto.conf"
        mosquitto -c "$logs/mosquitto.conf" >"$logs/mosquitto.log" 2>&1 &
        broker_pid=$!
        pids+=("$broker_pid")
        for _ in $(seq 50); do
            kill -0 "$broker_pid" 2>/dev/null || break
            is_listening "$broker_port" && return 0
            sleep 0.1
        done
        kill "$broker_pid" 2>/dev/null || true
    done
    cat "$logs/mosquitto.log"
    echo "bench_mqtt_smoke: mosquitto did not start"
    exit 1
}

# start_relay NAME: a socketserver joined to the broker; sets port to its TCP port, read from
# its start-up line "... listening on 127.0.0.1:PORT (...)".
start_relay() {
    local log=$logs/$1.log
    "$socketserver" --port 0 --bind 127.0.0.1 --mqtt "mqtt://127.0.0.1:$broker_port" \
        --mqtt-topic bench/smoke >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    cat "$log"
    echo "bench_mqtt_smoke: socketserver did not start"
    exit 1
}

start_broker
start_relay relay-a
sender_port=$port
start_relay relay-b
receiver_port=$port

run() {
    echo "mqttload $*"
    if ! "$mqttload" --receivers 3 --messages 500 --timeout 20 --cpu "broker=$broker_pid" "$@"; then
        tail -n 5 "$logs"/*.log
        exit 1
    fi
}
run --send-port "$sender_port" --receive-port "$receiver_port"
run --broker "$broker_port" --topic bench/smoke-reference
echo "bench_mqtt_smoke: every message crossed the bridge, and the broker alone, once and in order"
