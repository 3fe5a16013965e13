#!/bin/sh
# The report formats read back by their real consumers (make formats, part
# of make test): one batch of submissions (the reference, the starter, a
# mutant, one that prints hostile bytes, under names with commas, quotes,
# a newline and a formula) graded with a config that has an after_due_date
# row, a hidden row and a hidden test, into each format:
#   json        the reference every other format is compared with
#   csv         Python's csv module
#   junit       xmllint --schema tests/formats/junit.xsd, then Python's
#               ElementTree (counts, properties, hostile output given back)
#   tap         prove, then Perl's TAP::Parser (each point's YAML)
#   gradescope  Python's json, field by field
# Every check prints one line; the script fails if any check fails.
# MOULINETTE=PATH grades with another build of the grader.
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
moulinette=${MOULINETTE:-build/moulinette}
case $moulinette in /*) ;; *) moulinette=$root/$moulinette ;; esac

# ---- the consumers: installed as root, asked for otherwise, never skipped ----
need_tools() {
    missing=""
    command -v python3 >/dev/null 2>&1 || missing="$missing python3"
    command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
    { command -v prove >/dev/null 2>&1 && perl -MTAP::Parser -MJSON::PP -e 1 2>/dev/null; } ||
        missing="$missing perl"
    # shellcheck disable=SC2086 # $missing: one word per package
    [ -z "$missing" ] || install_or_ask formats "the report formats' consumers are missing" $missing
}
. tests/checks.sh
need_tools

[ -x "$moulinette" ] || { echo "FAIL  $moulinette is missing: run make"; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/mm-formats-XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT
failures=0

# ---- the batch ---------------------------------------------------------------------
# The names are the instructor's (folder names); the last one's output is
# the submission's: control bytes, a terminal escape, "]]>", a C1 control,
# bytes that are not UTF-8, U+FFFE (not an XML character), CR LF, a NUL.
subs=$out/subs
mkdir -p "$subs"
ref_name='reference, the "model"'
starter_name='starter
second line'
mutant_name='=1+1 mutant'
hostile_name='hostile <x> & ]]>'
cp -r reference "$subs/$ref_name" && rm -rf "$subs/$ref_name/mutants" "$subs/$ref_name/variants"
cp -r student "$subs/$starter_name"
cp -r "$subs/$ref_name" "$subs/$mutant_name"
patch -s -p1 -d "$subs/$mutant_name" <reference/mutants/06-map-file-writable-map-private.patch ||
    { echo "FAIL  cannot apply the mutant"; exit 1; }
cp -r "$subs/$ref_name" "$subs/$hostile_name"
python3 - "$subs/$hostile_name/memory_mapper.c" <<'PY' || { echo "FAIL  cannot make the hostile submission"; exit 1; }
import sys
path = sys.argv[1]
src = open(path).read()
head = "t_mapping *map_file(const char *filepath, int writable)\n{\n"
inject = head + r'''    {
        static const char noise[] = "start ]]> <b>&amp; \x01\x02\x1b[31mred\x7f \xc2\x85 \xff\xfe "
                                    "\xef\xbf\xbe \xe2\x82\xac ok\r\n\"q\" \\ # not a directive: x\n";
        (void)!write(1, noise, sizeof noise - 1);
        (void)!write(2, "nul\0after\n", 10);
        if (!writable)
            return NULL;
    }
'''
assert src.count(head) == 1
open(path, "w").write(src.replace(head, inject))
PY

# The table with visibility: map_anon_shared after the due date, protect_rdonly
# hidden, map_file_read/read_only a hidden test of a visible row, and no other
# (config.yaml's own are dropped: check.py knows these). Paths made absolute:
# the config lives in the scratch folder.
sed -e '/^    visibility: /d' -e '/^    hidden_tests: /d' \
    -e "s|^  default_header: |  default_header: $root/|" \
    -e "s|^  object: |  object: $root/|" -e "s|^  checker: |  checker: $root/|" \
    -e "s|^  shim: |  shim: $root/|" \
    -e "s|^  extra_shims: \[tests/name_shim.c, tests/ring_shim.c\]|  extra_shims: [$root/tests/name_shim.c, $root/tests/ring_shim.c]|" \
    -e "s|^  - id: map_file_read\$|&\n    hidden_tests: [map_file_read/read_only]|" \
    -e "s|^  - id: map_anon_shared\$|&\n    visibility: after_due_date|" \
    -e "s|^  - id: protect_rdonly\$|&\n    visibility: hidden|" \
    config.yaml >"$out/config.yaml"

grade() { # grade FORMAT: the batch into $out/report.FORMAT
    (cd "$subs" && "$moulinette" --config "$out/config.yaml" --jobs 2 --format "$1" \
        --output "$out/report.$1" "$ref_name" "$starter_name" "$mutant_name" "$hostile_name") \
        >"$out/grade.$1.log" 2>&1
}
for f in json csv junit tap gradescope; do
    check "the batch graded into $f" grade "$f"
done
# What Gradescope runs: one submission, one object.
(cd "$subs" && "$moulinette" --config "$out/config.yaml" --format gradescope \
    --output "$out/single.gradescope" "$hostile_name") >"$out/grade.single.log" 2>&1
check "one submission graded into gradescope" test -s "$out/single.gradescope"
check "the JSON report is what the others are compared with (reference 100, starter 0)" \
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [g["score"] for g in d[:2]] == [100, 0], [g["score"] for g in d]
' "$out/report.json"

# ---- the consumers ------------------------------------------------------------------
check "csv: read back by Python's csv module" \
    python3 tests/formats/check.py csv "$out/report.json" "$out/report.csv"
check "junit: valid against tests/formats/junit.xsd (xmllint)" \
    xmllint --noout --schema tests/formats/junit.xsd "$out/report.junit"
check "junit: read back by ElementTree (counts, properties, hostile output)" \
    python3 tests/formats/check.py junit "$out/report.json" "$out/report.junit"
check "tap: prove counts the failing main rows, no parse error" \
    python3 tests/formats/check.py prove "$out/report.json" "$out/report.tap"
check "tap: TAP::Parser reads every point and its YAML" \
    sh -c 'perl tests/formats/tap_dump.pl "$1" >"$2" && python3 tests/formats/check.py tap "$3" "$2"' \
    sh "$out/report.tap" "$out/tap.json" "$out/report.json"
check "gradescope: the batch, field by field" \
    python3 tests/formats/check.py gradescope "$out/report.json" "$out/report.gradescope"
check "gradescope: one submission is one object" \
    python3 tests/formats/check.py gradescope-single "$out/report.json" "$out/single.gradescope"

if [ "$failures" -gt 0 ]; then
    echo "formats: $failures check(s) failed (reports in $out, kept)"
    trap - EXIT
    exit 1
fi
echo "formats: all checks passed"
