/*
 * Bonus rows (spec section 3.1): the ring buffer shared between processes.
 * The contract is the one written in reference/memory_mapper.h.
 *
 *   ring_fifo        one process: bytes come out in order, byte-exact, over
 *                    many laps, with record sizes that never line up with
 *                    the capacity; two handles on one ring
 *   ring_boundaries  an exactly full ring, an exactly empty one, one byte,
 *                    reads across the end of the data area, bad arguments
 *   ring_blocking    a reader or writer asleep in another process is woken;
 *                    a write longer than the capacity; waiting uses no CPU
 *   ring_multi       several writers and readers in different processes
 *   ring_cleanup     destroy removes the name (the creator's only) and
 *                    leaks nothing
 *
 * Theory of operation
 *
 *   Every call that might block runs in a child ("kid"), so that a call
 *   that blocks when it must not fails the test with a message instead of
 *   hanging it. A kid makes exactly one ring_read or ring_write. Kids that
 *   must be unrelated to the creator are forked before the ring exists and
 *   reach it by attach_ring_buffer(name) once the parent says "go" on a
 *   pipe; kids of the boundary tests use the handle they inherit.
 *
 *   A kid tells the parent on a pipe that it is about to call, then sends
 *   the result (and the bytes it read). The parent knows the call blocked
 *   when /proc/<pid>/stat shows the kid asleep (state S) and no result has
 *   come: nothing else can put the kid to sleep between the two messages.
 *   A kid that neither returns nor sleeps until it has used 1 s of CPU is
 *   spinning. No sleep() anywhere decides an outcome: the parent only polls.
 *
 *   Kids die with the test process (PR_SET_PDEATHSIG), so a test that fails
 *   or times out leaves no process blocked in the ring forever.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../harness.h"
#include "../ring_api.h"

MM_SUITE(ring_fifo);
MM_SUITE(ring_boundaries);
MM_SUITE(ring_blocking);
MM_SUITE(ring_multi);
MM_SUITE(ring_cleanup);

#define CAP 4096
#define BIG (64 * 1024)

/* The stream the tests write (filled with mm_fill) and what came back.
 * Static: a large malloc would show up as a mapping in the leak check. */
static unsigned char g_src[BIG];
static unsigned char g_dst[BIG];

/* ---- ring calls in the test process ---------------------------------------- */

static void require_ring(int attach)
{
    MM_REQUIRE(create_ring_buffer);
    MM_REQUIRE(ring_write);
    MM_REQUIRE(ring_read);
    MM_REQUIRE(destroy_ring_buffer);
    if (attach)
        MM_REQUIRE(attach_ring_buffer);
}

static t_ring_buffer *new_ring(const char *name, size_t cap)
{
    t_ring_buffer *rb;

    mm_step("calling create_ring_buffer(\"%s\", %zu)", name, cap);
    rb = create_ring_buffer(name, cap);
    MM_CHECK(rb != NULL, "create_ring_buffer(\"%s\", %zu) returned NULL (errno %d: %s)", name, cap,
             errno, strerror(errno));
    return rb;
}

static t_ring_buffer *attach_here(const char *name)
{
    t_ring_buffer *rb;

    mm_step("calling attach_ring_buffer(\"%s\")", name);
    rb = attach_ring_buffer(name);
    MM_CHECK(rb != NULL, "attach_ring_buffer(\"%s\") returned NULL (errno %d: %s)", name, errno,
             strerror(errno));
    return rb;
}

static void drop_ring(t_ring_buffer *rb, const char *which)
{
    mm_step("calling destroy_ring_buffer() on the %s", which);
    destroy_ring_buffer(rb);
}

/* A write that cannot block: the caller made sure len bytes are free. */
static void put(t_ring_buffer *rb, const void *buf, size_t len, size_t used)
{
    ssize_t n;

    mm_step("calling ring_write(rb, buf, %zu) with %zu of %d bytes used", len, used, CAP);
    n = ring_write(rb, buf, len);
    MM_CHECK(n == (ssize_t)len, "ring_write(rb, buf, %zu) returned %zd (errno %d: %s), expected %zu",
             len, n, errno, strerror(errno), len);
}

