/*
 * Row 5, create_shm: create_shared_region(name, size) creates a /dev/shm
 * object of exactly `size` bytes that its owner may open for writing,
 * maps it shared and writable, and the object outlives unmap(). Removing
 * it (destroy_shared_region) and what unmap() leaves are unmap_cleanup's
 * (notes here).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"

MM_SUITE(create_shm);

/* The shm object as the kernel sees it; 0 if it is gone. */
static int shm_stat(const char *name, struct stat *st)
{
    char path[128];

    snprintf(path, sizeof path, "/dev/shm%s", name);
    return stat(path, st) == 0;
}

/* Size of the shm object, or -1 if it is gone. */
static long long shm_size(const char *name)
{
    struct stat st;

    return shm_stat(name, &st) ? (long long)st.st_size : -1;
}

/* The creator must be able to open its object again for writing (attach
 * by name, from another process of the same user): mode 0444 or 0400 would
 * make every attach_shared_region(name, 1) fail. Root ignores modes, so
 * this is read from the mode, not tried. */
static void check_owner_can_write(const char *name)
{
    struct stat st;

    MM_CHECK(shm_stat(name, &st), "after create_shared_region(\"%s\", ...), /dev/shm%s does not exist",
             name, name);
    MM_CHECK((st.st_mode & 0600) == 0600,
             "create_shared_region(\"%s\", ...) created /dev/shm%s with mode %04o: its owner cannot open it for reading and writing, so attach_shared_region(name, 1) fails; create it with mode 0600 (or 0666)",
             name, name, (unsigned)(st.st_mode & 07777));
}

static t_mapping *create(const char *name, size_t size)
{
    t_mapping *m;

    MM_REQUIRE(create_shared_region);
    mm_step("calling create_shared_region(\"%s\", %zu)", name, size);
    m = create_shared_region(name, size);
    MM_CHECK(m != NULL, "create_shared_region(\"%s\", %zu) returned NULL (%s)%s", name, size,
             mm_errno_name(errno), mm_hint_create(errno));
    MM_CHECK(mm_addr(m) != NULL && mm_addr(m) != (void *)-1,
             "create_shared_region returned a mapping whose addr is %p", mm_addr(m));
    MM_CHECK(mm_size(m) == size, "create_shared_region(name, %zu) recorded size %zu", size, mm_size(m));
    return m;
}

/* Teardown: unmap_cleanup grades these calls. */
static void release(t_mapping *m, const char *name)
{
    mm_release(m, "shared region");
    mm_release_name(name);
}

/* What is written through the region is in the object: another mapping of
 * the same object, made by the test itself, reads it back. */
static void check_object_holds(const char *name, size_t size, unsigned seed)
{
    int fd = shm_open(name, O_RDONLY, 0);
    void *view;
    size_t bad;

    MM_CHECK(fd >= 0, "the test cannot open the shm object %s: %s", name, strerror(errno));
    view = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    MM_CHECK(view != MAP_FAILED, "the test cannot map the shm object %s: %s", name, strerror(errno));
    bad = mm_mismatch(view, size, seed);
    munmap(view, size);
    MM_CHECK(bad == size,
             "byte %zu written through create_shared_region's mapping is not in the shm object: the mapping must be MAP_SHARED",
             bad);
}

Test(create_shm, one_page)
{
    const char *name = mm_shm_name("create");
    t_mapping *m = create(name, 4096);

    MM_CHECK(shm_size(name) == 4096,
             "after create_shared_region(\"%s\", 4096), /dev/shm%s has size %lld instead of 4096",
             name, name, shm_size(name));
    check_owner_can_write(name);
    mm_step("writing into the region returned by create_shared_region");
    mm_rfill(mm_addr(m), 4096, 10, "writing into the region returned by create_shared_region");
    check_object_holds(name, 4096, 10);
    release(m, name);
    mm_finish_noting("after unmap() and destroy_shared_region()", MM_ROW_CLEANUP);
}

Test(create_shm, multi_page)
{
    size_t size = 3 * mm_page() + 1000;
    const char *name = mm_shm_name("multi");
    t_mapping *m = create(name, size);

    MM_CHECK(shm_size(name) == (long long)size,
             "after create_shared_region(\"%s\", %zu), /dev/shm%s has size %lld", name, size, name,
             shm_size(name));
    mm_step("writing the %zu bytes of the region", size);
    mm_rfill(mm_addr(m), size, 11, "writing into the region returned by create_shared_region");
    check_object_holds(name, size, 11);
    release(m, name);
    mm_finish_noting("after unmap() and destroy_shared_region()", MM_ROW_CLEANUP);
}

static int unmap_in_child(const void *m)
{
    return unmap((t_mapping *)m) != 0;
}

/* What unmap() itself got wrong is unmap_cleanup's: a note. */
static void note_unmap_outcome(const struct mm_outcome *out)
{
    if (out->signal)
        mm_note(MM_ROW_CLEANUP, "unmap() of a shared region crashed (signal %d, %s)", out->signal,
                strsignal(out->signal));
    else if (!out->exited)
        mm_note(MM_ROW_CLEANUP, "the process calling unmap() on a shared region %s",
                mm_status_str(out->status));
    else if (out->failed)
        mm_note(MM_ROW_CLEANUP, "unmap() of a shared region returned nonzero (%s)", mm_errno_name(out->err));
}

/* The region outlives the mapping until it is destroyed: a name is a
 * system-wide object, not a property of one mapping. The unmap() runs in
 * a forked copy of the process (mm_in_child), so that whatever else it
 * gets wrong, even a crash, is a note and the object can still be looked
 * at. */
Test(create_shm, survives_unmap)
{
    const char *name = mm_shm_name("survive");
    t_mapping *m = create(name, 4096);
    struct mm_outcome out;

    mm_step("writing into the region returned by create_shared_region");
    mm_rfill(mm_addr(m), 4096, 12, "writing into the region returned by create_shared_region");
    MM_REQUIRE(unmap);
    mm_step("calling unmap() on the shared region (in a forked copy of the process)");
    out = mm_in_child(unmap_in_child, m);
    note_unmap_outcome(&out);
    MM_CHECK(shm_size(name) == 4096,
             "after unmap() alone, /dev/shm%s is gone: only destroy_shared_region may remove it", name);
    check_object_holds(name, 4096, 12);
    release(m, name);
    mm_finish_noting("after unmap() and destroy_shared_region()", MM_ROW_CLEANUP);
}

/* The mapping keeps its own copy of the region's name: the caller's buffer
 * may change or go away after the call. */
Test(create_shm, name_is_copied)
{
    const char *name = mm_shm_name("named");
    char buf[64];
    t_mapping *m;

    MM_CHECK(mm_driver_has(MM_FN_mm_name),
             "your t_mapping has no field `name` (tests/name_shim.c does not compile against your header)");
    snprintf(buf, sizeof buf, "%s", name);
    m = create(buf, 4096);
    memset(buf, 'x', strlen(buf));
    MM_CHECK(mm_name(m) != NULL && strcmp(mm_name(m), name) == 0,
             "after the caller changed its buffer, the mapping's name reads \"%.40s\" instead of \"%s\": create_shared_region must keep its own copy of the name",
             mm_name(m) ? mm_name(m) : "(null)", name);
    release(m, name);
    mm_finish_noting("after unmap() and destroy_shared_region()", MM_ROW_CLEANUP);
}
