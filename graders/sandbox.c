/*
 * sandbox.c - see sandbox.h.
 *
 * Theory of operation. The grader process is the only supervisor. For each
 * job it creates three pipes (output, records, setup errors) and a pidfd,
 * forks, and the child runs a plain list of set-up steps before exec:
 * new session (so one kill reaches the whole tree), descriptors, limits,
 * working directory, uid. A set-up step that fails writes its message to
 * the close-on-exec error pipe: the parent reads it as a sandbox error, not
 * as something the submission did. The parent polls every running job's
 * pipes and pidfd with the nearest deadline as timeout; a job past its
 * deadline gets SIGKILL on its process group. When the job's main process
 * ends, its group is killed too, so daemons and children it left behind do
 * not outlive it.
 */
#include "sandbox.h"

#include "isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The runner's records are a few hundred bytes; anything beyond this is
 * not a runner talking. */
#define RECORDS_CAP (1 << 20)

struct slot {
    struct job *job;
    pid_t pid;
    int pidfd;
    int out_fd;
    int rec_fd;
    int err_fd;
    int status_fd;
    char *cgroup;   /* the slot's, for every job it runs */
    int oom_before; /* memory-limit kills in that cgroup before the job */
    double start;
    double deadline;
    int reaped;
};

struct sandbox {
    int max_jobs;
    struct isolation iso;
    struct job **queue;
    size_t queued;
    size_t queue_cap;
    size_t queue_head;
    struct slot *slots;
    int running;
};

struct sandbox *sandbox_new(int max_jobs, const struct strlist *hide)
{
    struct sandbox *sb = xcalloc(1, sizeof *sb);

    sb->max_jobs = max_jobs > 0 ? max_jobs : 1;
    sb->slots = xcalloc((size_t)sb->max_jobs, sizeof *sb->slots);
    sl_extend(&sb->iso.hide, hide);
    isolate_probe(&sb->iso);
    for (int i = 0; i < sb->max_jobs; i++)
        sb->slots[i].cgroup = isolate_cgroup_open(&sb->iso, i);
    /* A job that closes its pipes early must not kill the grader. */
    signal(SIGPIPE, SIG_IGN);
    return sb;
}

void sandbox_free(struct sandbox *sb)
{
    if (!sb)
        return;
    for (int i = 0; i < sb->max_jobs; i++)
        isolate_cgroup_close(&sb->iso, sb->slots[i].cgroup);
    free(sb->queue);
    free(sb->slots);
    sl_free(&sb->iso.hide);
    sl_free(&sb->iso.shared);
    sl_free(&sb->iso.sealed);
    free(sb);
}

void sandbox_hide(struct sandbox *sb, const char *path)
{
    char *real = realpath(path, NULL);

    if (real && strcmp(real, "/") != 0 && !sl_contains(&sb->iso.hide, real))
        sl_push(&sb->iso.hide, real);
    free(real);
}

void sandbox_seal(struct sandbox *sb, const char *dir)
{
    if (!sl_contains(&sb->iso.sealed, dir))
        sl_push(&sb->iso.sealed, dir);
}

void sandbox_submit(struct sandbox *sb, struct job *job)
{
    if (sb->queued == sb->queue_cap) {
        sb->queue_cap = sb->queue_cap ? sb->queue_cap * 2 : 32;
        sb->queue = xrealloc(sb->queue, sb->queue_cap * sizeof *sb->queue);
    }
    sb->queue[sb->queued++] = job;
}

void job_clear(struct job *job)
{
    sl_free(&job->argv);
    sl_free(&job->env);
    free(job->cwd);
    job->cwd = NULL;
    sb_free(&job->result.output);
    sb_free(&job->result.records);
    free(job->result.setup_error);
    job->result.setup_error = NULL;
}

/* ---- the parent's side -------------------------------------------------------- */

static void make_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        die("pipe: %s", strerror(errno));
}

/* stdout and stderr go through a socket, not a pipe: a socket is open for
 * reading and writing, like a terminal. glibc's perror() fdopen()s stderr
 * "w+", which fails on a write-only pipe and leaves errno at EINVAL: a
 * submission calling perror() before returning NULL would see its errno
 * change under the grader only. */
