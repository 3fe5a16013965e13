/*
 * grader.c - see grader.h.
 */
#include "grader.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "score.h"
#include "work.h"

struct grader {
    const struct config *cfg;
    struct tools tools;
    struct sandbox *sb;
    struct provenance prov;
};

static int find_tools(const struct config *cfg, struct tools *tools)
{
    char *object = config_path(cfg, cfg->test_object);
    char *checker = config_path(cfg, cfg->checker);
    int ok = 1;

    tools->cc = find_on_path(cfg->cc);
    tools->objcopy = find_on_path("objcopy");
    if (!tools->cc || !tools->objcopy) {
        fprintf(stderr, "moulinette: %s not found on PATH\n", !tools->cc ? cfg->cc : "objcopy");
        ok = 0;
    } else if (access(object, R_OK) != 0) {
        fprintf(stderr, "moulinette: the compiled tests %s are missing (%s): run make\n", object,
                strerror(errno));
        ok = 0;
    } else if (access(checker, X_OK) != 0) {
        fprintf(stderr, "moulinette: the checker %s is missing (%s): run make\n", checker,
                strerror(errno));
        ok = 0;
    }
    free(object);
    free(checker);
    return ok;
}

/* The grader's own tree (config, reference, tests' sources) is hidden
 * from every job. */
static struct sandbox *open_sandbox(const struct config *cfg, int jobs, enum sandbox_mode mode,
                                    struct provenance *prov)
{
    struct strlist hide = {0};
    char *base = realpath(cfg->base_dir && *cfg->base_dir ? cfg->base_dir : ".", NULL);
    struct sandbox *sb;
    char *off;

    /* Even when it holds the scratch directories: the sandbox binds a
     * job's own back. */
    if (base && strcmp(base, "/") != 0)
        sl_push(&hide, base);
    /* Not a secret, a cost: libcriterion loads libgit2, whose TLS backend
     * parses the whole CA bundle in every process it starts, so in each
     * test's worker. The jobs have no network; covering the bundle halves
     * the CPU time of a test. */
    if (access("/etc/ssl", F_OK) == 0)
        sl_push(&hide, "/etc/ssl");
    free(base);
    sb = sandbox_new(jobs, &hide);
    sl_free(&hide);
    if (mode == SANDBOX_OFF) {
        sandbox_disable_isolation(sb);
        provenance_set_sandbox(prov, "off (--sandbox=off: sessions and rlimits only)");
        return sb;
    }
    off = sandbox_describe(sb);
    provenance_set_sandbox(prov, off);
    if (off && mode == SANDBOX_STRICT) {
        fprintf(stderr, "moulinette: --sandbox=strict: %s\n", off);
        free(off);
        sandbox_free(sb);
        return NULL;
    }
    free(off);
    /* What a student should know, calmly: a non-root grader's missing
     * cgroups only with --verbose (sandbox.h). */
    off = sandbox_notice(sb);
    if (off)
        fprintf(stderr, "moulinette: %s\n", off);
    free(off);
    return sb;
}

/* The live progress line of a batch, on a terminal only. */
struct progress {
    int on;
    size_t total;
    size_t done;
    size_t not_built;
    struct timespec start;
};

static double seconds_since(const struct timespec *t)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void show_progress(const struct progress *p)
{
    double elapsed = seconds_since(&p->start);
    int left = p->done ? (int)(elapsed / (double)p->done * (double)(p->total - p->done) + 0.5) : -1;

    fprintf(stderr, "\r\033[Kgrading: %zu/%zu done", p->done, p->total);
    if (p->not_built)
        fprintf(stderr, ", %zu did not compile", p->not_built);
    fprintf(stderr, ", %d:%02d elapsed", (int)elapsed / 60, (int)elapsed % 60);
    if (left >= 0 && p->done < p->total)
        fprintf(stderr, ", about %d:%02d left", left / 60, left % 60);
}

static void submission_done(struct work *w)
{
    struct progress *p = w->finished_ctx;

    p->done++;
    p->not_built += !w->grade->compile_ok;
    if (p->on)
        show_progress(p);
}

struct grade **grader_grade(struct grader *g, char **dirs, size_t n)
{
    const struct config *cfg = g->cfg;
    char *run_dir = build_open_run_dir();
    struct work **works = xcalloc(n, sizeof *works);
    struct grade **grades = xcalloc(n, sizeof *grades);
    struct progress progress = {n > 1 && isatty(STDERR_FILENO), n, 0, 0, {0, 0}};
    int interrupted;

    /* No job sees a submission folder, its own included: it works on its
     * scratch copy. */
    for (size_t i = 0; i < n; i++)
        sandbox_hide(g->sb, dirs[i]);
    for (size_t i = 0; i < n; i++) {
        works[i] = xcalloc(1, sizeof *works[i]);
        *works[i] = (struct work){.cfg = cfg, .tools = &g->tools, .sb = g->sb,
                                  .dir = xstrdup(dirs[i]), .run_dir = run_dir};
        works[i]->grade = grades[i] = grade_new(cfg, dirs[i]);
        works[i]->finished = submission_done;
        works[i]->finished_ctx = &progress;
    }
    clock_gettime(CLOCK_MONOTONIC, &progress.start);
    if (progress.on)
        show_progress(&progress);
    for (size_t i = 0; i < n; i++)
        build_start(works[i]);
    interrupted = sandbox_run(g->sb) != 0;
    if (progress.on)
        fputs("\r\033[K", stderr);
    for (size_t i = 0; i < n; i++) {
        score_grade(grades[i], cfg->forbidden_penalty);
        provenance_copy(&grades[i]->prov, &g->prov);
        /* The files as graded: the scratch copy, before it goes. */
        if (works[i]->scratch)
            grades[i]->submission_sha256 = provenance_submission_hash(cfg, works[i]->scratch);
        work_free(works[i]);
    }
    free(works);
    build_close_run_dir(run_dir);
    if (!interrupted)
        return grades;
    for (size_t i = 0; i < n; i++)
        grade_free(grades[i]);
    free(grades);
    return NULL;
}

struct grader *grader_open(const struct config *cfg, int jobs, enum sandbox_mode mode)
{
    struct grader *g = xcalloc(1, sizeof *g);

    g->cfg = cfg;
    if (!find_tools(cfg, &g->tools)) {
        grader_close(g);
        return NULL;
    }
    sandbox_catch_signals();
    build_sweep_stale();
    provenance_init(&g->prov, cfg, cfg->path, g->tools.cc);
    g->sb = open_sandbox(cfg, jobs, mode, &g->prov);
    if (!g->sb) {
        grader_close(g);
        return NULL;
    }
    return g;
}

void grader_hide(struct grader *g, const char *path)
{
    sandbox_hide(g->sb, path);
}

void grader_close(struct grader *g)
{
    if (!g)
        return;
    sandbox_free(g->sb);
    provenance_free(&g->prov);
    free(g->tools.cc);
    free(g->tools.objcopy);
    free(g);
}
