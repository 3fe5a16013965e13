/*
 * Unit tests of elf.c: small C snippets compiled with gcc in a temporary
 * folder, one refusal each, with the lists of the real config.yaml (a list
 * that refuses a correct solution is a bug in the list, so the reference
 * and every correct variant are compiled too, as the grader compiles them
 * and with other flags, and must pass). Then malformed objects: truncated
 * and corrupted ones must give an error or facts, never a crash.
 *
 * Run from the top of the tree (make unit does): it reads config.yaml,
 * reference/ and the shims in tests/.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../graders/config.h"
#include "../../graders/elf.h"

static struct config *g_cfg;
static char *g_dir;

static void setup(void)
{
    char dir[] = "/tmp/test-elf-XXXXXX";

    g_cfg = config_load("config.yaml");
    cr_assert_not_null(g_cfg, "config.yaml does not load (run from the top of the tree)");
    cr_assert_not_null(mkdtemp(dir));
    g_dir = xstrdup(dir);
}

static void teardown(void)
{
    remove_tree(g_dir);
    free(g_dir);
    config_free(g_cfg);
}

TestSuite(elf, .init = setup, .fini = teardown, .timeout = 60);

static void write_text(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");

    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    free(path);
}

/* Runs gcc in g_dir: "gcc <flags> -c <sources>". 0 if it succeeded. */
static int gcc(const char *flags, const char *sources)
{
    char *cmd = xasprintf("cd '%s' && gcc %s -c %s 2>gcc.log", g_dir, flags, sources);
    int rc = system(cmd);

    free(cmd);
    return rc;
}

/* The grader's flags without -Werror (a variant's harmless warning under
 * other optimisation flags is not what this test is about). */
static char *config_flags(const char *more)
{
    struct strbuf sb = {0};

    for (size_t i = 0; i < g_cfg->cflags.count; i++)
        if (strcmp(g_cfg->cflags.items[i], "-Werror") != 0)
            sb_printf(&sb, "%s ", g_cfg->cflags.items[i]);
    sb_printf(&sb, "-w -D_DEFAULT_SOURCE %s", more);
    return sb_take(&sb);
}

/* Why the grader would refuse `object` in g_dir, or NULL; `shim`: checked
 * as an object compiled from the submission's header. */
static char *refusal_of(const char *object, int shim)
{
    const struct elf_policy policy = {&g_cfg->refused_symbols, &g_cfg->allowed_sections,
                                      shim ? &g_cfg->shim_globals : NULL};
    char *path = xasprintf("%s/%s", g_dir, object);
    struct elf_facts facts;
    char *error = NULL;
    char *why;

    cr_assert_eq(elf_inspect(path, &facts, &error), 0, "%s", error);
    why = elf_refusal(&facts, &policy, shim ? "memory_mapper.h" : "memory_mapper.o");
    elf_facts_free(&facts);
    free(path);
    return why;
}

/* Compiles `source` as memory_mapper.c and expects `message` in the refusal. */
static void expect_refused(const char *source, const char *message)
{
    char *flags = config_flags("");
    char *why;

    write_text("memory_mapper.c", source);
    cr_assert_eq(gcc(flags, "memory_mapper.c"), 0, "the snippet does not compile:\n%s", source);
    why = refusal_of("memory_mapper.o", 0);
    cr_assert_not_null(why, "not refused; expected \"%s\"", message);
    cr_assert(strstr(why, message), "expected \"%s\" in \"%s\"", message, why);
    free(why);
    free(flags);
}

/* ---- one refusal each -------------------------------------------------------------- */

Test(elf, criterion_call_refused)
{
    expect_refused("struct criterion_assert_stats;\n"
                   "void criterion_send_assert(struct criterion_assert_stats *);\n"
                   "int unmap(void *m) { criterion_send_assert(m); return 0; }\n",
                   "refused: memory_mapper.o calls criterion_send_assert, which a memory-mapping "
                   "exercise has no use for");
}

Test(elf, criterion_definition_refused)
{
    expect_refused("void criterion_send_assert(void *s);\n"
                   "void criterion_send_assert(void *s) { (void)s; }\n",
                   "refused: memory_mapper.o defines criterion_send_assert, a name of the tests'");
}

Test(elf, dlsym_refused)
{
    expect_refused("#include <dlfcn.h>\n"
                   "void *unmap(void) { return dlsym(RTLD_DEFAULT, \"criterion_send_assert\"); }\n",
                   "calls dlsym, which");
}

