/*
 * run.c - one sandboxed job per row: the checker, filtered down to the
 * row's suite, with the row's timeout for each test, driving the
 * submission's driver (tests/remote.h). Rows are
 * independent processes, so a crash, a hang or a leak in one cannot touch
 * another's verdict, and rows run in parallel up to --jobs.
 */
#include "work.h"

#include <stdlib.h>
#include <string.h>

#include "score.h"

/* The grader's own wall-clock bound sits above the checker's per-test
 * timeouts, which cover only the tests, not the checker's start-up. */
#define RUNNER_GRACE_SECONDS 2.0

struct row_slot {
    struct work *work;
    struct row_grade *row;
    size_t first; /* the row's tests [first, first + count) share one suite */
    size_t count;
};

static void row_done(struct job *job, void *ctx)
{
    struct row_slot *slot = ctx;

    struct work *w = slot->work;

    for (size_t t = slot->first; t < slot->first + slot->count; t++)
        score_test(&slot->row->tests[t], &job->result, slot->row->row->timeout);
    job_clear(job);
    free(slot);
    if (--w->jobs_left == 0)
        work_finished(w);
}

static size_t suite_length(const char *test)
{
    return strcspn(test, "/");
}

/* How many tests from `first` on belong to the same suite. */
static size_t same_suite(const struct row_grade *r, size_t first)
{
    const char *suite = r->tests[first].test;
    size_t len = suite_length(suite);
    size_t n = 1;

    while (first + n < r->ntests && suite_length(r->tests[first + n].test) == len
           && strncmp(r->tests[first + n].test, suite, len) == 0)
        n++;
    return n;
}

static void submit_group(struct work *w, struct job *job, struct row_grade *r, size_t first)
{
    struct row_slot *slot = xcalloc(1, sizeof *slot);
    double timeout = r->row->timeout;

    *slot = (struct row_slot){w, r, first, same_suite(r, first)};
    work_job_init(w, job, timeout * (double)slot->count + RUNNER_GRACE_SECONDS);
    /* Relative: under the job's own /tmp, only its working directory
     * still leads to the scratch copy. */
    sl_push(&job->argv, "./checker");
    sl_push(&job->argv, "--driver=./driver");
    sl_pushf(&job->argv, "--filter=%.*s/*", (int)suite_length(r->tests[first].test),
             r->tests[first].test);
    sl_pushf(&job->argv, "--timeout=%g", timeout);
    if (w->cfg->under)
        sl_pushf(&job->argv, "--under=%s", w->cfg->under);
    /* Without a /dev/shm of its own, the objects of other rows running
     * beside this one must not count as this test's leaks. */
    if (!sandbox_private_tmp(w->sb))
        sl_push(&job->argv, "--shared-shm");
    sl_push(&job->env, "MM_RESULT_FD=3");
    job->limits.cpu_seconds *= (double)slot->count;
    job->record_fd = 1;
    job->unprivileged = 1;
    job->done = row_done;
    job->ctx = slot;
    sandbox_submit(w->sb, job);
}

struct group {
    struct row_grade *row;
    size_t first;
    size_t count;
};

/* Bigger groups first: the last job to start sets the wall time. */
static int bigger_first(const void *a, const void *b)
{
    const struct group *x = a;
    const struct group *y = b;

    return (x->count < y->count) - (x->count > y->count);
}

void run_start(struct work *w)
{
    struct group *groups;
    size_t n = 0;

    for (size_t i = 0; i < w->grade->nrows; i++)
        w->ntest_jobs += w->grade->rows[i].ntests;
    w->test_jobs = xcalloc(w->ntest_jobs, sizeof *w->test_jobs);
    groups = xcalloc(w->ntest_jobs, sizeof *groups);
    for (size_t i = 0; i < w->grade->nrows; i++) {
        struct row_grade *r = &w->grade->rows[i];

        for (size_t t = 0; t < r->ntests; t += groups[n++].count)
            groups[n] = (struct group){r, t, same_suite(r, t)};
    }
    qsort(groups, n, sizeof *groups, bigger_first);
    w->jobs_left = n;
    for (size_t i = 0; i < n; i++)
        submit_group(w, &w->test_jobs[i], groups[i].row, groups[i].first);
    free(groups);
    if (n == 0)
        work_finished(w);
}

void work_finished(struct work *w)
{
    void (*finished)(struct work *) = w->finished;

    w->finished = NULL;
    if (finished)
        finished(w);
}

void work_job_init(struct work *w, struct job *job, double timeout)
{
    const struct limits_config *l = &w->cfg->limits;

    memset(job, 0, sizeof *job);
    job->cwd = xstrdup(w->scratch);
    job->timeout = timeout;
    job->limits = (struct sandbox_limits){l->cpu_seconds, l->memory_mb, l->file_size_mb,
                                          l->processes, l->output_kb};
    sl_push(&job->env, "PATH=/usr/local/bin:/usr/bin:/bin");
    sl_push(&job->env, "LC_ALL=C");
    sl_push(&job->env, "TMPDIR=/tmp");
    sl_pushf(&job->env, "HOME=%s", w->scratch);
}

void work_free(struct work *w)
{
    if (!w)
        return;
    if (w->scratch)
        remove_tree(w->scratch);
    free(w->scratch);
    free(w->dir);
    job_clear(&w->build[0].job);
    job_clear(&w->build[1].job);
    free(w->test_jobs);
    free(w);
}