/* One read with `used` > 0 bytes in the ring: returns 1..min(len, used). */
static size_t get(t_ring_buffer *rb, void *buf, size_t len, size_t used)
{
    ssize_t n;

    mm_step("calling ring_read(rb, buf, %zu) with %zu bytes in the ring", len, used);
    n = ring_read(rb, buf, len);
    MM_CHECK(n > 0, "ring_read(rb, buf, %zu) returned %zd (errno %d: %s) with %zu bytes in the ring",
             len, n, errno, strerror(errno), used);
    MM_CHECK((size_t)n <= len, "ring_read(rb, buf, %zu) returned %zd: more than len", len, n);
    MM_CHECK((size_t)n <= used, "ring_read(rb, buf, %zu) returned %zd but only %zu bytes were in the ring",
             len, n, used);
    return (size_t)n;
}

static int shm_exists(const char *name)
{
    int fd = shm_open(name, O_RDONLY, 0);

    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

/* ---- kids: one ring call in another process ------------------------------- */

enum { MSG_CALLING = 1, MSG_NO_ATTACH = 2, MSG_ATTACHED = 3 };

struct job {
    const char *name;          /* attach_ring_buffer(name) after "go"; NULL: use rb */
    int hold;                  /* after attaching, say so and wait for a second "go" */
    t_ring_buffer *rb;
    int write;                 /* 1: ring_write(src, len); 0: ring_read(len) */
    const void *src;
    size_t len;
};

struct result {
    ssize_t ret;
    int err;
};

struct kid {
    pid_t pid;
    int go;                    /* parent -> kid */
    int out;                   /* kid -> parent */
    const char *call;          /* "ring_read(rb, buf, 64)", for messages */
    char call_buf[96];
};

/* What a kid read: its own copy, sent back through the pipe. */
static unsigned char g_kid_buf[BIG];

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static size_t read_all(int fd, void *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);

        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* fork() whose child dies with the test process (and never outlives it). */
static pid_t ring_fork(void)
{
    pid_t parent = getpid();
    pid_t pid = mm_fork();

    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
    }
    return pid;
}

static void kid_main(const struct job *j, int go, int out)
{
    t_ring_buffer *rb = j->rb;
    struct result r;

    if (j->name) {
        if (mm_recv(go) != 1)
            _exit(0);
        rb = attach_ring_buffer(j->name);
        if (!rb) {
            int msg[2] = {MSG_NO_ATTACH, errno};

            (void)!write(out, msg, sizeof msg);
            _exit(0);
        }
        if (j->hold) {
            mm_send(out, MSG_ATTACHED);
            if (mm_recv(go) != 1)
                _exit(0);
        }
    }
    mm_send(out, MSG_CALLING);
    errno = 0;
    if (j->write)
        r.ret = ring_write(rb, j->src, j->len);
    else
        r.ret = ring_read(rb, g_kid_buf, j->len < BIG ? j->len : BIG);
    r.err = errno;
    (void)write_all(out, &r, sizeof r);
    if (!j->write && r.ret > 0 && (size_t)r.ret <= BIG)
        (void)write_all(out, g_kid_buf, (size_t)r.ret);
    if (j->name)
        destroy_ring_buffer(rb);
    _exit(0);
}

static void kid_start(struct kid *k, const struct job *j)
{
    int go[2];
    int out[2];

    memset(k, 0, sizeof *k);
    snprintf(k->call_buf, sizeof k->call_buf, "%s(rb, buf, %zu)", j->write ? "ring_write" : "ring_read",
             j->len);
    k->call = k->call_buf;
    mm_pipe(go);
    mm_pipe(out);
    k->pid = ring_fork();
    if (k->pid == 0) {
        close(go[1]);
        close(out[0]);
        kid_main(j, go[0], out[1]);
    }
    close(go[0]);
    close(out[1]);
    k->go = go[1];
    k->out = out[0];
}

static void kid_go(struct kid *k)
{
    mm_send(k->go, 1);
}

/* Waits for the kid's message `want`; fails if its attach failed. */
static void kid_expect(struct kid *k, int want, const char *what)
{
    int msg = mm_recv(k->out);

    if (msg == MSG_NO_ATTACH) {
        int err = mm_recv(k->out);

        mm_fail("attach_ring_buffer(name) returned NULL in another process (errno %d: %s)", err,
                       strerror(err));
    }
    MM_CHECK(msg == want, "the other process %s before %s", mm_status_str(mm_wait(k->pid)), what);
}

