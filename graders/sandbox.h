/*
 * sandbox.h - runs untrusted commands, several at a time, each contained.
 *
 * This is the only module that forks, sets limits, changes uid or kills.
 * A job is one command (a compiler, or the test runner for one test) run
 * in a new session with resource limits, stdin on /dev/null, stdout and
 * stderr captured into one capped buffer, and optionally a private "record"
 * pipe on descriptor 3 for the test runner's results. On its deadline, or
 * when it ends, its whole process group is killed: nothing it started
 * survives it.
 *
 * What a job did is data in its `result` (exit code, signal, timeout,
 * output), never an error: only the grader's own failures (fork, pipe)
 * end the grader.
 */
#ifndef MM_SANDBOX_H
#define MM_SANDBOX_H

#include <stddef.h>

#include "util.h"

struct sandbox_limits {
    double cpu_seconds;
    long memory_mb;
    long file_size_mb;
    long processes;
    long output_kb;
};

struct job_result {
    int exited;      /* ended by exit(); exit_code is valid */
    int exit_code;
    int signal;      /* killed by this signal (0 if it exited) */
    int timed_out;   /* killed by the grader at its deadline */
    int memory_limit; /* a process of the job was killed for its memory cgroup limit */
    double wall;     /* seconds */
    /* stdout+stderr, at most limits.output_kb KiB, a C string that keeps
     * every byte: a NUL is stored as the pair C0 80 (see keep_output in
     * sandbox.c; json.c writes it as \u0000). */
    struct strbuf output;
    size_t output_dropped; /* bytes past the cap */
    struct strbuf records; /* what the job wrote to descriptor 3 */
    char *setup_error;     /* the sandbox could not start the command */
};

struct job {
    /* what to run */
    struct strlist argv; /* argv[0] is a path: no PATH search */
    struct strlist env;  /* the whole environment of the command */
    char *cwd;
    double timeout; /* wall-clock seconds */
    struct sandbox_limits limits;
    int unprivileged; /* when the grader is root, run as an unprivileged uid */
    int record_fd;    /* give the command descriptor 3 for its records */

    /* called once the job is over; may submit more jobs */
    void (*done)(struct job *job, void *ctx);
    void *ctx;

    struct job_result result;
};

struct sandbox;

/* Probes what isolation the machine allows; `hide` lists host paths the
 * jobs must not see (the grader's own tree). */
struct sandbox *sandbox_new(int max_jobs, const struct strlist *hide);

/* Covers `path` with an empty tmpfs in every job started from now on
 * (the submission folders of a batch, the folder of the scratch
 * directories). A job's own working directory stays in sight wherever it
 * is: the sandbox binds it back. The path is made canonical; one that
 * does not exist, and "/", are ignored. */
void sandbox_hide(struct sandbox *sb, const char *path);

/* Jobs started from now on whose working directory is `dir` (as given in
 * job.cwd) get it read-only. build_seal_scratch also makes it the
 * grader's and not writable by others; the mount is what holds when the
 * grader is not root, as its jobs are then its own uid outside their
 * namespace. */
void sandbox_seal(struct sandbox *sb, const char *dir);

/* One line naming every protection that is off on this machine, why and
 * what follows, or NULL (caller frees): what --sandbox=strict refuses. */
char *sandbox_describe(const struct sandbox *sb);

/* The line to print before grading (--sandbox=auto), or NULL (caller
 * frees): sandbox_describe's, less what is only a note for a non-root
 * grader (no cgroups, where the jobs' namespaces work), which it says only
 * once sandbox_set_verbose(1) was called. */
char *sandbox_notice(const struct sandbox *sb);

/* --verbose: sandbox_notice also says what is expected as it is. */
void sandbox_set_verbose(int verbose);

/* Queues `job`; the caller keeps ownership and must keep it alive until
 * its done() has been called. */
void sandbox_submit(struct sandbox *sb, struct job *job);

/* Runs queued jobs, at most max_jobs at a time, until none is left.
 * Returns -1 if SIGINT, SIGTERM or SIGHUP arrived (see
 * sandbox_catch_signals): running jobs were killed and queued ones
 * dropped; their done() is still called for the running ones. */
int sandbox_run(struct sandbox *sb);

/* Runs jobs with sessions, rlimits and uid only: no namespaces, no
 * cgroups (--sandbox=off, for timing the sandbox's own cost). */
void sandbox_disable_isolation(struct sandbox *sb);

/* Whether every job gets /tmp and /dev/shm of its own (mount namespaces):
 * then nothing but the job itself writes there. */
int sandbox_private_tmp(const struct sandbox *sb);

/* Turns SIGINT, SIGTERM and SIGHUP into an orderly stop of sandbox_run. */
void sandbox_catch_signals(void);

void sandbox_free(struct sandbox *sb);

/* Frees what a job holds (argv, env, cwd, result). */
void job_clear(struct job *job);

/* Whether the grader can change uid (really root, not the mapped root of
 * a user namespace): jobs then run as SANDBOX_UID. */
int sandbox_privileged(void);

/* The uid/gid unprivileged jobs run as ("nobody"). */
#define SANDBOX_UID 65534
#define SANDBOX_GID 65534

#endif
