/*
 * HOSTILE SUBMISSION 20-include-absolute (tests/hostile/run.sh).
 * Attack: the whole submission is the reference, included by absolute path.
 */
#include "/work/main/reference/memory_mapper.c"
