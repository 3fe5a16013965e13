/*
 * runner.c - the checker's entry point: runs the tests (check.h) one at a
 * time, each in a process of its own, and reports them.
 *
 *   checker [--driver=PATH] [--filter=GLOB] [--timeout=SECONDS] [--list]
 *
 * --driver: the submission linked with tests/driver.c (default ./driver).
 * --filter: a glob on "suite/name" (default: every test).
 * --timeout: seconds per test (default 30).
 * --under=PROGRAM: the driver runs under PROGRAM (valgrind: `moulinette
 *   --valgrind`), which must keep the driver's pid (valgrind does): the
 *   checker still traces and reads that process.
 * --shared-shm: /dev/shm is shared with other checkers (the grader says so
 *   when jobs have no /dev/shm of their own): their test objects
 *   (mm_<pid>_*) are not this test's leaks. Without it, every new object
 *   is, whatever its name: a submission could otherwise hide a leak under
 *   such a name.
 *
 * Processes. The runner forks one test process per test, in a process
 * group of its own; the test process starts the driver (remote.h) and
 * drives it. The test process writes its outcome (completed, failure
 * message, how the driver ended, the last step) into a page it shares
 * with the runner only; the runner reads it once the process has ended or
 * was killed (at its timeout, or once stalled: stall.h), and writes one record per test to the
 * descriptor named by MM_RESULT_FD (the grader's), or a readable line to
 * stdout when run by hand. The runner and the test processes are
 * non-dumpable: the driver, which runs as the same uid, cannot read or
 * write their memory or open their descriptors through /proc.
 *
 * Record (tab-separated, '\t' '\n' '\\' escaped; graders/score.c reads it):
 *   T suite/name completed failed crashed signal exit_code timed_out message step note
 *     seconds output_bytes
 * `timed_out`: 1 when stopped at its timeout, 2 when stopped because it
 * could never finish (stall.h: every process asleep for good), then
 * `message` says so. `note`: what the test saw that another row grades ("also seen: ..."),
 * shown with the row's verdict but never deciding it; "" when none.
 * `seconds`: the test's wall time. `output_bytes`: how much of what the
 * test (and the drivers it started) printed the runner passed on. Each test prints into a pipe of its
 * own, which the runner copies to its stdout in test order and counts, so
 * the grader can give each test its own part of the job's output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "crashsite.h"
#include "harness.h"
#include "remote.h"
#include "stall.h"

extern const struct mm_test *const __start_mm_tests[];
extern const struct mm_test *const __stop_mm_tests[];

struct outcome {
    int completed;
    int failed;
    int crashed;
    int signal;
    int exit_code;
    char message[2048];
    char step[256];
    char note[2048];
    char teardown_row[64]; /* the row that grades the calls being made, when not the test's */
    unsigned long alive;   /* mm_runner_alive() calls: the test's processes ran */
};

static struct outcome *g_out;
static const char *g_driver = "./driver";
static const char *g_under;
static int g_shared_shm;

/* ---- the test process's side --------------------------------------------- */

void mm_runner_step(const char *step)
{
    mm_runner_alive();
    snprintf(g_out->step, sizeof g_out->step, "%s", step);
}

void mm_runner_alive(void)
{
    __atomic_add_fetch(&g_out->alive, 1, __ATOMIC_RELAXED);
}

void mm_runner_complete(void)
{
    g_out->completed = 1;
}

const char *mm_runner_driver(void)
{
    return g_driver;
}

const char *mm_runner_under(void)
{
    return g_under;
}

int mm_runner_shared_shm(void)
{
    return g_shared_shm;
}

/* Notes are joined with "; " and cut, never failed on: a note is advice. */
void mm_runner_note(const char *note)
{
    size_t used = strlen(g_out->note);

    if (used + 3 >= sizeof g_out->note)
        return;
    snprintf(g_out->note + used, sizeof g_out->note - used, "%s%s", used ? "; " : "", note);
}

void mm_runner_teardown(const char *row)
{
    snprintf(g_out->teardown_row, sizeof g_out->teardown_row, "%s", row);
}

