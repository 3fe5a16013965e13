/*
 * run.c - one sandboxed job per test: the linked runner, filtered down to
 * that test, with the row's timeout. Tests are independent processes, so
 * a crash, a hang or a leak in one cannot touch another's verdict, and
 * rows run in parallel up to --jobs.
 */
#include "work.h"

#include <stdlib.h>
#include <string.h>

#include "score.h"

/* The grader's own wall-clock bound sits above Criterion's per-test
 * timeout, which covers only the test body, not the runner's start-up. */
#define RUNNER_GRACE_SECONDS 2.0

struct test_slot {
    struct work *work;
    struct test_outcome *outcome;
    double timeout;
};

static void test_done(struct job *job, void *ctx)
{
    struct test_slot *slot = ctx;

    score_test(slot->outcome, &job->result, slot->timeout);
    job_clear(job);
    free(slot);
}

static void submit_test(struct work *w, struct job *job, const struct row_config *row,
                        struct test_outcome *outcome)
{
    struct test_slot *slot = xcalloc(1, sizeof *slot);
    char *binary = xasprintf("%s/tests", w->scratch);

    *slot = (struct test_slot){w, outcome, row->timeout};
    work_job_init(w, job, row->timeout + RUNNER_GRACE_SECONDS);
    sl_push(&job->argv, binary);
    sl_pushf(&job->argv, "--filter=%s", outcome->test);
    sl_pushf(&job->argv, "--timeout=%g", row->timeout);
    sl_push(&job->argv, "--jobs=1");
    sl_push(&job->env, "MM_RESULT_FD=3");
    job->record_fd = 1;
    job->unprivileged = 1;
    job->done = test_done;
    job->ctx = slot;
    sandbox_submit(w->sb, job);
    free(binary);
}

void run_start(struct work *w)
{
    size_t n = 0;

    for (size_t i = 0; i < w->grade->nrows; i++)
        w->ntest_jobs += w->grade->rows[i].ntests;
    w->test_jobs = xcalloc(w->ntest_jobs, sizeof *w->test_jobs);
    for (size_t i = 0; i < w->grade->nrows; i++) {
        struct row_grade *r = &w->grade->rows[i];

        for (size_t t = 0; t < r->ntests; t++)
            submit_test(w, &w->test_jobs[n++], r->row, &r->tests[t]);
    }
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
    job_clear(&w->build_job);
    free(w->test_jobs);
    free(w);
}
