/*
 * report.c - format registry and atomic saving.
 */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static const struct report_ops *const formats[] = {&report_text, &report_json, &report_csv,
                                                   &report_junit, &report_tap, &report_gradescope,
                                                   &report_html};

const struct report_ops *report_find(const char *name)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
}

const struct report_ops *report_format(size_t i)
{
    return i < sizeof formats / sizeof formats[0] ? formats[i] : NULL;
}

size_t report_cut(const char *s, size_t max)
{
    size_t len = strlen(s);

    if (len <= max)
        return len;
    /* s[len] is the first byte not shown: not in the middle of a
     * character (nor of the C0 80 that stands for a NUL). */
    len = max;
    while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
        len--;
    return len;
}

char *report_capped(const char *s, size_t max)
{
    size_t keep = report_cut(s ? s : "", max);

    if (!s || s[keep] == '\0')
        return xstrdup(s ? s : "");
    return xasprintf("%.*s%s", (int)keep, s, REPORT_CUT_MARK);
}

void report_provenance(const struct grade *g,
                       void (*put)(void *ctx, const char *key, const char *value), void *ctx)
{
    const struct provenance *p = &g->prov;
    const char *const pairs[][2] = {
        {"submission_sha256", g->submission_sha256}, {"grader_version", p->version},
        {"config_sha256", p->config_sha256},         {"tests_sha256", p->tests_sha256},
        {"compiler", p->compiler},                   {"kernel", p->kernel},
        {"sandbox", p->sandbox},                     {"date", p->date},
    };

    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i][1])
            put(ctx, pairs[i][0], pairs[i][1]);
}

char *report_more_notes(const struct strlist *notes)
{
    if (notes->count <= REPORT_MAX_NOTES)
        return NULL;
    return xasprintf("(cut: %zu more notes)", notes->count - REPORT_MAX_NOTES);
}

int report_save(const struct report_ops *ops, const char *path, struct grade *const *grades,
                size_t n, int colour)
{
    char *tmp;
    FILE *out;
    int ret;

    if (!path || strcmp(path, "-") == 0) {
        ret = ops->write(stdout, grades, n, colour);
        return fflush(stdout) == 0 ? ret : -1;
    }
    tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    out = fopen(tmp, "w");
    if (!out) {
        free(tmp);
        return -1;
    }
    ret = ops->write(out, grades, n, 0);
    if (fclose(out) != 0)
        ret = -1;
    if (ret == 0 && rename(tmp, path) != 0)
        ret = -1;
    if (ret != 0) {
        int saved = errno;

        unlink(tmp);
        errno = saved;
    }
    free(tmp);
    return ret;
}
