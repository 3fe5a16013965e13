/*
 * Row 9, unmap_cleanup: unmap() gives back every page, descriptor and
 * piece of bookkeeping of every kind of mapping. Multi-page mappings, so
 * that an unmap of the wrong length shows (munmap rounds a short length
 * up to one page only).
 */
#include <errno.h>
#include <string.h>

#include "../harness.h"

MM_SUITE(unmap_cleanup);

/* Unmaps `m` and checks its pages are gone; `what` names the mapping. */
static void unmap_checked(t_mapping *m, const char *what)
{
    void *addr = mm_addr(m);
    size_t size = mm_size(m);
    size_t pages = (size + mm_page() - 1) / mm_page();
    size_t left;

    MM_REQUIRE(unmap);
    mm_step("calling unmap() on the %s", what);
    MM_CHECK(unmap(m) == 0, "unmap() of the %s returned nonzero (errno %d: %s)", what, errno,
             strerror(errno));
    left = mm_pages_mapped(addr, size);
    MM_CHECK(left == 0, "after unmap(), %zu page(s) of the %zu-page %s at %p are still mapped", left,
             pages, what, addr);
}

Test(unmap_cleanup, file_mappings)
{
    size_t len = 4 * mm_page() + 3;
    const char *path = mm_file("cleanup.bin", len, 18, 0644);
    t_mapping *ro;
    t_mapping *rw;

    MM_REQUIRE(map_file);
    mm_step("calling map_file(\"%s\", 0)", path);
    ro = map_file(path, 0);
    MM_CHECK(ro != NULL, "map_file(path, 0) returned NULL (errno %d: %s)", errno, strerror(errno));
    mm_step("calling map_file(\"%s\", 1)", path);
    rw = map_file(path, 1);
    MM_CHECK(rw != NULL, "map_file(path, 1) returned NULL (errno %d: %s)", errno, strerror(errno));
    unmap_checked(ro, "read-only file mapping");
    unmap_checked(rw, "writable file mapping");
    mm_finish("after unmap() of both file mappings");
}

Test(unmap_cleanup, anonymous_mappings)
{
    size_t size = 5 * mm_page() + 1;
    t_mapping *priv;
    t_mapping *shared;

    MM_REQUIRE(map_anonymous);
    mm_step("calling map_anonymous(%zu, 0)", size);
    priv = map_anonymous(size, 0);
    MM_CHECK(priv != NULL, "map_anonymous(%zu, 0) returned NULL", size);
    mm_step("calling map_anonymous(%zu, 1)", size);
    shared = map_anonymous(size, 1);
    MM_CHECK(shared != NULL, "map_anonymous(%zu, 1) returned NULL", size);
    unmap_checked(priv, "private anonymous mapping");
    unmap_checked(shared, "shared anonymous mapping");
    mm_finish("after unmap() of both anonymous mappings");
}

Test(unmap_cleanup, shared_regions)
{
    size_t size = 3 * mm_page() + 99;
    const char *name = mm_shm_name("cleanup");
    t_mapping *owner;
    t_mapping *other;

    MM_REQUIRE(create_shared_region);
    MM_REQUIRE(attach_shared_region);
    mm_step("calling create_shared_region(\"%s\", %zu)", name, size);
    owner = create_shared_region(name, size);
    MM_CHECK(owner != NULL, "create_shared_region(\"%s\", %zu) returned NULL", name, size);
    mm_step("calling attach_shared_region(\"%s\", 1)", name);
    other = attach_shared_region(name, 1);
    MM_CHECK(other != NULL, "attach_shared_region(\"%s\", 1) returned NULL", name);
    unmap_checked(other, "attached region");
    unmap_checked(owner, "created region");
    MM_REQUIRE(destroy_shared_region);
    mm_step("calling destroy_shared_region(\"%s\")", name);
    MM_CHECK(destroy_shared_region(name) == 0, "destroy_shared_region(\"%s\") returned nonzero", name);
    mm_finish("after unmap() and destroy_shared_region()");
}
