/*
 * mutation.h - the mutant manifests and what a mutant's grade must show.
 *
 * A manifest (reference/mutants/manifest.yaml) lists mutants: each is one
 * realistic bug, a patch against the reference, with the rows that must
 * fail, the rows that may fail too, the forbidden functions the grader
 * must report, and a piece of the message the student must see.
 */
#ifndef MM_MUTATION_H
#define MM_MUTATION_H

#include <stddef.h>

#include "grade.h"
#include "util.h"

struct mutant {
    char *id;
    char *patch; /* resolved against the manifest's folder */
    char *what;
    char *why;
    char *message;
    struct strlist rows;
    struct strlist also;
    struct strlist forbidden;
};

struct manifest {
    struct mutant *items;
    size_t count;
};

/* Appends the mutants of the manifest at `path` to `m`. Returns 0, or -1
 * after reporting each problem as "file:line:column: message". */
int manifest_load(const char *path, struct manifest *m);
int manifest_parse(const char *name, const char *text, size_t len, const char *dir,
                   struct manifest *m, struct strbuf *errors);
void manifest_free(struct manifest *m);

/* Compares a mutant's grade with its entry. Returns 1 when the mutant was
 * killed exactly as the entry says; otherwise 0 with the reasons appended
 * to `problems` (one line each). `killers` receives the failing rows. */
int mutant_verdict(const struct mutant *m, const struct grade *g, struct strlist *killers,
                   struct strbuf *problems);

#endif
