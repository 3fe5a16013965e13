/*
 * Bonus row ring_boundaries (spec section 3.1): an exactly full ring, an
 * exactly empty one, one byte, reads across the end of the data area, bad
 * arguments. Every call that might block runs in a kid (../ring_kids.h).
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

    require_ring(0);
    rb = new_ring(name, CAP);
    kid_call(&k, rb, 0, NULL, 16);
    MM_CHECK(kid_settle(&k) == ASLEEP, "ring_read(rb, buf, 16) on a new, empty ring returned instead of waiting for data");
    put(rb, &b, 1, 0);
    mm_step("waiting for ring_read, asleep in another process, after ring_write put 1 byte in the ring");
    r = kid_result(&k, g_dst, 16);
    kid_end(&k);
    MM_CHECK(r.ret == 1, "ring_read(rb, buf, 16), woken by a 1-byte ring_write, returned %zd instead of 1",
             r.ret);
    expect_bytes(g_dst, &b, 1, "the byte read");
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}

/* Exactly `capacity` bytes fit with no reader; one more waits; a full ring
 * reads back whole; then the ring is empty again. */
Test(ring_boundaries, exactly_full)
{
    const char *name = mm_shm_name("full");
    struct kid k;
    struct result r;
    struct result full;
    t_ring_buffer *rb;

    require_ring(0);
    mm_fill(g_src, 2 * CAP, 41);
    rb = new_ring(name, CAP);
    r = call_returns(rb, 1, g_src, CAP, NULL, "on an empty ring of capacity 4096 with no reader");
    MM_CHECK(r.ret == CAP, "ring_write(rb, buf, 4096) on an empty ring of capacity 4096 returned %zd", r.ret);

    kid_call(&k, rb, 1, g_src + CAP, 1);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_write(rb, buf, 1) on a full ring (4096 bytes in a ring of capacity 4096) returned "
             "instead of waiting for a reader: it overwrites unread bytes");
    full = call_returns(rb, 0, NULL, CAP, g_dst, "on a full ring (4096 bytes in a ring of capacity 4096)");
    MM_CHECK(full.ret == CAP,
             "ring_read(rb, buf, 4096) on a full ring of capacity 4096 returned %zd: it must return "
             "everything in the ring, up to len (errno %d: %s)",
             full.ret, full.err, strerror(full.err));
    expect_bytes(g_dst, g_src, CAP, "the 4096 bytes read from a full ring");
    mm_step("waiting for the 1-byte ring_write, asleep in another process, after a read emptied the ring");
    r = kid_result(&k, NULL, 0);
    kid_end(&k);
    MM_CHECK(r.ret == 1, "ring_write(rb, buf, 1), woken when the ring was emptied, returned %zd", r.ret);
    r = call_returns(rb, 0, NULL, 100, g_dst, "with 1 byte in the ring");
    MM_CHECK(r.ret == 1, "ring_read(rb, buf, 100) with 1 byte in the ring returned %zd", r.ret);
    expect_bytes(g_dst, g_src + CAP, 1, "the byte written after the ring was full");

    kid_call(&k, rb, 0, NULL, 100);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_read(rb, buf, 100) returned although every byte written had been read: the ring is empty");
    put(rb, g_src, 3, 0);
    r = kid_result(&k, g_dst, 100);
    kid_end(&k);
    MM_CHECK(r.ret > 0 && r.ret <= 3, "ring_read(rb, buf, 100), woken by a 3-byte write, returned %zd", r.ret);
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}

/* One byte is not "empty"; and the ring holds exactly what was written at
 * every fill level around the end of the data area. */
Test(ring_boundaries, across_the_end)
{
    static const size_t fills[] = {1, CAP - 3, 7, CAP, 1, CAP - 1, 2, CAP};
    const char *name = mm_shm_name("wrap");
    size_t pos = 0;
    t_ring_buffer *rb;

    require_ring(0);
    mm_fill(g_src, 6 * CAP, 42);
    rb = new_ring(name, CAP);
    for (int i = 0; i < 8; i++) {
        char state[96];
        struct result r;

        snprintf(state, sizeof state, "with %zu free bytes (write position %zu of the data area)", (size_t)CAP,
                 pos % CAP);
        r = call_returns(rb, 1, g_src + pos, fills[i], NULL, state);
        MM_CHECK(r.ret == (ssize_t)fills[i], "ring_write(rb, buf, %zu) on an empty ring returned %zd",
                 fills[i], r.ret);
        snprintf(state, sizeof state, "with %zu byte%s in the ring", fills[i], fills[i] == 1 ? "" : "s");
        r = call_returns(rb, 0, NULL, CAP, g_dst, state);
        MM_CHECK(r.ret == (ssize_t)fills[i],
                 "ring_read(rb, buf, 4096) with %zu bytes in the ring, starting at offset %zu of the "
                 "data area, returned %zd: it must return everything in the ring, up to len",
                 fills[i], pos % CAP, r.ret);
        snprintf(state, sizeof state, "the %zu bytes read from offset %zu of the data area", fills[i], pos % CAP);
        expect_bytes(g_dst, g_src + pos, fills[i], state);
        pos += fills[i];
    }
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}

Test(ring_boundaries, bad_arguments)
{
    const char *name = mm_shm_name("args");
    unsigned char buf[8] = {0};
    struct result r;
    t_ring_buffer *rb;
    ssize_t n;

    require_ring(0);
    mm_step("calling create_ring_buffer(\"%s\", 0)", name);
    rb = create_ring_buffer(name, 0);
    MM_CHECK(rb == NULL, "create_ring_buffer(name, 0) returned a ring of capacity 0 instead of NULL");
    MM_CHECK(!shm_exists(name), "create_ring_buffer(name, 0) failed but left the shared memory object %s", name);
    mm_step("calling ring_write(NULL, buf, 8)");
    errno = 0;
    n = ring_write(NULL, buf, 8);
    MM_CHECK(n == -1 && errno == EINVAL, "ring_write(NULL, buf, 8) returned %zd (errno %d), expected -1 and EINVAL",
             n, errno);
    mm_step("calling ring_read(NULL, buf, 8)");
    errno = 0;
    n = ring_read(NULL, buf, 8);
    MM_CHECK(n == -1 && errno == EINVAL, "ring_read(NULL, buf, 8) returned %zd (errno %d), expected -1 and EINVAL",
             n, errno);
    mm_step("calling destroy_ring_buffer(NULL)");
    destroy_ring_buffer(NULL);
    rb = new_ring(name, CAP);
    r = call_returns(rb, 0, NULL, 0, NULL, "on an empty ring with len 0");
    MM_CHECK(r.ret == 0, "ring_read(rb, buf, 0) returned %zd, expected 0", r.ret);
    r = call_returns(rb, 1, buf, 0, NULL, "with len 0");
    MM_CHECK(r.ret == 0, "ring_write(rb, buf, 0) returned %zd, expected 0", r.ret);
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}
