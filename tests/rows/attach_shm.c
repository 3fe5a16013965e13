/*
 * Row 6, attach_shm: attach_shared_region(name, writable) maps an existing
 * region with its own size and the requested access.
 *
 * The regions are made by the test itself (mm_shm_object), as another
 * program would make them: this row grades attach_shared_region alone, and
 * a bug of create_shared_region shows in create_shm, not here. unmap() and
 * what it leaves are unmap_cleanup's (notes here).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../harness.h"

MM_SUITE(attach_shm);

static t_mapping *attach(const char *name, int writable, size_t size)
{
    t_mapping *m;

    MM_REQUIRE(attach_shared_region);
    mm_step("calling attach_shared_region(\"%s\", %d)", name, writable);
    m = attach_shared_region(name, writable);
    MM_CHECK(m != NULL, "attach_shared_region(\"%s\", %d) on an existing region returned NULL (%s)%s",
             name, writable, mm_errno_name(errno), mm_hint_attach(name));
    MM_CHECK(mm_addr(m) != NULL && mm_addr(m) != (void *)-1,
             "attach_shared_region returned a mapping whose addr is %p", mm_addr(m));
    MM_CHECK(mm_size(m) == size,
             "attach_shared_region on a %zu-byte region recorded size %zu (take it from fstat)", size,
             mm_size(m));
    return m;
}

/* Offset of the first byte of the object `name` that is not mm_fill(seed),
 * read through a mapping of the test's own; `size` if all are. */
static size_t object_mismatch(const char *name, size_t size, unsigned seed)
{
    int fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0);
    void *view;
    size_t bad;

    MM_CHECK(fd >= 0, "the test cannot open the shm object %s: %s", name, strerror(errno));
    view = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    MM_CHECK(view != MAP_FAILED, "the test cannot map the shm object %s: %s", name, strerror(errno));
    bad = mm_mismatch(view, size, seed);
    munmap(view, size);
    return bad;
}

/* The attached mapping shows the region's bytes, and what is written
 * through it is in the region. */
Test(attach_shm, same_data_both_ways)
{
    size_t size = 2 * mm_page() + 300;
    const char *name = mm_shm_object("attach", size, 13);
    t_mapping *m = attach(name, 1, size);
    size_t bad;

    mm_step("reading the attached mapping");
    bad = mm_rmismatch(mm_addr(m), size, 13);
    MM_CHECK(bad == size, "byte %zu of the attached mapping differs from the region's", bad);
    mm_step("writing through the attached mapping");
    mm_rfill(mm_addr(m), size, 14, "writing through the mapping of attach_shared_region(name, 1)");
    bad = object_mismatch(name, size, 14);
    MM_CHECK(bad == size,
             "byte %zu written through attach_shared_region(name, 1) is not in the shared memory object: the mapping must be MAP_SHARED",
             bad);
    mm_release(m, "attached mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}

/* writable == 0 must give a mapping that refuses writes. */
Test(attach_shm, read_only_refuses_writes)
{
    size_t size = mm_page();
    const char *name = mm_shm_object("attach_ro", size, 15);
    t_mapping *m = attach(name, 0, size);
    siginfo_t info;

    MM_CHECK(mm_rmismatch(mm_addr(m), size, 15) == size,
             "attach_shared_region(name, 0) does not read the region's bytes");
    mm_step("writing into the mapping of attach_shared_region(name, 0)");
    MM_CHECK(mm_write_faults(mm_addr(m), &info),
             "attach_shared_region(name, 0) returned a mapping that accepts writes");
    MM_CHECK(object_mismatch(name, size, 15) == size, "the read-only attachment changed the region");
    MM_CHECK(strchr(mm_perms(mm_addr(m)), 'w') == NULL,
             "attach_shared_region(name, 0) returned a writable mapping (%s)", mm_perms(mm_addr(m)));
    mm_release(m, "read-only attached mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}
