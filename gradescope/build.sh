#!/bin/sh
# gradescope/build.sh ZIP (make gradescope): the autograder Gradescope
# takes, setup.sh and run_autograder at the root of the zip, beside what
# `make all` needs to build the grader, the checker and the driver. Never
# the reference solution: of reference/ only the subject's header
# (config.yaml's default_header, used when a submission has none).
set -eu
cd "$(dirname "$0")/.."
zip_path=$1
case $zip_path in /*) ;; *) zip_path=$(pwd)/$zip_path ;; esac
command -v zip >/dev/null 2>&1 || {
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y -q zip >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q zip >/dev/null; }
    else
        echo "gradescope: zip is missing; install it with: sudo apt-get install -y zip (as root: apt-get install -y zip)"
        exit 1
    fi
}
stage=build/gradescope-stage
rm -rf "$stage" && mkdir -p "$stage/reference" "$stage/tests/rows" "$stage/tests/hidden"
cp -r Makefile config.yaml graders "$stage/"
cp tests/*.c tests/*.h "$stage/tests/"
cp tests/rows/*.c "$stage/tests/rows/"
# The instructor's grader: the tests hidden from students too (Gradescope
# shows students only what results.json says they may see).
cp tests/hidden/*.c "$stage/tests/hidden/"
cp reference/memory_mapper.h "$stage/reference/"
cp gradescope/setup.sh gradescope/run_autograder "$stage/"
# What must never be shipped: a solution to the exercise.
leaked=$(find "$stage" -name 'memory_mapper.c' -o -path '*/variants*' -o -path '*/mutants*')
[ -z "$leaked" ] || { echo "gradescope: refusing to ship $leaked"; exit 1; }
mkdir -p "$(dirname "$zip_path")"
[ -e "$(dirname "$zip_path")/.gitignore" ] || echo '*' >"$(dirname "$zip_path")/.gitignore"
rm -f "$zip_path"
(cd "$stage" && zip -q -X -r "$zip_path" .)
echo "gradescope: $zip_path ($(find "$stage" -type f | wc -l) files)"
