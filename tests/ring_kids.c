/*
 * ring_kids.c - see ring_kids.h.
 */
#include "ring_kids.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

unsigned char g_src[BIG];
unsigned char g_dst[BIG];

/* ---- ring calls in the test process ---------------------------------------- */

void require_ring(void)
{
    MM_REQUIRE(create_ring_buffer);
    MM_REQUIRE(ring_write);
    MM_REQUIRE(ring_read);
    MM_REQUIRE(destroy_ring_buffer);
}

t_ring_buffer *new_ring(const char *name, size_t cap)
{
    t_ring_buffer *rb;

    mm_step("calling create_ring_buffer(\"%s\", %zu)", name, cap);
    rb = create_ring_buffer(name, cap);
    MM_CHECK(rb != NULL, "create_ring_buffer(\"%s\", %zu) returned NULL (errno %d: %s)", name, cap,
             errno, strerror(errno));
    return rb;
}

t_ring_buffer *attach_here(const char *name)
{
    t_ring_buffer *rb;

    mm_step("calling attach_ring_buffer(\"%s\")", name);
    rb = attach_ring_buffer(name);
    MM_CHECK(rb != NULL, "attach_ring_buffer(\"%s\") returned NULL (errno %d: %s)", name, errno,
             strerror(errno));
    return rb;
}

void drop_ring(t_ring_buffer *rb, const char *which)
{
    mm_step("calling destroy_ring_buffer() on the %s", which);
    destroy_ring_buffer(rb);
}

void put(t_ring_buffer *rb, const void *buf, size_t len, size_t used)
{
    ssize_t n;

    mm_step("calling ring_write(rb, buf, %zu) with %zu of %d bytes used", len, used, CAP);
    n = ring_write(rb, buf, len);
    MM_CHECK(n < 0 || n >= (ssize_t)len,
             "ring_write(rb, buf, %zu) with %zu of %d bytes used returned %zd: ring_write must put all "
             "len bytes in the ring (waiting for room if it must, like write(2) on a pipe) and return len",
             len, used, CAP, n);
    MM_CHECK(n == (ssize_t)len, "ring_write(rb, buf, %zu) returned %zd (errno %d: %s), expected %zu",
             len, n, errno, strerror(errno), len);
}

size_t get(t_ring_buffer *rb, void *buf, size_t len, size_t used)
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

void take(t_ring_buffer *rb, void *buf, size_t total, size_t chunk, size_t used)
{
    size_t got = 0;

    while (got < total) {
        size_t len = chunk < total - got ? chunk : total - got;
        ssize_t n;

        mm_step("calling ring_read(rb, buf, %zu) after %zu of the %zu bytes expected", len, got, total);
        n = ring_read(rb, (char *)buf + got, len);
        MM_CHECK(n > 0, "ring_read(rb, buf, %zu) returned %zd (errno %d: %s) with bytes in the ring", len, n,
                 errno, strerror(errno));
        MM_CHECK((size_t)n <= len, "ring_read(rb, buf, %zu) returned %zd: more than len", len, n);
        MM_CHECK(used == 0 || got + (size_t)n <= used,
                 "ring_read(rb, buf, %zu) returned %zd but only %zu bytes were left in the ring", len, n,
                 used - got);
        got += (size_t)n;
    }
}

