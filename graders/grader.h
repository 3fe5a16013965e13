/*
 * grader.h - grading submissions end to end: find the tools, open the
 * sandbox, then build and test every submission, several at a time. Used
 * by the moulinette's main and by the mutation check.
 */
#ifndef MM_GRADER_H
#define MM_GRADER_H

#include <stddef.h>

#include "config.h"
#include "grade.h"

/* auto: every protection the machine allows; strict: all or nothing;
 * off: sessions and rlimits only. */
enum sandbox_mode { SANDBOX_AUTO, SANDBOX_STRICT, SANDBOX_OFF };

struct grader;

/* NULL, with the reason on stderr, when a tool, the compiled tests or (in
 * strict mode) a protection is missing. */
struct grader *grader_open(const struct config *cfg, int jobs, enum sandbox_mode mode);

/* Grades the folders, `jobs` processes at a time; one grade per folder,
 * in order. Returns NULL when interrupted by a signal (every job killed,
 * every scratch directory removed). */
struct grade **grader_grade(struct grader *g, char **dirs, size_t n);

/* Jobs started from now on do not see `path` (intake.c: a batch's
 * arguments, the folder of its extracted archives). */
void grader_hide(struct grader *g, const char *path);

void grader_close(struct grader *g);

#endif
