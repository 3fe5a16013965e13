/*
 * Bonus row ring_cleanup (spec section 3.1): once every handle of a ring
 * is destroyed, nothing is left: no /dev/shm object under its name, no
 * mapping, no descriptor (mm_finish checks the last two, and the
 * objects, in every test). Children that shared the ring through fork(),
 * bytes left in the ring, and two rings at once change nothing to that.
 * Whether the name goes at creation, at the first destroy or at the
 * creator's is the submission's choice: the subject's API never looks a
 * ring up by its name. Kids: ../ring_kids.h.
 */
#include <errno.h>
#include <string.h>

#include "../ring_kids.h"

MM_SUITE(ring_cleanup);

static void name_gone(const char *name, const char *after)
{
    MM_CHECK(!shm_exists(name),
             "%s, the shared memory object %s still exists: destroy_ring_buffer must release everything "
             "create_ring_buffer made, the name too (shm_unlink)",
             after, name);
}

Test(ring_cleanup, destroy_removes_the_name)
{
    const char *name = mm_shm_name("gone");
    t_ring_buffer *rb;

    require_ring();
    mm_fill(g_src, 100, 47);
    rb = new_ring(name, CAP);
    put(rb, g_src, 100, 0);
    take(rb, g_dst, 100, 100, 100);
    drop_ring(rb, "ring");
    name_gone(name, "after destroy_ring_buffer()");
    mm_finish("after destroy_ring_buffer()");
}

/* Bytes still in the ring do not keep anything alive. */
Test(ring_cleanup, destroy_with_bytes_left)
{
    const char *name = mm_shm_name("left");
    t_ring_buffer *rb;

    require_ring();
    mm_fill(g_src, 3000, 48);
    rb = new_ring(name, CAP);
    put(rb, g_src, 3000, 0);
    drop_ring(rb, "ring (3000 bytes still in it)");
    name_gone(name, "after destroy_ring_buffer() on a ring with 3000 bytes in it");
    mm_finish("after destroy_ring_buffer() on a ring with 3000 bytes in it");
}

/*
 * Two forked children use the ring (one writes, one reads) and exit; then
 * the parent destroys its handle: nothing is left.
 */
Test(ring_cleanup, after_children)
{
    const char *name = mm_shm_name("kids");
    size_t len = 1000;
    struct kid w;
    struct kid r;
    struct result res;
    t_ring_buffer *rb;

    require_ring();
    mm_fill(g_src, 2 * len, 49);
    rb = new_ring(name, CAP);
    kid_call(&w, rb, 1, g_src, len);
    mm_step("waiting for a forked child's ring_write(rb, buf, %zu) into an empty ring", len);
    res = kid_result(&w, NULL, 0);
    kid_end(&w);
    MM_CHECK(res.ret == (ssize_t)len, "in a forked child, ring_write(rb, buf, %zu) returned %zd (errno %d: %s)", len,
             res.ret, res.err, strerror(res.err));
    take(rb, g_dst, len, len, len);
    expect_bytes(g_dst, g_src, len, "bytes a forked child wrote");
    kid_call(&r, rb, 0, NULL, len);
    put(rb, g_src + len, len, 0);
    mm_step("waiting for a forked child's ring_read(rb, buf, %zu)", len);
    res = kid_result(&r, g_dst, len);
    kid_end(&r);
    MM_CHECK(res.ret > 0, "in a forked child, ring_read(rb, buf, %zu) returned %zd (errno %d: %s)", len, res.ret,
             res.err, strerror(res.err));
    expect_bytes(g_dst, g_src + len, (size_t)res.ret, "bytes a forked child read");
    take(rb, g_dst, len - (size_t)res.ret, len, len - (size_t)res.ret);
    drop_ring(rb, "parent's handle");
    name_gone(name, "after the children exited and the parent called destroy_ring_buffer()");
    mm_finish("after the children exited and the parent called destroy_ring_buffer()");
}

/* Two rings at once: each its own bytes; destroying one leaves the other
 * whole and usable; nothing is left after both. */
Test(ring_cleanup, two_rings)
{
    const char *name_a = mm_shm_name("ring_a");
    const char *name_b = mm_shm_name("ring_b");
    t_ring_buffer *a;
    t_ring_buffer *b;

    require_ring();
    mm_fill(g_src, 3000, 55);
    a = new_ring(name_a, CAP);
    b = new_ring(name_b, 1000);
    put(a, g_src, 2000, 0);
    put(b, g_src + 2000, 600, 0);
    take(a, g_dst, 1000, 1000, 2000);
    expect_bytes(g_dst, g_src, 1000, "bytes read from the first of two rings");
    drop_ring(a, "first of two rings (1000 bytes still in it)");
    name_gone(name_a, "after destroy_ring_buffer() on the first of two rings");
    put(b, g_src + 2600, 300, 600);
    take(b, g_dst, 900, 900, 900);
    expect_bytes(g_dst, g_src + 2000, 900,
                 "bytes read from the second of two rings, after the first was destroyed");
    drop_ring(b, "second ring");
    name_gone(name_b, "after destroy_ring_buffer() on both rings");
    mm_finish("after destroy_ring_buffer() on both rings");
}
