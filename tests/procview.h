/*
 * procview.h - what /proc and /dev/shm say about the test process.
 *
 * A snapshot records the open descriptors, the mapped address ranges and the
 * /dev/shm objects at one moment, in fixed-size storage (no heap: a malloc
 * could add a mapping of its own). Comparing two snapshots tells what the
 * submission left behind; anything that was already there at the first one
 * (Criterion's own descriptors, its bxf_* shm objects, the loader's
 * mappings) is never blamed on the student.
 */
#ifndef MM_PROCVIEW_H
#define MM_PROCVIEW_H

#include <stddef.h>
#include <stdint.h>

#define MM_MAX_FDS 256
#define MM_MAX_RANGES 512
#define MM_MAX_SHM 64

struct mm_range {
    uintptr_t start;
    uintptr_t end;
    char perms[8];
    char path[80];
};

struct mm_snapshot {
    unsigned char fd_open[MM_MAX_FDS];
    struct mm_range ranges[MM_MAX_RANGES];
    int nranges;
    char shm[MM_MAX_SHM][64];
    int nshm;
};

void mm_snapshot_take(struct mm_snapshot *s);

/* Writes into `msg` the first leak of `after` against `before`, in the
 * student's terms ("fd leak: descriptor 5 (/tmp/x) is still open after
 * unmap()"). Returns 1 if there is one, 0 if nothing leaked. */
int mm_snapshot_leak(const struct mm_snapshot *before, const struct mm_snapshot *after,
                     const char *when, char *msg, size_t cap);

/* Permissions ("rw-s") of the mapping that holds `addr`; 0 if unmapped. */
int mm_maps_perms(uintptr_t addr, char perms[8]);

/* Descriptors of this process open on `path`; *writable counts those open
 * with write access. */
int mm_fds_open_on(const char *path, int *writable);

#endif
