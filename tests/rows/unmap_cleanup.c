/*
 * Row 9, unmap_cleanup: unmap() gives back every page, descriptor and
 * piece of bookkeeping of every kind of mapping, and
 * destroy_shared_region() removes the name. This row grades every leak
 * those calls leave (the other rows only note them). Multi-page
 * mappings, so that an unmap of the wrong length shows (munmap rounds a
 * short length up to one page only); each mapping is checked right after
 * its own unmap(), so the message names the mapping that leaked.
 *
 * A kind of mapping the submission cannot make is not this row's to
 * grade (the constructor's row does): it is skipped with a note, as
 * nothing of it can leak. A test fails when it could make none at all.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "../harness.h"

MM_SUITE(unmap_cleanup);

/* The mappings a test could make, and why the first one it could not. */
struct made {
    int count;
    char missing[256];
};

/* A constructor's NULL: a note naming the row that grades it. */
static t_mapping *made(struct made *mk, t_mapping *m, const char *call, const char *row)
{
    if (m) {
        mk->count++;
        return m;
    }
    mm_note(row, "%s returned NULL (%s), so unmap() was not checked on it", call, mm_errno_name(errno));
    if (!mk->missing[0])
        snprintf(mk->missing, sizeof mk->missing, "%s returned NULL", call);
    return NULL;
}

static void check_some_made(const struct made *mk)
{
    MM_CHECK(mk->count > 0, "no mapping could be made to check unmap() on: %s", mk->missing);
}

/* Unmaps `m` and checks its pages, its descriptor (on `path`, NULL for
 * anonymous memory) and its t_mapping are gone; `what` names it. */
static void unmap_checked(t_mapping *m, const char *what, const char *path)
{
    void *addr = mm_addr(m);
    size_t size = mm_size(m);
    size_t pages = (size + mm_page() - 1) / mm_page();
    int fds = mm_open_fds();
    size_t left;
    int writable;

    MM_REQUIRE(unmap);
    mm_step("calling unmap() on the %s", what);
    MM_CHECK(unmap(m) == 0, "unmap() of the %s returned nonzero (%s)", what, mm_errno_name(errno));
    left = mm_pages_mapped(addr, size);
    MM_CHECK(left == 0,
             "after unmap(), %zu page(s) of the %zu-page %s at %p are still mapped: munmap the mapping's whole size",
             left, pages, what, addr);
    MM_CHECK(path || mm_open_fds() == fds,
             "unmap() of the %s closed a descriptor it did not own: an anonymous mapping has no descriptor (record -1, and close only a descriptor the mapping opened)",
             what);
    MM_CHECK(!path || mm_fds_on(path, &writable) == 0,
             "after unmap() of the %s, a descriptor on %s is still open: unmap must close the descriptor the mapping was made with (or the constructor must close it right after mmap)",
             what, path);
    MM_CHECK(!mm_mapped_since_begin(m),
             "after unmap() of the %s, its t_mapping at %p is still mapped: unmap must also release the memory of the t_mapping itself",
             what, (void *)m);
}

static t_mapping *file_mapping(struct made *mk, const char *path, int writable)
{
    char call[192];

    MM_REQUIRE(map_file);
    snprintf(call, sizeof call, "map_file(\"%s\", %d)", path, writable);
    mm_step("calling %s", call);
    return made(mk, map_file(path, writable), call, writable ? "map_file_write" : "map_file_read");
}

Test(unmap_cleanup, file_mappings)
{
    size_t len = 4 * mm_page() + 3;
    const char *path = mm_file("cleanup.bin", len, 18, 0644);
    struct made mk = {0, ""};
    t_mapping *m;

    m = file_mapping(&mk, path, 0);
    if (m)
        unmap_checked(m, "read-only file mapping", path);
    m = file_mapping(&mk, path, 1);
    if (m)
        unmap_checked(m, "writable file mapping", path);
    check_some_made(&mk);
    mm_finish("after unmap() of both file mappings");
}

static t_mapping *anonymous_mapping(struct made *mk, size_t size, int shared)
{
    char call[64];

    MM_REQUIRE(map_anonymous);
    snprintf(call, sizeof call, "map_anonymous(%zu, %d)", size, shared);
    mm_step("calling %s", call);
    return made(mk, map_anonymous(size, shared), call, shared ? "map_anon_shared" : "map_anon_private");
}

Test(unmap_cleanup, anonymous_mappings)
{
    size_t size = 5 * mm_page() + 1;
    struct made mk = {0, ""};
    t_mapping *m;

    m = anonymous_mapping(&mk, size, 0);
    if (m)
        unmap_checked(m, "private anonymous mapping", NULL);
    m = anonymous_mapping(&mk, size, 1);
    if (m)
        unmap_checked(m, "shared anonymous mapping", NULL);
    check_some_made(&mk);
    mm_finish("after unmap() of both anonymous mappings");
}

/* Nothing new since mm_mark(): sync_mapping and protect_mapping open and
 * map nothing that outlives the call. */
static void check_nothing_new(const char *when)
{
    char leak[512];

    MM_CHECK(!mm_new_since_mark(when, leak, sizeof leak),
             "%s: sync_mapping and protect_mapping must not keep anything of their own", leak);
}

