/*
 * report_gradescope.c - Gradescope's results.json (its "Autograder
 * Specifications"): what run_autograder leaves in /autograder/results.
 *
 *   score             the main score (penalty taken off); the bonus is shown
 *                     in its rows and in extra_data, not added (Gradescope
 *                     would count it against the assignment's points)
 *   execution_time    seconds the tests took, added up
 *   output            the score lines, forbidden functions, the grade's
 *                     notes, the compile log when it did not compile
 *   stdout_visibility hidden: run_autograder's own output is for the
 *                     instructor
 *   tests[]           one per row: name, number (its line in the table),
 *                     score, max_score, status (passed or failed), output
 *                     (verdict, reason, notes, its tests' output),
 *                     visibility (the row's), tags (category, bonus, extra)
 *   extra_data        submission, max_score, bonus_score, bonus_max, penalty,
 *                     compile_ok
 *
 * A student sees a visible row's output, so it says nothing of the row's
 * hidden tests but whether one failed; each of them has its own entry,
 * "hidden", worth 0 (the row carries the points), where the instructor
 * reads its reason and output.
 *
 * One submission gives one object; several (not what Gradescope runs) an
 * array of them, in argument order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report.h"
#include "report_esc.h"

/* The part of a test's output shown in an entry: Gradescope shows each
 * entry's output in full on the results page. */
#define GRADESCOPE_OUTPUT_MAX (16 * 1024)

static void add_capped(struct strbuf *sb, const char *s, size_t max)
{
    char *shown = report_capped(s, max);

    sb_append(sb, shown, strlen(shown));
    free(shown);
}

/* ---- what an entry says ------------------------------------------------------------ */

static int is_hidden(const struct row_grade *r, size_t t)
{
    return config_test_visibility(r->row, r->tests[t].test) == VIS_HIDDEN;
}

/* One test's part of an entry: its verdict and reason, its note, and (when
 * it did not pass) its output, once per job. */
static void add_test(struct strbuf *sb, const struct row_grade *r, size_t t)
{
    const struct test_outcome *o = &r->tests[t];
    const struct test_outcome *same = report_same_output(r, t);

    sb_printf(sb, "%s: %s\n", o->test, o->status == ST_PASS ? "OK" : status_name(o->status));
    if (o->status != ST_PASS) {
        add_capped(sb, o->message, REPORT_TEXT_MAX);
        sb_append(sb, "\n", 1);
    }
    if (o->note && *o->note) {
        sb_append(sb, "note: ", 6);
        add_capped(sb, o->note, REPORT_TEXT_MAX);
        sb_append(sb, "\n", 1);
    }
    if (o->status == ST_PASS || !o->output || !*o->output)
        return;
    if (same) {
        sb_printf(sb, "output: the same as %s's\n", same->test);
        return;
    }
    sb_append(sb, "output:\n", 8);
    add_capped(sb, o->output, GRADESCOPE_OUTPUT_MAX);
    sb_append(sb, o->output_cut ? "\n(output cut)\n" : "\n", o->output_cut ? 14 : 1);
}

/* The row's entry: its tests that whoever sees the row may see (all of
 * them in a hidden row). */
static char *row_output(const struct grade *g, const struct row_grade *r)
{
    struct strbuf sb = {0};
    int hidden_row = r->row->visibility == VIS_HIDDEN;
    size_t hidden_failed = 0;

    sb_printf(&sb, "%s (%s): %d/%d\n", r->row->title, r->row->category, r->points, r->row->points);
    if (report_not_run(g)) {
        sb_printf(&sb, "%s\n", report_not_run(g));
        return sb_take(&sb);
    }
    for (size_t t = 0; t < r->ntests; t++) {
        if (!hidden_row && is_hidden(r, t))
            hidden_failed += r->tests[t].status != ST_PASS;
        else
            add_test(&sb, r, t);
    }
    if (hidden_failed > 0)
        sb_printf(&sb, "%zu hidden test%s of this row did not pass\n", hidden_failed,
                  hidden_failed > 1 ? "s" : "");
    return sb_take(&sb);
}

/* ---- entries ---------------------------------------------------------------------- */

struct entry {
    const char *name;
    const char *number;
    int score, max_score;
    int passed;
    const char *output;
    enum visibility visibility;
    const struct row_config *row;
};

static void put_entry(FILE *out, const struct entry *e, int first)
{
    fputs(first ? "\n    {" : ",\n    {", out);
    fputs("\"name\": ", out);
    json_string(out, e->name);
    fputs(", \"number\": ", out);
    json_string(out, e->number);
    fprintf(out, ", \"score\": %d, \"max_score\": %d, \"status\": \"%s\", \"visibility\": \"%s\"",
            e->score, e->max_score, e->passed ? "passed" : "failed", visibility_name(e->visibility));
    fputs(", \"tags\": [", out);
    json_string(out, e->row->category);
    if (e->row->bonus || e->row->extra)
        fputs(e->row->bonus ? ", \"bonus\"" : ", \"extra\"", out);
    fputs("],\n     \"output\": ", out);
    json_string(out, e->output);
    fputc('}', out);
}

