#!/bin/sh
# The kit's self-check (`make check`): what can be proved without a
# solution. The starter scores 0 with every row explained; one row and one
# test can be graded alone; a broken config is refused with its position.
set -u
cd "$(dirname "$0")/.." || exit 1
out=$(mktemp -d "${TMPDIR:-/tmp}/mm-kit-check-XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT
failures=0

. tests/checks.sh

mkdir "$out/starter" && cp student/memory_mapper.c subject/memory_mapper.h "$out/starter/"
build/moulinette "$out/starter" >"$out/starter.txt" 2>&1
rows=$(grep -c '^ *- id:' config.yaml)
explained() { # every row is KO and its reason follows on an indented line
    [ "$(awk 'failed && /^       [^ ]/ { n++ } { failed = $1 ~ /^[0-9]+$/ && $5 != "OK" }
              END { print n + 0 }' "$out/starter.txt")" -eq "$rows" ]
}
check "the starter scores 0/100" grep -q '^Score: 0/' "$out/starter.txt"
check "... with every row explained" explained
build/moulinette --row map_file_read --test error_handling/missing_path "$out/starter" >"$out/one.txt" 2>&1
check "one row and one test can be graded alone" grep -q '^Score: 0/20 (partial' "$out/one.txt"
printf 'compile:\n  cc: gcc\n  cc: clang\n' >"$out/broken.yaml"
build/moulinette --config "$out/broken.yaml" "$out/starter" >"$out/broken.txt" 2>&1
broken_rc=$?
refused() { [ "$broken_rc" -eq 2 ] && grep -q 'broken.yaml:3:' "$out/broken.txt"; }
check "a broken config is refused with its position" refused

echo
if [ "$failures" -ne 0 ]; then
    cat "$out/starter.txt"
    echo "$failures self-check(s) failed"
    exit 1
fi
echo "the kit works: write your code in student/ and run make grade"
