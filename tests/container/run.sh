#!/bin/sh
# The grader in a container that forbids namespaces (Gradescope, CI
# runners, `docker run` without CAP_SYS_ADMIN): it must still grade right
# (the reference 100/100, the starter 0/100, valid JSON), keep what it can
# (uid 65534, rlimits, sessions, private scratch folders), and say in one
# line why there are no namespaces and what the container must provide.
#
# Two such containers are made here, each a mount and pid namespace of its
# own (unshare --mount --pid --fork --mount-proc) where unshare is refused:
#   no-cap    as root without CAP_SYS_ADMIN (setpriv --bounding-set), as in
#             a container started without it;
#   seccomp   under a filter that refuses unshare and clone with namespace
#             flags (build/no-unshare), as Docker's default profile does;
#             as a non-root user, the filter alone.
# Run by `make test` (`make container`); one line per check.
set -u
cd "$(dirname "$0")/../.." || exit 1
moulinette=${MOULINETTE:-build/moulinette}
no_unshare=${NO_UNSHARE:-build/no-unshare}
json_check=${JSON_CHECK:-build/json-check}
out=$(mktemp -d "${TMPDIR:-/tmp}/mm-container-XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT
chmod 755 "$out"
failures=0
checks=0

. tests/checks.sh

for tool in "$no_unshare" "$json_check" "$moulinette"; do
    [ -x "$tool" ] || { echo "FAIL  $tool is missing (make container builds it)"; exit 1; }
done

root=0
[ "$(id -u)" -eq 0 ] && root=1

# in_container KIND COMMAND...: COMMAND inside a container of that kind.
in_container() {
    kind=$1
    shift
    case $kind.$root in
    no-cap.1)
        unshare --mount --pid --fork --mount-proc \
            setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin -- "$@" ;;
    seccomp.1)
        unshare --mount --pid --fork --mount-proc "$no_unshare" "$@" ;;
    seccomp.0)
        "$no_unshare" "$@" ;;
    esac
}

# grade KIND NAME DIR [options]: report in $out/KIND-NAME.txt, stderr in .err.
# Scratch folders in a TMPDIR of the test's own, to see that none is left.
grade() {
    kind=$1
    name=$2
    dir=$3
    shift 3
    TMPDIR=$out/tmp-$kind in_container "$kind" "$moulinette" "$@" "$dir" \
        >"$out/$kind-$name.txt" 2>"$out/$kind-$name.err"
    echo $? >"$out/$kind-$name.rc"
}

score_is() { grep -qx "Score: $2" "$out/$1.txt" || { cat "$out/$1.txt" "$out/$1.err"; false; }; }
said() { grep -q "$2" "$out/$1.err" || { echo "stderr was:"; cat "$out/$1.err"; false; }; }
one_line() { [ "$(grep -c 'sandbox:' "$out/$1.err")" -eq 1 ] || { cat "$out/$1.err"; false; }; }
nothing_left() { [ -z "$(ls -A "$out/tmp-$1")" ] || { ls -la "$out/tmp-$1"; false; }; }

kinds="seccomp"
[ $root -eq 1 ] && kinds="no-cap seccomp"
for kind in $kinds; do
    mkdir -p "$out/tmp-$kind"
    chmod 1777 "$out/tmp-$kind"
    grade "$kind" reference reference
    grade "$kind" starter student
    grade "$kind" json reference --format json
    check "$kind: the reference scores 100/100" score_is "$kind-reference" 100/100
    check "$kind: ... and the whole bonus" grep -qx "Bonus: 50/50" "$out/$kind-reference.txt"
    check "$kind: the starter scores 0/100" score_is "$kind-starter" 0/100
    check "$kind: the JSON report is valid" "$json_check" "$out/$kind-json.txt"
    check "$kind: both exit 0" test "$(cat "$out/$kind-reference.rc")$(cat "$out/$kind-starter.rc")" = 00
    check "$kind: the sandbox says so in one line" one_line "$kind-starter"
    if [ $root -eq 1 ]; then
        check "$kind: ... naming the cause (root, namespaces forbidden)" \
            said "$kind-starter" "root, but this .* forbids creating namespaces (unshare: Operation not permitted"
        check "$kind: ... what is kept (uid 65534, rlimits, sessions, scratch folders)" \
            said "$kind-starter" "jobs keep uid 65534, rlimits, sessions and private scratch folders"
        check "$kind: ... and what the container must provide" \
            said "$kind-starter" "the container must be the outer wall (no network, one submission at a time"
    else
        check "$kind: ... naming the cause (not root, user namespaces refused)" \
            said "$kind-starter" "not root, .*user namespaces"
    fi
    check "$kind: no scratch folder is left" nothing_left "$kind"
done

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