int shm_exists(const char *name)
{
    int fd = shm_open(name, O_RDONLY, 0);

    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

void expect_bytes(const void *got, const void *want, size_t len, const char *what)
{
    for (size_t i = 0; i < len; i++)
        MM_CHECK(((const unsigned char *)got)[i] == ((const unsigned char *)want)[i],
                 "%s: byte %zu is 0x%02x, expected 0x%02x", what, i, ((const unsigned char *)got)[i],
                 ((const unsigned char *)want)[i]);
}

/* ---- kids ------------------------------------------------------------------- */

enum { MSG_CALLING = 1, MSG_NO_ATTACH = 2, MSG_ATTACHED = 3 };

struct job {
    const char *name;          /* attach_ring_buffer(name) after "go"; NULL: use rb */
    int hold;                  /* after attaching, say so and wait for a second "go" */
    t_ring_buffer *rb;
    int write;                 /* 1: ring_write(src, len); 0: ring_read(len) */
    const void *src;
    size_t len;
};

/* What a kid read: its own copy, sent back through the pipe. */
static unsigned char g_kid_buf[BIG];

size_t kid_read_all(int fd, void *buf, size_t len)
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

pid_t ring_fork(void)
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

/* CPU time the current driver has used (the process clock sums its
 * threads), or -1. */
static long driver_cpu_us(void)
{
    struct timespec ts;
    clockid_t clock;

    if (clock_getcpuclockid(mm_driver_pid(), &clock) != 0 || clock_gettime(clock, &ts) != 0)
        return -1;
    return (long)ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

static void kid_main(const struct job *j, int go, int out)
{
    t_ring_buffer *rb = j->rb;
    struct result r;

    mm_send(out, (int)mm_driver_pid());
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
    r.cpu_us = driver_cpu_us();
    (void)mm_write_all(out, &r, sizeof r);
    if (!j->write && r.ret > 0 && (size_t)r.ret <= BIG)
        (void)mm_write_all(out, g_kid_buf, (size_t)r.ret);
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
    /* The kid's first word: the pid of its driver, which only it knows. */
    k->drv = (pid_t)mm_recv(k->out);
    MM_CHECK(k->drv > 0, "test set-up: the process that was to call %s %s before it started", k->call,
             mm_status_str(mm_wait(k->pid)));
}

void kid_attached(struct kid *k, const char *name, int hold, int write, const void *src, size_t len)
{
    struct job j = {.name = name, .hold = hold, .write = write, .src = src, .len = len};

    kid_start(k, &j);
}

void kid_go(struct kid *k)
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

void kid_calling(struct kid *k)
{
    char what[128];

    snprintf(what, sizeof what, "calling %s", k->call);
    kid_expect(k, MSG_CALLING, what);
}

void kid_attached_wait(struct kid *k)
{
    kid_expect(k, MSG_ATTACHED, "it attached to the ring");
}

/*
 * State letter and CPU ticks (utime + stime) from /proc/<pid>/stat. The
 * parent pid must be this process's driver (a kid's driver is its child):
 * a /proc that belongs to another pid namespace would describe some other
 * process.
 */
/* Reads /proc/<pid>/<file> into `buf` (NUL-terminated); 0, or -1. */
static int read_proc(pid_t pid, const char *file, char *buf, size_t cap)
{
    char path[64];
    ssize_t n;
    int fd;

    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, cap - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

static int proc_stat(pid_t pid, char *state, unsigned long *ticks)
{
    char buf[1024];
    unsigned long ut = 0;
    unsigned long st = 0;
    int ppid = 0;
    const char *p;

    if (read_proc(pid, "stat", buf, sizeof buf) != 0)
        return -1;
    /* The command name may hold spaces and parentheses: skip past the last ')'. */
    p = strrchr(buf, ')');
    if (!p || sscanf(p + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", state, &ppid, &ut, &st) != 4
        || ppid != (int)mm_driver_pid())
        return -1;
    *ticks = ut + st;
    return 0;
}

/*
 * Whether the driver `pid` is blocked in a system call other than one on
 * its socket to the checker: 1 if so, 0 if not (running, or waiting for a
 * request, or writing a reply), -1 if /proc/<pid>/syscall cannot be read.
 * The kernel fills that file only for a task that stayed off the CPU
 * while it looked ("running" otherwise).
 */
static int blocked_in_call(pid_t pid)
{
    char buf[256];
    long nr = 0;
    unsigned long fd = 0;

    if (read_proc(pid, "syscall", buf, sizeof buf) != 0)
        return -1;
    if (sscanf(buf, "%ld 0x%lx", &nr, &fd) != 2)
        return 0;
    /* The driver moves its socket to MM_DRIVER_HIGH_FD when it can. */
    if ((fd == MM_DRIVER_FD || fd == MM_DRIVER_HIGH_FD) && (nr == SYS_recvmsg || nr == SYS_read || nr == SYS_write || nr == SYS_sendmsg))
        return 0;
    return 1;
}

/* How long a call must stay asleep inside itself to count as blocked. */
#define SETTLE_ASLEEP_SECONDS 0.05

/* CPU time after which a kid's driver that never returned nor slept is
 * spinning. A ring call copies a few KiB at most and a waiter may watch
 * the cursors for tens of microseconds: 250 ms is thousands of times
 * that. Not more: under load (make mutants runs four jobs on two cores) a
 * spinner may get a tenth of a CPU, and must be caught before the test's
 * timeout. */
#define SPIN_CPU_MS 250

static double now_seconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Waits until the kid's call has returned, or its driver has been seen
 * asleep inside the call for `asleep_for` seconds in all, with no result
 * sent. Fails when the driver spins instead.
 */
static enum settled settle_for(struct kid *k, double asleep_for)
{
    long hz = sysconf(_SC_CLK_TCK);
    struct pollfd p = {.fd = k->out, .events = POLLIN};
    unsigned long ticks;
    char state;

    double asleep = 0; /* seconds seen asleep inside the call, in all */
    double last = -1;  /* when it was last seen asleep inside the call */

    for (;;) {
        int inside;

        if (poll(&p, 1, 1) > 0)
            return RETURNED;
        mm_runner_alive();
        MM_CHECK(proc_stat(k->drv, &state, &ticks) == 0, "test set-up: cannot read /proc/%d/stat",
                 (int)k->drv);
        inside = state == 'S' ? blocked_in_call(k->drv) : 0;
        MM_CHECK(inside >= 0, "test set-up: cannot read /proc/%d/syscall", (int)k->drv);
        /* Seen asleep inside the call for a while, in all, with no result
         * sent: the call blocks (a call that polls with short sleeps
         * too). One glimpse is not enough: under load, a call that must
         * not block can sleep for a moment on a lock that another process
         * holds while it waits for a CPU. */
        if (!inside) {
            last = -1;
        } else {
            if (last >= 0)
                asleep += now_seconds() - last;
            last = now_seconds();
        }
        if (asleep >= asleep_for && poll(&p, 1, 0) == 0)
            return ASLEEP;
        MM_CHECK(ticks < (unsigned long)hz * SPIN_CPU_MS / 1000,
                 "%s in another process neither returned nor went to sleep after using %lu ms of CPU: "
                 "it busy-waits (spins) instead of sleeping until the ring changes",
                 k->call, ticks * 1000 / (unsigned long)hz);
    }
}

enum settled kid_settle(struct kid *k)
{
    mm_step("waiting for %s in another process to return or to go to sleep", k->call);
    return settle_for(k, SETTLE_ASLEEP_SECONDS);
}

int kid_wakes(struct kid *k)
{
    mm_step("waiting for %s in another process to wake up and return", k->call);
    return settle_for(k, KID_WAKE_SECONDS) == RETURNED;
}

struct result kid_result(struct kid *k, void *buf, size_t cap)
{
    struct result r;

    if (kid_read_all(k->out, &r, sizeof r) != sizeof r) {
        int status = mm_wait(k->pid);

        k->pid = -1;
        mm_fail("the process calling %s %s before it returned", k->call, mm_status_str(status));
    }
    if (r.ret > 0 && buf != NULL) {
        size_t want = (size_t)r.ret < cap ? (size_t)r.ret : cap;
        MM_CHECK(kid_read_all(k->out, buf, want) == want, "test set-up: lost the bytes read by %s",
                 k->call);
    }
    return r;
}

void kid_end(struct kid *k)
{
    int status;

    close(k->go);
    close(k->out);
    if (k->pid <= 0)
        return;
    status = mm_wait(k->pid);
    MM_CHECK(WIFEXITED(status), "the process that called %s %s", k->call, mm_status_str(status));
}

void kid_call(struct kid *k, t_ring_buffer *rb, int write, const void *src, size_t len)
{
    struct job j = {.rb = rb, .write = write, .src = src, .len = len};

    kid_start(k, &j);
    kid_calling(k);
}

struct result call_returns(t_ring_buffer *rb, int write, const void *src, size_t len, void *dst,
                           const char *state)
{
    struct kid k;
    struct result r;

    kid_call(&k, rb, write, src, len);
    MM_CHECK(kid_settle(&k) == RETURNED, "%s went to sleep %s: it must return at once", k.call, state);
    r = kid_result(&k, dst, len);
    kid_end(&k);
    return r;
}
