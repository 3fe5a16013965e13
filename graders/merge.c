/*
 * merge.c - see merge.h.
 */
#include "merge.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "json_read.h"
#include "report.h"

static const char usage[] =
    "usage: moulinette merge [--config FILE] [--format FMT] [--output FILE] [--force] REPORT.json...\n"
    "Joins JSON reports (from several machines, or --shard I/N) into one report.\n"
    "  --config FILE   the grading table the reports were made with (default: as moulinette)\n"
    "  --format FMT    text (default), json, csv, junit, tap, gradescope or html\n"
    "  --output FILE   write the report there (atomically) instead of stdout\n"
    "  --force         merge even reports made with other configs or tests, or that\n"
    "                  grade a submission twice\n";

struct merge_options {
    const char *config;
    const struct report_ops *format;
    const char *output;
    int force;
    char **reports;
    size_t nreports;
};

static int parse(int argc, char **argv, struct merge_options *o)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'}, {"force", no_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int c;

    *o = (struct merge_options){.format = &report_text};
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:f:o:h", options, NULL)) != -1) {
        if (c == 'c')
            o->config = optarg;
        else if (c == 'o')
            o->output = optarg;
        else if (c == 'F')
            o->force = 1;
        else if (c == 'f' && (o->format = report_find(optarg)) != NULL)
            continue;
        else {
            if (c == 'f')
                fprintf(stderr, "moulinette merge: unknown format \"%s\"\n", optarg);
            fputs(usage, c == 'h' ? stdout : stderr);
            return c == 'h' ? 1 : -1;
        }
    }
    o->reports = argv + optind;
    o->nreports = (size_t)(argc - optind);
    if (o->nreports == 0) {
        fputs("moulinette merge: no report given\n", stderr);
        fputs(usage, stderr);
        return -1;
    }
    return 0;
}

/* ---- one grade from its JSON object ----------------------------------------------- */

static enum status status_of(const char *name)
{
    for (int s = ST_PASS; s <= ST_ERROR; s++)
        if (strcmp(status_name((enum status)s), name) == 0)
            return (enum status)s;
    return ST_ERROR;
}

static char *dup_string(const struct jr_value *obj, const char *key)
{
    return xstrdup(jr_string(obj, key, ""));
}

static void take_list(struct strlist *sl, const struct jr_value *obj, const char *key)
{
    const struct jr_value *list = jr_get(obj, key);

    for (size_t i = 0; list && list->type == JR_ARRAY && i < list->count; i++)
        if (list->items[i].type == JR_STRING)
            sl_push(sl, list->items[i].string);
}

/* The output a test's JSON carries, or the one of the test it names. */
static const char *output_of(const struct jr_value *details, const struct jr_value *test)
{
    const char *same = jr_string(test, "output_same_as", NULL);

    for (size_t i = 0; same && i < details->count; i++)
        if (strcmp(jr_string(&details->items[i], "test", ""), same) == 0)
            return jr_string(&details->items[i], "output", "");
    return jr_string(test, "output", "");
}

static void take_test(struct test_outcome *t, const struct jr_value *details, const struct jr_value *j)
{
    free(t->message);
    free(t->output);
    t->status = status_of(jr_string(j, "status", "error"));
    t->message = dup_string(j, "message");
    t->note = dup_string(j, "note");
    t->step = dup_string(j, "step");
    t->output = xstrdup(output_of(details, j));
    t->output_cut = jr_bool(j, "output_truncated", 0);
    t->wall = jr_number(j, "seconds", 0);
}

static void take_tests(struct row_grade *r, const struct jr_value *j)
{
    const struct jr_value *details = jr_get(j, "details");

    for (size_t t = 0; t < r->ntests; t++)
        for (size_t i = 0; details && details->type == JR_ARRAY && i < details->count; i++)
            if (strcmp(jr_string(&details->items[i], "test", ""), r->tests[t].test) == 0)
                take_test(&r->tests[t], details, &details->items[i]);
}

