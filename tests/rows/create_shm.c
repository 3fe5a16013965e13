/*
 * Row 5, create_shm: create_shared_region(name, size) creates a /dev/shm
 * object of exactly `size` bytes, maps it shared and writable, and
 * destroy_shared_region(name) removes it.
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

/* Size of the shm object as the kernel sees it, or -1 if it is gone. */
static long long shm_size(const char *name)
{
    char path[128];
    struct stat st;

    snprintf(path, sizeof path, "/dev/shm%s", name);
    if (stat(path, &st) != 0)
        return -1;
    return (long long)st.st_size;
}

static t_mapping *create(const char *name, size_t size)
{
    t_mapping *m;

    MM_REQUIRE(create_shared_region);
    mm_step("calling create_shared_region(\"%s\", %zu)", name, size);
    m = create_shared_region(name, size);
    MM_CHECK(m != NULL, "create_shared_region(\"%s\", %zu) returned NULL (errno %d: %s)", name, size,
             errno, strerror(errno));
    MM_CHECK(mm_addr(m) != NULL && mm_addr(m) != (void *)-1,
             "create_shared_region returned a mapping whose addr is %p", mm_addr(m));
    MM_CHECK(mm_size(m) == size, "create_shared_region(name, %zu) recorded size %zu", size, mm_size(m));
    return m;
}

static void unmap_and_destroy(t_mapping *m, const char *name)
{
    MM_REQUIRE(unmap);
    mm_step("calling unmap() on the shared region");
    MM_CHECK(unmap(m) == 0, "unmap() of the shared region returned nonzero (errno %d: %s)", errno,
             strerror(errno));
    MM_REQUIRE(destroy_shared_region);
    mm_step("calling destroy_shared_region(\"%s\")", name);
    MM_CHECK(destroy_shared_region(name) == 0,
             "destroy_shared_region(\"%s\") returned nonzero (errno %d: %s)", name, errno,
             strerror(errno));
    MM_CHECK(shm_size(name) == -1, "after destroy_shared_region(\"%s\"), /dev/shm%s still exists",
             name, name);
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
    mm_step("writing into the region returned by create_shared_region");
    mm_rfill(mm_addr(m), 4096, 10, "writing into the region returned by create_shared_region");
    check_object_holds(name, 4096, 10);
    unmap_and_destroy(m, name);
    mm_finish("after unmap() and destroy_shared_region()");
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
    unmap_and_destroy(m, name);
    mm_finish("after unmap() and destroy_shared_region()");
}

/* The region outlives the mapping until it is destroyed: a name is a
 * system-wide object, not a property of one mapping. */
Test(create_shm, survives_unmap)
{
    const char *name = mm_shm_name("survive");
    t_mapping *m = create(name, 4096);

    mm_step("writing into the region returned by create_shared_region");
    mm_rfill(mm_addr(m), 4096, 12, "writing into the region returned by create_shared_region");
    MM_REQUIRE(unmap);
    mm_step("calling unmap() on the shared region");
    MM_CHECK(unmap(m) == 0, "unmap() of the shared region returned nonzero");
    MM_CHECK(shm_size(name) == 4096,
             "after unmap() alone, /dev/shm%s is gone: only destroy_shared_region may remove it", name);
    check_object_holds(name, 4096, 12);
    MM_REQUIRE(destroy_shared_region);
    mm_step("calling destroy_shared_region(\"%s\")", name);
    MM_CHECK(destroy_shared_region(name) == 0, "destroy_shared_region(\"%s\") returned nonzero", name);
    MM_CHECK(shm_size(name) == -1, "after destroy_shared_region(\"%s\"), the object still exists", name);
    mm_finish("after destroy_shared_region()");
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
    unmap_and_destroy(m, name);
    mm_finish("after unmap() and destroy_shared_region()");
}
