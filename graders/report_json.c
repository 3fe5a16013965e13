/*
 * report_json.c - the machine-readable report: one object for one
 * submission, an array of objects for several (argument order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report.h"

/* A string from the grade, capped (see report.h). */
static void put_capped(FILE *out, const char *s, size_t max)
{
    char *shown = report_capped(s, max);

    json_string(out, shown);
    free(shown);
}

static void put_strlist(FILE *out, const struct strlist *sl)
{
    fputc('[', out);
    for (size_t i = 0; i < sl->count; i++) {
        if (i > 0)
            fputs(", ", out);
        json_string(out, sl->items[i]);
    }
    fputc(']', out);
}

static void put_notes(FILE *out, const struct strlist *notes)
{
    char *more = report_more_notes(notes);

    fputc('[', out);
    for (size_t i = 0; i < notes->count && i < REPORT_MAX_NOTES; i++) {
        if (i > 0)
            fputs(", ", out);
        put_capped(out, notes->items[i], REPORT_TEXT_MAX);
    }
    if (more) {
        fputs(", ", out);
        json_string(out, more);
    }
    fputc(']', out);
    free(more);
}

/* A job's output, at most this many bytes once escaped (a byte the
 * student printed can take six in JSON). */
#define REPORT_OUTPUT_MAX (128 * 1024)

/* The tests of a row that ran in one job share its output: it is written
 * once, and the others name the test that carries it. */
static void put_output(FILE *out, const struct test_outcome *t, const struct test_outcome *same)
{
    int cut = 0;

    fputs(", \"output\": ", out);
    if (same) {
        fputs("\"\", \"output_same_as\": ", out);
        json_string(out, same->test);
    } else {
        cut = json_string_capped(out, t->output, REPORT_OUTPUT_MAX);
    }
    fprintf(out, ", \"output_truncated\": %s", t->output_cut || cut ? "true" : "false");
}

static void put_test(FILE *out, const struct row_grade *r, const struct test_outcome *t,
                     const struct test_outcome *same)
{
    fputs("{\"test\": ", out);
    json_string(out, t->test);
    fprintf(out, ", \"visibility\": \"%s\", \"status\": \"%s\", \"message\": ",
            visibility_name(config_test_visibility(r->row, t->test)), status_name(t->status));
    put_capped(out, t->message, REPORT_TEXT_MAX);
    fputs(", \"note\": ", out);
    put_capped(out, t->note ? t->note : "", REPORT_TEXT_MAX);
    fputs(", \"step\": ", out);
    put_capped(out, t->step ? t->step : "", REPORT_TEXT_MAX);
    fprintf(out, ", \"seconds\": %.3f", t->wall);
    put_output(out, t, same);
    fputc('}', out);
}

/* The first test before `t` in the row with the same (non-empty) output. */
static const struct test_outcome *same_output(const struct row_grade *r, size_t t)
{
    const char *o = r->tests[t].output;

    for (size_t i = 0; o && *o && i < t; i++)
        if (r->tests[i].output && strcmp(r->tests[i].output, o) == 0)
            return &r->tests[i];
    return NULL;
}

static void put_row(FILE *out, const struct row_grade *r)
{
    fputs("    {\"id\": ", out);
    json_string(out, r->row->id);
    fputs(", \"title\": ", out);
    json_string(out, r->row->title);
    fputs(", \"category\": ", out);
    json_string(out, r->row->category);
    fprintf(out, ", \"points\": %d, \"max_points\": %d, \"bonus\": %s, \"extra\": %s, \"visibility\": \"%s\", "
            "\"status\": \"%s\", \"message\": ",
            r->points, r->row->points, r->row->bonus ? "true" : "false", r->row->extra ? "true" : "false",
            visibility_name(r->row->visibility), status_name(r->status));
    put_capped(out, r->message, REPORT_TEXT_MAX);
    fputs(", \"notes\": ", out);
    put_notes(out, &r->notes);
    fputs(",\n     \"details\": [", out);
    for (size_t t = 0; t < r->ntests; t++) {
        if (t > 0)
            fputs(", ", out);
        put_test(out, r, &r->tests[t], same_output(r, t));
    }
    fputs("]}", out);
}

static void put_field(FILE *out, const char *key, const char *value, const char *sep)
{
    fprintf(out, "\"%s\": ", key);
    if (value)
        json_string(out, value);
    else
        fputs("null", out);
    fputs(sep, out);
}

/* What makes the verdict reproducible (provenance.h). */
static void put_provenance(FILE *out, const struct grade *g)
{
    const struct provenance *p = &g->prov;

    fputs("  ", out);
    put_field(out, "submission_sha256", g->submission_sha256, ",\n  \"provenance\": {");
    put_field(out, "grader_version", p->version, ", ");
    put_field(out, "config_sha256", p->config_sha256, ", ");
    put_field(out, "tests_sha256", p->tests_sha256, ",\n    ");
    put_field(out, "compiler", p->compiler, ", ");
    put_field(out, "kernel", p->kernel, ", ");
    put_field(out, "date", p->date, ",\n    ");
    put_field(out, "sandbox", p->sandbox, "},\n");
}

static void put_grade(FILE *out, const struct grade *g, const char *indent)
{
    fprintf(out, "%s{\"submission\": ", indent);
    json_string(out, g->submission);
    fputs(", \"student_id\": ", out);
    g->student_id ? json_string(out, g->student_id) : (void)fputs("null", out);
    fputs(", \"student_name\": ", out);
    g->student_name ? json_string(out, g->student_name) : (void)fputs("null", out);
    fprintf(out, ", \"score\": %d, \"max_score\": %d, \"bonus_score\": %d, \"bonus_max\": %d,\n",
            g->score, g->max_score, g->bonus_score, g->bonus_max);
    fprintf(out, "  \"partial\": %s, \"full_max_score\": %d, \"kit_hidden_points\": %d, "
            "\"kit_hidden_tests\": %d,\n",
            g->partial ? "true" : "false", g->full_max_score, g->kit_hidden_points, g->kit_hidden_tests);
    put_provenance(out, g);
    fprintf(out, "  \"compile\": {\"ok\": %s, \"log\": ", g->compile_ok ? "true" : "false");
    put_capped(out, g->compile_log, REPORT_LOG_MAX);
    fputs("},\n  \"notes\": ", out);
    put_notes(out, &g->notes);
    fputs(",\n  \"forbidden_functions\": ", out);
    put_strlist(out, &g->forbidden_used);
    fprintf(out, ", \"penalty\": %d,\n  \"tests\": [\n", g->penalty);
    for (size_t i = 0; i < g->nrows; i++) {
        put_row(out, &g->rows[i]);
        fputs(i + 1 < g->nrows ? ",\n" : "\n", out);
    }
    fputs("  ]}", out);
}

static int write_json(FILE *out, struct grade *const *grades, size_t n, int colour)
{
    (void)colour;
    if (n == 1) {
        put_grade(out, grades[0], "");
    } else {
        fputs("[\n", out);
        for (size_t i = 0; i < n; i++) {
            put_grade(out, grades[i], "");
            fputs(i + 1 < n ? ",\n" : "\n", out);
        }
        fputc(']', out);
    }
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

const struct report_ops report_json = {"json", write_json};
