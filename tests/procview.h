/*
 * procview.h - what /proc and /dev/shm say about the driver (remote.h).
 *
 * A snapshot records the open descriptors, the mapped address ranges and the
 * /dev/shm objects at one moment, in fixed-size storage (no heap: a malloc
 * could add a mapping of its own). Comparing two snapshots tells what the
 * submission left behind; anything that was already there at the first one
 * (the driver's own descriptors, the loader's mappings) is never blamed on the student.
 */
#ifndef MM_PROCVIEW_H
#define MM_PROCVIEW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Beyond these, the checker fails the test rather than look at a part. */
#define MM_MAX_FDS 1024
#define MM_MAX_RANGES 8192
#define MM_MAX_SHM 256

struct mm_range {
    uintptr_t start;
    uintptr_t end;
    char perms[8];
    char path[80];
};

struct mm_snapshot {
    pid_t pid;
    unsigned char fd_open[MM_MAX_FDS];
    struct mm_range ranges[MM_MAX_RANGES];
    int nranges;
    char shm[MM_MAX_SHM][256];
    int nshm;
};

void mm_snapshot_take(pid_t pid, struct mm_snapshot *s);

/* Writes into `msg` the first leak of `after` against `before`, in the
 * student's terms ("fd leak: descriptor 5 (/tmp/x) is still open after
 * unmap()"). Returns 1 if there is one, 0 if nothing leaked. */
int mm_snapshot_leak(const struct mm_snapshot *before, const struct mm_snapshot *after,
                     const char *when, char *msg, size_t cap);

/* Whether a range of `s` holds `addr`. */
int mm_snapshot_covers(const struct mm_snapshot *s, uintptr_t addr);

/* The mapping of process `pid` that holds `addr` (static storage), or
 * NULL if unmapped. */
const struct mm_range *mm_maps_find(pid_t pid, uintptr_t addr);

/* How many of the pages [start, end) of process `pid` are mapped. */
size_t mm_maps_pages(pid_t pid, uintptr_t start, uintptr_t end, size_t page);

/* Descriptors of process `pid` open on `path`; *writable counts those
 * open with write access. */
int mm_fds_open_on(pid_t pid, const char *path, int *writable);

#endif
