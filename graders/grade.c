/*
 * grade.c - see grade.h.
 */
#include "grade.h"

#include <stdlib.h>

struct grade *grade_new(const struct config *cfg, const char *submission)
{
    struct grade *g = xcalloc(1, sizeof *g);

    g->submission = xstrdup(submission);
    g->compile_log = xstrdup("");
    g->rows = xcalloc(cfg->nrows, sizeof *g->rows);
    g->nrows = cfg->nrows;
    g->max_score = cfg->max_score;
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
        }
        free(g->rows[i].tests);
        free(g->rows[i].message);
        sl_free(&g->rows[i].notes);
    }
    free(g->rows);
    free(g->submission);
    free(g->compile_log);
    sl_free(&g->notes);
    sl_free(&g->forbidden_used);
    free(g);
}
