/*
 * Bonus row ring_boundaries (spec section 3.1): an exactly full ring, an
 * exactly empty one, one byte, reads across the end of the data area, bad
 * arguments. Every call that might block runs in a kid that shares the
 * ring through fork() (../ring_kids.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../ring_kids.h"

MM_SUITE(ring_boundaries);

/* ring_read on an empty ring sleeps; one byte wakes it and it gets that byte. */
Test(ring_boundaries, empty_ring_blocks_reader)
{
    const char *name = mm_shm_name("empty");
    struct kid k;
    struct result r;
    unsigned char b = 0xa5;
    t_ring_buffer *rb;

    require_ring();
    rb = new_ring(name, CAP);
    kid_call(&k, rb, 0, NULL, 16);
    MM_CHECK(kid_settle(&k) == ASLEEP, "ring_read(rb, buf, 16) on a new, empty ring returned instead of waiting for data");
    put(rb, &b, 1, 0);
    MM_CHECK(kid_wakes(&k),
             "ring_read(rb, buf, 16), asleep on an empty ring in another process, stayed asleep after ring_write "
             "put 1 byte in the ring: a process waiting in the ring must be woken by another process's write");
    r = kid_result(&k, g_dst, 16);
    kid_end(&k);
    MM_CHECK(r.ret == 1, "ring_read(rb, buf, 16), woken by a 1-byte ring_write, returned %zd instead of 1",
             r.ret);
    expect_bytes(g_dst, &b, 1, "the byte read");
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}

/*
 * Exactly `capacity` bytes fit with no reader; one more waits; a full ring
 * reads back whole (in as many reads as the ring returns); then the ring
 * is empty again.
 */
Test(ring_boundaries, exactly_full)
{
    const char *name = mm_shm_name("full");
    struct kid k;
    struct kid w;
    struct result r;
    size_t got;
    t_ring_buffer *rb;

    require_ring();
    mm_fill(g_src, 2 * CAP, 41);
    rb = new_ring(name, CAP);
    kid_call(&w, rb, 1, g_src, CAP);
    MM_CHECK(kid_settle(&w) == RETURNED,
             "ring_write(rb, buf, 4096) on an empty ring made by create_ring_buffer(name, 4096) went to "
             "sleep: a ring of capacity 4096 holds 4096 bytes of data (the subject's ring_write waits only "
             "when the ring is full)");
    r = kid_result(&w, NULL, 0);
    kid_end(&w);
    MM_CHECK(r.ret == CAP, "ring_write(rb, buf, 4096) on an empty ring of capacity 4096 returned %zd", r.ret);

    kid_call(&k, rb, 1, g_src + CAP, 1);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_write(rb, buf, 1) on a full ring (4096 bytes in a ring of capacity 4096) returned "
             "instead of waiting for a reader: it overwrites unread bytes");
    r = call_returns(rb, 0, NULL, CAP, g_dst, "on a full ring (4096 bytes in a ring of capacity 4096)");
    MM_CHECK(r.ret > 0 && r.ret <= CAP,
             "ring_read(rb, buf, 4096) on a full ring of capacity 4096 returned %zd (errno %d: %s)", r.ret,
             r.err, strerror(r.err));
    got = (size_t)r.ret;
    MM_CHECK(kid_wakes(&k),
             "ring_write(rb, buf, 1), asleep on a full ring in another process, stayed asleep after ring_read "
             "took %zu bytes: a reader must wake the waiting writers whenever it makes room", got);
    r = kid_result(&k, NULL, 0);
    kid_end(&k);
    MM_CHECK(r.ret == 1, "ring_write(rb, buf, 1), woken when a read made room, returned %zd", r.ret);
    /* The rest of the full ring, then the writer's byte: each read must
     * return at once, whatever it returns. */
    while (got < CAP + 1) {
        char state[64];

        snprintf(state, sizeof state, "with %zu byte%s in the ring", CAP + 1 - got, CAP + 1 - got == 1 ? "" : "s");
        r = call_returns(rb, 0, NULL, CAP, g_dst + got, state);
        MM_CHECK(r.ret > 0 && (size_t)r.ret <= CAP + 1 - got, "ring_read(rb, buf, 4096) %s returned %zd", state,
                 r.ret);
        got += (size_t)r.ret;
    }
    expect_bytes(g_dst, g_src, CAP + 1, "the 4096 bytes of a full ring, then the byte written after them");

    kid_call(&k, rb, 0, NULL, 100);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_read(rb, buf, 100) returned although every byte written had been read: the ring is empty");
    put(rb, g_src, 3, 0);
    MM_CHECK(kid_wakes(&k), "ring_read(rb, buf, 100), asleep on an empty ring, stayed asleep after a 3-byte write");
    r = kid_result(&k, g_dst, 100);
    kid_end(&k);
    MM_CHECK(r.ret > 0 && r.ret <= 3, "ring_read(rb, buf, 100), woken by a 3-byte write, returned %zd", r.ret);
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}

