/*
 * Bonus row ring_cleanup (spec section 3.1): destroy_ring_buffer removes
 * the name (the creator's handle only) and leaks nothing; the ring stays
 * usable between the processes still attached. Kids: ../ring_kids.h.
 */
#include <errno.h>
#include <string.h>

#include "../ring_kids.h"

MM_SUITE(ring_cleanup);

Test(ring_cleanup, destroy_removes_the_name)
{
    const char *name = mm_shm_name("gone");
    t_ring_buffer *rb;

    require_ring(0);
    mm_fill(g_src, 100, 47);
    rb = new_ring(name, CAP);
    put(rb, g_src, 100, 0);
    (void)get(rb, g_dst, 100, 100);
    drop_ring(rb, "creator's handle");
    MM_CHECK(!shm_exists(name),
             "after destroy_ring_buffer() on the creator's handle, the shared memory object %s still exists", name);
    mm_finish("after destroy_ring_buffer()");
}

/* Destroying an attached handle keeps the ring and its name for the others. */
Test(ring_cleanup, attached_handle_keeps_the_name)
{
    const char *name = mm_shm_name("keep");
    t_ring_buffer *rb;
    t_ring_buffer *other;
    size_t n;

    require_ring(1);
    mm_fill(g_src, 100, 48);
    rb = new_ring(name, CAP);
    other = attach_here(name);
    drop_ring(other, "attached handle");
    MM_CHECK(shm_exists(name),
             "destroy_ring_buffer() on an attached handle removed the name %s: only the creator's handle does", name);
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
Test(ring_cleanup, others_keep_the_ring)
{
    const char *name = mm_shm_name("others");
    size_t len = 1000;
    struct kid w;
    struct kid r;
    struct result res;
    t_ring_buffer *rb;

    require_ring(1);
    mm_fill(g_src, len, 49);
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
