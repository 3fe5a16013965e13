/*
 * elf.c - see elf.h.
 */
#include "elf.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct image {
    const unsigned char *data;
    size_t size;
    const Elf64_Ehdr *ehdr;
    const Elf64_Shdr *shdrs;
};

/* Whether [offset, offset + count * size) lies inside the file. */
static int in_file(const struct image *im, Elf64_Off offset, size_t count, size_t size)
{
    if (size && count > (SIZE_MAX / size))
        return 0;
    return offset <= im->size && count * size <= im->size - offset;
}

/* A NUL-terminated name at `index` of string table section `strtab`. */
static const char *string_at(const struct image *im, const Elf64_Shdr *strtab, Elf64_Word index)
{
    const char *base;

    if (!in_file(im, strtab->sh_offset, strtab->sh_size, 1) || index >= strtab->sh_size)
        return NULL;
    base = (const char *)im->data + strtab->sh_offset;
    if (!memchr(base + index, '\0', strtab->sh_size - index))
        return NULL;
    return base + index;
}

static int check_header(struct image *im)
{
    const Elf64_Ehdr *e = (const Elf64_Ehdr *)im->data;

    if (im->size < sizeof *e || memcmp(e->e_ident, ELFMAG, SELFMAG) != 0)
        return -1;
    if (e->e_ident[EI_CLASS] != ELFCLASS64 || e->e_ident[EI_DATA] != ELFDATA2LSB
        || e->e_type != ET_REL || e->e_shentsize != sizeof(Elf64_Shdr))
        return -1;
    /* e_shnum 0 with the count elsewhere (more than 65279 sections) is
     * refused as malformed: gcc never needs it for one source file. */
    if (!in_file(im, e->e_shoff, e->e_shnum, sizeof(Elf64_Shdr)) || e->e_shstrndx >= e->e_shnum
        || e->e_shoff % 8)
        return -1;
    im->ehdr = e;
    im->shdrs = (const Elf64_Shdr *)(im->data + e->e_shoff);
    return 0;
}

/* Code in these runs before (or after) main: in the test runner itself. */
static int runs_code_at_load(const char *name, Elf64_Word type)
{
    static const char *const names[] = {".init_array", ".fini_array", ".preinit_array",
                                        ".ctors",      ".dtors",      ".init",
                                        ".fini"};

    if (type == SHT_INIT_ARRAY || type == SHT_FINI_ARRAY || type == SHT_PREINIT_ARRAY)
        return 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t len = strlen(names[i]);

        /* ".init_array.101" is a constructor with a priority. */
        if (strncmp(name, names[i], len) == 0 && (name[len] == '\0' || name[len] == '.'))
            return 1;
    }
    return 0;
}

static int read_sections(const struct image *im, struct elf_facts *facts)
{
    const Elf64_Shdr *shstr = &im->shdrs[im->ehdr->e_shstrndx];

    for (size_t i = 0; i < im->ehdr->e_shnum; i++) {
        const char *name = string_at(im, shstr, im->shdrs[i].sh_name);

        if (!name)
            return -1;
        if (i > 0 || im->shdrs[i].sh_type != SHT_NULL)
            sl_push(&facts->sections, name);
        if (runs_code_at_load(name, im->shdrs[i].sh_type) && !sl_contains(&facts->init_sections, name))
            sl_push(&facts->init_sections, name);
    }
    return 0;
}

/* Appends `name` without its version suffix: ".symver" makes an undefined
 * "dlsym@GLIBC_2.2.5" that the linker binds to dlsym. */
static void push_unversioned(struct strlist *sl, const char *name)
{
    char *bare = xstrndup(name, strcspn(name, "@"));

    sl_push(sl, bare);
    free(bare);
}

static int read_symbols(const struct image *im, const Elf64_Shdr *symtab, struct elf_facts *facts)
{
    const Elf64_Sym *syms;
    size_t count = symtab->sh_size / sizeof(Elf64_Sym);

    if (symtab->sh_link >= im->ehdr->e_shnum || symtab->sh_offset % 8
        || !in_file(im, symtab->sh_offset, count, sizeof(Elf64_Sym)))
        return -1;
    syms = (const Elf64_Sym *)(im->data + symtab->sh_offset);
    for (size_t i = 1; i < count; i++) {
        unsigned bind = ELF64_ST_BIND(syms[i].st_info);
        const char *name = string_at(im, &im->shdrs[symtab->sh_link], syms[i].st_name);

        if (!name)
            return -1;
        /* A resolver runs in the dynamic loader, whatever the binding. */
        if (ELF64_ST_TYPE(syms[i].st_info) == STT_GNU_IFUNC)
            push_unversioned(&facts->ifuncs, *name ? name : "(unnamed)");
        if (!*name || bind == STB_LOCAL)
            continue;
        push_unversioned(syms[i].st_shndx == SHN_UNDEF ? &facts->undefined : &facts->globals, name);
    }
    return 0;
}

/* The work read_calls may do on an object made to be slow to read. */
#define ELF_MAX_RELOCATIONS 65536