/* Waits for the kid's "about to call" (after its attach, if any). */
static void kid_calling(struct kid *k)
{
    char what[128];

    snprintf(what, sizeof what, "calling %s", k->call);
    kid_expect(k, MSG_CALLING, what);
}

/* A held kid: waits until it has attached. */
static void kid_attached_wait(struct kid *k)
{
    kid_expect(k, MSG_ATTACHED, "it attached to the ring");
}

/*
 * State letter and CPU ticks (utime + stime) from /proc/<pid>/stat. The
 * parent pid must be ours: a /proc that belongs to another pid namespace
 * would describe some other process.
 */
static int proc_stat(pid_t pid, char *state, unsigned long *ticks)
{
    char path[64];
    char buf[1024];
    unsigned long ut = 0;
    unsigned long st = 0;
    int ppid = 0;
    const char *p;
    ssize_t n;
    int fd;

    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    /* The command name may hold spaces and parentheses: skip past the last ')'. */
    p = strrchr(buf, ')');
    if (!p || sscanf(p + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", state, &ppid, &ut, &st) != 4
        || ppid != (int)getpid())
        return -1;
    *ticks = ut + st;
    return 0;
}

enum settled { RETURNED, ASLEEP };

/*
 * After kid_calling: waits until the kid's call has returned (its result is
 * in the pipe, or the kid died) or the kid sleeps inside it.
 */
static enum settled kid_settle(struct kid *k)
{
    long hz = sysconf(_SC_CLK_TCK);
    struct pollfd p = {.fd = k->out, .events = POLLIN};
    unsigned long ticks;
    char state;

    mm_step("waiting for %s in another process to return or to go to sleep", k->call);
    for (;;) {
        if (poll(&p, 1, 1) > 0)
            return RETURNED;
        MM_CHECK(proc_stat(k->pid, &state, &ticks) == 0, "test set-up: cannot read /proc/%d/stat",
                 (int)k->pid);
        /* Asleep with no result sent: asleep inside the call. */
        if (state == 'S' && poll(&p, 1, 0) == 0)
            return ASLEEP;
        MM_CHECK(ticks < (unsigned long)hz,
                 "%s in another process neither returned nor went to sleep after using %lu ms of CPU: "
                 "it busy-waits (spins) instead of sleeping until the ring changes",
                 k->call, ticks * 1000 / (unsigned long)hz);
    }
}

/* Reads the kid's result and the bytes it read (into buf, up to cap). */
static struct result kid_result(struct kid *k, void *buf, size_t cap)
{
    struct result r;

    if (read_all(k->out, &r, sizeof r) != sizeof r) {
        int status = mm_wait(k->pid);

        k->pid = -1;
        mm_fail("the process calling %s %s before it returned", k->call, mm_status_str(status));
    }
    if (r.ret > 0 && buf != NULL) {
        size_t want = (size_t)r.ret < cap ? (size_t)r.ret : cap;
        MM_CHECK(read_all(k->out, buf, want) == want, "test set-up: lost the bytes read by %s",
                 k->call);
    }
    return r;
}

/* Reaps the kid; its rusage into *ru when ru is not NULL. */
static void kid_end(struct kid *k, struct rusage *ru)
{
    int status = 0;

    close(k->go);
    close(k->out);
    if (k->pid <= 0)
        return;
    while (wait4(k->pid, &status, 0, ru) < 0 && errno == EINTR) {
    }
    MM_CHECK(WIFEXITED(status), "the process that called %s %s", k->call, mm_status_str(status));
}

/* Runs one call in a kid that uses the inherited handle `rb`. */
static void kid_call(struct kid *k, t_ring_buffer *rb, int write, const void *src, size_t len)
{
    struct job j = {.rb = rb, .write = write, .src = src, .len = len};

    kid_start(k, &j);
    kid_calling(k);
}

/* A call that must return without blocking: returns its result. */
static struct result call_returns(t_ring_buffer *rb, int write, const void *src, size_t len, void *dst,
                                  const char *state)
{
    struct kid k;
    struct result r;

    kid_call(&k, rb, write, src, len);
    MM_CHECK(kid_settle(&k) == RETURNED, "%s went to sleep %s: it must return at once", k.call, state);
    r = kid_result(&k, dst, len);
    kid_end(&k, NULL);
    return r;
}

/* ---- ring_fifo -------------------------------------------------------------- */

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

/* ---- ring_boundaries --------------------------------------------------------- */

static void expect_bytes(const void *got, const void *want, size_t len, const char *what)
{
    for (size_t i = 0; i < len; i++)
        MM_CHECK(((const unsigned char *)got)[i] == ((const unsigned char *)want)[i],
                 "%s: byte %zu is 0x%02x, expected 0x%02x", what, i, ((const unsigned char *)got)[i],
                 ((const unsigned char *)want)[i]);
}

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
    kid_end(&k, NULL);
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
    kid_end(&k, NULL);
    MM_CHECK(r.ret == 1, "ring_write(rb, buf, 1), woken when the ring was emptied, returned %zd", r.ret);
    r = call_returns(rb, 0, NULL, 100, g_dst, "with 1 byte in the ring");
    MM_CHECK(r.ret == 1, "ring_read(rb, buf, 100) with 1 byte in the ring returned %zd", r.ret);
    expect_bytes(g_dst, g_src + CAP, 1, "the byte written after the ring was full");

    kid_call(&k, rb, 0, NULL, 100);
    MM_CHECK(kid_settle(&k) == ASLEEP,
             "ring_read(rb, buf, 100) returned although every byte written had been read: the ring is empty");
    put(rb, g_src, 3, 0);
    r = kid_result(&k, g_dst, 100);
    kid_end(&k, NULL);
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

/* ---- ring_blocking ----------------------------------------------------------- */

/* A kid forked before the ring exists, that knows only its name. */
static void kid_attached(struct kid *k, const char *name, int hold, int write, const void *src, size_t len)
{
    struct job j = {.name = name, .hold = hold, .write = write, .src = src, .len = len};

    kid_start(k, &j);
}

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
    kid_end(&k, NULL);
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
    kid_end(&k, NULL);
    MM_CHECK(r.ret == (ssize_t)total, "ring_write(rb, buf, %zu) into a ring of capacity 4096 returned %zd", total,
             r.ret);
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}

