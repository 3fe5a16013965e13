/*
 * fuzz_report.c - any bytes as what a submission makes a grade hold (its
 * tests' output, the messages and notes quoting what it did, the compile
 * log, the grade's notes), through every report format.
 *
 * The grade is the real table's (config.yaml), its tests' outcomes made
 * from the input, then scored by score_grade() as the grader does. Input:
 *
 *   byte 0   bits 0-2: the tests' verdicts (7: all pass, so rows show their
 *            notes); 3: output cut; 4: colour; 5: two submissions (JSON
 *            array); 6: compilation failed; 7: strings repeated past the
 *            reports' caps
 *   byte 1   how many notes the grade has (modulo 40: past the 32 shown)
 *   byte 2   the tests' wall time, in 1/7 s
 *   then     up to six fields separated by 0x1e (ASCII RS): the output of
 *            the first row's tests (one job's), the tests' message, their
 *            note, the compile log, the grade's notes, and one whose length
 *            picks a forbidden function of the table to be reported used
 *            (when not empty); a missing field is empty. NUL bytes become
 *            C0 80, as the sandbox keeps them. (The submission's name and
 *            the rows' titles are the instructor's, from the command line
 *            and config.yaml.)
 *
 * Promises checked (report.h, json.h, README "Output and reports"):
 *   - every format writes its report and returns 0;
 *   - the JSON report is one valid JSON text (RFC 8259, well-formed UTF-8,
 *     no lone surrogate) whatever the bytes, and the first test's output
 *     reads back as the bytes it held: every well-formed UTF-8 character
 *     as it is, the NUL (C0 80) as U+0000, each other byte as one U+FFFD;
 *     all of it, or a start of it that ends on a whole character followed
 *     by " (cut)" (the report caps an output once escaped);
 *   - the text report, without colour, is text a terminal only shows:
 *     well-formed UTF-8, no control character but newline and tab, no C1;
 *   - the junit and tap reports are such text too (XML 1.0 cannot hold
 *     most control characters; YAML must escape them), and the junit
 *     report holds neither U+FFFE nor U+FFFF (not XML characters);
 *   - the gradescope report is valid JSON, the csv report well-formed UTF-8;
 *   - the html report is such text too, and every raw '<' in it opens or
 *     closes one of the page's own tags (the submission's text is always
 *     escaped): a known tag name, attributes that are neither an event
 *     handler (on...) nor style, src or href, quoted values without '<',
 *     exactly one <script> (the page's own);
 *   - both stay within the caps: at most 6 bytes written per byte shown
 *     (the longest escape, \u0080 for two bytes, \xNN for one), each
 *     message and note at most REPORT_TEXT_MAX bytes shown, the log
 *     REPORT_LOG_MAX, REPORT_MAX_NOTES notes (and, in the JSON report,
 *     each "message", "note", "notes" item and "log" read back within its
 *     cap plus " (cut)").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../graders/config.h"
#include "../graders/report.h"
#include "../graders/score.h"
#include "fuzz.h"

enum { NFIELDS = 6, SEPARATOR = 0x1e };
enum { F_OUTPUT, F_MESSAGE, F_NOTE, F_LOG, F_GRADE_NOTE, F_FORBIDDEN };

struct input {
    unsigned verdicts;
    int output_cut;
    int colour;
    int two;
    int compile_failed;
    int long_strings;
    unsigned notes;
    double wall;
    char *field[NFIELDS];
};

static const struct config *table(void)
{
    static struct config *cfg;

    if (!cfg) {
        cfg = config_load(MM_SOURCE_DIR "/config.yaml");
        if (!cfg)
            fz_fail(__FILE__, __LINE__, "cannot load %s/config.yaml", MM_SOURCE_DIR);
    }
    return cfg;
}

static void split(const uint8_t *data, size_t size, struct input *in)
{
    uint8_t head[3] = {0};
    size_t k = 0;

    for (; k < 3 && k < size; k++)
        head[k] = data[k];
    data += k;
    size -= k;
    in->verdicts = head[0] & 7;
    in->output_cut = head[0] >> 3 & 1;
    in->colour = head[0] >> 4 & 1;
    in->two = head[0] >> 5 & 1;
    in->compile_failed = head[0] >> 6 & 1;
    in->long_strings = head[0] >> 7 & 1;
    in->notes = head[1] % 40u;
    in->wall = head[2] / 7.0;
    for (int f = 0; f < NFIELDS; f++) {
        const uint8_t *sep = size ? memchr(data, SEPARATOR, size) : NULL;
        size_t len = sep ? (size_t)(sep - data) : size;

        in->field[f] = fz_cstring(data, len);
        data += len + (sep != NULL);
        size -= len + (sep != NULL);
    }
}

/* A field as the grade holds it: repeated past `cap` when asked. */
static char *field(const struct input *in, int f, size_t cap)
{
    return fz_repeat(in->field[f], in->long_strings ? cap : 0);
}