/* .symver binds an undefined "dlsym@GLIBC_2.2.5" to dlsym: same name. */
Test(elf, versioned_dlsym_refused)
{
    expect_refused("void *hidden(void *, const char *);\n"
                   "__asm__(\".symver hidden, dlsym@GLIBC_2.2.5\");\n"
                   "void *unmap(void) { return hidden((void *)0, \"x\"); }\n",
                   "calls dlsym, which");
}

Test(elf, syscall_refused)
{
    expect_refused("#include <sys/syscall.h>\n#include <unistd.h>\n"
                   "long unmap(void) { return syscall(SYS_write, 3, \"T\", 1); }\n",
                   "calls syscall, which");
}

Test(elf, atexit_refused)
{
    expect_refused("#include <stdlib.h>\n"
                   "static void late(void) {}\n"
                   "int unmap(void) { return atexit(late); }\n",
                   "calls atexit, which");
}

Test(elf, section_bounds_refused)
{
    expect_refused("extern char __start_cr_tst[];\n"
                   "char *unmap(void) { return __start_cr_tst; }\n",
                   "calls __start_cr_tst");
}

Test(elf, criterion_hook_section_refused)
{
    expect_refused("static void hook(void) {}\n"
                   "__attribute__((section(\"cr_pra\"), used)) static void (*p)(void) = hook;\n",
                   "refused: memory_mapper.o has a section named \"cr_pra\", which ordinary C "
                   "code does not produce");
}

Test(elf, constructor_refused_with_todays_message)
{
    expect_refused("__attribute__((constructor)) static void early(void) {}\n",
                   "refused: constructor in memory_mapper.o (.init_array): code that runs before "
                   "or after the tests is not allowed");
}

Test(elf, constructor_with_priority_refused)
{
    expect_refused("__attribute__((constructor(101))) static void early(void) {}\n",
                   "refused: constructor in memory_mapper.o (.init_array.00101)");
}

Test(elf, ifunc_refused)
{
    expect_refused("static int impl(void) { return 0; }\n"
                   "static int (*pick(void))(void) { return impl; }\n"
                   "int unmap(void) __attribute__((ifunc(\"pick\")));\n",
                   "refused: memory_mapper.o defines unmap as an IFUNC (STT_GNU_IFUNC)");
}

/* ---- the header, through the shims ---------------------------------------------------- */

/* The reference header plus `extra`, as the submission's memory_mapper.h. */
static void write_header(const char *extra)
{
    char *header = read_file("reference/memory_mapper.h", NULL);
    char *guard_end;
    char *text;

    cr_assert_not_null(header);
    guard_end = strstr(header, "#endif");
    cr_assert_not_null(guard_end);
    while (strstr(guard_end + 1, "#endif"))
        guard_end = strstr(guard_end + 1, "#endif");
    text = xasprintf("%.*s%s\n%s", (int)(guard_end - header), header, extra, guard_end);
    write_text("memory_mapper.h", text);
    free(text);
    free(header);
}

/* Compiles tests/shim.c against a header with `extra` and returns the
 * refusal of mm_shim.o (NULL if none). */
static char *shim_refusal(const char *extra)
{
    char *shim = read_file("tests/shim.c", NULL);
    char *flags = config_flags("-I.");
    char *why;

    cr_assert_not_null(shim);
    write_header(extra);
    write_text("mm_shim.c", shim);
    cr_assert_eq(gcc(flags, "mm_shim.c"), 0, "the shim does not compile with:\n%s", extra);
    why = refusal_of("mm_shim.o", 1);
    free(flags);
    free(shim);
    return why;
}

Test(elf, weak_mincore_in_header_refused)
{
    char *why = shim_refusal("__attribute__((weak)) int mincore(void *a, size_t l, unsigned char *v)\n"
                             "{ (void)a; (void)l; (void)v; return 0; }\n");

    cr_assert(why && strstr(why, "refused: memory_mapper.h defines mincore: a header may only "
                                 "declare"), "%s", why ? why : "(accepted)");
    free(why);
}

Test(elf, constructor_in_header_refused)
{
    char *why = shim_refusal("__attribute__((constructor)) static void early(void) {}\n");

    cr_assert(why && strstr(why, "refused: constructor in memory_mapper.h"), "%s",
              why ? why : "(accepted)");
    free(why);
}

