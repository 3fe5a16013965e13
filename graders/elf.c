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
        if (runs_code_at_load(name, im->shdrs[i].sh_type) && !sl_contains(&facts->init_sections, name))
            sl_push(&facts->init_sections, name);
    }
    return 0;
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
        if (!*name || bind == STB_LOCAL)
            continue;
        if (syms[i].st_shndx == SHN_UNDEF)
            sl_push(&facts->undefined, name);
        else
            sl_push(&facts->globals, name);
    }
    return 0;
}

static int inspect(struct image *im, struct elf_facts *facts)
{
    if (check_header(im) != 0 || read_sections(im, facts) != 0)
        return -1;
    for (size_t i = 0; i < im->ehdr->e_shnum; i++)
        if (im->shdrs[i].sh_type == SHT_SYMTAB && read_symbols(im, &im->shdrs[i], facts) != 0)
            return -1;
    return 0;
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

void elf_facts_free(struct elf_facts *facts)
{
    sl_free(&facts->undefined);
    sl_free(&facts->globals);
    sl_free(&facts->init_sections);
}