/* What sync_mapping and protect_mapping leave behind is this row's too
 * ("no leaks"): they are called on a writable file mapping and a private
 * anonymous one before unmap(). Their results, a crash in them, and their
 * absence are their rows' (map_file_write, protect_rdonly): not looked
 * at here. */
Test(unmap_cleanup, after_sync_and_protect)
{
    size_t len = 3 * mm_page() + 7;
    const char *path = mm_file("synced.bin", len, 20, 0644);
    int has_sync = mm_driver_has(MM_FN_sync_mapping);
    int has_protect = mm_driver_has(MM_FN_protect_mapping);
    struct made mk = {0, ""};
    t_mapping *m;

    m = file_mapping(&mk, path, 1);
    if (m) {
        mm_mark();
        if (has_sync) {
            mm_calls_of("map_file_write");
            mm_step("calling sync_mapping(m, MS_SYNC) on the writable file mapping");
            (void)sync_mapping(m, MS_SYNC);
            check_nothing_new("after sync_mapping(m, MS_SYNC)");
        }
        if (has_protect) {
            mm_calls_of("protect_rdonly");
            mm_step("calling protect_mapping() on the writable file mapping");
            (void)protect_mapping(m, PROT_READ);
            (void)protect_mapping(m, PROT_READ | PROT_WRITE);
            check_nothing_new("after protect_mapping(m, PROT_READ) and protect_mapping(m, PROT_READ | PROT_WRITE)");
        }
        mm_calls_of(NULL);
        unmap_checked(m, "synced and protected file mapping", path);
    }
    m = anonymous_mapping(&mk, len, 0);
    if (m) {
        mm_mark();
        if (has_protect) {
            mm_calls_of("protect_rdonly");
            mm_step("calling protect_mapping() on the private anonymous mapping");
            (void)protect_mapping(m, PROT_NONE);
            (void)protect_mapping(m, PROT_READ);
            mm_calls_of(NULL);
            check_nothing_new("after protect_mapping(m, PROT_NONE) and protect_mapping(m, PROT_READ)");
        }
        unmap_checked(m, "protected private anonymous mapping", NULL);
    }
    check_some_made(&mk);
    mm_finish("after sync_mapping(), protect_mapping() and unmap()");
}

static int shm_exists(const char *name)
{
    char path[128];
    struct stat st;

    snprintf(path, sizeof path, "/dev/shm%s", name);
    return stat(path, &st) == 0;
}

/* destroy_shared_region removes the name. A region whose name is already
 * gone (unmap() removed it) is create_shm's to grade ("survives unmap"):
 * a note, and nothing left to destroy. */
static void destroy_checked(const char *name)
{
    int ret;

    if (!shm_exists(name)) {
        mm_note("create_shm", "/dev/shm%s was gone before destroy_shared_region(\"%s\") was called",
                name, name);
        return;
    }
    MM_REQUIRE(destroy_shared_region);
    mm_step("calling destroy_shared_region(\"%s\")", name);
    ret = destroy_shared_region(name);
    MM_CHECK(ret == 0, "destroy_shared_region(\"%s\") of an existing region returned %d (%s)",
             name, ret, mm_errno_name(errno));
    MM_CHECK(!shm_exists(name),
             "destroy_shared_region(\"%s\") returned 0 but /dev/shm%s still exists: it must shm_unlink the name",
             name, name);
}

/* Attaches to a region made by the test (one per attachment: each is
 * checked for a descriptor left on its own name), unmaps, destroys. */
static void attach_and_release(struct made *mk, size_t size, int writable)
{
    const char *name = mm_shm_object(writable ? "cleanup_rw" : "cleanup_ro", size, 19);
    char call[128];
    char path[128];
    t_mapping *m;

    MM_REQUIRE(attach_shared_region);
    snprintf(path, sizeof path, "/dev/shm%s", name);
    snprintf(call, sizeof call, "attach_shared_region(\"%s\", %d)", name, writable);
    mm_step("calling %s", call);
    m = made(mk, attach_shared_region(name, writable), call, "attach_shm");
    if (m)
        unmap_checked(m, writable ? "writable attached region" : "read-only attached region", path);
    destroy_checked(name);
}

/* A region created by the submission, and attachments (writable and
 * read-only) to regions made by the test, so that a bug of
 * create_shared_region cannot hide how unmap() treats attachments, nor
 * how destroy_shared_region removes a name. */
Test(unmap_cleanup, shared_regions)
{
    size_t size = 3 * mm_page() + 99;
    const char *name = mm_shm_name("cleanup");
    struct made mk = {0, ""};
    char call[128];
    char path[128];
    t_mapping *m;

    attach_and_release(&mk, size, 1);
    attach_and_release(&mk, size, 0);
    MM_REQUIRE(create_shared_region);
    snprintf(call, sizeof call, "create_shared_region(\"%s\", %zu)", name, size);
    mm_step("calling %s", call);
    m = made(&mk, create_shared_region(name, size), call, "create_shm");
    if (m) {
        snprintf(path, sizeof path, "/dev/shm%s", name);
        unmap_checked(m, "created region", path);
        destroy_checked(name);
    }
    check_some_made(&mk);
    mm_finish("after unmap() and destroy_shared_region()");
}
