/*
 * harness.h - what every row's tests share.
 *
 * A test's life: mm_begin starts the driver (remote.h: the submission runs
 * in that separate process, never in this one) and snapshots its
 * descriptors and mappings and /dev/shm; the body calls the submission
 * through the stubs of api.h, checking each step with MM_CHECK; it ends
 * with mm_finish("after ..."), which fails on anything the submission left
 * behind and then marks the test complete.
 *
 * What a row grades, and what it only notes. Each row grades what its
 * title says (README, "The rows"): what unmap() and
 * destroy_shared_region() (or any successful call) leave behind is
 * unmap_cleanup's, leaks on error paths error_handling's. A test of
 * another row still looks, and shows what it saw as a note beside its
 * verdict ("also seen: ..., see row unmap_cleanup") without failing on
 * it: its teardown goes through mm_release / mm_release_name and it ends
 * with mm_finish_noting. Calls another row grades, made only to set up,
 * go in an mm_calls_of window.
 *
 * Addresses: a t_mapping *, and every address mm_addr() returns, belong to
 * the driver's address space. Never dereference them here: read and write
 * through mm_rfill, mm_rmismatch, mm_rput and mm_rget, which go through
 * process_vm_writev/readv and so respect the mapping's protection.
 *
 * Rule for test code: only MM_CHECK/MM_REQUIRE (failing checks), mm_note
 * and mm_finish's final mark; never a check in a forked child (children only
 * _exit with a status their parent checks). Never waitpid(-1) or wait():
 * the driver is a traced child of the test process, and its stops and its
 * end belong to remote.c; wait for a child by its pid (mm_wait).
 */
#ifndef MM_HARNESS_H
#define MM_HARNESS_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "api.h"
#include "check.h"
#include "remote.h"

/* Names a row's suite (every test runs between mm_begin and mm_end). */
#define MM_SUITE(row) extern const char mm_suite_##row[]

/* Fails the test with a message in the student's terms. */
#define MM_CHECK(cond, ...)                                                   \
    do {                                                                      \
        if (!(cond))                                                          \
            mm_fail(__VA_ARGS__);                                             \
    } while (0)

