#!/bin/sh
# fuzz/run.sh - runs one libFuzzer target for a fixed time (`make fuzz`).
#
#   fuzz/run.sh BUILD TARGET SECONDS
#
# BUILD/fuzz-TARGET first replays fuzz/regress/TARGET/ (every crash ever
# found: each must now pass), then fuzzes from the seed corpus
# fuzz/corpus/TARGET/ (committed, never written) and the working corpus
# BUILD/corpus/TARGET/ (what earlier runs found, kept between runs) for
# SECONDS. A crash, leak, timeout or out-of-memory stops the run; its input
# is copied to fuzz/regress/TARGET/ (commit it with the fix) and the run
# fails. Prints one summary line, also appended to BUILD/fuzz-summary.txt:
#   fuzz TARGET: N executions in S s, corpus C inputs, K crash(es)
set -u
[ $# -eq 3 ] || { echo "usage: $0 BUILD TARGET SECONDS" >&2; exit 2; }
build=$1
target=$2
seconds=$3
cd "$(dirname "$0")/.." || exit 2
bin=$build/fuzz-$target
[ -x "$bin" ] || { echo "$0: $bin missing: run make fuzz-build" >&2; exit 2; }
regress=fuzz/regress/$target
corpus=$build/corpus/$target
crashes=$build/crashes/$target
log=$build/$target.log
# What an earlier run found is in $regress already (copied below).
rm -rf "$crashes"
mkdir -p "$corpus" "$crashes"

# Sanitizer reports are fatal; libFuzzer turns them into a saved input.
export ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
    if ! "$bin" -runs=1 "$regress"/* >"$build/$target.regress.log" 2>&1; then
        tail -n 30 "$build/$target.regress.log"
        echo "fuzz $target: an input of $regress fails again (log: $build/$target.regress.log)"
        exit 1
    fi
    echo "fuzz $target: $(ls "$regress" | wc -l) regression input(s) pass"
fi

case $target in
config | elf) max_len=16384 ;; # config.yaml is about 9 KB, an object of the reference 10 KB
*) max_len=8192 ;;       # past the caps by repetition (see fuzz_report.c)
esac
dict=""
[ -f "fuzz/$target.dict" ] && dict="-dict=fuzz/$target.dict"

# -close_fd_mask=1: the target's stdout is noise; libFuzzer keeps its own
# output and the sanitizers' reports on stderr.
start=$(date +%s)
# shellcheck disable=SC2086 # $dict: one word or none
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=$max_len $dict \
    -print_final_stats=1 -close_fd_mask=1 -artifact_prefix="$crashes/" \
    "$corpus" "fuzz/corpus/$target" >"$log" 2>&1
rc=$?
secs=$(($(date +%s) - start))

runs=$(awk '/^stat::number_of_executed_units:/ { print $NF }' "$log")
found=""
for f in "$crashes"/*; do
    [ -e "$f" ] || continue
    case ${f##*/} in
    slow-unit-*) continue ;; # slow, not wrong: kept in $crashes only
    esac
    mkdir -p "$regress"
    cp "$f" "$regress/"
    found="$found ${f##*/}"
done
ncrash=$(echo $found | wc -w)
line="fuzz $target: ${runs:-?} executions in $secs s, corpus $(ls "$corpus" | wc -l) inputs, $ncrash crash(es)"
echo "$line" | tee -a "$build/fuzz-summary.txt"
if [ "$rc" -ne 0 ] || [ "$ncrash" -gt 0 ]; then
    grep -m 1 -B 2 -A 30 -E 'ERROR: |broken promise|runtime error' "$log"
    echo "fuzz $target: failed (exit $rc);${found:+ copied to $regress:$found;} log: $log"
    exit 1
fi
