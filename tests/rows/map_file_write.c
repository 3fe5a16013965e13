/*
 * Row 2, map_file_write: writes through map_file(path, 1) reach the file,
 * and sync_mapping() flushes the whole mapping with the caller's flags.
 *
 * File content alone cannot show whether msync ran: writes to a MAP_SHARED
 * file mapping are visible to read() at once. So the msync calls the
 * submission makes are observed as the kernel sees them (remote.h). The
 * file is read back before unmap(), which is unmap_cleanup's (notes here).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "../harness.h"

MM_SUITE(map_file_write);

static t_mapping *map_for_writing(const char *path, size_t len)
{
    t_mapping *m;

    MM_REQUIRE(map_file);
    mm_step("calling map_file(\"%s\", 1) on a %zu-byte file", path, len);
    m = map_file(path, 1);
    MM_CHECK(m != NULL, "map_file(path, 1) on a writable %zu-byte file returned NULL (%s)",
             len, mm_errno_name(errno));
    MM_CHECK(mm_size(m) == len, "map_file on a %zu-byte file recorded size %zu", len, mm_size(m));
    return m;
}

/* Whether one recorded msync call covers the whole of [addr, addr+len). */
static int covers(const struct mm_msync_call *c, const void *addr, size_t len)
{
    uintptr_t page = mm_page();
    uintptr_t end = ((uintptr_t)addr + len + page - 1) & ~(page - 1);

    return (uintptr_t)c->addr <= (uintptr_t)addr
           && (uintptr_t)c->addr + ((c->len + page - 1) & ~(page - 1)) >= end;
}

/* Every byte written through the mapping is in the file afterwards,
 * read back through a descriptor of the test's own. */
Test(map_file_write, changes_reach_file)
{
    size_t len = 2 * mm_page() + 77;
    static unsigned char back[3 * 4096 + 512];
    const char *path = mm_file("rw.bin", len, 4, 0644);
    t_mapping *m = map_for_writing(path, len);
    ssize_t got;
    size_t bad;
    char perms[8];
    char mapped[128];

    mm_step("writing %zu bytes through the mapping", len);
    mm_rfill(mm_addr(m), len, 5, "writing through the map_file(path, 1) mapping");
    /* Seen now, judged after the content: a shared mapping of the file
     * is how the bytes must get there. */
    snprintf(perms, sizeof perms, "%s", mm_perms(mm_addr(m)));
    snprintf(mapped, sizeof mapped, "%s", mm_mapped_path(mm_addr(m)));
    MM_REQUIRE(sync_mapping);
    mm_step("calling sync_mapping(m, MS_SYNC)");
    MM_CHECK(sync_mapping(m, MS_SYNC) == 0, "sync_mapping(m, MS_SYNC) returned nonzero (%s)",
             mm_errno_name(errno));
    got = mm_read_file(path, back, sizeof back);
    MM_CHECK(got == (ssize_t)len, "after sync_mapping() the %zu-byte file has %zd bytes", len, got);
    bad = mm_mismatch(back, len, 5);
    MM_CHECK(bad == len,
             "byte %zu of the file was not changed by the write through the mapping (MAP_SHARED needed)",
             bad);
    MM_CHECK(strchr(perms, 's') != NULL && strcmp(mapped, path) == 0,
             "map_file(path, 1) returned memory that is not a shared mapping of the file (%s %s): map the file itself with MAP_SHARED",
             perms, mapped[0] ? mapped : "anonymous");
    mm_release(m, "writable file mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}

/* sync_mapping must flush the whole mapping, with the flags it was given. */
Test(map_file_write, sync_whole_mapping)
{
    size_t len = 3 * mm_page() + 5;
    const char *path = mm_file("sync.bin", len, 6, 0644);
    t_mapping *m = map_for_writing(path, len);
    const struct mm_msync_call *c;

    mm_step("writing into the last byte of the mapping");
    mm_rput((char *)mm_addr(m) + len - 1, "", "writing into the last byte of the map_file(path, 1) mapping");
    MM_REQUIRE(sync_mapping);
    mm_msync_reset();
    mm_step("calling sync_mapping(m, MS_SYNC)");
    MM_CHECK(sync_mapping(m, MS_SYNC) == 0, "sync_mapping(m, MS_SYNC) returned nonzero (%s)",
             mm_errno_name(errno));
    MM_CHECK(mm_msync_count > 0, "sync_mapping(m, MS_SYNC) did not call msync()");
    c = &mm_msync_log[(mm_msync_count - 1) % MM_MSYNC_LOG];
    MM_CHECK(covers(c, mm_addr(m), len),
             "sync_mapping on a %zu-byte mapping at %p called msync(%p, %zu, ...): the whole mapping must be synced",
             len, mm_addr(m), c->addr, c->len);
    MM_CHECK((c->flags & (MS_SYNC | MS_ASYNC)) == MS_SYNC, "sync_mapping(m, MS_SYNC) called msync with flags %#x instead of MS_SYNC",
             (unsigned)c->flags);
    mm_msync_reset();
    mm_step("calling sync_mapping(m, MS_ASYNC)");
    MM_CHECK(sync_mapping(m, MS_ASYNC) == 0, "sync_mapping(m, MS_ASYNC) returned nonzero");
    MM_CHECK(mm_msync_count > 0 && (mm_msync_log[0].flags & (MS_SYNC | MS_ASYNC)) == MS_ASYNC,
             "sync_mapping(m, MS_ASYNC) did not pass MS_ASYNC to msync");
    mm_release(m, "writable file mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}
