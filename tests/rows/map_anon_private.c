/*
 * Row 3, map_anon_private: map_anonymous(size, 0) gives zeroed, writable
 * memory that a forked child does not share.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "../harness.h"

MM_SUITE(map_anon_private);

static t_mapping *map_private(size_t size)
{
    t_mapping *m;

    MM_REQUIRE(map_anonymous);
    mm_step("calling map_anonymous(%zu, 0)", size);
    m = map_anonymous(size, 0);
    MM_CHECK(m != NULL, "map_anonymous(%zu, 0) returned NULL (%s)", size, mm_errno_name(errno));
    MM_CHECK(mm_addr(m) != NULL && mm_addr(m) != (void *)-1,
             "map_anonymous returned a mapping whose addr is %p", mm_addr(m));
    MM_CHECK(mm_size(m) == size, "map_anonymous(%zu, 0) recorded size %zu", size, mm_size(m));
    return m;
}

Test(map_anon_private, zeroed_and_writable)
{
    size_t size = 3 * mm_page() + 5;
    t_mapping *m = map_private(size);
    unsigned char page[4096];
    uintptr_t p = (uintptr_t)mm_addr(m);

    mm_step("reading the %zu bytes of the new mapping", size);
    for (size_t off = 0; off < size; off += sizeof page) {
        size_t n = size - off < sizeof page ? size - off : sizeof page;

        MM_CHECK(mm_remote_read(p + off, page, n) == 0,
                 "byte %zu of a new %zu-byte anonymous mapping cannot be read (not mapped?)", off, size);
        for (size_t i = 0; i < n; i++)
            MM_CHECK(page[i] == 0, "byte %zu of a new anonymous mapping is %d, not 0", off + i, page[i]);
    }
    mm_step("writing the %zu bytes of the mapping", size);
    mm_rfill(mm_addr(m), size, 7, "writing into the map_anonymous(size, 0) mapping");
    MM_CHECK(mm_rmismatch(mm_addr(m), size, 7) == size, "the anonymous mapping did not keep what was written");
    MM_CHECK(strchr(mm_perms(mm_addr(m)), 'p') != NULL,
             "map_anonymous(size, 0) returned a shared mapping (%s): shared=0 needs MAP_PRIVATE",
             mm_perms(mm_addr(m)));
    mm_release(m, "private anonymous mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}

/* The child's write lands in its own copy of the page (copy-on-write). */
Test(map_anon_private, child_writes_stay_in_child)
{
    t_mapping *m = map_private(4096);
    int done[2];
    pid_t pid;
    int status;

    mm_step("writing into the region returned by map_anonymous");
    mm_rput(mm_addr(m), "Private data", "writing into the map_anonymous(4096, 0) mapping");
    mm_pipe(done);
    pid = mm_fork();
    if (pid == 0) {
        if (mm_remote_write((uintptr_t)mm_addr(m), "Modified", 9) != 0)
            _exit(3);
        mm_send(done[1], 1);
        _exit(0);
    }
    close(done[1]);
    MM_CHECK(mm_recv(done[0]) == 1, "the child did not get to write into the mapping");
    close(done[0]);
    status = mm_wait(pid);
    MM_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child %s", mm_status_str(status));
    MM_CHECK(strcmp(mm_rget(mm_addr(m)), "Private data") == 0,
             "after a child wrote \"Modified\" into a map_anonymous(4096, 0) region, the parent reads \"%.20s\": the mapping is shared, not private",
             mm_rget(mm_addr(m)));
    mm_release(m, "private anonymous mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}