/* Code kept in a shim by `used`, with no global name: the symbols it calls
 * are still checked. */
Test(elf, refused_call_in_header_refused)
{
    char *why = shim_refusal("#include <dlfcn.h>\n"
                             "__attribute__((used)) static void *look(void)\n"
                             "{ return dlsym((void *)0, \"criterion_send_assert\"); }\n");

    cr_assert(why && strstr(why, "refused: memory_mapper.h calls dlsym"), "%s",
              why ? why : "(accepted)");
    free(why);
}

Test(elf, static_inline_in_header_accepted)
{
    char *why = shim_refusal("static inline size_t twice(size_t n) { return 2 * n; }\n");

    cr_assert_null(why, "%s", why);
}

/* ---- correct solutions pass ------------------------------------------------------------ */

/* Every folder holding a correct solution: the reference and its variants. */
static struct strlist solutions(void)
{
    struct strlist dirs = {0};
    DIR *d = opendir("reference/variants");
    struct dirent *e;

    sl_push(&dirs, "reference");
    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            sl_pushf(&dirs, "reference/variants/%s", e->d_name);
    closedir(d);
    return dirs;
}

static void copy_in(const char *from, const char *name)
{
    char *text = read_file(from, NULL);

    cr_assert_not_null(text, "cannot read %s", from);
    write_text(name, text);
    free(text);
}

/* Each correct solution compiled with `more` flags: its object and the
 * shims compiled against its header pass. */
static void solutions_pass(const char *more)
{
    struct strlist dirs = solutions();
    static const char *const shims[] = {"tests/shim.c", "tests/name_shim.c", "tests/ring_shim.c"};
    char *flags = config_flags(more);

    for (size_t i = 0; i < dirs.count; i++) {
        char *c = xasprintf("%s/memory_mapper.c", dirs.items[i]);
        char *h = xasprintf("%s/memory_mapper.h", dirs.items[i]);
        char *why;

        copy_in(c, "memory_mapper.c");
        copy_in(h, "memory_mapper.h");
        cr_assert_eq(gcc(flags, "-I. memory_mapper.c"), 0, "%s does not compile with %s", c, more);
        why = refusal_of("memory_mapper.o", 0);
        cr_assert_null(why, "%s compiled with %s: %s", c, more, why);
        for (size_t s = 0; s < sizeof shims / sizeof shims[0]; s++) {
            copy_in(shims[s], "shim.c");
            /* An optional shim may not compile against a variant's header. */
            if (gcc(flags, "-I. shim.c") != 0)
                continue;
            why = refusal_of("shim.o", 1);
            cr_assert_null(why, "%s against %s with %s: %s", shims[s], h, more, why);
        }
        free(c);
        free(h);
    }
    free(flags);
    sl_free(&dirs);
}

Test(elf, solutions_pass_as_graded) { solutions_pass(""); }
Test(elf, solutions_pass_optimised) { solutions_pass("-O2 -D_FORTIFY_SOURCE=2"); }
Test(elf, solutions_pass_o3_debug) { solutions_pass("-O3 -g"); }
Test(elf, solutions_pass_pic) { solutions_pass("-fPIC -O1 -fcf-protection -fstack-protector-strong"); }
Test(elf, solutions_pass_own_sections) { solutions_pass("-Os -g3 -ffunction-sections -fdata-sections"); }

/* ---- untrusted input ------------------------------------------------------------------- */

Test(elf, names_made_printable_and_cut)
{
    char long_name[200];
    char *s;

    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    s = elf_printable(long_name);
    cr_assert_eq(strlen(s), 64 + 3);
    cr_assert_str_eq(s + 64, "...");
    free(s);
    s = elf_printable("a\033[2Jb\x80");
    cr_assert_str_eq(s, "a?[2Jb?");
    free(s);
}

Test(elf, patterns)
{
    struct strlist p = {0};

    sl_push(&p, "cr_*");
    sl_push(&p, "dlsym");
    cr_assert(elf_name_matches("cr_pra", &p));
    cr_assert(elf_name_matches("cr_", &p));
    cr_assert(elf_name_matches("dlsym", &p));
    cr_assert_not(elf_name_matches("dlsym2", &p));
    cr_assert_not(elf_name_matches("cri", &p));
    cr_assert_not(elf_name_matches("map_file", &p));
    sl_free(&p);
}

