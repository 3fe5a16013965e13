/*
 * Row 7, cross_process: two processes that share only the region's name
 * communicate through it. The child is forked before the region exists,
 * so it can only reach it by attach_shared_region(name, ...).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../harness.h"

MM_SUITE(cross_process);

enum { CHILD_OK = 0, CHILD_NO_ATTACH = 10, CHILD_BAD_SIZE, CHILD_BAD_DATA, CHILD_NO_UNMAP, CHILD_LOST,
       CHILD_NO_WRITE };

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
    case CHILD_NO_UNMAP:
        return "in the second process, unmap() of the attached region returned nonzero";
    default:
        return "the second process never heard from the first";
    }
}

/* The second process: wait for the region, check it, answer through it. */
static int second_process(const char *name, size_t size, int ready_fd, int done_fd)
{
    t_mapping *m;

    if (mm_recv(ready_fd) != 1)
        return CHILD_LOST;
    m = attach_shared_region(name, 1);
    if (!m)
        return CHILD_NO_ATTACH;
    if (mm_size(m) != size)
        return CHILD_BAD_SIZE;
    if (mm_rmismatch(mm_addr(m), size, 15) != size)
        return CHILD_BAD_DATA;
    if (mm_rtry_fill(mm_addr(m), size, 16) != 0)
        return CHILD_NO_WRITE;
    if (unmap(m) != 0)
        return CHILD_NO_UNMAP;
    mm_send(done_fd, 1);
    return CHILD_OK;
}

static void exchange(size_t size, const char *tag)
{
    const char *name = mm_shm_name(tag);
    int ready[2];
    int done[2];
    t_mapping *m;
    pid_t pid;
    int status;
    size_t bad;

    MM_REQUIRE(create_shared_region);
    MM_REQUIRE(attach_shared_region);
    MM_REQUIRE(unmap);
    mm_pipe(ready);
    mm_pipe(done);
    pid = mm_fork();
    if (pid == 0) {
        close(ready[1]);
        close(done[0]);
        _exit(second_process(name, size, ready[0], done[1]));
    }
    close(ready[0]);
    close(done[1]);
    mm_step("calling create_shared_region(\"%s\", %zu)", name, size);
    m = create_shared_region(name, size);
    if (m == NULL) {
        mm_send(ready[1], 0);
        close(ready[1]);
    }
    MM_CHECK(m != NULL, "create_shared_region(\"%s\", %zu) returned NULL (errno %d: %s)", name, size,
             errno, strerror(errno));
    /* The second process may look only once every byte is written. */
    mm_step("writing the %zu bytes of the region", size);
    mm_rfill(mm_addr(m), size, 15, "writing into the region returned by create_shared_region");
    mm_send(ready[1], 1);
    close(ready[1]);
    mm_step("waiting for the second process");
    status = mm_wait(pid);
    close(done[0]);
    MM_CHECK(WIFEXITED(status), "the second process %s", mm_status_str(status));
    MM_CHECK(WEXITSTATUS(status) == CHILD_OK, "%s", child_verdict(WEXITSTATUS(status)));
    bad = mm_rmismatch(mm_addr(m), size, 16);
    MM_CHECK(bad == size, "byte %zu written by the second process is not seen by the first", bad);
    mm_step("calling unmap() on the created region");
    MM_CHECK(unmap(m) == 0, "unmap() of the created region returned nonzero");
    MM_REQUIRE(destroy_shared_region);
    mm_step("calling destroy_shared_region(\"%s\")", name);
    MM_CHECK(destroy_shared_region(name) == 0, "destroy_shared_region(\"%s\") returned nonzero", name);
}

Test(cross_process, one_page)
{
    exchange(4096, "xp1");
    mm_finish("after unmap() and destroy_shared_region()");
}

Test(cross_process, multi_page)
{
    exchange(5 * mm_page() + 17, "xp5");
    mm_finish("after unmap() and destroy_shared_region()");
}
