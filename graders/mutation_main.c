/*
 * mutation_main.c - `make mutants`: proves the moulinette's tests.
 *
 *   mutation-check [--config FILE] [--jobs N] [--reference DIR]
 *                  [--variants DIR]... [--work DIR] [--prepare-only] MANIFEST...
 *
 * Applies every mutant's patch to a copy of the reference (or of the
 * correct variant its entry names as `base`), then grades the reference
 * (the baseline: it must pass every row, or every mutant would look
 * killed), every mutant and every correct variant in one run of the
 * grader, reusing one build of the tests. Fails when the baseline fails a
 * row, a mutant survives or fails differently from its manifest entry, or
 * a variant loses a point (a ring variant, "ring-...", a bonus point too:
 * variant_verdict in mutation.c). --prepare-only writes the mutants'
 * folders into --work and grades nothing (`make bench` grades them as a
 * class).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "grader.h"
#include "mutation.h"

extern char **environ;

struct options {
    const char *config;
    const char *reference;
    const char *work;
    struct strlist variant_dirs;
    int jobs;
    int prepare_only;
    struct strlist manifests;
};

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longs[] = {
        {"config", required_argument, NULL, 'c'}, {"jobs", required_argument, NULL, 'j'},
        {"reference", required_argument, NULL, 'r'}, {"variants", required_argument, NULL, 'v'},
        {"work", required_argument, NULL, 'w'}, {"prepare-only", no_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'c')
            o->config = optarg;
        else if (c == 'j')
            o->jobs = atoi(optarg);
        else if (c == 'r')
            o->reference = optarg;
        else if (c == 'v')
            sl_push(&o->variant_dirs, optarg);
        else if (c == 'w')
            o->work = optarg;
        else if (c == 'p')
            o->prepare_only = 1;
        else
            return -1;
    }
    for (int i = optind; i < argc; i++)
        sl_push(&o->manifests, argv[i]);
    return o->manifests.count > 0 && o->jobs > 0 ? 0 : -1;
}

/* ---- making the mutants ------------------------------------------------------- */

static int run_patch(const char *dir, const char *patch)
{
    char *argv[] = {"patch", "-s", "-p1", "--no-backup-if-mismatch", "-d", (char *)dir,
                    "-i", (char *)patch, NULL};
    pid_t pid;
    int status;

    if (posix_spawnp(&pid, "patch", NULL, NULL, argv, environ) != 0)
        return -1;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* work/<id>: the reference's files (or its `base`'s) with the mutant's
 * patch applied. */
static char *make_mutant(const struct options *o, const struct mutant *m)
{
    const char *base = m->base ? m->base : o->reference;
    static const char *const files[] = {"memory_mapper.c", "memory_mapper.h"};
    char *dir = xasprintf("%s/%s", o->work, m->id);
    char *patch;

    remove_tree(dir);
    if (mkdir(dir, 0755) != 0)
        die("mkdir %s: %s", dir, strerror(errno));
    for (size_t i = 0; i < 2; i++) {
        char *from = xasprintf("%s/%s", base, files[i]);
        char *to = xasprintf("%s/%s", dir, files[i]);

        if (copy_file(from, to, 0644) != 0)
            die("cannot copy %s to %s: %s", from, to, strerror(errno));
        free(from);
        free(to);
    }
    /* patch -d enters the folder before opening -i: the path must be absolute. */
    patch = realpath(m->patch, NULL);
    if (!patch || run_patch(dir, patch) != 0)
        die("mutant %s: %s does not apply to %s (is `patch` installed?)", m->id, m->patch, base);
    free(patch);
    return dir;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_variants(const char *parent, struct strlist *dirs)
{
    DIR *d = opendir(parent);
    struct dirent *e;
    struct strlist names = {0};

    if (!d)
        die("cannot read %s: %s", parent, strerror(errno));
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && e->d_type == DT_DIR)
            sl_push(&names, e->d_name);
    closedir(d);
    qsort(names.items, names.count, sizeof *names.items, compare_names);
    for (size_t i = 0; i < names.count; i++)
        sl_pushf(dirs, "%s/%s", parent, names.items[i]);
    sl_free(&names);
}

/* ---- judging ------------------------------------------------------------------- */

static int check_baseline(const struct grade *g)
{
    int ok = g->compile_ok;

    for (size_t i = 0; i < g->nrows; i++) {
        if (g->rows[i].status == ST_PASS)
            continue;
        printf("BASELINE BROKEN: the reference fails %s: %s\n", g->rows[i].row->id,
               g->rows[i].message);
        ok = 0;
    }
    if (!g->compile_ok)
        printf("BASELINE BROKEN: the reference does not build:\n%s\n", g->compile_log);
    return ok;
}