/* The function symbols of one symbol table, sorted by section and start,
 * for function_at's binary search. */
struct functions {
    const Elf64_Sym **syms;
    size_t count;
};

static int by_place(const void *a, const void *b)
{
    const Elf64_Sym *x = *(const Elf64_Sym *const *)a;
    const Elf64_Sym *y = *(const Elf64_Sym *const *)b;

    if (x->st_shndx != y->st_shndx)
        return x->st_shndx < y->st_shndx ? -1 : 1;
    return (x->st_value > y->st_value) - (x->st_value < y->st_value);
}

static struct functions functions_of(const struct image *im, const Elf64_Shdr *symtab)
{
    const Elf64_Sym *syms = (const Elf64_Sym *)(im->data + symtab->sh_offset);
    size_t count = symtab->sh_size / sizeof(Elf64_Sym);
    struct functions f = {xcalloc(count ? count : 1, sizeof *f.syms), 0};

    for (size_t i = 1; i < count; i++)
        if (ELF64_ST_TYPE(syms[i].st_info) == STT_FUNC && syms[i].st_size > 0)
            f.syms[f.count++] = &syms[i];
    qsort(f.syms, f.count, sizeof *f.syms, by_place);
    return f;
}

/* The function of section `shndx` whose code holds `offset`, or NULL: the
 * last one starting at or before it, if it reaches that far. */
static const Elf64_Sym *function_at(const struct functions *f, Elf64_Section shndx, Elf64_Addr offset)
{
    size_t lo = 0, hi = f->count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const Elf64_Sym *m = f->syms[mid];

        if (m->st_shndx < shndx || (m->st_shndx == shndx && m->st_value <= offset))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    if (f->syms[lo - 1]->st_shndx != shndx || offset - f->syms[lo - 1]->st_value >= f->syms[lo - 1]->st_size)
        return NULL;
    return f->syms[lo - 1];
}

/* One relocation of code section `target`: if it refers to an undefined
 * symbol, which function uses it. */
static void note_call(const struct image *im, const Elf64_Shdr *symtab, const struct functions *funcs,
                      Elf64_Section target, const Elf64_Rela *r, struct elf_facts *facts)
{
    const Elf64_Sym *syms = (const Elf64_Sym *)(im->data + symtab->sh_offset);
    size_t sym = ELF64_R_SYM(r->r_info);
    const Elf64_Sym *in;
    const char *name;
    const char *func;
    char *pair;

    if (sym == 0 || sym >= symtab->sh_size / sizeof(Elf64_Sym) || syms[sym].st_shndx != SHN_UNDEF)
        return;
    name = string_at(im, &im->shdrs[symtab->sh_link], syms[sym].st_name);
    in = function_at(funcs, target, r->r_offset);
    func = in ? string_at(im, &im->shdrs[symtab->sh_link], in->st_name) : NULL;
    if (!name || !*name || !func || !*func)
        return;
    pair = xasprintf("%.*s\t%s", (int)strcspn(name, "@"), name, func);
    if (!sl_contains(&facts->calls, pair))
        sl_push(&facts->calls, pair);
    free(pair);
}

/* The relocations of the code sections: who calls what. A malformed table
 * is left out (the symbol lists decide; this only says where). */
static void read_calls(const struct image *im, const Elf64_Shdr *rela, struct elf_facts *facts)
{
    const Elf64_Shdr *symtab;
    struct functions funcs;
    size_t count = rela->sh_size / sizeof(Elf64_Rela);

    if (rela->sh_link >= im->ehdr->e_shnum || rela->sh_info >= im->ehdr->e_shnum
        || !(im->shdrs[rela->sh_info].sh_flags & SHF_EXECINSTR) || rela->sh_offset % 8
        || !in_file(im, rela->sh_offset, count, sizeof(Elf64_Rela)))
        return;
    symtab = &im->shdrs[rela->sh_link];
    if (symtab->sh_type != SHT_SYMTAB || symtab->sh_link >= im->ehdr->e_shnum || symtab->sh_offset % 8
        || !in_file(im, symtab->sh_offset, symtab->sh_size / sizeof(Elf64_Sym), sizeof(Elf64_Sym)))
        return;
    funcs = functions_of(im, symtab);
    for (size_t i = 0; i < count && i < ELF_MAX_RELOCATIONS && facts->calls.count < ELF_MAX_CALLS; i++)
        note_call(im, symtab, &funcs, (Elf64_Section)rela->sh_info,
                  (const Elf64_Rela *)(im->data + rela->sh_offset) + i, facts);
    free(funcs.syms);
}

static int inspect(struct image *im, struct elf_facts *facts)
{
    if (check_header(im) != 0 || read_sections(im, facts) != 0)
        return -1;
    for (size_t i = 0; i < im->ehdr->e_shnum; i++)
        if (im->shdrs[i].sh_type == SHT_SYMTAB && read_symbols(im, &im->shdrs[i], facts) != 0)
            return -1;
    for (size_t i = 0; i < im->ehdr->e_shnum; i++)
        if (im->shdrs[i].sh_type == SHT_RELA)
            read_calls(im, &im->shdrs[i], facts);
    return 0;
}

