/*
 * report_junit.c - JUnit XML, as GitLab, Jenkins and GitHub test reporters
 * read it: one <testsuite> per submission (its score, compile status,
 * forbidden functions and notes as properties), one <testcase> per row
 * (classname: the submission; name: the row's id; properties: title,
 * category, points, status, visibility and the row's hidden tests), a
 * <failure> (KO) or an <error> (CRASH, TIMEOUT, ERROR, not compiled) with
 * the reason, and the tests' verdicts, notes and output in <system-out>.
 * tests/formats/junit.xsd is the schema it satisfies.
 *
 * XML 1.0 has no way to write most control characters, not even as
 * &#x1;, and a reader must refuse a document that holds one; the
 * submission's output holds whatever it printed. So nothing is written
 * raw but well-formed UTF-8 that XML allows: a control character becomes
 * \xNN (C1: \u00NN), the NUL of captured output \0, a byte that is not
 * UTF-8 U+FFFD, U+FFFE and U+FFFF (not XML characters) \uFFFE and \uFFFF.
 * No CDATA section: "]]>" in the output would end it; '>' is escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_esc.h"

/* The failure's message attribute: the reason's start, on one line (the
 * whole reason is the element's text). */
#define JUNIT_ATTR_MAX 256

/* A character XML cannot carry (or a reader would not give back as it
 * was: a CR becomes LF, a tab in an attribute a space). Returns 1 if it
 * wrote it. */
static int put_special(FILE *out, struct rchar c, int attr)
{
    if (c.kind == RCHAR_INVALID)
        fputs("\xef\xbf\xbd", out);
    else if (c.kind == RCHAR_NUL)
        fputs("\\0", out);
    else if (c.cp == '\r')
        fputs("&#13;", out);
    else if (c.cp == '\n' || c.cp == '\t')
        fputs(attr ? (c.cp == '\n' ? "&#10;" : "&#9;") : (c.cp == '\n' ? "\n" : "\t"), out);
    else if (report_is_control(c.cp))
        fprintf(out, c.cp < 0x80 ? "\\x%02x" : "\\u%04x", c.cp);
    else if (c.cp == 0xfffe || c.cp == 0xffff)
        fprintf(out, "\\u%04X", c.cp);
    else
        return 0;
    return 1;
}

static void put_char(FILE *out, const char *s, struct rchar c, int attr)
{
    if (put_special(out, c, attr))
        return;
    switch (c.cp) {
    case '&':
        fputs("&amp;", out);
        break;
    case '<':
        fputs("&lt;", out);
        break;
    case '>':
        fputs("&gt;", out);
        break;
    case '"':
        fputs(attr ? "&quot;" : "\"", out);
        break;
    default:
        fwrite(s, 1, c.len, out);
    }
}

/* `s` as XML text (or, with `attr`, an attribute's value), at most `max`
 * bytes of it, then " (cut)". */
static void put_xml(FILE *out, const char *s, size_t max, int attr)
{
    size_t shown;

    s = s ? s : "";
    shown = report_cut(s, max);
    for (size_t i = 0; i < shown;) {
        struct rchar c = report_char(s + i, shown - i);

        put_char(out, s + i, c, attr);
        i += c.len;
    }
    if (s[shown])
        fputs(REPORT_CUT_MARK, out);
}

static void put_attr(FILE *out, const char *name, const char *value, size_t max)
{
    fprintf(out, " %s=\"", name);
    put_xml(out, value, max, 1);
    fputc('"', out);
}

static void put_property(FILE *out, const char *indent, const char *name, const char *value)
{
    fprintf(out, "%s<property name=\"%s\"", indent, name);
    put_attr(out, "value", value, REPORT_TEXT_MAX);
    fputs("/>\n", out);
}

static void put_property_int(FILE *out, const char *indent, const char *name, int value)
{
    fprintf(out, "%s<property name=\"%s\" value=\"%d\"/>\n", indent, name, value);
}

/* ---- a row ---------------------------------------------------------------------- */

static void put_row_properties(FILE *out, const struct row_grade *r)
{
    const char *in = "        ";

    fputs("      <properties>\n", out);
    put_property(out, in, "title", r->row->title);
    put_property(out, in, "category", r->row->category);
    put_property_int(out, in, "points", r->points);
    put_property_int(out, in, "max_points", r->row->points);
    put_property(out, in, "kind", r->row->extra ? "extra" : r->row->bonus ? "bonus" : "main");
    put_property(out, in, "status", status_name(r->status));
    put_property(out, in, "visibility", visibility_name(r->row->visibility));
    for (size_t t = 0; t < r->row->hidden_tests.count; t++)
        put_property(out, in, "hidden_test", r->row->hidden_tests.items[t]);
    fputs("      </properties>\n", out);
}

/* The reason's first line, for the message attribute (the element's text
 * has all of it). */
static void put_message_attr(FILE *out, const char *message)
{
    char *first = xstrndup(message, strcspn(message, "\n"));

    put_attr(out, "message", first, JUNIT_ATTR_MAX);
    free(first);
}

