#!/bin/sh
# bench/floor.sh SUBMISSION_DIR: the floor of grading one submission, what
# no grader can skip: the build steps of graders/build.c, done bare (no
# sandbox, no checks, nothing run). The submission's sources and the three
# shims compiled side by side (the grader's two compile jobs), the
# submission's globals localized (objcopy), the driver linked with the
# prebuilt build/tests/driver.o. Flags as in config.yaml (compile.cflags,
# feature_macros, link_flags). Run from the repository's root.
set -eu
sub=$1
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-floor-XXXXXX")
trap 'rm -rf "$work"' EXIT
cflags="-std=c17 -Wall -Wextra -Werror -include prelude.h -I."

cp "$sub/memory_mapper.c" "$work/"
if [ -f "$sub/memory_mapper.h" ]; then cp "$sub/memory_mapper.h" "$work/"; else cp reference/memory_mapper.h "$work/"; fi
cp tests/shim.c "$work/mm_shim.c"
cp tests/name_shim.c "$work/mm_extra0.c"
cp tests/ring_shim.c "$work/mm_extra1.c"
cp build/tests/driver.o "$work/mm_driver.o"
printf '#pragma GCC system_header\n#define _DEFAULT_SOURCE 1\n#include <features.h>\n#undef _DEFAULT_SOURCE\n' >"$work/prelude.h"
printf '%s\n' map_file map_anonymous create_shared_region attach_shared_region sync_mapping \
    protect_mapping unmap destroy_shared_region create_ring_buffer attach_ring_buffer ring_write \
    ring_read destroy_ring_buffer >"$work/mm_api.txt"
cd "$work"
# shellcheck disable=SC2086 # $cflags: words
gcc $cflags -c memory_mapper.c &
# shellcheck disable=SC2086
gcc $cflags -c mm_shim.c mm_extra0.c mm_extra1.c
wait $!
objcopy --keep-global-symbols=mm_api.txt memory_mapper.o
gcc -o driver memory_mapper.o mm_shim.o mm_extra0.o mm_extra1.o mm_driver.o -lrt -pthread
cd "$root"
