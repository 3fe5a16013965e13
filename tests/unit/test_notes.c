/*
 * Unit tests of how the reports show a row's notes (what its tests saw
 * that another row grades): the text report puts the first one in the
 * reason column of a row that kept its points and counts the others; the
 * JSON report lists them all, per row and per test. A note never shows as
 * a failure.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../graders/report.h"

static struct row_config row = {.id = "row", .title = "Row", .category = "Cat", .points = 10};
static const char *const test_names[] = {"row/a", "row/b"};

/* A one-row, two-test grade; each test passes with the note given. */
static struct grade *noted_grade(enum status st, const char *note_a, const char *note_b)
{
    struct grade *g = xcalloc(1, sizeof *g);
    struct row_grade *r;

    g->submission = xstrdup("sub");
    g->compile_ok = 1;
    g->compile_log = xstrdup("");
    g->rows = xcalloc(1, sizeof *g->rows);
    g->nrows = 1;
    g->max_score = 10;
    r = &g->rows[0];
    r->row = &row;
    r->status = st;
    r->points = st == ST_PASS ? 10 : 0;
    r->message = xstrdup(st == ST_PASS ? "" : "row/a: broken");
    r->ntests = 2;
    r->tests = xcalloc(2, sizeof *r->tests);
    for (int t = 0; t < 2; t++) {
        const char *note = t == 0 ? note_a : note_b;

        r->tests[t] = (struct test_outcome){test_names[t], ST_PASS, xstrdup(""), xstrdup(""), 0, 0,
                                            xstrdup(note), NULL};
        if (*note)
            sl_pushf(&r->notes, "%s: %s", test_names[t], note);
    }
    return g;
}

static char *report(const struct report_ops *ops, struct grade *g)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);

    cr_assert_eq(ops->write(out, &g, 1, 0), 0);
    fclose(out);
    return buf;
}

Test(notes, text_shows_first_note_of_a_passing_row)
{
    struct grade *g = noted_grade(ST_PASS, "also seen: fd leak, see row unmap_cleanup", "");
    char *text = report(&report_text, g);

    cr_assert(strstr(text, "10/10   OK\n       note: row/a: also seen: fd leak, see row unmap_cleanup\n"), "%s", text);
    cr_assert(!strstr(text, "KO"), "%s", text);
    free(text);
    grade_free(g);
}

Test(notes, text_counts_the_other_notes)
{
    struct grade *g = noted_grade(ST_PASS, "also seen: one", "also seen: two");
    char *text = report(&report_text, g);

    cr_assert(strstr(text, "row/a: also seen: one (+1 more note in the JSON report)"), "%s", text);
    cr_assert(!strstr(text, "also seen: two"), "%s", text);
    free(text);
    grade_free(g);
}

/* A row that lost its points shows its reason, not a note. */
Test(notes, text_failing_row_shows_its_reason)
{
    struct grade *g = noted_grade(ST_FAIL, "also seen: one", "");
    char *text = report(&report_text, g);

    cr_assert(strstr(text, "KO\n       row/a: broken\n"), "%s", text);
    cr_assert(!strstr(text, "also seen"), "%s", text);
    free(text);
    grade_free(g);
}

Test(notes, json_lists_row_and_test_notes)
{
    struct grade *g = noted_grade(ST_PASS, "also seen: one", "");
    char *json = report(&report_json, g);

    cr_assert(strstr(json, "\"notes\": [\"row/a: also seen: one\"]"), "%s", json);
    cr_assert(strstr(json, "\"test\": \"row/a\", \"visibility\": \"visible\", \"status\": \"pass\", \"message\": \"\", \"note\": \"also seen: one\""),
              "%s", json);
    cr_assert(strstr(json, "\"test\": \"row/b\", \"visibility\": \"visible\", \"status\": \"pass\", \"message\": \"\", \"note\": \"\""), "%s",
              json);
    free(json);
    grade_free(g);
}

/* A grade made without notes (NULL) still reports. */
Test(notes, json_without_any_note)
{
    struct grade *g = noted_grade(ST_PASS, "", "");
    char *json;

    free(g->rows[0].tests[1].note);
    g->rows[0].tests[1].note = NULL;
    json = report(&report_json, g);
    cr_assert(strstr(json, "\"notes\": []"), "%s", json);
    free(json);
    grade_free(g);
}
