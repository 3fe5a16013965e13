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
 * the machine has them. Without any of this (a student's laptop), the job
 * still runs in its own session with rlimits, and isolate_describe() says
 * which protections are off.
 */
#ifndef MM_ISOLATE_H
#define MM_ISOLATE_H

#include "sandbox.h"

struct isolation {
    int namespaces;  /* pid, mount, net, ipc namespaces available */
    int user_ns;     /* ... through an unprivileged user namespace */
    int cgroups;     /* pids and memory cgroups usable */
    int cgroup_v2;
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

/* One line naming the protections that are off, or NULL if none. */
char *isolate_describe(const struct isolation *iso);

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
