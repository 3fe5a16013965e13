/*
 * Unit tests of what a sandboxed job sees and keeps: its output whole
 * (NUL bytes included), the machine read-only but its private tmpfs, the
 * world-writable places private, the hidden paths empty, its sealed
 * scratch directory read-only, and nothing of the grader in pid 1. The
 * commands are the system's own (sh, printf, cat), nothing hostile.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../graders/sandbox.h"

static struct sandbox *sb;
static char *scratch;

static void open_sandbox(void)
{
    struct strlist none = {0};
    char *off;

    sb = sandbox_new(1, &none);
    off = sandbox_describe(sb);
    if (off && strstr(off, "no namespaces")) {
        free(off);
        cr_skip_test("no namespaces on this machine");
    }
    free(off);
    scratch = xstrdup("/tmp/mm-unit-sandbox-XXXXXX");
    cr_assert_not_null(mkdtemp(scratch));
    cr_assert_eq(chmod(scratch, 0755), 0);
}

static void close_sandbox(void)
{
    sandbox_free(sb);
    if (scratch)
        remove_tree(scratch);
    free(scratch);
}

/* Runs `argv` (as root in the job when the grader is root: the mounts,
 * not the permissions, must stop it) and returns its output. */
static struct job_result run_in(const char *const *argv, const char *cwd)
{
    struct job job = {0};
    struct job_result r;

    for (size_t i = 0; argv[i]; i++)
        sl_push(&job.argv, argv[i]);
    sl_push(&job.env, "PATH=/usr/bin:/bin");
    job.cwd = xstrdup(cwd);
    job.timeout = 10;
    job.limits = (struct sandbox_limits){5, 512, 16, 64, 64};
    sandbox_submit(sb, &job);
    cr_assert_eq(sandbox_run(sb), 0);
    cr_assert_null(job.result.setup_error, "%s", job.result.setup_error);
    r = job.result;
    job.result.output = (struct strbuf){0};
    job_clear(&job);
    return r;
}

static struct job_result run(const char *const *argv)
{
    return run_in(argv, scratch);
}

static struct job_result sh(const char *script)
{
    const char *const argv[] = {"/bin/sh", "-c", script, NULL};

    return run(argv);
}

static void touch(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");

    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fclose(f);
    free(path);
}

static int host_has(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

TestSuite(sandbox, .init = open_sandbox, .fini = close_sandbox);

/* A NUL in the output is kept (as C0 80), and what follows it too. */
Test(sandbox, output_keeps_nul_and_what_follows)
{
    const char *const argv[] = {"/usr/bin/printf", "a\\000b\\377c", NULL};
    struct job_result r = run(argv);

    cr_assert_eq(r.output.len, 6);
    cr_assert_eq(memcmp(r.output.data, "a\xc0\x80" "b\xff" "c", 6), 0);
    sb_free(&r.output);
}

/* Whether a probe file the job made is on the host; removes it, so that a
 * failed run does not fail the next one. */
static int leaked(const char *path)
{
    int found = host_has(path);

    unlink(path);
    return found;
}

Test(sandbox, machine_read_only_but_private_tmpfs)
{
    static const char *const places[] = {"/tmp", "/dev/shm", "/var/tmp", "/run/lock"};
    struct job_result r = sh("touch /etc/mm-unit-probe 2>/dev/null && echo etc-written;"
                             "for d in /tmp /dev/shm /var/tmp /run/lock; do"
                             "  [ -d $d ] && touch $d/mm-unit-probe"
                             "  && [ \"$(ls -A $d | grep -v '^mm-unit-sandbox-')\" = mm-unit-probe ]"
                             "  && echo \"private $d\";"
                             "done");

    cr_assert(!leaked("/etc/mm-unit-probe"));
    cr_assert_null(strstr(r.output.data, "etc-written"), "%s", r.output.data);
    /* each place writable, and empty but for the probe */
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        char *probe = xasprintf("%s/mm-unit-probe", places[i]);
        char *line = xasprintf("private %s\n", places[i]);

        cr_assert(!leaked(probe), "%s is on the host", probe);
        cr_assert(!host_has(places[i]) || strstr(r.output.data, line), "%s not private: %s",
                  places[i], r.output.data);
        free(probe);
        free(line);
    }
    sb_free(&r.output);
}

Test(sandbox, scratch_writable_until_sealed)
{
    char *file = xasprintf("%s/written", scratch);
    struct job_result r = sh("touch written && echo ok");

    cr_assert(strstr(r.output.data, "ok"), "%s", r.output.data);
    cr_assert(host_has(file));
    cr_assert_eq(unlink(file), 0);
    sb_free(&r.output);
    sandbox_seal(sb, scratch);
    r = sh("touch written 2>&1; echo done");
    cr_assert(strstr(r.output.data, "Read-only file system"), "%s", r.output.data);
    cr_assert(!host_has(file));
    sb_free(&r.output);
    free(file);
}

/* Scratch directories outside /tmp (TMPDIR elsewhere): with their
 * parent hidden, a job sees its own and not its neighbour's. Made in the
 * current directory (the checkout's, when run by make unit). */
Test(sandbox, only_its_own_scratch_wherever_it_is)
{
    char *parent = xstrdup("mm-unit-sandbox-XXXXXX");
    char own_path[PATH_MAX];
    char *own;
    char *neighbour;
    char *script;
    const char *argv[] = {"/bin/sh", "-c", NULL, NULL};
    struct job_result r;

    if (!mkdtemp(parent))
        cr_skip_test("cannot make a folder here: %s", strerror(errno));
    own = xasprintf("%s/own", parent);
    neighbour = xasprintf("%s/neighbour", parent);
    cr_assert_eq(mkdir(own, 0755), 0);
    cr_assert_eq(mkdir(neighbour, 0755), 0);
    touch(own, "mine");
    touch(neighbour, "secret");
    script = xasprintf("ls -a ../neighbour . | tr '\\n' ' '");
    argv[2] = script;
    sandbox_hide(sb, parent);
    r = run_in(argv, realpath(own, own_path));
    remove_tree(parent);
    cr_assert_null(strstr(r.output.data, "secret"), "%s", r.output.data);
    cr_assert(strstr(r.output.data, "mine"), "%s", r.output.data);
    sb_free(&r.output);
    free(script);
    free(own);
    free(neighbour);
    free(parent);
}

/* pid 1 shows nothing of the grader's command line or environment. */
Test(sandbox, pid1_shows_nothing_of_the_grader)
{
    struct job_result r = sh("cat /proc/1/cmdline /proc/1/environ 2>/dev/null | tr '\\0' ' '; echo .");

    cr_assert_null(strstr(r.output.data, "unit"), "%s", r.output.data);
    cr_assert_null(strstr(r.output.data, "PATH="), "%s", r.output.data);
    sb_free(&r.output);
}
