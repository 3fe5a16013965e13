/*
 * Bonus row ring_fifo (spec section 3.1): in one process, bytes come out
 * of the ring in order, byte-exact, over many laps, with record sizes that
 * never line up with the capacity; two handles on one ring. The shared
 * helpers and the theory of operation are in ../ring_kids.h.
 */
#include <stddef.h>

#include "../ring_kids.h"

MM_SUITE(ring_fifo);

/*
 * Writes `total` bytes of g_src through a ring of capacity `cap` in records
 * of `wsizes`, reading them back with reads of `rsizes`; never lets the ring
 * be more than cap - 1 full (the full boundary has a row of its own).
 */
static void stream_through(t_ring_buffer *w, t_ring_buffer *r, size_t cap, size_t total)
{
    static const size_t wsizes[] = {1, 7, 499, 13, 997, 3, 251, 41};
    static const size_t rsizes[] = {5, 1000, 1, 333, 77, 2047, 9, 640};
    size_t written = 0;
    size_t got = 0;
    unsigned i = 0;
    size_t bad;

    while (got < total) {
        size_t want = wsizes[i % 8] < cap - 1 ? wsizes[i % 8] : cap - 1;

        if (want > total - written)
            want = total - written;
        while (want > 0 && written - got + want <= cap - 1) {
            put(w, g_src + written, want, written - got);
            written += want;
            want = wsizes[++i % 8] < cap - 1 ? wsizes[i % 8] : cap - 1;
            if (want > total - written)
                want = total - written;
        }
        got += get(r, g_dst + got, rsizes[(i + got) % 8], written - got);
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

    require_ring(0);
    mm_fill(g_src, total, 40);
    rb = new_ring(name, cap);
    stream_through(rb, rb, cap, total);
    drop_ring(rb, "ring");
}

/* Capacity 4096; record sizes are odd, so records straddle the end at
 * every offset. */
Test(ring_fifo, many_laps)
{
    fifo_laps(CAP, 10, "fifo");
    mm_finish("after destroy_ring_buffer()");
}

/* A capacity that is not a power of two: `pos & (cap - 1)` is wrong. */
Test(ring_fifo, odd_capacity)
{
    fifo_laps(1000, 25, "fifo_odd");
    mm_finish("after destroy_ring_buffer()");
}

/* Writes through the creator's handle, reads through an attached one. */
Test(ring_fifo, two_handles)
{
    const char *name = mm_shm_name("fifo_two");
    size_t total = 6 * CAP + 5;
    t_ring_buffer *w;
    t_ring_buffer *r;

    require_ring(1);
    mm_fill(g_src, total, 40);
    w = new_ring(name, CAP);
    r = attach_here(name);
    stream_through(w, r, CAP, total);
    drop_ring(r, "attached handle");
    drop_ring(w, "creator's handle");
    mm_finish("after destroy_ring_buffer() of both handles");
}