/* The same for the k-th test: only the first tests' strings are made
 * long (a cap holds per string; fifty long ones would only be slower). */
static char *test_field(const struct input *in, int f, size_t k)
{
    return k < 3 ? field(in, f, REPORT_TEXT_MAX) : xstrdup(in->field[f]);
}

static enum status verdict(const struct input *in, size_t k)
{
    if (in->verdicts == 7)
        return ST_PASS;
    return (enum status)((k * 7 + in->verdicts) % 5);
}

static void fill_tests(struct grade *g, const struct input *in)
{
    size_t k = 0;

    for (size_t i = 0; i < g->nrows; i++) {
        for (size_t t = 0; t < g->rows[i].ntests; t++, k++) {
            struct test_outcome *o = &g->rows[i].tests[t];

            o->status = verdict(in, k);
            free(o->message);
            o->message = o->status == ST_PASS ? xstrdup("") : test_field(in, F_MESSAGE, k);
            free(o->note);
            o->note = k % 3 == 0 ? test_field(in, F_NOTE, k) : xstrdup("");
            o->wall = in->wall;
            /* The tests of the first row share their job's output, as in a
             * real row (the JSON report then writes it once). */
            if (i == 0) {
                /* Captured output is capped when read (limits.output_kb). */
                char *out = field(in, F_OUTPUT, 65536);

                free(o->output);
                o->output = xstrndup(out, report_cut(out, 65536));
                o->output_cut = in->output_cut || strlen(out) > 65536;
                free(out);
            }
        }
    }
}

static struct grade *make_grade(const struct input *in)
{
    const struct config *cfg = table();
    struct grade *g = grade_new(cfg, "student");

    g->compile_ok = !in->compile_failed;
    free(g->compile_log);
    g->compile_log = field(in, F_LOG, REPORT_LOG_MAX);
    for (unsigned i = 0; i < in->notes; i++) {
        char *note = field(in, F_GRADE_NOTE, i == 0 ? REPORT_TEXT_MAX : 0);

        sl_push(&g->notes, note);
        free(note);
    }
    /* The names come from the table (build.c), not from the submission. */
    if (in->field[F_FORBIDDEN][0] && cfg->forbidden.count > 0)
        sl_push(&g->forbidden_used,
                cfg->forbidden.items[strlen(in->field[F_FORBIDDEN]) % cfg->forbidden.count]);
    if (g->compile_ok)
        fill_tests(g, in);
    score_grade(g, cfg->forbidden_penalty);
    return g;
}

/* ---- the caps ------------------------------------------------------------------ */

enum { WORST_ESCAPE = 6, PER_STRING = 256 };

static size_t shown(const char *s, size_t cap)
{
    size_t len = s ? strlen(s) : 0;

    return WORST_ESCAPE * (len < cap ? len : cap) + PER_STRING;
}

static size_t shown_notes(const struct strlist *notes)
{
    size_t sum = PER_STRING;

    for (size_t i = 0; i < notes->count && i < REPORT_MAX_NOTES; i++)
        sum += shown(notes->items[i], REPORT_TEXT_MAX);
    return sum;
}

/* The most a report of `g` may take, by the caps of report.h (the output,
 * capped when captured, is shown whole). */
