#!/bin/sh
# Times grading one submission (the reference) with the whole pipeline:
# copy, compile, link, every test. Several runs; prints each and the median.
# Uses hyperfine when it is installed, otherwise its own loop.
set -eu
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
submission=${1:-reference}

if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 2 --runs "$runs" --export-json build/bench.json \
        "build/moulinette $submission" >/dev/null
    median=$(grep -o '"median": *[0-9.e-]*' build/bench.json | head -1 | sed 's/.*: *//')
    printf 'grading %s: median %.3f s over %s runs (hyperfine)\n' "$submission" "$median" "$runs"
    exit 0
fi
times=""
i=0
build/moulinette "$submission" >/dev/null # warm-up
while [ "$i" -lt "$runs" ]; do
    start=$(date +%s%N)
    build/moulinette "$submission" >/dev/null
    end=$(date +%s%N)
    times="$times $(( (end - start) / 1000000 ))"
    i=$((i + 1))
done
sorted=$(echo $times | tr ' ' '\n' | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
echo "runs (ms):$times"
echo "grading $submission: median $median ms over $runs runs"
