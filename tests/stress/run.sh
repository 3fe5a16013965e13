#!/bin/sh
# Load checks of the grader (issue 13):
#   two     two graders at once on one machine (a student's `make grade`
#           while a batch runs) never collide: both reports right, with and
#           without namespaces (the fallback shares /tmp and /dev/shm);
#   batch   a batch of STRESS_SUBMISSIONS (default 500) submissions, copies
#           of the mutant corpus (build/mutants, build/mutants-ring after
#           `make mutants`) with the reference and the starter: the
#           grader's RSS and open descriptors sampled every second
#           (/proc/PID/status VmRSS, VmHWM; /proc/PID/fd) stay flat;
#   kill    a grader killed with SIGKILL in the middle of a batch: what it
#           leaves (processes, mounts, cgroups, /dev/shm, /tmp) is gone
#           once the next run has started, with and without namespaces;
#   formats the batch (STRESS_SUBMISSIONS, default 80 here: the mutant
#           corpus once) graded once, then written in every format from its
#           JSON report (moulinette merge), each under a 256 MiB address
#           space limit and read back (JSON and the grader's own checks).
#
#   tests/stress/run.sh [quick|two|batch|kill|formats|all]    (default: all)
#
# `make stress` runs all; `make test` runs quick (two graders at once, with
# and without namespaces, about 15 s). Figures go to stdout and build/stress/; the
# README quotes them. One line per check, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
what=${1:-all}
moulinette=${MOULINETTE:-build/moulinette}
no_unshare=${NO_UNSHARE:-build/no-unshare}
json_check=${JSON_CHECK:-build/json-check}
count=${STRESS_SUBMISSIONS:-500}
[ "$what" = formats ] && count=${STRESS_SUBMISSIONS:-80}
jobs=${STRESS_JOBS:-2}
figures=build/stress
out=$(mktemp -d "${TMPDIR:-/tmp}/mm-stress-XXXXXX") || exit 1
chmod 755 "$out"
mkdir -p "$figures"
failures=0
checks=0
bg_pids=""

cleanup() {
    for pid in $bg_pids; do kill -9 "$pid" 2>/dev/null; done
    rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. tests/checks.sh

for tool in "$moulinette" "$json_check" "$no_unshare"; do
    [ -x "$tool" ] || { echo "FAIL  $tool is missing (make stress builds it)"; exit 1; }
done

# A mode's command prefix: "ns" the sandbox as the machine allows it,
# "fallback" under a seccomp filter that refuses namespaces (as in a
# container), where /tmp and /dev/shm are shared by every job.
prefix() { [ "$1" = fallback ] && echo "$no_unshare"; }

score_is() { grep -qx "Score: $2" "$1" || { echo "    $1:"; sed 's/^/    /' "$1" | tail -5; false; }; }

# ---- two graders at once ----------------------------------------------------------

batch_right() { # batch_right REPORT SCORES: else what the rows that lost points said
    [ "$2" = '"score": 100"score": 0"score": 100"score": 100' ] && return
    echo "    scores: $2"
    tr '{' '\n' <"$1" | grep -E '"status": "(fail|crash|timeout|error)"' | grep -v '"points": 0, "max_points": 0' |
        cut -c1-300 | sed 's/^/    /' | head -n 12
    false
}

# A batch (reference, starter, a submission without a header, the reference
# again) while another grader grades the reference alone, started in the
# middle of the batch. Same TMPDIR, same cgroup parent, same /dev/shm.
two_graders() {
    mode=$1
    p=$(prefix "$mode")
    dir=$out/two-$mode
    mkdir -p "$dir/tmp" "$dir/noheader"
    chmod 1777 "$dir/tmp"
    cp reference/memory_mapper.c "$dir/noheader/"
    TMPDIR=$dir/tmp $p "$moulinette" --jobs "$jobs" --format json --output "$dir/batch.json" \
        reference student "$dir/noheader" reference 2>"$dir/batch.err" &
    batch=$!
    bg_pids="$bg_pids $batch"
    sleep 1
    TMPDIR=$dir/tmp $p "$moulinette" reference >"$dir/solo.txt" 2>"$dir/solo.err"
    solo_rc=$?
    wait "$batch"
    batch_rc=$?
    scores=$(grep -o '"score": [0-9]*' "$dir/batch.json" | tr -d '\n')
    check "two graders ($mode): the lone grade is right (reference 100/100)" score_is "$dir/solo.txt" 100/100
    check "two graders ($mode): the batch is right (100, 0, 100, 100)" batch_right "$dir/batch.json" "$scores"
    check "two graders ($mode): both exit 0, valid JSON" \
        sh -c "[ $solo_rc$batch_rc = 00 ] && '$json_check' '$dir/batch.json'"
    check "two graders ($mode): no scratch folder left" test -z "$(ls -A "$dir/tmp")"
}

# ---- a long batch: memory and descriptors ---------------------------------------

# sample PID FILE: every second, "seconds VmRSS VmHWM fds" (kB) until PID ends.
sample() {
    start=$(date +%s)
    while [ -d "/proc/$1" ]; do
        rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null)
        hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null)
        fds=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
        [ -n "$rss" ] && echo "$(($(date +%s) - start)) $rss $hwm $fds" >>"$2"
        sleep 1
    done
}