static long cpu_us(const struct timeval *tv)
{
    return (long)tv->tv_sec * 1000000L + (long)tv->tv_usec;
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
 * cursors uses about as much as this process did.
 */
Test(ring_blocking, waiting_uses_no_cpu)
{
    const char *name = mm_shm_name("cpu");
    const long burn_us = 200000;
    struct rusage ru = {0};
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
    kid_end(&k, &ru);
    MM_CHECK(r.ret > 0, "ring_read(rb, buf, 64) in the other process returned %zd (errno %d: %s)", r.ret, r.err,
             strerror(r.err));
    expect_bytes(g_dst, g_src, (size_t)r.ret, "the bytes read by the other process");
    used = cpu_us(&ru.ru_utime) + cpu_us(&ru.ru_stime);
    MM_CHECK(used < burn_us / 2,
             "a process waiting in ring_read on an empty ring used %ld ms of CPU while it waited at least "
             "%ld ms: waiting must sleep (condition variable, futex...), not spin on the cursors",
             used / 1000, burn_us / 1000);
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}

/* ---- ring_multi ---------------------------------------------------------------- */

/*
 * Records: 64 bytes, writer id, sequence number, payload derived from both,
 * checksum. Every write is whole records (at most 4, far below the
 * capacity) and every read asks for one record, so by the contract every
 * read returns exactly one whole record.
 */
#define REC 64
#define NWRITERS 3
#define NREADERS 2
#define PER_WRITER ((1u << 20) / REC)
#define END_WRITER 0xffffu

static uint32_t record_sum(const unsigned char *r)
{
    uint32_t h = 2166136261u;

    for (int i = 0; i < REC - 4; i++)
        h = (h ^ r[i]) * 16777619u;
    return h;
}

static void make_record(unsigned char *r, unsigned writer, unsigned seq)
{
    uint32_t head[2] = {writer, seq};
    uint32_t sum;

    memcpy(r, head, 8);
    for (int i = 8; i < REC - 4; i++)
        r[i] = (unsigned char)(writer * 131u + seq * 7u + (unsigned)i * 13u);
    sum = record_sum(r);
    memcpy(r + REC - 4, &sum, 4);
}

/* 1 and the record's writer and seq if it is intact, 0 if not. */
static int parse_record(const unsigned char *r, unsigned *writer, unsigned *seq)
{
    unsigned char want[REC];
    uint32_t head[2];

    memcpy(head, r, 8);
    make_record(want, head[0], head[1]);
    *writer = head[0];
    *seq = head[1];
    return memcmp(want, r, REC) == 0;
}

enum reader_code { RD_OK, RD_NO_ATTACH, RD_FAILED, RD_PARTIAL, RD_CORRUPT, RD_ORDER, RD_DUP, RD_UNKNOWN };

struct reader_report {
    int code;
    int err;
    long ret;
    unsigned writer;
    unsigned seq;
    unsigned prev;
    unsigned records;
    unsigned char seen[NWRITERS][PER_WRITER / 8];
};

enum writer_code { WR_OK, WR_NO_ATTACH, WR_SHORT };

static int multi_writer(const char *name, unsigned id, int go)
{
    unsigned char batch[4 * REC];
    t_ring_buffer *rb;

    if (mm_recv(go) != 1)
        return WR_OK;
    rb = attach_ring_buffer(name);
    if (!rb)
        return WR_NO_ATTACH;
    for (unsigned seq = 0; seq < PER_WRITER;) {
        unsigned k = 1 + seq % 4;

        if (k > PER_WRITER - seq)
            k = PER_WRITER - seq;
        for (unsigned i = 0; i < k; i++)
            make_record(batch + i * REC, id, seq + i);
        if (ring_write(rb, batch, k * REC) != (ssize_t)(k * REC))
            return WR_SHORT;
        seq += k;
    }
    destroy_ring_buffer(rb);
    return WR_OK;
}

/* One record per read until an end record; what it saw goes to the parent. */
static void multi_reader(const char *name, int go, struct reader_report *rep)
{
    unsigned char rec[REC];
    unsigned last[NWRITERS] = {0};
    unsigned any[NWRITERS] = {0};
    t_ring_buffer *rb;

    memset(rep, 0, sizeof *rep);
    rep->code = RD_UNKNOWN;
    if (mm_recv(go) != 1)
        return;
    rb = attach_ring_buffer(name);
    if (!rb) {
        rep->code = RD_NO_ATTACH;
        rep->err = errno;
        return;
    }
    for (;;) {
        unsigned w;
        unsigned s;
        ssize_t n = ring_read(rb, rec, REC);

        rep->ret = (long)n;
        rep->err = errno;
        if (n <= 0) {
            rep->code = RD_FAILED;
            return;
        }
        if (n != REC) {
            rep->code = RD_PARTIAL;
            return;
        }
        if (!parse_record(rec, &w, &s) || (w >= NWRITERS && w != END_WRITER) || (w < NWRITERS && s >= PER_WRITER)) {
            rep->code = RD_CORRUPT;
            return;
        }
        if (w == END_WRITER)
            break;
        rep->writer = w;
        rep->seq = s;
        if (rep->seen[w][s / 8] & (1u << (s % 8))) {
            rep->code = RD_DUP;
            return;
        }
        if (any[w] && s < last[w]) {
            rep->prev = last[w];
            rep->code = RD_ORDER;
            return;
        }
        rep->seen[w][s / 8] |= (unsigned char)(1u << (s % 8));
        any[w] = 1;
        last[w] = s;
        rep->records++;
    }
    destroy_ring_buffer(rb);
    rep->code = RD_OK;
}

static void check_reader(const struct reader_report *rep, int i)
{
    switch (rep->code) {
    case RD_OK:
        return;
    case RD_NO_ATTACH:
        mm_fail("attach_ring_buffer(name) returned NULL in reader process %d (errno %d: %s)", i, rep->err,
                       strerror(rep->err));
        break;
    case RD_FAILED:
        mm_fail("ring_read(rb, buf, 64) returned %ld in reader process %d (errno %d: %s)", rep->ret, i,
                       rep->err, strerror(rep->err));
        break;
    case RD_PARTIAL:
        mm_fail("ring_read(rb, buf, 64) returned %ld in reader process %d, although every ring_write put "
                       "whole 64-byte records in the ring: a write of len <= capacity must go in all at once",
                       rep->ret, i);
        break;
    case RD_CORRUPT:
        mm_fail("reader process %d got a corrupted 64-byte record (after %u good ones): bytes of one "
                       "ring_write were mixed with another writer's, or overwritten before they were read",
                       i, rep->records);
        break;
    case RD_ORDER:
        mm_fail("reader process %d got record %u of writer %u after record %u of the same writer: the "
                       "ring must keep each writer's bytes in order",
                       i, rep->seq, rep->writer, rep->prev);
        break;
    case RD_DUP:
        mm_fail("reader process %d got record %u of writer %u twice", i, rep->seq, rep->writer);
        break;
    default:
        mm_fail("reader process %d ended without a report", i);
    }
}

static const char *writer_verdict(int code)
{
    switch (code) {
    case WR_NO_ATTACH:
        return "attach_ring_buffer(name) returned NULL in a writer process";
    case WR_SHORT:
        return "ring_write(rb, records, len) in a writer process did not return len";
    default:
        return "a writer process ended with an unknown status";
    }
}

static int reader_index(const pid_t *readers, pid_t pid)
{
    for (int i = 0; i < NREADERS; i++)
        if (readers[i] == pid)
            return i;
    return -1;
}

/* Waits for every writer; a reader that ends first fails the test. */
static void wait_writers(const pid_t *writers, const pid_t *readers, const int *rfd)
{
    static struct reader_report rep;
    int left = NWRITERS;

    mm_step("waiting for %d writer processes, each writing %u 64-byte records, while %d processes read", NWRITERS,
            PER_WRITER, NREADERS);
    while (left > 0) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        int r;

        if (pid < 0 && errno == EINTR)
            continue;
        MM_CHECK(pid > 0, "test set-up: waitpid failed: %s", strerror(errno));
        r = reader_index(readers, pid);
        if (r >= 0) {
            MM_CHECK(read_all(rfd[r], &rep, sizeof rep) == sizeof rep,
                     "reader process %d %s before the writers were done", r, mm_status_str(status));
            check_reader(&rep, r);
            mm_fail("reader process %d stopped before the writers were done: it got an end record "
                           "written after them",
                           r);
        }
        for (int i = 0; i < NWRITERS; i++) {
            if (writers[i] != pid)
                continue;
            MM_CHECK(WIFEXITED(status), "writer process %d %s", i, mm_status_str(status));
            MM_CHECK(WEXITSTATUS(status) == WR_OK, "%s", writer_verdict(WEXITSTATUS(status)));
            left--;
        }
    }
}

