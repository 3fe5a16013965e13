/*
 * report_html.c - the class report: one HTML page an instructor opens
 * after grading a batch (--format html --output class.html).
 *
 * What the page shows, top to bottom: the class in numbers (submissions,
 * mean and median score, full marks, compile failures, submissions that
 * lost points to a forbidden function); the score distribution, an inline
 * SVG histogram; each row's pass rate; each row's most frequent failure
 * reasons, the reason with its numbers, addresses and scratch folders
 * masked so that one mistake reads the same in every submission, grouped
 * by verdict (KO, CRASH, TIMEOUT, ERROR); the compile failures with their
 * logs; the forbidden functions used; and a table of submissions, each
 * opening (<details>, no script needed) on its rows' reasons, notes, and
 * what its failing tests printed.
 *
 * The page is one file that works offline and for ever: no network, no
 * external script, font or stylesheet. Everything is readable without
 * JavaScript; a small inline script only sorts the table (a click on a
 * column, or #sort=KEY-asc|desc in the address, which the click sets so
 * a sorted view can be shared).
 *
 * Trust: the names are the instructor's, but the messages, notes, compile
 * logs and outputs quote what the submission did and printed, any bytes.
 * They only ever go into element content, never into an attribute, a
 * script or a style, with &, < and > escaped, so no text of theirs can
 * open a tag. Control characters are shown as \xNN (\r, \0 for the NUL
 * that captured output keeps as C0 80, \u0085 for C1) and bytes that are
 * not UTF-8 as U+FFFD, as in the other formats. A Content-Security-Policy
 * allows only this file's own script and stylesheet, by their SHA-256
 * (computed here, so editing them cannot break it): were escaping ever
 * wrong, a script that got in still would not run, and nothing is
 * fetched.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_esc.h"
#include "sha256.h"

/* What the page shows of each string (the JSON report has all of it): a
 * class of 300 must stay a page a browser opens at once. */
#define HTML_REASON_MAX 240   /* a masked reason, in the reasons' summary */
#define HTML_OUTPUT_MAX 2048  /* a failing test's output */
#define HTML_LOG_MAX 8192     /* a compile log */
#define HTML_TOP_REASONS 5    /* reasons listed per row, the others counted */
#define HTML_BINS 11          /* tenths of the score, and full marks */

/* ---- the CSP's hashes ------------------------------------------------------------ */

static unsigned hex_value(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
}

/* The CSP source that allows exactly `text` in a <script> or <style>:
 * 'sha256-' and the base64 of its digest (44 characters). */
static void put_csp_hash(FILE *out, const char *text)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    struct sha256 sha;
    char hex[65];
    uint8_t d[33] = {0};

    sha256_init(&sha);
    sha256_update(&sha, text, strlen(text));
    sha256_hex(&sha, hex);
    for (int i = 0; i < 32; i++)
        d[i] = (uint8_t)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
    fputs("'sha256-", out);
    for (int i = 0; i < 33; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];

        fputc(b64[v >> 18 & 63], out);
        fputc(b64[v >> 12 & 63], out);
        fputc(b64[v >> 6 & 63], out);
        fputc(i + 2 < 32 ? b64[v & 63] : '=', out); /* 32 bytes: the last group has 2 */
    }
    fputc('\'', out);
}

/* ---- the page's own style and script ------------------------------------------ */

