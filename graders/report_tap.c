/*
 * report_tap.c - TAP, for prove and other TAP harnesses: one test point
 * per row of each submission, in order ("ok 3 - student: map_anon_private"),
 * a comment line with each submission's score before its rows, and a YAML
 * diagnostic under every point: the row's points, status, visibility,
 * reason and, per test, its verdict, visibility, message, note and (when
 * it did not pass) its output. (No list of strings: prove's YAMLish reader
 * takes a list item holding ": " for a mapping and stops reading.)
 *
 * A bonus or extra row that fails is "not ok ... # TODO": it is apart from
 * the 100 points, so a harness does not count it as a failure.
 *
 * The version line says 13. The stream follows TAP 14 (YAML 1.2 blocks
 * indented by two, '#' and '\' escaped in descriptions) and uses nothing
 * that TAP 14 added (no subtests), and TAP 14 harnesses read a version-13
 * stream; but the prove of Perl before 5.40 (Test::Harness < 3.48: Debian
 * 12, Ubuntu 24.04) reports "TAP version 14" as a parse error and fails.
 *
 * Strings in the YAML are double-quoted scalars that both YAML 1.2 and
 * prove's YAMLish reader decode: \" \\ \n \t \r, \xNN for the other
 * control characters (the NUL of captured output: \x00), U+FFFD for a
 * byte that is not UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_esc.h"

#define TAP_VERSION "13"

/* ---- escaping -------------------------------------------------------------------- */

static void put_yaml_char(FILE *out, const char *s, struct rchar c)
{
    if (c.kind == RCHAR_INVALID)
        fputs("\xef\xbf\xbd", out);
    else if (c.kind == RCHAR_NUL)
        fputs("\\x00", out);
    else if (c.cp == '"' || c.cp == '\\')
        fprintf(out, "\\%c", (char)c.cp);
    else if (c.cp == '\n' || c.cp == '\t' || c.cp == '\r')
        fputs(c.cp == '\n' ? "\\n" : c.cp == '\t' ? "\\t" : "\\r", out);
    else if (report_is_control(c.cp))
        fprintf(out, "\\x%02x", c.cp);
    else if (c.cp == 0xfffe || c.cp == 0xffff) /* not YAML printable */
        fprintf(out, "\\u%04x", c.cp);
    else
        fwrite(s, 1, c.len, out);
}

/* `s` as a double-quoted YAML scalar, at most `max` bytes of it. */
static void put_yaml(FILE *out, const char *s, size_t max)
{
    size_t shown;

    s = s ? s : "";
    shown = report_cut(s, max);
    fputc('"', out);
    for (size_t i = 0; i < shown;) {
        struct rchar c = report_char(s + i, shown - i);

        put_yaml_char(out, s + i, c);
        i += c.len;
    }
    if (s[shown])
        fputs(REPORT_CUT_MARK, out);
    fputc('"', out);
}

/* `s` in a description or a comment: one line, where '#' would start a
 * directive and '\' an escape. */
static void put_line(FILE *out, const char *s)
{
    size_t len = strlen(s);

    for (size_t i = 0; i < len;) {
        struct rchar c = report_char(s + i, len - i);

        if (c.kind != RCHAR_TEXT)
            fputs("\xef\xbf\xbd", out);
        else if (c.cp == '#' || c.cp == '\\')
            fprintf(out, "\\%c", (char)c.cp);
        else if (report_is_control(c.cp) || c.cp == 0xfffe || c.cp == 0xffff)
            fputc(' ', out);
        else
            fwrite(s + i, 1, c.len, out);
        i += c.len;
    }
}

static void put_key(FILE *out, const char *indent, const char *key, const char *value, size_t max)
{
    fprintf(out, "%s%s: ", indent, key);
    put_yaml(out, value, max);
    fputc('\n', out);
}

/* ---- a row ----------------------------------------------------------------------- */

