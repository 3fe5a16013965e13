/*
 * score.c - see score.h.
 *
 * A test passes only if the runner's record says it reached its
 * completion mark (tests/harness.h) with no failure, no crash, no timeout
 * and exit status 0. Criterion alone would count a test that the student's
 * code ended with exit(0) as passed; the mark closes that hole.
 */
#include "score.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *status_name(enum status s)
{
    static const char *const names[] = {
        [ST_PASS] = "pass", [ST_FAIL] = "fail", [ST_CRASH] = "crash",
        [ST_TIMEOUT] = "timeout", [ST_ERROR] = "error",
    };

    return names[s];
}

/* ---- records ------------------------------------------------------------------ */

static char *unescape(const char *s, size_t len)
{
    char *out = xmalloc(len + 1);
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len) {
            i++;
            out[o++] = s[i] == 't' ? '\t' : s[i] == 'n' ? '\n' : s[i];
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* Splits one record line into its tab-separated fields. */
static int split_fields(const char *line, size_t len, const char *field[], size_t flen[], int max)
{
    int n = 0;
    const char *start = line;

    for (const char *p = line; p <= line + len && n < max; p++) {
        if (p == line + len || *p == '\t') {
            field[n] = start;
            flen[n++] = (size_t)(p - start);
            start = p + 1;
        }
    }
    return n;
}

static int field_int(const char *f, size_t len)
{
    char buf[16];

    snprintf(buf, sizeof buf, "%.*s", (int)(len < 15 ? len : 15), f);
    return atoi(buf);
}

static size_t field_size(const char *f, size_t len)
{
    char buf[24];

    snprintf(buf, sizeof buf, "%.*s", (int)(len < 23 ? len : 23), f);
    return (size_t)strtoull(buf, NULL, 10);
}

static double field_double(const char *f, size_t len)
{
    char buf[24];

    snprintf(buf, sizeof buf, "%.*s", (int)(len < 23 ? len : 23), f);
    return atof(buf);
}

/* Decodes `line` into `rec` if it is `test`'s record; otherwise adds the
 * output it accounts for to rec->output_offset. */
static int record_decode(const char *line, size_t len, const char *test, struct test_record *rec)
{
    const char *f[13];
    size_t fl[13];
    int n = split_fields(line, len, f, fl, 13);

    if (n < 10 || fl[0] != 1 || f[0][0] != 'T')
        return 0;
    if (fl[1] != strlen(test) || strncmp(f[1], test, fl[1]) != 0) {
        if (n == 13)
            rec->output_offset += field_size(f[12], fl[12]);
        return 0;
    }
    rec->found = 1;
    rec->completed = field_int(f[2], fl[2]);
    rec->failed = field_int(f[3], fl[3]) != 0;
    rec->crashed = field_int(f[4], fl[4]);
    rec->signal = field_int(f[5], fl[5]);
    rec->exit_code = field_int(f[6], fl[6]);
    rec->timed_out = field_int(f[7], fl[7]);
    rec->message = unescape(f[8], fl[8]);
    rec->step = unescape(f[9], fl[9]);
    rec->note = n >= 11 ? unescape(f[10], fl[10]) : xstrdup("");
    rec->seconds = n == 13 ? field_double(f[11], fl[11]) : -1;
    rec->output_bytes = n == 13 ? field_size(f[12], fl[12]) : 0;
    return 1;
}

struct test_record record_find(const char *records, const char *test)
{
    struct test_record rec = {0};
    const char *line = records;

    while (line && *line) {
        const char *end = strchr(line, '\n');

        if (!end)
            break; /* a record without its newline was cut short */
        if (record_decode(line, (size_t)(end - line), test, &rec))
            break;
        line = end + 1;
    }
    return rec;
}

void record_clear(struct test_record *rec)
{
    free(rec->message);
    free(rec->step);
    free(rec->note);
    rec->message = rec->step = rec->note = NULL;
}

/* ---- one test ----------------------------------------------------------------- */

static char *during(const char *step)
{
    return step && *step ? xasprintf(" during: %s", step) : xstrdup("");
}

static char *signal_text(int sig, int memory_limit)
{
    if (sig == SIGKILL && memory_limit)
        return xstrdup("SIGKILL: memory limit");
    if (sig == SIGKILL)
        return xstrdup("SIGKILL (killed: memory, process or time limit, or kill())");
    if (sig == SIGXCPU)
        return xstrdup("SIGXCPU (CPU time limit)");
    if (sig == SIGXFSZ)
        return xstrdup("SIGXFSZ (file size limit)");
    /* The one a student meets first in this exercise, and the least known. */
    if (sig == SIGBUS)
        return xstrdup("SIGBUS (Bus error: an access past the end of the file or shared memory "
                       "object a mapping maps; was the object ftruncate'd to the mapping's size?)");
    return xasprintf("SIG%s (%s)", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", strsignal(sig));
}

static void verdict(struct test_outcome *out, enum status st, char *message)
{
    out->status = st;
    free(out->message);
    out->message = message;
}

static void score_record(struct test_outcome *out, const struct test_record *rec,
                         const struct job_result *res, double timeout)
{
    char *where = during(rec->step);
    char *sig = NULL;

    /* 2: stopped early, every process of the test asleep for good
     * (tests/stall.h); the message says so. */
    if (rec->timed_out == 2 && rec->message && *rec->message)
        verdict(out, ST_TIMEOUT, xasprintf("hung (stopped after %.1f s, before its %.1f s timeout)%s: %s", rec->seconds,
                                           timeout, where, rec->message));
    else if (rec->timed_out)
        verdict(out, ST_TIMEOUT, xasprintf("timed out after %.1f s%s", timeout, where));
    else if (rec->crashed || rec->signal) {
        sig = signal_text(rec->signal, res->memory_limit);
        /* The runner puts where the code was (tests/crashsite.h) in the
         * message of a crash. */
        verdict(out, ST_CRASH, rec->message && *rec->message
                                   ? xasprintf("crashed with %s%s, %s", sig, where, rec->message)
                                   : xasprintf("crashed with %s%s", sig, where));
    } else if (rec->failed)
        verdict(out, ST_FAIL, xstrdup(rec->message && *rec->message ? rec->message : "failed"));
    else if (rec->exit_code != 0)
        verdict(out, ST_FAIL,
                xasprintf("the test process exited with status %d%s: do not call exit() in your functions",
                          rec->exit_code, where));
    else if (!rec->completed)
        verdict(out, ST_FAIL,
                xasprintf("the test process ended before the test finished%s: do not call exit() in your functions",
                          where));
    else
        verdict(out, ST_PASS, xstrdup(""));
    free(sig);
    free(where);
}

/* No record at all: the runner itself was stopped, killed or broken. */
static void score_missing(struct test_outcome *out, const struct job_result *res, double timeout)
{
    char *sig;

    if (res->setup_error)
        verdict(out, ST_ERROR, xasprintf("the grader could not start the test: %s", res->setup_error));
    else if (res->timed_out)
        verdict(out, ST_TIMEOUT, xasprintf("timed out after %.1f s (the test was stopped)", timeout));
    else if (res->signal) {
        sig = signal_text(res->signal, res->memory_limit);
        verdict(out, ST_CRASH, xasprintf("the test runner was killed by %s before reporting", sig));
        free(sig);
    } else
        verdict(out, ST_ERROR,
                xasprintf("the test runner ended without reporting a result (exit status %d)",
                          res->exit_code));
}

/* The test's own part of the job's output: what its record accounts for,
 * or, without a record (the runner died in it), everything the records
 * before it do not. An older runner's records account for nothing: then
 * the whole output. Cut when the job's capture was cut inside that part. */
static void take_output(struct test_outcome *out, const struct test_record *rec,
                        const struct job_result *res)
{
    const char *all = res->output.data ? res->output.data : "";
    size_t start = rec->output_offset < res->output.len ? rec->output_offset : res->output.len;
    size_t len = res->output.len - start;
    int whole = rec->found && rec->seconds >= 0;

    if (whole && rec->output_bytes < len)
        len = rec->output_bytes;
    free(out->output);
    out->output = xstrndup(all + start, len);
    out->output_cut = res->output_dropped > 0 && (!whole || start + rec->output_bytes > res->output.len);
}

void score_test(struct test_outcome *out, const struct job_result *res, double timeout)
{
    struct test_record rec = record_find(res->records.data, out->test);

    if (rec.found)
        score_record(out, &rec, res, timeout);
    else
        score_missing(out, res, timeout);
    free(out->note);
    out->note = xstrdup(rec.found ? rec.note : "");
    free(out->step);
    out->step = xstrdup(rec.found ? rec.step : "");
    record_clear(&rec);
    if (out->status != ST_PASS && res->output_dropped) {
        char *longer = xasprintf("%s (output cut at %zu KiB)", out->message, res->output.len / 1024);

        free(out->message);
        out->message = longer;
    }
    take_output(out, &rec, res);
    out->wall = rec.found && rec.seconds >= 0 ? rec.seconds : res->wall;
}

/* ---- rows and totals ------------------------------------------------------------ */

/* The row's notes: each test's, named by its test ("suite/name: ..."). */
static void gather_notes(struct row_grade *r)
{
    sl_free(&r->notes);
    for (size_t t = 0; t < r->ntests; t++) {
        const struct test_outcome *o = &r->tests[t];

        if (o->note && *o->note)
            sl_pushf(&r->notes, "%s: %s", o->test, o->note);
    }
}

static void score_row(struct row_grade *r)
{
    r->status = ST_PASS;
    free(r->message);
    r->message = xstrdup("");
    for (size_t t = 0; t < r->ntests; t++) {
        const struct test_outcome *o = &r->tests[t];

        if (o->status == ST_PASS)
            continue;
        r->status = o->status;
        free(r->message);
        r->message = xasprintf("%s: %s", o->test, o->message);
        break;
    }
    r->points = r->status == ST_PASS ? r->row->points : 0;
    gather_notes(r);
}

/* Code that was not built fails every row and every test alike, for the
 * one reason the build gave the rows (build.c: the student's compile
 * error, or the grader's own failure, ST_ERROR). */
static void not_compiled(struct row_grade *r)
{
    r->points = 0;
    for (size_t t = 0; t < r->ntests; t++) {
        r->tests[t].status = r->status;
        free(r->tests[t].message);
        r->tests[t].message = xstrdup(r->message);
    }
}

void score_grade(struct grade *g, int forbidden_penalty)
{
    g->score = g->bonus_score = 0;
    for (size_t i = 0; i < g->nrows; i++) {
        struct row_grade *r = &g->rows[i];

        if (g->compile_ok)
            score_row(r);
        else
            not_compiled(r);
        if (r->row->bonus)
            g->bonus_score += r->points;
        else
            g->score += r->points;
    }
    g->penalty = g->forbidden_used.count > 0 ? forbidden_penalty : 0;
    g->score = g->score > g->penalty ? g->score - g->penalty : 0;
}
