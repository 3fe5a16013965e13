/*
 * Row 7, cross_process: two processes that share only the region's name
 * communicate through it. The child is forked before the region exists,
 * so it can only reach it by attach_shared_region(name, ...). Each side's
 * unmap() (and destroy_shared_region) comes after the exchange and is
 * unmap_cleanup's (notes here).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../harness.h"

MM_SUITE(cross_process);

enum { CHILD_OK = 0, CHILD_NO_ATTACH = 10, CHILD_BAD_SIZE, CHILD_BAD_DATA, CHILD_NO_UNMAP, CHILD_LOST,
       CHILD_NO_WRITE };

/* The child's verdict on the exchange goes through the `done` pipe before
 * its unmap(); its exit status then says how unmap() went. */

static const char *child_verdict(int code)
{
    switch (code) {
    case CHILD_NO_ATTACH:
        return "in the second process, attach_shared_region(name, 1) returned NULL";
    case CHILD_BAD_SIZE:
        return "in the second process, the attached region does not have the created size";
    case CHILD_BAD_DATA:
        return "the second process does not see the bytes the first one wrote into the region";
    case CHILD_NO_WRITE:
        return "in the second process, the region of attach_shared_region(name, 1) refuses writes";
    default:
        return "the second process never heard from the first";
    }
}

/* The second process: wait for the region, check it, answer through it. */
static int exchange_in_child(const char *name, size_t size, int ready_fd, t_mapping **m)
{
    if (mm_recv(ready_fd) != 1)
        return CHILD_LOST;
    *m = attach_shared_region(name, 1);
    if (!*m)
        return CHILD_NO_ATTACH;
    if (mm_size(*m) != size)
        return CHILD_BAD_SIZE;
    if (mm_rmismatch(mm_addr(*m), size, 15) != size)
        return CHILD_BAD_DATA;
    if (mm_rtry_fill(mm_addr(*m), size, 16) != 0)
        return CHILD_NO_WRITE;
    return CHILD_OK;
}

static void second_process(const char *name, size_t size, int ready_fd, int done_fd)
{
    t_mapping *m = NULL;
    int verdict = exchange_in_child(name, size, ready_fd, &m);

    mm_send(done_fd, verdict);
    if (verdict != CHILD_OK || !mm_driver_has(MM_FN_unmap))
        _exit(verdict);
    _exit(unmap(m) == 0 ? CHILD_OK : CHILD_NO_UNMAP);
}

/* How the second process's unmap() went, after a good exchange. */
static void note_child_unmap(int status)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_OK)
        return;
    if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_NO_UNMAP)
        mm_note(MM_ROW_CLEANUP, "in the second process, unmap() of the attached region returned nonzero");
    else
        mm_note(MM_ROW_CLEANUP, "the second process %s in unmap() of the attached region",
                mm_status_str(status));
}

static void exchange(size_t size, const char *tag)
{
    const char *name = mm_shm_name(tag);
    int ready[2];
    int done[2];
    t_mapping *m;
    pid_t pid;
    int status;
    int verdict;
    size_t bad;

    MM_REQUIRE(create_shared_region);
    MM_REQUIRE(attach_shared_region);
    mm_pipe(ready);
    mm_pipe(done);
    pid = mm_fork();
    if (pid == 0) {
        close(ready[1]);
        close(done[0]);
        second_process(name, size, ready[0], done[1]);
    }
    close(ready[0]);
    close(done[1]);
    mm_step("calling create_shared_region(\"%s\", %zu)", name, size);
    m = create_shared_region(name, size);
    if (m == NULL) {
        mm_send(ready[1], 0);
        close(ready[1]);
    }
    MM_CHECK(m != NULL, "create_shared_region(\"%s\", %zu) returned NULL (%s)%s", name, size,
             mm_errno_name(errno), mm_hint_create(errno));
    /* The second process may look only once every byte is written. */
    mm_step("writing the %zu bytes of the region", size);
    mm_rfill(mm_addr(m), size, 15, "writing into the region returned by create_shared_region");
    mm_send(ready[1], 1);
    close(ready[1]);
    mm_step("waiting for the second process");
    verdict = mm_recv(done[0]);
    status = mm_wait(pid);
    close(done[0]);
    MM_CHECK(verdict >= 0, "the second process %s", mm_status_str(status));
    MM_CHECK(verdict == CHILD_OK, "%s%s", child_verdict(verdict),
             verdict == CHILD_NO_ATTACH ? mm_hint_attach(name) : "");
    note_child_unmap(status);
    bad = mm_rmismatch(mm_addr(m), size, 16);
    MM_CHECK(bad == size, "byte %zu written by the second process is not seen by the first", bad);
    mm_release(m, "created region");
    mm_release_name(name);
}

Test(cross_process, one_page)
{
    exchange(4096, "xp1");
    mm_finish_noting("after unmap() and destroy_shared_region()", MM_ROW_CLEANUP);
}

Test(cross_process, multi_page)
{
    exchange(5 * mm_page() + 17, "xp5");
    mm_finish_noting("after unmap() and destroy_shared_region()", MM_ROW_CLEANUP);
}