static void put_verdict(FILE *out, const struct grade *g, const struct row_grade *r)
{
    const char *element = r->status == ST_FAIL ? "failure" : "error";
    const char *message = report_not_run(g) ? report_not_run(g) : r->message;

    if (r->status == ST_PASS)
        return;
    fprintf(out, "      <%s type=\"%s\"", element, status_name(r->status));
    put_message_attr(out, message);
    fputc('>', out);
    put_xml(out, message, REPORT_TEXT_MAX, 0);
    fprintf(out, "</%s>\n", element);
}

static void put_test_out(FILE *out, const struct row_grade *r, size_t t)
{
    const struct test_outcome *o = &r->tests[t];
    const struct test_outcome *same = report_same_output(r, t);

    fputs("== ", out);
    put_xml(out, o->test, REPORT_TEXT_MAX, 0);
    fprintf(out, ": %s (%.3f s)%s\n", status_name(o->status), o->wall,
            config_test_visibility(r->row, o->test) == VIS_HIDDEN ? " [hidden test]" : "");
    if (o->status != ST_PASS) {
        put_xml(out, o->message, REPORT_TEXT_MAX, 0);
        fputc('\n', out);
    }
    if (o->note && *o->note) {
        fputs("note: ", out);
        put_xml(out, o->note, REPORT_TEXT_MAX, 0);
        fputc('\n', out);
    }
    if (same) {
        fputs("output: same as ", out);
        put_xml(out, same->test, REPORT_TEXT_MAX, 0);
        fputc('\n', out);
    } else if (o->output && *o->output) {
        fputs("output:\n", out);
        put_xml(out, o->output, (size_t)-1, 0);
        fputs(o->output_cut ? "\n(output cut)\n" : "\n", out);
    }
}

static void put_row(FILE *out, const struct grade *g, const struct row_grade *r)
{
    fputs("    <testcase", out);
    put_attr(out, "name", r->row->id, REPORT_TEXT_MAX);
    put_attr(out, "classname", g->submission, REPORT_TEXT_MAX);
    fprintf(out, " time=\"%.3f\">\n", report_row_seconds(r));
    put_row_properties(out, r);
    put_verdict(out, g, r);
    if (g->compile_ok && r->ntests > 0) {
        fputs("      <system-out>", out);
        for (size_t t = 0; t < r->ntests; t++)
            put_test_out(out, r, t);
        fputs("</system-out>\n", out);
    }
    fputs("    </testcase>\n", out);
}

/* ---- a submission ---------------------------------------------------------------- */

struct counts {
    size_t tests, failures, errors;
    double seconds;
};

static void count(const struct grade *g, struct counts *c)
{
    for (size_t i = 0; i < g->nrows; i++) {
        c->tests++;
        c->failures += g->rows[i].status == ST_FAIL;
        c->errors += g->rows[i].status != ST_FAIL && g->rows[i].status != ST_PASS;
        c->seconds += report_row_seconds(&g->rows[i]);
    }
}

static void put_provenance_property(void *ctx, const char *key, const char *value)
{
    put_property(ctx, "      ", key, value);
}

static void put_suite_properties(FILE *out, const struct grade *g)
{
    const char *in = "      ";
    char *more = report_more_notes(&g->notes);

    fputs("    <properties>\n", out);
    put_property_int(out, in, "score", g->score);
    put_property_int(out, in, "max_score", g->max_score);
    put_property_int(out, in, "bonus_score", g->bonus_score);
    put_property_int(out, in, "bonus_max", g->bonus_max);
    put_property_int(out, in, "penalty", g->penalty);
    put_property(out, in, "compile", g->compile_ok ? "ok" : "failed");
    for (size_t i = 0; i < g->forbidden_used.count; i++)
        put_property(out, in, "forbidden_function", g->forbidden_used.items[i]);
    for (size_t i = 0; i < g->notes.count && i < REPORT_MAX_NOTES; i++)
        put_property(out, in, "note", g->notes.items[i]);
    if (more)
        put_property(out, in, "note", more);
    free(more);
    report_provenance(g, put_provenance_property, out);
    fputs("    </properties>\n", out);
}

static void put_suite(FILE *out, const struct grade *g)
{
    struct counts c = {0};

    count(g, &c);
    fputs("  <testsuite", out);
    put_attr(out, "name", g->submission, (size_t)-1);
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\">\n",
            c.tests, c.failures, c.errors, c.seconds);
    put_suite_properties(out, g);
    for (size_t i = 0; i < g->nrows; i++)
        put_row(out, g, &g->rows[i]);
    if (g->compile_log && *g->compile_log) {
        fputs("    <system-err>", out);
        put_xml(out, g->compile_log, REPORT_LOG_MAX, 0);
        fputs("</system-err>\n", out);
    }
    fputs("  </testsuite>\n", out);
}

static int write_junit(FILE *out, struct grade *const *grades, size_t n, int colour)
{
    struct counts all = {0};

    (void)colour;
    for (size_t i = 0; i < n; i++)
        count(grades[i], &all);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<testsuites name=\"memory_mapper moulinette\" tests=\"%zu\" failures=\"%zu\" "
            "errors=\"%zu\" time=\"%.3f\">\n", all.tests, all.failures, all.errors, all.seconds);
    for (size_t i = 0; i < n; i++)
        put_suite(out, grades[i]);
    fputs("</testsuites>\n", out);
    return ferror(out) ? -1 : 0;
}

const struct report_ops report_junit = {"junit", write_junit};
