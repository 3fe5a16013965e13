#!/bin/sh
# The Gradescope package tested the way Gradescope runs it (make
# gradescope-test; not part of make test: it needs root and the network to
# Debian's mirror, and takes minutes):
#   1. a fresh Debian root file system (mmdebstrap, minbase, bookworm);
#   2. dist/gradescope-autograder.zip unpacked into /autograder/source;
#   3. setup.sh run there as root (it installs the packages and builds);
#   4. run_autograder copied to /autograder/run_autograder, a submission
#      copied into /autograder/submission, run_autograder run;
#   5. /autograder/results/results.json checked: the reference scores 100,
#      the starter 0 (tests/gradescope/check.py, with this machine's python3).
# The root is entered as ../shared/NOTES.md says: a plain chroot breaks the
# grader's namespaces, so a private mount namespace and pivot_root, with
# proc, sys, dev, dev/pts and a tmpfs on dev/shm. GRADESCOPE_ROOT=DIR keeps
# the root there (default: a temporary folder, removed at the end).
set -eu
cd "$(dirname "$0")/../.."
repo=$(pwd)
zip=$repo/dist/gradescope-autograder.zip
[ "$(id -u)" = 0 ] || { echo "FAIL  tests/gradescope/run.sh needs root (mmdebstrap, mounts, pivot_root)"; exit 1; }
for tool in mmdebstrap unzip python3; do
    command -v $tool >/dev/null 2>&1 && continue
    pkg=$tool
    echo "gradescope-test: installing $pkg"
    apt-get install -y -q "$pkg" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null && apt-get install -y -q "$pkg" >/dev/null; } ||
        { echo "FAIL  cannot install $pkg: as root: apt-get update && apt-get install -y $pkg"; exit 1; }
done
[ -f "$zip" ] || { echo "FAIL  $zip is missing: make gradescope"; exit 1; }

# The zip never ships the solution.
if unzip -Z1 "$zip" | grep -E '(^|/)memory_mapper\.c$|variants/|mutants/'; then
    echo "FAIL  the zip holds the reference solution"
    exit 1
fi
echo "ok    the zip holds no solution (reference/memory_mapper.c, variants, mutants)"

root=${GRADESCOPE_ROOT:-}
if [ -z "$root" ]; then
    root=$(mktemp -d "${TMPDIR:-/tmp}/mm-gradescope-XXXXXX")
    trap 'rm -rf --one-file-system "$root"' EXIT
fi
log=$repo/build/gradescope-test.log
mkdir -p "$repo/build"
: >"$log"

step() { # step WHAT COMMAND...: its output in the log, its tail on failure
    what=$1
    shift
    start=$(date +%s)
    if "$@" >>"$log" 2>&1; then
        echo "ok    $what ($(($(date +%s) - start)) s)"
    else
        echo "FAIL  $what; the end of $log:"
        tail -n 25 "$log" | sed 's/^/      /'
        exit 1
    fi
}

# Runs a shell command inside the root, as root, as the grader will find it.
inside() {
    unshare --mount --pid --fork --propagation private sh -c '
        set -e
        r=$1
        shift
        mount --bind "$r" "$r"
        mount -t proc proc "$r/proc"
        mount --rbind /sys "$r/sys"
        mount --rbind /dev "$r/dev"
        mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"
        mkdir -p "$r/.old-root"
        cd "$r"
        pivot_root . .old-root
        umount -l /.old-root
        cd /
        exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
            LANG=C.UTF-8 /bin/sh -c "$1"' sh "$root" "$1"
}

if [ ! -x "$root/usr/bin/apt-get" ]; then
    step "a fresh Debian root (mmdebstrap --variant=minbase bookworm)" \
        mmdebstrap --variant=minbase bookworm "$root"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
rm -rf "$root/autograder"
mkdir -p "$root/autograder/source" "$root/autograder/results"
step "the zip unpacked into /autograder/source" unzip -q "$zip" -d "$root/autograder/source"
cp "$root/autograder/source/run_autograder" "$root/autograder/run_autograder"
step "setup.sh, as root" inside "bash /autograder/source/setup.sh"

grade() { # grade NAME FOLDER EXPECTED_SCORE
    rm -rf "$root/autograder/submission" "$root/autograder/results"
    mkdir -p "$root/autograder/submission" "$root/autograder/results"
    cp "$2"/memory_mapper.c "$2"/memory_mapper.h "$root/autograder/submission/"
    step "run_autograder on $1" inside "cd /autograder && ./run_autograder >/autograder/results/stdout 2>&1"
    step "results.json of $1: score $3" python3 tests/gradescope/check.py \
        "$root/autograder/results/results.json" "$3"
    cp "$root/autograder/results/results.json" "$repo/build/gradescope-$1.json"
}
grade reference reference 100
grade starter student 0
echo "gradescope-test: all checks passed (results in build/gradescope-*.json)"