static const char page_style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:72em;padding:0 1em;"
    "color:#1d2330}\n"
    "h1{font-size:1.5em;margin:0 0 .6em}h2{font-size:1.15em;margin:1.6em 0 .5em;"
    "border-bottom:1px solid #d5d9e0}h3{font-size:1em;margin:1em 0 .3em}\n"
    ".stats{display:flex;flex-wrap:wrap;gap:.6em;margin:0;padding:0}"
    ".stats div{border:1px solid #d5d9e0;border-radius:6px;padding:.4em .8em;min-width:7em}"
    ".stats dt{font-size:.85em;color:#5a6273}.stats dd{margin:0;font-size:1.35em;font-weight:600}\n"
    "table{border-collapse:collapse;margin:.3em 0}th,td{padding:.25em .6em;text-align:left;"
    "vertical-align:top;border-bottom:1px solid #e6e8ec}th{font-weight:600;background:#f3f4f7}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "pre{white-space:pre-wrap;word-break:break-word;margin:.2em 0;font-size:.9em;background:#f6f7f9;"
    "padding:.3em .5em;border-radius:4px;max-height:24em;overflow:auto}\n"
    ".reason{font-family:ui-monospace,monospace;font-size:.9em}\n"
    ".pass{color:#17803d}.fail,.crash,.timeout,.error{color:#b4232a;font-weight:600}\n"
    ".tag{font-size:.8em;color:#5a6273;border:1px solid #c9ced8;border-radius:3px;padding:0 .3em}\n"
    "th button{font:inherit;border:0;background:none;padding:0;color:inherit}\n"
    ".js th button{cursor:pointer;text-decoration:underline dotted}\n"
    "th[aria-sort=ascending] button::after{content:\" \\25b2\"}"
    "th[aria-sort=descending] button::after{content:\" \\25bc\"}\n"
    "details>summary{cursor:pointer}#subs td:first-child{max-width:46em}\n"
    "svg text{font:11px system-ui,sans-serif;fill:#1d2330}\n"
    ".muted{color:#5a6273}\n";

/* Sorts the submissions' table: each <th> with a data-key sorts on its
 * cells' data-v (numbers) or on the submission's name; ties keep the
 * report's order (data-i). */
static const char page_script[] =
    "(function () {\n"
    "  \"use strict\";\n"
    "  var table = document.getElementById(\"subs\");\n"
    "  if (!table) return;\n"
    "  var heads = table.tHead.rows[0].cells;\n"
    "  function key(row, col, num) {\n"
    "    var cell = row.cells[col];\n"
    "    if (num) return Number(cell.getAttribute(\"data-v\"));\n"
    "    return (cell.querySelector(\"summary\") || cell).textContent;\n"
    "  }\n"
    "  function column(name) {\n"
    "    for (var i = 0; i < heads.length; i++)\n"
    "      if (heads[i].getAttribute(\"data-key\") === name) return i;\n"
    "    return -1;\n"
    "  }\n"
    "  function sort(col, desc) {\n"
    "    var num = heads[col].hasAttribute(\"data-num\");\n"
    "    var body = table.tBodies[0];\n"
    "    var rows = Array.prototype.slice.call(body.rows);\n"
    "    rows.sort(function (a, b) {\n"
    "      var x = key(a, col, num), y = key(b, col, num);\n"
    "      var c = num ? x - y : x.localeCompare(y);\n"
    "      return (desc ? -c : c) || a.getAttribute(\"data-i\") - b.getAttribute(\"data-i\");\n"
    "    });\n"
    "    rows.forEach(function (r) { body.appendChild(r); });\n"
    "    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute(\"aria-sort\");\n"
    "    heads[col].setAttribute(\"aria-sort\", desc ? \"descending\" : \"ascending\");\n"
    "  }\n"
    "  function fromHash() {\n"
    "    var m = /^#sort=([a-z_]+)-(asc|desc)$/.exec(location.hash);\n"
    "    var col = m ? column(m[1]) : -1;\n"
    "    if (col >= 0) sort(col, m[2] === \"desc\");\n"
    "  }\n"
    "  Array.prototype.forEach.call(heads, function (th) {\n"
    "    var button = th.querySelector(\"button\");\n"
    "    if (!button) return;\n"
    "    button.addEventListener(\"click\", function () {\n"
    "      var now = th.getAttribute(\"aria-sort\");\n"
    "      var desc = now ? now === \"ascending\" : th.hasAttribute(\"data-num\");\n"
    "      location.hash = \"sort=\" + th.getAttribute(\"data-key\") + (desc ? \"-desc\" : \"-asc\");\n"
    "    });\n"
    "  });\n"
    "  window.addEventListener(\"hashchange\", fromHash);\n"
    "  document.documentElement.classList.add(\"js\");\n"
    "  fromHash();\n"
    "})();\n";

/* ---- escaping ------------------------------------------------------------------ */

/* One character of a submission's text as it is shown (see the top). */
static void put_char(FILE *out, const char *s, struct rchar c)
{
    if (c.kind == RCHAR_INVALID)
        fputs("\xef\xbf\xbd", out);
    else if (c.kind == RCHAR_NUL)
        fputs("\\0", out);
    else if (c.cp == '&')
        fputs("&amp;", out);
    else if (c.cp == '<')
        fputs("&lt;", out);
    else if (c.cp == '>')
        fputs("&gt;", out);
    else if (c.cp == '\r')
        fputs("\\r", out);
    else if (c.cp != '\n' && c.cp != '\t' && report_is_control(c.cp))
        fprintf(out, c.cp < 0x80 ? "\\x%02x" : "\\u%04x", c.cp);
    else
        fwrite(s, 1, c.len, out);
}

/* `s` as element content, at most `max` bytes of it, then " (cut)". Also
 * for the instructor's strings (names, titles): the same rules, no harm. */
static void put_text(FILE *out, const char *s, size_t max)
{
    size_t shown;

    s = s ? s : "";
    shown = report_cut(s, max);
    for (size_t i = 0; i < shown;) {
        struct rchar c = report_char(s + i, shown - i);

        put_char(out, s + i, c);
        i += c.len;
    }
    if (s[shown])
        fputs(REPORT_CUT_MARK, out);
}

/* An attribute's value, from the config only (row ids): quoted, with
 * everything that could end it escaped all the same. */
static void put_attr(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputs("&quot;", out);
        else if (*s == '&')
            fputs("&amp;", out);
        else if (*s == '<')
            fputs("&lt;", out);
        else if ((unsigned char)*s >= 0x20)
            fputc(*s, out);
    }
    fputc('"', out);
}