static void make_output_channel(int fds[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        die("socketpair: %s", strerror(errno));
}

static void start_job(struct sandbox *sb, struct slot *s, struct job *job)
{
    int out[2];
    int rec[2] = {-1, -1};
    int err[2];
    int status[2];

    make_output_channel(out);
    make_pipe(err);
    make_pipe(status);
    if (job->record_fd)
        make_pipe(rec);
    memset(&job->result, 0, sizeof job->result);
    *s = (struct slot){.job = job, .out_fd = out[0], .rec_fd = rec[0], .err_fd = err[0],
                       .status_fd = status[0], .cgroup = s->cgroup};
    s->oom_before = isolate_cgroup_limit(&sb->iso, s->cgroup, &job->limits);
    s->start = now_seconds();
    s->deadline = s->start + job->timeout;
    s->pid = fork();
    if (s->pid < 0)
        die("fork: %s", strerror(errno));
    if (s->pid == 0) {
        struct child_fds fds = {out[1], rec[1], err[1], status[1]};

        isolate_run_child(job, &sb->iso, s->cgroup, &fds);
    }
    close(out[1]);
    close(err[1]);
    close(status[1]);
    if (rec[1] >= 0)
        close(rec[1]);
    s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
    if (s->pidfd < 0)
        die("pidfd_open: %s", strerror(errno));
    sb->running++;
}

/* Appends what fits of `chunk` under `cap`; once a byte was dropped,
 * every later one is too (the kept part is a prefix of what was sent). */
static void keep_bytes(struct strbuf *into, const char *chunk, size_t n, size_t cap,
                       size_t *dropped)
{
    size_t keep = 0;

    if ((!dropped || *dropped == 0) && into->len < cap)
        keep = n < cap - into->len ? n : cap - into->len;
    sb_append(into, chunk, keep);
    if (dropped)
        *dropped += n - keep;
}

/* Output is text for the report, kept as a C string: a NUL byte is stored
 * as C0 80, the "modified UTF-8" of Java and Tcl (an overlong form, never
 * valid UTF-8 otherwise), so that nothing after a NUL is lost on the way
 * to the report, which writes it back as \u0000 (json.c). */
static void keep_output(struct strbuf *into, const char *chunk, size_t n, size_t cap,
                        size_t *dropped)
{
    static const char nul[2] = {(char)0xc0, (char)0x80};

    while (n > 0) {
        const char *zero = memchr(chunk, '\0', n);
        size_t run = zero ? (size_t)(zero - chunk) : n;

        keep_bytes(into, chunk, run, cap, dropped);
        chunk += run;
        n -= run;
        if (n == 0)
            break;
        /* Both bytes or neither: half a pair would be an invalid byte. */
        if (*dropped == 0 && into->len + 2 <= cap)
            sb_append(into, nul, 2);
        else
            *dropped += 1;
        chunk++;
        n--;
    }
}

/* Reads once: bytes read, 0 at end of file, -1 when nothing is there.
 * `text`: the job's output (see keep_output), else raw bytes. */
static ssize_t pump(int fd, struct strbuf *into, size_t cap, size_t *dropped, int text)
{
    char chunk[16384];
    ssize_t n = read(fd, chunk, sizeof chunk);

    if (n <= 0)
        return n < 0 ? -1 : 0;
    if (text)
        keep_output(into, chunk, (size_t)n, cap, dropped);
    else
        keep_bytes(into, chunk, (size_t)n, cap, dropped);
    return n;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static size_t output_cap(const struct slot *s)
{
    return (size_t)s->job->limits.output_kb * 1024;
}

/* Takes whatever is still buffered in the pipes, without waiting for
 * writers that may never close them. */
static void drain(struct slot *s)
{
    struct job_result *r = &s->job->result;

    if (s->out_fd >= 0) {
        fcntl(s->out_fd, F_SETFL, O_NONBLOCK);
        while (pump(s->out_fd, &r->output, output_cap(s), &r->output_dropped, 1) > 0) {
        }
    }
    if (s->rec_fd >= 0) {
        fcntl(s->rec_fd, F_SETFL, O_NONBLOCK);
        while (pump(s->rec_fd, &r->records, RECORDS_CAP, NULL, 0) > 0) {
        }
    }
}

static void reap(struct slot *s)
{
    struct job_result *r = &s->job->result;
    int status = 0;

    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR) {
    }
    r->wall = now_seconds() - s->start;
    r->exited = WIFEXITED(status);
    r->exit_code = r->exited ? WEXITSTATUS(status) : 0;
    r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    s->reaped = 1;
}

/* With namespaces, the command is not the grader's child: its init
 * reports the command's wait status through the status pipe. */
static void read_command_status(struct slot *s)
{
    struct job_result *r = &s->job->result;
    int status;

    fcntl(s->status_fd, F_SETFL, O_NONBLOCK);
    if (read(s->status_fd, &status, sizeof status) != (ssize_t)sizeof status)
        return;
    r->exited = WIFEXITED(status);
    r->exit_code = r->exited ? WEXITSTATUS(status) : 0;
    r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void read_setup_error(struct slot *s)
{
    struct strbuf msg = {0};

    fcntl(s->err_fd, F_SETFL, O_NONBLOCK);
    while (pump(s->err_fd, &msg, 1024, NULL, 0) > 0) {
    }
    if (msg.len)
        s->job->result.setup_error = sb_take(&msg);
    sb_free(&msg);
}

/* The job's main process has ended: end its group, collect what is left. */
static void finish(struct sandbox *sb, struct slot *s)
{
    struct job *job = s->job;

    kill(-s->pid, SIGKILL);
    drain(s);
    read_command_status(s);
    read_setup_error(s);
    job->result.memory_limit = isolate_cgroup_oom(&sb->iso, s->cgroup, s->oom_before);
    close_fd(&s->status_fd);
    close_fd(&s->out_fd);
    close_fd(&s->rec_fd);
    close_fd(&s->err_fd);
    close_fd(&s->pidfd);
    s->job = NULL;
    sb->running--;
    if (job->done)
        job->done(job, job->ctx);
}

static void fill_slots(struct sandbox *sb)
{
    for (int i = 0; i < sb->max_jobs && sb->queue_head < sb->queued; i++)
        if (!sb->slots[i].job)
            start_job(sb, &sb->slots[i], sb->queue[sb->queue_head++]);
}

/* Polls every running job once; returns after at least one event or the
 * nearest deadline. */
static void poll_jobs(struct sandbox *sb)
{
    struct pollfd fds[3 * 64];
    struct slot *owner[3 * 64];
    int nfds = 0;
    double now = now_seconds();
    double wait = 3600;

    for (int i = 0; i < sb->max_jobs && nfds + 3 <= 3 * 64; i++) {
        struct slot *s = &sb->slots[i];
        int fdv[3] = {s->pidfd, s->out_fd, s->rec_fd};

        if (!s->job)
            continue;
        for (int k = 0; k < 3; k++) {
            if (fdv[k] < 0)
                continue;
            fds[nfds] = (struct pollfd){fdv[k], POLLIN, 0};
            owner[nfds++] = s;
        }
        if (s->deadline - now < wait)
            wait = s->deadline - now;
    }
    if (poll(fds, (nfds_t)nfds, wait > 0 ? (int)(wait * 1000) + 1 : 0) < 0 && errno != EINTR)
        die("poll: %s", strerror(errno));
    for (int k = 0; k < nfds; k++) {
        struct slot *s = owner[k];

        if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        if (fds[k].fd == s->pidfd)
            reap(s);
        else if (fds[k].fd == s->out_fd
                 && pump(s->out_fd, &s->job->result.output, output_cap(s),
                         &s->job->result.output_dropped, 1) == 0)
            close_fd(&s->out_fd);
        else if (fds[k].fd == s->rec_fd
                 && pump(s->rec_fd, &s->job->result.records, RECORDS_CAP, NULL, 0) == 0)
            close_fd(&s->rec_fd);
    }
}

static void enforce_deadlines(struct sandbox *sb)
{
    double now = now_seconds();

    for (int i = 0; i < sb->max_jobs; i++) {
        struct slot *s = &sb->slots[i];

        if (!s->job || s->reaped || now < s->deadline)
            continue;
        s->job->result.timed_out = 1;
        kill(-s->pid, SIGKILL);
        kill(s->pid, SIGKILL);
    }
}

static int g_verbose;

void sandbox_set_verbose(int verbose)
{
    g_verbose = verbose;
}

char *sandbox_describe(const struct sandbox *sb)
{
    return isolate_describe(&sb->iso, 0);
}

char *sandbox_notice(const struct sandbox *sb)
{
    return isolate_describe(&sb->iso, !g_verbose);
}

static volatile sig_atomic_t g_stop;

static void on_stop(int sig)
{
    g_stop = sig;
}

int sandbox_private_tmp(const struct sandbox *sb)
{
    return sb->iso.namespaces;
}

void sandbox_disable_isolation(struct sandbox *sb)
{
    for (int i = 0; i < sb->max_jobs; i++) {
        isolate_cgroup_close(&sb->iso, sb->slots[i].cgroup);
        sb->slots[i].cgroup = NULL;
    }
    sb->iso.namespaces = 0;
    sb->iso.cgroups = 0;
}

void sandbox_catch_signals(void)
{
    struct sigaction sa = {0};

    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Interrupted: every running job's tree dies now; queued ones never start. */
static void stop_all(struct sandbox *sb)
{
    sb->queue_head = sb->queued;
    for (int i = 0; i < sb->max_jobs; i++) {
        if (!sb->slots[i].job)
            continue;
        kill(-sb->slots[i].pid, SIGKILL);
        kill(sb->slots[i].pid, SIGKILL);
        if (!sb->slots[i].reaped)
            reap(&sb->slots[i]);
        finish(sb, &sb->slots[i]);
    }
}

int sandbox_run(struct sandbox *sb)
{
    fill_slots(sb);
    while (sb->running > 0 && !g_stop) {
        poll_jobs(sb);
        enforce_deadlines(sb);
        for (int i = 0; i < sb->max_jobs; i++)
            if (sb->slots[i].job && sb->slots[i].reaped)
                finish(sb, &sb->slots[i]);
        if (!g_stop)
            fill_slots(sb);
    }
    if (!g_stop)
        return 0;
    stop_all(sb);
    return -1;
}
