/*
 * replay.c - a main() for a fuzz target without libFuzzer: runs it once on
 * each file named, and on each file of each folder named (sorted, hidden
 * files skipped). `make check-asan` replays the seed corpus and every
 * crash ever found (fuzz/regress/) this way, with gcc's sanitizers.
 *
 *   fuzz-TARGET FILE-OR-DIR...
 *
 * A broken promise or a sanitizer report aborts; otherwise it prints how
 * many inputs it ran and exits 0. A path that does not exist is skipped
 * (fuzz/regress/TARGET/ exists once a crash was found).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static void run_file(const char *path, size_t *runs)
{
    size_t len = 0;
    char *data = read_file(path, &len);
    uint8_t *copy;

    if (!data)
        die("%s: %s", path, strerror(errno));
    /* An exact-size copy, as libFuzzer passes it: a read past the input's
     * end is a heap overflow here too, not a read of read_file's NUL. */
    copy = xmalloc(len);
    memcpy(copy, data, len);
    free(data);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    (*runs)++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void run_dir(const char *dir, size_t *runs)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, by_name);

    if (n < 0) {
        if (errno == ENOENT)
            return;
        die("%s: %s", dir, strerror(errno));
    }
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char *path = xasprintf("%s/%s", dir, names[i]->d_name);

            run_file(path, runs);
            free(path);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    size_t runs = 0;
    struct stat st;

    for (int i = 1; i < argc; i++) {
        if (stat(argv[i], &st) != 0) {
            if (errno == ENOENT)
                continue;
            die("%s: %s", argv[i], strerror(errno));
        }
        if (S_ISDIR(st.st_mode))
            run_dir(argv[i], &runs);
        else
            run_file(argv[i], &runs);
    }
    printf("%s: %zu input(s) replayed, no broken promise, no sanitizer report\n", argv[0], runs);
    return 0;
}
