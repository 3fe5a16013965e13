/*
 * work.h - one submission on its way through the stages: build.c copies
 * and compiles it, then hands it to run.c, which runs its tests. Both
 * stages only queue sandbox jobs; the sandbox calls them back when a job
 * ends, so many submissions can move through the stages at once.
 */
#ifndef MM_WORK_H
#define MM_WORK_H

#include "config.h"
#include "grade.h"
#include "sandbox.h"

/* Absolute paths of the programs the grader runs, found once. */
struct tools {
    char *cc;
    char *objcopy;
};

struct work {
    const struct config *cfg;
    const struct tools *tools;
    struct sandbox *sb;
    struct grade *grade;
    char *dir;      /* the submission, as given */
    const char *run_dir; /* this grader's locked directory (build_open_run_dir) */
    char *scratch;  /* private copy, removed by work_free */

    /* build stage: compile and shim side by side, then one at a time */
    struct build_job {
        struct work *work;
        int step;
        struct job job;
    } build[2];
    int build_pending;

    /* run stage: one job per test, in row order */
    struct job *test_jobs;
    size_t ntest_jobs;
    size_t jobs_left; /* run jobs not ended yet */

    /* Called once, when the submission is graded (its build failed, or its
     * last test job ended): the grader's progress line. */
    void (*finished)(struct work *w);
    void *finished_ctx;
};

/* Calls w->finished, once. */
void work_finished(struct work *w);

/* Copies the submission into a fresh scratch directory and queues its
 * build; the tests are queued when the build succeeds. A submission that
 * cannot be copied or compiled is graded as such (grade->compile_ok = 0). */
void build_start(struct work *w);

/* Once the build is over (its jobs ended), makes the scratch directory
 * and everything in it the grader's and writable by it only (directories
 * and executables 0755, other files 0644; anything but regular files and
 * directories removed, never followed), and has the sandbox give it
 * read-only to the submission's later jobs: what the checker runs cannot
 * be changed by the code it tests. Dies if it cannot. */
void build_seal_scratch(struct work *w);

/* Removes run directories left by graders that were killed. */
void build_sweep_stale(void);

/* Creates and locks this grader's run directory, which holds one scratch
 * directory per submission; build_close_run_dir removes it. */
char *build_open_run_dir(void);
void build_close_run_dir(char *dir);

/* Queues one job per test of every row (called by the build stage). */
void run_start(struct work *w);

/* Environment and limits shared by all of a submission's jobs. */
void work_job_init(struct work *w, struct job *job, double timeout);

void work_free(struct work *w);

#endif
