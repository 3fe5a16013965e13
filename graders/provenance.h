/*
 * provenance.h - what makes a verdict reproducible, carried by the reports
 * (a student disputes a grade three weeks later): the grader's version,
 * hashes of the config and of the tests, the compiler, the kernel, the
 * sandbox actually used, the date; and per submission, a hash of its files.
 * `moulinette merge` compares config and tests hashes before merging.
 */
#ifndef MM_PROVENANCE_H
#define MM_PROVENANCE_H

#include "config.h"

struct provenance {
    char *version;      /* `git describe` when the grader was built */
    char *config_sha256; /* of config.yaml's bytes */
    char *tests_sha256;  /* of the checker, the driver's object and the shims */
    char *compiler;     /* the first line of `cc --version` */
    char *kernel;       /* uname: release and machine */
    char *sandbox;      /* "full" or which protections were off, and why */
    char *date;         /* when grading started, ISO 8601 UTC */
};

/* Fills what is known before grading (the sandbox is set later). */
void provenance_init(struct provenance *p, const struct config *cfg, const char *config_file,
                     const char *cc_path);
void provenance_set_sandbox(struct provenance *p, const char *off);

/* A deep copy of `from` into `to`. */
void provenance_copy(struct provenance *to, const struct provenance *from);
void provenance_free(struct provenance *p);

/* The SHA-256 of the submission's files in `dir` (config's sources and the
 * optional files present, by name), or NULL if a source cannot be read.
 * Caller frees. */
char *provenance_submission_hash(const struct config *cfg, const char *dir);

#endif
