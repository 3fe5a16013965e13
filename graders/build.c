/*
 * build.c - from a submission folder to a linked test binary.
 *
 * Steps, each one sandboxed job:
 *   compile  the submission's sources, with the config's flags and a
 *            prelude that latches the feature macros (see write_prelude);
 *   shim     at the same time, tests/shim.c (and the optional shims)
 *            against the submission's header (field access and prototype
 *            check, see tests/shim.c);
 *   inspect  (in the grader, no job) the objects' ELF: sections that run
 *            code at load time are refused, calls to forbidden
 *            functions recorded (see elf.c);
 *   localize every global symbol outside the exercise's API made local
 *            (objcopy), so a submission cannot replace strcmp, waitpid or
 *            a Criterion function the tests rely on;
 *   link     objects + shim + the prebuilt tests into ./tests.
 * A step that fails ends the build: the submission is graded as not
 * compiling, with the compiler's own message.
 */
#include "work.h"

#include "elf.h"

#include <dirent.h>
#include <errno.h>
#include <sys/file.h>
#include <time.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum step { STEP_COMPILE, STEP_SHIM, STEP_LOCALIZE, STEP_LINK, STEP_DONE };

static const char *const step_failure[] = {
    [STEP_COMPILE] = "your submission does not compile",
    [STEP_LOCALIZE] = "the grader could not localize your object's symbols",
    [STEP_SHIM] = "your memory_mapper.h does not match the subject: t_mapping needs the fields "
                  "addr and size, and the prototypes must be the subject's",
    [STEP_LINK] = "your submission does not link with the test driver (a main() of your own, or a "
                  "function the driver also defines?)",
};

/* ---- scratch copy ---------------------------------------------------------------- */

/* Only regular files are taken: a symlink could make the grader copy one of
 * its own files (the reference, a secret) into the student's build. */
static int copy_regular(const char *from, const char *to)
{
    struct stat st;

    if (lstat(from, &st) != 0)
        return -1;
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        return -1;
    }
    return copy_file(from, to, 0644);
}

