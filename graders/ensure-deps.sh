#!/bin/sh
# Makes sure the build's dependencies are installed: Criterion and libyaml
# from Debian's packages, found with pkg-config, and patch (for the mutants). As root it installs them
# with apt-get; otherwise it stops with the one command to run.
set -u
packages="pkg-config libcriterion-dev libyaml-dev patch"

have() {
    command -v pkg-config >/dev/null 2>&1 && pkg-config --exists criterion yaml-0.1 &&
        command -v patch >/dev/null 2>&1
}

have && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing the build dependencies: $packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq $packages >&2
    have && exit 0
    echo "error: apt-get could not install $packages" >&2
    exit 1
fi
echo "error: Criterion, libyaml or patch is missing. Install them with:" >&2
echo "    sudo apt-get install -y $packages" >&2
exit 1