static size_t bound(const struct grade *g)
{
    size_t sum = 4096 + shown(g->submission, (size_t)-1) + shown(g->compile_log, REPORT_LOG_MAX)
                 + shown_notes(&g->notes);

    for (size_t i = 0; i < g->forbidden_used.count; i++)
        sum += shown(g->forbidden_used.items[i], (size_t)-1);
    for (size_t i = 0; i < g->nrows; i++) {
        const struct row_grade *r = &g->rows[i];

        sum += PER_STRING * 4 + shown(r->message, REPORT_TEXT_MAX) + shown_notes(&r->notes);
        for (size_t t = 0; t < r->ntests; t++)
            sum += PER_STRING * 2 + shown(r->tests[t].message, REPORT_TEXT_MAX)
                   + shown(r->tests[t].note, REPORT_TEXT_MAX)
                   + shown(r->tests[t].output, (size_t)-1);
    }
    return sum;
}

/* ---- the oracles --------------------------------------------------------------- */

/* How many bytes at the start of `u` are well-formed UTF-8. */
static size_t well_formed(const unsigned char *u, size_t n)
{
    size_t i = 0;
    size_t len = fz_utf8_len(u, n);

    while (len > 0) {
        i += len;
        len = fz_utf8_len(u + i, n - i);
    }
    return i;
}

/* The first test's output as the JSON report must give it back. */
static void expected_output(const char *s, struct strbuf *want)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);

    sb_append(want, "", 0);
    for (size_t i = 0; i < n;) {
        size_t run = well_formed(u + i, n - i);

        sb_append(want, s + i, run);
        i += run;
        if (i == n)
            break;
        if (n - i >= 2 && u[i] == 0xc0 && u[i + 1] == 0x80) {
            sb_append(want, s + i, 2); /* read back from \u0000 as C0 80 too */
            i += 2;
        } else {
            sb_append(want, "\xef\xbf\xbd", 3);
            i++;
        }
    }
}

/* What the JSON report's strings must be: the first output as the grade
 * held it, each message, note and log within its cap. */
struct json_seen {
    struct strbuf want_output;
    size_t outputs;
    size_t notes;
};

/* The first output as read back: the whole of it, or (when the report
 * caps it) a part that ends on a whole character of it, then " (cut)". */
static void check_output(const char *value, size_t len, const struct strbuf *want)
{
    size_t mark = strlen(REPORT_CUT_MARK);
    size_t kept = len;
    unsigned char next;

    if (len == want->len && (len == 0 || memcmp(value, want->data, len) == 0))
        return;
    FZ_CHECK(len >= mark && memcmp(value + len - mark, REPORT_CUT_MARK, mark) == 0,
             "JSON report: the first output reads back as %zu bytes, not the %zu expected, "
             "and without \"%s\"", len, want->len, REPORT_CUT_MARK);
    kept = len - mark;
    FZ_CHECK(kept < want->len && (kept == 0 || memcmp(value, want->data, kept) == 0),
             "JSON report: the first output, cut, is not the start of the output (%zu of %zu bytes)",
             kept, want->len);
    next = (unsigned char)want->data[kept];
    FZ_CHECK(next < 0x80 || next > 0xbf,
             "JSON report: the first output is cut inside a character (byte %zu of %zu)", kept,
             want->len);
}

static void see_string(void *ctx, const char *key, const char *value, size_t len)
{
    struct json_seen *seen = ctx;
    size_t cap = strcmp(key, "log") == 0 ? REPORT_LOG_MAX : REPORT_TEXT_MAX;
    const struct strbuf *want = &seen->want_output;

    if (strcmp(key, "output") == 0 && seen->outputs++ == 0)
        check_output(value, len, want);
    if (strcmp(key, "notes") == 0)
        seen->notes++;
    if (strcmp(key, "message") == 0 || strcmp(key, "note") == 0 || strcmp(key, "notes") == 0
        || strcmp(key, "log") == 0)
        FZ_CHECK(fz_code_points(value, len) <= cap + strlen(REPORT_CUT_MARK),
                 "JSON report: a \"%s\" of %zu characters (cap %zu)", key,
                 fz_code_points(value, len), cap);
}

