/*
 * elf.h - what a submission's object file contains, read before any of it
 * runs: the sections that would run code before the tests (constructors),
 * the functions it calls (for the forbidden ones) and the symbols it
 * defines globally (which could replace the ones the tests rely on).
 *
 * The object is untrusted input: every offset and size is checked against
 * the file before use, and a malformed object is an error, not a crash.
 */
#ifndef MM_ELF_H
#define MM_ELF_H

#include "util.h"

struct elf_facts {
    struct strlist undefined;     /* symbols it uses but does not define */
    struct strlist globals;       /* symbols it defines with global/weak binding */
    struct strlist init_sections; /* .init_array, .ctors, ... it contains */
};

/* Reads the ELF64 relocatable object at `path`. Returns 0, or -1 with a
 * message in *error (owned by the caller). */
int elf_inspect(const char *path, struct elf_facts *facts, char **error);

void elf_facts_free(struct elf_facts *facts);

#endif
