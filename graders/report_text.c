/*
 * report_text.c - the table a student reads in a terminal: one line per
 * row with its verdict and, when it lost points, the one-line reason.
 */
#include <stdio.h>
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

/* Prints `s` on one line: newlines and tabs become spaces, other control
 * bytes (a terminal escape sequence from the student's output) '?'. */
static void put_line(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '\n' || c == '\t')
            fputc(' ', out);
        else if (c < 0x20 || c == 0x7f)
            fputc('?', out);
        else
            fputc(c, out);
    }
}

/* Indented block, control bytes neutralised the same way. */
static void put_block(FILE *out, const char *s)
{
    fputs("    ", out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '\n')
            fputs(s[1] ? "\n    " : "", out);
        else if ((c < 0x20 && c != '\t') || c == 0x7f)
            fputc('?', out);
        else
            fputc(c, out);
    }
    fputc('\n', out);
}

static void put_row(FILE *out, const struct row_grade *r, size_t number, int colour)
{
    fprintf(out, "%3zu  %-18s %-11s %3d/%-3d  %s%s%s", number, r->row->id, r->row->category,
            r->points, r->row->points, colour ? verdict_colour[r->status] : "",
            verdict_word[r->status], colour ? "\033[0m" : "");
    if (r->status != ST_PASS) {
        fprintf(out, "%*s", 9 - (int)strlen(verdict_word[r->status]), "");
        put_line(out, r->message);
    }
    fputc('\n', out);
}

static void put_header(FILE *out, const struct grade *g)
{
    fprintf(out, "memory_mapper moulinette: %s\n", g->submission);
    for (size_t i = 0; i < g->notes.count; i++) {
        fputs("  note:\n", out);
        put_block(out, g->notes.items[i]);
    }
    if (!g->compile_ok) {
        fputs("  compilation failed:\n", out);
        put_block(out, g->compile_log);
    }
    fprintf(out, "%3s  %-18s %-11s %7s  %-7s  %s\n", "#", "row", "category", "points", "verdict",
            "reason");
}

static void put_grade(FILE *out, const struct grade *g, int colour)
{
    size_t number = 0;

    put_header(out, g);
    for (size_t i = 0; i < g->nrows; i++)
        if (!g->rows[i].row->bonus)
            put_row(out, &g->rows[i], ++number, colour);
    if (g->bonus_max > 0) {
        fputs("  bonus (apart from the 100 points):\n", out);
        for (size_t i = 0; i < g->nrows; i++)
            if (g->rows[i].row->bonus)
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
