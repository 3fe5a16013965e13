/*
 * main.c - the test runner's entry point and its one report.
 *
 * The grader never reads what the runner prints (a submission can print
 * anything). It reads the records this file writes to the descriptor named
 * by MM_RESULT_FD, from the runner process, which runs no student code
 * (tests run in Criterion's worker processes, which do not inherit that
 * descriptor: the workers are re-executed and start with Criterion's own
 * descriptors only).
 *
 * One record per test, tab-separated, '\t' '\n' '\\' escaped:
 *   T suite/name completed status crashed signal exit_code timed_out message step
 * `completed` is 1 when the test reached mm_finish's mark (harness.h).
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int g_result_fd = -1;

static void put_escaped(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\t')
            fputs("\\t", out);
        else if (*s == '\n')
            fputs("\\n", out);
        else if (*s == '\\')
            fputs("\\\\", out);
        else
            fputc(*s, out);
    }
}

/* The step the test recorded last (harness.c), removed once read. */
static void put_step(FILE *out, const struct criterion_test *t)
{
    char path[256];
    char step[257];
    ssize_t n = 0;
    int fd;

    snprintf(path, sizeof path, "/tmp/mm-step-%d-%s-%s", (int)getpid(), t->category,
             t->name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, step, sizeof step - 1);
        close(fd);
        unlink(path);
    }
    step[n > 0 ? n : 0] = '\0';
    put_escaped(out, step);
}

static const char *first_failure(const struct criterion_test_stats *ts)
{
    for (const struct criterion_assert_stats *a = ts->asserts; a; a = a->next)
        if (!a->passed)
            return a->message && *a->message ? a->message : "assertion failed";
    return "";
}

static void put_record(FILE *out, const struct criterion_test_stats *ts)
{
    fprintf(out, "T\t%s/%s\t%d\t%d\t%d\t%d\t%d\t%d\t", ts->test->category, ts->test->name,
            ts->passed_asserts > 0, (int)ts->test_status, ts->crashed, ts->signal,
            ts->exit_code, ts->timed_out);
    put_escaped(out, first_failure(ts));
    fputc('\t', out);
    put_step(out, ts->test);
    fputc('\n', out);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    FILE *out;

    /* Without the grader, the records go nowhere, but the step files are
     * still read (and removed). */
    out = g_result_fd >= 0 ? fdopen(g_result_fd, "w") : fopen("/dev/null", "w");
    if (!out)
        return;
    for (const struct criterion_suite_stats *ss = stats->suites; ss; ss = ss->next)
        for (const struct criterion_test_stats *ts = ss->tests; ts; ts = ts->next)
            put_record(out, ts);
    fputs("E\n", out);
    fclose(out);
    g_result_fd = -1;
}

/* The descriptor is made close-on-exec so that no worker inherits it. */
static void take_result_fd(void)
{
    const char *env = getenv("MM_RESULT_FD");
    char *end;
    long fd;

    if (!env)
        return;
    errno = 0;
    fd = strtol(env, &end, 10);
    if (errno || *end || fd < 3 || fd > 1024 || fcntl((int)fd, F_SETFD, FD_CLOEXEC) == -1)
        return;
    g_result_fd = (int)fd;
    unsetenv("MM_RESULT_FD");
}

int main(int argc, char *argv[])
{
    struct criterion_test_set *tests;
    int ok = 1;

    /* The test workers run as the same uid as this runner (always, when
     * the grader is not root): non-dumpable, the runner's /proc/<pid>/fd
     * is closed to them, so they cannot open its result descriptor there
     * and write records of their own. */
    prctl(PR_SET_DUMPABLE, 0);
    take_result_fd();
    tests = criterion_initialize();
    if (criterion_handle_args(argc, argv, true))
        ok = criterion_run_all_tests(tests);
    criterion_finalize(tests);
    return ok ? 0 : 1;
}
