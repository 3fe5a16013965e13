/*
 * cli.h - the command line:
 *   moulinette [--config FILE] [--format text|json] [--output FILE]
 *              [--jobs N] [--sandbox auto|strict|off] [--no-bonus]
 *              [--row ID]... [--test SUITE/NAME]... [--verbose] [--for-students]
 *              [--shard I/N] [--valgrind]
 *              SUBMISSION_DIR...
 * Other tools depend on it: extend it, never change what exists.
 */
#ifndef MM_CLI_H
#define MM_CLI_H

#include <stddef.h>

#include "grader.h"
#include "report.h"

enum cli_status { CLI_OK, CLI_HELP, CLI_USAGE };



struct cli {
    const char *config; /* NULL: config.yaml here, else next to the binary */
    const struct report_ops *format;
    const char *output; /* NULL: stdout */
    int jobs;
    enum sandbox_mode sandbox;
    int no_bonus; /* --no-bonus: grade the main rows only */
    struct strlist rows;  /* --row: grade only these rows (with --test: and these tests) */
    struct strlist tests; /* --test suite/name */
    int verbose;      /* --verbose: every test's verdict, time, step and output */
    int for_students; /* --for-students: hidden rows and tests keep their reasons */
    int valgrind;     /* --valgrind: the submission's code runs under valgrind */
    const char *roster; /* --roster FILE: submission,student_id,student_name (intake.h) */
    int shard, shards; /* --shard I/N: the I-th of N slices of the submissions
                          (1-based, intake_take_shard); 0 0 for all */
    char **submissions;
    size_t nsubmissions;
};

/* Fills `cli` from argv; on CLI_USAGE the reason is already on stderr.
 * cli_free releases the lists it filled. */
enum cli_status cli_parse(int argc, char **argv, struct cli *cli);
void cli_free(struct cli *cli);

/* The config file to use when --config was not given. */
char *cli_default_config(void);

#endif
