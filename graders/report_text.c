/*
 * report_text.c - the table a student reads in a terminal: one line per
 * row with its verdict; under a row that lost points, its reason on
 * indented lines wrapped at the terminal's width, then the command that
 * grades that test alone; under a row that kept them, its first note
 * (the JSON report has them all). With --verbose, every test: verdict,
 * time, last step and what it printed.
 *
 * A reason is shown as a student can act on it: addresses and the test's
 * scratch folder are masked (the JSON report keeps them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "report.h"

static int g_verbose;
static const char *g_program = "moulinette";

void report_text_verbose(int verbose)
{
    g_verbose = verbose;
}

void report_text_program(const char *program)
{
    g_program = program;
}

/* Columns: the terminal's when `out` is one, else $COLUMNS, else 100;
 * never fewer than 40. */
static size_t text_width(FILE *out)
{
    struct winsize ws;
    const char *env = getenv("COLUMNS");
    long cols = 100;

    if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        cols = ws.ws_col;
    else if (env && atol(env) > 0)
        cols = atol(env);
    return cols < 40 ? 40 : (size_t)cols;
}

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

/* The length of a run of hex digits at `s`. */
static size_t hex_run(const char *s)
{
    size_t n = 0;

    while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f') || (s[n] >= 'A' && s[n] <= 'F'))
        n++;
    return n;
}

/* `s` without what means nothing to a student: an address (0x and 8 hex
 * digits or more) becomes "<address>", the test's scratch folder
 * ("/tmp/mm-test-XXXXXX/") goes (the file's own name stays), and /proc's
 * " (deleted)" says what it means. */
static char *humanize(const char *s)
{
    static const char scratch[] = "/tmp/mm-test-";
    static const char deleted[] = " (deleted)";
    struct strbuf b = {0};

    sb_printf(&b, "%s", "");
    while (*s) {
        size_t hex = s[0] == '0' && s[1] == 'x' ? hex_run(s + 2) : 0;

        if (hex >= 8) {
            sb_printf(&b, "<address>");
            s += 2 + hex;
        } else if (strncmp(s, deleted, sizeof deleted - 1) == 0) {
            sb_printf(&b, " (its name was removed)");
            s += sizeof deleted - 1;
        } else if (strncmp(s, scratch, sizeof scratch - 1) == 0 && strchr(s + sizeof scratch - 1, '/')) {
            s = strchr(s + sizeof scratch - 1, '/') + 1;
        } else {
            sb_printf(&b, "%c", *s++);
        }
    }
    return b.data;
}

/* `s` as put_line shows it, into a string. */
static char *shown_line(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);

    if (!mem)
        return xstrdup("");
    put_line(mem, s);
    fclose(mem);
    return buf;
}

/* Writes `s` (humanized, on lines of at most `width` columns, each
 * starting with `indent`), breaking between words; a word longer than a
 * line is cut. */
static void put_wrapped(FILE *out, const char *s, const char *indent, size_t width)
{
    char *human = humanize(s);
    char *text = shown_line(human);
    size_t room = width > strlen(indent) + 20 ? width - strlen(indent) : 20;
    const char *p = text;

    while (*p) {
        size_t cols = 0, cut = 0, i = 0;

        while (*p == ' ')
            p++;
        if (!*p)
            break;
        /* Columns are characters: a UTF-8 continuation byte takes none. */
        for (i = 0; p[i] && cols <= room; i++) {
            if (((unsigned char)p[i] & 0xc0) != 0x80)
                cols++;
            if (cols > room)
                break;
            if (p[i] == ' ')
                cut = i;
        }
        if (!p[i] || cut == 0)
            cut = i;
        while (cut > 0 && ((unsigned char)p[cut] & 0xc0) == 0x80)
            cut--;
        fprintf(out, "%s%.*s\n", indent, (int)cut, p);
        p += cut;
    }
    free(text);
    free(human);
}

/* Indented block. */
static void put_block(FILE *out, const char *s, size_t max)
{
    fputs("    ", out);
    put_text(out, s, max, "\n    ");
    fputc('\n', out);
}

#define REASON_INDENT "       "
#define DETAIL_INDENT "             "

/* Under a row that kept its points: its first note, and how many more
 * there are. */
static void put_notes(FILE *out, const struct strlist *notes, size_t width)
{
    char *line = notes->count > 1
                     ? xasprintf("note: %s (+%zu more note%s in the JSON report)", notes->items[0],
                                 notes->count - 1, notes->count > 2 ? "s" : "")
                     : xasprintf("note: %s", notes->items[0]);

    put_wrapped(out, line, REASON_INDENT, width);
    free(line);
}

/* The first test of the row that did not pass, which its reason names. */
static const struct test_outcome *failing_test(const struct row_grade *r)
{
    for (size_t t = 0; t < r->ntests; t++)
        if (r->tests[t].status != ST_PASS)
            return &r->tests[t];
    return NULL;
}

/* The command that grades that one test again, alone, with every detail. */
static void put_rerun(FILE *out, const struct grade *g, const struct test_outcome *t, size_t width)
{
    char *cmd = xasprintf("rerun it alone: %s --test %s --verbose %s", g_program, t->test, g->submission);

    put_wrapped(out, cmd, REASON_INDENT, width);
    free(cmd);
}

