/*
 * procview.c - reading the driver's /proc/<pid>/{fd,fdinfo,maps} and
 * /dev/shm, from the checker (the same uid, and the driver is dumpable).
 */
#include "procview.h"

#include <errno.h>

#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A view the checker cannot complete is never taken as an empty one: the
 * driver could blind the checker (make itself non-dumpable, flood its
 * maps) and have its leaks and missing protections pass unseen. */
static void blind(pid_t pid, const char *what) __attribute__((noreturn));
static void blind(pid_t pid, const char *what)
{
    mm_fail("the checker cannot see %s of the process running your code (pid %d): %s", what,
            (int)pid, errno ? strerror(errno) : "more than it can follow");
}

/* /proc/<pid>/maps, whole, into static storage (the checker's own memory
 * is never inspected, so its size does not matter). */
static char g_maps_buf[1 << 22];

static const char *read_maps(pid_t pid)
{
    char path[64];
    size_t got = 0;
    ssize_t n = 0;
    int fd;

    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        blind(pid, "the mappings");
    while (got < sizeof g_maps_buf - 1
           && (n = read(fd, g_maps_buf + got, sizeof g_maps_buf - 1 - got)) > 0)
        got += (size_t)n;
    close(fd);
    errno = n < 0 ? errno : 0;
    if (n < 0 || got == sizeof g_maps_buf - 1 || got == 0)
        blind(pid, "the mappings");
    g_maps_buf[got] = '\0';
    return g_maps_buf;
}

/* Parses one maps line: "start-end perms offset dev inode   path". */
static int parse_range(const char *line, struct mm_range *r)
{
    unsigned long start;
    unsigned long end;
    char perms[8];
    int used = 0;

    if (sscanf(line, "%lx-%lx %7s %*s %*s %*s%n", &start, &end, perms, &used) < 3)
        return 0;
    r->start = start;
    r->end = end;
    snprintf(r->perms, sizeof r->perms, "%s", perms);
    line += used;
    while (*line == ' ')
        line++;
    snprintf(r->path, sizeof r->path, "%.*s", (int)strcspn(line, "\n"), line);
    return 1;
}

static void take_ranges(pid_t pid, struct mm_snapshot *s)
{
    const char *line = read_maps(pid);

    s->nranges = 0;
    while (*line) {
        if (s->nranges == MM_MAX_RANGES) {
            errno = 0;
            blind(pid, "all the mappings");
        }
        if (parse_range(line, &s->ranges[s->nranges]))
            s->nranges++;
        line = strchr(line, '\n');
        if (!line)
            break;
        line++;
    }
}

static void take_fds(pid_t pid, struct mm_snapshot *s)
{
    char path[64];
    DIR *d;
    struct dirent *e;

    memset(s->fd_open, 0, sizeof s->fd_open);
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    d = opendir(path);
    if (!d)
        blind(pid, "the descriptors");
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);

        if (e->d_name[0] == '.')
            continue;
        if (fd < 0 || fd >= MM_MAX_FDS) {
            closedir(d);
            errno = 0;
            blind(pid, "every descriptor");
        }
        s->fd_open[fd] = 1;
    }
    closedir(d);
}

static void take_shm(struct mm_snapshot *s)
{
    DIR *d = opendir("/dev/shm");
    struct dirent *e;

    s->nshm = 0;
    if (!d)
        blind(s->pid, "/dev/shm");
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (s->nshm == MM_MAX_SHM) {
            closedir(d);
            errno = 0;
            blind(s->pid, "every object in /dev/shm");
        }
        snprintf(s->shm[s->nshm++], sizeof s->shm[0], "%s", e->d_name);
    }
    closedir(d);
}

void mm_snapshot_take(pid_t pid, struct mm_snapshot *s)
{
    s->pid = pid;
    take_fds(pid, s);
    take_shm(s);
    take_ranges(pid, s);
}

/* ---- comparing ------------------------------------------------------------ */

static const char *fd_target(pid_t pid, int fd)
{
    static char target[160];
    char link[64];
    ssize_t n;

    snprintf(link, sizeof link, "/proc/%d/fd/%d", (int)pid, fd);
    n = readlink(link, target, sizeof target - 1);
    if (n < 0)
        n = 0;
    target[n] = '\0';
    return target;
}

static int fd_leak(const struct mm_snapshot *b, const struct mm_snapshot *a,
                   const char *when, char *msg, size_t cap)
{
    for (int fd = 0; fd < MM_MAX_FDS; fd++) {
        if (a->fd_open[fd] && !b->fd_open[fd]) {
            snprintf(msg, cap, "fd leak: descriptor %d (%s) is still open %s", fd,
                     fd_target(a->pid, fd), when);
            return 1;
        }
    }
    return 0;
}

/* The heap and stack grow for reasons of their own; never blame them. */
static int ignored_range(const struct mm_range *r)
{
    return strcmp(r->path, "[heap]") == 0 || strcmp(r->path, "[stack]") == 0;
}

/* First address of [start, end) that no range of `b` covers, or `end`. */
static uintptr_t first_uncovered(const struct mm_snapshot *b, uintptr_t start, uintptr_t end)
{
    int moved = 1;

    while (moved && start < end) {
        moved = 0;
        for (int i = 0; i < b->nranges; i++) {
            if (b->ranges[i].start <= start && start < b->ranges[i].end) {
                start = b->ranges[i].end;
                moved = 1;
            }
        }
    }
    return start < end ? start : end;
}

/* Bytes of [start, end) starting at `from` that `b` does not cover either. */
static uintptr_t uncovered_run(const struct mm_snapshot *b, uintptr_t from, uintptr_t end)
{
    uintptr_t stop = end;

    for (int i = 0; i < b->nranges; i++)
        if (b->ranges[i].start > from && b->ranges[i].start < stop)
            stop = b->ranges[i].start;
    return stop - from;
}