static void put_test(FILE *out, const struct row_grade *r, size_t t)
{
    const struct test_outcome *o = &r->tests[t];
    const struct test_outcome *same = report_same_output(r, t);

    put_key(out, "    - ", "test", o->test, REPORT_TEXT_MAX);
    fprintf(out, "      status: %s\n      visibility: %s\n      seconds: %.3f\n",
            status_name(o->status), visibility_name(config_test_visibility(r->row, o->test)),
            o->wall);
    if (o->status != ST_PASS)
        put_key(out, "      ", "message", o->message, REPORT_TEXT_MAX);
    if (o->note && *o->note)
        put_key(out, "      ", "note", o->note, REPORT_TEXT_MAX);
    if (o->status == ST_PASS || !o->output || !*o->output)
        return;
    if (same) {
        put_key(out, "      ", "output_same_as", same->test, REPORT_TEXT_MAX);
    } else {
        put_key(out, "      ", "output", o->output, (size_t)-1);
        fprintf(out, "      output_truncated: %s\n", o->output_cut ? "true" : "false");
    }
}

static void put_diagnostic(FILE *out, const struct grade *g, const struct row_grade *r)
{
    const char *not_run = report_not_run(g);

    fputs("  ---\n", out);
    put_key(out, "  ", "row", r->row->id, REPORT_TEXT_MAX);
    put_key(out, "  ", "title", r->row->title, REPORT_TEXT_MAX);
    put_key(out, "  ", "category", r->row->category, REPORT_TEXT_MAX);
    fprintf(out, "  points: %d\n  max_points: %d\n  kind: %s\n  status: %s\n  visibility: %s\n",
            r->points, r->row->points, r->row->extra ? "extra" : r->row->bonus ? "bonus" : "main",
            status_name(r->status), visibility_name(r->row->visibility));
    if (r->status != ST_PASS)
        put_key(out, "  ", "message", not_run ? not_run : r->message, REPORT_TEXT_MAX);
    if (!not_run && r->ntests > 0) {
        fputs("  tests:\n", out);
        for (size_t t = 0; t < r->ntests; t++)
            put_test(out, r, t);
    }
    fputs("  ...\n", out);
}

static void put_row(FILE *out, const struct grade *g, const struct row_grade *r, size_t number)
{
    fprintf(out, "%s %zu - ", r->status == ST_PASS ? "ok" : "not ok", number);
    put_line(out, g->submission);
    fputs(": ", out);
    put_line(out, r->row->id);
    if (r->status != ST_PASS && (r->row->bonus || r->row->extra))
        fputs(r->row->bonus ? " # TODO bonus row, apart from the main score"
                            : " # TODO extra row, worth no points", out);
    fputc('\n', out);
    put_diagnostic(out, g, r);
}

/* ---- a submission ------------------------------------------------------------------ */

/* Comment lines: what the YAML of a row has no place for. */
static void put_comment(FILE *out, const char *label, const char *text, size_t max)
{
    fprintf(out, "# %s: ", label);
    put_yaml(out, text, max);
    fputc('\n', out);
}

static void put_provenance_comment(void *ctx, const char *key, const char *value)
{
    put_comment(ctx, key, value, REPORT_TEXT_MAX);
}

static void put_summary(FILE *out, const struct grade *g)
{
    char *more = report_more_notes(&g->notes);

    fputs("# ", out);
    put_line(out, g->submission);
    fprintf(out, ": score %d/%d, bonus %d/%d, penalty %d, compile %s\n", g->score, g->max_score,
            g->bonus_score, g->bonus_max, g->penalty, g->compile_ok ? "ok" : "failed");
    for (size_t i = 0; i < g->forbidden_used.count; i++)
        put_comment(out, "forbidden function", g->forbidden_used.items[i], REPORT_TEXT_MAX);
    for (size_t i = 0; i < g->notes.count && i < REPORT_MAX_NOTES; i++)
        put_comment(out, "note", g->notes.items[i], REPORT_TEXT_MAX);
    if (more)
        put_comment(out, "note", more, REPORT_TEXT_MAX);
    free(more);
    if (!g->compile_ok)
        put_comment(out, "compile log", g->compile_log, REPORT_LOG_MAX);
    report_provenance(g, put_provenance_comment, out);
}

static int write_tap(FILE *out, struct grade *const *grades, size_t n, int colour)
{
    size_t total = 0;
    size_t number = 0;

    (void)colour;
    for (size_t i = 0; i < n; i++)
        total += grades[i]->nrows;
    fprintf(out, "TAP version %s\n1..%zu\n", TAP_VERSION, total);
    for (size_t i = 0; i < n; i++) {
        put_summary(out, grades[i]);
        for (size_t r = 0; r < grades[i]->nrows; r++)
            put_row(out, grades[i], &grades[i]->rows[r], ++number);
    }
    return ferror(out) ? -1 : 0;
}

const struct report_ops report_tap = {"tap", write_tap};
