#!/bin/sh
# End-to-end checks of the grader on known submissions. Run by `make test`
# after `make`; every check prints one line, and the script fails if any
# check fails. MOULINETTE=PATH grades with another build of the grader
# (`make check-asan`: build-asan/moulinette).
set -u
cd "$(dirname "$0")/../.." || exit 1
moulinette=${MOULINETTE:-build/moulinette}
# Every JSON report is validated, on every machine: `make e2e` builds the
# validator from our own C code (tests/e2e/json_check.c); a missing one is
# a failure, never a skipped check.
json_check=${JSON_CHECK:-build/json-check}
[ -x "$json_check" ] || { echo "FAIL  $json_check is missing: run 'make $json_check' (make e2e builds it)"; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/mm-e2e-XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT
failures=0

. tests/checks.sh

grade() { # grade NAME DIR [options]: text report in $out/NAME.txt, status in $out/NAME.rc
    name=$1
    dir=$2
    shift 2
    "$moulinette" "$@" "$dir" >"$out/$name.txt" 2>"$out/$name.err"
    echo $? >"$out/$name.rc"
}

score_is() { grep -qx "Score: $2" "$out/$1.txt" || { cat "$out/$1.txt" "$out/$1.err"; false; }; }
rc_is() { [ "$(cat "$out/$1.rc")" = "$2" ] || { cat "$out/$1.err"; false; }; }

# Every row line of a report: "  N  id  category  p/max  VERDICT  reason".
rows=$(grep -c '^  - id:' config.yaml)
rows_all() { # rows_all NAME VERDICT: every row (bonus included) has VERDICT
    [ "$(awk '$1 ~ /^[0-9]+$/ && $5 == "'"$2"'"' "$out/$1.txt" | wc -l)" -eq "$rows" ]
}
rows_explained() { # every row failed, with its reason on the next (indented) line
    [ "$(awk 'failed && /^       [^ ]/ { n++ } { failed = $1 ~ /^[0-9]+$/ && $5 != "OK" }
              END { print n + 0 }' "$out/$1.txt")" -eq "$rows" ]
}

grade reference reference
check "the reference scores 100/100" score_is reference 100/100
check "the reference passes every row, bonus included" rows_all reference OK
check "the reference earns the whole bonus" grep -qx "Bonus: 50/50" "$out/reference.txt"
check "grading exits 0" rc_is reference 0

grade starter student
check "the starter scores 0/100" score_is starter 0/100
check "the starter fails every row with a reason, bonus included" rows_explained starter
check "the starter earns no bonus" grep -qx "Bonus: 0/50" "$out/starter.txt"

if [ -d reference/variants/spec-4.3 ]; then
    grade spec reference/variants/spec-4.3
    check "the specification's own reference (4.3) scores 100/100" score_is spec 100/100
fi

# The specification's test main (section 4.2), unchanged, on our reference.
spec_main() {
    gcc -std=c17 -D_DEFAULT_SOURCE -Wall -Wextra -Ireference tests/spec/main.c \
        reference/memory_mapper.c -o "$out/spec-main" -lrt -pthread 2>"$out/spec-main.err" &&
        (cd "$out" && ./spec-main) >"$out/spec-main.txt" 2>&1 &&
        grep -q "All tests passed!" "$out/spec-main.txt"
}
check "the specification's test main passes on the reference" spec_main

grade nobonus reference --no-bonus
check "--no-bonus grades the ten rows only" test "$(grep -c '^ *[0-9][0-9]*  ' "$out/nobonus.txt")" -eq 10
check "... and prints no bonus line" sh -c "! grep -q '^Bonus' '$out/nobonus.txt'"

# JSON: one object, with the fields other tools read.
grade json reference --format json
json_ok() {
    for field in '"submission": ' '"score": 100' '"max_score": 100' '"compile": {"ok": true' \
        '"forbidden_functions": []' '"status": "pass"'; do
        grep -qF "$field" "$out/json.txt" || { echo "missing $field"; return 1; }
    done
    "$json_check" "$out/json.txt"
}
check "--format json reports the reference" json_ok

# --output writes the report into place, nothing on stdout.
grade output student --output "$out/report.txt"
check "--output writes the report file" grep -qx "Score: 0/100" "$out/report.txt"
check "--output leaves stdout empty" test ! -s "$out/output.txt"

# Bad input: usage and config errors exit 2 with a clear message.
grade nodir "$out/does-not-exist"
check "a missing folder is a usage error (exit 2)" rc_is nodir 2
printf 'compile:\n  cc: gcc\n  cc: clang\nrows: 3\n' >"$out/bad.yaml"
grade badconfig student --config "$out/bad.yaml"
check "a broken config exits 2" rc_is badconfig 2
check "config errors say file:line:column" grep -q "bad.yaml:3:3: duplicate key \"cc\"" "$out/badconfig.err"

# A submission without memory_mapper.c is graded 0 with the reason.
mkdir "$out/empty"
grade empty "$out/empty"
check "a folder without memory_mapper.c scores 0" score_is empty 0/100
check "... and says the file is missing" grep -q "memory_mapper.c is missing" "$out/empty.txt"

# A submission without a header is compiled with the subject's.
mkdir "$out/noheader" && cp reference/memory_mapper.c "$out/noheader/"
grade noheader "$out/noheader"
check "a submission without a header still scores 100/100" score_is noheader 100/100

# A missing function costs only the rows that need it.
mkdir "$out/partial" && cp reference/memory_mapper.h "$out/partial/"
awk '/^int protect_mapping\(/ {skip = 1} !skip {print} skip && /^}/ {skip = 0}' \
    reference/memory_mapper.c >"$out/partial/memory_mapper.c"
grade partial "$out/partial"
check "without protect_mapping, only protect_rdonly and error_handling are lost" score_is partial 85/100
check "... and the reason names the missing function" \
    grep -q "protect_mapping is not defined in your submission" "$out/partial.txt"

# Code that would run in the test runner before any test is refused.
mkdir "$out/ctor" && cp reference/memory_mapper.h reference/memory_mapper.c "$out/ctor/"
printf '%s\n' '__attribute__((constructor)) static void fake(void) { write(1, "Score: 100/100", 14); }' \
    >>"$out/ctor/memory_mapper.c"
grade ctor "$out/ctor"
check "a constructor is refused: score 0" score_is ctor 0/100
check "... with the reason" grep -q "refused: constructor in memory_mapper.o (.init_array)" "$out/ctor.txt"

# A submission's own strcmp does not replace the one the tests call.
mkdir "$out/interpose" && cp reference/memory_mapper.h reference/memory_mapper.c "$out/interpose/"
printf 'int strcmp(const char *a, const char *b);\nint strcmp(const char *a, const char *b) { (void)a; (void)b; return 0; }\n' \
    >>"$out/interpose/memory_mapper.c"
grade interpose "$out/interpose"
check "a global strcmp is made static and changes nothing" score_is interpose 100/100
check "... and the student is told" grep -q "made static.*strcmp" "$out/interpose.txt"

# A forbidden function costs the penalty.
mkdir "$out/malloc" && cp reference/memory_mapper.h reference/memory_mapper.c "$out/malloc/"
printf '#include <stdlib.h>\nvoid *mm_extra(void);\nvoid *mm_extra(void) { return malloc(1); }\n' \
    >>"$out/malloc/memory_mapper.c"
grade malloc "$out/malloc"
check "calling malloc costs 10 points" score_is malloc 90/100
check "... and is named" grep -q "Forbidden function: malloc" "$out/malloc.txt"

# Several submissions at once, in argument order.
"$moulinette" --jobs 2 --format json reference student >"$out/multi.txt" 2>&1
multi_ok() {
    head -c 1 "$out/multi.txt" | grep -q '\[' &&
        [ "$(grep -o '"submission": "[a-z]*"' "$out/multi.txt" | tr '\n' ' ')" = '"submission": "reference" "submission": "student" ' ]
}
check "several submissions give a JSON array in argument order" multi_ok

# Debugging one row: --row, --test, --verbose, and the rerun line.
mkdir "$out/noclose" && cp reference/memory_mapper.h reference/memory_mapper.c "$out/noclose/"
patch -s -p1 -d "$out/noclose" <"$(ls reference/mutants/*-unmap-no-close.patch)"
grade onerow "$out/noclose" --row unmap_cleanup
check "--row grades that row only" [ "$(grep -c '^ *[0-9][0-9]*  ' "$out/onerow.txt")" -eq 1 ]
check "... and the score says it is partial" \
    grep -q "^Score: 0/5 (partial: only the rows or tests asked for; the whole table is worth 100)" "$out/onerow.txt"
check "... the reason is on its own line, with no scratch folder or address" \
    sh -c "grep -A1 '^  1  unmap_cleanup' '$out/onerow.txt' | tail -1 | grep -q '^       unmap_cleanup/' &&
           ! grep -q 'mm-test-\|0x[0-9a-f]\{8\}' '$out/onerow.txt'"
check "... and ends with the command that reruns that test alone" \
    grep -q "rerun it alone: $moulinette --test unmap_cleanup/[a-z_]* --verbose" "$out/onerow.txt"
rerun=$(sed -n 's/^ *rerun it alone: //p' "$out/onerow.txt" | head -1)
rerun_tail=$(awk '/rerun it alone:/ { getline nxt; if (nxt ~ /^       [^ ]/ && nxt !~ /^       [a-z_]+\//) print nxt }' "$out/onerow.txt" | sed 's/^ *//')
$rerun $rerun_tail >"$out/rerun.txt" 2>&1
check "the rerun command grades that one test, with its details" \
    sh -c "grep -q '^Score: 0/5 (partial' '$out/rerun.txt' && grep -q '^       KO      unmap_cleanup/' '$out/rerun.txt' &&
           [ \$(grep -c '^       \(OK\|KO\) ' '$out/rerun.txt') -eq 1 ]"
# A test that can never finish (every process asleep for good: a lost
# ring wake-up here) is stopped as hung, not at its timeout (tests/stall.h).
mkdir "$out/stall" && cp reference/memory_mapper.h reference/memory_mapper.c "$out/stall/"
patch -s -p1 -d "$out/stall" <reference/mutants/ring/02-ring-cursors-private.patch
grade stall "$out/stall" --test ring_blocking/writer_woken_by_reader --verbose
check "a test whose processes all sleep for good is stopped as hung, long before its timeout" \
    sh -c "grep -q '^       TIMEOUT ring_blocking/writer_woken_by_reader ([0-3]\.[0-9]* s)' '$out/stall.txt' &&
           grep -q 'hung (stopped after [0-3]\.[0-9] s, before its 5\.0 s timeout)' '$out/stall.txt' &&
           tr '\n' ' ' <'$out/stall.txt' | sed 's/  */ /g' | grep -q 'waiting on a futex'"
grade verbose reference --test map_file_read/small_file --test error_handling/missing_path --verbose
check "--verbose shows each test's verdict and time, and its last step" \
    sh -c "grep -q '^       OK      map_file_read/small_file ([0-9.]* s)' '$out/verbose.txt' &&
           grep -q '^             last step: ' '$out/verbose.txt'"
check "--test on a test that does not exist is a usage error" \
    sh -c "'$moulinette' --test map_file_read/nope reference >/dev/null 2>'$out/nope.err'; [ \$? -eq 2 ] &&
           grep -q 'no test \"map_file_read/nope\"' '$out/nope.err'"
check "make grade ROW=... passes the row" \
    sh -c "make -s grade STUDENT=reference ROW=protect_rdonly 2>&1 | grep -q '^Score: 5/5 (partial'"
"$moulinette" --format json --row map_file_read reference/variants/debug-prints >"$out/own.json" 2>&1
own_output() {
    "$json_check" "$out/own.json" >/dev/null &&
        [ "$(grep -o '"output": "\[memory_mapper\] map_file' "$out/own.json" | wc -l)" -ge 1 ] &&
        grep -q '"seconds": 0\.0' "$out/own.json"
}
check "JSON: each test has its own output and time" own_output

# A CRASH says where: the faulting address and the submission's frames.
mkdir "$out/crash" && cp reference/memory_mapper.h reference/memory_mapper.c "$out/crash/"
awk '/^t_mapping \*map_anonymous\(size_t size, int shared\)$/ {
         print "static void crash_here(size_t n)\n{\n    volatile int *bad = (int *)16;\n\n    if (n)\n        *bad = 1;\n}\n"
         print; getline; print; print "    crash_here(size);"; next } { print }' \
    reference/memory_mapper.c >"$out/crash/memory_mapper.c"
grade crash "$out/crash" --row map_anon_private
check "a CRASH names the faulting address and the submission's frames, with their lines" \
    sh -c "tr '\n' ' ' <'$out/crash.txt' | sed 's/  */ /g' |
           grep -q 'crashed with SIGSEGV (Segmentation fault) during: calling map_anonymous([0-9]*, 0), accessing 0x10, in crash_here (memory_mapper.c:[0-9]*), called from map_anonymous (memory_mapper.c:[0-9]*)'"

# A class split across graders (--shard I/N) and merged back, and what makes
# a verdict reproducible.
batch="reference student $out/noclose"
for i in 1 2; do
    "$moulinette" --no-bonus --format json --shard $i/2 --output "$out/shard$i.json" $batch 2>/dev/null
done
"$moulinette" --no-bonus --format json --output "$out/whole.json" $batch 2>/dev/null
"$moulinette" merge --format csv "$out/shard1.json" "$out/shard2.json" >"$out/merged.csv" 2>&1
scores_of() { grep -o '"submission": "[^"]*", "score": [0-9]*' "$1" | sort; }
check "--shard 1/2 and 2/2 share the batch out without overlap" \
    sh -c "[ \$(grep -c '\"submission\": ' '$out/shard1.json') -eq 2 ] && [ \$(grep -c '\"submission\": ' '$out/shard2.json') -eq 1 ]"
"$moulinette" merge --format json "$out/shard1.json" "$out/shard2.json" >"$out/merged.json" 2>&1
check "merge gives the scores of the whole batch graded at once" \
    sh -c "[ \"\$(grep -o '\"submission\": \"[^\"]*\", \"score\": [0-9]*' '$out/merged.json' | sort)\" = \"\$(grep -o '\"submission\": \"[^\"]*\", \"score\": [0-9]*' '$out/whole.json' | sort)\" ]"
check "... in any format (csv: a header and one line per submission)" \
    sh -c "[ \$(wc -l <'$out/merged.csv') -eq 4 ] && grep -q '^student,0,100,' '$out/merged.csv'"
"$moulinette" merge --format json "$out/shard1.json" >"$out/again.json" 2>&1
check "merge of one JSON report gives it back byte for byte" cmp -s "$out/shard1.json" "$out/again.json"
# Shards slice submissions, not arguments: a folder of submissions is one
# argument; and the roster's fields survive a merge.
mkdir -p "$out/class/ann" "$out/class/bob" "$out/class/cat"
cp reference/memory_mapper.c reference/memory_mapper.h "$out/class/ann/"
cp student/memory_mapper.c student/memory_mapper.h "$out/class/bob/"
cp "$out/noclose/memory_mapper.c" "$out/noclose/memory_mapper.h" "$out/class/cat/"
printf 'submission,student_id,student_name\nann,1001,"Ann, A."\nbob,1002,Bob\ncat,1003,Cat\n' >"$out/roster.csv"
for i in 1 2; do
    "$moulinette" --no-bonus --row protect_rdonly --format json --roster "$out/roster.csv" --shard $i/2 \
        --output "$out/class$i.json" "$out/class" 2>/dev/null
done
check "--shard slices the submissions of a folder of submissions" \
    sh -c "[ \$(grep -c '\"submission\": ' '$out/class1.json') -eq 2 ] && [ \$(grep -c '\"submission\": ' '$out/class2.json') -eq 1 ]"
"$moulinette" merge --format json "$out/class1.json" >"$out/class1again.json" 2>&1
check "... and merge keeps the roster's student id and name" \
    sh -c "cmp -s '$out/class1.json' '$out/class1again.json' && grep -q '\"student_name\": \"Ann, A.\"' '$out/class1again.json'"
"$moulinette" merge "$out/shard1.json" "$out/shard1.json" >/dev/null 2>"$out/twice.err"
check "merge refuses a submission graded twice, unless --force" \
    sh -c "grep -q 'is graded in two reports' '$out/twice.err' &&
           '$moulinette' merge --force '$out/shard1.json' '$out/shard1.json' >/dev/null 2>&1"
other=".e2e-other-$$.yaml"
sed 's/^  penalty: 10$/  penalty: 11/' config.yaml >"$other"
"$moulinette" merge --config "$other" "$out/shard1.json" >/dev/null 2>"$out/other.err"
rc_other=$?
rm -f "$other"
check "merge refuses reports made with another config.yaml" \
    sh -c "[ $rc_other -eq 1 ] && grep -q 'graded with another config.yaml' '$out/other.err'"
"$moulinette" merge "$out/missing.json" >/dev/null 2>"$out/missing.err"
check "merge of a report that is not there says so" grep -q 'cannot read' "$out/missing.err"
provenance_ok() {
    grep -q '"submission_sha256": "[0-9a-f]\{64\}"' "$out/whole.json" &&
        grep -q '"config_sha256": "'"$(sha256sum config.yaml | cut -d' ' -f1)"'"' "$out/whole.json" &&
        grep -q '"grader_version": "[^"]' "$out/whole.json" && grep -q '"compiler": "gcc' "$out/whole.json" &&
        grep -q '"kernel": "Linux ' "$out/whole.json" && grep -q '"date": "20[0-9-]*T[0-9:]*Z"' "$out/whole.json" &&
        grep -q '"sandbox": "' "$out/whole.json"
}
check "every JSON report says how it was graded (version, hashes, compiler, kernel, sandbox, date)" provenance_ok
provenance_everywhere() { # every format with room for it carries the config's hash
    sum=$(sha256sum config.yaml | cut -d' ' -f1)
    for f in junit tap gradescope html; do
        "$moulinette" --no-bonus --row protect_rdonly --format $f reference 2>/dev/null | grep -q "$sum" ||
            { echo "      no config_sha256 in the $f report"; return 1; }
    done
    "$moulinette" --no-bonus --row protect_rdonly --verbose reference 2>/dev/null | grep -q "^graded with: .*config_sha256=$sum"
}
check "... and so does every format with room for it (junit, tap, gradescope, html, text with --verbose)" provenance_everywhere
hash_of() { # hash_of REPORT SUBMISSION: its submission_sha256
    grep -A2 "\"submission\": \"$2\"" "$1" | sed -n 's/.*"submission_sha256": "\([0-9a-f]\{64\}\)".*/\1/p'
}
same_hash() { # the same files give the same hash, one changed byte another
    ref=$(hash_of "$out/whole.json" reference)
    [ -n "$ref" ] && [ "$ref" = "$(hash_of "$out/shard1.json" reference)" ] &&
        [ -n "$(hash_of "$out/whole.json" "$out/noclose")" ] && [ "$ref" != "$(hash_of "$out/whole.json" "$out/noclose")" ]
}
check "... and hashes the submission's files (same files, same hash)" same_hash

# Code that does not compile: the compiler's message once, then one line
# per row; the JSON gives its rows and its tests the same status and reason.
mkdir "$out/nocompile" && printf '#include "memory_mapper.h"\nint broken(void) { return }\n' >"$out/nocompile/memory_mapper.c"
grade nocompile "$out/nocompile" --no-bonus
"$moulinette" --no-bonus --format json "$out/nocompile" >"$out/nocompile.json" 2>/dev/null
check "a compile failure: the compiler's message, then each row KO with nothing more" \
    sh -c "grep -q 'compilation failed' '$out/nocompile.txt' && grep -q 'No row was graded' '$out/nocompile.txt' &&
           grep -q '^    \\$ gcc .*-c .*memory_mapper.c' '$out/nocompile.txt' &&
           [ \$(sed -n '/^  #  row/,\$p' '$out/nocompile.txt' | grep -c '^       ') -eq 0 ] &&
           grep -q '^Score: 0/100' '$out/nocompile.txt'"
check "... and in JSON every row and every test has the same status and reason" \
    sh -c "[ \$(grep -o '\"status\": \"[a-z]*\", \"message\": \"[^\"]*\"' '$out/nocompile.json' | sort -u | wc -l) -eq 1 ] &&
           grep -q '\"status\": \"fail\", \"message\": \"not graded: ' '$out/nocompile.json'"

# A batch shows one live progress line on a terminal's stderr, and nothing
# elsewhere. (`script` gives the grader a terminal; bsdutils, essential.)
"$moulinette" --no-bonus --row protect_rdonly reference student >/dev/null 2>"$out/progress.err"
check "no progress line when stderr is not a terminal" sh -c "! grep -q 'grading:' '$out/progress.err'"
script -qec "'$moulinette' --no-bonus --row protect_rdonly reference student >/dev/null" /dev/null \
    >"$out/progress.tty" 2>&1
check "a live progress line on a terminal (done/total, elapsed, time left)" \
    sh -c "grep -q 'grading: 2/2 done, 0:[0-9][0-9] elapsed' '$out/progress.tty' &&
           grep -q 'grading: 1/2 done, .*about [0-9]*:[0-9][0-9] left' '$out/progress.tty'"

# A student's grader (not root) says nothing of the cgroups it cannot have,
# unless asked with --verbose.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
    mkdir -p "$out/user" && cp -r student "$out/user/" && chmod -R a+rX "$out"
    check "a user's grade is quiet about cgroups, and says it with --verbose" \
        sh -c "! { $(command -v setpriv) --reuid=65534 --regid=65534 --clear-groups '$moulinette' --no-bonus --row protect_rdonly '$out/user/student' 2>&1 >/dev/null | grep -q 'cgroups are for root'; } &&
               $(command -v setpriv) --reuid=65534 --regid=65534 --clear-groups '$moulinette' -v --no-bonus --row protect_rdonly '$out/user/student' 2>&1 >/dev/null | grep -q 'cgroups are for root'"
fi

# --valgrind: the submission's code under memcheck, its reports in the
# test's output (valgrind is on every Debian machine we build on; a missing
# one is a failure here, with the command to install it).
mkdir "$out/uninit" && cp reference/memory_mapper.h "$out/uninit/"
awk '/^t_mapping \*map_anonymous\(size_t size, int shared\)$/ {
         print "static int uninit_flag(void)\n{\n    int v[2];\n    int *volatile p = v;\n\n    if (p[1] > 3)\n        return 1;\n    return 0;\n}\n"
         print; getline; print; print "    if (uninit_flag())\n        size += 0;"; next } { print }' \
    reference/memory_mapper.c >"$out/uninit/memory_mapper.c"
if command -v valgrind >/dev/null 2>&1; then
    grade uninit "$out/uninit" --valgrind --verbose --test map_anon_private/zeroed_and_writable
    check "--valgrind: memcheck's report, with the submission's function and line, in the test's output" \
        sh -c "grep -q '| ==[0-9]*== Conditional jump or move depends on uninitialised value' '$out/uninit.txt' &&
               grep -q '| ==[0-9]*==    at 0x[0-9A-F]*: uninit_flag (memory_mapper.c:[0-9]*)' '$out/uninit.txt' &&
               grep -q '^Score: 10/10 (partial' '$out/uninit.txt'"
else
    check "--valgrind needs valgrind: apt-get install -y valgrind" false
fi
PATH=/nonexistent "$moulinette" --valgrind reference >/dev/null 2>"$out/novalgrind.err"
check "--valgrind without valgrind says how to install it (exit 2)" \
    sh -c "[ $? -eq 2 ] && grep -q 'apt-get install -y valgrind' '$out/novalgrind.err'"

# SIGBUS, the signal of a region bigger than its object, says so.
mkdir "$out/noftruncate" && cp reference/memory_mapper.h reference/memory_mapper.c "$out/noftruncate/"
patch -s -p1 -d "$out/noftruncate" <"$(ls reference/mutants/*-create-no-ftruncate.patch)"
grade noftruncate "$out/noftruncate" --test ring_fifo/many_laps
check "a SIGBUS crash says what it means (ftruncate)" \
    sh -c "tr '\n' ' ' <'$out/noftruncate.txt' | sed 's/  */ /g' | grep -q 'crashed with SIGBUS (Bus error: an access past the end of .* ftruncate.d to the mapping.s size?)'"

# Hidden rows and tests: graded, and kept from a report published to students.
hidden=".e2e-hidden-$$.yaml"
trap 'rm -rf "$out" "$hidden"' EXIT
sed -e '/^  - id: error_handling$/a\    visibility: hidden' \
    -e '/^  - id: unmap_cleanup$/a\    hidden_tests: [unmap_cleanup/file_mappings]' config.yaml >"$hidden"
grade hidden_all "$out/noclose" --config "$hidden" --no-bonus
grade hidden_pub "$out/noclose" --config "$hidden" --no-bonus --for-students
check "a hidden test still counts for the instructor" \
    sh -c "grep -q '^Score: 95/100' '$out/hidden_all.txt' && grep -q 'unmap_cleanup/file_mappings: ' '$out/hidden_all.txt'"
check "--for-students keeps the points and hides the hidden test's reason" \
    sh -c "grep -q '^Score: 95/100' '$out/hidden_pub.txt' && grep -q 'graded by a hidden test' '$out/hidden_pub.txt' &&
           ! grep -q 'file_mappings' '$out/hidden_pub.txt'"
"$moulinette" --config "$hidden" --no-bonus --for-students --format json "$out/noclose" >"$out/hidden.json" 2>&1
check "the JSON report carries each row's and test's visibility" \
    sh -c "grep -q '\"id\": \"error_handling\".*\"visibility\": \"hidden\"' '$out/hidden.json' &&
           grep -q '\"test\": \"unmap_cleanup/file_mappings\", \"visibility\": \"hidden\", \"status\": \"fail\", \"message\": \"graded by a hidden test' '$out/hidden.json'"

echo
if [ "$failures" -ne 0 ]; then
    echo "$failures end-to-end check(s) failed"
    exit 1
fi
echo "all end-to-end checks passed"