/* --verbose: one test's verdict, time, last step and output. */
static void put_test(FILE *out, const struct test_outcome *t, int colour, size_t width)
{
    fprintf(out, REASON_INDENT "%s%-7s%s %s (%.3f s)\n", colour ? verdict_colour[t->status] : "",
            verdict_word[t->status], colour ? "\033[0m" : "", t->test, t->wall);
    if (t->status != ST_PASS && t->message && *t->message)
        put_wrapped(out, t->message, DETAIL_INDENT, width);
    if (t->step && *t->step) {
        char *step = xasprintf("last step: %s", t->step);

        put_wrapped(out, step, DETAIL_INDENT, width);
        free(step);
    }
    if (t->note && *t->note) {
        char *note = xasprintf("note: %s", t->note);

        put_wrapped(out, note, DETAIL_INDENT, width);
        free(note);
    }
    if (t->output && *t->output) {
        fprintf(out, DETAIL_INDENT "it printed%s:\n", t->output_cut ? " (cut)" : "");
        fputs(DETAIL_INDENT "| ", out);
        put_text(out, t->output, REPORT_TEXT_MAX, "\n" DETAIL_INDENT "| ");
        fputc('\n', out);
    }
}

static void put_row(FILE *out, const struct grade *g, const struct row_grade *r, size_t number,
                    int colour)
{
    size_t width = text_width(out);
    const struct test_outcome *failed = failing_test(r);

    fprintf(out, "%3zu  %-18s %-11s %3d/%-3d  %s%s%s\n", number, r->row->id, r->row->category,
            r->points, r->row->points, colour ? verdict_colour[r->status] : "",
            verdict_word[r->status], colour ? "\033[0m" : "");
    if (r->status != ST_PASS && g->compile_ok) {
        put_wrapped(out, r->message, REASON_INDENT, width);
        /* A published report does not name a hidden test. */
        if (failed && !g_verbose
            && !(g->for_students && config_test_visibility(r->row, failed->test) == VIS_HIDDEN))
            put_rerun(out, g, failed, width);
    } else if (r->notes.count > 0 && !g_verbose) {
        put_notes(out, &r->notes, width);
    }
    for (size_t t = 0; g_verbose && g->compile_ok && t < r->ntests; t++)
        put_test(out, &r->tests[t], colour, width);
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
        fputs("  No row was graded: every row scores 0 until the code compiles.\n", out);
    }
    fprintf(out, "%3s  %-18s %-11s %7s  %s\n", "#", "row", "category", "points", "verdict");
}

/* Whether any row is an extra (beyond the subject, no points). */
static int has_extra(const struct grade *g)
{
    for (size_t i = 0; i < g->nrows; i++)
        if (g->rows[i].row->extra)
            return 1;
    return 0;
}

/* --verbose: how it was graded (provenance.h), on one line. */
static void put_provenance_pair(void *ctx, const char *key, const char *value)
{
    fprintf(ctx, " %s=", key);
    put_line(ctx, value);
    fputc(';', ctx);
}

/* In a student kit: what this grader cannot grade. */
static void put_kit_line(FILE *out, const struct grade *g)
{
    if (g->kit_hidden_points > 0)
        fprintf(out, "%d points graded here; %d more are graded by your instructor.\n", g->max_score,
                g->kit_hidden_points);
    if (g->kit_hidden_tests > 0)
        fprintf(out, "Your instructor also runs %d test%s that this kit does not have: a row OK "
                "here can still lose its points there.\n",
                g->kit_hidden_tests, g->kit_hidden_tests > 1 ? "s" : "");
}

static void put_grade(FILE *out, const struct grade *g, int colour)
{
    size_t number = 0;

    put_header(out, g);
    for (size_t i = 0; i < g->nrows; i++)
        if (!g->rows[i].row->bonus && !g->rows[i].row->extra)
            put_row(out, g, &g->rows[i], ++number, colour);
    if (g->bonus_max > 0) {
        fputs("  bonus (apart from the 100 points):\n", out);
        for (size_t i = 0; i < g->nrows; i++)
            if (g->rows[i].row->bonus)
                put_row(out, g, &g->rows[i], ++number, colour);
    }
    if (has_extra(g)) {
        fputs("  extra (beyond the subject, no points):\n", out);
        for (size_t i = 0; i < g->nrows; i++)
            if (g->rows[i].row->extra)
                put_row(out, g, &g->rows[i], ++number, colour);
    }
    for (size_t i = 0; i < g->forbidden_used.count; i++)
        fprintf(out, "Forbidden function: %s is used by your code (use mmap instead)\n",
                g->forbidden_used.items[i]);
    if (g->penalty)
        fprintf(out, "Penalty for forbidden functions: -%d\n", g->penalty);
    fprintf(out, "Score: %d/%d", g->score, g->max_score);
    if (g->partial)
        fprintf(out, " (partial: only the rows or tests asked for; the whole table is worth %d)",
                g->full_max_score);
    fputc('\n', out);
    if (g->bonus_max > 0)
        fprintf(out, "Bonus: %d/%d\n", g->bonus_score, g->bonus_max);
    put_kit_line(out, g);
    if (g_verbose) {
        fputs("graded with:", out);
        report_provenance(g, put_provenance_pair, out);
        fputc('\n', out);
    }
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