static void check_json(const char *report, size_t len, const struct grade *g, size_t n)
{
    struct json_seen seen = {{0}, 0, 0};
    size_t at = 0;
    const char *problem;

    if (g->nrows > 0 && g->rows[0].ntests > 0)
        expected_output(g->rows[0].tests[0].output, &seen.want_output);
    problem = fz_json_problem(report, len, &at, see_string, &seen);
    FZ_CHECK(!problem, "JSON report: %s at byte %zu: ...%.40s", problem, at,
             report + (at > 20 ? at - 20 : 0));
    FZ_CHECK(seen.notes <= n * (g->nrows + 1) * (REPORT_MAX_NOTES + 1),
             "JSON report: %zu notes, more than the cap allows", seen.notes);
    sb_free(&seen.want_output);
}

static void check_text(const char *report, size_t len)
{
    size_t at = 0;
    const char *problem = fz_text_problem(report, len, &at);

    FZ_CHECK(!problem, "text report: %s at byte %zu (0x%02x)", problem, at,
             (unsigned char)report[at]);
    FZ_CHECK(strstr(report, "\nScore: "), "text report without its score line");
}

/* junit and tap: text without a raw control character (see the top). */
static void check_escaped(const char *name, const char *report, size_t len)
{
    size_t at = 0;
    const char *problem = fz_text_problem(report, len, &at);

    FZ_CHECK(!problem, "%s report: %s at byte %zu (0x%02x)", name, problem, at,
             (unsigned char)report[at]);
    FZ_CHECK(strcmp(name, "junit") != 0 || (!memmem(report, len, "\xef\xbf\xbe", 3)
                                            && !memmem(report, len, "\xef\xbf\xbf", 3)),
             "junit report: U+FFFE or U+FFFF, which XML 1.0 does not allow");
}

/* ---- html ---- */

/* The tags report_html.c writes; nothing else may appear as markup. */
static const char *const html_tags[] = {
    "html", "head", "meta", "title", "style", "script", "body", "h1", "h2", "h3", "p", "dl", "dt",
    "dd", "div", "span", "svg", "g", "rect", "text", "table", "thead", "tbody", "tr", "th", "td",
    "button", "ul", "li", "details", "summary", "pre",
};

static int html_known_tag(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof html_tags / sizeof html_tags[0]; i++)
        if (strlen(html_tags[i]) == len && memcmp(html_tags[i], name, len) == 0)
            return 1;
    return 0;
}

static int html_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* The attributes of the tag whose name ends at s[i]; returns the index
 * just past its '>'. */
static size_t html_attributes(const char *s, size_t n, size_t i)
{
    for (;;) {
        size_t name = 0;

        while (i < n && s[i] == ' ')
            i++;
        FZ_CHECK(i < n, "html report: a tag that never ends");
        if (s[i] == '>' || (s[i] == '/' && i + 1 < n && s[i + 1] == '>'))
            return i + 1 + (s[i] == '/');
        while (i + name < n && html_name_char(s[i + name]))
            name++;
        FZ_CHECK(name > 0, "html report: a tag with a stray %#x at byte %zu", (unsigned char)s[i], i);
        FZ_CHECK(strncmp(s + i, "on", 2) != 0 && (name != 5 || strncmp(s + i, "style", 5) != 0)
                     && (name != 3 || strncmp(s + i, "src", 3) != 0)
                     && (name != 4 || strncmp(s + i, "href", 4) != 0),
                 "html report: an attribute %.*s at byte %zu", (int)name, s + i, i);
        i += name;
        if (i < n && s[i] == '=') {
            const char *end;

            FZ_CHECK(i + 1 < n && s[i + 1] == '"', "html report: an unquoted value at byte %zu", i);
            end = memchr(s + i + 2, '"', n - i - 2);
            FZ_CHECK(end, "html report: a value that never ends at byte %zu", i);
            FZ_CHECK(!memchr(s + i + 2, '<', (size_t)(end - s - i - 2)),
                     "html report: a '<' in an attribute's value at byte %zu", i);
            i = (size_t)(end - s) + 1;
        }
    }
}

