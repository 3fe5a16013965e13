/*
 * ring_kids.h - what the bonus rows (tests/rows/ring_*.c) share: the ring
 * calls made in the test process, and "kids", other processes that each
 * make one ring call. What the tests demand, and the readings of the
 * subject they accept, are written in reference/memory_mapper.h (bonus
 * part) and in README.md ("Bonus: the shared ring buffer").
 *
 * Theory of operation
 *
 *   Every call that might block runs in a kid, so that a call that blocks
 *   when it must not fails the test with a message instead of hanging it. A
 *   kid makes exactly one ring_read or ring_write. The subject's API has no
 *   way to reach a ring by its name, so kids are forked after the ring
 *   exists and use the handle they inherit, as a student's program shares
 *   a ring with fork(). Kids never call destroy_ring_buffer: the test
 *   process destroys its handle once every kid is done (a destroy that
 *   also destroys the mutex or removes the name is then harmless). Only
 *   the extra row (ring_attach_extra.c, beyond the subject) forks kids
 *   before the ring exists, which reach it by attach_ring_buffer(name) once
 *   the parent says "go" on a pipe.
 *
 *   A kid is a pair (remote.h): a checker child made by mm_fork, and its
 *   driver, the driver's child that really runs the ring code. The kid
 *   first sends its driver's pid on a pipe (the parent cannot know it
 *   otherwise), then tells the parent that it is about to call, then sends
 *   the result (and the bytes it read, and the CPU time its driver had used
 *   when the call returned). Whether the call blocks is read from the
 *   driver, never from the checker child (which sleeps in every call,
 *   waiting for the reply): the parent knows the call blocked when
 *   /proc/<driver>/stat shows the driver asleep (state S) in a system call
 *   that is not one on its socket to the checker (/proc/<driver>/syscall),
 *   and no result has come. Outside the call, the driver sleeps only on
 *   that socket (waiting for the request, or writing its reply). A driver
 *   that neither returns nor sleeps until it has used 250 ms of CPU is
 *   spinning. No sleep() anywhere decides an outcome: the parent only polls.
 *
 *   Kids die with the test process (PR_SET_PDEATHSIG on the checker child;
 *   its driver dies with it, PTRACE_O_EXITKILL), so a test that fails or
 *   times out leaves no process blocked in the ring forever.
 *
 *   Addresses: a t_ring_buffer * is the driver's pointer (never read here).
 *   The bytes of ring_write and ring_read go with the request and reply, so
 *   the buffers below are the checker's own.
 */
#ifndef MM_RING_KIDS_H
#define MM_RING_KIDS_H

#include <stddef.h>
#include <sys/types.h>

#include "harness.h"
#include "ring_api.h"

#define CAP 4096
#define BIG (64 * 1024)

/* The stream the tests write (filled with mm_fill) and what came back.
 * Static storage: a large malloc would be one more mapping of this
 * process, and there is no reason for one. */
extern unsigned char g_src[BIG];
extern unsigned char g_dst[BIG];

/* ---- ring calls in the test process ---------------------------------------- */

/* Fails the test unless the submission defines the subject's four
 * functions. */
void require_ring(void);

/* create_ring_buffer / attach_ring_buffer that fail the test on NULL. */
t_ring_buffer *new_ring(const char *name, size_t cap);
t_ring_buffer *attach_here(const char *name);

/* destroy_ring_buffer; `which` names the handle in the step. */
void drop_ring(t_ring_buffer *rb, const char *which);

/* A write that cannot block: the caller made sure len bytes are free
 * (`used` bytes are in the ring). Fails unless it returns len. */
void put(t_ring_buffer *rb, const void *buf, size_t len, size_t used);

/* One read with `used` > 0 bytes in the ring: returns 1..min(len, used),
 * fails the test otherwise. Fewer than min(len, used) is accepted: a read
 * may stop at the end of the data area (README). */
size_t get(t_ring_buffer *rb, void *buf, size_t len, size_t used);

/* Reads exactly `total` bytes into buf with as many reads of at most
 * `chunk` as it takes, when at least `total` bytes are in the ring or
 * will come from a writer that is already running; `used` is what the
 * ring holds now (for messages; 0 when unknown). */
void take(t_ring_buffer *rb, void *buf, size_t total, size_t chunk, size_t used);

/* Whether the /dev/shm object `name` exists (the checker's /dev/shm is the
 * driver's). */
int shm_exists(const char *name);

/* Fails at the first byte of `got` that differs from `want`. */
void expect_bytes(const void *got, const void *want, size_t len, const char *what);

/* ---- kids: one ring call in another process -------------------------------- */

struct result {
    ssize_t ret;
    int err;
    long cpu_us; /* CPU time of the kid's driver when the call returned, -1 if unknown */
};

struct kid {
    pid_t pid;        /* the checker child: mm_wait() it */
    pid_t drv;        /* its driver, which runs the call: watch it in /proc */
    int go;           /* parent -> kid */
    int out;          /* kid -> parent */
    const char *call; /* "ring_read(rb, buf, 64)", for messages */
    char call_buf[96];
};

enum settled { RETURNED, ASLEEP };

/* mm_fork() whose child dies with the test process (and never outlives
 * it). */
pid_t ring_fork(void);

/* Whole reads on a pipe (writes: mm_write_all): the bytes read
 * (fewer when the other end closed). */
size_t kid_read_all(int fd, void *buf, size_t len);

/* A kid forked before the ring exists, that knows only its name: after
 * kid_go it attaches; with `hold` it then says so (kid_attached_wait) and
 * waits for a second kid_go before its call. */
void kid_attached(struct kid *k, const char *name, int hold, int write, const void *src, size_t len);

/* Runs one call in a kid that uses the inherited handle `rb`, and waits
 * until it is about to call. */
void kid_call(struct kid *k, t_ring_buffer *rb, int write, const void *src, size_t len);

void kid_go(struct kid *k);

/* Waits for the kid's "about to call" (after its attach, if any). */
void kid_calling(struct kid *k);

/* A held kid: waits until it has attached. */
void kid_attached_wait(struct kid *k);

/* After kid_calling: waits until the kid's call has returned (its result
 * is in the pipe, or the kid died) or its driver sleeps inside it. Fails
 * when the driver spins instead. */
enum settled kid_settle(struct kid *k);

/* After something that must wake a kid asleep in its call: 1 once the
 * call has returned, 0 if its driver stays asleep inside the call for
 * KID_WAKE_SECONDS in all (a lost wake-up: nothing else will wake it). A
 * woken call returns at once, so the wait costs nothing when it works. */
#define KID_WAKE_SECONDS 1.0
int kid_wakes(struct kid *k);

/* Reads the kid's result and the bytes it read (into buf, up to cap);
 * fails when the kid ended without one. */
struct result kid_result(struct kid *k, void *buf, size_t cap);

/* Closes the pipes and reaps the kid; fails if it did not exit. */
void kid_end(struct kid *k);

/* A call that must return without blocking: returns its result. `state`
 * says what the ring holds, for the message. */
struct result call_returns(t_ring_buffer *rb, int write, const void *src, size_t len, void *dst,
                           const char *state);

#endif
