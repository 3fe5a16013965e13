#!/bin/sh
# bench/bench.sh [SUBMISSION]: `make bench`. Times grading in one run, side
# by side, against a floor measured in the same run: building the
# submission (bench/floor.sh: compile it and the shims, localize, link the
# driver; nothing sandboxed, nothing run), which no grader can skip. Every
# figure is printed as a ratio of the floor, then the targets of issue 12,
# each met or not. Times are medians (wall) and means (CPU: user + system
# of the grader and everything it waited for) over RUNS runs (hyperfine
# when installed, otherwise a loop of its own); never an assertion.
#
#   RUNS=10         runs of each single-submission figure
#   BATCH_RUNS=3    runs of each batch figure (no warm-up run: a batch
#                   warms the caches itself)
#   BATCH="dirs"    the batch (default: a class of about 100, the mutant
#                   corpus as `build/mutation-check --prepare-only` writes
#                   it in build/bench/mutants, the reference and every
#                   correct variant)
#   BASELINE=TREE   also grades with another checkout (built), same run
set -eu
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
batch_runs=${BATCH_RUNS:-3}
submission=${1:-reference}
cores=$(nproc)
out=build/bench
mkdir -p $out
if [ -z "${BATCH:-}" ]; then
    rm -rf $out/mutants # exactly these mutants: none left from an older manifest
    build/mutation-check --prepare-only --work $out/mutants reference/mutants/manifest.yaml \
        reference/mutants/*/manifest.yaml >/dev/null
    BATCH="reference $out/mutants/* reference/variants/*/"
fi
# shellcheck disable=SC2086 # globs on purpose
batch=$(echo $BATCH)
nbatch=$(echo $batch | wc -w)

