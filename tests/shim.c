/*
 * shim.c - compiled against the submission's own memory_mapper.h.
 *
 * It is the only test file that sees the submission's t_mapping: the rest
 * of the tests read the fields through mm_addr() and mm_size(), so a
 * student may reorder t_mapping or add fields to it.
 *
 * Redeclaring the subject's prototypes after the submission's header turns
 * a header that changed a signature into a compile error here, instead of
 * a call through the wrong type at run time. A function the header does
 * not declare at all is fine: the tests see it as missing (api.h).
 */
#include "memory_mapper.h"

t_mapping *map_file(const char *filepath, int writable);
t_mapping *map_anonymous(size_t size, int shared);
t_mapping *create_shared_region(const char *name, size_t size);
t_mapping *attach_shared_region(const char *name, int writable);
int sync_mapping(t_mapping *mapping, int flags);
int protect_mapping(t_mapping *mapping, int prot);
int unmap(t_mapping *mapping);
int destroy_shared_region(const char *name);

void *mm_addr(const t_mapping *m);
size_t mm_size(const t_mapping *m);

void *mm_addr(const t_mapping *m)
{
    return (void *)m->addr;
}

size_t mm_size(const t_mapping *m)
{
    return (size_t)m->size;
}
