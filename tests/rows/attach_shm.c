/*
 * Row 6, attach_shm: attach_shared_region(name, writable) maps an existing
 * region with its own size and the requested access.
 */
#include <errno.h>
#include <string.h>

#include "../harness.h"

MM_SUITE(attach_shm);

static t_mapping *create(const char *name, size_t size)
{
    t_mapping *m;

    MM_REQUIRE(create_shared_region);
    mm_step("calling create_shared_region(\"%s\", %zu)", name, size);
    m = create_shared_region(name, size);
    MM_CHECK(m != NULL, "create_shared_region(\"%s\", %zu) returned NULL (errno %d: %s)", name, size,
             errno, strerror(errno));
    return m;
}

static t_mapping *attach(const char *name, int writable, size_t size)
{
    t_mapping *m;

    MM_REQUIRE(attach_shared_region);
    mm_step("calling attach_shared_region(\"%s\", %d)", name, writable);
    m = attach_shared_region(name, writable);
    MM_CHECK(m != NULL, "attach_shared_region(\"%s\", %d) on an existing region returned NULL (errno %d: %s)",
             name, writable, errno, strerror(errno));
    MM_CHECK(mm_addr(m) != NULL && mm_addr(m) != (void *)-1,
             "attach_shared_region returned a mapping whose addr is %p", mm_addr(m));
    MM_CHECK(mm_size(m) == size,
             "attach_shared_region on a %zu-byte region recorded size %zu (take it from fstat)", size,
             mm_size(m));
    return m;
}

static void release(t_mapping *m, const char *what)
{
    MM_REQUIRE(unmap);
    mm_step("calling unmap() on the %s", what);
    MM_CHECK(unmap(m) == 0, "unmap() of the %s returned nonzero (errno %d: %s)", what, errno,
             strerror(errno));
}

static void destroy(const char *name)
{
    MM_REQUIRE(destroy_shared_region);
    mm_step("calling destroy_shared_region(\"%s\")", name);
    MM_CHECK(destroy_shared_region(name) == 0, "destroy_shared_region(\"%s\") returned nonzero", name);
}

/* Both mappings show the same bytes, written from either side. */
Test(attach_shm, same_data_both_ways)
{
    size_t size = 2 * mm_page() + 300;
    const char *name = mm_shm_name("attach");
    t_mapping *owner = create(name, size);
    t_mapping *other;
    size_t bad;

    mm_step("writing into the region returned by create_shared_region");
    mm_rfill(mm_addr(owner), size, 13, "writing into the region returned by create_shared_region");
    other = attach(name, 1, size);
    bad = mm_rmismatch(mm_addr(other), size, 13);
    MM_CHECK(bad == size, "byte %zu of the attached mapping differs from what the creator wrote", bad);
    mm_step("writing through the attached mapping");
    mm_rfill(mm_addr(other), size, 14, "writing through the mapping of attach_shared_region(name, 1)");
    bad = mm_rmismatch(mm_addr(owner), size, 14);
    MM_CHECK(bad == size,
             "byte %zu written through attach_shared_region(name, 1) is not seen through the creator's mapping",
             bad);
    release(other, "attached mapping");
    release(owner, "created region");
    destroy(name);
    mm_finish("after unmap() and destroy_shared_region()");
}

/* writable == 0 must give a mapping that refuses writes. */
Test(attach_shm, read_only_refuses_writes)
{
    const char *name = mm_shm_name("attach_ro");
    t_mapping *owner = create(name, 4096);
    t_mapping *reader;
    siginfo_t info;

    mm_step("writing into the region returned by create_shared_region");
    mm_rput(mm_addr(owner), "Hello SHM", "writing into the region returned by create_shared_region");
    reader = attach(name, 0, 4096);
    MM_CHECK(strcmp(mm_rget(mm_addr(reader)), "Hello SHM") == 0,
             "attach_shared_region(name, 0) reads \"%.20s\" instead of \"Hello SHM\"", mm_rget(mm_addr(reader)));
    mm_step("writing into the mapping of attach_shared_region(name, 0)");
    MM_CHECK(mm_write_faults(mm_addr(reader), &info),
             "attach_shared_region(name, 0) returned a mapping that accepts writes");
    MM_CHECK(strcmp(mm_rget(mm_addr(owner)), "Hello SHM") == 0, "the read-only attachment changed the region");
    MM_CHECK(strchr(mm_perms(mm_addr(reader)), 'w') == NULL,
             "attach_shared_region(name, 0) returned a writable mapping (%s)", mm_perms(mm_addr(reader)));
    release(reader, "read-only attached mapping");
    release(owner, "created region");
    destroy(name);
    mm_finish("after unmap() and destroy_shared_region()");
}
