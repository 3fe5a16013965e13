/*
 * report_text.c - the table a student reads in a terminal: one line per
 * row with its verdict and, when it lost points, the one-line reason;
 * when it kept them but its tests noted something another row grades,
 * the first note (the JSON report has them all).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char *const verdict_word[] = {
    [ST_PASS] = "OK", [ST_FAIL] = "KO", [ST_CRASH] = "CRASH",
    [ST_TIMEOUT] = "TIMEOUT", [ST_ERROR] = "ERROR",
};

static const char *const verdict_colour[] = {
    [ST_PASS] = "\033[32m", [ST_FAIL] = "\033[31m", [ST_CRASH] = "\033[31m",
    [ST_TIMEOUT] = "\033[33m", [ST_ERROR] = "\033[35m",
};

/* Writes the character at `s` (of `avail` bytes) as the reader should see
 * it; returns how many bytes it took. What would act on a terminal rather
 * than show (a colour or cursor sequence from the student's output) or is
 * not text at all is written as an escape: control characters and invalid
 * bytes as \xNN, C1 controls (which some terminals obey) as \uNNNN, the
 * NUL kept in captured output (C0 80, see sandbox.h) as \0. `newline` is
 * what a line feed becomes. */
static size_t put_char(FILE *out, const char *s, size_t avail, const char *newline)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned cp = 0;
    size_t len = utf8_decode(s, avail, &cp);

    if (avail >= 2 && u[0] == 0xc0 && u[1] == 0x80) {
        fputs("\\0", out);
        return 2;
    }
    if (len == 0) {
        fprintf(out, "\\x%02x", u[0]);
        return 1;
    }
    if (cp == '\n')
        fputs(newline, out);
    else if (cp == '\t')
        fputc(*newline == '\n' ? '\t' : ' ', out);
    else if (cp < 0x20 || cp == 0x7f)
        fprintf(out, "\\x%02x", cp);
    else if (cp >= 0x80 && cp < 0xa0)
        fprintf(out, "\\u%04x", cp);
    else
        fwrite(s, 1, len, out);
    return len;
}

/* Writes `s` capped at `max` bytes (see report.h), each character through
 * put_char. A last newline ends the text; it does not open an empty line. */
static void put_text(FILE *out, const char *s, size_t max, const char *newline)
{
    size_t shown = report_cut(s, max);
    int cut = s[shown] != '\0';
    size_t end = !cut && shown > 0 && s[shown - 1] == '\n' ? shown - 1 : shown;

    for (size_t i = 0; i < end;)
        i += put_char(out, s + i, end - i, newline);
    if (cut)
        fputs(REPORT_CUT_MARK, out);
}

/* Prints `s` on one line: newlines and tabs become spaces. */
static void put_line(FILE *out, const char *s)
{
    put_text(out, s, REPORT_TEXT_MAX, " ");
}

/* Indented block. */
static void put_block(FILE *out, const char *s, size_t max)
{
    fputs("    ", out);
    put_text(out, s, max, "\n    ");
    fputc('\n', out);
}

/* The reason column of a row that kept its points: its first note, and
 * how many more there are. */
static void put_notes(FILE *out, const struct strlist *notes)
{
    put_line(out, notes->items[0]);
    if (notes->count > 1)
        fprintf(out, " (+%zu more note%s in the JSON report)", notes->count - 1,
                notes->count > 2 ? "s" : "");
}

static void put_row(FILE *out, const struct row_grade *r, size_t number, int colour)
{
    int pad = 9 - (int)strlen(verdict_word[r->status]);

    fprintf(out, "%3zu  %-18s %-11s %3d/%-3d  %s%s%s", number, r->row->id, r->row->category,
            r->points, r->row->points, colour ? verdict_colour[r->status] : "",
            verdict_word[r->status], colour ? "\033[0m" : "");
    if (r->status != ST_PASS) {
        fprintf(out, "%*s", pad, "");
        put_line(out, r->message);
    } else if (r->notes.count > 0) {
        fprintf(out, "%*s", pad, "");
        put_notes(out, &r->notes);
    }
    fputc('\n', out);
}

static void put_header(FILE *out, const struct grade *g)
{
    fprintf(out, "memory_mapper moulinette: %s\n", g->submission);
    char *more = report_more_notes(&g->notes);

    for (size_t i = 0; i < g->notes.count && i < REPORT_MAX_NOTES; i++) {
        fputs("  note:\n", out);
        put_block(out, g->notes.items[i], REPORT_TEXT_MAX);
    }
    if (more)
        fprintf(out, "  %s\n", more);
    free(more);
    if (!g->compile_ok) {
        fputs("  compilation failed:\n", out);
        put_block(out, g->compile_log, REPORT_LOG_MAX);
    }
    fprintf(out, "%3s  %-18s %-11s %7s  %-7s  %s\n", "#", "row", "category", "points", "verdict",
            "reason");
}

/* Whether any row is an extra (beyond the subject, no points). */
static int has_extra(const struct grade *g)
{
    for (size_t i = 0; i < g->nrows; i++)
        if (g->rows[i].row->extra)
            return 1;
    return 0;
}

static void put_grade(FILE *out, const struct grade *g, int colour)
{
    size_t number = 0;

    put_header(out, g);
    for (size_t i = 0; i < g->nrows; i++)
        if (!g->rows[i].row->bonus && !g->rows[i].row->extra)
            put_row(out, &g->rows[i], ++number, colour);
    if (g->bonus_max > 0) {
        fputs("  bonus (apart from the 100 points):\n", out);
        for (size_t i = 0; i < g->nrows; i++)
            if (g->rows[i].row->bonus)
                put_row(out, &g->rows[i], ++number, colour);
    }
    if (has_extra(g)) {
        fputs("  extra (beyond the subject, no points):\n", out);
        for (size_t i = 0; i < g->nrows; i++)
            if (g->rows[i].row->extra)
                put_row(out, &g->rows[i], ++number, colour);
    }
    for (size_t i = 0; i < g->forbidden_used.count; i++)
        fprintf(out, "Forbidden function: %s is used by your code (use mmap instead)\n",
                g->forbidden_used.items[i]);
    if (g->penalty)
        fprintf(out, "Penalty for forbidden functions: -%d\n", g->penalty);
    fprintf(out, "Score: %d/%d\n", g->score, g->max_score);
    if (g->bonus_max > 0)
        fprintf(out, "Bonus: %d/%d\n", g->bonus_score, g->bonus_max);
}

static int write_text(FILE *out, struct grade *const *grades, size_t n, int colour)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc('\n', out);
        put_grade(out, grades[i], colour);
    }
    return ferror(out) ? -1 : 0;
}

const struct report_ops report_text = {"text", write_text};
