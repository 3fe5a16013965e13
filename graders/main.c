/*
 * main.c - the moulinette: parse the command line, load the grading
 * table, grade every submission, write the report, choose the exit code.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "score.h"
#include "work.h"

/* Finds `name` on PATH (jobs are exec'd without a PATH search). */
static char *find_program(const char *name)
{
    const char *path = getenv("PATH");
    char *copy;
    char *found = NULL;

    if (strchr(name, '/'))
        return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
    copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    for (char *dir = strtok(copy, ":"); dir && !found; dir = strtok(NULL, ":")) {
        char *candidate = xasprintf("%s/%s", dir, name);

        if (access(candidate, X_OK) == 0)
            found = candidate;
        else
            free(candidate);
    }
    free(copy);
    return found;
}

static int find_tools(const struct config *cfg, struct tools *tools)
{
    char *object = config_path(cfg, cfg->test_object);
    int ok = 1;

    tools->cc = find_program(cfg->cc);
    tools->objcopy = find_program("objcopy");
    if (!tools->cc || !tools->objcopy) {
        fprintf(stderr, "moulinette: %s not found on PATH\n", !tools->cc ? cfg->cc : "objcopy");
        ok = 0;
    } else if (access(object, R_OK) != 0) {
        fprintf(stderr, "moulinette: the compiled tests %s are missing (%s): run make\n", object,
                strerror(errno));
        ok = 0;
    }
    free(object);
    return ok;
}

/* Builds and tests every submission, `jobs` processes at a time. Returns
 * NULL when interrupted (every job killed, every scratch removed). */
/* The grader's own tree (config, reference, tests' sources) is hidden
 * from every job. */
static struct sandbox *open_sandbox(const struct config *cfg, int jobs, enum sandbox_mode mode)
{
    struct strlist hide = {0};
    char *base = realpath(cfg->base_dir && *cfg->base_dir ? cfg->base_dir : ".", NULL);
    struct sandbox *sb;
    char *off;

    if (base && strcmp(base, "/") != 0)
        sl_push(&hide, base);
    free(base);
    sb = sandbox_new(jobs, &hide);
    sl_free(&hide);
    if (mode == SANDBOX_OFF) {
        sandbox_disable_isolation(sb);
        return sb;
    }
    off = sandbox_describe(sb);
    if (off && mode == SANDBOX_STRICT) {
        fprintf(stderr, "moulinette: --sandbox=strict: %s\n", off);
        free(off);
        sandbox_free(sb);
        return NULL;
    }
    if (off)
        fprintf(stderr, "moulinette: %s\n", off);
    free(off);
    return sb;
}

static struct grade **grade_all(struct sandbox *sb, const struct config *cfg,
                                const struct tools *tools, char **dirs, size_t n)
{
    char *run_dir = build_open_run_dir();
    struct work **works = xcalloc(n, sizeof *works);
    struct grade **grades = xcalloc(n, sizeof *grades);
    int interrupted;

    for (size_t i = 0; i < n; i++) {
        works[i] = xcalloc(1, sizeof *works[i]);
        *works[i] = (struct work){.cfg = cfg, .tools = tools, .sb = sb, .dir = xstrdup(dirs[i]),
                                  .run_dir = run_dir};
        works[i]->grade = grades[i] = grade_new(cfg, dirs[i]);
        build_start(works[i]);
    }
    interrupted = sandbox_run(sb) != 0;
    for (size_t i = 0; i < n; i++) {
        score_grade(grades[i], cfg->forbidden_penalty);
        work_free(works[i]);
    }
    free(works);
    build_close_run_dir(run_dir);
    if (!interrupted)
        return grades;
    for (size_t i = 0; i < n; i++)
        grade_free(grades[i]);
    free(grades);
    return NULL;
}

static int use_colour(const struct cli *cli)
{
    const char *no_colour = getenv("NO_COLOR");

    return !cli->output && isatty(STDOUT_FILENO) && !(no_colour && *no_colour);
}

int main(int argc, char **argv)
{
    struct cli cli;
    struct config *cfg;
    struct tools tools = {0};
    struct sandbox *sb;
    int sandboxed;
    struct grade **grades;
    char *config_file;
    int status = 0;

    switch (cli_parse(argc, argv, &cli)) {
    case CLI_HELP:
        return 0;
    case CLI_USAGE:
        return 2;
    case CLI_OK:
        break;
    }
    config_file = cli.config ? xstrdup(cli.config) : cli_default_config();
    cfg = config_load(config_file);
    free(config_file);
    if (!cfg)
        return 2;
    if (!find_tools(cfg, &tools))
        return 1;
    sandbox_catch_signals();
    build_sweep_stale();
    sb = open_sandbox(cfg, cli.jobs, cli.sandbox);
    sandboxed = sb != NULL;
    grades = sb ? grade_all(sb, cfg, &tools, cli.submissions, cli.nsubmissions) : NULL;
    sandbox_free(sb);
    if (!grades) {
        if (sandboxed)
            fputs("moulinette: interrupted: nothing graded, no report written\n", stderr);
        free(tools.cc);
        free(tools.objcopy);
        config_free(cfg);
        return sandboxed ? 130 : 1;
    }
    if (report_save(cli.format, cli.output, grades, cli.nsubmissions, use_colour(&cli)) != 0) {
        fprintf(stderr, "moulinette: cannot write the report to %s: %s\n",
                cli.output ? cli.output : "stdout", strerror(errno));
        status = 1;
    }
    for (size_t i = 0; i < cli.nsubmissions; i++)
        grade_free(grades[i]);
    free(grades);
    free(tools.cc);
    free(tools.objcopy);
    config_free(cfg);
    return status;
}