/* Prints a verdict per mutant; the wrong ones also go to `recap`. */
static int judge_mutants(const struct manifest *m, struct grade *const *grades, struct strbuf *recap)
{
    size_t killed = 0;
    size_t wrong = 0;

    for (size_t i = 0; i < m->count; i++) {
        struct strlist killers = {0};
        struct strbuf problems = {0};
        int ok = mutant_verdict(&m->items[i], grades[i], &killers, &problems);

        killed += killers.count > 0;
        wrong += !ok;
        printf("%-8s %-48s %s\n", ok ? "killed" : "WRONG", m->items[i].id,
               killers.count ? killers.items[0] : "-");
        if (!ok) {
            fputs(problems.data, stdout);
            sb_printf(recap, "WRONG %s:\n%s", m->items[i].id, problems.data);
        }
        sl_free(&killers);
        sb_free(&problems);
    }
    printf("mutation score: %zu/%zu killed, %zu as the manifest says\n", killed, m->count,
           m->count - wrong);
    return wrong == 0;
}

/* Prints a verdict per variant; the wrong ones also go to `recap`. */
static int judge_variants(const struct strlist *dirs, struct grade *const *grades, struct strbuf *recap)
{
    int ok = 1;

    for (size_t i = 0; i < dirs->count; i++) {
        const struct grade *g = grades[i];
        struct strbuf problems = {0};
        int right = variant_verdict(dirs->items[i], g, &problems);

        printf("%-8s %-48s %d/%d, bonus %d/%d\n", right ? "correct" : "WRONG", dirs->items[i], g->score,
               g->max_score, g->bonus_score, g->bonus_max);
        if (!right) {
            fputs(problems.data, stdout);
            sb_printf(recap, "WRONG %s:\n%s", dirs->items[i], problems.data);
        }
        sb_free(&problems);
        ok = ok && right;
    }
    return ok;
}

int main(int argc, char **argv)
{
    struct options o = {"config.yaml", "reference", "build/mutants", {0}, 2, 0, {0}};
    struct manifest m = {0};
    struct strlist dirs = {0};
    struct strlist variants = {0};
    struct config *cfg;
    struct grader *grader;
    struct grade **grades;
    struct strbuf recap = {0};
    int ok;

    if (parse_options(argc, argv, &o) != 0) {
        fputs("usage: mutation-check [--config FILE] [--jobs N] [--reference DIR] "
              "[--variants DIR]... [--work DIR] [--prepare-only] MANIFEST...\n", stderr);
        return 2;
    }
    for (size_t i = 0; i < o.manifests.count; i++)
        if (manifest_load(o.manifests.items[i], &m) != 0)
            return 2;
    cfg = config_load(o.config);
    if (!cfg)
        return 2;
    if (mkdir(o.work, 0755) != 0 && errno != EEXIST)
        die("mkdir %s: %s", o.work, strerror(errno));
    sl_push(&dirs, o.reference);
    for (size_t i = 0; i < m.count; i++) {
        char *dir = make_mutant(&o, &m.items[i]);

        sl_push(&dirs, dir);
        free(dir);
    }
    if (o.prepare_only) {
        printf("%zu mutants written in %s\n", m.count, o.work);
        sl_free(&dirs);
        sl_free(&o.variant_dirs);
        sl_free(&o.manifests);
        manifest_free(&m);
        config_free(cfg);
        return 0;
    }
    for (size_t i = 0; i < o.variant_dirs.count; i++)
        list_variants(o.variant_dirs.items[i], &variants);
    sl_extend(&dirs, &variants);
    grader = grader_open(cfg, o.jobs, SANDBOX_AUTO);
    if (!grader)
        return 1;
    grades = grader_grade(grader, dirs.items, dirs.count);
    grader_close(grader);
    if (!grades)
        return 130;
    ok = check_baseline(grades[0]);
    ok = judge_mutants(&m, grades + 1, &recap) && ok;
    ok = judge_variants(&variants, grades + 1 + m.count, &recap) && ok;
    /* The wrong verdicts once more at the end: a CI log often keeps only
     * its last lines. */
    if (recap.len)
        printf("\n%s", recap.data);
    sb_free(&recap);
    printf("%s\n", ok ? "mutants: all killed as expected, all variants correct" : "mutants: FAILED");
    for (size_t i = 0; i < dirs.count; i++)
        grade_free(grades[i]);
    free(grades);
    sl_free(&dirs);
    sl_free(&variants);
    sl_free(&o.variant_dirs);
    sl_free(&o.manifests);
    manifest_free(&m);
    config_free(cfg);
    return ok ? 0 : 1;
}
