/*
 * mutation.h - the mutant manifests and what a mutant's grade must show.
 *
 * A manifest (reference/mutants/manifest.yaml) lists mutants: each is one
 * realistic bug, a patch against the reference (or against the correct
 * variant named by `base`), with the rows that must
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
    char *base;  /* folder the patch applies to (resolved the same way); NULL: the reference */
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

/* Compares a correct variant's grade (folder `dir`) with what it must
 * earn: every point of the main rows; and, for a ring variant (a folder
 * named "ring-..."), every point of the bonus too. Extra rows (beyond the
 * subject) are not judged. Returns 1 when it does; otherwise 0 with the
 * reasons appended to `problems`. */
int variant_verdict(const char *dir, const struct grade *g, struct strbuf *problems);

#endif
