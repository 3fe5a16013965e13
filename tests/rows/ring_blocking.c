/*
 * Bonus row ring_blocking (spec section 3.1): a reader or writer asleep in
 * another process is woken; a write longer than the capacity; waiting uses
 * no CPU (measured on the process that runs the ring code: the kid's
 * driver, ../ring_kids.h).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "../ring_kids.h"

MM_SUITE(ring_blocking);

Test(ring_blocking, reader_woken_by_writer)
{
    const char *name = mm_shm_name("wake_r");
    struct kid k;
    struct result r;
    t_ring_buffer *rb;

    require_ring(1);
    mm_fill(g_src, 100, 43);
    kid_attached(&k, name, 0, 0, NULL, 1000);
    rb = new_ring(name, CAP);
    kid_go(&k);
    kid_calling(&k);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_read(rb, buf, 1000) on an empty ring, in a process that attached by name, returned "
             "instead of waiting for data");
    put(rb, g_src, 100, 0);
    mm_step("waiting for ring_read, asleep in another process, after ring_write put 100 bytes in the ring");
    r = kid_result(&k, g_dst, 1000);
    kid_end(&k);
    MM_CHECK(r.ret > 0 && r.ret <= 100,
             "ring_read(rb, buf, 1000) in the other process, woken by a 100-byte write, returned %zd (errno %d: %s)",
             r.ret, r.err, strerror(r.err));
    expect_bytes(g_dst, g_src, (size_t)r.ret, "the bytes read by the other process");
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}

/* A write of 3 capacities and a bit, with no reader yet: it fills the ring,
 * sleeps, and goes on each time the reader makes room; returns len. */
Test(ring_blocking, writer_woken_by_reader)
{
    static const size_t rsizes[] = {1000, 4096, 1, 77, 3000};
    const char *name = mm_shm_name("wake_w");
    size_t total = 3 * CAP + 123;
    size_t got = 0;
    struct kid k;
    struct result r;
    t_ring_buffer *rb;
    size_t bad;

    require_ring(1);
    mm_fill(g_src, total, 44);
    kid_attached(&k, name, 0, 1, g_src, total);
    rb = new_ring(name, CAP);
    kid_go(&k);
    kid_calling(&k);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_write(rb, buf, %zu) into a ring of capacity 4096 with no reader returned instead of "
             "waiting for room: it must write all len bytes",
             total);
    for (int i = 0; got < total; i++) {
        size_t len = rsizes[i % 5];
        ssize_t n;

        mm_step("calling ring_read(rb, buf, %zu) after %zu of the %zu bytes a writer in another process is writing",
                len, got, total);
        n = ring_read(rb, g_dst + got, len);
        MM_CHECK(n > 0 && (size_t)n <= len, "ring_read(rb, buf, %zu) returned %zd (errno %d: %s)", len, n, errno,
                 strerror(errno));
        got += (size_t)n;
    }
    bad = mm_mismatch(g_dst, total, 44);
    MM_CHECK(bad == total, "byte %zu of a %zu-byte ring_write came out wrong", bad, total);
    mm_step("waiting for the other process's ring_write(rb, buf, %zu) to return", total);
    r = kid_result(&k, NULL, 0);
    kid_end(&k);
    MM_CHECK(r.ret == (ssize_t)total, "ring_write(rb, buf, %zu) into a ring of capacity 4096 returned %zd", total,
             r.ret);
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}

static long thread_cpu_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (long)ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* Spends `us` microseconds of this process's own CPU time. */
static unsigned burn_cpu(long us)
{
    long until = thread_cpu_us() + us;
    volatile unsigned x = 1;

    while (thread_cpu_us() < until)
        for (int i = 0; i < 10000; i++)
            x = x * 1103515245u + 12345u;
    return x;
}

/*
 * The reader waits while this process works for 200 ms of its own CPU time
 * (so the wait lasts at least that long, however loaded the machine). A
 * reader that sleeps uses next to no CPU meanwhile; one that spins on the
 * cursors uses about as much as this process did. The reader's CPU is its
 * driver's (the process that runs ring_read), from its fork until
 * ring_read returned.
 */
Test(ring_blocking, waiting_uses_no_cpu)
{
    const char *name = mm_shm_name("cpu");
    const long burn_us = 200000;
    struct kid k;
    struct result r;
    t_ring_buffer *rb;
    long used;

    require_ring(1);
    mm_fill(g_src, 64, 45);
    kid_attached(&k, name, 0, 0, NULL, 64);
    rb = new_ring(name, CAP);
    kid_go(&k);
    kid_calling(&k);
    mm_step("working 200 ms while ring_read waits for data in another process");
    (void)burn_cpu(burn_us);
    put(rb, g_src, 64, 0);
    mm_step("waiting for ring_read, in another process, after ring_write put 64 bytes in the ring");
    r = kid_result(&k, g_dst, 64);
    kid_end(&k);
    MM_CHECK(r.ret > 0, "ring_read(rb, buf, 64) in the other process returned %zd (errno %d: %s)", r.ret, r.err,
             strerror(r.err));
    expect_bytes(g_dst, g_src, (size_t)r.ret, "the bytes read by the other process");
    used = r.cpu_us;
    MM_CHECK(used >= 0, "test set-up: cannot read the CPU time of the process that ran ring_read");
    MM_CHECK(used < burn_us / 2,
             "a process waiting in ring_read on an empty ring used %ld ms of CPU while it waited at least "
             "%ld ms: waiting must sleep (condition variable, futex...), not spin on the cursors",
             used / 1000, burn_us / 1000);
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}
