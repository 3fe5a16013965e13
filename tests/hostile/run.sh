#!/bin/sh
# tests/hostile/run.sh - grades the hostile corpus and checks containment.
#
#   tests/hostile/run.sh [-j JOBS] [-s SHARDS] [-o DIR] [-g TREE] [NAME...]
#
# Needs `make` done (build/moulinette, build/tests/checker, build/tests/driver.o); builds nothing.
# NAME: folder names or shell patterns ('0*', '2[0-9]-*'); default: all.
# -j: --jobs given to the grader (default 2). -s: how many runs of the
# corpus go at once, each in namespaces (and cgroups) of its own, taking
# the next submission as they finish one (default 2; 1 where there are no
# namespaces): most attacks wait out a limit, so two share two cores. -o DIR: keep every report and
# the grader's stdout/stderr in DIR (not under /tmp or /dev/shm: those are
# private to the run, see below). -g TREE: grade with TREE/build/moulinette,
# TREE/config.yaml and TREE/reference/memory_mapper.h instead of this
# checkout's (e.g. an older grader, to see the corpus catch it; not under
# /tmp). The attacks are written against /work/main and aimed at the checkout
# under test (its path replaces /work/main in each copy). MOULINETTE=PATH
# (relative to the tree) runs another build of the grader, e.g.
# build-asan/moulinette (`make check-asan`).
#
# Corpus: tests/hostile/<NN-name>/ holds one submission: attack.patch (the
# reference plus one attack, as a patch applied to reference/memory_mapper.c
# at run time) or the files themselves (a symlink, an empty file, no
# source), ATTACK (one line), `expected`, and
# optionally DANGEROUS (skipped unless the run is in a pid namespace). A
# folder without memory_mapper.h is graded with reference/memory_mapper.h
# copied in (so a folder stores only its .c).
#
# `expected`, one directive a line ('#' starts a comment line):
#   <row_id> <VERDICT>   VERDICT: OK KO CRASH TIMEOUT ERROR, NOT-OK (anything
#                        but OK) or ANY (not checked, but the row must exist)
#   * <VERDICT>          every row of the report not named on its own line
#   score <N>            the score is exactly N
#   score-max <N>        the score is at most N
#   grep <TEXT>          the report contains TEXT (case-insensitive)
#   time-max <S>         grading takes at most S seconds (default 120)
#   report-max <KiB>     the text report is at most KiB (default 256); the
#                        submission is also graded with --format json, and
#                        that report must be valid JSON (build/json-check,
#                        built by make hostile) of at most KiB
#   json-grep <TEXT>     the JSON report contains TEXT as it is written
#                        there (case-sensitive; `\u0000`); implies the
#                        JSON grading
#   batch-with <NN-name> graded in one grader run with that folder of the
#                        corpus (--jobs at least 2, this folder first):
#                        each one's report is checked against its own
#                        `expected`, the containment checks against both
#   --- or ---           starts another set of directives: the report must
#                        satisfy one set (a policy choice, e.g. refusing a
#                        submission or neutralizing its trick); time-max,
#                        report-max, json-grep and batch-with hold for all
#
# Safety. Each shard re-executes the script in new pid and mount namespaces
# (`unshare --pid --fork --mount-proc`, or with --user --map-root-user when
# not root; without either it runs bare, says so and skips the DANGEROUS
# folders), mounts private tmpfs on /tmp, /dev/shm, /var/tmp, /run/lock and
# TMPDIR there (the checkout bound back when it lies below: so leftovers
# are attributable to the shard's submission and never reach the
# machine's), and as root also runs in
# fresh pids (pids.max 2000) and memory (4G) cgroups, removed at the end,
# which it bind-mounts over /sys/fs/cgroup/{pids,memory} in its mount
# namespace: the grader's per-job cgroups nest under them, so the run's
# limits bound the jobs too and no other grader on the machine sees them.
#
# After each submission it checks: each row's verdict and the score against
# `expected`; the grader's exit status, time and report size; no line of
# config.yaml or /etc/shadow in the report; no process left in the
# namespace; no new /dev/shm entry; no /tmp/moulinette-*, /tmp/hostile-*,
# /tmp/outside-marker left; nothing named moulinette-*, hostile-*, mm_* or
# outside-marker left in /var/tmp, /run/lock or $TMPDIR (other new entries
# there are only noted); no marker in /work/main or
# /root (shared by the shards: a marker fails whichever shard sees it
# first); config.yaml and reference/ unchanged. It then removes what was
# left (killing left processes by pid), prints PASS or FAIL with the
# reasons on one line, and at the end a summary. Exit status 1 if any
# submission failed.
set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
moulinette=${MOULINETTE:-build/moulinette}
json_check=${JSON_CHECK:-$root/build/json-check}