/* ---- the class in numbers ------------------------------------------------------- */

/* A reason of a row, masked, and how many submissions failed with it. */
struct reason {
    enum status kind;
    char *text;
    size_t count;
};

struct row_stats {
    const struct row_config *row;
    size_t passed;
    size_t failed_compiled; /* failed, with code that compiled: the reasons' total */
    struct reason *reasons;
    size_t nreasons;
};

struct class_stats {
    size_t n;
    int max_score;
    size_t bins[HTML_BINS];
    size_t full_marks, compile_failed, penalised;
    double mean, median;
    struct row_stats *rows;
    size_t nrows;
    struct strlist forbidden; /* each function once */
    size_t *forbidden_count;
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* One step of mask_reason(): what `s` starts with, masked, into `b`;
 * returns how many bytes of `s` it read. */
static size_t mask_one(struct strbuf *b, const char *s)
{
    static const char scratch[] = "/tmp/mm-test-";
    size_t n = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && is_hex(s[2])) {
        while (is_hex(s[2 + n]))
            n++;
        /* An address (six hex digits or more) or a small constant. */
        sb_append(b, n >= 6 ? "ADDR" : "0xN", n >= 6 ? 4 : 3);
        return 2 + n;
    }
    if (is_digit(s[0])) {
        while (is_digit(s[n]))
            n++;
        sb_append(b, "N", 1);
        return n;
    }
    if (strncmp(s, scratch, sizeof scratch - 1) == 0 && strchr(s + sizeof scratch - 1, '/'))
        return (size_t)(strchr(s + sizeof scratch - 1, '/') + 1 - s);
    if (s[0] == '\n' || s[0] == '\t' || s[0] == '\r' || s[0] == ' ') {
        if (b->len > 0 && b->data[b->len - 1] != ' ')
            sb_append(b, " ", 1);
        return 1;
    }
    sb_append(b, s, 1);
    return 1;
}

/* The kind of mistake a reason names, the same in every submission that
 * made it: numbers become N, addresses ADDR, the test's scratch folder
 * goes, white space is one space; at most HTML_REASON_MAX bytes, cut on a
 * whole character (caller frees). */
static char *mask_reason(const char *s)
{
    struct strbuf b = {0};

    sb_append(&b, "", 0);
    while (*s && (b.len < HTML_REASON_MAX || ((unsigned char)*s & 0xc0) == 0x80))
        s += mask_one(&b, s);
    if (*s)
        sb_append(&b, REPORT_CUT_MARK, strlen(REPORT_CUT_MARK));
    return sb_take(&b);
}

static void add_reason(struct row_stats *rs, enum status kind, const char *message)
{
    char *text = mask_reason(message);

    for (size_t i = 0; i < rs->nreasons; i++) {
        if (rs->reasons[i].kind == kind && strcmp(rs->reasons[i].text, text) == 0) {
            rs->reasons[i].count++;
            free(text);
            return;
        }
    }
    rs->reasons = xrealloc(rs->reasons, (rs->nreasons + 1) * sizeof *rs->reasons);
    rs->reasons[rs->nreasons++] = (struct reason){kind, text, 1};
}

/* Most frequent first; then by verdict and text, so the page is the same
 * for the same grades. */
static int reason_order(const void *a, const void *b)
{
    const struct reason *x = a, *y = b;

    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* The row of `g` that is `row` of the table, or NULL (a batch shares one
 * table, but nothing here relies on it). */
static const struct row_grade *find_row(const struct grade *g, const struct row_config *row,
                                        size_t hint)
{
    if (hint < g->nrows && strcmp(g->rows[hint].row->id, row->id) == 0)
        return &g->rows[hint];
    for (size_t i = 0; i < g->nrows; i++)
        if (strcmp(g->rows[i].row->id, row->id) == 0)
            return &g->rows[i];
    return NULL;
}

static void count_row(struct row_stats *rs, size_t index, struct grade *const *grades, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct row_grade *r = find_row(grades[i], rs->row, index);

        if (r && r->status == ST_PASS) {
            rs->passed++;
        } else if (r && grades[i]->compile_ok) {
            rs->failed_compiled++;
            add_reason(rs, r->status, r->message);
        }
    }
    if (rs->nreasons > 1)
        qsort(rs->reasons, rs->nreasons, sizeof *rs->reasons, reason_order);
}

