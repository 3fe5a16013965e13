/*
 * harness.c - snapshots, leak checks and probes shared by every row.
 *
 * Everything here avoids large heap allocations between mm_begin and
 * mm_finish: a malloc above the mmap threshold would itself show up as a
 * new mapping and be blamed on the submission.
 */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procview.h"

/* ---- state of the current test ------------------------------------------ */

static struct mm_snapshot g_before;
static char g_dir[64];
static int g_step_fd = -1;
static char g_shm_names[8][64];
static int g_shm_count;

/* The runner reads the last step of a crashed test from this file. */
static void open_step_file(void)
{
    char path[256];

    snprintf(path, sizeof path, "/tmp/mm-step-%d-%s-%s", (int)getppid(),
             criterion_current_suite->name, criterion_current_test->name);
    g_step_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

void mm_step(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    if (g_step_fd < 0) {
        errno = 0;
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    if (ftruncate(g_step_fd, 0) == 0)
        (void)!pwrite(g_step_fd, buf, (size_t)n, 0);
    /* A step precedes a call under test: the errno a message prints is
     * then the call's own, not one the harness left behind. */
    errno = 0;
}

void mm_begin(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/mm-test-XXXXXX");
    if (!mkdtemp(g_dir))
        cr_assert_fail("test set-up: cannot create a directory in /tmp: %s",
                       strerror(errno));
    open_step_file();
    mm_step("starting the test");
    mm_msync_reset();
    /* Last: everything the harness itself opened is part of the baseline. */
    mm_snapshot_take(&g_before);
}

/* Removes what the test created, whatever the submission did. */
void mm_end(void)
{
    char path[sizeof g_dir + 256];
    DIR *d;
    struct dirent *e;

    for (int i = 0; i < g_shm_count; i++)
        shm_unlink(g_shm_names[i]);
    d = opendir(g_dir);
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", g_dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(g_dir);
    if (g_step_fd >= 0)
        close(g_step_fd);
}

void mm_finish(const char *after)
{
    static struct mm_snapshot now;
    char leak[512];

    mm_step("checking for leaks %s", after);
    mm_snapshot_take(&now);
    if (mm_snapshot_leak(&g_before, &now, after, leak, sizeof leak))
        cr_assert_fail("%s", leak);
    /* The completion mark: the only passing assertion of a test. */
    cr_assert(1, "mm:complete");
}

/* ---- data ---------------------------------------------------------------- */

static unsigned char pattern_byte(size_t i, unsigned seed)
{
    uint32_t x = (uint32_t)i * 2654435761u + seed * 40503u + 17u;

    x ^= x >> 13;
    return (unsigned char)(x ^ (x >> 7));
}

void mm_fill(void *buf, size_t len, unsigned seed)
{
    unsigned char *p = buf;

    for (size_t i = 0; i < len; i++)
        p[i] = pattern_byte(i, seed);
}

size_t mm_mismatch(const void *buf, size_t len, unsigned seed)
{
    const unsigned char *p = buf;

    for (size_t i = 0; i < len; i++)
        if (p[i] != pattern_byte(i, seed))
            return i;
    return len;
}

size_t mm_page(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* ---- files and names ----------------------------------------------------- */

static int write_all(int fd, const unsigned char *p, size_t len)
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

const char *mm_file(const char *tag, size_t len, unsigned seed, mode_t mode)
{
    static char path[8][128];
    static int next;
    unsigned char chunk[4096];
    char *out = path[next++ % 8];
    int fd;

    snprintf(out, sizeof path[0], "%s/%s", g_dir, tag);
    fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    MM_CHECK(fd >= 0, "test set-up: cannot create %s: %s", out, strerror(errno));
    for (size_t off = 0; off < len; off += sizeof chunk) {
        size_t n = len - off < sizeof chunk ? len - off : sizeof chunk;

        for (size_t i = 0; i < n; i++)
            chunk[i] = pattern_byte(off + i, seed);
        MM_CHECK(write_all(fd, chunk, n) == 0, "test set-up: cannot write %s", out);
    }
    MM_CHECK(fchmod(fd, mode) == 0 && close(fd) == 0, "test set-up: cannot finish %s", out);
    return out;
}

ssize_t mm_read_file(const char *path, void *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t got = 0;

    if (fd < 0)
        return -1;
    while (got < cap) {
        ssize_t n = read(fd, (char *)buf + got, cap - got);

        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return (ssize_t)got;
}

const char *mm_shm_name(const char *tag)
{
    char *name = g_shm_names[g_shm_count % 8];

    snprintf(name, sizeof g_shm_names[0], "/mm_%d_%s", (int)getpid(), tag);
    if (g_shm_count < 8)
        g_shm_count++;
    shm_unlink(name);
    return name;
}

/* ---- observing the process ------------------------------------------------ */

size_t mm_pages_mapped(const void *addr, size_t len)
{
    size_t page = mm_page();
    uintptr_t start = (uintptr_t)addr & ~(page - 1);
    uintptr_t end = (uintptr_t)addr + len;
    unsigned char vec;
    size_t count = 0;

    /* mincore fails with ENOMEM exactly on pages that are not mapped. */
    for (uintptr_t p = start; p < end; p += page)
        if (mincore((void *)p, page, &vec) == 0)
            count++;
    return count;
}

const char *mm_perms(const void *addr)
{
    static char perms[8];

    if (!mm_maps_perms((uintptr_t)addr, perms))
        return "none";
    return perms;
}

int mm_fds_on(const char *path, int *writable)
{
    return mm_fds_open_on(path, writable);
}

static sigjmp_buf g_fault_jmp;
static volatile sig_atomic_t g_faulted;
static siginfo_t g_fault_info;

static void on_fault(int sig, siginfo_t *info, void *uctx)
{
    (void)sig;
    (void)uctx;
    g_fault_info = *info;
    g_faulted = 1;
    siglongjmp(g_fault_jmp, 1);
}

/* Runs one access with SIGSEGV and SIGBUS caught; 1 if it faulted. */
static int access_faults(volatile char *p, int write)
{
    struct sigaction sa = {0};
    struct sigaction old_segv;
    struct sigaction old_bus;

    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    g_faulted = 0;
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
    if (sigsetjmp(g_fault_jmp, 1) == 0) {
        if (write)
            *p = (char)(*p ^ 0x5a);
        else
            (void)*p;
    }
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    return g_faulted;
}

int mm_write_faults(volatile char *p, siginfo_t *info)
{
    int faulted = access_faults(p, 1);

    if (faulted && info)
        *info = g_fault_info;
    return faulted;
}

int mm_read_faults(const volatile char *p)
{
    return access_faults((volatile char *)p, 0);
}

/* ---- msync as the submission called it ----------------------------------- */

int mm_msync_count;
struct mm_msync_call mm_msync_log[MM_MSYNC_LOG];

int __real_msync(void *addr, size_t len, int flags);
int __wrap_msync(void *addr, size_t len, int flags);

int __wrap_msync(void *addr, size_t len, int flags)
{
    int saved;
    struct mm_msync_call *c = &mm_msync_log[mm_msync_count % MM_MSYNC_LOG];

    c->addr = addr;
    c->len = len;
    c->flags = flags;
    c->ret = __real_msync(addr, len, flags);
    saved = errno;
    mm_msync_count++;
    errno = saved;
    return c->ret;
}

void mm_msync_reset(void)
{
    mm_msync_count = 0;
    memset(mm_msync_log, 0, sizeof mm_msync_log);
}

/* ---- children ------------------------------------------------------------ */

pid_t mm_fork(void)
{
    pid_t pid;

    fflush(NULL);
    pid = fork();
    MM_CHECK(pid >= 0, "test set-up: fork failed: %s", strerror(errno));
    return pid;
}

int mm_wait(pid_t pid)
{
    int status = 0;

    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

const char *mm_status_str(int status)
{
    static char buf[96];

    if (WIFSIGNALED(status))
        snprintf(buf, sizeof buf, "was killed by signal %d (%s)",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, sizeof buf, "exited with status %d", WEXITSTATUS(status));
    return buf;
}

struct mm_outcome mm_in_child(int (*fn)(const void *arg), const void *arg)
{
    struct mm_outcome out = {0};
    int fds[2];
    pid_t pid;
    int status;

    mm_pipe(fds);
    pid = mm_fork();
    if (pid == 0) {
        int report[2];

        close(fds[0]);
        errno = 0;
        report[0] = fn(arg);
        report[1] = errno;
        (void)!write(fds[1], report, sizeof report);
        _exit(0);
    }
    close(fds[1]);
    {
        int report[2];

        if (read(fds[0], report, sizeof report) == (ssize_t)sizeof report) {
            out.exited = 1;
            out.failed = report[0];
            out.err = report[1];
        }
    }
    close(fds[0]);
    status = mm_wait(pid);
    if (WIFSIGNALED(status))
        out.signal = WTERMSIG(status);
    return out;
}

void mm_pipe(int fds[2])
{
    MM_CHECK(pipe(fds) == 0, "test set-up: pipe failed: %s", strerror(errno));
}

void mm_send(int fd, int value)
{
    (void)!write(fd, &value, sizeof value);
}

int mm_recv(int fd)
{
    int value;

    if (read(fd, &value, sizeof value) != (ssize_t)sizeof value)
        return -1;
    return value;
}
