/*
 * fuzz_elf.c - any bytes as an object file built from a submission.
 *
 * elf_inspect() reads the objects compiled from a student's files before
 * anything of them runs (elf.h: "the object is untrusted input"); a
 * submission controls their bytes through its code, its sections and its
 * symbol names (and a tampered scratch folder could hold any file). The
 * input goes to a memory file read back through its /proc/self/fd path,
 * so the real elf_inspect() reads it. Promises checked:
 *   - any bytes: 0 with facts, or -1 with a message; no crash, no read
 *     outside the file, no leak (the facts are freed either way);
 *   - the refusal built from the facts under the real config.yaml's lists
 *     (the submission's rules, and the shims' with their allowed globals)
 *     is one printable ASCII line: names quoted from the object are cut at
 *     64 bytes and made printable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../graders/config.h"
#include "../graders/elf.h"
#include "fuzz.h"

static const struct config *table(void)
{
    static struct config *cfg;

    if (!cfg) {
        cfg = config_load(MM_SOURCE_DIR "/config.yaml");
        if (!cfg)
            fz_fail(__FILE__, __LINE__, "cannot load %s/config.yaml", MM_SOURCE_DIR);
    }
    return cfg;
}

/* The path of a memory file holding the input (one file for all runs). */
static const char *as_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];

    if (fd < 0) {
        fd = memfd_create("fuzz-elf", 0);
        if (fd < 0)
            fz_fail(__FILE__, __LINE__, "memfd_create failed");
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
        fz_fail(__FILE__, __LINE__, "cannot write the memory file");
    return path;
}

/* A refusal is one line of printable ASCII, and not a long one: names are
 * cut at 64 bytes, the rest is the grader's own wording. */
static void check_refusal(const char *text)
{
    size_t len;

    if (!text)
        return;
    len = strlen(text);
    FZ_CHECK(len < 512, "a refusal of %zu bytes: %.100s...", len, text);
    for (size_t i = 0; i < len; i++)
        FZ_CHECK(text[i] >= 0x20 && text[i] <= 0x7e, "byte 0x%02x at %zu of the refusal: %s",
                 (unsigned char)text[i], i, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct config *cfg = table();
    const struct elf_policy sources = {&cfg->refused_symbols, &cfg->allowed_sections, NULL};
    const struct elf_policy shims = {&cfg->refused_symbols, &cfg->allowed_sections,
                                     &cfg->shim_globals};
    struct elf_facts facts;
    char *error = NULL;
    char *why;

    if (elf_inspect(as_file(data, size), &facts, &error) != 0) {
        FZ_CHECK(error && *error, "elf_inspect failed without a message");
        free(error);
        elf_facts_free(&facts);
        return 0;
    }
    FZ_CHECK(!error, "elf_inspect succeeded with a message: %s", error);
    why = elf_refusal(&facts, &sources, "memory_mapper.o");
    check_refusal(why);
    free(why);
    why = elf_refusal(&facts, &shims, "memory_mapper.h");
    check_refusal(why);
    free(why);
    elf_facts_free(&facts);
    return 0;
}