/* Which bar of the histogram a score is in: tenths of the maximum, and
 * the last bar full marks alone (bar b holds [ceil(b*max/10),
 * ceil((b+1)*max/10)), see bin_bounds). */
static size_t score_bin(int score, int max)
{
    long bin;

    if (max <= 0 || score >= max)
        return HTML_BINS - 1;
    if (score <= 0)
        return 0;
    bin = (long)score * (HTML_BINS - 1) / max;
    return bin < HTML_BINS - 1 ? (size_t)bin : HTML_BINS - 2;
}

static void bin_bounds(size_t b, int max, int *lo, int *hi)
{
    long m = max > 0 ? max : 0;

    if (b == HTML_BINS - 1) {
        *lo = *hi = (int)m;
        return;
    }
    *lo = (int)(((long)b * m + HTML_BINS - 2) / (HTML_BINS - 1));
    *hi = (int)(((long)(b + 1) * m + HTML_BINS - 2) / (HTML_BINS - 1)) - 1;
}

static int int_order(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

static void count_scores(struct class_stats *cs, struct grade *const *grades, size_t n)
{
    int *scores = xcalloc(n ? n : 1, sizeof *scores);
    double sum = 0;

    for (size_t i = 0; i < n; i++) {
        scores[i] = grades[i]->score;
        sum += scores[i];
        cs->bins[score_bin(scores[i], cs->max_score)]++;
        cs->full_marks += scores[i] >= cs->max_score;
        cs->compile_failed += !grades[i]->compile_ok;
        cs->penalised += grades[i]->penalty > 0;
    }
    qsort(scores, n, sizeof *scores, int_order);
    cs->mean = n ? sum / (double)n : 0;
    cs->median = n == 0 ? 0 : n % 2 ? scores[n / 2] : (scores[n / 2 - 1] + scores[n / 2]) / 2.0;
    free(scores);
}

static void count_forbidden(struct class_stats *cs, struct grade *const *grades, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct strlist *used = &grades[i]->forbidden_used;

        for (size_t f = 0; f < used->count; f++) {
            size_t k = 0;

            while (k < cs->forbidden.count && strcmp(cs->forbidden.items[k], used->items[f]) != 0)
                k++;
            if (k == cs->forbidden.count) {
                sl_push(&cs->forbidden, used->items[f]);
                cs->forbidden_count = xrealloc(cs->forbidden_count, (k + 1) * sizeof(size_t));
                cs->forbidden_count[k] = 0;
            }
            cs->forbidden_count[k]++;
        }
    }
}

/* The class's numbers; the table is the first grade's. */
static void class_count(struct class_stats *cs, struct grade *const *grades, size_t n)
{
    const struct grade *first = grades[0];

    cs->n = n;
    cs->max_score = first->max_score;
    count_scores(cs, grades, n);
    count_forbidden(cs, grades, n);
    cs->nrows = first->nrows;
    cs->rows = xcalloc(cs->nrows ? cs->nrows : 1, sizeof *cs->rows);
    for (size_t r = 0; r < cs->nrows; r++) {
        cs->rows[r].row = first->rows[r].row;
        count_row(&cs->rows[r], r, grades, n);
    }
}

static void class_free(struct class_stats *cs)
{
    for (size_t r = 0; r < cs->nrows; r++) {
        for (size_t i = 0; i < cs->rows[r].nreasons; i++)
            free(cs->rows[r].reasons[i].text);
        free(cs->rows[r].reasons);
    }
    free(cs->rows);
    sl_free(&cs->forbidden);
    free(cs->forbidden_count);
}

/* ---- the page: head and class sections ------------------------------------------ */

static const char *const verdict_word[] = {
    [ST_PASS] = "OK", [ST_FAIL] = "KO", [ST_CRASH] = "CRASH",
    [ST_TIMEOUT] = "TIMEOUT", [ST_ERROR] = "ERROR",
};

/* n*100/total rounded, as the test reads it back. */
static size_t percent(size_t part, size_t total)
{
    return total ? (part * 100 + total / 2) / total : 0;
}

