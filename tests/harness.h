/*
 * harness.h - what every row's tests share.
 *
 * A test's life: the suite's .init (mm_begin) snapshots the descriptors,
 * mappings and /dev/shm objects of the test process; the body calls the
 * submission, checking each step with MM_CHECK; it ends with
 * mm_finish("after ..."), which fails on anything the submission left
 * behind and then marks the test complete. The grader counts a test as
 * passed only when that mark was reached, so a submission that ends the
 * process early (exit(0), _exit(0)) does not pass (Criterion would).
 *
 * Rule for test code: only MM_CHECK/MM_REQUIRE (failing assertions) and
 * mm_finish's final mark; never a passing cr_assert elsewhere, never an
 * assertion in a forked child (children only _exit).
 */
#ifndef MM_HARNESS_H
#define MM_HARNESS_H

#include <criterion/criterion.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "api.h"

/* Every suite: snapshot before the test, clean up after it. The timeout is
 * only a ceiling; the grader lowers it per row with --timeout. */
#define MM_SUITE(row) TestSuite(row, .init = mm_begin, .fini = mm_end, .timeout = 30)

/* Fails the test with a message in the student's terms. */
#define MM_CHECK(cond, ...)                                                   \
    do {                                                                      \
        if (!(cond))                                                          \
            cr_assert_fail(__VA_ARGS__);                                      \
    } while (0)

/* Fails the test when the submission does not define `fn` at all. */
#define MM_REQUIRE(fn)                                                        \
    MM_CHECK((fn) != NULL, "%s is not defined in your submission", #fn)

void mm_begin(void);
void mm_end(void);

/* Checks for leaks against the snapshot (`after` says when, e.g.
 * "after unmap()"), then marks the test complete. Must be the last call. */
void mm_finish(const char *after);

/* Records what the test is doing, so a crash report can say where it
 * happened ("crashed during unmap() of the file mapping"), and clears
 * errno for the call that follows. */
void mm_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- data ---------------------------------------------------------------- */

/* Fills `buf` with bytes derived from `seed`; no two offsets of a page repeat
 * the same value in a row, so a shifted or truncated copy is detected. */
void mm_fill(void *buf, size_t len, unsigned seed);

/* Offset of the first byte that differs from mm_fill(seed), or `len`. */
size_t mm_mismatch(const void *buf, size_t len, unsigned seed);

size_t mm_page(void);

/* --- files and names (removed again by mm_end) --------------------------- */

/* Creates a file of `len` bytes filled by mm_fill(seed) in the test's own
 * directory, with permissions `mode`; returns its path (static storage). */
const char *mm_file(const char *tag, size_t len, unsigned seed, mode_t mode);

/* Reads a whole file through a descriptor of its own, into `buf`. Returns
 * the number of bytes read, or -1. */
ssize_t mm_read_file(const char *path, void *buf, size_t cap);

/* A shm name unique to this test process ("/mm_<pid>_<tag>"). */
const char *mm_shm_name(const char *tag);

/* --- observing the process ----------------------------------------------- */

/* Number of pages of [addr, addr+len) that are still mapped. */
size_t mm_pages_mapped(const void *addr, size_t len);

/* The "rwxp"/"rw-s" permissions of the mapping holding `addr`, or "none". */
const char *mm_perms(const void *addr);

/* Open-flag access mode (O_RDONLY/O_WRONLY/O_RDWR) of the descriptors this
 * process holds on `path`: returns how many it found; *rdwr counts those
 * open for writing. */
int mm_fds_on(const char *path, int *writable);

/* Writes one byte at `p` with a SIGSEGV handler armed. Returns 1 if the
 * write faulted (*info filled), 0 if it went through. */
int mm_write_faults(volatile char *p, siginfo_t *info);

/* Reads one byte at `p` with a SIGSEGV/SIGBUS handler armed: 1 if faulted. */
int mm_read_faults(const volatile char *p);

/* --- msync as the submission called it (link-time --wrap=msync) ---------- */

struct mm_msync_call {
    void *addr;
    size_t len;
    int flags;
    int ret;
};
/* Calls recorded since the last reset; the last MM_MSYNC_LOG are kept. */
#define MM_MSYNC_LOG 16
extern int mm_msync_count;
extern struct mm_msync_call mm_msync_log[MM_MSYNC_LOG];
void mm_msync_reset(void);

/* --- children ------------------------------------------------------------ */

/* What a call made in a child returned: whether it crashed (and with which
 * signal), whether it returned the error value (NULL or -1), and errno. */
struct mm_outcome {
    int signal;
    int failed;
    int err;
    int exited;
};
/* Runs fn(arg) in a forked child; fn returns nonzero when the call under
 * test returned its error value. Never crashes the test itself. */
struct mm_outcome mm_in_child(int (*fn)(const void *arg), const void *arg);

/* fork() that fails the test if it cannot. Children must end in _exit. */
pid_t mm_fork(void);

/* Waits for `pid`; returns its wait status. */
int mm_wait(pid_t pid);

/* "exited with 3" / "killed by SIGSEGV (Segmentation fault)". */
const char *mm_status_str(int status);

/* Pipe helpers for parent/child hand-offs: one int per message. The
 * receiving side returns -1 when the other side closed without sending. */
void mm_pipe(int fds[2]);
void mm_send(int fd, int value);
int mm_recv(int fd);

#endif
