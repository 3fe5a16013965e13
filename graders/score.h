/*
 * score.h - from what a test job did to a verdict, and from verdicts to
 * points. Pure functions of their inputs (unit-tested without running
 * anything).
 */
#ifndef MM_SCORE_H
#define MM_SCORE_H

#include "grade.h"
#include "sandbox.h"

/* One record of the test runner (tests/runner.c), decoded. */
struct test_record {
    int found;
    int completed;
    int failed;
    int crashed;
    int signal;
    int exit_code;
    int timed_out;
    char *message;
    char *step;
    char *note; /* what the test saw that another row grades; "" if none */
    double seconds; /* the test's wall time; < 0 when the record has none */
    size_t output_bytes;  /* what the test printed (tests/runner.c) */
    size_t output_offset; /* where that starts in the job's output: the
                             output_bytes of the records before it */
};

/* Finds `test`'s record in the runner's output. The caller frees the
 * strings with record_clear(). A record without the note field (an older
 * runner) has an empty note; one without seconds and output_bytes, seconds
 * -1. Not found, output_offset is where unattributed output starts. */
struct test_record record_find(const char *records, const char *test);
void record_clear(struct test_record *rec);

/* Decides one test's verdict from its job's result, and keeps its note
 * whatever the verdict. `timeout` is the row's, for the message. */
void score_test(struct test_outcome *out, const struct job_result *res, double timeout);

/* Turns test verdicts into row verdicts and points (a note never changes
 * them; the row gathers its tests' notes), applies the penalty for
 * forbidden functions, and totals main and bonus scores. */
void score_grade(struct grade *g, int forbidden_penalty);

#endif
