/*
 * report_csv.c - the gradebook: one line per submission, read by
 * spreadsheets and LMS imports.
 *
 * RFC 4180: fields separated by commas, lines ended by CRLF, a field that
 * holds a comma, a quote, a CR or an LF (or starts or ends with a space,
 * which some readers trim) between double quotes, a quote inside written
 * twice. The first line names the columns: submission, score, max_score,
 * bonus, bonus_max, penalty, compile (ok or failed), then one per row, its
 * id, with the points it earned.
 *
 * The text is UTF-8: a byte of a submission's name that is not becomes
 * U+FFFD. A field that starts with =, +, -, @, a tab or a CR is written
 * with a ' before it: a spreadsheet would run it as a formula (OWASP, "CSV
 * injection"), and a folder name is whatever the LMS export made of what a
 * student typed.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "report_esc.h"

static int needs_quotes(const char *s)
{
    size_t len = strlen(s);

    return strpbrk(s, ",\"\r\n") != NULL || (len > 0 && (s[0] == ' ' || s[len - 1] == ' '));
}

/* The field's text, every character valid UTF-8, quotes doubled. */
static void put_body(FILE *out, const char *s)
{
    size_t len = strlen(s);

    for (size_t i = 0; i < len;) {
        struct rchar c = report_char(s + i, len - i);

        /* C0 80 is a NUL only in captured output: here, two bad bytes. */
        if (c.kind == RCHAR_INVALID || c.kind == RCHAR_NUL)
            fputs(c.len == 2 ? "\xef\xbf\xbd\xef\xbf\xbd" : "\xef\xbf\xbd", out);
        else if (c.cp == '"')
            fputs("\"\"", out);
        else
            fwrite(s + i, 1, c.len, out);
        i += c.len;
    }
}

static void put_field(FILE *out, const char *s)
{
    int formula = s[0] && strchr("=+-@\t\r", s[0]) != NULL;
    int quoted = formula || needs_quotes(s);

    if (quoted)
        fputc('"', out);
    if (formula)
        fputc('\'', out);
    put_body(out, s);
    if (quoted)
        fputc('"', out);
}

static void put_header(FILE *out, const struct grade *g)
{
    fputs("submission,score,max_score,bonus,bonus_max,penalty,compile", out);
    for (size_t i = 0; i < g->nrows; i++) {
        fputc(',', out);
        put_field(out, g->rows[i].row->id);
    }
    fputs("\r\n", out);
}

/* One line; `columns` is the header's row count (every grade of a batch
 * has the same table, but a line never has more fields than the header). */
static void put_line(FILE *out, const struct grade *g, size_t columns)
{
    put_field(out, g->submission);
    fprintf(out, ",%d,%d,%d,%d,%d,%s", g->score, g->max_score, g->bonus_score, g->bonus_max,
            g->penalty, g->compile_ok ? "ok" : "failed");
    for (size_t i = 0; i < columns; i++) {
        if (i < g->nrows)
            fprintf(out, ",%d", g->rows[i].points);
        else
            fputc(',', out);
    }
    fputs("\r\n", out);
}

static int write_csv(FILE *out, struct grade *const *grades, size_t n, int colour)
{
    (void)colour;
    if (n == 0)
        return 0;
    put_header(out, grades[0]);
    for (size_t i = 0; i < n; i++)
        put_line(out, grades[i], grades[0]->nrows);
    return ferror(out) ? -1 : 0;
}

const struct report_ops report_csv = {"csv", write_csv};
