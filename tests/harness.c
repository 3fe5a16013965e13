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
#include "remote.h"

/* ---- state of the current test ------------------------------------------ */

static struct mm_snapshot g_before;
static char g_dir[64];
static char g_shm_names[8][64];
static int g_shm_count;

void mm_fail(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mm_report_failure(msg);
}

void mm_step(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    mm_runner_step(buf);
    /* A step precedes a call under test: the errno a message prints is
     * then the call's own, not one the harness left behind. */
    errno = 0;
}

void mm_begin(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/mm-test-XXXXXX");
    if (!mkdtemp(g_dir))
        mm_fail("test set-up: cannot create a directory in /tmp: %s", strerror(errno));
    /* The driver runs as this uid and must reach the test's files. */
    chmod(g_dir, 0755);
    mm_step("starting the process that runs your code");
    mm_driver_start(mm_runner_driver());
    mm_msync_reset();
    mm_step("starting the test");
    /* Last: everything the driver opened or mapped by itself is part of
     * the baseline. */
    mm_snapshot_take(mm_driver_pid(), &g_before);
}

/* Removes what the test created, whatever the submission did. */
void mm_end(void)
{
    char path[sizeof g_dir + 256];
    DIR *d;
    struct dirent *e;

    mm_driver_stop();
    for (int i = 0; i < g_shm_count; i++)
        shm_unlink(g_shm_names[i]);
    g_shm_count = 0;
    if (!g_dir[0])
        return;
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
    g_dir[0] = '\0';
}

void mm_finish(const char *after)
{
    static struct mm_snapshot now;
    char leak[512];

    mm_step("checking for leaks %s", after);
    mm_snapshot_take(mm_driver_pid(), &now);
    if (mm_snapshot_leak(&g_before, &now, after, leak, sizeof leak))
        mm_fail("%s", leak);
    mm_runner_complete();
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

/* Offset of the first chunk that could not be written, or `len`. */
static size_t fill_remote(const void *addr, size_t len, unsigned seed)
{
    unsigned char chunk[4096];

    for (size_t off = 0; off < len; off += sizeof chunk) {
        size_t n = len - off < sizeof chunk ? len - off : sizeof chunk;

        for (size_t i = 0; i < n; i++)
            chunk[i] = pattern_byte(off + i, seed);
        if (mm_remote_write((uintptr_t)addr + off, chunk, n) != 0)
            return off;
    }
    return len;
}

int mm_rtry_fill(const void *addr, size_t len, unsigned seed)
{
    return fill_remote(addr, len, seed) == len ? 0 : -1;
}

void mm_rfill(const void *addr, size_t len, unsigned seed, const char *what)
{
    size_t off = fill_remote(addr, len, seed);
    const char *at = (const char *)addr + off;

    if (off < len)
        mm_fail("%s: the write at %p failed: the page is %s", what, (const void *)at,
                strcmp(mm_perms(at), "none") == 0 ? "not mapped" : "not writable");
}

size_t mm_rmismatch(const void *addr, size_t len, unsigned seed)
{
    unsigned char chunk[4096];

    for (size_t off = 0; off < len; off += sizeof chunk) {
        size_t n = len - off < sizeof chunk ? len - off : sizeof chunk;

        if (mm_remote_read((uintptr_t)addr + off, chunk, n) != 0)
            return off;
        for (size_t i = 0; i < n; i++)
            if (chunk[i] != pattern_byte(off + i, seed))
                return off + i;
    }
    return len;
}

void mm_rput(const void *addr, const char *s, const char *what)
{
    if (mm_remote_write((uintptr_t)addr, s, strlen(s) + 1) != 0)
        mm_fail("%s: the write at %p failed: the page is %s", what, addr,
                strcmp(mm_perms(addr), "none") == 0 ? "not mapped" : "not writable");
}

const char *mm_rget(const void *addr)
{
    static char buf[256];
    size_t page = mm_page();
    size_t first = page - ((uintptr_t)addr & (page - 1));

    /* Page by page: the string may end just before an unmapped page. */
    memset(buf, 0, sizeof buf);
    if (first > sizeof buf - 1)
        first = sizeof buf - 1;
    if (mm_remote_read((uintptr_t)addr, buf, first) != 0)
        return "";
    if (memchr(buf, '\0', first) == NULL)
        (void)mm_remote_read((uintptr_t)addr + first, buf + first, sizeof buf - 1 - first);
    buf[sizeof buf - 1] = '\0';
    return buf;
}

void mm_runmap(const void *addr, size_t len)
{
    uint64_t arg[4] = {(uintptr_t)addr, len, 0, 0};

    MM_CHECK(mm_rpc(MM_OP_MUNMAP, 0, arg, NULL, 0, NULL, 0, NULL) == 0,
             "test set-up: cannot unmap %p: %s", addr, strerror(errno));
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

/* ---- observing the driver ------------------------------------------------ */

size_t mm_pages_mapped(const void *addr, size_t len)
{
    size_t page = mm_page();
    uintptr_t start = (uintptr_t)addr & ~(page - 1);

    return mm_maps_pages(mm_driver_pid(), start, (uintptr_t)addr + len, page);
}

const char *mm_perms(const void *addr)
{
    static char perms[8];
    const struct mm_range *r = mm_maps_find(mm_driver_pid(), (uintptr_t)addr);

    snprintf(perms, sizeof perms, "%s", r ? r->perms : "none");
    return perms;
}

const char *mm_mapped_path(const void *addr)
{
    static char path[sizeof ((struct mm_range *)0)->path];
    const struct mm_range *r = mm_maps_find(mm_driver_pid(), (uintptr_t)addr);

    snprintf(path, sizeof path, "%s", r ? r->path : "");
    return path;
}

int mm_fds_on(const char *path, int *writable)
{
    return mm_fds_open_on(mm_driver_pid(), path, writable);
}

int mm_write_faults(const void *p, siginfo_t *info)
{
    siginfo_t seen;
    int faulted = mm_remote_touch((uintptr_t)p, 1, &seen);

    if (faulted && info)
        *info = seen;
    return faulted;
}

int mm_read_faults(const void *p)
{
    return mm_remote_touch((uintptr_t)p, 0, NULL);
}

/* ---- msync as the submission called it ----------------------------------- */

int mm_msync_count;
struct mm_msync_call mm_msync_log[MM_MSYNC_LOG];

void mm_msync_reset(void)
{
    mm_msync_count = 0;
    memset(mm_msync_log, 0, sizeof mm_msync_log);
}

/* ---- children ------------------------------------------------------------ */

pid_t mm_fork(void)
{
    return mm_fork_both();
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
    else if (WIFEXITED(status) && WEXITSTATUS(status) == MM_CHILD_ENDED)
        snprintf(buf, sizeof buf, "ended in the middle of a call to your code (exit(0) in your code?)");
    else if (WIFEXITED(status) && WEXITSTATUS(status) == MM_CHILD_FAILED)
        snprintf(buf, sizeof buf, "could not be set up (test set-up failure)");
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
