#!/bin/sh
# Makes sure `make fuzz` can build libFuzzer targets: clang and its
# compiler-rt (libFuzzer and the sanitizers' runtimes), from Debian's
# packages. As root it installs them quietly with apt-get (the log in
# build-fuzz/apt.log); otherwise it stops with the one command to run.
# The same pattern as graders/ensure-deps.sh.
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

have && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing clang and libFuzzer for the fuzz targets: $packages (log: $log)" >&2
    mkdir -p "$(dirname "$log")"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq $packages; } >"$log" 2>&1 ||
        # Releases without the libclang-rt-dev name ship libFuzzer with clang.
        apt-get install -y -qq clang >>"$log" 2>&1
    have && exit 0
    echo "error: apt-get could not install a clang that links libFuzzer targets; see $log" >&2
    exit 1
fi
echo "error: 'make fuzz' needs clang with libFuzzer ($clang cannot link a fuzz target). Install them with:" >&2
if [ "$(id -u)" -eq 0 ]; then
    echo "    apt-get update && apt-get install -y $packages" >&2
elif command -v sudo >/dev/null 2>&1; then
    echo "    sudo apt-get update && sudo apt-get install -y $packages" >&2
else
    echo "    su -c 'apt-get update && apt-get install -y $packages'" >&2
fi
exit 1
