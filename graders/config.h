/*
 * config.h - the grading table and everything else config.yaml decides.
 *
 * Nothing the grade depends on is written in C: rows, points, tests,
 * timeouts, compiler and flags, forbidden functions and their cost, and
 * resource limits all come from here. config_load() reports every error
 * as "file:line:column: message" and checks meaning after parsing (points
 * add up, ids are unique, each test belongs to one row).
 */
#ifndef MM_CONFIG_H
#define MM_CONFIG_H

#include <stddef.h>

#include "util.h"

/* Who sees a row or a test (Gradescope's words): students always; only
 * once the due date has passed; never (it counts, its reasons stay with
 * the instructor). Neither of the last two is in the student kit. */
enum visibility { VIS_VISIBLE, VIS_AFTER_DUE_DATE, VIS_HIDDEN };

/* "visible", "after_due_date", "hidden". */
const char *visibility_name(enum visibility v);

struct row_config {
    char *id;
    char *title;
    char *category;
    int points;
    double timeout; /* seconds, per test of the row */
    int bonus;      /* reported apart from the main score */
    int extra;      /* beyond the subject: reported apart, worth no points */
    struct strlist tests; /* "suite/name" */
    enum visibility visibility;
    struct strlist hidden_tests; /* tests of the row that students never see */
    size_t line;   /* where the row starts in the file, 0-based */
    size_t column;
};

struct limits_config {
    double cpu_seconds;     /* per test process tree */
    long memory_mb;         /* address space per process */
    long file_size_mb;      /* largest file (and shm object) it may write */
    long processes;         /* per test, for fork bombs */
    long output_kb;         /* captured output kept per test */
    long archive_mb;        /* bytes an archive may unpack to (intake.c); 0: not set */
    long archive_members;   /* members it may hold, files a folder searched; 0: not set */
};

struct config {
    char *path;     /* as given */
    char *base_dir; /* relative paths below are resolved against it */

    /* compile */
    char *cc;
    struct strlist cflags;
    struct strlist feature_macros;
    struct strlist link_flags;
    double compile_timeout;
    struct strlist sources;   /* files a submission must provide */
    struct strlist optional;  /* files it may provide */
    char *default_header;     /* used when the submission has no header */
    struct strlist api;       /* the only symbols a submission may define globally */

    /* the tests */
    char *test_object; /* the driver's object, linked with each submission */
    char *checker;     /* the prebuilt checker, which runs the tests against the driver */
    char *shim_source; /* compiled against the submission's header */
    struct strlist test_shims; /* optional extra shims, skipped if they fail */

    /* forbidden functions */
    struct strlist forbidden;
    int forbidden_penalty;

    /* What objects built from the submission may contain (see elf.h);
     * patterns: "name" or "prefix*". */
    struct strlist refused_symbols;  /* neither used nor defined: refused */
    struct strlist allowed_sections; /* any other section: refused */
    struct strlist shim_globals;     /* the shims' own functions: the only globals
                                      * an object compiled from the header may define */

    struct limits_config limits;

    struct row_config *rows;
    size_t nrows;
    int max_score; /* sum of the non-bonus rows */

    /* In a student kit (`make kit`): what the instructor grades and the
     * kit cannot, left out of its config. 0 and 0 elsewhere. */
    int kit_hidden_points;  /* points of the rows left out */
    int kit_hidden_tests;   /* tests left out of the rows kept */

    /* --row/--test: the rows were narrowed to a selection (config_select);
     * the full table is worth full_max_score. */
    int partial;
    int full_max_score;

    /* --valgrind: the program each test's driver runs under, or NULL
     * (config_run_under; not from the file). */
    char *under;
};

/* Loads and checks `path`. On error returns NULL and prints every problem
 * found to stderr as "file:line:column: message". */
struct config *config_load(const char *path);

/* Same, from a string (for the unit tests); `name` is used in messages.
 * Messages go to `errors` (which may be NULL) instead of stderr. */
struct config *config_parse(const char *name, const char *text, size_t len, struct strbuf *errors);

/* Resolves a config-relative path (absolute paths are kept). */
char *config_path(const struct config *cfg, const char *relative);

/* Runs every test's driver under `program` (valgrind, which keeps the
 * process the checker traces): the timeouts and the CPU limit are
 * `slowdown` times longer, and the address space may reach what such a
 * program reserves. */
void config_run_under(struct config *cfg, const char *program, double slowdown);

/* Removes the bonus and extra rows (--no-bonus). */
void config_drop_bonus(struct config *cfg);

/* The visibility of test `test` of `row`: hidden if the row lists it in
 * hidden_tests, else the row's. */
enum visibility config_test_visibility(const struct row_config *row, const char *test);

/* Keeps only the rows whose id is in `rows` and the tests ("suite/name")
 * in `tests` (a row keeps the selected tests it holds); an empty list
 * selects nothing on its own. Returns 0, or -1 with `error` set (caller
 * frees) naming what matched nothing. Marks the config partial. */
int config_select(struct config *cfg, const struct strlist *rows, const struct strlist *tests,
                  char **error);

void config_free(struct config *cfg);

#endif