/* One byte is not "empty"; and the ring holds exactly what was written at
 * every fill level around the end of the data area. A read that stops at
 * the end of the data area is accepted: the rest comes with the next. */
Test(ring_boundaries, across_the_end)
{
    static const size_t fills[] = {1, CAP - 3, 7, CAP, 1, CAP - 1, 2, CAP};
    const char *name = mm_shm_name("wrap");
    size_t pos = 0;
    t_ring_buffer *rb;

    require_ring();
    mm_fill(g_src, 6 * CAP, 42);
    rb = new_ring(name, CAP);
    for (int i = 0; i < 8; i++) {
        char state[128];
        struct result r;
        size_t first;

        snprintf(state, sizeof state, "with %zu free bytes (write position %zu of the data area)", (size_t)CAP,
                 pos % CAP);
        r = call_returns(rb, 1, g_src + pos, fills[i], NULL, state);
        MM_CHECK(r.ret == (ssize_t)fills[i], "ring_write(rb, buf, %zu) on an empty ring returned %zd",
                 fills[i], r.ret);
        snprintf(state, sizeof state, "with %zu byte%s in the ring", fills[i], fills[i] == 1 ? "" : "s");
        r = call_returns(rb, 0, NULL, CAP, g_dst, state);
        MM_CHECK(r.ret > 0 && r.ret <= (ssize_t)fills[i],
                 "ring_read(rb, buf, 4096) with %zu bytes in the ring, starting at offset %zu of the "
                 "data area, returned %zd (errno %d: %s)",
                 fills[i], pos % CAP, r.ret, r.err, strerror(r.err));
        first = (size_t)r.ret;
        take(rb, g_dst + first, fills[i] - first, CAP, fills[i] - first);
        snprintf(state, sizeof state, "the %zu bytes read from offset %zu of the data area", fills[i], pos % CAP);
        expect_bytes(g_dst, g_src + pos, fills[i], state);
        pos += fills[i];
    }
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}

/*
 * NULL handles give -1 (the subject's "toujours verifier la validite des
 * pointeurs"); a ring of capacity 0 is refused; len 0 moves nothing. A
 * ring_read of 0 bytes on an empty ring may return 0 at once (as read(2)
 * does) or wait for data like any read ("bloquant si vide"); either way it
 * takes no byte.
 */
Test(ring_boundaries, bad_arguments)
{
    const char *name = mm_shm_name("args");
    unsigned char buf[8] = {0};
    const unsigned char b[2] = {0x5a, 0xc3};
    int slept;
    struct kid k;
    struct result r;
    t_ring_buffer *rb;
    ssize_t n;

    require_ring();
    mm_step("calling create_ring_buffer(\"%s\", 0)", name);
    rb = create_ring_buffer(name, 0);
    MM_CHECK(rb == NULL, "create_ring_buffer(name, 0) returned a ring of capacity 0 instead of NULL (a ring "
             "that holds no byte would make every ring_write wait forever)");
    MM_CHECK(!shm_exists(name), "create_ring_buffer(name, 0) failed but left the shared memory object %s", name);
    mm_step("calling ring_write(NULL, buf, 8)");
    n = ring_write(NULL, buf, 8);
    MM_CHECK(n == -1, "ring_write(NULL, buf, 8) returned %zd, expected -1 (an error)", n);
    mm_step("calling ring_read(NULL, buf, 8)");
    n = ring_read(NULL, buf, 8);
    MM_CHECK(n == -1, "ring_read(NULL, buf, 8) returned %zd, expected -1 (an error)", n);
    mm_step("calling destroy_ring_buffer(NULL)");
    destroy_ring_buffer(NULL);
    rb = new_ring(name, CAP);
    r = call_returns(rb, 1, buf, 0, NULL, "with len 0");
    MM_CHECK(r.ret == 0, "ring_write(rb, buf, 0) returned %zd, expected 0", r.ret);
    kid_call(&k, rb, 0, NULL, 0);
    slept = kid_settle(&k) == ASLEEP;
    if (slept)
        put(rb, &b[0], 1, 0);
    r = kid_result(&k, NULL, 0);
    kid_end(&k);
    MM_CHECK(r.ret == 0, "ring_read(rb, buf, 0) returned %zd, expected 0", r.ret);
    r = call_returns(rb, 1, &b[1], 1, NULL, "with len 1 on a ring with room");
    MM_CHECK(r.ret == 1, "ring_write(rb, buf, 1) returned %zd, expected 1", r.ret);
    r = call_returns(rb, 0, NULL, 8, buf, "with bytes in the ring");
    MM_CHECK(r.ret >= 1, "ring_read(rb, buf, 8) returned %zd with bytes in the ring", r.ret);
    expect_bytes(buf, &b[slept ? 0 : 1], 1,
                 slept ? "the byte that woke a ring_read of 0 bytes (such a read must take no byte)"
                       : "the first byte read after a ring_read of 0 bytes");
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}