# The corpus: every mutant folder made by `make mutants`, the reference and
# the starter, copied round-robin into `count` folders.
make_batch() {
    corpus=$(ls -d build/mutants/*/ build/mutants-ring/*/ 2>/dev/null)
    corpus="$corpus reference/ student/"
    n=$(echo $corpus | wc -w)
    i=0
    mkdir -p "$out/batch"
    while [ $i -lt "$count" ]; do
        src=$(echo $corpus | cut -d' ' -f$((i % n + 1)))
        mkdir "$out/batch/$(printf %04d $i)"
        cp "$src"memory_mapper.[ch] "$out/batch/$(printf %04d $i)/" 2>/dev/null
        i=$((i + 1))
    done
    echo "$n"
}

# The sample nearest to a fraction of the run: "seconds rss hwm fds".
at_fraction() { awk -v f="$2" '{ line[NR] = $0 } END { n = int(NR * f); if (n < 1) n = 1; print line[n] }' "$1"; }

batch() {
    kinds=$(make_batch)
    mkdir -p "$out/batch-tmp" && chmod 1777 "$out/batch-tmp"
    echo "batch: $count submissions (copies of $kinds folders: mutants, ring mutants, reference, starter), --jobs $jobs"
    TMPDIR=$out/batch-tmp "$moulinette" --jobs "$jobs" --format json --output "$out/batch.json" \
        "$out"/batch/*/ 2>"$out/batch.err" &
    grader=$!
    bg_pids="$bg_pids $grader"
    : >"$out/samples"
    sample "$grader" "$out/samples" &
    sampler=$!
    bg_pids="$bg_pids $sampler"
    wait "$grader"
    rc=$?
    wait "$sampler"
    cp "$out/samples" "$figures/batch-samples.txt"
    graded=$(grep -o '"score": ' "$out/batch.json" 2>/dev/null | wc -l)
    report_kb=$(($(wc -c <"$out/batch.json") / 1024))
    {
        echo "batch of $count submissions, --jobs $jobs: $(tail -n 1 "$out/samples" | cut -d' ' -f1) s," \
            "exit $rc, $graded graded, JSON report $report_kb KiB"
        echo "  at      seconds  VmRSS kB  VmHWM kB  fds"
        for f in 0.1 0.25 0.5 0.75 1; do
            at_fraction "$out/samples" $f | awk -v f=$f '{ printf "  %3d%%  %8d  %8d  %8d  %4d\n", f * 100, $1, $2, $3, $4 }'
        done
    } | tee "$figures/batch.txt"
    check "batch: every submission graded, exit 0" test "$rc.$graded" = "0.$count"
    check "batch: the JSON report is valid" "$json_check" "$out/batch.json"
    # Flat descriptors: the count the grader holds most of the time (the
    # mode) is the same in each quarter after the first, and no sample is
    # above it by more than one job being started (its socket pair, three
    # pipes and pidfd: 9) at the moment it was taken.
    modes=$(awk '{ n[NR] = $4 } END { for (q = 2; q <= 4; q++) { delete c; best = -1
                    for (i = int(NR * (q - 1) / 4) + 1; i <= int(NR * q / 4) - (q == 4); i++) c[n[i]]++
                    for (v in c) if (best < 0 || c[v] > c[best]) best = v
                    printf "%s ", best } }' "$out/samples")
    fds_mode=${modes%% *}
    fds_max=$(awk 'NR > 1 { if ($4 > m) m = $4 } END { print m + 0 }' "$out/samples")
    check "batch: open descriptors flat (most of the time $modes in quarters 2-4, at most $fds_max)" \
        sh -c "[ \"$modes\" = \"$fds_mode $fds_mode $fds_mode \" ] && [ $fds_max -le $((fds_mode + 9)) ]"
    # Flat memory: past the first quarter the peak RSS grows by less than
    # the report the grader must hold until the end (plus 4 MiB of
    # allocator slack).
    q=$(at_fraction "$out/samples" 0.25)
    hwm_q=$(echo "$q" | cut -d' ' -f3)
    hwm_end=$(tail -n 1 "$out/samples" | cut -d' ' -f3)
    check "batch: peak RSS flat ($hwm_q kB at a quarter, $hwm_end kB at the end, report $report_kb KiB)" \
        test $((hwm_end - hwm_q)) -le $((report_kb + 4096))
}

# Every format from the batch's one grading (merge reads the JSON report
# back): each made under a bounded address space, so a format whose memory
# grew with the class would fail here.
every_format() {
    for f in text json csv junit tap gradescope html; do
        (ulimit -v 262144 && "$moulinette" merge --format $f --output "$out/every.$f" "$out/batch.json") \
            2>"$out/merge.$f.err"
        rc=$?
        check "formats: the batch of $count in $f, within 256 MiB ($(($(wc -c <"$out/every.$f" 2>/dev/null || echo 0) / 1024)) KiB)" \
            sh -c "[ $rc -eq 0 ] && [ -s '$out/every.$f' ]"
    done
    check "formats: the batch's JSON written again is the same report" cmp -s "$out/batch.json" "$out/every.json"
    check "formats: csv has a header and one line per submission" \
        test "$(grep -c '' "$out/every.csv")" -eq $((count + 1))
    check "formats: gradescope is valid JSON" "$json_check" "$out/every.gradescope"
}

# ---- a grader killed in the middle -------------------------------------------------

cgroups() { # paths of moulinette cgroups, one a line
    find /sys/fs/cgroup -maxdepth 5 -type d -name 'moulinette-*' 2>/dev/null
}
gone_cgroups() { # gone_cgroups ID: no cgroup, no lock file of grader ID
    [ -n "$1" ] && [ -z "$(cgroups | grep "moulinette-$1-")" ] && [ ! -e "/run/moulinette-$1.lock" ] ||
        { echo "    left: $(cgroups | grep "moulinette-$1-") $(ls /run/moulinette-$1.lock 2>/dev/null)"; false; }
}
shm_and_tmp() { # what tests leave in the machine's /dev/shm and /tmp
    ls -d /dev/shm/mm_* /tmp/mm-test-* 2>/dev/null | sort
}
procs_in() { # processes whose working directory is under $1
    for proc in /proc/[0-9]*; do
        case $(readlink "$proc/cwd" 2>/dev/null) in "$1"/*) echo "${proc#/proc/}" ;; esac
    done
}

killed_grader() {
    mode=$1
    p=$(prefix "$mode")
    dir=$out/kill-$mode
    mkdir -p "$dir/tmp" "$dir/subs"
    chmod 1777 "$dir/tmp"
    for i in 1 2 3 4 5 6; do
        mkdir "$dir/subs/$i" && cp reference/memory_mapper.[ch] "$dir/subs/$i/"
    done
    shm_and_tmp >"$dir/shm-before"
    TMPDIR=$dir/tmp $p "$moulinette" --jobs "$jobs" "$dir"/subs/*/ >/dev/null 2>&1 &
    grader=$!
    bg_pids="$bg_pids $grader"
    # Killed while it runs jobs: once some are seen (at most 30 s), a
    # second later.
    tries=0
    while [ $tries -lt 150 ] && [ -z "$(procs_in "$dir/tmp")" ]; do
        sleep 0.2
        tries=$((tries + 1))
    done
    sleep 1
    # The grader's id names its cgroups and its lock (other graders may
    # come and go on the machine meanwhile).
    id=$(ls -l "/proc/$grader/fd" 2>/dev/null | sed -n 's|.*/run/moulinette-\([0-9a-f]*\)\.lock$|\1|p')
    procs_in "$dir/tmp" >"$dir/procs-during"
    kill -9 "$grader"
    wait "$grader" 2>/dev/null
    sleep 2
    left_procs=$(procs_in "$dir/tmp" | wc -l)
    left_mounts=$(grep -c "$dir" /proc/self/mountinfo)
    left_cg=$(cgroups | grep -c "moulinette-$id-")
    left_runs=$(ls -A "$dir/tmp" | wc -l)
    echo "kill ($mode): $(wc -l <"$dir/procs-during") job processes while running; right after SIGKILL:" \
        "$left_procs processes, $left_mounts mounts, $left_cg cgroups, $left_runs run folders left" |
        tee -a "$figures/kill.txt"
    check "kill ($mode): the grader was running jobs when killed" test -s "$dir/procs-during"
    check "kill ($mode): no job process outlives the grader" test "$left_procs" -eq 0
    check "kill ($mode): no mount of the jobs on the machine" test "$left_mounts" -eq 0
    # The next run sweeps what a killed grader cannot remove itself.
    TMPDIR=$dir/tmp $p "$moulinette" student >"$dir/next.txt" 2>&1
    check "kill ($mode): the next run grades" score_is "$dir/next.txt" 0/100
    check "kill ($mode): ... and removed the killed grader's run folder" test -z "$(ls -A "$dir/tmp")"
    if [ "$(id -u)" -eq 0 ]; then
        check "kill ($mode): ... and its cgroups and their lock" gone_cgroups "$id"
    fi
    check "kill ($mode): nothing left in /dev/shm or /tmp by the tests" \
        test -z "$(shm_and_tmp | comm -13 "$dir/shm-before" -)"
    check "kill ($mode): no job process left at all" test -z "$(procs_in "$dir/tmp")"
}

case $what in
quick) two_graders ns; two_graders fallback ;;
two) two_graders ns; two_graders fallback ;;
batch) batch ;;
kill) killed_grader ns; killed_grader fallback ;;
formats) batch; every_format ;;
all)
    : >"$figures/kill.txt"
    two_graders ns
    two_graders fallback
    killed_grader ns
    killed_grader fallback
    batch
    every_format
    ;;
*) echo "usage: tests/stress/run.sh [quick|two|batch|kill|formats|all]" >&2; exit 2 ;;
esac

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
