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

static int use_colour(const struct cli *cli)
{
    const char *no_colour = getenv("NO_COLOR");

    return !cli->output && isatty(STDOUT_FILENO) && !(no_colour && *no_colour);
}

int main(int argc, char **argv)
{
    struct cli cli;
    struct config *cfg;
    struct grader *grader;
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
    if (cli.no_bonus)
        config_drop_bonus(cfg);
    grader = grader_open(cfg, cli.jobs, cli.sandbox);
    if (!grader) {
        config_free(cfg);
        return 1;
    }
    grades = grader_grade(grader, cli.submissions, cli.nsubmissions);
    grader_close(grader);
    if (!grades) {
        fputs("moulinette: interrupted: nothing graded, no report written\n", stderr);
        config_free(cfg);
        return 130;
    }
    if (report_save(cli.format, cli.output, grades, cli.nsubmissions, use_colour(&cli)) != 0) {
        fprintf(stderr, "moulinette: cannot write the report to %s: %s\n",
                cli.output ? cli.output : "stdout", strerror(errno));
        status = 1;
    }
    for (size_t i = 0; i < cli.nsubmissions; i++)
        grade_free(grades[i]);
    free(grades);
    config_free(cfg);
    return status;
}
