/*
 * elf.h - what an object file built from a submission contains, read before
 * any of it runs, and whether it may be linked with the tests.
 *
 * Why refuse rather than neutralize: the test runner loads the submission's
 * object, so anything that runs at load time (constructors, IFUNC resolvers,
 * Criterion's hook sections) or talks to the runner (Criterion's functions,
 * dlsym, raw syscalls) runs beside the checks. A memory-mapping exercise has
 * no use for any of it, so an object that contains it is refused with the
 * reason, and the lists live in config.yaml (forbidden.*). This is a first
 * layer, not a wall: inline assembly needs no symbol.
 *
 * The object is untrusted input: every offset and size is checked against
 * the file before use, and a malformed object is an error, not a crash.
 */
#ifndef MM_ELF_H
#define MM_ELF_H

#include "util.h"

/* Symbol names are kept without a version suffix ("dlsym@GLIBC_2.2.5" is
 * dlsym: .symver must not hide a name from the lists). */
struct elf_facts {
    struct strlist undefined;     /* symbols it uses but does not define */
    struct strlist globals;       /* symbols it defines with global/weak binding */
    struct strlist ifuncs;        /* STT_GNU_IFUNC symbols, local ones too */
    struct strlist sections;      /* every section's name, the null section aside */
    struct strlist init_sections; /* .init_array, .ctors, ... it contains */
    /* Where code uses an undefined symbol: "symbol\tfunction" for each
     * function whose code refers to it (from the relocations of code
     * sections; at most ELF_MAX_CALLS pairs, each once). */
    struct strlist calls;
};

#define ELF_MAX_CALLS 1024

/* The functions of the object whose code uses `symbol`, joined with ", "
 * ("" when none is known). Owned by the caller. */
char *elf_callers(const struct elf_facts *facts, const char *symbol);

/* What an object may contain. Lists hold patterns: "name", or "prefix*";
 * a NULL list is not checked. */
struct elf_policy {
    const struct strlist *refused_symbols;  /* neither used nor defined */
    const struct strlist *allowed_sections; /* every other section is refused */
    /* The only global definitions allowed, or NULL for any (the
     * submission's own objects: their globals are made static later). */
    const struct strlist *allowed_globals;
};

/* Reads the ELF64 relocatable object at `path`. Returns 0, or -1 with a
 * message in *error (owned by the caller). */
int elf_inspect(const char *path, struct elf_facts *facts, char **error);

/* A name read from an object, fit for a report: at most 64 bytes and
 * printable ASCII (a name is whatever bytes the submission chose, of any
 * length). Owned by the caller. */
char *elf_printable(const char *name);

/* Whether `name` matches one of `patterns` (see struct elf_policy). */
int elf_name_matches(const char *name, const struct strlist *patterns);

/* Why an object with these facts must not be linked, as the student reads
 * it ("refused: memory_mapper.o calls dlsym, ..."), or NULL when it may be.
 * `who` names the submission's file its code comes from. The first reason
 * found, in this order: constructors, IFUNC symbols, sections outside the
 * allow-list, refused symbols used then defined, unexpected globals.
 * Names quoted from the object are cut and made printable. Owned by the
 * caller. */
char *elf_refusal(const struct elf_facts *facts, const struct elf_policy *policy, const char *who);

void elf_facts_free(struct elf_facts *facts);

#endif
