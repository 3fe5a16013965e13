/*
 * report_esc.c - see report_esc.h.
 */
#include "report_esc.h"

#include <string.h>

#include "util.h"

struct rchar report_char(const char *s, size_t avail)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned cp = 0;
    size_t len;

    if (avail >= 2 && u[0] == 0xc0 && u[1] == 0x80)
        return (struct rchar){RCHAR_NUL, 0, 2};
    len = utf8_decode(s, avail, &cp);
    if (len == 0)
        return (struct rchar){RCHAR_INVALID, 0, 1};
    return (struct rchar){RCHAR_TEXT, cp, len};
}

int report_is_control(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

const struct test_outcome *report_same_output(const struct row_grade *r, size_t t)
{
    const char *o = r->tests[t].output;

    for (size_t i = 0; o && *o && i < t; i++)
        if (r->tests[i].output && strcmp(r->tests[i].output, o) == 0)
            return &r->tests[i];
    return NULL;
}

double report_row_seconds(const struct row_grade *r)
{
    double sum = 0;

    for (size_t t = 0; t < r->ntests; t++)
        if (r->tests[t].wall > 0)
            sum += r->tests[t].wall;
    return sum;
}

const char *report_not_run(const struct grade *g)
{
    return g->compile_ok ? NULL : "not graded: the submission did not compile (see the compile log)";
}
