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

/* What a report shows of a grade is capped, whatever the grade holds (a
 * note listing 200,000 symbols must not make a 40 MB report): each note
 * and message at REPORT_TEXT_MAX bytes, the compile log at REPORT_LOG_MAX,
 * with " (cut)" where something was cut; past REPORT_MAX_NOTES notes, one
 * last line says how many more there were. Test outputs are capped when
 * captured (limits.output_kb). */
#define REPORT_TEXT_MAX 4096
#define REPORT_LOG_MAX 65536
#define REPORT_MAX_NOTES 32
#define REPORT_CUT_MARK " (cut)"

/* How many bytes of `s` a report shows when at most `max` fit: all of it,
 * or fewer, ending on a whole UTF-8 character (the caller then adds
 * REPORT_CUT_MARK). */
size_t report_cut(const char *s, size_t max);

/* `s` as shown, capped at `max` bytes plus the mark (caller frees). */
char *report_capped(const char *s, size_t max);

/* The line that stands for the notes past REPORT_MAX_NOTES, or NULL when
 * there are none (caller frees). */
char *report_more_notes(const struct strlist *notes);

extern const struct report_ops report_text;

/* The text report's options: every test's details (--verbose); the
 * grader's command as the user typed it, for the rerun lines. */
void report_text_verbose(int verbose);
void report_text_program(const char *program);

extern const struct report_ops report_json;
extern const struct report_ops report_csv;        /* the gradebook (RFC 4180) */
extern const struct report_ops report_junit;      /* JUnit XML */
extern const struct report_ops report_tap;        /* TAP, one point per row */
extern const struct report_ops report_gradescope; /* Gradescope's results.json */
extern const struct report_ops report_html;       /* the class report, one HTML page */

/* What makes the grade reproducible (provenance.h), as (key, value) pairs
 * in a fixed order: submission_sha256, grader_version, config_sha256,
 * tests_sha256, compiler, kernel, sandbox, date; those not known (NULL)
 * are left out. For every format that has room for them. */
void report_provenance(const struct grade *g,
                       void (*put)(void *ctx, const char *key, const char *value), void *ctx);

/* The format called `name`, or NULL. */
const struct report_ops *report_find(const char *name);

/* The i-th format of the registry, NULL past the last (for whatever must
 * go through every format: the report fuzzer, fuzz/fuzz_report.c). */
const struct report_ops *report_format(size_t i);

/* Writes the report to `path` through a temporary file renamed into
 * place, so an interrupted run never leaves half a report where a good
 * one was; `path` "-" or NULL means stdout. */
int report_save(const struct report_ops *ops, const char *path, struct grade *const *grades,
                size_t n, int colour);

#endif
