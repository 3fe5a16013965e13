/*
 * report_esc.h - what the formats that escape text (csv, junit, tap,
 * gradescope) share: reading a string from a grade one character at a
 * time, and the facts about a row they all report the same way.
 *
 * The strings come from the submission (its output, messages quoting what
 * it did, its compiler's log): any bytes, with a NUL kept as C0 80 (see
 * sandbox.h). Each format decides what a character becomes; this module
 * only says what it is.
 */
#ifndef MM_REPORT_ESC_H
#define MM_REPORT_ESC_H

#include <stddef.h>

#include "grade.h"

enum rchar_kind {
    RCHAR_TEXT,    /* a well-formed UTF-8 character, code point in `cp` */
    RCHAR_NUL,     /* C0 80: a NUL byte the submission printed */
    RCHAR_INVALID, /* one byte that is not part of valid UTF-8 */
};

struct rchar {
    enum rchar_kind kind;
    unsigned cp;   /* RCHAR_TEXT: the code point; otherwise 0 */
    size_t len;    /* bytes it takes, at least 1 */
};

/* The character that starts `s` (`avail` > 0 bytes readable). */
struct rchar report_char(const char *s, size_t avail);

/* Whether `cp` is a control character: C0, DEL or C1. */
int report_is_control(unsigned cp);

/* The first test before test `t` of `r` whose (non-empty) output is the
 * same as its own: the tests of a row that ran in one job share that
 * job's output, which a report shows once. NULL when there is none. */
const struct test_outcome *report_same_output(const struct row_grade *r, size_t t);

/* Seconds the row's tests took, added up. */
double report_row_seconds(const struct row_grade *r);

/* What a report says of a row when its tests never ran: "not graded: ..."
 * (the submission did not compile), or NULL when they ran. */
const char *report_not_run(const struct grade *g);

#endif
