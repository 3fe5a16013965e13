/*
 * Bonus row ring_blocking (spec section 3.1): a reader or writer asleep in
 * another process is woken, every time the ring changes in the way it
 * waits for, not only when the ring becomes empty or a write is complete;
 * a write longer than the capacity; waiting uses no CPU (measured on the
 * process that runs the ring code: the kid's driver, ../ring_kids.h).
 * Processes share the ring through fork().
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

    require_ring();
    mm_fill(g_src, 100, 43);
    rb = new_ring(name, CAP);
    kid_call(&k, rb, 0, NULL, 1000);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_read(rb, buf, 1000) on an empty ring, in a forked child, returned instead of waiting for data");
    put(rb, g_src, 100, 0);
    MM_CHECK(kid_wakes(&k),
             "ring_read(rb, buf, 1000), asleep on an empty ring in a forked child, stayed asleep after ring_write "
             "put 100 bytes in the ring: a process waiting in the ring must be woken by another process's write "
             "(the mutex and condition variables, or semaphores, must be shared between processes)");
    r = kid_result(&k, g_dst, 1000);
    kid_end(&k);
    MM_CHECK(r.ret > 0 && r.ret <= 100,
             "ring_read(rb, buf, 1000) in the other process, woken by a 100-byte write, returned %zd (errno %d: %s)",
             r.ret, r.err, strerror(r.err));
    expect_bytes(g_dst, g_src, (size_t)r.ret, "the bytes read by the other process");
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
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

    require_ring();
    mm_fill(g_src, total, 44);
    rb = new_ring(name, CAP);
    kid_call(&k, rb, 1, g_src, total);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_write(rb, buf, %zu) into a ring of capacity 4096 with no reader returned instead of "
             "waiting for room: it must write all len bytes, in pieces as readers make room",
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
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
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

    require_ring();
    mm_fill(g_src, 64, 45);
    rb = new_ring(name, CAP);
    kid_call(&k, rb, 0, NULL, 64);
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
             "%ld ms: waiting must sleep (condition variable, semaphore, futex...), not spin on the cursors",
             used / 1000, burn_us / 1000);
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}

/*
 * A writer of 1000 bytes sleeps on a ring with 1 byte free (not quite full:
 * whether all `capacity` bytes are usable is ring_boundaries' matter, and
 * a ring that keeps one byte unused finds exactly the room it needs here).
 * Reads of 600 then 400 bytes make the room it needs (and 1 byte more),
 * and leave 3095 bytes in the ring: it must be woken then, not only once a
 * reader has emptied the ring (no reader may ever empty it again: a lost
 * wake-up).
 */
Test(ring_blocking, partial_read_wakes_writer)
{
    const char *name = mm_shm_name("room");
    struct kid k;
    struct result r;
    t_ring_buffer *rb;

    require_ring();
    mm_fill(g_src, CAP - 1 + 1000, 50);
    rb = new_ring(name, CAP);
    put(rb, g_src, CAP - 1, 0);
    kid_call(&k, rb, 1, g_src + CAP - 1, 1000);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_write(rb, buf, 1000) with 1 free byte in the ring returned instead of waiting for room: it "
             "overwrites unread bytes");
    take(rb, g_dst, 600, 600, CAP - 1);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_write(rb, buf, 1000) returned when only 601 bytes of the ring were free: it overwrites "
             "unread bytes");
    take(rb, g_dst + 600, 400, 400, CAP - 601);
    MM_CHECK(kid_wakes(&k),
             "ring_write(rb, buf, 1000), asleep in another process, stayed asleep after ring_read calls made "
             "room for it: the room it waits for was there, and 3095 bytes were still in the ring (a lost "
             "wake-up: a reader must wake the waiting writers whenever it makes room, not only when it empties "
             "the ring)");
    r = kid_result(&k, NULL, 0);
    kid_end(&k);
    MM_CHECK(r.ret == 1000, "ring_write(rb, buf, 1000), woken when a read made room, returned %zd", r.ret);
    take(rb, g_dst + 1000, CAP - 1, CAP, CAP - 1);
    expect_bytes(g_dst, g_src, CAP - 1 + 1000,
                 "the stream: a ring 1 byte short of full, then the 1000 bytes written after it");
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}

/*
 * The mirror: a reader sleeps on an empty ring; a write of 2 capacities
 * and a bit, in another process, fills the ring with its first piece and
 * sleeps for room. The reader must be woken by that piece, not only once
 * the whole write is done (which it never will be without the reader: a
 * lost wake-up).
 */
Test(ring_blocking, long_write_wakes_reader)
{
    const char *name = mm_shm_name("piece");
    size_t total = 2 * CAP + 100;
    struct kid rd;
    struct kid wr;
    struct result r;
    size_t got;
    t_ring_buffer *rb;

    require_ring();
    mm_fill(g_src, total, 51);
    rb = new_ring(name, CAP);
    kid_call(&rd, rb, 0, NULL, 100);
    MM_CHECK(kid_settle(&rd) == ASLEEP, "ring_read(rb, buf, 100) on an empty ring returned instead of waiting");
    kid_call(&wr, rb, 1, g_src, total);
    MM_CHECK(kid_settle(&wr) == ASLEEP,
             "ring_write(rb, buf, %zu) into a ring of capacity 4096 returned instead of waiting for room: "
             "only one reader, asleep, was there to take at most 100 bytes", total);
    MM_CHECK(kid_wakes(&rd),
             "ring_read(rb, buf, 100), asleep on an empty ring, stayed asleep while a ring_write of %zu bytes "
             "in another process filled the ring with its first piece and waited for room (a lost wake-up: "
             "readers must be woken whenever bytes arrive, not only when a whole write is done)",
             total);
    r = kid_result(&rd, g_dst, 100);
    kid_end(&rd);
    MM_CHECK(r.ret > 0 && r.ret <= 100, "ring_read(rb, buf, 100), woken by a write, returned %zd (errno %d: %s)",
             r.ret, r.err, strerror(r.err));
    got = (size_t)r.ret;
    take(rb, g_dst + got, total - got, CAP, 0);
    expect_bytes(g_dst, g_src, total, "the bytes of a long write, read by two processes in turn");
    mm_step("waiting for the other process's ring_write(rb, buf, %zu) to return", total);
    r = kid_result(&wr, NULL, 0);
    kid_end(&wr);
    MM_CHECK(r.ret == (ssize_t)total, "ring_write(rb, buf, %zu) returned %zd", total, r.ret);
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}
