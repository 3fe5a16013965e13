#!/bin/sh
# Submissions as they arrive (make intake, part of make test): every input
# form graders/intake.h reads, and every refusal, graded in one batch:
#   forms     a folder; a folder with the files below it (an LMS export's
#             "Jane Doe_12345_assignsubmission_file_/work/"); a .zip, .tar,
#             .tar.gz (made by tar itself) and .tgz; a folder of submissions
#             (archives, folders, a Moodle folder holding a student's zip);
#   refused   members with an absolute path or "..", a symlink, a hard
#             link, a FIFO, a device, two memory_mapper.c, none, a bomb in
#             bytes and one in members (config.yaml's limits), a corrupt
#             archive, a text file named .zip, a path longer than PATH_MAX.
# The good ones score as expected (reference 100, starter 0), each refused
# one scores 0 with its reason as compile log, every entry is named as the
# instructor knows it, --roster gives ids and names, and nothing is left in
# the grader's TMPDIR, also after a roster error and after SIGTERM. The
# archives are written by tests/intake/mkarchive.c (libarchive's writer):
# no zip or python3 needed. JSON read with awk, validated by json-check.
# MOULINETTE=PATH grades with another build of the grader.
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
moulinette=${MOULINETTE:-build/moulinette}
case $moulinette in /*) ;; *) moulinette=$root/$moulinette ;; esac
mkarchive=$root/build/mkarchive
json_check=$root/build/json-check
for tool in "$mkarchive" "$json_check"; do
    [ -x "$tool" ] || { echo "FAIL  $tool is missing: run make intake"; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-intake-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
failures=0

. tests/checks.sh

# ---- the inputs ---------------------------------------------------------------
in=$work/in
mkdir -p "$in" "$work/tmp"
ref=$root/reference
starter=$root/student
mb=$(sed -n 's/^  archive_mb: *\([0-9]*\).*/\1/p' config.yaml)
members=$(sed -n 's/^  archive_members: *\([0-9]*\).*/\1/p' config.yaml)
src="f:memory_mapper.c=$ref/memory_mapper.c"
hdr="f:memory_mapper.h=$ref/memory_mapper.h"

mkdir "$in/folder" && cp "$ref"/memory_mapper.[ch] "$in/folder/"
lms="$in/lms/Jane Doe_12345_assignsubmission_file_/work"
mkdir -p "$lms" && cp "$ref"/memory_mapper.[ch] "$lms/" && echo notes >"$in/lms/Jane Doe_12345_assignsubmission_file_/README.txt"
"$mkarchive" "$in/ref.zip" zip "$src" "$hdr"
"$mkarchive" "$in/nested.tar" tar d:work "f:work/memory_mapper.c=$ref/memory_mapper.c" \
    "f:work/memory_mapper.h=$ref/memory_mapper.h" f:__MACOSX/._memory_mapper.c=/dev/null
(cd "$ref" && tar czf "$in/ref.tar.gz" memory_mapper.c memory_mapper.h)
"$mkarchive" "$in/starter.tgz" tgz "f:memory_mapper.c=$starter/memory_mapper.c" \
    "f:memory_mapper.h=$starter/memory_mapper.h"
class=$in/class
mkdir -p "$class/bob" "$class/Carol Roe_777_assignsubmission_file_" "$class/.hidden"
cp "$starter"/memory_mapper.[ch] "$class/bob/"
"$mkarchive" "$class/alice.zip" zip "$src" "$hdr"
"$mkarchive" "$class/Carol Roe_777_assignsubmission_file_/carol.zip" zip "$src" "$hdr"
echo "index" >"$class/index.html"