# ---- outer stage: cgroups and namespaces -----------------------------------------

cg_dirs=""

cg_setup() { # as root: fresh pids and memory cgroups for this run
    for ctl in pids memory; do
        base=/sys/fs/cgroup/$ctl
        [ -d "$base" ] && [ -w "$base" ] || { echo "note: no $ctl cgroup here"; continue; }
        rel=$(awk -F: -v c="$ctl" '$2 == c { print $3 }' /proc/self/cgroup)
        parent=$base${rel%/}
        dir=$parent/moulinette-hostile-$$
        if ! mkdir "$dir" 2>/dev/null; then
            echo "note: cannot create $dir"
            continue
        fi
        case $ctl in
        pids) echo 2000 >"$dir/pids.max" ;;
        memory) echo 4G >"$dir/memory.limit_in_bytes" ;;
        esac
        if echo $$ >"$dir/cgroup.procs"; then
            cg_dirs="$cg_dirs $parent|$dir"
            MM_HOSTILE_CGROUPS="${MM_HOSTILE_CGROUPS:-}$ctl=$dir "
        else
            rmdir "$dir"
        fi
    done
}

cg_cleanup() {
    for pd in $cg_dirs; do
        parent=${pd%|*}
        dir=${pd#*|}
        echo $$ >"$parent/cgroup.procs" 2>/dev/null
        for _ in 1 2 3 4 5; do
            # job cgroups a killed grader left behind, deepest first
            find "$dir" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
            rmdir "$dir" 2>/dev/null && break
            sleep 1
        done
        [ -d "$dir" ] && echo "warning: could not remove $dir"
    done
    cg_dirs=""
}

# Counts (passed failed skipped) and names of the failed, summed over the
# shards' result files ($1/result.*).
sum_results() {
    cat "$1"/result.* 2>/dev/null | awk '
        { p += $1; f += $2; s += $3; for (i = 4; i <= NF; i++) names = names " " $i; n++ }
        END { printf "%d %d %d %d%s\n", n, p, f, s, names }'
}

# The places each shard makes private: a TMPDIR that holds the checkout
# is left alone (the shard uses a folder of its private /tmp instead).
private_places() {
    echo /tmp /dev/shm /var/tmp /run/lock
    if [ -n "${TMPDIR:-}" ]; then
        case $root/ in "${TMPDIR%/}"/*) ;; *) echo "${TMPDIR%/}" ;; esac
    fi
}

# Fails, saying why, when one of the paths given (-o, -g) lies below one
# of them: a shard would not see it, or would lose what it writes there.
check_paths() {
    for p; do
        for d in $(private_places); do
            case $p/ in
            "$d"/*)
                echo "run.sh: $p is under $d, which each shard makes private: it would be hidden or lost" >&2
                return 1
                ;;
            esac
        done
    done
}

# The outer stage: checks the build, then starts the shards, each through
# a launcher (below) that makes its cgroups and namespaces, and sums up.
if [ -z "${MM_HOSTILE_STAGE:-}" ]; then
    if ! (cd "$root" && [ -x "$moulinette" ]) || [ ! -x "$root/build/tests/checker" ] ||
        [ ! -f "$root/build/tests/driver.o" ]; then
        echo "run.sh: $moulinette, build/tests/checker or build/tests/driver.o missing: run make first" >&2
        exit 2
    fi
    shards=2
    paths=""
    while getopts j:s:o:g: opt; do
        case $opt in
        s) shards=$OPTARG ;;
        o | g) paths="$paths $OPTARG" ;;
        j) ;;
        *) echo "usage: $0 [-j JOBS] [-s SHARDS] [-o DIR] [-g TREE] [NAME...]" >&2; exit 2 ;;
        esac
    done
    OPTIND=1
    # shellcheck disable=SC2086 # paths without spaces, as the corpus'
    check_paths $paths || exit 2
    case $shards in '' | *[!0-9]* | 0) echo "run.sh: -s wants a number of shards, got '$shards'" >&2; exit 2 ;; esac
    if [ "$(id -u)" -eq 0 ]; then
        launch=launch-pidns
    elif unshare --user --map-root-user --pid --fork --mount-proc true 2>/dev/null; then
        echo "note: not root: user namespace, no cgroups (the grader cannot drop to uid 65534 here)"
        launch=launch-userns
    else
        echo "WARNING: no namespaces available: running bare; DANGEROUS submissions skipped;"
        echo "WARNING: process and /tmp checks are approximate (shared with the machine)"
        MM_HOSTILE_STAGE=bare exec sh "$0" "$@"
    fi
    # Where the shards claim submissions (mkdir is atomic) and leave their
    # counts. Their /tmp is private: each reaches this folder through a
    # descriptor (9) its launcher opens, as /proc/1/fd/9.
    MM_HOSTILE_CLAIMS=$(mktemp -d "${TMPDIR:-/tmp}/hostile-claims-XXXXXX") || exit 2
    export MM_HOSTILE_CLAIMS
    start_all=$(date +%s)
    launchers=""
    # Each launcher leads a session of its own (setsid: a background job
    # of a shell without job control would ignore SIGINT, and unshare
    # outlives SIGTERM): an interrupted run sends SIGTERM to each whole
    # group, whose pid 1 then ends its namespace.
    trap 'for p in $launchers; do kill -TERM "-$p" 2>/dev/null; done; wait; rm -rf "$MM_HOSTILE_CLAIMS"; exit 130' INT TERM
    i=1
    while [ "$i" -le "$shards" ]; do
        MM_HOSTILE_STAGE=$launch MM_HOSTILE_SHARD=$i/$shards setsid sh "$0" "$@" &
        launchers="$launchers $!"
        i=$((i + 1))
    done
    rc=0
    for p in $launchers; do
        wait "$p" || rc=1
    done
    set -- $(sum_results "$MM_HOSTILE_CLAIMS")
    rm -rf "$MM_HOSTILE_CLAIMS"
    if [ "${1:-0}" -ne "$shards" ]; then
        echo "hostile corpus: only ${1:-0} of $shards shard(s) finished"
        exit 1
    fi
    if [ "$shards" -gt 1 ]; then
        echo "hostile corpus: $2 passed, $3 failed, $4 skipped in $(($(date +%s) - start_all)) s ($shards shards)"
        shift 4
        [ $# -gt 0 ] && echo "failed: $*"
    fi
    exit $rc
fi

# A shard's launcher: its cgroups (as root), then its namespaces.
case $MM_HOSTILE_STAGE in
launch-pidns)
    exec 9<"$MM_HOSTILE_CLAIMS"
    trap 'cg_cleanup; exit 130' INT TERM
    MM_HOSTILE_CGROUPS=""
    cg_setup
    export MM_HOSTILE_CGROUPS
    MM_HOSTILE_STAGE=pidns unshare --pid --fork --kill-child --mount-proc sh "$0" "$@"
    rc=$?
    cg_cleanup
    exit $rc
    ;;
launch-userns)
    exec 9<"$MM_HOSTILE_CLAIMS"
    MM_HOSTILE_STAGE=userns exec unshare --user --map-root-user --pid --fork --kill-child \
        --mount-proc sh "$0" "$@"
    ;;
esac

# ---- inner stage -------------------------------------------------------------------

stage=$MM_HOSTILE_STAGE
jobs=2
keep=""
tree=$root
while getopts j:s:o:g: opt; do
    case $opt in
    j) jobs=$OPTARG ;;
    s) ;;
    o) keep=$OPTARG ;;
    g) tree=$(cd "$OPTARG" && pwd) || exit 2 ;;
    *) echo "usage: $0 [-j JOBS] [-s SHARDS] [-o DIR] [-g TREE] [NAME...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
shard=${MM_HOSTILE_SHARD:-1/1}
private=$(private_places)
tmpdir_holds_root=0
[ -n "${TMPDIR:-}" ] && case $root/ in "${TMPDIR%/}"/*) tmpdir_holds_root=1 ;; esac
claims=""
[ "$stage" != bare ] && [ -n "${MM_HOSTILE_CLAIMS:-}" ] && claims=/proc/$$/fd/9

isolated=0
if [ "$stage" != bare ]; then
    trap 'exit 130' INT TERM # pid 1 ignores signals it does not handle
    if [ $$ -ne 1 ]; then
        echo "run.sh: expected to be pid 1 of the new namespace, am $$" >&2
        exit 2
    fi
    cd "$root" || exit 2
    # Private tmpfs on the world-writable places; a checkout under one (a
    # CI clone) is bound back at its path, from the working directory that
    # still points at it (--no-canonicalize: resolved as a path, /proc/1/cwd
    # would lead to the new, empty directory). A TMPDIR below one is made
    # again inside.
    made=""
    for d in $private; do
        case " $made " in *" $d "*) continue ;; esac
        made="$made $d"
        [ -n "$d" ] && [ -d "$d" ] || continue
        mount -t tmpfs -o mode=1777,size=6g "hostile$(echo "$d" | tr / -)" "$d" || {
            echo "run.sh: cannot mount a private $d" >&2
            exit 2
        }
        case $root/ in
        "$d"/*)
            mkdir -p "$root" && mount --no-canonicalize --bind "/proc/$$/cwd" "$root" || {
                echo "run.sh: cannot bind $root back under the private $d" >&2
                exit 2
            }
            ;;
        esac
    done
    # A TMPDIR below one of them is made again inside; one that holds the
    # checkout is not made private (it would hide the checkout's
    # neighbours): the shard then uses a folder of its private /tmp.
    if [ "$tmpdir_holds_root" -eq 1 ]; then
        TMPDIR=$(mktemp -d /tmp/tmpdir.XXXXXX) && chmod 1777 "$TMPDIR" || exit 2
        echo "note: TMPDIR holds the checkout: this shard uses $TMPDIR"
    fi
    if [ -n "${TMPDIR:-}" ] && [ ! -d "$TMPDIR" ]; then
        for d in $made; do
            case $TMPDIR/ in "$d"/*) mkdir -p "$TMPDIR" && chmod 1777 "$TMPDIR" || exit 2 ;; esac
        done
    fi
    isolated=1
    # The run's cgroups stand for the whole hierarchy here, so that the
    # grader's own job cgroups nest under them (the run's limits hold for
    # the jobs too) and never meet another grader's on this machine.
    for cg in ${MM_HOSTILE_CGROUPS:-}; do
        mount --bind "${cg#*=}" "/sys/fs/cgroup/${cg%%=*}" ||
            echo "note: cannot bind ${cg#*=} over /sys/fs/cgroup/${cg%%=*}"
    done
fi

work=$(mktemp -d /tmp/hostile-run-XXXXXX) || exit 2
case $keep in
"") ;;
/tmp/* | /dev/shm/*) echo "run.sh: -o $keep would be lost (private /tmp)" >&2; exit 2 ;;
*) mkdir -p "$keep" || exit 2 ;;
esac

# Lines (>= 16 characters) of files whose content must never reach a report.
secrets=$work/secrets
: >"$secrets"
for f in "$root/config.yaml" /etc/shadow; do
    [ -r "$f" ] || continue
    awk -v src="$f" '{ sub(/^[ \t]+/, ""); sub(/[ \t\r]+$/, "") } length($0) >= 16 { print src "\t" $0 }' \
        "$f" >>"$secrets"
done

cat >"$work/check.awk" <<'EOF'
# Checks a text report against an `expected` file (see the top of run.sh).
# Alternatives: blocks separated by "--- or ---"; the report must satisfy
# one of them. Prints the problems of the closest block, nothing if one fits.
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
function vmatch(w, g) {
    if (w == "ANY") return 1
    if (w == "NOT-OK") return g != "OK"
    return w == g
}
function short(s) { return length(s) > 110 ? substr(s, 1, 107) "..." : s }
function problem(b, msg) { nprob[b]++; prob[b, nprob[b]] = msg }
BEGIN {
    nb = 1
    while ((getline line < expf) > 0) {
        line = trim(line)
        if (line == "" || line ~ /^#/) continue
        if (line ~ /^--- *or *---$/) { nb++; continue }
        n = split(line, f, /[ \t]+/)
        if (f[1] == "score" && n == 2) want_score[nb] = f[2]
        else if (f[1] == "score-max" && n == 2) score_max[nb] = f[2]
        else if (f[1] ~ /^(time-max|report-max|batch-with)$/ && n == 2) continue
        else if (f[1] == "json-grep") continue
        else if (f[1] == "grep") { g = line; sub(/^grep[ \t]+/, "", g); greps[nb, ++ngrep[nb]] = g }
        else if (n == 2 && f[2] ~ /^(OK|KO|CRASH|TIMEOUT|ERROR|NOT-OK|ANY)$/) {
            if (f[1] == "*") def[nb] = f[2]
            else { want[nb, f[1]] = f[2]; order[nb, ++nrules[nb]] = f[1] }
        } else print "bad line in expected: " line
    }
    while ((getline line < secrets) > 0) {
        t = index(line, "\t")
        nsec++; secsrc[nsec] = substr(line, 1, t - 1); sec[nsec] = substr(line, t + 1)
    }
}
{ text = text "\n" $0 }
$1 ~ /^[0-9]+$/ && NF >= 5 && $4 ~ /^[0-9]+\/[0-9]+$/ {
    got[$2] = $5; rows[++nrows] = $2
    r = $0; sub(/^ *[0-9]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ */, "", r); reason[$2] = r
}
/^Score: [0-9]+\/[0-9]+/ { split($2, a, "/"); score = a[1]; have_score = 1 }
END {
    if (NR == 0) { print "empty report"; exit }
    # Never acceptable, whatever the block.
    for (i = 1; i <= nsec; i++)
        if (index(text, sec[i]) > 0) { print "the report quotes " secsrc[i] " (a line of it is in the report)"; break }
    if (!have_score) print "no Score line in the report"
    lt = tolower(text)
    best = 0
    for (b = 1; b <= nb; b++) {
        nprob[b] = 0
        for (i = 1; i <= nrules[b]; i++) {
            r = order[b, i]
            if (!(r in got)) problem(b, r ": missing from the report")
            else if (!vmatch(want[b, r], got[r]))
                problem(b, r ": " got[r] " (expected " want[b, r] ")" (reason[r] != "" ? ": " short(reason[r]) : ""))
        }
        for (i = 1; i <= nrows && def[b] != ""; i++) {
            r = rows[i]
            if ((b, r) in want) continue
            if (!vmatch(def[b], got[r]))
                problem(b, r ": " got[r] " (expected " def[b] ")" (reason[r] != "" ? ": " short(reason[r]) : ""))
        }
        if (have_score && want_score[b] != "" && score + 0 != want_score[b] + 0)
            problem(b, "score " score " (expected " want_score[b] ")")
        if (have_score && score_max[b] != "" && score + 0 > score_max[b] + 0)
            problem(b, "score " score " (expected at most " score_max[b] ")")
        for (i = 1; i <= ngrep[b]; i++)
            if (index(lt, tolower(greps[b, i])) == 0)
                problem(b, "the report does not mention \"" greps[b, i] "\"")
        if (nprob[b] == 0) exit
        if (best == 0 || nprob[b] < nprob[best]) best = b
    }
    for (i = 1; i <= nprob[best]; i++)
        print (nb > 1 ? "[closest alternative " best "/" nb "] " : "") prob[best, i]
}
EOF

