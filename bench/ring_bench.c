/*
 * ring_bench.c - throughput of the reference ring buffer (bonus, spec 3.1)
 * against a pipe, between two processes on this machine.
 *
 *   gcc -std=c17 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Ireference \
 *       bench/ring_bench.c reference/memory_mapper.c -pthread -lrt -o ring_bench
 *   ./ring_bench [MiB per run (256)] [runs (5)] [buffer KiB (64)]
 *
 * Theory of operation
 *
 *   For each message size (4 KiB, then 64 bytes) and each transport, a run
 *   moves the same number of bytes from a writer (this process) to a reader
 *   (a child). The ring's reader is forked before the ring exists and
 *   reaches it by attach_ring_buffer(name), like an unrelated process; the
 *   pipe's reader inherits the read end. Both readers say "ready" on a
 *   control pipe, so their start-up is not timed; the clock runs from the
 *   first write until the reader reports it received every byte.
 *   Writes and reads both use the message size. The ring's capacity and the
 *   pipe's buffer (F_SETPIPE_SZ) are the same, 64 KiB by default (a pipe's
 *   default), so the two transports hold the same amount in flight.
 *
 *   Each case runs `runs` times, ring and pipe alternately (a change in the
 *   machine's load then weighs on both); the medians are printed, and
 *   ring/pipe. Both processes need a CPU each: on a busy machine every
 *   sleep/wake-up waits for the scheduler and both throughputs drop. The
 *   CPU time both processes use per GiB moved (user + system, getrusage)
 *   depends much less on the load: it is printed too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memory_mapper.h"

#define MAX_MSG 4096
#define MAX_RUNS 31

struct setup {
    size_t total;              /* bytes per run */
    size_t msg;                /* bytes per write and per read */
    size_t capacity;           /* ring capacity and pipe buffer */
};

/* The pipe buffer size the kernel granted (it rounds to pages). */
static long g_pipe_size;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "ring_bench: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void send_byte(int fd)
{
    char c = 1;

    if (write(fd, &c, 1) != 1)
        _exit(3);
}

static int recv_byte(int fd)
{
    char c;

    return read(fd, &c, 1) == 1 ? 0 : -1;
}

static int wait_child(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ---- ring -------------------------------------------------------------------- */

static void ring_reader(const char *name, const struct setup *s, int go, int ctl)
{
    static char buf[MAX_MSG];
    t_ring_buffer *rb;
    size_t got = 0;

    if (recv_byte(go) != 0)
        _exit(1);
    rb = attach_ring_buffer(name);
    if (!rb)
        _exit(1);
    send_byte(ctl);
    while (got < s->total) {
        ssize_t n = ring_read(rb, buf, s->msg);

        if (n <= 0)
            _exit(1);
        got += (size_t)n;
    }
    send_byte(ctl);
    destroy_ring_buffer(rb);
    _exit(0);
}

static double ring_run(const struct setup *s)
{
    static char msg[MAX_MSG];
    char name[64];
    int go[2];
    int ctl[2];
    t_ring_buffer *rb;
    double t0;
    double t1;
    pid_t pid;

    snprintf(name, sizeof name, "/ring_bench_%d", (int)getpid());
    if (pipe(go) != 0 || pipe(ctl) != 0)
        die("pipe");
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(go[1]);
        close(ctl[0]);
        ring_reader(name, s, go[0], ctl[1]);
    }
    close(go[0]);
    close(ctl[1]);
    rb = create_ring_buffer(name, s->capacity);
    if (!rb)
        die("create_ring_buffer");
    send_byte(go[1]);
    if (recv_byte(ctl[0]) != 0)
        die("ring reader did not start");
    memset(msg, 'r', sizeof msg);
    t0 = now_s();
    for (size_t sent = 0; sent < s->total; sent += s->msg)
        if (ring_write(rb, msg, s->msg) != (ssize_t)s->msg)
            die("ring_write");
    if (recv_byte(ctl[0]) != 0)
        die("ring reader did not finish");
    t1 = now_s();
    destroy_ring_buffer(rb);
    close(go[1]);
    close(ctl[0]);
    if (wait_child(pid) != 0)
        die("ring reader failed");
    return t1 - t0;
}

/* ---- pipe -------------------------------------------------------------------- */

