/*
 * stubs.c - the exercise's API as the checker calls it: each function asks
 * the driver (remote.h) to make the call and returns what the driver
 * answered, with its errno. A t_mapping * or t_ring_buffer * is the
 * driver's pointer, handed back as is on the next call and never
 * dereferenced here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "harness.h"
#include "remote.h"
#include "ring_api.h"

#define PTR(v) ((void *)(uintptr_t)(v))
#define VAL(p) ((uint64_t)(uintptr_t)(p))

static int64_t call(enum mm_fn fn, const char *str, uint64_t a1, uint64_t a2)
{
    uint64_t arg[4] = {(uint64_t)fn, a1, a2, 0};

    return mm_rpc(MM_OP_CALL, str ? 0 : MM_NULL_PATH, arg, str, str ? strlen(str) + 1 : 0, NULL,
                  0, NULL);
}

t_mapping *map_file(const char *filepath, int writable)
{
    return PTR(call(MM_FN_map_file, filepath, (uint64_t)writable, 0));
}

t_mapping *map_anonymous(size_t size, int shared)
{
    return PTR(call(MM_FN_map_anonymous, "", size, (uint64_t)shared));
}

t_mapping *create_shared_region(const char *name, size_t size)
{
    return PTR(call(MM_FN_create_shared_region, name, size, 0));
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    return PTR(call(MM_FN_attach_shared_region, name, (uint64_t)writable, 0));
}

int sync_mapping(t_mapping *mapping, int flags)
{
    return (int)call(MM_FN_sync_mapping, "", VAL(mapping), (uint64_t)flags);
}

int protect_mapping(t_mapping *mapping, int prot)
{
    return (int)call(MM_FN_protect_mapping, "", VAL(mapping), (uint64_t)prot);
}

int unmap(t_mapping *mapping)
{
    return (int)call(MM_FN_unmap, "", VAL(mapping), 0);
}

int destroy_shared_region(const char *name)
{
    return (int)call(MM_FN_destroy_shared_region, name, 0, 0);
}

/* ---- the shim's field readers --------------------------------------------- */

void *mm_addr(const t_mapping *m)
{
    uint64_t arg[4] = {VAL(m), 0, 0, 0};

    return PTR(mm_rpc(MM_OP_ADDR, 0, arg, NULL, 0, NULL, 0, NULL));
}

size_t mm_size(const t_mapping *m)
{
    uint64_t arg[4] = {VAL(m), 0, 0, 0};

    return (size_t)mm_rpc(MM_OP_SIZE, 0, arg, NULL, 0, NULL, 0, NULL);
}

/* The name as the driver's memory holds it (read by the checker itself),
 * NULL when the field is NULL. */
const char *mm_name(const t_mapping *m)
{
    uint64_t arg[4] = {VAL(m), 0, 0, 0};
    static char name[256];
    int64_t p = mm_rpc(MM_OP_NAME, 0, arg, NULL, 0, NULL, 0, NULL);

    if (!p)
        return NULL;
    snprintf(name, sizeof name, "%s", mm_rget(PTR(p)));
    return name;
}

/* ---- the bonus ring ----------------------------------------------------------- */

t_ring_buffer *create_ring_buffer(const char *name, size_t capacity)
{
    return PTR(call(MM_FN_create_ring_buffer, name, capacity, 0));
}

t_ring_buffer *attach_ring_buffer(const char *name)
{
    return PTR(call(MM_FN_attach_ring_buffer, name, 0, 0));
}

/* The bytes go with the request: at most MM_MAX_PAYLOAD of them (the
 * length the function sees is still `len`). */
/* A test's buffer travels with the request; the driver holds at most
 * MM_MAX_PAYLOAD of it. */
static void check_buffer(const void *data, size_t len)
{
    if (data && len > MM_MAX_PAYLOAD)
        mm_fail("test set-up: a ring buffer of %zu bytes is more than the driver holds", len);
}

ssize_t ring_write(t_ring_buffer *rb, const void *data, size_t len)
{
    uint64_t arg[4] = {MM_FN_ring_write, VAL(rb), len, 0};

    check_buffer(data, len);
    return (ssize_t)mm_rpc(MM_OP_CALL, data ? 0 : MM_NULL_DATA, arg, data, data ? len : 0,
                           NULL, 0, NULL);
}

ssize_t ring_read(t_ring_buffer *rb, void *data, size_t len)
{
    uint64_t arg[4] = {MM_FN_ring_read, VAL(rb), len, 0};

    check_buffer(data, len);
    return (ssize_t)mm_rpc(MM_OP_CALL, data ? 0 : MM_NULL_DATA, arg, NULL, 0, data,
                           data ? len : 0, NULL);
}

void destroy_ring_buffer(t_ring_buffer *rb)
{
    uint64_t arg[4] = {MM_FN_destroy_ring_buffer, VAL(rb), 0, 0};

    (void)mm_rpc(MM_OP_CALL, 0, arg, NULL, 0, NULL, 0, NULL);
}
