/*
 * grade.c - see grade.h.
 */
#include "grade.h"

#include <stdlib.h>
#include <string.h>

struct grade *grade_new(const struct config *cfg, const char *submission)
{
    struct grade *g = xcalloc(1, sizeof *g);

    g->submission = xstrdup(submission);
    g->compile_log = xstrdup("");
    g->rows = xcalloc(cfg->nrows, sizeof *g->rows);
    g->nrows = cfg->nrows;
    g->max_score = cfg->max_score;
    g->partial = cfg->partial;
    g->full_max_score = cfg->full_max_score;
    g->kit_hidden_points = cfg->kit_hidden_points;
    g->kit_hidden_tests = cfg->kit_hidden_tests;
    for (size_t i = 0; i < cfg->nrows; i++) {
        struct row_grade *r = &g->rows[i];

        r->row = &cfg->rows[i];
        r->status = ST_ERROR;
        r->message = xstrdup("not run");
        r->ntests = r->row->tests.count;
        r->tests = xcalloc(r->ntests, sizeof *r->tests);
        for (size_t t = 0; t < r->ntests; t++) {
            r->tests[t].test = r->row->tests.items[t];
            r->tests[t].status = ST_ERROR;
            r->tests[t].message = xstrdup("not run");
            r->tests[t].output = xstrdup("");
        }
        if (r->row->bonus)
            g->bonus_max += r->row->points;
    }
    return g;
}

void grade_free(struct grade *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nrows; i++) {
        for (size_t t = 0; t < g->rows[i].ntests; t++) {
            free(g->rows[i].tests[t].message);
            free(g->rows[i].tests[t].output);
            free(g->rows[i].tests[t].note);
            free(g->rows[i].tests[t].step);
        }
        free(g->rows[i].tests);
        free(g->rows[i].message);
        sl_free(&g->rows[i].notes);
    }
    free(g->rows);
    free(g->submission);
    free(g->submission_sha256);
    provenance_free(&g->prov);
    free(g->compile_log);
    sl_free(&g->notes);
    sl_free(&g->forbidden_used);
    free(g);
}

#define HIDDEN_REASON "graded by a hidden test: its reasons are not published"

static void hide_test(struct test_outcome *t)
{
    free(t->message);
    free(t->output);
    free(t->note);
    t->message = xstrdup(t->status == ST_PASS ? "" : HIDDEN_REASON);
    t->output = xstrdup("");
    t->note = xstrdup("");
    free(t->step);
    t->step = xstrdup("");
    t->output_cut = 0;
}

/* The row's first failing test, which its message quotes, or NULL. */
static const struct test_outcome *first_failure(const struct row_grade *r)
{
    for (size_t t = 0; t < r->ntests; t++)
        if (r->tests[t].status != ST_PASS)
            return &r->tests[t];
    return NULL;
}

/* A note starts with the test that saw it ("suite/name: ..."): a hidden
 * test's notes go with its reasons. */
static void drop_hidden_notes(struct row_grade *r, int whole)
{
    struct strlist kept = {0};

    for (size_t i = 0; i < r->notes.count && !whole; i++) {
        const char *note = r->notes.items[i];
        size_t len = strcspn(note, ":");
        int hidden = 0;

        for (size_t h = 0; h < r->row->hidden_tests.count; h++)
            hidden |= strlen(r->row->hidden_tests.items[h]) == len
                      && strncmp(note, r->row->hidden_tests.items[h], len) == 0;
        if (!hidden)
            sl_push(&kept, note);
    }
    sl_free(&r->notes);
    r->notes = kept;
}

static void row_for_students(struct row_grade *r)
{
    const struct test_outcome *failed = first_failure(r);
    int whole = r->row->visibility == VIS_HIDDEN;
    int quoted = failed && config_test_visibility(r->row, failed->test) == VIS_HIDDEN;

    for (size_t t = 0; t < r->ntests; t++)
        if (whole || config_test_visibility(r->row, r->tests[t].test) == VIS_HIDDEN)
            hide_test(&r->tests[t]);
    if (whole || quoted) {
        free(r->message);
        r->message = xstrdup(r->status == ST_PASS ? "" : HIDDEN_REASON);
    }
    drop_hidden_notes(r, whole);
}

void grade_for_students(struct grade *g)
{
    for (size_t i = 0; i < g->nrows; i++)
        row_for_students(&g->rows[i]);
    g->for_students = 1;
}
