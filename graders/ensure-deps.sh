#!/bin/sh
# Makes sure the build's dependencies are installed: Criterion, libyaml
# and libarchive (submissions as archives) from Debian's packages, found
# with pkg-config, and patch (for the mutants). As root it installs them with apt-get, quietly: one line says
# what, apt's output goes to build/apt.log, shown (its tail) only when the
# install fails. Otherwise it stops with the one command that works on this
# machine: with sudo where there is a sudo (a fresh Debian or a
# debian:bookworm image has none), else as root; always after `apt-get
# update`, since a machine with stale or no package lists answers "Unable
# to locate package". fuzz/ensure-clang.sh does the same for clang.
# MM_KIT=1 (the student kit's Makefile): libyaml, libarchive and pkg-config
# only; the kit has neither unit tests nor mutants.
set -u
packages="pkg-config libcriterion-dev libyaml-dev libarchive-dev patch"
[ "${MM_KIT:-0}" = 1 ] && packages="pkg-config libyaml-dev libarchive-dev"
log=${BUILD:-build}/apt.log

have() {
    if [ "${MM_KIT:-0}" = 1 ]; then
        command -v pkg-config >/dev/null 2>&1 && pkg-config --exists yaml-0.1 libarchive
        return
    fi
    command -v pkg-config >/dev/null 2>&1 && pkg-config --exists criterion yaml-0.1 libarchive &&
        command -v patch >/dev/null 2>&1
}

# The command to give a user who cannot install: what works here.
install_hint() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "    (no apt-get here: install them with this system's package manager;" \
            "on Debian or Ubuntu they are: $packages)"
    elif [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
        echo "    sudo apt-get update && sudo apt-get install -y $packages"
    else
        echo "    as root: apt-get update && apt-get install -y $packages"
    fi
}

have && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing the build dependencies with apt-get: $packages (log: $log)" >&2
    mkdir -p "$(dirname "$log")"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update && apt-get install -y $packages; } >"$log" 2>&1
    have && exit 0
    echo "error: apt-get could not install $packages; the end of $log:" >&2
    tail -n 15 "$log" | sed 's/^/    /' >&2
    echo "Once the cause is fixed, run make again, or install them yourself:" >&2
    install_hint >&2
    exit 1
fi
echo "error: the build needs these packages, and some are missing: $packages" >&2
echo "Install them with:" >&2
install_hint >&2
echo "then run make again." >&2
exit 1
