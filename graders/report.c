/*
 * report.c - format registry and atomic saving.
 */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static const struct report_ops *const formats[] = {&report_text, &report_json};

const struct report_ops *report_find(const char *name)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
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
