#!/usr/bin/env bash
# Shared set-up for ./run.sh and ./test.sh: installs what the build needs when it is missing
# (Debian/Ubuntu: apt-get; macOS: Homebrew), then configures and builds into build/.
# Usage: scripts/bootstrap.sh [extra cmake -D options...]
set -euo pipefail

cd "$(dirname "$0")/.."

# Debian/Ubuntu packages the build and the tests need (libavahi-compat-libdnssd-dev: the DNS-SD
# API, dns_sd.h, through which the relay announces itself with Bonjour).
DEBIAN_PACKAGES=(g++ cmake ninja-build pkg-config qt6-base-dev qt6-serialport-dev qt6-websockets-dev libmosquitto-dev libavahi-compat-libdnssd-dev fonts-dejavu-core)
# Needed by the tests only (./test.sh sets SOCKETSERVER_TEST_PACKAGES=1): a browser for the
# end-to-end test of the built-in web page; systemd for systemd-analyze, which checks the
# service units (it runs without systemd being the machine's init); Prometheus for promtool,
# which checks /metrics; the mosquitto broker and its command-line clients for the MQTT bridge's
# tests, and openssl to make their TLS certificates; avahi-daemon, its command-line tools
# (avahi-utils) and dbus (a private system bus for it) for the Bonjour tests; liblo's oscsend
# and oscdump and socat for the UDP and OSC tests. ./run.sh never installs them.
if [ "${SOCKETSERVER_TEST_PACKAGES:-0}" = 1 ]; then
    DEBIAN_PACKAGES+=(chromium systemd prometheus mosquitto mosquitto-clients openssl avahi-daemon avahi-utils dbus liblo-tools socat)
fi
# Homebrew formulae on macOS (mosquitto brings libmosquitto, its broker and its clients).
BREW_FORMULAE=(qt cmake ninja pkgconf mosquitto)

say() { printf '==> %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_debian() {
    local missing=()
    for package in "${DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "Installing ${missing[*]} (apt-get)"
        as_root apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
}

install_macos() {
    if ! command -v brew >/dev/null; then
        echo "Homebrew is needed to install Qt: see https://brew.sh" >&2
        exit 1
    fi
    local missing=()
    for formula in "${BREW_FORMULAE[@]}"; do
        brew list --formula "$formula" >/dev/null 2>&1 || missing+=("$formula")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "Installing ${missing[*]} (Homebrew)"
        brew install "${missing[@]}"
    fi
    CMAKE_EXTRA+=("-DCMAKE_PREFIX_PATH=$(brew --prefix qt)")
}

CMAKE_EXTRA=("$@")
case "$(uname -s)" in
    Linux)
        if command -v apt-get >/dev/null; then
            install_debian
        else
            say "Not Debian/Ubuntu: install Qt 6 (Core, Network, SerialPort, WebSockets, Widgets, Test), CMake and a C++17 compiler yourself."
        fi
        ;;
    Darwin) install_macos ;;
    *) say "Unknown system $(uname -s): install Qt 6, CMake and a C++17 compiler yourself." ;;
esac

generator=()
if [ ! -f build/CMakeCache.txt ] && command -v ninja >/dev/null; then
    generator=(-G Ninja)
fi
say "Building into build/"
cmake -S . -B build ${generator[@]+"${generator[@]}"} -DCMAKE_BUILD_TYPE=RelWithDebInfo ${CMAKE_EXTRA[@]+"${CMAKE_EXTRA[@]}"} >/dev/null
cmake --build build --parallel