static void check_union(const struct reader_report *reps)
{
    for (unsigned w = 0; w < NWRITERS; w++) {
        for (unsigned s = 0; s < PER_WRITER; s++) {
            int n = 0;

            for (int i = 0; i < NREADERS; i++)
                n += (reps[i].seen[w][s / 8] >> (s % 8)) & 1;
            MM_CHECK(n != 0, "record %u of writer %u never came out of the ring (%u and %u records read)", s, w,
                     reps[0].records, reps[1].records);
            MM_CHECK(n == 1, "record %u of writer %u came out of the ring %d times", s, w, n);
        }
    }
}

/* 3 writers x 1 MiB and 2 readers, all attached by name, ring of 4 KiB. */
Test(ring_multi, writers_and_readers)
{
    static struct reader_report reps[NREADERS];
    const char *name = mm_shm_name("multi");
    unsigned char ends[NREADERS * REC];
    pid_t writers[NWRITERS];
    pid_t readers[NREADERS];
    int go[NWRITERS + NREADERS][2];
    int rfd[NREADERS][2];
    int rfd_parent[NREADERS];
    t_ring_buffer *rb;

    require_ring(1);
    for (int i = 0; i < NREADERS; i++) {
        mm_pipe(go[i]);
        mm_pipe(rfd[i]);
        readers[i] = ring_fork();
        if (readers[i] == 0) {
            static struct reader_report rep;

            close(go[i][1]);
            close(rfd[i][0]);
            multi_reader(name, go[i][0], &rep);
            (void)write_all(rfd[i][1], &rep, sizeof rep);
            _exit(0);
        }
        close(go[i][0]);
        close(rfd[i][1]);
        rfd_parent[i] = rfd[i][0];
    }
    for (int i = 0; i < NWRITERS; i++) {
        int *g = go[NREADERS + i];

        mm_pipe(g);
        writers[i] = ring_fork();
        if (writers[i] == 0) {
            close(g[1]);
            _exit(multi_writer(name, (unsigned)i, g[0]));
        }
        close(g[0]);
    }
    rb = new_ring(name, CAP);
    for (int i = 0; i < NWRITERS + NREADERS; i++) {
        mm_send(go[i][1], 1);
        close(go[i][1]);
    }
    wait_writers(writers, readers, rfd_parent);
    for (int i = 0; i < NREADERS; i++)
        make_record(ends + i * REC, END_WRITER, (unsigned)i);
    mm_step("calling ring_write(rb, buf, %d): one end record per reader process, after all writers are done",
            NREADERS * REC);
    MM_CHECK(ring_write(rb, ends, sizeof ends) == (ssize_t)sizeof ends, "ring_write of the end records failed");
    for (int i = 0; i < NREADERS; i++) {
        int status;

        mm_step("waiting for reader process %d to read its end record (both end records went in with one "
                "ring_write: the wake-up must reach every reader that can go on)",
                i);
        MM_CHECK(read_all(rfd_parent[i], &reps[i], sizeof reps[i]) == sizeof reps[i],
                 "reader process %d %s", i, mm_status_str(mm_wait(readers[i])));
        close(rfd_parent[i]);
        status = mm_wait(readers[i]);
        MM_CHECK(WIFEXITED(status), "reader process %d %s", i, mm_status_str(status));
        check_reader(&reps[i], i);
    }
    check_union(reps);
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}

