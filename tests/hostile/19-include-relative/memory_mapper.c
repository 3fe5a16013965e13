/*
 * HOSTILE SUBMISSION 19-include-relative (tests/hostile/run.sh).
 * Attack: the whole submission is the reference, included by a relative
 * path: ../reference/memory_mapper.c, a few levels further up, and last a
 * relative path that climbs to / and comes down into /work/main.
 */
#if __has_include("../reference/memory_mapper.c")
# include "../reference/memory_mapper.c"
#elif __has_include("../../reference/memory_mapper.c")
# include "../../reference/memory_mapper.c"
#elif __has_include("../../../reference/memory_mapper.c")
# include "../../../reference/memory_mapper.c"
#elif __has_include("../../../../../../../../../../../../work/main/reference/memory_mapper.c")
# include "../../../../../../../../../../../../work/main/reference/memory_mapper.c"
#else
# error "hostile: no relative path reached the reference"
#endif
