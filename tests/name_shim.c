/*
 * name_shim.c - an optional shim (config tests.extra_shims), compiled
 * against the submission's header: the reader of t_mapping's name field.
 *
 * Apart from shim.c because the tests need `name` only to check that the
 * region's name is kept as a copy: a header without the field fails this
 * file alone, and only that test, instead of every row.
 */
#include "memory_mapper.h"

const char *mm_name(const t_mapping *m);

const char *mm_name(const t_mapping *m)
{
    return m->name;
}
