/*
 * harness.c - snapshots, leak checks and probes shared by every row.
 *
 * Everything here avoids large heap allocations between mm_begin and
 * mm_finish: a malloc above the mmap threshold would itself show up as a
 * new mapping and be blamed on the submission.
 */
#define _GNU_SOURCE /* prlimit */
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
#include <sys/resource.h>
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
static pid_t g_test_pid;
/* Objects the test made itself (mm_shm_object): not the submission's. */
static char g_fixtures[4][64];
static int g_fixture_count;

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
    g_test_pid = getpid();
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

pid_t mm_test_pid(void)
{
    return g_test_pid;
}

static void remove_fixtures(void)
{
    for (int i = 0; i < g_fixture_count; i++)
        shm_unlink(g_fixtures[i]);
    g_fixture_count = 0;
}

/* 1 with the first leak in `leak` if the driver left something behind. */
static int find_leak(const char *after, char *leak, size_t cap)
{
    static struct mm_snapshot now;

    mm_step("checking for leaks %s", after);
    remove_fixtures();
    mm_snapshot_take(mm_driver_pid(), &now);
    return mm_snapshot_leak(&g_before, &now, after, leak, cap);
}

void mm_finish(const char *after)
{
    char leak[512];

    if (find_leak(after, leak, sizeof leak))
        mm_fail("%s", leak);
    mm_runner_complete();
}

void mm_finish_noting(const char *after, const char *row)
{
    char leak[512];

    if (find_leak(after, leak, sizeof leak))
        mm_note(row, "%s", leak);
    mm_runner_complete();
}

