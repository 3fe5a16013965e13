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
#include "grader.h"
#include "intake.h"
#include "merge.h"
#include "sandbox.h"

static int use_colour(const struct cli *cli)
{
    const char *no_colour = getenv("NO_COLOR");

    return !cli->output && isatty(STDOUT_FILENO) && !(no_colour && *no_colour);
}

/* --valgrind: valgrind must be there (a job cannot ask for it). */
static int use_valgrind(struct config *cfg)
{
    char *valgrind = find_on_path("valgrind");
    int found = valgrind != NULL;

    free(valgrind);
    if (!found) {
        fputs("moulinette: --valgrind: valgrind is not installed (Debian/Ubuntu: apt-get install -y "
              "valgrind)\n", stderr);
        return -1;
    }
    config_run_under(cfg, "valgrind", 10);
    return 0;
}

/* --row and --test narrow the table; a name that matches nothing is a
 * usage error, never an empty grade. */
static int select_rows(const struct cli *cli, struct config *cfg)
{
    char *error;

    if (cli->rows.count == 0 && cli->tests.count == 0)
        return 0;
    if (config_select(cfg, &cli->rows, &cli->tests, &error) == 0)
        return 0;
    fprintf(stderr, "moulinette: %s\n", error);
    free(error);
    return -1;
}

int main(int argc, char **argv)
{
    struct cli cli;
    struct config *cfg;
    struct grader *grader;
    struct intake *intake;
    struct grade **grades;
    char *config_file;
    int status = 0;

    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return merge_main(argc - 1, argv + 1);
    switch (cli_parse(argc, argv, &cli)) {
    case CLI_HELP:
        cli_free(&cli);
        return 0;
    case CLI_USAGE:
        cli_free(&cli);
        return 2;
    case CLI_OK:
        break;
    }
    config_file = cli.config ? xstrdup(cli.config) : cli_default_config();
    cfg = config_load(config_file);
    free(config_file);
    if (!cfg)
        return 2;
    if (cli.no_bonus)
        config_drop_bonus(cfg);
    if (select_rows(&cli, cfg) != 0) {
        config_free(cfg);
        cli_free(&cli);
        return 2;
    }
    if (cli.valgrind && use_valgrind(cfg) != 0) {
        config_free(cfg);
        cli_free(&cli);
        return 2;
    }
    sandbox_set_verbose(cli.verbose);
    report_text_verbose(cli.verbose);
    report_text_program(argv[0]);
    intake = intake_open(cfg, cli.submissions, cli.nsubmissions);
    intake_take_shard(intake, cli.shard, cli.shards);
    if (cli.roster && intake_roster(intake, cli.roster) != 0) {
        intake_free(intake);
        config_free(cfg);
        cli_free(&cli);
        return 2;
    }
    grader = grader_open(cfg, cli.jobs, cli.sandbox);
    if (!grader) {
        intake_free(intake);
        config_free(cfg);
        cli_free(&cli);
        return 1;
    }
    grades = intake_grade(intake, grader, cfg);
    grader_close(grader);
    if (!grades) {
        fputs("moulinette: interrupted: nothing graded, no report written\n", stderr);
        intake_free(intake);
        config_free(cfg);
        cli_free(&cli);
        return 130;
    }
    for (size_t i = 0; i < intake->count && cli.for_students; i++)
        grade_for_students(grades[i]);
    if (report_save(cli.format, cli.output, grades, intake->count, use_colour(&cli)) != 0) {
        fprintf(stderr, "moulinette: cannot write the report to %s: %s\n",
                cli.output ? cli.output : "stdout", strerror(errno));
        status = 1;
    }
    for (size_t i = 0; i < intake->count; i++)
        grade_free(grades[i]);
    free(grades);
    intake_free(intake);
    config_free(cfg);
    cli_free(&cli);
    return status;
}