/* Fails the test when the submission does not define `fn` at all. */
#define MM_REQUIRE(fn)                                                        \
    MM_CHECK(mm_driver_has(MM_FN_##fn), "%s is not defined in your submission", #fn)

void mm_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Exit statuses of a checker child that did not get to its own _exit:
 * a failed set-up, or its driver ended in the middle of a call. */
#define MM_CHILD_FAILED 124
#define MM_CHILD_ENDED 125

void mm_begin(void);
void mm_end(void);

/* runner.c: the step, the note and the completion mark, as the runner
 * will see them; the teardown mark (see mm_teardown). */
void mm_runner_step(const char *step);
void mm_runner_note(const char *note);
void mm_runner_teardown(const char *row);
void mm_runner_complete(void);
const char *mm_runner_driver(void);
const char *mm_runner_under(void); /* --under=PROGRAM, or NULL */
int mm_runner_shared_shm(void);
/* The test's own processes are running, not waiting for good: called by
 * every loop of theirs that waits with a timeout, and by mm_step. The
 * runner cannot see them in /proc (they are non-dumpable, /proc is
 * hidepid=2), so this is how its stall watch (stall.h) knows. */
void mm_runner_alive(void);

/* The row that grades what unmap() and destroy_shared_region() leave. */
#define MM_ROW_CLEANUP "unmap_cleanup"

/* Checks for leaks against the snapshot (`after` says when, e.g.
 * "after unmap()"), then marks the test complete. Must be the last call.
 * A leak fails the test: for the rows that grade leaks. */
void mm_finish(const char *after);

/* The same, but a leak is a note naming `row`, the row that grades it;
 * only a view the checker cannot complete fails the test. */
void mm_finish_noting(const char *after, const char *row);

/* Adds "also seen: <text>, see row <row>" to the test's note: something
 * wrong that another row grades; with `row` NULL, "note: <text>": advice
 * the row gives without deducting for it. Never fails the test. */
void mm_note(const char *row, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Marks the end of what the test's row grades: from here on the calls
 * are `row`'s, and a crash of the driver during one of them (a signal) is
 * a note that completes the test instead of a crash verdict. Nothing the
 * row grades may be checked after it (the test may end at any call). */
void mm_teardown(const char *row);

/* The same for a window of calls whose results another row (`row`)
 * grades, made to set up what this row checks next; mm_calls_of(NULL)
 * closes the window. A crash inside it completes the test with a note: a
 * dead driver has nothing left to check. */
void mm_calls_of(const char *row);

/* Teardown calls (they start the teardown for MM_ROW_CLEANUP): unmap(m),
 * `what` naming the mapping, and destroy_shared_region(name); a nonzero
 * result or a missing function is a note. */
void mm_release(t_mapping *m, const char *what);
void mm_release_name(const char *name);

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

/* The same on the driver's memory at `addr`. mm_rfill fails the test when
 * the bytes cannot be written there (unmapped, or not writable: the
 * message says which write, `what`). mm_rmismatch returns the first
 * offset that differs or cannot be read. */
void mm_rfill(const void *addr, size_t len, unsigned seed, const char *what);
size_t mm_rmismatch(const void *addr, size_t len, unsigned seed);

/* mm_rfill that returns -1 instead of failing (for children). */
int mm_rtry_fill(const void *addr, size_t len, unsigned seed);

/* Copies the string `s` (with its NUL) to the driver's `addr`; fails the
 * test like mm_rfill. */
void mm_rput(const void *addr, const char *s, const char *what);

/* Reads a NUL-terminated string of at most 255 bytes at the driver's
 * `addr` (static storage); "" if unreadable. */
const char *mm_rget(const void *addr);

/* Unmaps [addr, addr+len) in the driver, behind the submission's back. */
void mm_runmap(const void *addr, size_t len);

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

/* A file of `len` bytes that holds no data (a hole, ftruncate): large
 * files cost nothing on the size-capped /tmp. Returns its path. */
const char *mm_sparse_file(const char *tag, size_t len);

/* A /dev/shm object of `size` bytes made by the test itself (shm_open,
 * ftruncate, filled by mm_fill(seed); seed 0 leaves it a hole of zeros,
 * which costs nothing however large), so that a row can attach to a
 * region without depending on create_shared_region. Returns its name.
 * mm_finish and mm_finish_noting remove it before they look for leaks. */
const char *mm_shm_object(const char *tag, size_t size, unsigned seed);

/* The pid of the test process ("/mm_<pid>_..." names), also in children. */
pid_t mm_test_pid(void);

/* --- observing the process ----------------------------------------------- */

/* The driver's address space (addresses are the driver's). */

/* Number of pages of [addr, addr+len) that are still mapped. */
size_t mm_pages_mapped(const void *addr, size_t len);

/* The "rwxp"/"rw-s" permissions of the mapping holding `addr`, or "none". */
const char *mm_perms(const void *addr);

/* errno `e` as a student looks it up: "ENOENT: No such file or directory"
 * ("errno 0: none set" when 0). Each call has a buffer of its own for the
 * next seven calls, so one message may name several. */
const char *mm_errno_name(int e);

/* Hints that end a message where the fix is known ("" when none): why
 * create_shared_region failed with errno `e`; why attach_shared_region of
 * `name` (made by the submission's create_shared_region) returned NULL. */
const char *mm_hint_create(int e);
const char *mm_hint_attach(const char *name);

/* The file the mapping holding `addr` maps ("" for anonymous memory). */
const char *mm_mapped_path(const void *addr);

/* Open-flag access mode (O_RDONLY/O_WRONLY/O_RDWR) of the descriptors the
 * driver holds on `path`: returns how many it found; *writable counts
 * those open for writing. */
int mm_fds_on(const char *path, int *writable);

/* Makes the driver write one byte at `p`. Returns 1 if the write faulted
 * as ptrace saw it (*info filled), 0 if it went through. */
int mm_write_faults(const void *p, siginfo_t *info);

/* Makes the driver read one byte at `p`: 1 if it faulted (*info filled). */
int mm_read_faults(const void *p, siginfo_t *info);

/* Whether `p` lies in a mapping that was not there when the test began
 * (a leak's address tells what leaked: the region, or the t_mapping).
 * The heap is never a new mapping. */
int mm_mapped_since_begin(const void *p);

/* How many descriptors the driver has open. */
int mm_open_fds(void);

/* A snapshot of the driver now (mm_mark), and the first descriptor,
 * mapping or /dev/shm object that is new since it, "... `when`", in
 * `msg` (mm_new_since_mark returns 1 if there is one): what one call
 * left behind, named as that call's. */
void mm_mark(void);
int mm_new_since_mark(const char *when, char *msg, size_t cap);

/* Lowers the driver's address-space limit (RLIMIT_AS) to what it uses now
 * plus `headroom` bytes, so that a larger mmap fails with ENOMEM while
 * small ones (a t_mapping) still work. For a child's driver (mm_in_child):
 * the limit stays with that process. Returns 0, or -1. */
int mm_driver_limit_as(size_t headroom);

/* --- msync as the submission called it (seccomp trace stops) ------------- */

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
 * signal), whether it returned the error value (NULL or -1), errno, and
 * the first descriptor, mapping or /dev/shm object the call left in the
 * child's driver ("" when none). */
struct mm_outcome {
    int signal;
    int failed;
    int err;
    int exited;
    int status; /* the child's wait status (mm_status_str) */
    char leak[256];
};
/* Runs fn(arg) in a forked child (and a forked driver); fn returns nonzero
 * when the call under test returned its error value, with errno as the
 * call left it. A crash of the driver's child is its signal. Never
 * crashes the test itself. `leak` compares the child's driver before and
 * after fn ("... after the call"). */
struct mm_outcome mm_in_child(int (*fn)(const void *arg), const void *arg);

/* Forks this process and the driver: the child drives the driver's child
 * (remote.h). Fails the test if it cannot. Children must end in _exit. */
pid_t mm_fork(void);

/* Waits for `pid`; returns its wait status. */
int mm_wait(pid_t pid);

/* "exited with 3" / "killed by SIGSEGV (Segmentation fault)". */
const char *mm_status_str(int status);

/* Writes all `len` bytes (a file, a pipe); 0, or -1 if a write failed. */
int mm_write_all(int fd, const void *buf, size_t len);

/* Pipe helpers for parent/child hand-offs: one int per message. The
 * receiving side returns -1 when the other side closed without sending. */
void mm_pipe(int fds[2]);
void mm_send(int fd, int value);
int mm_recv(int fd);

#endif
