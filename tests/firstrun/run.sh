#!/bin/sh
# The first run on a bare machine, tried for real (issue 13): a fresh
# Debian bookworm root file system (mmdebstrap minbase, plus build-essential
# and git, as `docker run debian:bookworm` users have them), this repository
# cloned into it (its last commit), and:
#   1. a user without the dependencies runs `make grade`: it stops with the
#      one command that works there (no sudo in minbase: "as root: apt-get
#      update && apt-get install -y ...");
#   2. root runs `make grade`: one line says what is installed, apt's output
#      goes to build/apt.log, then the starter is graded 0/100;
#   3. the same user runs `make grade` again: graded, with its namespaces;
#   4. in a plain chroot (where "/" is no mount point), root and the user
#      grade, and the sandbox's line names that cause, not another.
# The root is entered as ../shared/NOTES.md says (a private mount namespace
# and pivot_root, with proc, sys, dev and a tmpfs on dev/shm), but for 4.
#
# Not part of `make test`: it needs root and the network to Debian's mirror,
# and takes minutes. `make firstrun` runs it. FIRSTRUN_ROOT=DIR keeps the
# root there (default: a temporary folder, removed at the end); the pristine
# root is cached in build/firstrun/bookworm.tar. Logs: build/firstrun/.
set -u
cd "$(dirname "$0")/../.." || exit 1
repo=$(pwd)
logs=$repo/build/firstrun
mkdir -p "$logs"
failures=0
checks=0

. tests/checks.sh

[ "$(id -u)" -eq 0 ] || { echo "FAIL  tests/firstrun/run.sh needs root (mmdebstrap, mounts, pivot_root)"; exit 1; }
if ! command -v mmdebstrap >/dev/null 2>&1; then
    echo "firstrun: installing mmdebstrap (log: $logs/apt.log)"
    { apt-get update && apt-get install -y mmdebstrap; } >"$logs/apt.log" 2>&1 ||
        { echo "FAIL  cannot install mmdebstrap; see $logs/apt.log"; exit 1; }
fi

root=${FIRSTRUN_ROOT:-}
if [ -z "$root" ]; then
    root=$(mktemp -d /var/tmp/mm-firstrun-XXXXXX)
    trap 'rm -rf --one-file-system "$root"' EXIT
fi
tarball=$logs/bookworm.tar
if [ ! -s "$tarball" ]; then
    echo "firstrun: a fresh Debian root (mmdebstrap --variant=minbase --include=build-essential,git bookworm)"
    mmdebstrap --variant=minbase --include=build-essential,git bookworm "$tarball" \
        >"$logs/mmdebstrap.log" 2>&1 || { echo "FAIL  mmdebstrap; see $logs/mmdebstrap.log"; rm -f "$tarball"; exit 1; }
fi
rm -rf --one-file-system "$root"
mkdir -p "$root"
tar -C "$root" -xf "$tarball" || { echo "FAIL  cannot unpack $tarball"; exit 1; }
cp /etc/resolv.conf "$root/etc/resolv.conf"

# inside COMMAND: as root in the root, entered with pivot_root.
inside() {
    unshare --mount --pid --fork --propagation private sh -c '
        set -e
        r=$1
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
            LANG=C.UTF-8 TERM=dumb /bin/sh -c "$2"' sh "$root" "$1"
}

# in_chroot COMMAND: as root in the root, entered with a plain chroot (its
# own /proc and /dev, in a private mount namespace of this script's).
in_chroot() {
    unshare --mount --propagation private sh -c '
        set -e
        r=$1
        mount -t proc proc "$r/proc"
        mount --rbind /dev "$r/dev"
        mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"
        exec chroot "$r" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/root LANG=C.UTF-8 TERM=dumb /bin/sh -c "$2"' sh "$root" "$1"
}

as_user() { echo "runuser -u student -- sh -c 'cd /home/student/moulinette && $1'"; }

