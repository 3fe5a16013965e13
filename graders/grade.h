/*
 * grade.h - the result of grading one submission: plain data, filled by
 * build.c and run.c, scored by score.c, read (never changed) by reports.
 */
#ifndef MM_GRADE_H
#define MM_GRADE_H

#include <stddef.h>

#include "config.h"
#include "provenance.h"
#include "util.h"

enum status { ST_PASS, ST_FAIL, ST_CRASH, ST_TIMEOUT, ST_ERROR };

/* "pass", "fail", ... as in the JSON report. */
const char *status_name(enum status s);

struct test_outcome {
    const char *test; /* "suite/name", from the config */
    enum status status;
    char *message;    /* why it did not pass; "" when it passed */
    char *output;     /* what the test printed (capped), for the curious */
    int output_cut;   /* the output was longer than the cap */
    double wall;
    char *note;       /* what it saw that another row grades, or advice; never
                         decides the verdict; "" or NULL when none */
    char *step;       /* the last step it reached (tests/harness.h); "" or NULL */
};

struct row_grade {
    const struct row_config *row;
    enum status status;
    int points;
    char *message;
    struct test_outcome *tests;
    size_t ntests;
    struct strlist notes; /* its tests' notes, "suite/name: note", in test order */
};

struct grade {
    char *submission;
    const char *student_id;   /* from --roster, owned by the intake (intake.h); NULL: unknown */
    const char *student_name;
    int compile_ok;
    char *compile_log;            /* compiler messages, or why it did not compile */
    struct strlist notes;         /* things the student should know (no header...) */
    struct strlist forbidden_used;
    int penalty;
    struct row_grade *rows;
    size_t nrows;
    int score;
    int max_score;
    int bonus_score;
    int bonus_max;
    int partial;           /* --row/--test: only some rows ran (config.h) */
    int full_max_score;    /* the whole table's, when partial */
    int kit_hidden_points; /* a student kit's: what only the instructor grades */
    int kit_hidden_tests;
    int for_students;      /* grade_for_students() was applied */
    struct provenance prov;  /* how it was graded (provenance.h) */
    char *submission_sha256; /* of its files as graded; NULL if unreadable */
};

struct grade *grade_new(const struct config *cfg, const char *submission);
void grade_free(struct grade *g);

/* What may be published to the student (--for-students): a hidden row or
 * test keeps its verdict and points, and loses its reasons, notes and
 * output; a visible row whose reason came from a hidden test says only
 * that a hidden test failed. Rows shown after the due date are kept (a
 * report is published once it has passed). */
void grade_for_students(struct grade *g);

#endif
