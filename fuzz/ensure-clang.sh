#!/bin/sh
# Makes sure `make fuzz` can build libFuzzer targets: clang and its
# compiler-rt (libFuzzer and the sanitizers' runtimes), from Debian's
# packages. As root it installs them quietly with apt-get (one line says
# what, the log in build-fuzz/apt.log, its tail shown on failure);
# otherwise it stops with the one command that works here (sudo only where
# there is one, `apt-get update` always). The same pattern as
# graders/ensure-deps.sh.
set -u
clang=${CLANG:-clang}
packages="clang libclang-rt-dev"
log=build-fuzz/apt.log

# Whether clang links a fuzz target (what the package names do not say:
# on some releases libFuzzer is in clang's own package, on bookworm in
# libclang-rt-14-dev).
have() {
    command -v "$clang" >/dev/null 2>&1 || return 1
    probe=$(mktemp -d "${TMPDIR:-/tmp}/mm-clang-XXXXXX") || return 1
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
        'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n; }' \
        >"$probe/probe.c"
    "$clang" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" >/dev/null 2>&1
    ok=$?
    rm -rf "$probe"
    return $ok
}

# The command to give a user who cannot install: what works here.
install_hint() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "    (no apt-get here: install clang with libFuzzer and compiler-rt with this" \
            "system's package manager; on Debian or Ubuntu: $packages)"
    elif [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
        echo "    sudo apt-get update && sudo apt-get install -y $packages"
    else
        echo "    as root: apt-get update && apt-get install -y $packages"
    fi
}

have && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing clang and libFuzzer for the fuzz targets with apt-get: $packages (log: $log)" >&2
    mkdir -p "$(dirname "$log")"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update && apt-get install -y $packages; } >"$log" 2>&1 ||
        # Releases without the libclang-rt-dev name ship libFuzzer with clang.
        apt-get install -y clang >>"$log" 2>&1
    have && exit 0
    echo "error: apt-get could not install a clang that links libFuzzer targets; the end of $log:" >&2
    tail -n 15 "$log" | sed 's/^/    /' >&2
    exit 1
fi
echo "error: 'make fuzz' needs clang with libFuzzer ($clang cannot link a fuzz target). Install them with:" >&2
install_hint >&2
echo "then run make fuzz again." >&2
exit 1
