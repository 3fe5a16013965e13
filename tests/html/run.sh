#!/bin/sh
# The HTML class report in a real browser (make html, part of make test):
# one batch (the reference, the starter, three mutants, one that does not
# compile, one that calls malloc, and one that prints
# </script><script>alert(1)</script> and other markup under a folder name
# that is markup too) graded into JSON and HTML, then headless Chromium:
#   - renders the page to a PNG (build/html/class.png);
#   - dumps its DOM after scripts ran, twice: as written, and sorted by the
#     page's own script (#sort=score-desc), which runs only if the CSP's
#     hash of it is right;
#   - must print no console message at all: a CSP violation, a script
#     error or anything a payload would log is one;
# and tests/html/check.py compares the numbers in the DOM (summary, histogram,
# pass rates, failure reasons, submissions) with the JSON report, and checks
# the payloads are text: one <script> element (ours), no <img>, no on*
# attribute, the payload found verbatim as text. An alert() that ran would
# hold the headless browser on its dialog: the time limit catches that.
# Chromium and python3 are installed as root, asked for otherwise, never
# skipped. MOULINETTE=PATH grades with another build of the grader.
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
moulinette=${MOULINETTE:-build/moulinette}
case $moulinette in /*) ;; *) moulinette=$root/$moulinette ;; esac

need_tools() {
    missing=""
    command -v python3 >/dev/null 2>&1 || missing="$missing python3"
    command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
    # shellcheck disable=SC2086 # $missing: one word per package
    [ -z "$missing" ] || install_or_ask html "the HTML report's test needs$missing (chromium: about 100 MB)" $missing
}
. tests/checks.sh
need_tools

[ -x "$moulinette" ] || { echo "FAIL  $moulinette is missing: run make"; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/mm-html-XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT
mkdir -p build/html
failures=0

# ---- the batch ---------------------------------------------------------------------
subs=$out/subs
mkdir -p "$subs"
hostile_name='<img src=x onerror=alert(2)> "q" & co'
cp -r reference "$subs/reference" && rm -rf "$subs/reference/mutants" "$subs/reference/variants"
cp -r student "$subs/starter"
mutants="06-map-file-writable-map-private 14-map-file-no-map-failed-check 17-anon-shared-uses-map-private"
for m in $mutants; do
    cp -r "$subs/reference" "$subs/$m"
    patch -s -p1 -d "$subs/$m" <"reference/mutants/$m.patch" || { echo "FAIL  cannot apply $m"; exit 1; }
done
cp -r "$subs/reference" "$subs/no-compile"
echo 'int this_does_not_compile(void) { return }' >>"$subs/no-compile/memory_mapper.c"
cp -r "$subs/reference" "$subs/uses-malloc"
cat >>"$subs/uses-malloc/memory_mapper.c" <<'EOF'
#include <stdlib.h>
void *mm_scratch_buffer(size_t size);
void *mm_scratch_buffer(size_t size) { return malloc(size); }
EOF
# map_file(path, 0) prints markup and control bytes, then fails: the output
# is shown under map_file_read's failing tests.
cp -r "$subs/reference" "$subs/$hostile_name"
python3 - "$subs/$hostile_name/memory_mapper.c" <<'PY' || { echo "FAIL  cannot make the hostile submission"; exit 1; }
import sys
path = sys.argv[1]
src = open(path).read()
head = "t_mapping *map_file(const char *filepath, int writable)\n{\n"
inject = head + r'''    {
        static const char noise[] = "</script><script>alert(1)</script>"
                                    "<img src=x onerror=\"document.title='pwned'\"> & &amp; "
                                    "<!-- \x01\x1b[31m \xff\xfe \r\n";
        (void)!write(1, noise, sizeof noise - 1);
        if (!writable)
            return NULL;
    }
'''
assert src.count(head) == 1
open(path, "w").write(src.replace(head, inject))
PY
names="reference starter $mutants no-compile uses-malloc"

grade() { # grade FORMAT: the batch into $out/class.FORMAT
    # shellcheck disable=SC2086 # $names: one word per submission
    (cd "$subs" && "$moulinette" --jobs 2 --format "$1" --output "$out/class.$1" $names \
        "$hostile_name") >"$out/grade.$1.log" 2>&1
}
check "the batch graded into json" grade json
check "the batch graded into html" grade html
cp "$out/class.html" build/html/class.html 2>/dev/null

# ---- the browser -------------------------------------------------------------------
# As root Chromium runs only without its sandbox; its profile is ours and
# thrown away. Its console messages go to stderr as "INFO:CONSOLE...".
chrome() { # chrome RUN URL-SUFFIX ARGS...: stdout to $out/RUN.out, stderr .err
    run=$1
    suffix=$2
    shift 2
    set -- --headless --disable-gpu --no-first-run --disable-extensions --mute-audio \
        --user-data-dir="$out/profile-$run" --enable-logging=stderr --v=0 \
        --window-size=1280,900 "$@" "file://$out/class.html$suffix"
    [ "$(id -u)" = 0 ] && set -- --no-sandbox "$@"
    timeout 90 chromium "$@" >"$out/$run.out" 2>"$out/$run.err"
    rc=$?
    [ $rc -eq 124 ] && echo "chromium did not finish in 90 s (a dialog, an alert(), would hold it)"
    return $rc
}
no_console() { # no_console NAME: no console message, no CSP report
    if grep -E 'CONSOLE|Content.Security.Policy' "$out/$1.err"; then
        return 1
    fi
}
check "chromium renders the page to a PNG" chrome png "" --screenshot="$out/class.png"
# shellcheck disable=SC2016 # $1 is the inner shell's
check "the PNG is a PNG" sh -c 'head -c 8 "$1" | od -An -c | grep -q "P   N   G" && cp "$1" build/html/' \
    sh "$out/class.png"
check "chromium dumps the DOM" chrome dom "" --dump-dom
check "chromium dumps the DOM sorted by the page's script (#sort=score-desc)" \
    chrome sorted "#sort=score-desc" --dump-dom
for run in png dom sorted; do
    check "no console message ($run): no CSP violation, no script error" no_console "$run"
done

# ---- the page against the JSON report -------------------------------------------------
check "the file: self-contained, one script, its CSP hashes right" \
    python3 tests/html/check.py file "$out/class.json" "$out/class.html"
check "the DOM's numbers are the JSON report's" \
    python3 tests/html/check.py dom "$out/class.json" "$out/dom.out"
check "the hostile output and name are text: nothing ran, nothing was added" \
    python3 tests/html/check.py hostile "$out/class.json" "$out/dom.out"
check "the page's script sorted the table (score, descending)" \
    python3 tests/html/check.py sorted "$out/class.json" "$out/sorted.out"

if [ "$failures" -gt 0 ]; then
    echo "html: $failures check(s) failed (files in $out, kept)"
    trap - EXIT
    exit 1
fi
echo "html: all checks passed (page and screenshot in build/html/)"
