/*
 * Bonus row ring_fifo (spec section 3.1): bytes come out of the ring in
 * order, byte-exact, over many laps, with record sizes that never line up
 * with the capacity; in one process, then from a parent to a child that
 * shares the ring through fork(). The shared helpers and the theory of
 * operation are in ../ring_kids.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "../ring_kids.h"

MM_SUITE(ring_fifo);

static const size_t wsizes[] = {1, 7, 499, 13, 997, 3, 251, 41};
static const size_t rsizes[] = {5, 1000, 1, 333, 77, 2047, 9, 640};

/*
 * Writes `total` bytes of g_src through a ring of capacity `cap` in records
 * of `wsizes`, reading them back with reads of `rsizes`; never lets the ring
 * be more than cap - 1 full (the full boundary has a row of its own). A
 * read may return fewer bytes than asked (get()).
 */
static void stream_through(t_ring_buffer *rb, size_t cap, size_t total)
{
    size_t written = 0;
    size_t got = 0;
    unsigned i = 0;
    size_t bad;

    while (got < total) {
        size_t want = wsizes[i % 8] < cap - 1 ? wsizes[i % 8] : cap - 1;

        if (want > total - written)
            want = total - written;
        while (want > 0 && written - got + want <= cap - 1) {
            put(rb, g_src + written, want, written - got);
            written += want;
            want = wsizes[++i % 8] < cap - 1 ? wsizes[i % 8] : cap - 1;
            if (want > total - written)
                want = total - written;
        }
        got += get(rb, g_dst + got, rsizes[(i + got) % 8], written - got);
    }
    bad = mm_mismatch(g_dst, total, 40);
    MM_CHECK(bad == total,
             "byte %zu of the stream came out of the ring wrong (after %zu laps of a %zu-byte ring): "
             "expected 0x%02x, got 0x%02x",
             bad, bad / cap, cap, g_src[bad], g_dst[bad]);
}

static void fifo_laps(size_t cap, int laps, const char *tag)
{
    const char *name = mm_shm_name(tag);
    size_t total = (size_t)laps * cap + 123;
    t_ring_buffer *rb;

    require_ring();
    mm_fill(g_src, total, 40);
    rb = new_ring(name, cap);
    stream_through(rb, cap, total);
    drop_ring(rb, "ring");
}

/* Capacity 4096; record sizes are odd, so records straddle the end at
 * every offset. */
Test(ring_fifo, many_laps)
{
    fifo_laps(CAP, 10, "fifo");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}

/* A capacity that is not a power of two: `pos & (cap - 1)` is wrong. */
Test(ring_fifo, odd_capacity)
{
    fifo_laps(1000, 25, "fifo_odd");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}

/* What the child of through_a_child saw: sent back on a pipe, then the bytes. */
struct child_report {
    size_t got;
    ssize_t ret; /* the failing read's value, when got < total */
    int err;
};

/* The child: reads `total` bytes with reads of rsizes through the handle
 * it inherited, then sends them to the parent. */
static void child_reads(t_ring_buffer *rb, size_t total, int out)
{
    struct child_report rep = {0, 0, 0};

    for (unsigned i = 0; rep.got < total; i++) {
        size_t len = rsizes[i % 8] < total - rep.got ? rsizes[i % 8] : total - rep.got;
        ssize_t n = ring_read(rb, g_dst + rep.got, len);

        if (n <= 0 || (size_t)n > len) {
            rep.ret = n;
            rep.err = errno;
            break;
        }
        rep.got += (size_t)n;
    }
    (void)mm_write_all(out, &rep, sizeof rep);
    (void)mm_write_all(out, g_dst, rep.got);
    _exit(0);
}

/*
 * The subject's way of sharing a ring between processes: create it, then
 * fork. The parent writes ten laps in records of odd sizes (each write
 * waits while the ring is full), the child reads them with reads of other
 * odd sizes through the handle it inherited.
 */
Test(ring_fifo, through_a_child)
{
    const char *name = mm_shm_name("fifo_fork");
    size_t total = 10 * CAP + 123;
    size_t written = 0;
    struct child_report rep;
    t_ring_buffer *rb;
    int out[2];
    pid_t kid;
    size_t bad;
    int status;

    require_ring();
    mm_fill(g_src, total, 41);
    rb = new_ring(name, CAP);
    mm_pipe(out);
    kid = ring_fork();
    if (kid == 0) {
        close(out[0]);
        child_reads(rb, total, out[1]);
    }
    close(out[1]);
    for (unsigned i = 0; written < total; i++) {
        size_t len = wsizes[i % 8] < total - written ? wsizes[i % 8] : total - written;
        ssize_t n;

        mm_step("calling ring_write(rb, buf, %zu) after %zu of %zu bytes, while a forked child reads them "
                "(stuck here: the child's reads do not make room the parent sees, or do not wake it)",
                len, written, total);
        n = ring_write(rb, g_src + written, len);
        MM_CHECK(n == (ssize_t)len, "ring_write(rb, buf, %zu) returned %zd (errno %d: %s), expected %zu", len, n,
                 errno, strerror(errno), len);
        written += len;
    }
    mm_step("waiting for the forked child to read the %zu bytes the parent wrote", total);
    MM_CHECK(kid_read_all(out[0], &rep, sizeof rep) == sizeof rep, "the forked child that read the ring %s",
             mm_status_str(mm_wait(kid)));
    MM_CHECK(rep.got == total, "in a forked child, ring_read(rb, buf, len) returned %zd (errno %d: %s) after %zu "
             "of the %zu bytes its parent wrote", rep.ret, rep.err, strerror(rep.err), rep.got, total);
    MM_CHECK(kid_read_all(out[0], g_dst, total) == total, "test set-up: lost the bytes the child read");
    close(out[0]);
    status = mm_wait(kid);
    MM_CHECK(WIFEXITED(status), "the forked child that read the ring %s", mm_status_str(status));
    bad = mm_mismatch(g_dst, total, 41);
    MM_CHECK(bad == total,
             "byte %zu of the stream a parent wrote came out wrong in its forked child (after %zu laps of a "
             "4096-byte ring): expected 0x%02x, got 0x%02x",
             bad, bad / CAP, g_src[bad], g_dst[bad]);
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}