/* The config's row `id`, or NULL. */
static const struct row_config *config_row(const struct config *cfg, const char *id)
{
    for (size_t r = 0; r < cfg->nrows; r++)
        if (strcmp(cfg->rows[r].id, id) == 0)
            return &cfg->rows[r];
    return NULL;
}

static int take_rows(struct grade *g, const struct config *cfg, const struct jr_value *j, char **error)
{
    const struct jr_value *rows = jr_get(j, "tests");

    if (!rows || rows->type != JR_ARRAY) {
        *error = xstrdup("no \"tests\" list of rows");
        return -1;
    }
    g->rows = xcalloc(rows->count ? rows->count : 1, sizeof *g->rows);
    for (size_t i = 0; i < rows->count; i++) {
        const struct jr_value *jrow = &rows->items[i];
        const struct row_config *row = config_row(cfg, jr_string(jrow, "id", ""));
        struct row_grade *r;

        if (!row) {
            *error = xasprintf("row \"%s\" is not in %s", jr_string(jrow, "id", ""), cfg->path);
            return -1;
        }
        r = &g->rows[g->nrows++];
        r->row = row;
        r->status = status_of(jr_string(jrow, "status", "error"));
        r->points = (int)jr_number(jrow, "points", 0);
        r->message = dup_string(jrow, "message");
        take_list(&r->notes, jrow, "notes");
        r->ntests = row->tests.count;
        r->tests = xcalloc(r->ntests ? r->ntests : 1, sizeof *r->tests);
        for (size_t t = 0; t < r->ntests; t++) {
            r->tests[t].test = row->tests.items[t];
            r->tests[t].status = ST_ERROR;
            r->tests[t].message = xstrdup("not in the report");
            r->tests[t].output = xstrdup("");
        }
        take_tests(r, jrow);
    }
    return 0;
}

static void take_provenance(struct grade *g, const struct jr_value *j)
{
    const struct jr_value *p = jr_get(j, "provenance");
    const char *hash = jr_string(j, "submission_sha256", NULL);

    g->prov = (struct provenance){
        dup_string(p, "grader_version"), dup_string(p, "config_sha256"), dup_string(p, "tests_sha256"),
        dup_string(p, "compiler"),       dup_string(p, "kernel"),        dup_string(p, "sandbox"),
        dup_string(p, "date")};
    g->submission_sha256 = hash ? xstrdup(hash) : NULL;
}

/* A string of `j` that the grade only points to (student_id, student_name:
 * the intake's, in a grading run), kept in `owned`; NULL when null. */
static const char *owned_string(const struct jr_value *j, const char *key, struct strlist *owned)
{
    const char *s = jr_string(j, key, NULL);

    if (!s)
        return NULL;
    sl_push(owned, s);
    return owned->items[owned->count - 1];
}

static struct grade *grade_of(const struct config *cfg, const struct jr_value *j, struct strlist *owned,
                              char **error)
{
    struct grade *g = xcalloc(1, sizeof *g);
    const struct jr_value *compile = jr_get(j, "compile");

    g->submission = dup_string(j, "submission");
    g->student_id = owned_string(j, "student_id", owned);
    g->student_name = owned_string(j, "student_name", owned);
    g->score = (int)jr_number(j, "score", 0);
    g->max_score = (int)jr_number(j, "max_score", 0);
    g->bonus_score = (int)jr_number(j, "bonus_score", 0);
    g->bonus_max = (int)jr_number(j, "bonus_max", 0);
    g->partial = jr_bool(j, "partial", 0);
    g->full_max_score = (int)jr_number(j, "full_max_score", 0);
    g->kit_hidden_points = (int)jr_number(j, "kit_hidden_points", 0);
    g->kit_hidden_tests = (int)jr_number(j, "kit_hidden_tests", 0);
    g->compile_ok = jr_bool(compile, "ok", 0);
    g->compile_log = dup_string(compile, "log");
    g->penalty = (int)jr_number(j, "penalty", 0);
    take_list(&g->notes, j, "notes");
    take_list(&g->forbidden_used, j, "forbidden_functions");
    take_provenance(g, j);
    if (take_rows(g, cfg, j, error) != 0) {
        grade_free(g);
        return NULL;
    }
    return g;
}

