/*
 * Unit tests of scoring: what a test job did -> the verdict the student
 * sees, and verdicts -> points.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "../../graders/score.h"

static struct test_outcome outcome(const char *test)
{
    return (struct test_outcome){test, ST_ERROR, NULL, NULL, 0, 0, NULL, NULL};
}

/* A job result whose record line is `record` ("" for none). */
static struct job_result result(const char *record)
{
    struct job_result r = {0};

    r.exited = 1;
    sb_printf(&r.records, "%s", record);
    return r;
}

static void check(const char *record, enum status expected, const char *in_message)
{
    struct test_outcome o = outcome("row/t");
    struct job_result r = result(record);

    score_test(&o, &r, 5.0);
    cr_assert_eq(o.status, expected, "status %s, expected %s (%s)", status_name(o.status),
                 status_name(expected), o.message);
    cr_assert(strstr(o.message, in_message), "\"%s\" not in \"%s\"", in_message, o.message);
    free(o.message);
    free(o.output);
    free(o.note);
    free(o.step);
    sb_free(&r.records);
}

Test(score, completed_test_passes)
{
    check("T\trow/t\t1\t0\t0\t0\t0\t0\t\tchecking for leaks\nE\n", ST_PASS, "");
}

Test(score, failed_assertion_is_ko_with_its_message)
{
    check("T\trow/t\t0\t1\t0\t0\t0\t0\tmap_file returned NULL\\twith\\nnewline\tstep\n", ST_FAIL,
          "map_file returned NULL\twith\nnewline");
}

/* Criterion counts a test ended by exit(0) as passed: not us. */
Test(score, exit0_before_the_end_is_ko)
{
    check("T\trow/t\t0\t0\t0\t0\t0\t0\t\tcalling map_file(\"x\", 0)\n", ST_FAIL,
          "ended before the test finished during: calling map_file");
}

Test(score, nonzero_exit_is_ko)
{
    check("T\trow/t\t0\t0\t0\t0\t3\t0\t\tcalling unmap()\n", ST_FAIL, "exited with status 3");
}

Test(score, crash_names_signal_and_step)
{
    check("T\trow/t\t0\t0\t1\t11\t0\t0\t\tcalling unmap() on the file mapping\n", ST_CRASH,
          "SIGSEGV (Segmentation fault) during: calling unmap() on the file mapping");
}

Test(score, runner_timeout)
{
    check("T\trow/t\t0\t0\t0\t0\t0\t1\t\tcalling ring_read\n", ST_TIMEOUT, "timed out after 5.0 s");
}

/* The note (the record's last field) is kept whatever the verdict, and
 * never makes a passing test fail. */
Test(score, note_is_kept_and_never_decides)
{
    struct test_outcome o = outcome("row/t");
    struct job_result r = result("T\trow/t\t1\t0\t0\t0\t0\t0\t\tstep\talso seen: fd leak\\tthere, see row "
                                 "unmap_cleanup\nE\n");

    score_test(&o, &r, 5.0);
    cr_assert_eq(o.status, ST_PASS, "%s", o.message);
    cr_assert_str_eq(o.note, "also seen: fd leak\tthere, see row unmap_cleanup");
    free(o.message);
    free(o.output);
    free(o.note);
    free(o.step);
    sb_free(&r.records);
}

Test(score, failed_test_keeps_its_note)
{
    struct test_outcome o = outcome("row/t");
    struct job_result r = result("T\trow/t\t0\t1\t0\t0\t0\t0\tbroken\tstep\tnote: advice\n");

    score_test(&o, &r, 5.0);
    cr_assert_eq(o.status, ST_FAIL);
    cr_assert_str_eq(o.message, "broken");
    cr_assert_str_eq(o.note, "note: advice");
    free(o.message);
    free(o.output);
    free(o.note);
    free(o.step);
    sb_free(&r.records);
}

/* A record of an older runner (ten fields) has no note. */
Test(score, record_without_note_field)
{
    struct test_outcome o = outcome("row/t");
    struct job_result r = result("T\trow/t\t1\t0\t0\t0\t0\t0\t\tstep\n");

    score_test(&o, &r, 5.0);
    cr_assert_eq(o.status, ST_PASS);
    cr_assert_str_eq(o.note, "");
    free(o.message);
    free(o.output);
    free(o.note);
    free(o.step);
    sb_free(&r.records);
}

Test(score, record_of_another_test_is_ignored)
{
    check("T\trow/other\t1\t0\t0\t0\t0\t0\t\t\n", ST_ERROR, "without reporting");
}

