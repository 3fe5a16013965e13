/*
 * api.h - the exercise's API as the tests see it.
 *
 * The tests are compiled once, without the submission's header, so that a
 * student may add fields to t_mapping or reorder them: t_mapping is opaque
 * here and its two fields the tests need are read through shim.c, which is
 * compiled against the submission's own header.
 *
 * Every function is a weak reference: a submission that lacks one still
 * links, the pointer is NULL, and only the tests that need it fail
 * (MM_REQUIRE says which function is missing).
 */
#ifndef MM_API_H
#define MM_API_H

#include <stddef.h>
#include <sys/types.h>

typedef struct s_mapping t_mapping;

#define MM_WEAK __attribute__((weak))

MM_WEAK t_mapping *map_file(const char *filepath, int writable);
MM_WEAK t_mapping *map_anonymous(size_t size, int shared);
MM_WEAK t_mapping *create_shared_region(const char *name, size_t size);
MM_WEAK t_mapping *attach_shared_region(const char *name, int writable);
MM_WEAK int sync_mapping(t_mapping *mapping, int flags);
MM_WEAK int protect_mapping(t_mapping *mapping, int prot);
MM_WEAK int unmap(t_mapping *mapping);
MM_WEAK int destroy_shared_region(const char *name);

/* Field readers, defined in shim.c against the submission's header. */
void *mm_addr(const t_mapping *m);
size_t mm_size(const t_mapping *m);

/* Defined in name_shim.c, which is left out (and this is NULL) when the
 * submission's t_mapping has no `name` field. */
MM_WEAK const char *mm_name(const t_mapping *m);

#endif