# Sets LEFT to the processes of the namespace other than this shell
# (zombies aside). Builtins only: a subshell would count itself.
list_left() {
    LEFT=""
    LEFT_PIDS=""
    for d in /proc/[0-9]*; do
        p=${d#/proc/}
        [ "$p" = "$$" ] && continue
        line=""
        { read -r line <"$d/stat"; } 2>/dev/null || continue
        rest=${line##*) }
        [ "${rest%% *}" = Z ] && continue
        comm=${line#*(}
        comm=${comm%)*}
        LEFT="$LEFT $p($comm)"
        LEFT_PIDS="$LEFT_PIDS $p"
    done
}

# The grader's files a submission must not change. Others may edit them
# while the corpus runs: a change counts as the submission's only if the
# file now holds a HOSTILE marker; otherwise it is a note.
guarded="$root/config.yaml $root/reference/memory_mapper.c $root/reference/memory_mapper.h"
tree_sums() {
    for f in $guarded; do
        sha256sum "$f" 2>&1
    done
}

# Files and processes a submission may have left outside its sandbox.
outside_markers="$root/HOSTILE-MARKER $root/tests/hostile/HOSTILE-MARKER /root/hostile-marker"

# World-writable places besides /tmp and /dev/shm, and TMPDIR, where the
# grader makes its scratch folders (private to the shard, but for a bare
# run).
watched=""
for d in /var/tmp /run/lock ${TMPDIR:-}; do
    case " /tmp /dev/shm $watched " in *" $d "*) continue ;; esac
    [ -d "$d" ] && watched="$watched $d"
done
snap_watched() { # $1: before or after
    for d in $watched; do
        ls -A "$d" >"$work/watched$(echo "$d" | tr / _).$1" 2>/dev/null
    done
}

# Copies the submission of corpus folder $1 to $work/sub/$1, the attack
# applied; prints why not and fails if it cannot.
prepare() {
    sub=$work/sub/$1
    mkdir -p "$work/sub"
    cp -RP "$here/$1" "$sub"
    rm -f "$sub/expected" "$sub/ATTACK" "$sub/DANGEROUS"
    # Most attacks are stored as a patch against the reference.
    if [ -f "$sub/attack.patch" ]; then
        cp "$root/reference/memory_mapper.c" "$sub/memory_mapper.c" &&
            patch -s -p1 -d "$sub" -i "$sub/attack.patch" || {
            echo "attack.patch does not apply to reference/memory_mapper.c"
            return 1
        }
        rm -f "$sub/attack.patch"
    fi
    # The attacks are written against /work/main: aim them at the checkout
    # under test, wherever it is (a CI clone).
    if [ -f "$sub/memory_mapper.c" ] && [ ! -L "$sub/memory_mapper.c" ] && [ "$root" != /work/main ]; then
        sed -i "s|/work/main|$root|g" "$sub/memory_mapper.c"
    fi
    if [ ! -e "$sub/memory_mapper.h" ] && [ ! -L "$sub/memory_mapper.h" ]; then
        cp "$tree/reference/memory_mapper.h" "$sub/memory_mapper.h"
    fi
}

# The value of directive $1 in the `expected` of folder $2 (its first).
directive() {
    awk -v d="$1" '$1 == d { sub(/^[ \t]*[^ \t]+[ \t]+/, ""); sub(/[ \t\r]+$/, ""); print; exit }' \
        "$here/$2/expected"
}

passed=0
failed=0
skipped=0
failed_names=""
start_all=$(date +%s)

[ $# -eq 0 ] && set -- '[0-9][0-9]-*'
names=""
for pattern in "$@"; do
    for d in "$here"/$pattern; do
        [ -d "$d" ] && [ -f "$d/expected" ] && names="$names $(basename "$d")"
    done
done
[ -n "$names" ] || { echo "run.sh: no submission matches $*" >&2; exit 2; }

# The slow ones first (they wait out limits, or write a lot), so that the
# shards end together.
slow=""
fast=""
for name in $names; do
    if [ -f "$here/$name/DANGEROUS" ] ||
        grep -q 'TIMEOUT\|^grep hung\|^time-max\|^report-max' "$here/$name/expected"; then
        slow="$slow $name"
    else
        fast="$fast $name"
    fi
done
names="$slow$fast"

[ "$shard" = 1/1 ] || shard_tag=" shard $shard,"
echo "hostile corpus:${shard_tag:-} $(echo $names | wc -w) submission(s)${shard_tag:+ (taken in turn by the shards)}, grader $tree --jobs $jobs, stage: $stage" \
    "(private /tmp and /dev/shm: $([ $isolated -eq 1 ] && echo yes || echo no))"

for name in $names; do
    # Another shard took it.
    if [ -n "$claims" ] && ! mkdir "$claims/$name" 2>/dev/null; then
        continue
    fi
    src=$here/$name
    batch=$(directive batch-with "$name")
    if [ -n "$batch" ] && [ ! -f "$here/$batch/expected" ]; then
        echo "FAIL  $name: batch-with $batch: no such folder in the corpus"
        failed=$((failed + 1))
        failed_names="$failed_names $name"
        continue
    fi
    danger=""
    for b in $name $batch; do
        [ -f "$here/$b/DANGEROUS" ] && [ -z "$danger" ] &&
            danger="${batch:+$b: }$(head -n 1 "$here/$b/DANGEROUS")"
    done
    if [ -n "$danger" ] && [ "$stage" = bare ]; then
        echo "SKIP  $name: needs a pid namespace ($danger)"
        skipped=$((skipped + 1))
        continue
    fi
    if ! why=$(prepare "$name") || ! why=$(for b in $batch; do prepare "$b" || exit 1; done); then
        echo "FAIL  $name: $why"
        failed=$((failed + 1))
        failed_names="$failed_names $name"
        rm -rf "$work/sub/$name" ${batch:+"$work/sub/$batch"}
        continue
    fi
    sub=$work/sub/$name
    subs="$sub${batch:+ $work/sub/$batch}"
    gjobs=$jobs
    [ -n "$batch" ] && [ "$gjobs" -lt 2 ] && gjobs=2
    tmax=$(directive time-max "$name")
    tmax=${tmax:-120}
    rmax=$(directive report-max "$name")
    json=$(awk '$1 == "json-grep" { print "yes"; exit }' "$src/expected")
    [ -n "$rmax" ] && json=yes
    report=$work/$name.report
    ls -A /dev/shm >"$work/shm.before"
    ls -A /tmp >"$work/tmp.before"
    snap_watched before
    tree_sums >"$work/sums.before"

    problems=""
    add() { problems="$problems${problems:+; }$*"; }
    note=""

    # One grading (text), and a second one in JSON when asked for.
    total=0
    for format in text ${json:+json}; do
        out=$report
        [ "$format" = json ] && out=$report.json
        t0=$(date +%s)
        # 9<&-: the shards' claims folder (above) stays out of the grader's reach.
        # In the background, waited for: a SIGTERM or SIGINT then ends the
        # shard at once (the shell runs its trap when `wait` is interrupted;
        # timeout(1) keeps the grader in a process group of its own, which
        # the signal sent to the shard's group does not reach, but pid 1's
        # exit ends the whole namespace).
        # shellcheck disable=SC2086 # $subs: paths without spaces (mktemp's, the corpus')
        (cd "$tree" && timeout -s KILL $((tmax + 60)) "$moulinette" --config "$tree/config.yaml" \
            --format $format --jobs "$gjobs" --output "$out" $subs >"$work/$name.stdout" 2>"$work/$name.stderr" 9<&-) &
        wait $!
        rc=$?
        t1=$(date +%s)
        secs=$((t1 - t0))
        total=$((total + secs))
        tag=""
        [ "$format" = json ] && tag="JSON grading: "
        if [ "$rc" -ne 0 ]; then
            err=$(head -n 1 "$work/$name.stderr" | cut -c1-120)
            if [ "$rc" -eq 137 ]; then
                add "${tag}the grader was killed (SIGKILL: hung past $((tmax + 60)) s, or killed by the submission)"
            else
                add "${tag}the grader exited with status $rc${err:+: $err}"
            fi
        fi
        [ "$secs" -gt "$tmax" ] && add "${tag}took $secs s (at most $tmax s)"
        outsize=$(wc -c <"$work/$name.stdout")
        [ "$outsize" -gt 0 ] && add "${tag}the grader printed $outsize bytes on stdout despite --output"
        if [ ! -s "$out" ]; then
            add "no ${format} report"
            continue
        fi
        size=$(wc -c <"$out")
        if [ "$size" -gt $((${rmax:-256} * 1024)) ]; then
            add "$format report of $size bytes (at most ${rmax:-256} KiB; student output leaking into it?)"
        fi
    done

    # Verdicts, score, report contents; in a batch, each submission's part
    # of the report against its own `expected`.
    if [ -s "$report" ]; then
        for b in $name $batch; do
            part=$report
            if [ -n "$batch" ]; then
                part=$report.$b
                awk -v me="memory_mapper moulinette: $work/sub/$b" \
                    '/^memory_mapper moulinette: / { mine = ($0 == me) } mine' "$report" >"$part"
                [ -s "$part" ] || { add "$b: not in the report"; continue; }
            fi
            while IFS= read -r m; do
                [ -n "$m" ] && add "${batch:+$b: }$m"
            done <<EOF
$(awk -v expf="$here/$b/expected" -v secrets="$secrets" -f "$work/check.awk" "$part")
EOF
        done
    fi
    if [ -n "$json" ] && [ -s "$report.json" ]; then
        # Our own validator (tests/e2e/json_check.c), on every machine.
        if [ -x "$json_check" ]; then
            err=$("$json_check" "$report.json" 2>&1) ||
                add "the JSON report is not valid JSON: $(printf '%s\n' "$err" | tail -n 1 | cut -c1-120)"
        else
            add "$json_check is missing (make $json_check): the JSON report cannot be checked"
        fi
        while IFS= read -r g; do
            [ -n "$g" ] && ! grep -qF -- "$g" "$report.json" && add "the JSON report does not contain \"$g\""
        done <<EOF
$(awk '$1 == "json-grep" { sub(/^[ \t]*json-grep[ \t]+/, ""); sub(/[ \t\r]+$/, ""); print }' "$src/expected")
EOF
    fi

    # A daemon: its marker keeps coming back.
    sleep 0.3
    if [ -e /tmp/hostile-daemon-marker ]; then
        rm -f /tmp/hostile-daemon-marker
        sleep 0.5
        [ -e /tmp/hostile-daemon-marker ] && add "a daemon still writes /tmp/hostile-daemon-marker"
    fi

    # Processes left in the namespace.
    if [ "$stage" != bare ]; then
        list_left
        if [ -n "$LEFT" ]; then
            n=$(echo $LEFT_PIDS | wc -w)
            add "$n process(es) left running:$(echo "$LEFT" | cut -c1-120)"
            for p in $LEFT_PIDS; do kill -9 "$p" 2>/dev/null; done
            sleep 0.3
            /bin/true # lets this shell reap the orphans it inherited
        fi
    fi

    # /dev/shm and /tmp.
    ls -A /dev/shm >"$work/shm.after"
    new_shm=$(comm -13 "$work/shm.before" "$work/shm.after" | tr '\n' ' ')
    if [ -n "$new_shm" ]; then
        add "left in /dev/shm: $(echo "$new_shm" | cut -c1-120)"
        for e in $new_shm; do
            case $e in
            hostile_* | mm_* | bxf*) rm -rf "/dev/shm/$e" ;;
            *) [ $isolated -eq 1 ] && rm -rf "/dev/shm/$e" ;;
            esac
        done
    fi
    ls -A /tmp >"$work/tmp.after"
    bad_tmp=""
    other_tmp=""
    for e in $(comm -13 "$work/tmp.before" "$work/tmp.after"); do
        case $e in
        moulinette-* | hostile-* | outside-marker) bad_tmp="$bad_tmp $e"; rm -rf "/tmp/$e" ;;
        *)
            other_tmp="$other_tmp $e"
            [ $isolated -eq 1 ] && rm -rf "/tmp/$e"
            ;;
        esac
    done
    [ -n "$bad_tmp" ] && add "left in /tmp:$(echo "$bad_tmp" | cut -c1-120)"

    # The machine's other world-writable places, and TMPDIR.
    snap_watched after
    for d in $watched; do
        list=$work/watched$(echo "$d" | tr / _)
        bad=""
        for e in $(comm -13 "$list.before" "$list.after"); do
            case $e in
            moulinette-* | hostile-* | mm_* | outside-marker) bad="$bad $e"; rm -rf "${d:?}/$e" ;;
            *) note="$note [note: new in $d: $e]" ;;
            esac
        done
        [ -n "$bad" ] && add "left in $d:$(echo "$bad" | cut -c1-120)"
    done

    # Outside the sandbox.
    for f in $outside_markers; do
        [ -e "$f" ] && { add "created $f"; rm -f "$f"; }
    done
    if grep -q '^# HOSTILE-WRITE-MARKER$' "$root/config.yaml" 2>/dev/null; then
        add "wrote into config.yaml (marker removed again)"
        sed -i '/^# HOSTILE-WRITE-MARKER$/d' "$root/config.yaml"
    fi
    tree_sums >"$work/sums.after"
    for f in $(diff "$work/sums.before" "$work/sums.after" | awk '/^>/ { print $3 }'); do
        if grep -q HOSTILE "$f" 2>/dev/null; then
            add "$f was changed (holds a HOSTILE marker)"
        else
            note="$note [note: $f changed meanwhile, without a HOSTILE marker: someone else's edit?]"
        fi
    done
    [ -n "$other_tmp" ] &&
        note="$note [note: other new /tmp entries: $(echo $other_tmp | wc -w), e.g.$(echo "$other_tmp" | cut -c1-60)]"
    if [ -z "$problems" ]; then
        echo "PASS  $name${batch:+ (with $batch)} (${total}s)$note"
        passed=$((passed + 1))
    else
        echo "FAIL  $name${batch:+ (with $batch)} (${total}s): $problems$note"
        failed=$((failed + 1))
        failed_names="$failed_names $name"
    fi
    if [ -n "$keep" ]; then
        cp "$report" "$keep/$name.report" 2>/dev/null
        [ -n "$json" ] && cp "$report.json" "$keep/$name.report.json" 2>/dev/null
        cp "$work/$name.stdout" "$keep/$name.stdout"
        cp "$work/$name.stderr" "$keep/$name.stderr"
    fi
    rm -rf "$report"* "$sub" ${batch:+"$work/sub/$batch"}
done

# Whole run: nothing may be left.
if [ "$stage" != bare ]; then
    sleep 0.3
    list_left
    if [ -n "$LEFT" ]; then
        echo "FAIL  (end of run): processes left:$LEFT"
        for p in $LEFT_PIDS; do kill -9 "$p" 2>/dev/null; done
        failed=$((failed + 1))
    fi
fi
[ -e /tmp/outside-marker ] && { echo "FAIL  (end of run): /tmp/outside-marker exists"; failed=$((failed + 1)); }

rm -rf "$work"
echo "hostile corpus:${shard_tag:-} $passed passed, $failed failed, $skipped skipped in $(($(date +%s) - start_all)) s"
[ -n "$failed_names" ] && echo "failed:$failed_names"
[ -n "$claims" ] && echo "$passed $failed $skipped$failed_names" >"$claims/result.${shard%/*}"

[ "$failed" -eq 0 ]