static char *in_dir(const char *dir, const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

/* The feature macros a source defines itself ("#define _GNU_SOURCE"),
 * with their values, appended to `names` and `values`. */
static void find_feature_macros(const char *path, struct strlist *names, struct strlist *values)
{
    char *text = read_file(path, NULL);

    for (char *line = text; line && *line;) {
        char *end = strchr(line, '\n');
        char name[64];
        int used = 0;

        if (end)
            *end = '\0';
        if (sscanf(line, " # define %63[A-Za-z0-9_]%n", name, &used) == 1 && name[0] == '_'
            && strlen(name) > 7 && strcmp(name + strlen(name) - 7, "_SOURCE") == 0
            && !sl_contains(names, name)) {
            sl_push(names, name);
            sl_push(values, line[used] ? line + used : "");
        }
        line = end ? end + 1 : NULL;
    }
    free(text);
}

/* Feature macros are latched through <features.h> and then undefined, so
 * that a submission's own "#define _DEFAULT_SOURCE" never meets a
 * conflicting definition (-D would make it a redefinition error under
 * -Werror). The ones the submission defines itself are latched too, with
 * its values: its _GNU_SOURCE must still enable what it enables at home. */
static int write_prelude(const struct work *w)
{
    struct strlist names = {0};
    struct strlist values = {0};
    struct strbuf sb = {0};
    char *path = in_dir(w->scratch, "prelude.h");
    int fd;
    int ok;

    for (size_t i = 0; i < w->cfg->feature_macros.count; i++) {
        sl_push(&names, w->cfg->feature_macros.items[i]);
        sl_push(&values, " 1");
    }
    for (size_t i = 0; i < w->cfg->sources.count + w->cfg->optional.count; i++) {
        size_t n = w->cfg->sources.count;
        char *file = in_dir(w->scratch, i < n ? w->cfg->sources.items[i]
                                              : w->cfg->optional.items[i - n]);

        find_feature_macros(file, &names, &values);
        free(file);
    }
    sb_printf(&sb, "#pragma GCC system_header\n");
    for (size_t i = 0; i < names.count; i++)
        sb_printf(&sb, "#define %s%s\n", names.items[i], values.items[i]);
    sb_printf(&sb, "#include <features.h>\n");
    for (size_t i = 0; i < names.count; i++)
        sb_printf(&sb, "#undef %s\n", names.items[i]);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    ok = fd >= 0 && write(fd, sb.data, sb.len) == (ssize_t)sb.len;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    free(path);
    sb_free(&sb);
    sl_free(&names);
    sl_free(&values);
    return ok ? 0 : -1;
}

/* Ends the build: every row is `status` with "not graded: <why>". */
static void stop_build(struct work *w, char *log, enum status status, const char *why)
{
    w->grade->compile_ok = 0;
    free(w->grade->compile_log);
    w->grade->compile_log = log;
    for (size_t i = 0; i < w->grade->nrows; i++) {
        free(w->grade->rows[i].message);
        w->grade->rows[i].status = status;
        w->grade->rows[i].message = xasprintf("not graded: %s", why);
    }
    work_finished(w);
}

static void fail_build(struct work *w, char *log)
{
    stop_build(w, log, ST_FAIL,
               strncmp(log, "refused", 7) == 0 ? "the submission was refused"
                                               : "the submission does not compile");
}

/* Copies the sources, the header (or the subject's) and the shims. */
static int copy_submission(struct work *w)
{
    const struct config *cfg = w->cfg;
    int ok = 1;

    for (size_t i = 0; i < cfg->sources.count && ok; i++) {
        char *from = in_dir(w->dir, cfg->sources.items[i]);
        char *to = in_dir(w->scratch, cfg->sources.items[i]);

        if (copy_regular(from, to) != 0) {
            fail_build(w, xasprintf("%s is missing from %s (or is not a regular file)",
                                    cfg->sources.items[i], w->dir));
            ok = 0;
        }
        free(from);
        free(to);
    }
    for (size_t i = 0; i < cfg->optional.count && ok; i++) {
        char *from = in_dir(w->dir, cfg->optional.items[i]);
        char *to = in_dir(w->scratch, cfg->optional.items[i]);

        if (copy_regular(from, to) != 0 && strcmp(cfg->optional.items[i], "memory_mapper.h") == 0) {
            char *fallback = config_path(cfg, cfg->default_header);

            /* The submission as the instructor named it, not where an
             * archive of it was extracted. */
            sl_pushf(&w->grade->notes, "no %s in %s: compiled with the subject's header",
                     cfg->optional.items[i], w->grade->submission);
            if (copy_file(fallback, to, 0644) != 0)
                die("cannot copy %s: %s", fallback, strerror(errno));
            free(fallback);
        }
        free(from);
        free(to);
    }
    return ok;
}

static void copy_grader_file(struct work *w, const char *relative, const char *name)
{
    char *from = config_path(w->cfg, relative);
    char *to = in_dir(w->scratch, name);

    if (copy_file(from, to, 0644) != 0)
        die("cannot copy %s into %s: %s", from, w->scratch, strerror(errno));
    free(from);
    free(to);
}

/* The checker joins the driver only now that the build is over: no job
 * that could write to the scratch directory ever sees it. */
static void install_checker(struct work *w)
{
    char *from = config_path(w->cfg, w->cfg->checker);
    char *to = in_dir(w->scratch, "checker");

    if (copy_file(from, to, 0755) != 0)
        die("cannot copy %s into %s: %s", from, w->scratch, strerror(errno));
    free(from);
    free(to);
}

/* The folder that holds the run directories, TMPDIR's or /tmp, made
 * canonical once: jobs cover it by that path (see make_scratch). NULL if
 * it does not exist. */
static const char *scratch_parent(void)
{
    static char *parent;
    const char *tmp = getenv("TMPDIR");

    if (!parent)
        parent = realpath(tmp && *tmp ? tmp : "/tmp", NULL);
    return parent;
}

/* Whether another grader still holds the lock of the run directory
 * `name` in `parent`. A directory without a lock yet is being created
 * right now, unless it is old. */
static int run_dir_in_use(int parent, const char *name)
{
    int dir = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int fd = dir >= 0 ? openat(dir, ".lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
    struct stat st;
    int busy;

    if (fd < 0) {
        busy = dir < 0 || fstat(dir, &st) != 0 || time(NULL) - st.st_mtime < 60;
        if (dir >= 0)
            close(dir);
        return busy;
    }
    busy = flock(fd, LOCK_EX | LOCK_NB) != 0;
    close(fd);
    close(dir);
    return busy;
}

/* A grader keeps its run directory locked (flock) while it lives. One
 * whose lock is free was left by a grader killed in the middle (SIGKILL
 * leaves no chance to clean up), and is removed by the next run, however
 * deep the folders its jobs made there. Locks, unlike pids, mean the same
 * in every pid namespace. */
void build_sweep_stale(void)
{
    DIR *d = scratch_parent() ? opendir(scratch_parent()) : NULL;
    struct dirent *e;

    while (d && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "moulinette-", 11) == 0 && !run_dir_in_use(dirfd(d), e->d_name))
            remove_tree_at(dirfd(d), e->d_name);
    if (d)
        closedir(d);
}

static int g_run_lock = -1;

char *build_open_run_dir(void)
{
    char *dir;
    char *lock;

    if (!scratch_parent())
        die("no folder for the scratch directories (TMPDIR or /tmp): %s", strerror(errno));
    dir = xasprintf("%s/moulinette-%d-XXXXXX", scratch_parent(), (int)getpid());
    if (!mkdtemp(dir))
        die("cannot create a scratch directory (%s): %s", dir, strerror(errno));
    if (chmod(dir, 0755) != 0)
        die("chmod %s: %s", dir, strerror(errno));
    lock = in_dir(dir, ".lock");
    g_run_lock = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (g_run_lock < 0 || flock(g_run_lock, LOCK_EX) != 0)
        die("cannot lock %s: %s", lock, strerror(errno));
    free(lock);
    return dir;
}

void build_close_run_dir(char *dir)
{
    if (dir)
        remove_tree(dir);
    free(dir);
    if (g_run_lock >= 0)
        close(g_run_lock);
    g_run_lock = -1;
}

static void make_scratch(struct work *w)
{
    static int counter;
    char *dir = xasprintf("%s/%d", w->run_dir, counter++);

    if (mkdir(dir, 0755) != 0)
        die("cannot create %s: %s", dir, strerror(errno));
    w->scratch = dir;
    /* The compile jobs run as an unprivileged uid and must write here,
     * until build_seal_scratch. */
    if (sandbox_privileged() && chown(dir, SANDBOX_UID, SANDBOX_GID) != 0)
        die("chown %s: %s", dir, strerror(errno));
    /* A job sees its own scratch directory only (the sandbox binds it
     * back): every run directory, this grader's and any other's, is out
     * of its sight, wherever TMPDIR puts them. */
    if (w->sb)
        sandbox_hide(w->sb, scratch_parent());
}

/* ---- sealing ---------------------------------------------------------------------- */

/* The grader makes no directory in a scratch folder, or a level or two:
 * deeper ones were not its own and are removed, not sealed, which bounds
 * the walk. */
#define SEAL_DEPTH 8

static void seal_dir(int fd, const char *where, int depth);

/* The grader's own, and writable by it only. */
static void seal_mode(int dirfd, const char *name, mode_t mode, const char *where)
{
    if (fchownat(dirfd, name, geteuid(), getegid(), AT_SYMLINK_NOFOLLOW) != 0
        || fchmodat(dirfd, name, mode, AT_SYMLINK_NOFOLLOW) != 0)
        die("cannot seal %s in %s: %s", name, where, strerror(errno));
}

/* Regular files and directories are sealed. Anything else (a symlink, a
 * FIFO, a socket, a device, a file that has another name elsewhere) was
 * not put there by the grader, and goes: the checker must not run or
 * read through it, and sealing a second name would change a file
 * outside. The *at calls never follow a symlink. */
static void seal_entry(int dirfd, const char *name, const char *where, int depth)
{
    struct stat st;
    int fd;

    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        die("cannot seal %s in %s: %s", name, where, strerror(errno));
    if (S_ISREG(st.st_mode) && st.st_nlink == 1) {
        seal_mode(dirfd, name, st.st_mode & 0111 ? 0755 : 0644, where);
    } else if (S_ISDIR(st.st_mode) && depth < SEAL_DEPTH) {
        seal_mode(dirfd, name, 0755, where); /* readable, even if it was 0 */
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            die("cannot seal %s in %s: %s", name, where, strerror(errno));
        seal_dir(fd, where, depth + 1);
        close(fd);
    } else {
        remove_tree_at(dirfd, name);
    }
}

/* The directory first: from then on nobody but the grader adds, removes
 * or renames anything in it. */
static void seal_dir(int fd, const char *where, int depth)
{
    DIR *d;
    struct dirent *e;
    int copy;

    if (fchown(fd, geteuid(), getegid()) != 0 || fchmod(fd, 0755) != 0)
        die("cannot seal %s: %s", where, strerror(errno));
    copy = dup(fd);
    d = copy >= 0 ? fdopendir(copy) : NULL;
    if (!d)
        die("cannot read %s: %s", where, strerror(errno));
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            seal_entry(fd, e->d_name, where, depth);
    closedir(d);
}

/* No job of the submission is alive when this runs (the build's ended
 * with their pid namespaces), so nothing races the walk. */
void build_seal_scratch(struct work *w)
{
    int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(w->scratch, flags);

    /* A compile job may have made it unreadable (chmod 0). */
    if (fd < 0 && errno == EACCES && fchmodat(AT_FDCWD, w->scratch, 0755, AT_SYMLINK_NOFOLLOW) == 0)
        fd = open(w->scratch, flags);
    if (fd < 0)
        die("cannot seal %s: %s", w->scratch, strerror(errno));
    seal_dir(fd, w->scratch, 0);
    close(fd);
    if (w->sb)
        sandbox_seal(w->sb, w->scratch);
}

/* ---- the steps ------------------------------------------------------------------- */

static void push_compile_flags(struct work *w, struct strlist *argv)
{
    sl_push(argv, w->tools->cc);
    sl_extend(argv, &w->cfg->cflags);
    sl_push(argv, "-include");
    sl_push(argv, "prelude.h");
    sl_push(argv, "-I.");
}

static char *object_name(const char *source)
{
    size_t len = strlen(source);

    if (len > 2 && strcmp(source + len - 2, ".c") == 0)
        return xasprintf("%.*s.o", (int)(len - 2), source);
    return xasprintf("%s.o", source);
}

/* Optional shims (config tests.extra_shims) live in the scratch copy as
 * mm_extra<i>.c; one that does not compile against the submission's
 * header is left out, and the tests that need it fail on their own. */
static char *extra_shim(size_t i, const char *ext)
{
    return xasprintf("mm_extra%zu.%s", i, ext);
}

static int exists_in(const struct work *w, const char *name)
{
    char *path = in_dir(w->scratch, name);
    int ok = access(path, F_OK) == 0;

    free(path);
    return ok;
}

static void push_objects(const struct work *w, struct strlist *argv)
{
    for (size_t i = 0; i < w->cfg->sources.count; i++) {
        char *o = object_name(w->cfg->sources.items[i]);

        sl_push(argv, o);
        free(o);
    }
}

static void set_step_argv(struct work *w, enum step step, struct strlist *argv)
{
    const struct config *cfg = w->cfg;

    switch (step) {
    case STEP_COMPILE:
        push_compile_flags(w, argv);
        sl_push(argv, "-c");
        sl_extend(argv, &cfg->sources);
        break;
    case STEP_SHIM:
        push_compile_flags(w, argv);
        sl_push(argv, "-c");
        sl_push(argv, "mm_shim.c");
        for (size_t i = 0; i < cfg->test_shims.count; i++) {
            char *shim = extra_shim(i, "c");

            sl_push(argv, shim);
            free(shim);
        }
        break;
    case STEP_LOCALIZE:
        sl_push(argv, w->tools->objcopy);
        sl_push(argv, "--keep-global-symbols=mm_api.txt");
        push_objects(w, argv);
        break;
    case STEP_DONE:
        break;
    case STEP_LINK:
        sl_push(argv, w->tools->cc);
        sl_push(argv, "-o");
        sl_push(argv, "driver");
        push_objects(w, argv);
        sl_push(argv, "mm_shim.o");
        for (size_t i = 0; i < cfg->test_shims.count; i++) {
            char *shim = extra_shim(i, "o");

            if (exists_in(w, shim))
                sl_push(argv, shim);
            free(shim);
        }
        sl_push(argv, "mm_driver.o");
        sl_extend(argv, &cfg->link_flags);
        break;
    }
}

/* A note names at most this many symbols: 200,000 globals must not make a
 * 40 MB report. */
enum { NOTE_NAMES_MAX = 20 };

/* Records the forbidden functions `facts` uses and, for the submission's
 * own objects (`localized`), the globals that will be made static. */
static void note_symbols(struct work *w, const struct elf_facts *facts, int localized)
{
    struct strbuf local = {0};
    size_t count = 0;

    for (size_t i = 0; i < facts->undefined.count; i++) {
        const char *name = facts->undefined.items[i];

        if (sl_contains(&w->cfg->forbidden, name) && !sl_contains(&w->grade->forbidden_used, name)) {
            char *where = elf_callers(facts, name);

            sl_push(&w->grade->forbidden_used, name);
            /* Where, from the object's relocations: what to change. */
            if (*where)
                sl_pushf(&w->grade->notes, "the forbidden function %s is called in: %s", name, where);
            free(where);
        }
    }
    for (size_t i = 0; localized && i < facts->globals.count; i++) {
        char *name;

        if (sl_contains(&w->cfg->api, facts->globals.items[i]))
            continue;
        if (++count > NOTE_NAMES_MAX)
            continue;
        name = elf_printable(facts->globals.items[i]);
        sb_printf(&local, "%s%s", local.len ? ", " : "", name);
        free(name);
    }
    if (count > NOTE_NAMES_MAX)
        sb_printf(&local, " and %zu more", count - NOTE_NAMES_MAX);
    if (local.len)
        sl_pushf(&w->grade->notes, "made static (only the exercise's functions may be global): %s",
                 local.data);
    sb_free(&local);
}

/* The submission's file compiled into the shims (they include it by name). */
static const char shim_header[] = "memory_mapper.h";

/* Reads one object built from the submission's files, refuses it (see
 * elf_refusal) or notes what it uses. `who` is the file its code comes
 * from. A shim may define only the shims' own globals (config
 * forbidden.shim_globals); the submission's objects may define any, made
 * static in the next step. 0 to go on, -1 when the build stopped. */
static int inspect_object(struct work *w, const char *object, const char *who, int shim)
{
    const struct config *cfg = w->cfg;
    const struct elf_policy policy = {&cfg->refused_symbols, &cfg->allowed_sections,
                                      shim ? &cfg->shim_globals : NULL};
    char *path = in_dir(w->scratch, object);
    struct elf_facts facts;
    char *why = NULL;

    if (elf_inspect(path, &facts, &why) == 0)
        why = elf_refusal(&facts, &policy, who);
    if (why)
        fail_build(w, why);
    else
        note_symbols(w, &facts, !shim);
    elf_facts_free(&facts);
    free(path);
    return why ? -1 : 0;
}

/* Reads every object built from the submission's files: its sources' and
 * the shims', into which its header is compiled (a constructor or a weak
 * mincore in the header would otherwise reach the tests unseen). 0 to go
 * on, -1 when the build stopped. */
static int inspect_objects(struct work *w)
{
    int ok = 1;

    for (size_t i = 0; i < w->cfg->sources.count && ok; i++) {
        char *o = object_name(w->cfg->sources.items[i]);

        ok = inspect_object(w, o, o, 0) == 0;
        free(o);
    }
    if (ok)
        ok = inspect_object(w, "mm_shim.o", shim_header, 1) == 0;
    for (size_t i = 0; i < w->cfg->test_shims.count && ok; i++) {
        char *o = extra_shim(i, "o");

        /* An optional shim that did not compile is not linked either. */
        if (exists_in(w, o))
            ok = inspect_object(w, o, shim_header, 1) == 0;
        free(o);
    }
    return ok ? 0 : -1;
}

static int write_api_list(const struct work *w)
{
    struct strbuf sb = {0};
    char *path = in_dir(w->scratch, "mm_api.txt");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    int ok;

    for (size_t i = 0; i < w->cfg->api.count; i++)
        sb_printf(&sb, "%s\n", w->cfg->api.items[i]);
    ok = fd >= 0 && (sb.len == 0 || write(fd, sb.data, sb.len) == (ssize_t)sb.len);
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    free(path);
    sb_free(&sb);
    return ok ? 0 : -1;
}

static void submit_step(struct work *w, struct build_job *b, enum step step);

static void note_skipped_shims(struct work *w)
{
    for (size_t i = 0; i < w->cfg->test_shims.count; i++) {
        char *shim = extra_shim(i, "o");

        if (!exists_in(w, shim))
            sl_pushf(&w->grade->notes, "skipped %s: it does not compile against your header "
                                       "(a test that needs it says so)",
                     w->cfg->test_shims.items[i]);
        free(shim);
    }
}

static void report_failure(struct work *w, const struct job *job, enum step step)
{
    const struct job_result *r = &job->result;
    struct strbuf log = {0};

    /* The sandbox could not start the compiler: the grader's failure, not
     * the student's, and it says so. */
    if (r->setup_error) {
        stop_build(w, xasprintf("the grader could not run %s: %s", job->argv.items[0], r->setup_error),
                   ST_ERROR, "the grader failed (see the compile log)");
        return;
    }

    sb_printf(&log, "%s", step_failure[step]);
    if (r->timed_out)
        sb_printf(&log, " (stopped after %.0f s)", job->timeout);
    /* The command (the program by its name), to run again by hand. */
    sb_printf(&log, ":\n$ %s", strrchr(job->argv.items[0], '/') ? strrchr(job->argv.items[0], '/') + 1
                                                                : job->argv.items[0]);
    for (size_t i = 1; i < job->argv.count; i++)
        sb_printf(&log, " %s", job->argv.items[i]);
    sb_printf(&log, "\n%s", r->output.data ? r->output.data : "");
    fail_build(w, sb_take(&log));
}

static int job_ok(const struct job_result *r)
{
    return r->exited && r->exit_code == 0 && !r->setup_error;
}

/* Both compile jobs are over (the submission's sources and the shims,
 * compiled side by side): decide whose code failed, or go on. */
static void compiled(struct work *w)
{
    const struct job *sources = &w->build[0].job;
    const struct job *shims = &w->build[1].job;

    if (!job_ok(&sources->result)) {
        report_failure(w, sources, STEP_COMPILE);
        return;
    }
    if (!exists_in(w, "mm_shim.o")) {
        report_failure(w, shims, STEP_SHIM);
        return;
    }
    /* Only optional shims failed: the build goes on without them. */
    if (!job_ok(&shims->result))
        note_skipped_shims(w);
    if (sources->result.output.len)
        sl_pushf(&w->grade->notes, "compiler output:\n%s", sources->result.output.data);
    if (inspect_objects(w) == 0)
        submit_step(w, &w->build[0], STEP_LOCALIZE);
}

static void step_done(struct job *job, void *ctx)
{
    struct build_job *b = ctx;
    struct work *w = b->work;

    if (b->step == STEP_COMPILE || b->step == STEP_SHIM) {
        if (--w->build_pending == 0)
            compiled(w);
        return;
    }
    if (!job_ok(&job->result)) {
        report_failure(w, job, (enum step)b->step);
        return;
    }
    if (b->step == STEP_LINK) {
        w->grade->compile_ok = 1;
        /* Sealed first: what a job planted there (a hard link named
         * `checker`) is removed before the checker is copied in. */
        build_seal_scratch(w);
        install_checker(w);
        run_start(w);
        return;
    }
    submit_step(w, b, STEP_LINK);
}

static void submit_step(struct work *w, struct build_job *b, enum step step)
{
    struct job *job = &b->job;

    job_clear(job);
    work_job_init(w, job, w->cfg->compile_timeout);
    /* Compilers need more room than a test; the file-size limit still
     * stops an .incbin of something huge. */
    job->limits.memory_mb = job->limits.memory_mb < 2048 ? 2048 : job->limits.memory_mb;
    job->limits.cpu_seconds = w->cfg->compile_timeout;
    /* As root, a compiler could #include any file of the machine into its
     * error messages: it runs unprivileged, like the tests. */
    job->unprivileged = 1;
    set_step_argv(w, step, &job->argv);
    b->work = w;
    b->step = step;
    job->done = step_done;
    job->ctx = b;
    sandbox_submit(w->sb, job);
}

void build_start(struct work *w)
{
    make_scratch(w);
    if (!copy_submission(w))
        return;
    copy_grader_file(w, w->cfg->shim_source, "mm_shim.c");
    for (size_t i = 0; i < w->cfg->test_shims.count; i++) {
        char *shim = extra_shim(i, "c");

        copy_grader_file(w, w->cfg->test_shims.items[i], shim);
        free(shim);
    }
    copy_grader_file(w, w->cfg->test_object, "mm_driver.o");
    if (write_prelude(w) != 0 || write_api_list(w) != 0)
        die("cannot write into %s: %s", w->scratch, strerror(errno));
    w->build_pending = 2;
    submit_step(w, &w->build[0], STEP_COMPILE);
    submit_step(w, &w->build[1], STEP_SHIM);
}
