/*
 * Extra row ring_attach_extra: BEYOND THE SUBJECT, WORTH NO POINTS.
 *
 * Section 3.1 of the subject asks for four functions; processes share a
 * ring by forking after creating it (the five bonus rows test that). A
 * submission may also offer attach_ring_buffer(name), so that a process
 * that did not fork from the creator reaches the ring by its name. This
 * row tests that function where it exists; its verdict is reported apart,
 * as an extra, and counts neither in the score nor in the bonus
 * (config.yaml: `extra: true`, 0 points). The contract tested is the
 * reference's (reference/memory_mapper.h): an attached handle sees the
 * same ring; only the creator's destroy_ring_buffer removes the name.
 * Kids: ../ring_kids.h.
 */
#include <errno.h>
#include <string.h>

#include "../ring_kids.h"

MM_SUITE(ring_attach_extra);

/* The four functions, and attach_ring_buffer, which the subject does not ask for. */
static void require_attach(void)
{
    require_ring();
    MM_CHECK(mm_driver_has(MM_FN_attach_ring_buffer),
             "attach_ring_buffer is not defined in your submission: it is not part of the subject (this extra "
             "row is worth no points)");
}

/* Writes through the creator's handle, reads through an attached one, in
 * one process, over six laps. */
Test(ring_attach_extra, two_handles)
{
    static const size_t wsizes[] = {1, 7, 499, 13, 997, 3, 251, 41};
    const char *name = mm_shm_name("two");
    size_t total = 6 * CAP + 5;
    size_t written = 0;
    size_t got = 0;
    t_ring_buffer *w;
    t_ring_buffer *r;
    size_t bad;

    require_attach();
    mm_fill(g_src, total, 60);
    w = new_ring(name, CAP);
    r = attach_here(name);
    for (unsigned i = 0; got < total; i++) {
        size_t want = wsizes[i % 8] < total - written ? wsizes[i % 8] : total - written;

        if (want > 0 && written - got + want <= CAP) {
            put(w, g_src + written, want, written - got);
            written += want;
        }
        got += get(r, g_dst + got, 333, written - got);
    }
    bad = mm_mismatch(g_dst, total, 60);
    MM_CHECK(bad == total, "byte %zu, written through the creator's handle and read through an attached one, "
             "came out wrong", bad);
    drop_ring(r, "attached handle");
    drop_ring(w, "creator's handle");
    mm_finish("after destroy_ring_buffer() of both handles");
}

/* A process forked before the ring exists attaches by name and sleeps in
 * ring_read; the creator's write wakes it. */
Test(ring_attach_extra, unrelated_process)
{
    const char *name = mm_shm_name("unrelated");
    struct kid k;
    struct result r;
    t_ring_buffer *rb;

    require_attach();
    mm_fill(g_src, 100, 61);
    kid_attached(&k, name, 0, 0, NULL, 1000);
    rb = new_ring(name, CAP);
    kid_go(&k);
    kid_calling(&k);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_read(rb, buf, 1000) on an empty ring, in a process that attached by name, returned "
             "instead of waiting for data");
    put(rb, g_src, 100, 0);
    MM_CHECK(kid_wakes(&k), "ring_read(rb, buf, 1000), asleep in a process that attached by name, stayed asleep "
             "after ring_write put 100 bytes in the ring");
    r = kid_result(&k, g_dst, 1000);
    kid_end(&k);
    MM_CHECK(r.ret > 0 && r.ret <= 100,
             "ring_read(rb, buf, 1000) in a process that attached by name returned %zd (errno %d: %s)", r.ret,
             r.err, strerror(r.err));
    expect_bytes(g_dst, g_src, (size_t)r.ret, "the bytes read by the attached process");
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}

/* Destroying an attached handle keeps the ring and its name for the others. */
Test(ring_attach_extra, attached_handle_keeps_the_name)
{
    const char *name = mm_shm_name("keep");
    t_ring_buffer *rb;
    t_ring_buffer *other;
    size_t n;

    require_attach();
    mm_fill(g_src, 100, 62);
    rb = new_ring(name, CAP);
    other = attach_here(name);
    drop_ring(other, "attached handle");
    MM_CHECK(shm_exists(name),
             "destroy_ring_buffer() on an attached handle removed the name %s: only the creator's handle does, "
             "or later processes cannot attach", name);
    put(rb, g_src, 100, 0);
    n = get(rb, g_dst, 100, 100);
    expect_bytes(g_dst, g_src, n, "bytes read after an attached handle was destroyed");
    drop_ring(rb, "creator's handle");
    MM_CHECK(!shm_exists(name),
             "after destroy_ring_buffer() on the creator's handle, the shared memory object %s still exists", name);
    mm_finish("after destroy_ring_buffer() of both handles");
}

/*
 * The creator destroys its handle while two other processes are attached:
 * the name goes, the ring stays usable between them.
 */
Test(ring_attach_extra, creator_leaves_others_stay)
{
    const char *name = mm_shm_name("others");
    size_t len = 1000;
    struct kid w;
    struct kid r;
    struct result res;
    t_ring_buffer *rb;

    require_attach();
    mm_fill(g_src, len, 63);
    kid_attached(&w, name, 1, 1, g_src, len);
    kid_attached(&r, name, 1, 0, NULL, len);
    rb = new_ring(name, CAP);
    kid_go(&w);
    kid_go(&r);
    kid_attached_wait(&w);
    kid_attached_wait(&r);
    drop_ring(rb, "creator's handle");
    MM_CHECK(!shm_exists(name),
             "after destroy_ring_buffer() on the creator's handle, the shared memory object %s still exists", name);
    kid_go(&r);
    kid_calling(&r);
    MM_CHECK(kid_settle(&r) == ASLEEP, "ring_read(rb, buf, 1000) on an empty ring returned instead of waiting");
    kid_go(&w);
    kid_calling(&w);
    mm_step("waiting for two attached processes to pass 1000 bytes through the ring after its creator destroyed "
            "its handle");
    res = kid_result(&w, NULL, 0);
    kid_end(&w);
    MM_CHECK(res.ret == (ssize_t)len,
             "after the creator's destroy_ring_buffer(), ring_write(rb, buf, 1000) in an attached process "
             "returned %zd (errno %d: %s)",
             res.ret, res.err, strerror(res.err));
    res = kid_result(&r, g_dst, len);
    kid_end(&r);
    MM_CHECK(res.ret > 0,
             "after the creator's destroy_ring_buffer(), ring_read(rb, buf, 1000) in an attached process "
             "returned %zd (errno %d: %s)",
             res.ret, res.err, strerror(res.err));
    expect_bytes(g_dst, g_src, (size_t)res.ret,
                 "bytes passed between two attached processes after the creator destroyed its handle");
    mm_finish("after destroy_ring_buffer()");
}
