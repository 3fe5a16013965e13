/*
 * Unit tests of the reports' caps and escaping: whatever a submission
 * makes the grade hold (a note listing 200,000 symbols, a message of
 * megabytes, terminal escapes, NUL and invalid bytes), the report stays
 * small, says what it cut, and shows every byte it keeps.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../graders/report.h"

static struct row_config row = {.id = "row", .title = "Row", .category = "Cat", .points = 10};
static const char *const test_names[] = {"row/t"};

/* A one-row grade whose notes, messages and output the test fills. */
static struct grade *make_grade(void)
{
    struct grade *g = xcalloc(1, sizeof *g);

    g->submission = xstrdup("sub");
    g->compile_ok = 1;
    g->compile_log = xstrdup("");
    g->rows = xcalloc(1, sizeof *g->rows);
    g->nrows = 1;
    g->max_score = 10;
    g->rows[0].row = &row;
    g->rows[0].status = ST_FAIL;
    g->rows[0].message = xstrdup("row message");
    g->rows[0].ntests = 1;
    g->rows[0].tests = xcalloc(1, sizeof *g->rows[0].tests);
    g->rows[0].tests[0] = (struct test_outcome){test_names[0], ST_FAIL, xstrdup("m"), xstrdup(""), 0, 0, NULL, NULL};
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

static char *big_string(size_t len, char c)
{
    char *s = xmalloc(len + 1);

    memset(s, c, len);
    s[len] = '\0';
    return s;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* 200,000 symbols in one note, 1000 notes, a 1 MB message: a small report. */
static struct grade *bloated_grade(void)
{
    struct grade *g = make_grade();
    struct strbuf note = {0};

    for (int i = 0; i < 200000; i++)
        sb_printf(&note, "%ssym_%d", i ? ", " : "", i);
    sl_push(&g->notes, note.data);
    sb_free(&note);
    for (int i = 0; i < 1000; i++)
        sl_pushf(&g->notes, "note %d", i);
    free(g->rows[0].message);
    g->rows[0].message = big_string(1 << 20, 'r');
    free(g->rows[0].tests[0].message);
    g->rows[0].tests[0].message = big_string(1 << 20, 't');
    free(g->compile_log);
    g->compile_log = big_string(1 << 20, 'c');
    g->compile_ok = 0;
    return g;
}

Test(report_caps, json_is_bounded_and_says_cut)
{
    struct grade *g = bloated_grade();
    char *json = report(&report_json, g);

    cr_assert_lt(strlen(json), 32 * 1024 + REPORT_LOG_MAX + 4 * REPORT_TEXT_MAX,
                 "report of %zu bytes", strlen(json));
    cr_assert(strstr(json, "sym_0, sym_1"));
    cr_assert(!strstr(json, "sym_199999"));
    /* the big note, the row and test messages, the compile log */
    cr_assert_eq(count(json, REPORT_CUT_MARK "\""), 4);
    cr_assert(strstr(json, "\"note 30\""));
    cr_assert(!strstr(json, "\"note 31\""));
    cr_assert(strstr(json, "\"(cut: 969 more notes)\"]"));
    free(json);
    grade_free(g);
}

Test(report_caps, text_is_bounded_and_says_cut)
{
    struct grade *g = bloated_grade();
    char *text = report(&report_text, g);

    cr_assert_lt(strlen(text), 32 * 1024 + REPORT_LOG_MAX + 4 * REPORT_TEXT_MAX,
                 "report of %zu bytes", strlen(text));
    /* note and log: a submission that does not compile shows no row's
     * reason (a wrapped line may begin with the mark) */
    cr_assert_eq(count(text, "(cut)"), 2);
    cr_assert(strstr(text, "(cut: 969 more notes)"));
    free(text);
    g->compile_ok = 1;
    text = report(&report_text, g);
    /* compiled: the note and the row's reason (no log) */
    cr_assert_eq(count(text, "(cut)"), 2, "%s", text);
    cr_assert(strstr(text, "rrrr"), "the row's reason is shown");
    cr_assert_lt(strlen(text), 32 * 1024 + REPORT_LOG_MAX + 4 * REPORT_TEXT_MAX);
    free(text);
    grade_free(g);
}

/* A cut never splits a character (nor the C0 80 that stands for a NUL). */
Test(report_caps, cut_on_character_boundary)
{
    cr_assert_eq(report_cut("ab\xc3\xa9", 3), 2);
    cr_assert_eq(report_cut("ab\xc3\xa9", 4), 4);
    cr_assert_eq(report_cut("ab\xc0\x80", 3), 2);
    cr_assert_eq(report_cut("ab\xe2\x9c\x93z", 4), 2);
    cr_assert_eq(report_cut("abcdef", 4), 4);
}

/* The test output is not re-capped by the report (the sandbox capped it
 * at output_kb) and keeps whatever follows a NUL. */
Test(report_caps, output_kept_whole_with_nul)
{
    struct grade *g = make_grade();
    char *json;

    free(g->rows[0].tests[0].output);
    g->rows[0].tests[0].output = xstrdup("before\xc0\x80" "after");
    json = report(&report_json, g);
    cr_assert(strstr(json, "\"output\": \"before\\u0000after\""), "%s", json);
    free(json);
    grade_free(g);
}

/* In the text report, what would act on a terminal is shown escaped. */
Test(report_escapes, control_bytes_escaped)
{
    struct grade *g = make_grade();
    char *text;

    free(g->rows[0].message);
    g->rows[0].message = xstrdup("red \x1b[31mX\x1b[0m nul \xc0\x80 bad \xff csi \xc2\x9b tab\there\nline");
    sl_push(&g->notes, "line 1\n\tline 2\x07\n");
    text = report(&report_text, g);
    cr_assert(strstr(text, "red \\x1b[31mX\\x1b[0m nul \\0 bad \\xff csi \\u009b tab here line"), "%s",
              text);
    cr_assert(strstr(text, "  note:\n    line 1\n    \tline 2\\x07\n"), "%s", text);
    cr_assert(!strchr(text, '\x1b'));
    free(text);
    grade_free(g);
}