/* The driver was killed by a signal in a call another row grades (a
 * teardown, or mm_calls_of's window: tests/harness.h): the crash is a note
 * for that row, and the test is complete (its checks before the call were
 * made; a dead driver has nothing left to check). An exit in the middle of
 * a call is not a bug a student makes by mistake, and keeps ending the
 * test as before. */
static int crash_in_teardown(int status)
{
    char note[512];
    const char *abbrev;

    if (mm_is_child() || !g_out->teardown_row[0] || !WIFSIGNALED(status))
        return 0;
    abbrev = sigabbrev_np(WTERMSIG(status));
    snprintf(note, sizeof note, "also seen: your code crashed with SIG%s (%s) during: %s, see row %s",
             abbrev ? abbrev : "?", strsignal(WTERMSIG(status)), g_out->step, g_out->teardown_row);
    mm_runner_note(note);
    g_out->completed = 1;
    return 1;
}

void mm_report_failure(const char *message)
{
    if (mm_is_child())
        _exit(MM_CHILD_FAILED);
    g_out->failed = 1;
    snprintf(g_out->message, sizeof g_out->message, "%s", message);
    mm_end();
    _exit(1);
}

/* A checker child ends as its driver did, so its parent's wait status says
 * what a plain fork's would; the test process records it. */
void mm_report_driver_end(int status)
{
    if (mm_is_child()) {
        if (WIFSIGNALED(status)) {
            signal(WTERMSIG(status), SIG_DFL);
            kill(getpid(), WTERMSIG(status));
            _exit(128 + WTERMSIG(status));
        }
        _exit(WEXITSTATUS(status) ? WEXITSTATUS(status) : MM_CHILD_ENDED);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == MM_DRIVER_LOST) {
        char msg[512];

        snprintf(msg, sizeof msg, "your code closed or replaced a descriptor it did not open (the "
                 "test driver's socket, descriptor %d) during: %s", MM_DRIVER_HIGH_FD, g_out->step);
        mm_report_failure(msg);
    }
    if (crash_in_teardown(status)) {
        mm_end();
        _exit(0);
    }
    if (WIFSIGNALED(status)) {
        g_out->crashed = 1;
        g_out->signal = WTERMSIG(status);
        /* Where it was: the message of a crash (graders/score.c). */
        snprintf(g_out->message, sizeof g_out->message, "%s", mm_crash_site());
    } else {
        g_out->exit_code = WEXITSTATUS(status);
    }
    mm_end();
    _exit(1);
}

static void run_body(const struct mm_test *t)
{
    setpgid(0, 0);
    signal(SIGPIPE, SIG_IGN);
    mm_begin();
    t->body();
    mm_end();
    _exit(0);
}

/* ---- the runner's side ------------------------------------------------------ */

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the runner passes on of one test's output: far more than the
 * grader keeps (limits.output_kb), so the grader still sees that it was
 * cut; the rest is read and dropped here, at the cost of one copy, as the
 * grader would (a test that floods its output must not slow down). */
#define FORWARD_MAX (1024 * 1024)

/* Copies what is waiting in the test's output pipe to stdout, counting in
 * `bytes` what it passed on; returns 0 once the pipe is empty for now or
 * closed. */
static int copy_output(int fd, size_t *bytes)
{
    static char buf[65536];
    ssize_t n = read(fd, buf, sizeof buf);
    size_t pass;

    if (n <= 0)
        return 0;
    pass = *bytes >= FORWARD_MAX ? 0 : (size_t)n < FORWARD_MAX - *bytes ? (size_t)n : FORWARD_MAX - *bytes;
    *bytes += pass;
    /* The grader reads and caps this; a short write only loses output. */
    if (pass && fwrite(buf, 1, pass, stdout) != pass)
        clearerr(stdout);
    return 1;
}

/* How long poll() may wait: until the deadline, or the next look at the
 * test's processes (stall.h), whichever comes first. */
static int poll_ms(double now_s, double next_look, double deadline)
{
    double until = next_look < deadline ? next_look : deadline;

    return until > now_s ? (int)((until - now_s) * 1000) + 1 : 1;
}

/* Waits for the test process, at most `timeout` seconds, copying its
 * output meanwhile: a test that prints more than a pipe holds must not
 * block on it. Sets *ended to 0 when it ended by itself, TIMED_OUT at the
 * deadline, STALLED when every process of the test slept for good
 * (stall.h; the message goes into `why`). */
