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
    double start;
    double deadline;
    int reaped;
};

struct sandbox {
    int max_jobs;
    struct job **queue;
    size_t queued;
    size_t queue_cap;
    size_t queue_head;
    struct slot *slots;
    int running;
};

struct sandbox *sandbox_new(int max_jobs)
{
    struct sandbox *sb = xcalloc(1, sizeof *sb);

    sb->max_jobs = max_jobs > 0 ? max_jobs : 1;
    sb->slots = xcalloc((size_t)sb->max_jobs, sizeof *sb->slots);
    /* A job that closes its pipes early must not kill the grader. */
    signal(SIGPIPE, SIG_IGN);
    return sb;
}

void sandbox_free(struct sandbox *sb)
{
    if (!sb)
        return;
    free(sb->queue);
    free(sb->slots);
    free(sb);
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

/* ---- the child's set-up steps ----------------------------------------------- */

static void setup_fail(int err_fd, const char *step)
{
    char msg[256];
    int n = snprintf(msg, sizeof msg, "%s: %s", step, strerror(errno));

    if (n > 0)
        (void)!write(err_fd, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    _exit(127);
}

static int setup_fds(int out_fd, int rec_fd, int err_fd)
{
    int devnull = open("/dev/null", O_RDONLY);

    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
        return -1;
    if (rec_fd >= 0 && dup2(rec_fd, 3) < 0)
        return -1;
    /* Everything else the grader holds (other jobs' pipes, the config,
     * reports being written) stays out of reach. err_fd closes at exec. */
    for (int fd = rec_fd >= 0 ? 4 : 3; fd < 1024; fd++)
        if (fd != err_fd)
            close(fd);
    return 0;
}

static int set_limit(int resource, rlim_t soft, rlim_t hard)
{
    struct rlimit rl = {soft, hard};

    return setrlimit(resource, &rl);
}

/* CPU: soft = ceil(t) sends SIGXCPU, hard one second later kills. */
static int setup_limits(const struct sandbox_limits *l)
{
    rlim_t cpu = (rlim_t)ceil(l->cpu_seconds);

    if (set_limit(RLIMIT_CPU, cpu, cpu + 1) < 0 || set_limit(RLIMIT_CORE, 0, 0) < 0)
        return -1;
    if (set_limit(RLIMIT_AS, (rlim_t)l->memory_mb << 20, (rlim_t)l->memory_mb << 20) < 0)
        return -1;
    if (set_limit(RLIMIT_FSIZE, (rlim_t)l->file_size_mb << 20, (rlim_t)l->file_size_mb << 20) < 0)
        return -1;
    return 0;
}

/* Root bypasses file permissions (a test of read-only files would prove
 * nothing), so tests run as nobody. RLIMIT_NPROC only binds a non-root
 * uid, which is one more reason. */
static int setup_uid(const struct sandbox_limits *l)
{
    if (geteuid() != 0)
        return set_limit(RLIMIT_NPROC, (rlim_t)l->processes, (rlim_t)l->processes);
    if (setgroups(0, NULL) < 0 || setgid(SANDBOX_GID) < 0)
        return -1;
    if (set_limit(RLIMIT_NPROC, (rlim_t)l->processes, (rlim_t)l->processes) < 0)
        return -1;
    return setuid(SANDBOX_UID);
}

static void run_child(const struct job *job, int out_fd, int rec_fd, int err_fd)
{
    if (setsid() < 0)
        setup_fail(err_fd, "setsid");
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        setup_fail(err_fd, "prctl(PR_SET_PDEATHSIG)");
    if (setup_fds(out_fd, rec_fd, err_fd) < 0)
        setup_fail(err_fd, "redirecting descriptors");
    if (job->cwd && chdir(job->cwd) < 0)
        setup_fail(err_fd, "chdir to the scratch directory");
    if (setup_limits(&job->limits) < 0)
        setup_fail(err_fd, "setrlimit");
    if (job->unprivileged && setup_uid(&job->limits) < 0)
        setup_fail(err_fd, "dropping privileges");
    signal(SIGPIPE, SIG_DFL);
    execve(job->argv.items[0], job->argv.items, job->env.items);
    setup_fail(err_fd, job->argv.items[0]);
}

/* ---- the parent's side -------------------------------------------------------- */

static void make_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        die("pipe: %s", strerror(errno));
}

static void start_job(struct sandbox *sb, struct slot *s, struct job *job)
{
    int out[2];
    int rec[2] = {-1, -1};
    int err[2];

    make_pipe(out);
    make_pipe(err);
    if (job->record_fd)
        make_pipe(rec);
    memset(&job->result, 0, sizeof job->result);
    *s = (struct slot){.job = job, .out_fd = out[0], .rec_fd = rec[0], .err_fd = err[0]};
    s->start = now_seconds();
    s->deadline = s->start + job->timeout;
    s->pid = fork();
    if (s->pid < 0)
        die("fork: %s", strerror(errno));
    if (s->pid == 0)
        run_child(job, out[1], rec[1], err[1]);
    close(out[1]);
    close(err[1]);
    if (rec[1] >= 0)
        close(rec[1]);
    s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
    if (s->pidfd < 0)
        die("pidfd_open: %s", strerror(errno));
    sb->running++;
}

/* Reads once: bytes read, 0 at end of file, -1 when nothing is there. */
static ssize_t pump(int fd, struct strbuf *into, size_t cap, size_t *dropped)
{
    char chunk[16384];
    ssize_t n = read(fd, chunk, sizeof chunk);
    size_t rest;

    if (n <= 0)
        return n < 0 ? -1 : 0;
    rest = (size_t)n;
    if (into->len < cap) {
        size_t keep = rest < cap - into->len ? rest : cap - into->len;

        sb_append(into, chunk, keep);
        rest -= keep;
    }
    if (dropped)
        *dropped += rest;
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
        while (pump(s->out_fd, &r->output, output_cap(s), &r->output_dropped) > 0)
            continue;
    }
    if (s->rec_fd >= 0) {
        fcntl(s->rec_fd, F_SETFL, O_NONBLOCK);
        while (pump(s->rec_fd, &r->records, RECORDS_CAP, NULL) > 0)
            continue;
    }
}

static void reap(struct slot *s)
{
    struct job_result *r = &s->job->result;
    int status = 0;

    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
        continue;
    r->wall = now_seconds() - s->start;
    r->exited = WIFEXITED(status);
    r->exit_code = r->exited ? WEXITSTATUS(status) : 0;
    r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    r->cpu_limit = r->signal == SIGXCPU;
    s->reaped = 1;
}

static void read_setup_error(struct slot *s)
{
    struct strbuf msg = {0};

    fcntl(s->err_fd, F_SETFL, O_NONBLOCK);
    while (pump(s->err_fd, &msg, 1024, NULL) > 0)
        continue;
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
    read_setup_error(s);
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
                         &s->job->result.output_dropped) == 0)
            close_fd(&s->out_fd);
        else if (fds[k].fd == s->rec_fd
                 && pump(s->rec_fd, &s->job->result.records, RECORDS_CAP, NULL) == 0)
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

void sandbox_run(struct sandbox *sb)
{
    fill_slots(sb);
    while (sb->running > 0) {
        poll_jobs(sb);
        enforce_deadlines(sb);
        for (int i = 0; i < sb->max_jobs; i++)
            if (sb->slots[i].job && sb->slots[i].reaped)
                finish(sb, &sb->slots[i]);
        fill_slots(sb);
    }
}
