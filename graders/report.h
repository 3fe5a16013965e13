/*
 * report.h - report formats. Each format is one file exporting one const
 * ops struct; a format only reads finished grades.
 */
#ifndef MM_REPORT_H
#define MM_REPORT_H

#include <stdio.h>

#include "grade.h"

struct report_ops {
    const char *name;
    /* Writes the report of `n` grades to `out`; returns 0 or -1 (errno). */
    int (*write)(FILE *out, struct grade *const *grades, size_t n, int colour);
};

extern const struct report_ops report_text;
extern const struct report_ops report_json;

/* The format called `name`, or NULL. */
const struct report_ops *report_find(const char *name);

/* Writes the report to `path` through a temporary file renamed into
 * place, so an interrupted run never leaves half a report where a good
 * one was; `path` "-" or NULL means stdout. */
int report_save(const struct report_ops *ops, const char *path, struct grade *const *grades,
                size_t n, int colour);

#endif