/* The markup at s[i] == '<'; returns the index just past it (past the end
 * of a <style> or <script>: their text is the page's own). */
static size_t html_tag(const char *s, size_t n, size_t i)
{
    static const char doctype[] = "<!DOCTYPE html>";
    size_t start = i, name = 0;
    int closing = i + 1 < n && s[i + 1] == '/';

    if (n - i >= sizeof doctype - 1 && memcmp(s + i, doctype, sizeof doctype - 1) == 0)
        return i + sizeof doctype - 1;
    i += 1 + closing;
    while (i + name < n && html_name_char(s[i + name]))
        name++;
    FZ_CHECK(html_known_tag(s + i, name), "html report: markup that is not the page's at byte %zu: %.30s",
             start, s + start);
    i = html_attributes(s, n, i + name);
    if (!closing && (name == 5 || name == 6) && (strncmp(s + start + 1, "style", 5) == 0
                                                 || strncmp(s + start + 1, "script", 6) == 0)) {
        const char *end = memmem(s + i, n - i, name == 5 ? "</style>" : "</script>", name + 3);

        FZ_CHECK(end, "html report: a <%.*s> that never ends", (int)name, s + start + 1);
        i = (size_t)(end - s);
    }
    return i;
}

static void check_html(const char *report, size_t len)
{
    size_t at = 0, scripts = 0;
    const char *problem = fz_text_problem(report, len, &at);

    FZ_CHECK(!problem, "html report: %s at byte %zu (0x%02x)", problem, at,
             (unsigned char)report[at]);
    for (size_t i = 0; i < len;) {
        const char *lt = memchr(report + i, '<', len - i);

        if (!lt)
            break;
        i = (size_t)(lt - report);
        scripts += len - i >= 7 && strncasecmp(lt, "<script", 7) == 0;
        i = html_tag(report, len, i);
    }
    FZ_CHECK(scripts == 1, "html report: %zu <script> elements, not the page's one", scripts);
}

static void check_other(const struct report_ops *ops, const char *buf, size_t len)
{
    size_t at = 0;
    const char *problem;

    if (strcmp(ops->name, "junit") == 0 || strcmp(ops->name, "tap") == 0) {
        check_escaped(ops->name, buf, len);
    } else if (strcmp(ops->name, "gradescope") == 0) {
        problem = fz_json_problem(buf, len, &at, NULL, NULL);
        FZ_CHECK(!problem, "gradescope report: %s at byte %zu", problem, at);
    } else if (strcmp(ops->name, "html") == 0) {
        check_html(buf, len);
    } else if (strcmp(ops->name, "csv") == 0) {
        FZ_CHECK(well_formed((const unsigned char *)buf, len) == len,
                 "csv report: not UTF-8 at byte %zu", well_formed((const unsigned char *)buf, len));
    }
}

static void check_report(const struct report_ops *ops, struct grade *g, const struct input *in)
{
    struct grade *const grades[2] = {g, g};
    size_t n = in->two ? 2 : 1;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int ret;

    if (!out)
        fz_fail(__FILE__, __LINE__, "open_memstream failed");
    ret = ops->write(out, grades, n, in->colour);
    fclose(out);
    FZ_CHECK(ret == 0, "format %s: write returned %d", ops->name, ret);
    FZ_CHECK(len > 0 && strlen(buf) == len, "format %s: empty report or a raw NUL in it",
             ops->name);
    FZ_CHECK(len <= n * bound(g), "format %s: %zu bytes, more than the caps allow (%zu)",
             ops->name, len, n * bound(g));
    if (strcmp(ops->name, "json") == 0)
        check_json(buf, len, g, n);
    else if (strcmp(ops->name, "text") == 0 && !in->colour)
        check_text(buf, len);
    else
        check_other(ops, buf, len);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {0};
    struct grade *g;
    const struct report_ops *ops;

    split(data, size, &in);
    g = make_grade(&in);
    for (size_t i = 0; (ops = report_format(i)) != NULL; i++)
        check_report(ops, g, &in);
    grade_free(g);
    for (int f = 0; f < NFIELDS; f++)
        free(in.field[f]);
    return 0;
}