/*
 * Three readers, all asleep on an empty ring, then one ring_write of three
 * records: every reader must wake. Where all three wait for data, waking a
 * single waiter (signal where a broadcast is needed) leaves two of them
 * asleep with data in the ring. (Where readers take turns, as in the
 * reference, the turn passes the wake-up on: writers_queue_behind_a_long_
 * write catches that design's signal.)
 */
Test(ring_multi, every_sleeping_reader_wakes)
{
    const char *name = mm_shm_name("wake3");
    unsigned char recs[3 * REC];
    unsigned seen = 0;
    struct kid k[3];
    t_ring_buffer *rb;

    require_ring(1);
    for (int i = 0; i < 3; i++) {
        kid_attached(&k[i], name, 0, 0, NULL, REC);
        make_record(recs + i * REC, 0, (unsigned)i);
    }
    rb = new_ring(name, CAP);
    /* One after the other: each is asleep before the next one starts. */
    for (int i = 0; i < 3; i++) {
        kid_go(&k[i]);
        kid_calling(&k[i]);
        MM_CHECK(kid_settle(&k[i]) == ASLEEP, "ring_read(rb, buf, 64) on an empty ring returned instead of waiting");
    }
    put(rb, recs, sizeof recs, 0);
    for (int i = 0; i < 3; i++) {
        unsigned char got[REC];
        struct result r;
        unsigned w;
        unsigned s;

        mm_step("waiting for reader %d of 3: all were asleep in ring_read(rb, buf, 64) when one ring_write put 3 "
                "records in the ring, so all 3 must wake (a wake-up that reaches one waiter only leaves the "
                "others asleep)",
                i);
        r = kid_result(&k[i], got, REC);
        kid_end(&k[i], NULL);
        MM_CHECK(r.ret == REC, "ring_read(rb, buf, 64) returned %zd with 64-byte records in the ring", r.ret);
        MM_CHECK(parse_record(got, &w, &s) && w == 0 && s < 3, "a reader got a corrupted record");
        MM_CHECK(!(seen & (1u << s)), "two readers got the same record %u", s);
        seen |= 1u << s;
    }
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}