void mm_note(const char *row, const char *fmt, ...)
{
    char what[1024];
    char note[1200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (row)
        snprintf(note, sizeof note, "also seen: %s, see row %s", what, row);
    else
        snprintf(note, sizeof note, "note: %s", what);
    mm_runner_note(note);
}

void mm_teardown(const char *row)
{
    mm_runner_teardown(row);
}

void mm_calls_of(const char *row)
{
    mm_runner_teardown(row ? row : "");
}

void mm_release(t_mapping *m, const char *what)
{
    int ret;

    mm_teardown(MM_ROW_CLEANUP);
    if (!mm_driver_has(MM_FN_unmap)) {
        mm_note(MM_ROW_CLEANUP, "unmap is not defined in your submission");
        return;
    }
    mm_step("calling unmap() on the %s", what);
    ret = unmap(m);
    if (ret != 0)
        mm_note(MM_ROW_CLEANUP, "unmap() of the %s returned %d instead of 0 (%s)", what,
                ret, mm_errno_name(errno));
}

void mm_release_name(const char *name)
{
    int ret;

    mm_teardown(MM_ROW_CLEANUP);
    if (!mm_driver_has(MM_FN_destroy_shared_region)) {
        mm_note(MM_ROW_CLEANUP, "destroy_shared_region is not defined in your submission");
        return;
    }
    mm_step("calling destroy_shared_region(\"%s\")", name);
    ret = destroy_shared_region(name);
    if (ret != 0)
        mm_note(MM_ROW_CLEANUP, "destroy_shared_region(\"%s\") returned %d instead of 0 (%s)",
                name, ret, mm_errno_name(errno));
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

/* Why a write at `at` failed, as the mapping shows it. A page mapped
 * writable that still cannot be written lies past the end of the file or
 * object it maps (the program itself would get SIGBUS there). */
static const char *write_failure(const void *at)
{
    const char *perms = mm_perms(at);

    if (strcmp(perms, "none") == 0)
        return "the page is not mapped";
    if (strchr(perms, 'w') == NULL)
        return "the page is not writable";
    return "the page is mapped writable but lies past the end of the file or shared memory object it maps (an access there is SIGBUS): an object is only as long as ftruncate made it";
}

void mm_rfill(const void *addr, size_t len, unsigned seed, const char *what)
{
    size_t off = fill_remote(addr, len, seed);
    const char *at = (const char *)addr + off;

    if (off < len)
        mm_fail("%s: the write at %p failed: %s", what, (const void *)at, write_failure(at));
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
        mm_fail("%s: the write at %p failed: %s", what, addr, write_failure(addr));
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

int mm_write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;

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
        MM_CHECK(mm_write_all(fd, chunk, n) == 0, "test set-up: cannot write %s", out);
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

const char *mm_sparse_file(const char *tag, size_t len)
{
    const char *path = mm_file(tag, 0, 0, 0644);
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    MM_CHECK(fd >= 0 && ftruncate(fd, (off_t)len) == 0,
             "test set-up: cannot make %s %zu bytes long: %s", path, len, strerror(errno));
    close(fd);
    return path;
}

const char *mm_shm_object(const char *tag, size_t size, unsigned seed)
{
    const char *name = mm_shm_name(tag);
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    void *view = NULL;
    int sized;

    MM_CHECK(fd >= 0, "test set-up: cannot create %s: %s", name, strerror(errno));
    if (g_fixture_count < 4)
        snprintf(g_fixtures[g_fixture_count++], sizeof g_fixtures[0], "%s", name);
    sized = ftruncate(fd, (off_t)size) == 0;
    if (sized && size > 0 && seed != 0)
        view = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    MM_CHECK(sized && view != MAP_FAILED, "test set-up: cannot size or map %s: %s", name,
             strerror(errno));
    if (view) {
        mm_fill(view, size, seed);
        munmap(view, size);
    }
    return name;
}

/* ---- observing the driver ------------------------------------------------ */

size_t mm_pages_mapped(const void *addr, size_t len)
{
    size_t page = mm_page();
    uintptr_t start = (uintptr_t)addr & ~(page - 1);

    return mm_maps_pages(mm_driver_pid(), start, (uintptr_t)addr + len, page);
}

const char *mm_hint_create(int e)
{
    return e == ENOENT ? ": shm_open creates the object only when given O_CREAT" : "";
}

const char *mm_hint_attach(const char *name)
{
    char path[300];
    struct stat st;

    snprintf(path, sizeof path, "/dev/shm%s", name);
    if (stat(path, &st) == 0 && st.st_size == 0)
        return ": the object is 0 bytes long, so attach was right to refuse it: create_shared_region "
               "must ftruncate the object to the region's size";
    return "";
}

const char *mm_errno_name(int e)
{
    static char bufs[8][160];
    static unsigned next;
    char *buf = bufs[next++ % 8];
    const char *name = e ? strerrorname_np(e) : NULL;

    if (e == 0)
        snprintf(buf, 160, "errno 0: none set");
    else if (name)
        snprintf(buf, 160, "%s: %s", name, strerror(e));
    else
        snprintf(buf, 160, "errno %d: %s", e, strerror(e));
    return buf;
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

int mm_read_faults(const void *p, siginfo_t *info)
{
    siginfo_t seen;
    int faulted = mm_remote_touch((uintptr_t)p, 0, &seen);

    if (faulted && info)
        *info = seen;
    return faulted;
}

/* The heap grows for reasons of its own (the leak checks ignore it too):
 * memory in it is never a new mapping. */
int mm_mapped_since_begin(const void *p)
{
    const struct mm_range *r = mm_maps_find(mm_driver_pid(), (uintptr_t)p);

    return r != NULL && strcmp(r->path, "[heap]") != 0 && strcmp(r->path, "[stack]") != 0
           && !mm_snapshot_covers(&g_before, (uintptr_t)p);
}

static struct mm_snapshot g_mark;

void mm_mark(void)
{
    mm_snapshot_take(mm_driver_pid(), &g_mark);
}

int mm_new_since_mark(const char *when, char *msg, size_t cap)
{
    static struct mm_snapshot now;

    mm_snapshot_take(mm_driver_pid(), &now);
    return mm_snapshot_leak(&g_mark, &now, when, msg, cap);
}

int mm_open_fds(void)
{
    static struct mm_snapshot now;
    int count = 0;

    mm_snapshot_take(mm_driver_pid(), &now);
    for (int fd = 0; fd < MM_MAX_FDS; fd++)
        count += now.fd_open[fd];
    return count;
}

/* VmSize of the driver, in bytes, from /proc/<pid>/status; 0 if unknown. */
static size_t driver_vm_size(void)
{
    char status[4096];
    char path[64];
    const char *vm;
    long kb = 0;
    ssize_t n;
    int fd;

    snprintf(path, sizeof path, "/proc/%d/status", (int)mm_driver_pid());
    fd = open(path, O_RDONLY | O_CLOEXEC);
    n = fd >= 0 ? read(fd, status, sizeof status - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    status[n] = '\0';
    vm = strstr(status, "VmSize:");
    if (!vm || sscanf(vm + 7, "%ld", &kb) != 1 || kb <= 0)
        return 0;
    return (size_t)kb << 10;
}

int mm_driver_limit_as(size_t headroom)
{
    size_t used = driver_vm_size();
    struct rlimit rl;

    if (used == 0)
        return -1;
    rl.rlim_cur = rl.rlim_max = (rlim_t)(used + headroom);
    return prlimit(mm_driver_pid(), RLIMIT_AS, &rl, NULL);
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

/* What mm_in_child's child sends back: one write, below PIPE_BUF. */
struct child_report {
    int failed;
    int err;
    char leak[256];
};

/* The child's side: fn between two views of the child's driver. */
static void child_call(int fd, int (*fn)(const void *arg), const void *arg)
{
    static struct mm_snapshot before;
    static struct mm_snapshot after;
    struct child_report r;

    memset(&r, 0, sizeof r);
    mm_snapshot_take(mm_driver_pid(), &before);
    errno = 0;
    r.failed = fn(arg);
    r.err = errno;
    mm_snapshot_take(mm_driver_pid(), &after);
    mm_snapshot_leak(&before, &after, "after the call", r.leak, sizeof r.leak);
    (void)!write(fd, &r, sizeof r);
    _exit(0);
}

struct mm_outcome mm_in_child(int (*fn)(const void *arg), const void *arg)
{
    struct mm_outcome out;
    struct child_report r;
    int fds[2];
    pid_t pid;

    memset(&out, 0, sizeof out);
    mm_pipe(fds);
    pid = mm_fork();
    if (pid == 0) {
        close(fds[0]);
        child_call(fds[1], fn, arg);
    }
    close(fds[1]);
    if (read(fds[0], &r, sizeof r) == (ssize_t)sizeof r) {
        out.exited = 1;
        out.failed = r.failed;
        out.err = r.err;
        r.leak[sizeof r.leak - 1] = '\0';
        snprintf(out.leak, sizeof out.leak, "%s", r.leak);
    }
    close(fds[0]);
    out.status = mm_wait(pid);
    if (WIFSIGNALED(out.status))
        out.signal = WTERMSIG(out.status);
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