/* Writes `len` bytes of `data` as g_dir/bad.o and inspects it: an error or
 * facts, never a crash (a crash fails the test). */
static int inspect_bytes(const unsigned char *data, size_t len)
{
    char *path = xasprintf("%s/bad.o", g_dir);
    FILE *f = fopen(path, "wb");
    struct elf_facts facts;
    char *error = NULL;
    int rc;

    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    rc = elf_inspect(path, &facts, &error);
    cr_assert(rc == 0 || error, "an error without a message");
    elf_facts_free(&facts);
    free(error);
    free(path);
    return rc;
}

static unsigned char *reference_object(size_t *len)
{
    char *flags = config_flags("-g");
    char *path = xasprintf("%s/memory_mapper.o", g_dir);
    unsigned char *data;

    copy_in("reference/memory_mapper.c", "memory_mapper.c");
    copy_in("reference/memory_mapper.h", "memory_mapper.h");
    cr_assert_eq(gcc(flags, "-I. memory_mapper.c"), 0);
    data = (unsigned char *)read_file(path, len);
    cr_assert_not_null(data);
    free(flags);
    free(path);
    return data;
}

Test(elf, truncated_objects_are_errors)
{
    size_t len;
    unsigned char *data = reference_object(&len);

    cr_assert_eq(inspect_bytes(data, len), 0, "the whole object must read");
    cr_assert_neq(inspect_bytes(data, 0), 0);
    cr_assert_neq(inspect_bytes((const unsigned char *)"not an object", 13), 0);
    /* The section headers are at the end: every cut loses some. */
    for (size_t cut = 1; cut < len; cut += 1 + cut / 64)
        cr_assert_neq(inspect_bytes(data, cut), 0, "cut at %zu of %zu read as an object", cut, len);
    free(data);
}

/* Corrupts the header, the section headers and the symbol table with a
 * fixed pseudo-random sequence (reproducible): offsets, sizes, indices and
 * names pointing anywhere. */
Test(elf, corrupted_objects_never_crash)
{
    size_t len;
    unsigned char *data = reference_object(&len);
    unsigned char *copy = xmalloc(len);
    unsigned long seed = 12345;

    for (int round = 0; round < 3000; round++) {
        memcpy(copy, data, len);
        for (int k = 0; k < 1 + round % 8; k++) {
            size_t at;

            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            /* A third in the ELF header, a third at the end (section
             * headers: offsets, sizes, links), a third anywhere. */
            at = (seed >> 20) % len;
            if ((seed >> 33) % 3 == 0)
                at = (seed >> 20) % 64;
            else if ((seed >> 33) % 3 == 1)
                at = len - 1 - (seed >> 20) % (len < 4096 ? len : 4096);
            copy[at] = (unsigned char)(seed >> 12);
        }
        inspect_bytes(copy, len);
    }
    free(copy);
    free(data);
}

/* Where a forbidden function is called: the function around each
 * relocation, at any optimisation level and with -ffunction-sections. */
static void expect_callers(const char *extra_flags, const char *symbol, const char *callers)
{
    static const char source[] =
        "#include <stdlib.h>\n"
        "void *one(void);\nvoid *two(int n);\n"
        "static void *helper(int n) { return malloc((size_t)n + 1); }\n"
        "void *one(void) { return malloc(8); }\n"
        "void *two(int n) { void *p = calloc(1, 2); return n ? p : helper(n); }\n";
    char *flags = config_flags(extra_flags);
    char *path = xasprintf("%s/memory_mapper.o", g_dir);
    struct elf_facts facts;
    char *error = NULL;
    char *found;

    write_text("memory_mapper.c", source);
    cr_assert_eq(gcc(flags, "memory_mapper.c"), 0);
    cr_assert_eq(elf_inspect(path, &facts, &error), 0, "%s", error);
    found = elf_callers(&facts, symbol);
    cr_assert_str_eq(found, callers, "with %s", extra_flags);
    free(found);
    elf_facts_free(&facts);
    free(path);
    free(flags);
}

Test(elf, forbidden_call_located)
{
    expect_callers("-O0", "malloc", "helper, one");
    expect_callers("-O0", "calloc", "two");
    expect_callers("-O0 -ffunction-sections", "malloc", "helper, one");
    expect_callers("-O0", "realloc", "");
}
