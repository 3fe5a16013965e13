#!/bin/sh
# The student kit, tried as a student would (`make kit-test`, part of `make
# test`): unpacked into an empty folder and used by an unprivileged user
# (uid 65534 when run as root), it builds, grades the starter 0 with every
# row explained, passes its own self-check, grades one row and reruns one
# test, and grades the reference 100. Then, mechanically, that it gives no
# solution away: no patch, no file of reference/ or of its variants, no
# line of the reference's code, no hidden test.
#
#   tests/kit/run.sh dist/memory_mapper-kit.tar.gz
set -u
cd "$(dirname "$0")/../.." || exit 1
archive=$(realpath "$1")
out=$(mktemp -d "${TMPDIR:-/tmp}/mm-kit-test-XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT
chmod 755 "$out"
failures=0

. tests/checks.sh

tar -xzf "$archive" -C "$out" || exit 1
kit=$out/memory_mapper-kit
# as_student COMMAND OUTPUT: COMMAND in the kit as the student; what it
# prints goes to OUTPUT (written by this script, not by the student).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
    chown -R 65534:65534 "$kit"
    as_student() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$kit" sh -c "cd '$kit' && $1" >"$2" 2>&1; }
    who="uid 65534"
else
    as_student() { sh -c "cd '$kit' && $1" >"$2" 2>&1; }
    who="uid $(id -u)"
fi
echo "the kit, unpacked in $kit, used as $who:"

as_student "make -s" "$out/make.log"
check "make builds the grader and the tests" [ $? -eq 0 ]
as_student "make -s grade" "$out/starter.txt"
check "make grade grades the starter 0/100" grep -q '^Score: 0/100$' "$out/starter.txt"
rows=$(grep -c '^ *- id:' "$kit/config.yaml")
explained() {
    [ "$(awk 'failed && /^       [^ ]/ { n++ } { failed = $1 ~ /^[0-9]+$/ && $5 != "OK" }
              END { print n + 0 }' "$out/starter.txt")" -eq "$rows" ]
}
check "... every row explained" explained
check "... and it says what only the instructor grades" \
    grep -q '^Your instructor also runs 1 test that this kit does not have' "$out/starter.txt"
as_student "make -s check" "$out/check.txt"
check "make check (the kit's self-check) passes" [ $? -eq 0 ]
as_student "make -s grade ROW=map_file_read V=1" "$out/row.txt"
check "make grade ROW=... V=1 grades one row, with each test's details" \
    sh -c "grep -q '^Score: 0/10 (partial' '$out/row.txt' && grep -q '^       KO      map_file_read/small_file (' '$out/row.txt'"
rerun=$(awk '/rerun it alone:/ { sub(/^ *rerun it alone: /, ""); line = $0; getline nxt;
             if (nxt ~ /^       [^ ]/ && nxt !~ /^       [a-z_]+\//) { sub(/^ */, "", nxt); line = line " " nxt }
             print line; exit }' "$out/starter.txt")
as_student "$rerun" "$out/rerun.txt"
check "the rerun command of a failed row works in the kit ($rerun)" \
    sh -c "[ -n '$rerun' ] && grep -q '^Score: 0/[0-9]* (partial' '$out/rerun.txt' &&
           [ \$(grep -c '^       \(OK\|KO\|CRASH\|TIMEOUT\) ' '$out/rerun.txt') -eq 1 ]"
cp reference/memory_mapper.c reference/memory_mapper.h "$kit/student/"
[ "$(id -u)" -eq 0 ] && chown 65534:65534 "$kit/student/"*
as_student "make -s grade" "$out/reference.txt"
check "a correct solution in student/ scores 100/100 there" grep -q '^Score: 100/100$' "$out/reference.txt"
rm -f "$kit/student/memory_mapper.c" "$kit/student/memory_mapper.h"

# What must not be in the kit (its build/ aside: made from the kit itself).
tar -tzf "$archive" >"$out/files"
check "no reference, variant or mutant folder, no patch" \
    sh -c "! grep -E '/(reference|variants|mutants|hidden)/|\.patch$|\.rej$|\.orig$' '$out/files'"
# Every file of reference/ and its variants, by content.
find reference -type f -exec sha256sum {} + | cut -d' ' -f1 | sort -u >"$out/answers"
tar -xzf "$archive" -C "$out" --one-top-level=pristine
find "$out/pristine" -type f -exec sha256sum {} + | cut -d' ' -f1 | sort -u >"$out/shipped"
check "no file of reference/ (the solution, its variants, the mutants) by content" \
    sh -c "[ -z \"\$(comm -12 '$out/answers' '$out/shipped')\" ]"
# The reference's code, as runs of three consecutive lines (trimmed; blank
# lines, comments, #include lines and lines under 8 characters, "}" or
# "return -1;", left out): a run the starter files do not also have is the
# solution's own.
runs() { # runs FILE...: one run per line, "a | b | c"
    for f in "$@"; do
        sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$f" |
            awk '/^(\/\*|\*|\/\/|#include)/ || length($0) < 8 { next }
                 { a = b; b = c; c = $0; if (++n >= 3) print a " | " b " | " c }'
    done
}
runs reference/memory_mapper.c | sort -u >"$out/ref_runs"
runs student/* | sort -u >"$out/starter_runs"
comm -23 "$out/ref_runs" "$out/starter_runs" >"$out/solution_runs"
leaked() {
    [ -s "$out/solution_runs" ] || { echo "      (no run of the solution to look for)"; return 1; }
    find "$out/pristine" -type f | while read -r f; do
        runs "$f" | sort -u | comm -12 "$out/solution_runs" - | sed "s|^|      $f: |"
    done >"$out/leaks"
    [ -s "$out/leaks" ] || return 0
    head -5 "$out/leaks"
    return 1
}
check "no code of the reference ($(wc -l <"$out/solution_runs") runs of 3 lines looked for)" leaked
hidden_names=$(sed -n 's/^ *hidden_tests: \[\(.*\)\]/\1/p' config.yaml | tr -d ' ' | tr ',' '\n' | sed 's|.*/||')
no_hidden() {
    [ -n "$hidden_names" ] || { echo "      (config.yaml hides no test)"; return 1; }
    for n in $hidden_names; do
        if grep -rqF "$n" "$out/pristine" || grep -aqF "$n" "$kit/build/tests/checker"; then
            echo "      hidden test $n is in the kit"
            return 1
        fi
    done
}
check "no hidden test: not in its sources, its config or its checker" no_hidden

echo
if [ "$failures" -ne 0 ]; then
    for f in make starter check row rerun reference; do echo "--- $f"; cat "$out/$f.txt" "$out/$f.log" 2>/dev/null | tail -30; done
    echo "$failures kit check(s) failed"
    exit 1
fi
echo "all kit checks passed"