static void put_row(FILE *out, const struct grade *g, size_t i, int *first)
{
    const struct row_grade *r = &g->rows[i];
    char *number = xasprintf("%zu", i + 1);
    char *output = row_output(g, r);
    struct entry e = {r->row->id, number, r->points, r->row->points, r->status == ST_PASS,
                      output, r->row->visibility, r->row};

    put_entry(out, &e, *first);
    *first = 0;
    free(output);
    free(number);
}

/* The hidden tests of a row that students see: entries of their own. */
static void put_hidden_tests(FILE *out, const struct grade *g, size_t i, int *first)
{
    const struct row_grade *r = &g->rows[i];

    if (r->row->visibility == VIS_HIDDEN || !g->compile_ok)
        return;
    for (size_t t = 0; t < r->ntests; t++) {
        struct strbuf sb = {0};
        char *number;
        char *name;

        if (!is_hidden(r, t))
            continue;
        number = xasprintf("%zu.%zu", i + 1, t + 1);
        name = xasprintf("%s (hidden test of %s)", r->tests[t].test, r->row->id);
        add_test(&sb, r, t);
        put_entry(out, &(struct entry){name, number, 0, 0, r->tests[t].status == ST_PASS, sb.data,
                                       VIS_HIDDEN, r->row},
                  *first);
        *first = 0;
        sb_free(&sb);
        free(name);
        free(number);
    }
}

/* ---- the submission --------------------------------------------------------------- */

static char *top_output(const struct grade *g)
{
    struct strbuf sb = {0};
    char *more = report_more_notes(&g->notes);

    sb_printf(&sb, "Score: %d/%d\n", g->score, g->max_score);
    if (g->bonus_max > 0)
        sb_printf(&sb, "Bonus: %d/%d (apart from the score)\n", g->bonus_score, g->bonus_max);
    for (size_t i = 0; i < g->forbidden_used.count; i++)
        sb_printf(&sb, "Forbidden function: %s is used by your code\n", g->forbidden_used.items[i]);
    if (g->penalty)
        sb_printf(&sb, "Penalty for forbidden functions: -%d\n", g->penalty);
    for (size_t i = 0; i < g->notes.count && i < REPORT_MAX_NOTES; i++) {
        sb_append(&sb, "note: ", 6);
        add_capped(&sb, g->notes.items[i], REPORT_TEXT_MAX);
        sb_append(&sb, "\n", 1);
    }
    if (more)
        sb_printf(&sb, "%s\n", more);
    free(more);
    if (!g->compile_ok) {
        sb_append(&sb, "Compilation failed:\n", 20);
        add_capped(&sb, g->compile_log, REPORT_LOG_MAX);
        sb_append(&sb, "\n", 1);
    }
    return sb_take(&sb);
}

/* Whole seconds, rounded up. */
static long seconds(const struct grade *g)
{
    double sum = 0;

    for (size_t i = 0; i < g->nrows; i++)
        sum += report_row_seconds(&g->rows[i]);
    return (long)sum + (sum > (double)(long)sum);
}

static void put_provenance_member(void *ctx, const char *key, const char *value)
{
    fprintf(ctx, ", \"%s\": ", key);
    json_string(ctx, value);
}

static void put_grade(FILE *out, const struct grade *g)
{
    char *output = top_output(g);
    int first = 1;

    fprintf(out, "{\"score\": %d, \"execution_time\": %ld, \"output\": ", g->score, seconds(g));
    json_string(out, output);
    fputs(",\n  \"stdout_visibility\": \"hidden\",\n  \"extra_data\": {\"submission\": ", out);
    json_string(out, g->submission);
    fprintf(out, ", \"max_score\": %d, \"bonus_score\": %d, \"bonus_max\": %d, \"penalty\": %d, "
            "\"compile_ok\": %s", g->max_score, g->bonus_score, g->bonus_max,
            g->penalty, g->compile_ok ? "true" : "false");
    report_provenance(g, put_provenance_member, out);
    fputs("},\n  \"tests\": [", out);
    for (size_t i = 0; i < g->nrows; i++) {
        put_row(out, g, i, &first);
        put_hidden_tests(out, g, i, &first);
    }
    fputs("\n  ]}", out);
    free(output);
}

static int write_gradescope(FILE *out, struct grade *const *grades, size_t n, int colour)
{
    (void)colour;
    if (n != 1)
        fputs("[\n", out);
    for (size_t i = 0; i < n; i++) {
        put_grade(out, grades[i]);
        if (n != 1)
            fputs(i + 1 < n ? ",\n" : "\n]", out);
    }
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

const struct report_ops report_gradescope = {"gradescope", write_gradescope};