/* "rw-s" as a student reads it: "read-write, shared". */
static const char *perms_words(const char *perms)
{
    static char words[64];
    int r = perms[0] == 'r', w = perms[1] == 'w', x = perms[2] == 'x';

    snprintf(words, sizeof words, "%s%s, %s", !r && !w ? "no access" : r && w ? "read-write" : r ? "read-only" : "write-only",
             x ? ", executable" : "", perms[3] == 's' ? "shared" : "private");
    return words;
}

/* A mapped file whose name was removed ends "(deleted)" in maps. */
static const char *path_words(const char *path)
{
    static char words[300];
    const char *mark = " (deleted)";
    size_t len = strlen(path);
    size_t mlen = strlen(mark);

    if (len > mlen && strcmp(path + len - mlen, mark) == 0)
        snprintf(words, sizeof words, "%.*s, whose name was removed", (int)(len - mlen), path);
    else
        snprintf(words, sizeof words, "%s", path);
    return words;
}

static int map_leak(const struct mm_snapshot *b, const struct mm_snapshot *a,
                    const char *when, char *msg, size_t cap)
{
    long page = sysconf(_SC_PAGESIZE);

    for (int i = 0; i < a->nranges; i++) {
        const struct mm_range *r = &a->ranges[i];
        uintptr_t from;

        if (ignored_range(r))
            continue;
        from = first_uncovered(b, r->start, r->end);
        if (from == r->end)
            continue;
        snprintf(msg, cap,
                 "mapping leak: %lu page(s) at %#lx (%s%s%s) are still mapped %s",
                 (unsigned long)(uncovered_run(b, from, r->end) / (uintptr_t)page),
                 (unsigned long)from, perms_words(r->perms), r->path[0] ? ", " : "",
                 path_words(r->path), when);
        return 1;
    }
    return 0;
}

static int had_shm(const struct mm_snapshot *b, const char *name)
{
    for (int i = 0; i < b->nshm; i++)
        if (strcmp(b->shm[i], name) == 0)
            return 1;
    return 0;
}

/* Objects of other test processes running beside this one, when /dev/shm
 * is shared with them (--shared-shm), are not this test's; in a private
 * /dev/shm, every new object is, whatever its name. A checker child (of
 * mm_fork) uses its test process's names. */
static int foreign_shm(const char *name)
{
    int pid;

    if (mm_runner_shared_shm() && sscanf(name, "mm_%d_", &pid) == 1)
        return pid != (int)mm_test_pid();
    return 0;
}

static int shm_leak(const struct mm_snapshot *b, const struct mm_snapshot *a,
                    const char *when, char *msg, size_t cap)
{
    for (int i = 0; i < a->nshm; i++) {
        if (had_shm(b, a->shm[i]) || foreign_shm(a->shm[i]))
            continue;
        snprintf(msg, cap, "shm leak: the shared memory object /%s still exists %s",
                 a->shm[i], when);
        return 1;
    }
    return 0;
}

int mm_snapshot_leak(const struct mm_snapshot *before, const struct mm_snapshot *after,
                     const char *when, char *msg, size_t cap)
{
    return fd_leak(before, after, when, msg, cap) || map_leak(before, after, when, msg, cap)
           || shm_leak(before, after, when, msg, cap);
}

/* ---- lookups ---------------------------------------------------------------- */

int mm_snapshot_covers(const struct mm_snapshot *s, uintptr_t addr)
{
    for (int i = 0; i < s->nranges; i++)
        if (s->ranges[i].start <= addr && addr < s->ranges[i].end)
            return 1;
    return 0;
}

const struct mm_range *mm_maps_find(pid_t pid, uintptr_t addr)
{
    static struct mm_snapshot now;

    take_ranges(pid, &now);
    for (int i = 0; i < now.nranges; i++)
        if (now.ranges[i].start <= addr && addr < now.ranges[i].end)
            return &now.ranges[i];
    return NULL;
}

size_t mm_maps_pages(pid_t pid, uintptr_t start, uintptr_t end, size_t page)
{
    static struct mm_snapshot now;
    size_t count = 0;

    take_ranges(pid, &now);
    for (uintptr_t p = start; p < end; p += page)
        for (int i = 0; i < now.nranges; i++)
            if (now.ranges[i].start <= p && p < now.ranges[i].end) {
                count++;
                break;
            }
    return count;
}

/* Access mode from /proc/self/fdinfo/N's "flags:" line (octal). */
static int fd_writable(pid_t pid, int fd)
{
    char path[64];
    char buf[512];
    unsigned flags = 0;
    const char *f;
    ssize_t n;
    int info;

    snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)pid, fd);
    info = open(path, O_RDONLY | O_CLOEXEC);
    if (info < 0)
        return 0;
    n = read(info, buf, sizeof buf - 1);
    close(info);
    buf[n > 0 ? n : 0] = '\0';
    f = strstr(buf, "flags:");
    if (!f || sscanf(f + 6, "%o", &flags) != 1)
        return 0;
    return (flags & O_ACCMODE) != O_RDONLY;
}

int mm_fds_open_on(pid_t pid, const char *path, int *writable)
{
    static struct mm_snapshot now;
    int count = 0;

    *writable = 0;
    take_fds(pid, &now);
    for (int fd = 0; fd < MM_MAX_FDS; fd++) {
        if (!now.fd_open[fd] || strcmp(fd_target(pid, fd), path) != 0)
            continue;
        count++;
        *writable += fd_writable(pid, fd);
    }
    return count;
}