static void pipe_reader(const struct setup *s, int data, int ctl)
{
    static char buf[MAX_MSG];
    size_t got = 0;

    send_byte(ctl);
    while (got < s->total) {
        ssize_t n = read(data, buf, s->msg);

        if (n <= 0)
            _exit(1);
        got += (size_t)n;
    }
    send_byte(ctl);
    _exit(0);
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static double pipe_run(const struct setup *s)
{
    static char msg[MAX_MSG];
    int data[2];
    int ctl[2];
    double t0;
    double t1;
    pid_t pid;

    if (pipe(data) != 0 || pipe(ctl) != 0)
        die("pipe");
    if (fcntl(data[1], F_SETPIPE_SZ, (int)s->capacity) < 0)
        die("F_SETPIPE_SZ (above /proc/sys/fs/pipe-max-size?)");
    g_pipe_size = fcntl(data[1], F_GETPIPE_SZ);
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(data[1]);
        close(ctl[0]);
        pipe_reader(s, data[0], ctl[1]);
    }
    close(data[0]);
    close(ctl[1]);
    if (recv_byte(ctl[0]) != 0)
        die("pipe reader did not start");
    memset(msg, 'p', sizeof msg);
    t0 = now_s();
    for (size_t sent = 0; sent < s->total; sent += s->msg)
        if (write_all(data[1], msg, s->msg) != 0)
            die("write");
    if (recv_byte(ctl[0]) != 0)
        die("pipe reader did not finish");
    t1 = now_s();
    close(data[1]);
    close(ctl[0]);
    if (wait_child(pid) != 0)
        die("pipe reader failed");
    return t1 - t0;
}

/* ---- driver ------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return v[n / 2];
}

static double tv_s(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* User + system CPU seconds of this process and of its reaped children. */
static double cpu_s(void)
{
    struct rusage self;
    struct rusage kids;

    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    return tv_s(&self.ru_utime) + tv_s(&self.ru_stime) + tv_s(&kids.ru_utime) + tv_s(&kids.ru_stime);
}

struct result {
    double mbps;               /* MB/s (10^6 bytes per second) */
    double cpu_per_gib;        /* CPU seconds of both processes per GiB moved */
};

/* One run; its CPU time includes the reader's, reaped inside run(). */
static struct result timed(double (*run)(const struct setup *), const struct setup *s)
{
    double cpu0 = cpu_s();
    double wall = run(s);
    struct result r;

    r.mbps = (double)s->total / wall / 1e6;
    r.cpu_per_gib = (cpu_s() - cpu0) / ((double)s->total / (double)(1u << 30));
    return r;
}

/* Ring and pipe runs alternate, so that the machine's load weighs on both. */
static void measure(const struct setup *s, int runs, struct result *ring, struct result *pipe)
{
    double v[4][MAX_RUNS];

    for (int i = 0; i < runs; i++) {
        struct result r = timed(ring_run, s);
        struct result p = timed(pipe_run, s);

        v[0][i] = r.mbps;
        v[1][i] = r.cpu_per_gib;
        v[2][i] = p.mbps;
        v[3][i] = p.cpu_per_gib;
    }
    ring->mbps = median(v[0], runs);
    ring->cpu_per_gib = median(v[1], runs);
    pipe->mbps = median(v[2], runs);
    pipe->cpu_per_gib = median(v[3], runs);
}

static long arg(int argc, char **argv, int i, long def, long lo, long hi)
{
    long v;

    if (argc <= i)
        return def;
    v = strtol(argv[i], NULL, 10);
    if (v < lo || v > hi) {
        fprintf(stderr, "usage: ring_bench [MiB 1..4096] [runs 1..%d] [buffer KiB 4..65536]\n", MAX_RUNS);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {4096, 64};
    long mib = arg(argc, argv, 1, 256, 1, 4096);
    int runs = (int)arg(argc, argv, 2, 5, 1, MAX_RUNS);
    long kib = arg(argc, argv, 3, 64, 4, 65536);

    printf("moving %ld MiB per run, median of %d runs, ring capacity and pipe buffer %ld KiB\n", mib, runs, kib);
    printf("%-8s %10s %10s %10s  %15s %15s\n", "message", "ring MB/s", "pipe MB/s", "ring/pipe", "ring CPU s/GiB",
           "pipe CPU s/GiB");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct setup s = {.total = (size_t)mib << 20, .msg = sizes[i], .capacity = (size_t)kib << 10};
        struct result ring;
        struct result pipe;

        measure(&s, runs, &ring, &pipe);
        if (g_pipe_size != (long)s.capacity)
            printf("(the pipe buffer is %ld bytes)\n", g_pipe_size);
        printf("%-8zu %10.0f %10.0f %9.2fx  %15.3f %15.3f\n", sizes[i], ring.mbps, pipe.mbps, ring.mbps / pipe.mbps,
               ring.cpu_per_gib, pipe.cpu_per_gib);
        fflush(stdout);
    }
    return 0;
}