static void put_head(FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", out);
    /* Nothing may be fetched or run but what this file holds; the meta
     * comes before the style and script it allows. */
    fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src ",
          out);
    put_csp_hash(out, page_script);
    fputs("; style-src ", out);
    put_csp_hash(out, page_style);
    fputs("; base-uri 'none'; form-action 'none'\">\n", out);
    fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", out);
    fputs("<title>memory_mapper moulinette: class report</title>\n", out);
    fprintf(out, "<style>%s</style>\n</head>\n<body>\n", page_style);
}

static void put_stat(FILE *out, const char *key, const char *label, const char *fmt, double v)
{
    fprintf(out, "<div><dt>%s</dt><dd data-stat=\"%s\">", label, key);
    fprintf(out, fmt, v);
    fputs("</dd></div>\n", out);
}

static void put_summary(FILE *out, const struct class_stats *cs)
{
    fputs("<h1>memory_mapper moulinette: class report</h1>\n<dl class=\"stats\" id=\"summary\">\n",
          out);
    put_stat(out, "submissions", "submissions", "%.0f", (double)cs->n);
    put_stat(out, "max_score", "out of", "%.0f", cs->max_score);
    put_stat(out, "mean", "mean score", "%.1f", cs->mean);
    put_stat(out, "median", "median score", "%.1f", cs->median);
    put_stat(out, "full_marks", "full marks", "%.0f", (double)cs->full_marks);
    put_stat(out, "compile_failed", "did not compile", "%.0f", (double)cs->compile_failed);
    put_stat(out, "penalised", "forbidden function penalty", "%.0f", (double)cs->penalised);
    fputs("</dl>\n", out);
}

/* The histogram: one bar per bin, its count above it, its scores below. */
static void put_histogram(FILE *out, const struct class_stats *cs)
{
    enum { LEFT = 10, BAR = 48, GAP = 10, TOP = 18, HEIGHT = 150, WIDTH = 2 * LEFT + HTML_BINS * (BAR + GAP) };
    size_t most = 1;

    for (size_t b = 0; b < HTML_BINS; b++)
        most = cs->bins[b] > most ? cs->bins[b] : most;
    fputs("<h2>Score distribution</h2>\n", out);
    fprintf(out, "<svg id=\"histogram\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
            "<title>how many submissions scored in each tenth of %d points</title>\n",
            WIDTH, TOP + HEIGHT + 24, WIDTH, TOP + HEIGHT + 24, cs->max_score);
    for (size_t b = 0; b < HTML_BINS; b++) {
        int lo, hi, x = LEFT + (int)b * (BAR + GAP);
        int h = (int)(cs->bins[b] * HEIGHT / most);

        bin_bounds(b, cs->max_score, &lo, &hi);
        fprintf(out, "<g class=\"bin\" data-lo=\"%d\" data-hi=\"%d\"><title>%d", lo, hi, lo);
        if (hi != lo)
            fprintf(out, "-%d", hi);
        fprintf(out, ": %zu</title>\n <rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                "fill=\"hsl(%d,55%%,48%%)\"/>\n", cs->bins[b], x, TOP + HEIGHT - h, BAR, h > 0 ? h : 0,
                (int)(b * 120 / (HTML_BINS - 1)));
        fprintf(out, " <text class=\"count\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%zu</text>\n",
                x + BAR / 2, TOP + HEIGHT - h - 4, cs->bins[b]);
        fprintf(out, " <text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d", x + BAR / 2,
                TOP + HEIGHT + 16, lo);
        if (hi != lo)
            fprintf(out, "-%d", hi);
        fputs("</text></g>\n", out);
    }
    fputs("</svg>\n", out);
}

/* A row's tags: bonus or extra, and who sees it when not everyone does
 * (the page is the instructor's; --for-students grades come already
 * stripped of what students must not see). */
static void put_row_tags(FILE *out, const struct row_config *row)
{
    if (row->bonus || row->extra)
        fprintf(out, " <span class=\"tag\">%s</span>", row->extra ? "extra" : "bonus");
    if (row->visibility != VIS_VISIBLE)
        fprintf(out, " <span class=\"tag\">%s</span>", visibility_name(row->visibility));
}

/* A horizontal bar, `part` of `total` filled. */
static void put_rate_bar(FILE *out, size_t part, size_t total)
{
    enum { W = 160 };
    size_t w = total ? part * W / total : 0;

    fprintf(out, "<svg width=\"%d\" height=\"12\" aria-hidden=\"true\"><rect width=\"%d\" "
            "height=\"12\" fill=\"#e3e6eb\"/><rect width=\"%zu\" height=\"12\" fill=\"#2f9e57\"/></svg>",
            W, W, w);
}

