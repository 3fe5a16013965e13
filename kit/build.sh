#!/bin/sh
# Builds the student kit (`make kit`): dist/memory_mapper-kit.tar.gz, what a
# student needs to run `make grade` at home, and nothing that gives a
# solution away. Into the kit go: the grader's sources (without the
# instructor's tools: mutation-check, kit-config), the tests' sources (not
# tests/hidden/, nor the project's own tests), the starter student/ files,
# the subject's header, and the kit's own Makefile, README and self-check
# (kit/). Its config.yaml is the instructor's without the rows and tests
# hidden from students (build/kit-config). The reference, its variants and
# the mutants never go in; tests/kit/run.sh checks that mechanically.
#
#   kit/build.sh KIT_CONFIG_TOOL OUTPUT.tar.gz
set -eu
cd "$(dirname "$0")/.."
tool=$1
output=$2
stage=$(mktemp -d "${TMPDIR:-/tmp}/mm-kit-XXXXXX")
trap 'rm -rf "$stage"' EXIT
kit=$stage/memory_mapper-kit

mkdir -p "$kit/graders" "$kit/tests/rows" "$kit/student" "$kit/subject"
for f in graders/*.c graders/*.h; do
    case $f in
    graders/mutation*|graders/kit_config.c) ;;
    *) cp "$f" "$kit/graders/" ;;
    esac
done
cp graders/ensure-deps.sh "$kit/graders/"
cp tests/*.c tests/*.h "$kit/tests/"
cp tests/rows/*.c "$kit/tests/rows/"
cp student/* "$kit/student/"
cp student/memory_mapper.h "$kit/subject/memory_mapper.h"
cp kit/Makefile kit/README.md "$kit/"
cp kit/check.sh "$kit/tests/check.sh"
cp tests/checks.sh "$kit/tests/checks.sh"
"$tool" config.yaml subject/memory_mapper.h >"$kit/config.yaml"

mkdir -p "$(dirname "$output")"
# The same sources give the same archive: names sorted, dates and owners fixed.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$stage" \
    -cf - memory_mapper-kit | gzip -n >"$output.tmp"
mv "$output.tmp" "$output"
echo "kit: $output ($(tar -tzf "$output" | grep -vc '/$') files)"
