/*
 * Row 4, map_anon_shared: map_anonymous(size, 1) is shared with children
 * forked after it, in both directions, on every page.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness.h"

MM_SUITE(map_anon_shared);

static t_mapping *map_shared(size_t size)
{
    t_mapping *m;

    MM_REQUIRE(map_anonymous);
    mm_step("calling map_anonymous(%zu, 1)", size);
    m = map_anonymous(size, 1);
    MM_CHECK(m != NULL, "map_anonymous(%zu, 1) returned NULL (%s)", size, mm_errno_name(errno));
    MM_CHECK(mm_addr(m) != NULL && mm_addr(m) != (void *)-1,
             "map_anonymous returned a mapping whose addr is %p", mm_addr(m));
    MM_CHECK(mm_size(m) == size, "map_anonymous(%zu, 1) recorded size %zu", size, mm_size(m));
    return m;
}

/* The child writes every byte; the parent reads them after waitpid. */
Test(map_anon_shared, child_writes_seen_by_parent)
{
    size_t size = 3 * mm_page() + 100;
    t_mapping *m = map_shared(size);
    pid_t pid;
    int status;
    size_t bad;

    mm_step("writing into the region returned by map_anonymous");
    mm_rfill(mm_addr(m), size, 99, "writing into the map_anonymous(size, 1) mapping");
    pid = mm_fork();
    if (pid == 0) {
        /* Written into the driver's child: its copy of the mapping. */
        _exit(mm_rtry_fill(mm_addr(m), size, 8) == 0 ? 0 : 3);
    }
    status = mm_wait(pid);
    MM_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child %s", mm_status_str(status));
    bad = mm_rmismatch(mm_addr(m), size, 8);
    MM_CHECK(bad == size,
             "a child wrote %zu bytes into a map_anonymous(%zu, 1) region, but the parent sees byte %zu unchanged: the mapping is not shared",
             size, size, bad);
    mm_release(m, "shared anonymous mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}

/* The parent writes after the fork; the child checks and says so in its
 * exit status (0: all seen, 1: not seen). */
Test(map_anon_shared, parent_writes_seen_by_child)
{
    size_t size = 2 * mm_page() + 1;
    t_mapping *m = map_shared(size);
    int go[2];
    pid_t pid;
    int status;

    mm_pipe(go);
    pid = mm_fork();
    if (pid == 0) {
        close(go[1]);
        if (mm_recv(go[0]) != 1)
            _exit(2);
        _exit(mm_rmismatch(mm_addr(m), size, 9) == size ? 0 : 1);
    }
    close(go[0]);
    mm_step("writing into the region returned by map_anonymous");
    mm_rfill(mm_addr(m), size, 9, "writing into the map_anonymous(size, 1) mapping");
    mm_send(go[1], 1);
    close(go[1]);
    status = mm_wait(pid);
    MM_CHECK(!WIFEXITED(status) || WEXITSTATUS(status) != 1,
             "the parent wrote into a map_anonymous(%zu, 1) region after fork(), and the child did not see it: the mapping is not shared",
             size);
    MM_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child %s", mm_status_str(status));
    MM_CHECK(strchr(mm_perms(mm_addr(m)), 's') != NULL,
             "map_anonymous(size, 1) returned a private mapping (%s): shared=1 needs MAP_SHARED",
             mm_perms(mm_addr(m)));
    mm_release(m, "shared anonymous mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}