/* Offset of the REC bytes `rec` in buf[0..len), or len. */
static size_t find_record(const unsigned char *buf, size_t len, const unsigned char *rec)
{
    for (size_t i = 0; i + REC <= len; i++)
        if (memcmp(buf + i, rec, REC) == 0)
            return i;
    return len;
}

/*
 * One writer is in the middle of a write of 3 capacities (asleep, the ring
 * is full); two more writers, one record each, queue behind it. This
 * process then reads everything, a ringful at a time, each time after the
 * long writer went back to sleep. Every wake-up must reach the writer that
 * can go on: waking a single waiter can pick a queued writer, which goes
 * back to sleep, while the long writer sleeps on.
 * The two records are written whole (len <= capacity) but may land between
 * two pieces of the long write; the rest must be the long write, in order.
 */
Test(ring_multi, writers_queue_behind_a_long_write)
{
    const char *name = mm_shm_name("queue");
    size_t long_len = 3 * CAP;
    size_t total = long_len + 2 * REC;
    unsigned char recs[2][REC];
    size_t at[2];
    size_t got = 0;
    size_t out = 0;
    int long_done = 0;
    struct kid k[3];
    t_ring_buffer *rb;

    require_ring(1);
    mm_fill(g_src, long_len, 46);
    make_record(recs[0], 1, 0);
    make_record(recs[1], 2, 0);
    kid_attached(&k[0], name, 0, 1, g_src, long_len);
    kid_attached(&k[1], name, 0, 1, recs[0], REC);
    kid_attached(&k[2], name, 0, 1, recs[1], REC);
    rb = new_ring(name, CAP);
    for (int i = 0; i < 3; i++) {
        kid_go(&k[i]);
        kid_calling(&k[i]);
        MM_CHECK(kid_settle(&k[i]) == ASLEEP, "%s on a full ring returned instead of waiting for room (writer %d)",
                 k[i].call, i);
    }
    while (got < total) {
        ssize_t n;

        /* Each read only once the long writer sleeps again (or is done):
         * then it waits behind the two others, and the wake-up that this
         * read sends must still reach it. */
        if (!long_done)
            long_done = kid_settle(&k[0]) == RETURNED;
        mm_step("calling ring_read(rb, buf, 4096) after %zu of %zu bytes: one writer is in the middle of a "
                "%zu-byte write, two more wait to write one record each (stuck here: the wake-up reached a "
                "waiting writer that could not go on, not the one that could)",
                got, total, long_len);
        n = ring_read(rb, g_dst + got, CAP);
        MM_CHECK(n > 0 && (size_t)n <= total - got, "ring_read(rb, buf, 4096) returned %zd (errno %d: %s)", n, errno,
                 strerror(errno));
        got += (size_t)n;
    }
    for (int i = 0; i < 3; i++) {
        struct result r;

        mm_step("waiting for writer %d to return from %s", i, k[i].call);
        r = kid_result(&k[i], NULL, 0);
        kid_end(&k[i], NULL);
        MM_CHECK(r.ret == (ssize_t)(i == 0 ? long_len : REC), "%s returned %zd", k[i].call, r.ret);
    }
    for (int i = 0; i < 2; i++) {
        at[i] = find_record(g_dst, total, recs[i]);
        MM_CHECK(at[i] < total, "the record written by writer %d never came out whole", i + 1);
    }
    MM_CHECK(at[0] + REC <= at[1] || at[1] + REC <= at[0], "the two one-record writes overlap in the stream");
    for (size_t i = 0; i < total; i++)
        if (!(i >= at[0] && i < at[0] + REC) && !(i >= at[1] && i < at[1] + REC))
            g_dst[out++] = g_dst[i];
    MM_CHECK(mm_mismatch(g_dst, long_len, 46) == long_len,
             "byte %zu of the %zu-byte write came out wrong (the two one-record writes taken out)",
             mm_mismatch(g_dst, long_len, 46), long_len);
    drop_ring(rb, "ring");
    mm_finish("after destroy_ring_buffer()");
}

/* ---- ring_cleanup ---------------------------------------------------------------- */

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
    kid_end(&w, NULL);
    MM_CHECK(res.ret == (ssize_t)len,
             "after the creator's destroy_ring_buffer(), ring_write(rb, buf, 1000) in an attached process "
             "returned %zd (errno %d: %s)",
             res.ret, res.err, strerror(res.err));
    res = kid_result(&r, g_dst, len);
    kid_end(&r, NULL);
    MM_CHECK(res.ret > 0,
             "after the creator's destroy_ring_buffer(), ring_read(rb, buf, 1000) in an attached process "
             "returned %zd (errno %d: %s)",
             res.ret, res.err, strerror(res.err));
    expect_bytes(g_dst, g_src, (size_t)res.ret,
                 "bytes passed between two attached processes after the creator destroyed its handle");
    mm_finish("after destroy_ring_buffer()");
}