"$mkarchive" "$in/absolute.tar" tar "$src" f:/tmp/mm-intake-escape=/dev/null
"$mkarchive" "$in/dotdot.zip" zip "$src" f:../../mm-intake-escape=/dev/null
"$mkarchive" "$in/symlink.tar" tar "$src" l:memory_mapper.h=/etc/passwd
"$mkarchive" "$in/hardlink.tar" tar "$src" h:memory_mapper.h=/etc/passwd
"$mkarchive" "$in/fifo.tar" tar "$src" p:pipe
"$mkarchive" "$in/device.tar" tar "$src" c:null
"$mkarchive" "$in/two.zip" zip "f:a/memory_mapper.c=$ref/memory_mapper.c" "f:b/memory_mapper.c=$ref/memory_mapper.c"
"$mkarchive" "$in/none.zip" zip "f:readme.txt=$ref/memory_mapper.h"
"$mkarchive" "$in/bomb.zip" zip "$src" "z:zeros=$(((mb + 1) * 1048576))"
"$mkarchive" "$in/members.tar" tar "$src" "n:$members"
head -c 600 "$in/ref.zip" >"$in/corrupt.zip"
echo "not an archive" >"$in/text.zip"
long=$(printf '%0200d' 0 | tr 0 d)
deep=$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long
"$mkarchive" "$in/longpath.tar" tar "$src" "f:$deep/x=/dev/null"

printf '%s\r\n' 'submission,student_id,student_name' 'ref,1001,"Doe, Jane"' \
    'Carol Roe_777_assignsubmission_file_,1002,"Carol ""CR"" Roe"' 'alice.zip,1003,Alice' >"$work/roster.csv"

# ---- one batch ----------------------------------------------------------------
cd "$in" || exit 1
set -- folder lms ref.zip nested.tar ref.tar.gz starter.tgz class/ \
    absolute.tar dotdot.zip symlink.tar hardlink.tar fifo.tar device.tar two.zip none.zip \
    bomb.zip members.tar corrupt.zip text.zip longpath.tar
TMPDIR=$work/tmp "$moulinette" --no-bonus --jobs 2 --format json --roster "$work/roster.csv" "$@" \
    >"$work/report.json" 2>"$work/err.txt"
rc=$?
cd "$root" || exit 1
check "the batch is graded (exit 0)" [ "$rc" = 0 ]
check "the report is valid JSON" "$json_check" "$work/report.json"

# field NAME KEY: the value of KEY in NAME's entry (first line holds
# submission, student and score; compile's log is on a later line).
field() {
    awk -v name="{\"submission\": \"$1\"," -v key="\"$2\": " '
        index($0, name) == 1 { on = 1 }
        on && index($0, key) { s = substr($0, index($0, key) + length(key)); print s; exit }' \
        "$work/report.json" | sed 's/^\("\([^"\\]\|\\.\)*"\|[^,}]*\).*/\1/'
}
score_is() { [ "$(field "$1" score)" = "$2" ] || { echo "      $1: score $(field "$1" score), log $(field "$1" log)"; false; }; }
refused_with() { # refused_with NAME TEXT
    log=$(field "$1" log)
    score_is "$1" 0 && case $log in *"refused: "*"$2"*) true ;; *) echo "      $1: $log"; false ;; esac
}

check "a folder: the reference scores 100" score_is folder 100
check "an LMS export's nested folder scores 100" score_is lms 100
check "a .zip scores 100" score_is ref.zip 100
check "a .tar with the files in a folder scores 100 (__MACOSX/._* ignored)" score_is nested.tar 100
check "a .tar.gz made by tar scores 100" score_is ref.tar.gz 100
check "a .tgz of the starter scores 0 and compiles" \
    sh -c '[ "$1" = 0 ] && [ "$2" = true ]' - "$(field starter.tgz score)" "$(field starter.tgz ok)"
check "a folder of submissions: an archive entry" score_is class/alice.zip 100
check "a folder of submissions: a folder entry" score_is class/bob 0
check "a folder of submissions: a Moodle folder holding a zip" \
    score_is "class/Carol Roe_777_assignsubmission_file_" 100
check "a folder of submissions: dot entries and other files are no submissions" \
    sh -c '! grep -q "class/.hidden\|class/index.html\"" "$1" && grep -q "index.html: skipped" "$2"' - \
    "$work/report.json" "$work/err.txt"
check "every argument and entry has its entry, in order" \
    [ "$(grep -c '^ *{"submission": ' "$work/report.json")" = 22 ]