char *elf_callers(const struct elf_facts *facts, const char *symbol)
{
    struct strbuf b = {0};
    size_t len = strlen(symbol);

    sb_printf(&b, "%s", "");
    for (size_t i = 0; i < facts->calls.count; i++) {
        const char *pair = facts->calls.items[i];
        char *func;

        if (strncmp(pair, symbol, len) != 0 || pair[len] != '\t')
            continue;
        func = elf_printable(pair + len + 1);
        sb_printf(&b, "%s%s", b.len ? ", " : "", func);
        free(func);
    }
    return b.data;
}

int elf_inspect(const char *path, struct elf_facts *facts, char **error)
{
    size_t size;
    char *data = read_file(path, &size);
    struct image im;
    int ret;

    memset(facts, 0, sizeof *facts);
    if (!data) {
        *error = xasprintf("cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    im = (struct image){(const unsigned char *)data, size, NULL, NULL};
    ret = inspect(&im, facts);
    if (ret != 0)
        *error = xasprintf("%s is not a well-formed x86-64 ELF object", path);
    free(data);
    return ret;
}

/* ---- the policy ------------------------------------------------------------------ */

static int name_matches(const char *name, const char *pattern)
{
    size_t len = strlen(pattern);

    if (len > 0 && pattern[len - 1] == '*')
        return strncmp(name, pattern, len - 1) == 0;
    return strcmp(name, pattern) == 0;
}

int elf_name_matches(const char *name, const struct strlist *patterns)
{
    for (size_t i = 0; i < patterns->count; i++)
        if (name_matches(name, patterns->items[i]))
            return 1;
    return 0;
}

/* The first name of `names` that matches `patterns` (want 1) or matches
 * none of them (want 0), or NULL. */
static const char *first(const struct strlist *names, const struct strlist *patterns, int want)
{
    for (size_t i = 0; i < names->count; i++)
        if (elf_name_matches(names->items[i], patterns) == want)
            return names->items[i];
    return NULL;
}

char *elf_printable(const char *name)
{
    enum { MAX = 64 };
    size_t len = strlen(name);
    char *s = xstrndup(name, len > MAX ? MAX : len);

    for (char *p = s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            *p = '?';
    if (len > MAX) {
        char *cut = xasprintf("%s...", s);

        free(s);
        s = cut;
    }
    return s;
}

/* "refused: <who> <before><name><after>", the name made fit by elf_printable(). */
static char *refusal(const char *who, const char *before, const char *name, const char *after)
{
    char *safe = elf_printable(name);
    char *text = xasprintf("refused: %s %s%s%s", who, before, safe, after);

    free(safe);
    return text;
}

/* Today's wording, kept: students and instructors know it. */
static char *constructor_refusal(const char *who, const char *section)
{
    char *safe = elf_printable(section);
    char *text = xasprintf("refused: constructor in %s (%s): code that runs before or after the "
                           "tests is not allowed", who, safe);

    free(safe);
    return text;
}

/* One rule of elf_refusal(): the first of `names` that matches `patterns`
 * (want 1) or matches none of them (want 0) is refused with this text. */
struct rule {
    const struct strlist *names;
    const struct strlist *patterns; /* NULL: the rule does not apply */
    int want;
    const char *before;
    const char *after;
};

char *elf_refusal(const struct elf_facts *facts, const struct elf_policy *policy, const char *who)
{
    const struct rule rules[] = {
        {&facts->sections, policy->allowed_sections, 0, "has a section named \"",
         "\", which ordinary C code does not produce (placing code or data with "
         "__attribute__((section)) is not allowed)"},
        {&facts->undefined, policy->refused_symbols, 1, "calls ",
         ", which a memory-mapping exercise has no use for"},
        {&facts->globals, policy->refused_symbols, 1, "defines ",
         ", a name of the tests' framework or of the system, which a submission may not "
         "define (rename it, or make it static)"},
        {&facts->globals, policy->allowed_globals, 0, "defines ",
         ": a header may only declare (its code is compiled into the tests' shims; define "
         "functions and variables in the .c file)"},
    };

    if (facts->init_sections.count)
        return constructor_refusal(who, facts->init_sections.items[0]);
    if (facts->ifuncs.count)
        return refusal(who, "defines ", facts->ifuncs.items[0],
                       " as an IFUNC (STT_GNU_IFUNC): its resolver would run in the dynamic "
                       "loader, before the tests");
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const char *name = rules[i].patterns ? first(rules[i].names, rules[i].patterns, rules[i].want)
                                             : NULL;

        if (name)
            return refusal(who, rules[i].before, name, rules[i].after);
    }
    return NULL;
}

void elf_facts_free(struct elf_facts *facts)
{
    sl_free(&facts->undefined);
    sl_free(&facts->globals);
    sl_free(&facts->ifuncs);
    sl_free(&facts->sections);
    sl_free(&facts->init_sections);
    sl_free(&facts->calls);
}
