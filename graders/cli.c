/*
 * cli.c - see cli.h.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intake.h"
#include "util.h"

static const char usage[] =
    "usage: moulinette [--config FILE] [--format FMT] [--output FILE] [--jobs N]\n"
    "                  [--sandbox auto|strict|off] [--no-bonus] [--row ID]...\n"
    "                  [--test SUITE/NAME]... [--verbose] [--for-students] [--shard I/N]\n"
    "                  [--roster FILE] [--valgrind] SUBMISSION...\n"
    "       moulinette merge [--config FILE] [--format FMT] [--output FILE] [--force] REPORT.json...\n"
    "Grades each folder (memory_mapper.c and memory_mapper.h) against config.yaml.\n"
    "  --config FILE   grading table (default: ./config.yaml, else the one beside build/)\n"
    "  --format FMT    text (default), json, csv, junit, tap, gradescope or html\n"
    "  --output FILE   write the report there (atomically) instead of stdout\n"
    "  --jobs N        processes run at once (default: number of CPUs)\n"
    "  --sandbox MODE  auto (default): use every protection the machine allows, say\n"
    "                  which are off; strict: refuse to grade without all of them;\n"
    "                  off: sessions and rlimits only (to time the sandbox, trusted code)\n"
    "  --no-bonus      grade the main rows only, not the bonus or extra rows\n"
    "  --row ID        grade this row only (repeatable); the score says it is partial\n"
    "  --test S/N      grade this test only (repeatable), e.g. cross_process/one_page\n"
    "  --verbose, -v   show every test: verdict, time, last step, and what it printed\n"
    "  --for-students  a report to publish: hidden rows and tests show their verdict\n"
    "                  and points, never their reasons or output\n"
    "  --valgrind      run the code under valgrind (memcheck): its reports come with\n"
    "                  each test's output (--verbose); timeouts 10 times longer\n"
    "  --shard I/N     grade only the I-th of N slices of the submissions (every N-th,\n"
    "                  from the I-th); `moulinette merge` joins the JSON reports\n"
    "  --roster FILE   CSV (submission,student_id,student_name): each submission's student\n"
    "SUBMISSION: a folder holding memory_mapper.c (or holding it below), a .zip, .tar,\n"
    "  .tar.gz or .tgz, or a folder of those (one submission each): see README, Inputs.\n"
    "Exit status: 0 every submission graded, 2 usage or config error, 1 grader failure.\n";

static int parse_jobs(const char *s, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 64)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_sandbox(const char *s, enum sandbox_mode *out)
{
    static const char *const names[] = {[SANDBOX_AUTO] = "auto", [SANDBOX_STRICT] = "strict",
                                        [SANDBOX_OFF] = "off"};

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum sandbox_mode)i;
            return 0;
        }
    }
    return -1;
}

/* "I/N" with 1 <= I <= N <= 10000. */
static int parse_shard(const char *s, int *shard, int *shards)
{
    char *end;
    long i, n;

    errno = 0;
    i = strtol(s, &end, 10);
    if (errno || end == s || *end != '/')
        return -1;
    s = end + 1;
    n = strtol(s, &end, 10);
    if (errno || end == s || *end || n < 1 || n > 10000 || i < 1 || i > n)
        return -1;
    *shard = (int)i;
    *shards = (int)n;
    return 0;
}

static enum cli_status fail(const char *fmt, const char *arg)
{
    fputs("moulinette: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(usage, stderr);
    return CLI_USAGE;
}

static enum cli_status check_submissions(const struct cli *cli)
{
    struct stat st;

    if (cli->nsubmissions == 0)
        return fail("%sno submission folder given", "");
    for (size_t i = 0; i < cli->nsubmissions; i++)
        if (stat(cli->submissions[i], &st) != 0
            || !(S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && intake_is_archive(cli->submissions[i]))))
            return fail("%s: not a folder or an archive (.zip, .tar, .tar.gz, .tgz)", cli->submissions[i]);
    return CLI_OK;
}

enum cli_status cli_parse(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
        {"sandbox", required_argument, NULL, 's'}, {"no-bonus", no_argument, NULL, 'b'},
        {"row", required_argument, NULL, 'r'},     {"test", required_argument, NULL, 't'},
        {"verbose", no_argument, NULL, 'v'},       {"for-students", no_argument, NULL, 'S'},
        {"shard", required_argument, NULL, 'H'},   {"valgrind", no_argument, NULL, 'V'},
        {"roster", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int c;

    *cli = (struct cli){.format = &report_text, .jobs = cpus > 0 && cpus < 64 ? (int)cpus : 2,
                        .sandbox = SANDBOX_AUTO};
    while ((c = getopt_long(argc, argv, "c:f:o:j:hv", options, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return CLI_HELP;
        } else if (c == 'c')
            cli->config = optarg;
        else if (c == 'b')
            cli->no_bonus = 1;
        else if (c == 'r')
            sl_push(&cli->rows, optarg);
        else if (c == 't')
            sl_push(&cli->tests, optarg);
        else if (c == 'v')
            cli->verbose = 1;
        else if (c == 'S')
            cli->for_students = 1;
        else if (c == 'V')
            cli->valgrind = 1;
        else if (c == 'H' && parse_shard(optarg, &cli->shard, &cli->shards) != 0)
            return fail("--shard takes I/N with 1 <= I <= N, as in 2/4, not \"%s\"", optarg);
        else if (c == 'o')
            cli->output = optarg;
        else if (c == 'R')
            cli->roster = optarg;
        else if (c == 'f' && !(cli->format = report_find(optarg)))
            return fail("unknown format \"%s\" (text, json, csv, junit, tap, gradescope or html)", optarg);
        else if (c == 'j' && parse_jobs(optarg, &cli->jobs) != 0)
            return fail("--jobs takes a number from 1 to 64, not \"%s\"", optarg);
        else if (c == 's' && parse_sandbox(optarg, &cli->sandbox) != 0)
            return fail("--sandbox is auto, strict or off, not \"%s\"", optarg);
        else if (c == '?')
            return fail("%sunknown option", "");
    }
    cli->submissions = argv + optind;
    cli->nsubmissions = (size_t)(argc - optind);
    return check_submissions(cli);
}

void cli_free(struct cli *cli)
{
    sl_free(&cli->rows);
    sl_free(&cli->tests);
}

char *cli_default_config(void)
{
    char exe[PATH_MAX];
    ssize_t n;
    char *slash;

    if (access("config.yaml", F_OK) == 0)
        return xstrdup("config.yaml");
    /* build/moulinette -> build/../config.yaml */
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return xstrdup("config.yaml");
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    return xasprintf("%s/../config.yaml", exe);
}