/* ---- the reports ------------------------------------------------------------------ */

struct merged {
    struct grade **grades;
    size_t n;
    struct strlist owned; /* strings the grades point to (grade_of) */
};

static void add_grade(struct merged *m, struct grade *g)
{
    m->grades = xrealloc(m->grades, (m->n + 1) * sizeof *m->grades);
    m->grades[m->n++] = g;
}

/* Reads one report (an object, or an array of them) into `m`. */
static int read_report(const char *path, const struct config *cfg, struct merged *m)
{
    size_t len;
    char *text = read_file(path, &len);
    struct jr_value doc;
    char *error = NULL;
    int ok = 1;

    if (!text) {
        fprintf(stderr, "moulinette merge: cannot read %s\n", path);
        return -1;
    }
    if (jr_parse(text, len, &doc, &error) != 0) {
        fprintf(stderr, "moulinette merge: %s:%s (not a JSON report)\n", path, error);
        free(error);
        free(text);
        return -1;
    }
    free(text);
    for (size_t i = 0; ok && i < (doc.type == JR_ARRAY ? doc.count : 1); i++) {
        const struct jr_value *j = doc.type == JR_ARRAY ? &doc.items[i] : &doc;
        struct grade *g = j->type == JR_OBJECT ? grade_of(cfg, j, &m->owned, &error) : NULL;

        if (!g) {
            fprintf(stderr, "moulinette merge: %s: entry %zu: %s\n", path, i + 1,
                    error ? error : "not a grade object");
            ok = 0;
        } else {
            add_grade(m, g);
        }
        free(error);
        error = NULL;
    }
    jr_free(&doc);
    return ok ? 0 : -1;
}

/* What must agree before grades are put side by side; complains once per
 * kind of disagreement and returns how many there were. */
static int disagreements(const struct merged *m, const char *config_hash)
{
    int bad = 0;

    for (size_t i = 0; i < m->n; i++) {
        const struct grade *g = m->grades[i];

        if (strcmp(g->prov.config_sha256, config_hash) != 0 && !(bad & 1)) {
            fprintf(stderr, "moulinette merge: %s was graded with another config.yaml than this one\n",
                    g->submission);
            bad |= 1;
        }
        if (strcmp(g->prov.tests_sha256, m->grades[0]->prov.tests_sha256) != 0 && !(bad & 2)) {
            fprintf(stderr, "moulinette merge: %s and %s were graded by different tests\n",
                    m->grades[0]->submission, g->submission);
            bad |= 2;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(m->grades[k]->submission, g->submission) == 0 && !(bad & 4)) {
                fprintf(stderr, "moulinette merge: %s is graded in two reports\n", g->submission);
                bad |= 4;
            }
    }
    return bad;
}

int merge_main(int argc, char **argv)
{
    struct merge_options o;
    struct merged m = {NULL, 0, {0}};
    struct provenance here;
    struct config *cfg;
    char *config_file;
    int status = 0;
    int parsed = parse(argc, argv, &o);

    if (parsed != 0)
        return parsed > 0 ? 0 : 2;
    config_file = o.config ? xstrdup(o.config) : cli_default_config();
    cfg = config_load(config_file);
    free(config_file);
    if (!cfg)
        return 2;
    provenance_init(&here, cfg, cfg->path, NULL);
    for (size_t i = 0; i < o.nreports && status == 0; i++)
        if (read_report(o.reports[i], cfg, &m) != 0)
            status = 1;
    if (status == 0 && disagreements(&m, here.config_sha256) && !o.force) {
        fputs("moulinette merge: refused (--force merges them anyway)\n", stderr);
        status = 1;
    }
    if (status == 0 && report_save(o.format, o.output, m.grades, m.n, !o.output && isatty(1)) != 0) {
        fprintf(stderr, "moulinette merge: cannot write the report\n");
        status = 1;
    }
    for (size_t i = 0; i < m.n; i++)
        grade_free(m.grades[i]);
    free(m.grades);
    sl_free(&m.owned);
    provenance_free(&here);
    config_free(cfg);
    return status;
}