check "refused: an absolute member path" refused_with absolute.tar "absolute path"
check "refused: a member path with .." refused_with dotdot.zip "climbs out with .."
check "refused: a symbolic link" refused_with symlink.tar "a link (\\\"memory_mapper.h\\\")"
check "refused: a hard link" refused_with hardlink.tar "a link"
check "refused: a FIFO" refused_with fifo.tar "device, FIFO or socket"
check "refused: a device" refused_with device.tar "device, FIFO or socket"
check "refused: two memory_mapper.c" refused_with two.zip "more than one memory_mapper.c"
check "refused: no memory_mapper.c" refused_with none.zip "memory_mapper.c is missing"
check "refused: a bomb of $((mb + 1)) MB (archive_mb $mb)" refused_with bomb.zip "more than $mb MB"
check "refused: $((members + 1)) members (archive_members $members)" \
    refused_with members.tar "more than $members members"
check "refused: a corrupt archive" refused_with corrupt.zip "cannot be read"
check "refused: a text file named .zip" refused_with text.zip "cannot be read"
check "refused: a path longer than PATH_MAX" refused_with longpath.tar "longer than PATH_MAX"
check "a refused submission's rows say so" \
    grep -q '"message": "not graded: the submission was refused"' "$work/report.json"
check "each refusal is also on stderr" [ "$(grep -c ': refused: ' "$work/err.txt")" = 13 ]
check "nothing was written outside the archives' folders" \
    sh -c '! ls /tmp/mm-intake-escape "$1/mm-intake-escape" "$1/../mm-intake-escape" 2>/dev/null' - "$work"

check "roster: the key without the archive extension (ref -> ref.zip)" \
    sh -c '[ "$1" = "\"1001\"" ] && [ "$2" = "\"Doe, Jane\"" ]' - "$(field ref.zip student_id)" \
    "$(field ref.zip student_name)"
check "roster: an LMS folder's name, a quoted name with quotes" \
    [ "$(field "class/Carol Roe_777_assignsubmission_file_" student_name)" = '"Carol \"CR\" Roe"' ]
check "roster: an entry of a folder of submissions by its own name" [ "$(field class/alice.zip student_id)" = '"1003"' ]
check "roster: an unknown submission is graded, with a warning" \
    sh -c '[ "$1" = null ] && grep -q "class/bob: not in the roster" "$2"' - "$(field class/bob student_id)" \
    "$work/err.txt"
check "nothing is left in the grader's TMPDIR" [ -z "$(ls -A "$work/tmp")" ]

# ---- errors and interruptions leave nothing either ---------------------------------
printf 'name,id\n' >"$work/bad.csv"
TMPDIR=$work/tmp "$moulinette" --roster "$work/bad.csv" "$in/ref.zip" >/dev/null 2>"$work/bad.err"
check "a roster with the wrong header is a usage error (exit 2), nothing left" \
    sh -c '[ "$1" = 2 ] && grep -q "bad.csv:1: the header must be submission,student_id,student_name" "$2" &&
           [ -z "$(ls -A "$3")" ]' - $? "$work/bad.err" "$work/tmp"
printf 'submission,student_id,student_name\n"ref,1,x\n' >"$work/open.csv"
TMPDIR=$work/tmp "$moulinette" --roster "$work/open.csv" "$in/ref.zip" >/dev/null 2>"$work/open.err"
check "a roster with an unclosed quote says where" \
    sh -c '[ "$1" = 2 ] && grep -q "open.csv:2: a quoted field is never closed" "$2"' - $? "$work/open.err"
TMPDIR=$work/tmp "$moulinette" "$in/ref.zip" "$class" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -TERM "$pid" 2>/dev/null
wait "$pid"
check "SIGTERM in the middle of a batch leaves nothing in TMPDIR" [ -z "$(ls -A "$work/tmp")" ]
"$moulinette" "$in/README.zip" >/dev/null 2>"$work/missing.err"
check "a missing archive is a usage error (exit 2)" [ $? = 2 ]
"$moulinette" "$work/roster.csv" >/dev/null 2>"$work/notarchive.err"
check "a file that is no archive is a usage error (exit 2)" \
    sh -c '[ "$1" = 2 ] && grep -q "not a folder or an archive" "$2"' - $? "$work/notarchive.err"

if [ "$failures" -gt 0 ]; then
    echo "intake: $failures check(s) failed; the batch's stderr:"
    cat "$work/err.txt"
    exit 1
fi
echo "intake: all checks passed"
