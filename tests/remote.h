/*
 * remote.h - the checker's side of the driver: the process that runs the
 * submission's code, seen from outside.
 *
 * Theory of operation. A test process of the checker (tests/runner.c) never
 * loads the submission. At mm_begin it starts the driver (the submission
 * linked with tests/driver.c, a separate executable) under a seccomp filter,
 * and attaches to it with PTRACE_SEIZE. Each call of the exercise's API in
 * a test body is a request to that driver (stubs.c); the reply is a claim.
 * What decides a verdict is what the checker sees itself:
 *   - the driver's memory, through process_vm_readv/process_vm_writev;
 *   - its mappings, descriptors and /dev/shm objects, through /proc/<pid>;
 *   - its faults (si_code, si_addr), as ptrace signal-delivery-stops;
 *   - its msync calls, as seccomp trace stops (the filter traps msync).
 * The checker is non-dumpable and runs as the driver's uid, so the driver
 * can neither ptrace it, nor read or write its memory, nor open its
 * descriptors; the seccomp filter also refuses ptrace, process_vm_*,
 * sockets, io_uring, namespaces and forged siginfo (rt_sigqueueinfo).
 *
 * mm_fork forks both sides: the driver forks (the child serves a new
 * socket), then the checker forks, and the checker's child attaches to the
 * driver's child and drives it. A checker process only ever talks to its
 * own driver ("the current driver").
 *
 * When the driver dies during a request, the test process ends the test
 * there as the driver ended: a crash with its signal, or an early exit; a
 * checker child mirrors it in its own wait status, so the parent sees what
 * it would have seen of a plain fork.
 */
#ifndef MM_REMOTE_H
#define MM_REMOTE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"

/* Starts the driver executable at `path` and attaches to it. */
void mm_driver_start(const char *path);

/* Kills and reaps the current driver (nothing when there is none). */
void mm_driver_stop(void);

pid_t mm_driver_pid(void);

/* Whether the submission defines function `fn` (the driver's hello). */
int mm_driver_has(enum mm_fn fn);

/* One request. `payload` is sent after the header; the reply's payload is
 * copied into `out` (at most `cap` bytes, *out_len says how many; both may
 * be NULL). errno is set to the driver's. Returns the reply's value. If the
 * driver dies, the test ends there (remote.h's header) and this does not
 * return. */
int64_t mm_rpc(uint32_t op, uint32_t flags, const uint64_t arg[4], const void *payload,
               size_t len, void *out, size_t cap, size_t *out_len);

/* One ring call of a batch: what to call, and what it returned. */
struct mm_ring_op {
    int write;       /* 1: ring_write(rb, src, len); 0: ring_read(rb, dst, len) */
    size_t len;
    const void *src; /* the bytes to write */
    void *dst;       /* where the bytes read go (at most len of them) */
    ssize_t ret;     /* filled for the calls made */
    int err;
};

/* Makes ops[0..n) on the driver's ring `rb` in one request (proto.h,
 * MM_OP_RING_BATCH), as a loop of ring_write and ring_read would, and
 * stops after the first call that does not return its len, or after a
 * read whose bytes begin with stop[0..stop_len) (stop_len at most 8).
 * Returns how many calls were made (at least 1), their results in ops.
 * Whatever the driver claims, a reply that does not add up (calls made
 * after one that ends the batch, bytes that do not match the lengths)
 * fails the test; a request the driver cannot hold is a set-up failure.
 * Nothing is decided from the driver's say-so that a loop of single calls
 * would have checked here. */
size_t mm_ring_batch(const void *rb, struct mm_ring_op *ops, size_t n, const void *stop,
                     size_t stop_len);

/* How many ops from ops[0] on fit in one batch (at least 1 if n > 0). */
size_t mm_ring_batch_fit(const struct mm_ring_op *ops, size_t n);

/* Forks the driver and this process; the child drives the driver's child.
 * Returns fork()'s value in this process. */
pid_t mm_fork_both(void);

/* Whether this process is a checker child made by mm_fork_both. */
int mm_is_child(void);

/* Reads or writes the driver's memory (process_vm_readv/writev, which
 * respect the mapping's protection). Returns 0, or -1 with errno. */
int mm_remote_read(uintptr_t addr, void *buf, size_t len);
int mm_remote_write(uintptr_t addr, const void *buf, size_t len);

/* Makes the driver write (or read) one byte at `addr`. Returns 1 if the
 * checker saw the access fault (ptrace; *seen filled when not NULL). */
int mm_remote_touch(uintptr_t addr, int write, siginfo_t *seen);

/* How the test process reports a test's end (runner.c implements it). */
void mm_report_failure(const char *message) __attribute__((noreturn));
void mm_report_driver_end(int status) __attribute__((noreturn));

#endif