static void put_pass_rates(FILE *out, const struct class_stats *cs)
{
    fputs("<h2>Pass rate per row</h2>\n<table id=\"rates\">\n<thead><tr><th>row</th><th>title</th>"
          "<th class=\"n\">points</th><th class=\"n\">passed</th><th class=\"n\">of</th>"
          "<th class=\"n\">rate</th><th></th></tr></thead>\n<tbody>\n", out);
    for (size_t r = 0; r < cs->nrows; r++) {
        const struct row_stats *rs = &cs->rows[r];

        fputs("<tr data-row=", out);
        put_attr(out, rs->row->id);
        fputs("><td>", out);
        put_text(out, rs->row->id, REPORT_TEXT_MAX);
        put_row_tags(out, rs->row);
        fputs("</td><td>", out);
        put_text(out, rs->row->title, REPORT_TEXT_MAX);
        fprintf(out, "</td><td class=\"n\">%d</td><td class=\"n passed\">%zu</td>"
                "<td class=\"n total\">%zu</td><td class=\"n rate\">%zu%%</td><td>",
                rs->row->points, rs->passed, cs->n, percent(rs->passed, cs->n));
        put_rate_bar(out, rs->passed, cs->n);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

static void put_row_reasons(FILE *out, const struct row_stats *rs)
{
    size_t shown = rs->nreasons;
    size_t rest = rs->failed_compiled;

    if (shown > HTML_TOP_REASONS)
        shown = HTML_TOP_REASONS;

    fputs("<h3>", out);
    put_text(out, rs->row->id, REPORT_TEXT_MAX);
    put_row_tags(out, rs->row);
    fprintf(out, " <span class=\"muted\">%zu failed</span></h3>\n<table class=\"reasons\" data-row=",
            rs->failed_compiled);
    put_attr(out, rs->row->id);
    fputs(">\n", out);
    for (size_t i = 0; i < shown; i++) {
        const struct reason *re = &rs->reasons[i];

        rest -= re->count;
        fprintf(out, "<tr><td class=\"n count\">%zu</td><td class=\"%s\">%s</td><td class=\"reason\">",
                re->count, status_name(re->kind), verdict_word[re->kind]);
        put_text(out, re->text, (size_t)-1);
        fputs("</td></tr>\n", out);
    }
    if (rest > 0)
        fprintf(out, "<tr class=\"others\"><td class=\"n count\">%zu</td><td></td><td class=\"muted\">"
                "%zu other reasons</td></tr>\n", rest, rs->nreasons - shown);
    fputs("</table>\n", out);
}

static void put_reasons(FILE *out, const struct class_stats *cs)
{
    size_t any = 0;

    fputs("<h2>Most frequent failure reasons</h2>\n<p class=\"muted\">Per row, the reasons of the "
          "submissions that compiled and failed it, numbers (N) and addresses (ADDR) masked, "
          "most frequent first.</p>\n", out);
    for (size_t r = 0; r < cs->nrows; r++) {
        if (cs->rows[r].failed_compiled > 0) {
            put_row_reasons(out, &cs->rows[r]);
            any++;
        }
    }
    if (any == 0)
        fputs("<p>No row failed.</p>\n", out);
}

static void put_compile_failures(FILE *out, const struct class_stats *cs, struct grade *const *grades)
{
    fprintf(out, "<h2>Compile failures: <span id=\"compile-failures\">%zu</span></h2>\n",
            cs->compile_failed);
    if (cs->compile_failed == 0)
        return;
    fputs("<ul id=\"compile-list\">\n", out);
    for (size_t i = 0; i < cs->n; i++) {
        if (grades[i]->compile_ok)
            continue;
        fputs("<li><details><summary>", out);
        put_text(out, grades[i]->submission, REPORT_TEXT_MAX);
        fputs("</summary><pre>", out);
        put_text(out, grades[i]->compile_log, HTML_LOG_MAX);
        fputs("</pre></details></li>\n", out);
    }
    fputs("</ul>\n", out);
}

static void put_penalties(FILE *out, const struct class_stats *cs)
{
    fprintf(out, "<h2>Forbidden functions: <span id=\"penalised\">%zu</span> submissions penalised</h2>\n",
            cs->penalised);
    if (cs->forbidden.count == 0)
        return;
    fputs("<table id=\"forbidden\">\n<thead><tr><th>function</th><th class=\"n\">submissions</th>"
          "</tr></thead>\n<tbody>\n", out);
    for (size_t k = 0; k < cs->forbidden.count; k++) {
        fputs("<tr><td>", out);
        put_text(out, cs->forbidden.items[k], REPORT_TEXT_MAX);
        fprintf(out, "</td><td class=\"n\">%zu</td></tr>\n", cs->forbidden_count[k]);
    }
    fputs("</tbody>\n</table>\n", out);
}

/* ---- the page: one submission ----------------------------------------------------- */

static void put_notes(FILE *out, const struct strlist *notes)
{
    char *more = report_more_notes(notes);

    for (size_t i = 0; i < notes->count && i < REPORT_MAX_NOTES; i++) {
        fputs("<div class=\"note\">note: ", out);
        put_text(out, notes->items[i], REPORT_TEXT_MAX);
        fputs("</div>\n", out);
    }
    if (more)
        fprintf(out, "<div class=\"note\">%s</div>\n", more);
    free(more);
}

/* A test that did not pass: its verdict, its reason unless the row's
 * already quotes it (the row's first failing test), what it printed. */
static void put_test(FILE *out, const struct row_grade *r, size_t t, int quoted)
{
    const struct test_outcome *o = &r->tests[t];
    const struct test_outcome *same = report_same_output(r, t);

    fprintf(out, "<li><span class=\"%s\">%s</span> ", status_name(o->status), verdict_word[o->status]);
    put_text(out, o->test, REPORT_TEXT_MAX);
    if (config_test_visibility(r->row, o->test) == VIS_HIDDEN)
        fputs(" <span class=\"tag\">hidden test</span>", out);
    if (!quoted) {
        fputs("<div class=\"reason\">", out);
        put_text(out, o->message, REPORT_TEXT_MAX);
        fputs("</div>", out);
    }
    if (same) {
        fputs("<div class=\"muted\">output: same as ", out);
        put_text(out, same->test, REPORT_TEXT_MAX);
        fputs("</div>", out);
    } else if (o->output && *o->output) {
        fputs("<pre class=\"output\">", out);
        put_text(out, o->output, HTML_OUTPUT_MAX);
        fputs(o->output_cut ? "\n(output cut)</pre>" : "</pre>", out);
    }
    fputs("</li>\n", out);
}

static void put_failed_tests(FILE *out, const struct row_grade *r)
{
    int quoted = 0;

    fputs("<ul>\n", out);
    for (size_t t = 0; t < r->ntests; t++) {
        if (r->tests[t].status == ST_PASS)
            continue;
        put_test(out, r, t, !quoted);
        quoted = 1;
    }
    fputs("</ul>\n", out);
}

static void put_row_detail(FILE *out, const struct grade *g, const struct row_grade *r)
{
    fprintf(out, "<tr><td>%s</td><td>", r->status == ST_PASS ? "" : "&#x2717;");
    put_text(out, r->row->id, REPORT_TEXT_MAX);
    put_row_tags(out, r->row);
    fprintf(out, "</td><td class=\"n\">%d/%d</td><td class=\"%s\">%s</td><td>",
            r->points, r->row->points, status_name(r->status), verdict_word[r->status]);
    if (r->status != ST_PASS) {
        fputs("<div class=\"reason\">", out);
        put_text(out, report_not_run(g) ? report_not_run(g) : r->message, REPORT_TEXT_MAX);
        fputs("</div>\n", out);
    }
    put_notes(out, &r->notes);
    if (r->status != ST_PASS && g->compile_ok)
        put_failed_tests(out, r);
    fputs("</td></tr>\n", out);
}

static void put_grade_notes(FILE *out, const struct grade *g)
{
    if (g->forbidden_used.count > 0) {
        fputs("<div class=\"fail\">forbidden functions:", out);
        for (size_t f = 0; f < g->forbidden_used.count; f++) {
            fputc(' ', out);
            put_text(out, g->forbidden_used.items[f], REPORT_TEXT_MAX);
        }
        fprintf(out, " (penalty %d)</div>\n", g->penalty);
    }
    put_notes(out, &g->notes);
    if (!g->compile_ok) {
        fputs("<div class=\"fail\">did not compile:</div><pre>", out);
        put_text(out, g->compile_log, HTML_LOG_MAX);
        fputs("</pre>\n", out);
    }
}

static size_t rows_passed(const struct grade *g)
{
    size_t k = 0;

    for (size_t i = 0; i < g->nrows; i++)
        k += g->rows[i].status == ST_PASS;
    return k;
}

/* The rows that passed with nothing to say, on one line: the page is
 * about what went wrong. */
static void put_rows_passed(FILE *out, const struct grade *g)
{
    size_t k = 0;

    for (size_t r = 0; r < g->nrows; r++) {
        if (g->rows[r].status != ST_PASS || g->rows[r].notes.count > 0)
            continue;
        fputs(k++ == 0 ? "<div class=\"pass\">passed: " : ", ", out);
        put_text(out, g->rows[r].row->id, REPORT_TEXT_MAX);
    }
    if (k > 0)
        fputs("</div>\n", out);
}

static void put_submission(FILE *out, const struct grade *g, size_t i)
{
    size_t passed = rows_passed(g);

    fprintf(out, "<tr class=\"sub\" data-i=\"%zu\"><td><details><summary>", i);
    put_text(out, g->submission, REPORT_TEXT_MAX);
    fputs("</summary>\n", out);
    put_grade_notes(out, g);
    put_rows_passed(out, g);
    fputs("<table class=\"rows\">\n", out);
    for (size_t r = 0; r < g->nrows; r++)
        if (g->rows[r].status != ST_PASS || g->rows[r].notes.count > 0)
            put_row_detail(out, g, &g->rows[r]);
    fputs("</table></details></td>\n", out);
    fprintf(out, "<td class=\"n score\" data-v=\"%d\">%d</td><td class=\"n bonus\" data-v=\"%d\">%d</td>"
            "<td class=\"n penalty\" data-v=\"%d\">%d</td><td class=\"compile\" data-v=\"%d\">%s</td>"
            "<td class=\"n passed\" data-v=\"%zu\">%zu/%zu</td></tr>\n",
            g->score, g->score, g->bonus_score, g->bonus_score, g->penalty, g->penalty, g->compile_ok,
            g->compile_ok ? "ok" : "failed", passed, passed, g->nrows);
}

static void put_submissions(FILE *out, const struct class_stats *cs, struct grade *const *grades)
{
    fprintf(out, "<h2>Submissions</h2>\n<p class=\"muted\">Open a name for its rows' reasons and "
            "what its failing tests printed (at most %d bytes each; the JSON report has all of it). "
            "Scores out of %d, bonus out of %d.</p>\n", HTML_OUTPUT_MAX, cs->max_score,
            grades[0]->bonus_max);
    fputs("<table id=\"subs\">\n<thead><tr><th data-key=\"name\"><button type=\"button\">submission"
          "</button></th><th class=\"n\" data-key=\"score\" data-num><button type=\"button\">score"
          "</button></th><th class=\"n\" data-key=\"bonus\" data-num><button type=\"button\">bonus"
          "</button></th><th class=\"n\" data-key=\"penalty\" data-num><button type=\"button\">penalty"
          "</button></th><th data-key=\"compile\" data-num><button type=\"button\">compile</button>"
          "</th><th class=\"n\" data-key=\"rows\" data-num><button type=\"button\">rows passed</button>"
          "</th></tr></thead>\n<tbody>\n", out);
    for (size_t i = 0; i < cs->n; i++)
        put_submission(out, grades[i], i);
    fputs("</tbody>\n</table>\n", out);
}

/* How the class was graded (provenance.h), from its first submission: the
 * same for the whole batch; each submission's own files' hash is in the
 * JSON report. */
static void put_provenance_item(void *ctx, const char *key, const char *value)
{
    if (strcmp(key, "submission_sha256") == 0)
        return;
    fputs(" <span>", ctx);
    put_text(ctx, key, 64);
    fputs(": ", ctx);
    put_text(ctx, value, 256);
    fputs(";</span>", ctx);
}

static void put_provenance_footer(FILE *out, const struct grade *g)
{
    fputs("<div class=\"muted\" id=\"provenance\">Graded with", out);
    report_provenance(g, put_provenance_item, out);
    fputs("</div>\n", out);
}

static int write_html(FILE *out, struct grade *const *grades, size_t n, int colour)
{
    struct class_stats cs = {0};

    (void)colour;
    put_head(out);
    if (n == 0) {
        fputs("<h1>memory_mapper moulinette: class report</h1>\n<p>No submission.</p>\n", out);
    } else {
        class_count(&cs, grades, n);
        put_summary(out, &cs);
        put_histogram(out, &cs);
        put_pass_rates(out, &cs);
        put_reasons(out, &cs);
        put_compile_failures(out, &cs, grades);
        put_penalties(out, &cs);
        put_submissions(out, &cs, grades);
        class_free(&cs);
        put_provenance_footer(out, grades[0]);
    }
    fprintf(out, "<script>%s</script>\n</body>\n</html>\n", page_script);
    return ferror(out) ? -1 : 0;
}

const struct report_ops report_html = {"html", write_html};
