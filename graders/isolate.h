/*
 * isolate.h - the child side of the sandbox: what a job's process does
 * between fork and exec, and the per-job cgroup. Part of the sandbox
 * module (only sandbox.c calls it).
 *
 * With namespaces (root, or unprivileged user namespaces), each job gets:
 *   - its own pid namespace, with a small init as pid 1 that runs the
 *     command as pid 2 and reaps everything; when the command ends, init
 *     exits and the kernel kills whatever is left (daemons, double forks,
 *     setsid escapes). kill(-1, ...) reaches only the job's own processes;
 *   - its own mount namespace: a private, size-capped tmpfs on /tmp,
 *     /dev/shm and every other world-writable place (so rows and
 *     submissions never collide or meet, and nothing they leave there
 *     outlives them); the grader's tree, the submission folders and the
 *     folder of the scratch directories hidden under empty tmpfs, with
 *     the job's own scratch directory bound back (read-only once sealed);
 *     everything else read-only; a /proc of its own, where pid 1 shows
 *     nothing of the grader;
 *   - its own network (none) and IPC namespaces.
 * A pids and a memory cgroup bound fork bombs and memory per job, where
 * the machine has them. Without any of this (a student's laptop, a
 * container that forbids unshare, a chroot), the job still runs in its own
 * session with rlimits, in its private scratch folder, and as root under
 * uid 65534; isolate_describe() says which protections are off, why (the
 * step of the probe that failed and its errno, read as its real cause),
 * and what follows.
 */
#ifndef MM_ISOLATE_H
#define MM_ISOLATE_H

#include "sandbox.h"

/* The step of a job's set-up that the probe saw fail. */
enum ns_step {
    NS_STEP_NONE,
    NS_STEP_UNSHARE,    /* unshare(2) itself: EPERM without the right */
    NS_STEP_ID_MAP,     /* the user namespace's uid/gid map */
    NS_STEP_MOUNT_ROOT, /* making "/" private: EINVAL where it is no mount point */
    NS_STEP_MOUNTS,     /* the job's tmpfs and binds */
    NS_STEP_PROC,       /* the job's own /proc */
    NS_STEP_FORK,
};

struct isolation {
    int namespaces;  /* pid, mount, net, ipc namespaces available */
    int user_ns;     /* ... through an unprivileged user namespace */
    int cgroups;     /* pids and memory cgroups usable */
    int cgroup_v2;
    enum ns_step ns_step; /* without namespaces: the step that failed */
    int ns_errno;         /* ... and its errno */
    int root_mounted;     /* "/" is a mount point (0 in a chroot, -1 unknown) */
    char container[32];   /* "docker", "podman", "lxc"... or "" */
    struct strlist hide;   /* host paths to cover with an empty tmpfs */
    struct strlist shared; /* world-writable directories: a private tmpfs each */
    struct strlist sealed; /* scratch directories jobs get read-only */
    char id[16];         /* random, names this grader's cgroups */
    /* Where the jobs' cgroups are made: under the grader's own cgroup, so
     * that limits put on the grader bound its jobs too (v2: one tree). */
    char pids_parent[256];
    char memory_parent[256];
};

/* Finds what this machine allows (forks a probe once). */
void isolate_probe(struct isolation *iso);

/* One line naming the protections that are off, why, and what follows,
 * or NULL if none. `quiet_user`: leave out what is only expected of a
 * non-root grader (no cgroups), which is a note, not a fault. */
char *isolate_describe(const struct isolation *iso, int quiet_user);

/* Descriptors a job's child uses. */
struct child_fds {
    int out;    /* stdout and stderr */
    int rec;    /* becomes descriptor 3, or -1 */
    int err;    /* set-up errors, close-on-exec */
    int status; /* the command's wait status, written by init */
};

/* In the forked child: isolation steps, then exec. Never returns. */
void isolate_run_child(const struct job *job, const struct isolation *iso,
                       const char *cgroup, const struct child_fds *fds)
    __attribute__((noreturn));

/* The cgroups of one sandbox slot (NULL without cgroups); every job that
 * runs in the slot joins them. isolate_cgroup_close removes them and
 * frees the name. */
char *isolate_cgroup_open(const struct isolation *iso, int slot);
void isolate_cgroup_close(const struct isolation *iso, char *name);

/* Sets a job's pids and memory limits on the slot's cgroups; returns the
 * count of memory-limit kills so far, for isolate_cgroup_oom. */
int isolate_cgroup_limit(const struct isolation *iso, const char *name,
                         const struct sandbox_limits *l);

/* Whether the kernel killed a process for the memory limit since `before`. */
int isolate_cgroup_oom(const struct isolation *iso, const char *name, int before);

#endif