Test(score, truncated_record_is_ignored)
{
    check("T\trow/t\t1\t0\t0\t0\t0\t0\t\t", ST_ERROR, "without reporting");
}

Test(score, killed_runner_without_record)
{
    struct test_outcome o = outcome("row/t");
    struct job_result r = result("");

    r.exited = 0;
    r.signal = SIGKILL;
    score_test(&o, &r, 5.0);
    cr_assert_eq(o.status, ST_CRASH);
    cr_assert(strstr(o.message, "SIGKILL"), "%s", o.message);
    free(o.message);
    free(o.output);
    free(o.note);
    free(o.step);
}

Test(score, grader_timeout_without_record)
{
    struct test_outcome o = outcome("row/t");
    struct job_result r = result("");

    r.exited = 0;
    r.timed_out = 1;
    r.signal = SIGKILL;
    score_test(&o, &r, 2.0);
    cr_assert_eq(o.status, ST_TIMEOUT, "%s", o.message);
    free(o.message);
    free(o.output);
    free(o.note);
    free(o.step);
}

static struct row_config rows[] = {
    {.id = "a", .points = 60},
    {.id = "b", .points = 40},
    {.id = "x", .points = 20, .bonus = 1},
};

static struct grade *graded(enum status a, enum status b, enum status x)
{
    struct config cfg = {.rows = rows, .nrows = 3, .max_score = 100};
    struct grade *g;
    enum status st[3] = {a, b, x};

    for (int i = 0; i < 3; i++) {
        sl_free(&rows[i].tests);
        sl_pushf(&rows[i].tests, "%s/t", rows[i].id);
    }
    g = grade_new(&cfg, "sub");
    g->compile_ok = 1;
    for (int i = 0; i < 3; i++) {
        g->rows[i].tests[0].status = st[i];
        free(g->rows[i].tests[0].message);
        g->rows[i].tests[0].message = xstrdup(st[i] == ST_PASS ? "" : "why");
    }
    return g;
}

Test(score, rows_and_totals)
{
    struct grade *g = graded(ST_PASS, ST_CRASH, ST_PASS);

    score_grade(g, 10);
    cr_assert_eq(g->score, 60);
    cr_assert_eq(g->bonus_score, 20);
    cr_assert_eq(g->bonus_max, 20);
    cr_assert_eq(g->rows[1].status, ST_CRASH);
    cr_assert_str_eq(g->rows[1].message, "b/t: why");
    grade_free(g);
}

/* A passing row keeps its points and gathers its tests' notes, each named
 * by its test; a failing row keeps them too (the JSON report shows them). */
Test(score, notes_gathered_per_row_without_changing_points)
{
    struct grade *g = graded(ST_PASS, ST_FAIL, ST_PASS);

    g->rows[0].tests[0].note = xstrdup("also seen: fd leak, see row b");
    g->rows[1].tests[0].note = xstrdup("note: advice");
    g->rows[2].tests[0].note = xstrdup("");
    score_grade(g, 10);
    cr_assert_eq(g->score, 60);
    cr_assert_eq(g->rows[0].status, ST_PASS);
    cr_assert_eq(g->rows[0].notes.count, 1);
    cr_assert_str_eq(g->rows[0].notes.items[0], "a/t: also seen: fd leak, see row b");
    cr_assert_eq(g->rows[1].notes.count, 1);
    cr_assert_eq(g->rows[2].notes.count, 0, "an empty note is no note");
    score_grade(g, 10);
    cr_assert_eq(g->rows[0].notes.count, 1, "scoring twice does not repeat notes");
    grade_free(g);
}

Test(score, forbidden_penalty_never_below_zero)
{
    struct grade *g = graded(ST_FAIL, ST_FAIL, ST_FAIL);

    sl_push(&g->forbidden_used, "malloc");
    score_grade(g, 10);
    cr_assert_eq(g->score, 0);
    cr_assert_eq(g->penalty, 10);
    grade_free(g);
    g = graded(ST_PASS, ST_PASS, ST_FAIL);
    sl_push(&g->forbidden_used, "malloc");
    score_grade(g, 10);
    cr_assert_eq(g->score, 90);
    grade_free(g);
}

Test(score, uncompiled_submission_scores_zero)
{
    struct grade *g = graded(ST_PASS, ST_PASS, ST_PASS);

    g->compile_ok = 0;
    for (int i = 0; i < 3; i++)
        g->rows[i].status = ST_FAIL;
    score_grade(g, 10);
    cr_assert_eq(g->score, 0);
    grade_free(g);
}