# measure NAME RUNS COMMAND...: sets NAME_wall (median, ms) and NAME_cpu
# (mean user + system, ms). WARMUP (default 1): runs before those timed.
measure() {
    name=$1
    n=$2
    shift 2
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine -N --warmup "${WARMUP:-1}" --runs "$n" --export-json "$out/$name.json" "$*" >/dev/null 2>&1
        set -- $(awk -F': *' '/"median"/ { m = $2 } /"user"/ { u = $2 } /"system"/ { s = $2 }
            END { gsub(/,/, "", m); gsub(/,/, "", u); gsub(/,/, "", s);
                  printf "%.0f %.0f\n", m * 1000, (u + s) * 1000 }' "$out/$name.json")
    else
        [ "${WARMUP:-1}" -gt 0 ] && "$@" >/dev/null 2>&1
        i=0
        : >"$out/$name.times"
        while [ "$i" -lt "$n" ]; do
            /usr/bin/time -f "%e %U %S" -a -o "$out/$name.times" "$@" >/dev/null 2>&1
            i=$((i + 1))
        done
        set -- $(sort -n "$out/$name.times" | awk '{ w[NR] = $1; c += $2 + $3 }
            END { m = (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2;
                  printf "%.0f %.0f\n", m * 1000, c / NR * 1000 }')
    fi
    eval "${name}_wall=$1 ${name}_cpu=$2"
}

# rss_profile COMMAND...: the grader's own peak resident memory (VmHWM, in
# KiB; its jobs are other processes), sampled every 0.1 s: "QUARTER END",
# its value a quarter of the way through the run and at the end. Flat per
# submission: what it holds early (the allocator's arenas, the config, the
# tests' list) does not grow with the submissions graded after.
rss_profile() {
    "$@" >/dev/null 2>&1 &
    pid=$!
    : >"$out/rss.samples"
    while kill -0 "$pid" 2>/dev/null; do
        hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        [ -n "$hwm" ] && echo "$hwm" >>"$out/rss.samples"
        sleep 0.1
    done
    wait "$pid" || true
    awk '{ v[NR] = $1 } END { q = int(NR / 4); if (q < 1) q = 1; print v[q] + 0, v[NR] + 0 }' "$out/rss.samples"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
verdict() { # verdict VALUE OP LIMIT: "met" or "NOT met"
    awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = op == "<=" ? v <= l : v >= l; print ok ? "met" : "NOT met" }'
}

echo "make bench: grading $submission, $cores cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure floor "$runs" bench/floor.sh "$submission"
measure ten "$runs" build/moulinette --no-bonus "$submission"
measure full "$runs" build/moulinette "$submission"
measure bare "$runs" build/moulinette --sandbox=off --no-bonus "$submission"
measure bonus_bare "$runs" build/moulinette --sandbox=off "$submission"

line() { # line LABEL NAME
    eval "w=\$${2}_wall c=\$${2}_cpu"
    printf "  %-34s %6s ms wall %5s   %6s ms CPU %5s\n" "$1" "$w" "$(ratio "$w" "$floor_wall")" "$c" \
        "$(ratio "$c" "$floor_cpu")"
}
echo "one submission, median of $runs runs (ratios: to the floor)"
printf "  %-34s %6s ms wall        %6s ms CPU\n" "floor (build only, bench/floor.sh)" "$floor_wall" "$floor_cpu"
line "ten rows, sandboxed" ten
line "ten rows, --sandbox=off" bare
line "with the bonus rows, sandboxed" full
line "with the bonus rows, --sandbox=off" bonus_bare

echo "batch: $nbatch submissions, every row, median of $batch_runs runs"
# shellcheck disable=SC2086 # $batch: paths without spaces
WARMUP=0 measure batch1 "$batch_runs" build/moulinette --jobs 1 $batch
# shellcheck disable=SC2086
WARMUP=0 measure batch2 "$batch_runs" build/moulinette --jobs "$cores" $batch
# shellcheck disable=SC2086
WARMUP=0 measure batch10 "$batch_runs" build/moulinette --jobs "$cores" --no-bonus $batch
for j in 1 2 10; do
    eval "w=\$batch${j}_wall c=\$batch${j}_cpu"
    jobs=$([ "$j" = 1 ] && echo 1 || echo "$cores")
    what=$([ "$j" = 10 ] && echo "--no-bonus" || echo "")
    awk -v w="$w" -v c="$c" -v n="$nbatch" -v f="$floor_cpu" -v j="$jobs" -v x="$what" 'BEGIN {
        printf "  --jobs %-2s %-10s %6.2f submissions/s   CPU per submission %4.0f ms (%.1fx the floor)\n",
            j, x, n / (w / 1000), c / n, c / n / f }'
done
echo "  (every row: the bonus rows start many processes and wait 50 ms to see a call asleep, see README)"
# shellcheck disable=SC2086
set -- $(rss_profile build/moulinette --jobs "$cores" --no-bonus $batch)
rss_quarter=$1
rss_end=$2
echo "  grader's peak memory (VmHWM): $rss_quarter KiB a quarter of the way through the batch, $rss_end KiB at its end"

if [ -n "${BASELINE:-}" ]; then
    measure base "$runs" "$BASELINE/build/moulinette" --config "$BASELINE/config.yaml" --no-bonus \
        "$BASELINE/reference"
    echo "baseline $BASELINE, ten rows: $base_wall ms wall, $base_cpu ms CPU;" \
        "this tree: $(ratio "$ten_wall" "$base_wall") the wall time, $(ratio "$ten_cpu" "$base_cpu") the CPU"
fi

w1=$(awk -v w="$ten_wall" -v f="$floor_wall" 'BEGIN { print w / f }')
c1=$(awk -v c="$ten_cpu" -v f="$floor_cpu" 'BEGIN { print c / f }')
cb=$(awk -v c="$batch2_cpu" -v n="$nbatch" -v f="$floor_cpu" 'BEGIN { print c / n / f }')
cb10=$(awk -v c="$batch10_cpu" -v n="$nbatch" -v f="$floor_cpu" 'BEGIN { print c / n / f }')
scale=$(awk -v a="$batch1_wall" -v b="$batch2_wall" 'BEGIN { print a / b }')
cost=$(awk -v a="$ten_wall" -v b="$bare_wall" 'BEGIN { print (a / b - 1) * 100 }')
mem=$(awk -v a="$rss_end" -v b="$rss_quarter" 'BEGIN { print (b > 0 ? a / b : 99) }')
echo "targets (issue 12)"
printf "  %-58s %-8s %s\n" "ten rows, sandboxed: wall <= 2.5x the floor" "$(printf %.1fx "$w1")" "$(verdict "$w1" "<=" 2.5)"
printf "  %-58s %-8s %s\n" "ten rows, sandboxed: CPU <= 3x the floor" "$(printf %.1fx "$c1")" "$(verdict "$c1" "<=" 3)"
printf "  %-58s %-8s %s\n" "batch at --jobs $cores: CPU per submission <= 3x the floor" "$(printf %.1fx "$cb")" "$(verdict "$cb" "<=" 3)"
printf "  %-58s %-8s %s\n" "  the same, ten rows (--no-bonus)" "$(printf %.1fx "$cb10")" "$(verdict "$cb10" "<=" 3)"
printf "  %-58s %-8s %s\n" "batch: --jobs $cores over --jobs 1 throughput >= 0.8 x cores" "$(printf %.2fx "$scale")" \
    "$(verdict "$scale" ">=" "$(awk -v n="$cores" 'BEGIN { print 0.8 * n }')")"
printf "  %-58s %-8s %s\n" "sandbox cost (ten rows) <= +30% against --sandbox=off" "$(printf %+.0f%% "$cost")" "$(verdict "$cost" "<=" 30)"
printf "  %-58s %-8s %s\n" "grader's peak memory flat: at the end <= 1.2x at a quarter" "$(printf %.2fx "$mem")" "$(verdict "$mem" "<=" 1.2)"
echo "  bonus rows: they add $(awk -v a="$full_wall" -v b="$ten_wall" 'BEGIN { print a - b }') ms wall and $(awk -v a="$full_cpu" -v b="$ten_cpu" 'BEGIN { print a - b }') ms CPU to one grade"