enum { TIMED_OUT = 1, STALLED = 2 };

static int wait_with_timeout(pid_t pid, double timeout, int out, size_t *bytes, int *ended, char *why,
                             size_t why_size)
{
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    struct pollfd p[2] = {{pidfd, POLLIN, 0}, {out, POLLIN, 0}};
    double start = now();
    double deadline = start + timeout;
    double next_look = start + STALL_WATCH_AFTER;
    struct stall watch;
    int status = 0;

    stall_init(&watch, pid);
    *ended = 0;
    while (pidfd >= 0) {
        double t = now();

        if (t >= deadline) {
            *ended = TIMED_OUT;
            break;
        }
        /* At most every STALL_SAMPLE_SECONDS: a test that floods its
         * output turns this loop once per pipe read. */
        if (t >= next_look) {
            next_look = t + STALL_SAMPLE_SECONDS;
            if (stall_check(&watch, t, __atomic_load_n(&g_out->alive, __ATOMIC_RELAXED))) {
                *ended = STALLED;
                stall_message(&watch, why, why_size);
                break;
            }
        }
        if (poll(p, p[1].fd >= 0 ? 2 : 1, poll_ms(t, next_look, deadline)) < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            break;
        if (p[1].revents && !copy_output(out, bytes))
            p[1].fd = -1; /* closed by every writer: only the process is left to wait for */
    }
    if (*ended) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (pidfd >= 0)
        close(pidfd);
    /* What the test process left running in its group (its children, a
     * driver that was not attached yet) ends with it. */
    kill(-pid, SIGKILL);
    /* What it printed before it ended; a writer that escaped the group
     * cannot hold the runner: the pipe is read without waiting. */
    fcntl(out, F_SETFL, O_NONBLOCK);
    while (copy_output(out, bytes)) {
    }
    fflush(stdout);
    return status;
}

static void put_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
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

/* `ended`: 0, TIMED_OUT or STALLED (then `why` is the message). */
static void put_record(FILE *out, const struct mm_test *t, int status, int ended, const char *why,
                       double seconds, size_t bytes)
{
    const struct outcome *o = g_out;
    int timed_out = ended;
    int crashed = o->crashed || (WIFSIGNALED(status) && !timed_out);
    int sig = o->crashed ? o->signal : WIFSIGNALED(status) && !timed_out ? WTERMSIG(status) : 0;

    fprintf(out, "T\t%s/%s\t%d\t%d\t%d\t%d\t%d\t%d\t", t->suite, t->name, o->completed,
            o->failed, crashed, sig, o->exit_code, timed_out);
    put_escaped(out, ended == STALLED ? why : o->message);
    fputc('\t', out);
    put_escaped(out, o->step);
    fputc('\t', out);
    put_escaped(out, o->note);
    fprintf(out, "\t%.3f\t%zu\n", seconds, bytes);
    fflush(out);
}

static void put_line(const struct mm_test *t, int status, int ended, const char *why)
{
    const struct outcome *o = g_out;
    int timed_out = ended;
    int sig = o->crashed ? o->signal : WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    const char *verdict = timed_out ? "TIMEOUT" : sig ? "CRASH" : o->failed ? "FAIL"
                          : o->completed && !o->exit_code ? "PASS" : "FAIL";

    printf("%-7s %s/%s", verdict, t->suite, t->name);
    if (sig)
        printf(": signal %d (%s)", sig, strsignal(sig));
    else if (o->exit_code)
        printf(": your code exited with status %d", o->exit_code);
    else if (!o->completed && !o->failed && !timed_out)
        printf(": ended before the test finished");
    if (ended == STALLED)
        printf(": %s", why);
    else if (o->message[0])
        printf(": %s", o->message);
    if (strcmp(verdict, "PASS") != 0 && o->step[0])
        printf(" [during: %s]", o->step);
    if (o->note[0])
        printf(" (%s)", o->note);
    putchar('\n');
    fflush(stdout);
}

/* The test process prints into `out` (stdout and stderr), and so do the
 * drivers it starts. */
static void run_test_process(const struct mm_test *t, int out)
{
    if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
        _exit(126);
    close(out);
    run_body(t);
}

static int run_one(const struct mm_test *t, double timeout, FILE *records)
{
    double start = now();
    size_t bytes = 0;
    char why[512] = "";
    int ended;
    int status;
    int out[2];
    pid_t pid;

    memset(g_out, 0, sizeof *g_out);
    fflush(NULL);
    if (pipe2(out, O_CLOEXEC) != 0) {
        perror("checker: pipe");
        return 0;
    }
    /* Fewer round trips for a test that prints a lot (best effort). */
    (void)fcntl(out[0], F_SETPIPE_SZ, 1024 * 1024);
    pid = fork();
    if (pid < 0) {
        perror("checker: fork");
        close(out[0]);
        close(out[1]);
        return 0;
    }
    if (pid == 0) {
        close(out[0]);
        run_test_process(t, out[1]);
    }
    close(out[1]);
    status = wait_with_timeout(pid, timeout, out[0], &bytes, &ended, why, sizeof why);
    close(out[0]);
    if (records)
        put_record(records, t, status, ended, why, now() - start, bytes);
    else
        put_line(t, status, ended, why);
    return g_out->completed && !g_out->failed && !ended && !WIFSIGNALED(status)
           && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The grader's descriptor: close-on-exec, so no driver inherits it. */
static FILE *take_result_fd(void)
{
    const char *env = getenv("MM_RESULT_FD");
    char *end;
    long fd;

    if (!env)
        return NULL;
    errno = 0;
    fd = strtol(env, &end, 10);
    unsetenv("MM_RESULT_FD");
    if (errno || *end || fd < 3 || fd > 1024 || fcntl((int)fd, F_SETFD, FD_CLOEXEC) == -1)
        return NULL;
    return fdopen((int)fd, "w");
}

/* The linker keeps no order worth showing: sort by file, then line. */
static int by_place(const void *a, const void *b)
{
    const struct mm_test *x = *(const struct mm_test *const *)a;
    const struct mm_test *y = *(const struct mm_test *const *)b;
    int c = strcmp(x->file, y->file);

    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int usage(const char *argv0)
{
    fprintf(stderr, "usage: %s [--driver=PATH] [--filter=GLOB] [--timeout=SECONDS] [--under=PROGRAM] [--shared-shm] "
                    "[--list]\n",
            argv0);
    return 2;
}

int main(int argc, char *argv[])
{
    const char *filter = "*";
    double timeout = 30;
    int list = 0;
    int failed = 0;
    FILE *records;

    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--driver=", 9) == 0)
            g_driver = argv[i] + 9;
        else if (strncmp(argv[i], "--filter=", 9) == 0)
            filter = argv[i] + 9;
        else if (strncmp(argv[i], "--timeout=", 10) == 0 && atof(argv[i] + 10) > 0)
            timeout = atof(argv[i] + 10);
        else if (strcmp(argv[i], "--list") == 0 || strcmp(argv[i], "-l") == 0)
            list = 1;
        else if (strncmp(argv[i], "--under=", 8) == 0 && argv[i][8])
            g_under = argv[i] + 8;
        else if (strcmp(argv[i], "--shared-shm") == 0)
            g_shared_shm = 1;
        else
            return usage(argv[0]);
    }
    prctl(PR_SET_DUMPABLE, 0);
    records = take_result_fd();
    g_out = mmap(NULL, sizeof *g_out, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (g_out == MAP_FAILED) {
        perror("checker: mmap");
        return 1;
    }
    static const struct mm_test *tests[1024];
    size_t ntests = 0;

    for (const struct mm_test *const *t = __start_mm_tests; t < __stop_mm_tests && ntests < 1024; t++)
        tests[ntests++] = *t;
    qsort(tests, ntests, sizeof tests[0], by_place);
    for (const struct mm_test *const *t = tests; t < tests + ntests; t++) {
        char full[256];

        snprintf(full, sizeof full, "%s/%s", (*t)->suite, (*t)->name);
        if (fnmatch(filter, full, 0) != 0)
            continue;
        if (list)
            printf("%s\n", full);
        else
            failed += !run_one(*t, timeout, records);
    }
    if (records) {
        fputs("E\n", records);
        fclose(records);
    }
    return failed ? 1 : 0;
}
