#!/bin/sh
# Times grading one submission (the reference) through the whole pipeline:
# copy, compile, inspect, link, every row. Several runs each, median, with
# the full sandbox and with --sandbox=off, and the sandbox's cost as a ratio.
# Uses hyperfine when installed, otherwise its own loop.
set -eu
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
submission=${1:-reference}

median_ms() { # median_ms COMMAND...: prints the median wall time in ms
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine --warmup 2 --runs "$runs" --export-json build/bench.json "$*" >/dev/null
        grep -o '"median": *[0-9.e-]*' build/bench.json | head -1 |
            sed 's/.*: *//' | awk '{printf "%.0f\n", $1 * 1000}'
        return
    fi
    "$@" >/dev/null
    i=0
    times=""
    while [ "$i" -lt "$runs" ]; do
        start=$(date +%s%N)
        "$@" >/dev/null
        end=$(date +%s%N)
        times="$times $(((end - start) / 1000000))"
        i=$((i + 1))
    done
    echo $times | tr ' ' '\n' | sort -n |
        awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}

main_rows=$(median_ms build/moulinette --no-bonus "$submission")
sandboxed=$(median_ms build/moulinette "$submission")
bare=$(median_ms build/moulinette --sandbox=off "$submission")
echo "grading $submission, median of $runs runs:"
echo "  the ten rows:   $main_rows ms   (target: under 500 ms)"
echo "  with the bonus: $sandboxed ms"
echo "  --sandbox=off:  $bare ms (with the bonus)"
awk -v a="$sandboxed" -v b="$bare" 'BEGIN {printf "  sandbox cost:   %+.0f%%   (target: at most +30%%)\n", (a / b - 1) * 100}'

# BASELINE=TREE: another checkout, built, graded in the same run (e.g. the
# design before the checker/driver split: git worktree add TREE b8e816c).
if [ -n "${BASELINE:-}" ]; then
    base=$(median_ms "$BASELINE/build/moulinette" --config "$BASELINE/config.yaml" --no-bonus \
        "$BASELINE/reference")
    echo "  baseline $BASELINE, the ten rows: $base ms"
    awk -v a="$main_rows" -v b="$base" 'BEGIN {printf "  this tree against it: %.2fx the time\n", a / b}'
fi