inside "useradd -m student" >"$logs/useradd.log" 2>&1
git clone -q --no-hardlinks "$repo" "$root/root/moulinette"
git clone -q --no-hardlinks "$repo" "$root/home/student/moulinette"
chown -R 1000:1000 "$root/home/student/moulinette"
echo "firstrun: $(git -C "$repo" log -1 --format='%h %s' | cut -c1-70)"

# 1. A user, nothing installed yet.
inside "$(as_user 'make grade')" >"$logs/1-user.txt" 2>&1
echo $? >"$logs/1-user.rc"
check "1. as a user without the dependencies, make grade stops (exit != 0)" \
    test "$(cat "$logs/1-user.rc")" -ne 0
check "1. ... printing the command that works here (as root, apt-get update first)" \
    grep -q "as root: apt-get update && apt-get install -y .*libcriterion-dev" "$logs/1-user.txt"
check "1. ... and no sudo, which minbase does not have" sh -c "! grep -q sudo '$logs/1-user.txt'"

# 2. Root: a quiet install, then the grade.
start=$(date +%s)
inside "cd /root/moulinette && make grade" >"$logs/2-root.txt" 2>&1
echo $? >"$logs/2-root.rc"
echo "      (root's first make grade: $(($(date +%s) - start)) s, $(wc -l <"$logs/2-root.txt") lines)"
check "2. as root, make grade installs and grades the starter 0/100" \
    grep -qx "Score: 0/100" "$logs/2-root.txt"
check "2. ... saying in one line what it installs" \
    test "$(grep -c '^Installing the build dependencies with apt-get: .*(log: build/apt.log)' "$logs/2-root.txt")" -eq 1
check "2. ... with apt's output in build/apt.log, not on the terminal" \
    sh -c "grep -q 'Setting up libcriterion-dev' '$root/root/moulinette/build/apt.log' &&
           ! grep -qE '^(Setting up|Unpacking|Selecting|Get:)' '$logs/2-root.txt'"
check "2. ... and no sandbox line (root, pivot_root: the whole sandbox)" \
    sh -c "! grep -q 'sandbox:' '$logs/2-root.txt'"

# 3. The user again, the dependencies there now.
inside "$(as_user 'make grade')" >"$logs/3-user.txt" 2>&1
check "3. the user's make grade grades the starter 0/100" grep -qx "Score: 0/100" "$logs/3-user.txt"
check "3. ... with its namespaces (no fallback line)" \
    sh -c "! grep -qE 'sandbox: (not root|root,|/ is not)' '$logs/3-user.txt'"

# 4. A plain chroot: "/" is no mount point.
in_chroot "cd /root/moulinette && build/moulinette reference && build/moulinette student" \
    >"$logs/4-chroot-root.txt" 2>&1
check "4. root in a chroot grades the reference 100/100 and the starter 0/100" \
    sh -c "grep -qx 'Score: 100/100' '$logs/4-chroot-root.txt' && grep -qx 'Score: 0/100' '$logs/4-chroot-root.txt'"
check "4. ... and hears the real cause (/ is not a mount point), not 'not root'" \
    sh -c "grep -q 'sandbox: / is not a mount point (a chroot?)' '$logs/4-chroot-root.txt' &&
           ! grep -q 'not root' '$logs/4-chroot-root.txt'"
in_chroot "$(as_user 'build/moulinette student')" >"$logs/4-chroot-user.txt" 2>&1
check "4. a user in a chroot grades the starter 0/100" grep -qx "Score: 0/100" "$logs/4-chroot-user.txt"
check "4. ... and hears the real cause (user namespaces refused in a chroot)" \
    grep -q "sandbox: not root, inside a chroot, where the kernel refuses user namespaces" \
    "$logs/4-chroot-user.txt"

for f in 1-user 2-root 3-user 4-chroot-root 4-chroot-user; do
    echo "---- $f (first lines)"
    grep -v '^ *[0-9]' "$logs/$f.txt" | head -n 8 | cut -c1-200
done
echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
