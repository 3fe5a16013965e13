/*
 * isolate.c - see isolate.h.
 *
 * The child's steps, in order (isolate_run_child):
 *   session    setsid, die with the grader (PDEATHSIG);
 *   cgroup     join the job's pids and memory cgroups;
 *   fds        stdin /dev/null, stdout+stderr to the capture pipe,
 *              descriptor 3 to the record pipe, nothing else;
 *   cwd        the scratch directory; kept across the mounts below, which
 *              is how the command still finds its files under a new /tmp;
 *   unshare    pid, mount, net, ipc (and user, when not root);
 *   mounts     everything private, tmpfs on /tmp and /dev/shm, the
 *              grader's tree covered;
 *   init       fork: pid 1 mounts /proc, forks the command, reaps, and
 *              reports the command's wait status;
 *   command    rlimits, unprivileged uid, exec.
 */
#include "isolate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC)

static void fail(int err_fd, const char *step) __attribute__((noreturn));

static void fail(int err_fd, const char *step)
{
    char msg[256];
    int n = snprintf(msg, sizeof msg, "%s: %s", step, strerror(errno));

    if (n > 0)
        (void)!write(err_fd, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    _exit(127);
}

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* ---- steps --------------------------------------------------------------------- */

static int setup_fds(const struct child_fds *fds)
{
    int devnull = open("/dev/null", O_RDONLY);

    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(fds->out, 1) < 0 || dup2(fds->out, 2) < 0)
        return -1;
    if (fds->rec >= 0 && dup2(fds->rec, 3) < 0)
        return -1;
    /* Everything else the grader holds (other jobs' pipes, reports being
     * written) stays out of reach; err and status close at exec. */
    for (int fd = fds->rec >= 0 ? 4 : 3; fd < 1024; fd++)
        if (fd != fds->err && fd != fds->status)
            close(fd);
    return 0;
}

static int set_limit(int resource, rlim_t soft, rlim_t hard)
{
    struct rlimit rl = {soft, hard};

    return setrlimit(resource, &rl);
}

/* CPU: soft = ceil(t) sends SIGXCPU, hard one second later kills. The
 * file-size limit also bounds ftruncate of shm objects: it leaves room for
 * the exercise's regions. */
static int setup_limits(const struct sandbox_limits *l, int nproc)
{
    rlim_t cpu = (rlim_t)ceil(l->cpu_seconds);
    rlim_t mem = (rlim_t)l->memory_mb << 20;
    rlim_t fsize = (rlim_t)l->file_size_mb << 20;

    if (set_limit(RLIMIT_CPU, cpu, cpu + 1) < 0 || set_limit(RLIMIT_CORE, 0, 0) < 0
        || set_limit(RLIMIT_AS, mem, mem) < 0 || set_limit(RLIMIT_FSIZE, fsize, fsize) < 0)
        return -1;
    if (nproc && set_limit(RLIMIT_NPROC, (rlim_t)l->processes, (rlim_t)l->processes) < 0)
        return -1;
    return 0;
}

int sandbox_privileged(void)
{
    static int known = -1;
    char *map;
    unsigned long inside;
    unsigned long count;
    const char *line;

    if (known >= 0)
        return known;
    known = 0;
    if (geteuid() != 0)
        return known;
    /* uid 0 of a user namespace (unshare --map-root-user) cannot become
     * nobody unless the namespace maps that uid too. */
    map = read_file("/proc/self/uid_map", NULL);
    for (line = map; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "")
        if (sscanf(line, " %lu %*u %lu", &inside, &count) == 2 && inside <= SANDBOX_UID
            && SANDBOX_UID - inside < count)
            known = 1;
    free(map);
    return known;
}

/* Root bypasses file permissions (a test about read-only files would prove
 * nothing) and RLIMIT_NPROC: jobs run as nobody. */
static int drop_privileges(void)
{
    if (!sandbox_privileged())
        return 0;
    if (setgroups(0, NULL) < 0 || setgid(SANDBOX_GID) < 0)
        return -1;
    return setuid(SANDBOX_UID);
}

static int enter_namespaces(const struct isolation *iso)
{
    uid_t uid = getuid();
    gid_t gid = getgid();
    char map[64];

    if (!iso->user_ns)
        return unshare(NS_FLAGS);
    if (unshare(NS_FLAGS | CLONE_NEWUSER) < 0)
        return -1;
    /* Inside, the user is nobody: never uid 0, which would keep every
     * capability in the namespace across exec (even when the grader is
     * itself the mapped root of a user namespace), and with it the right
     * to open the runner's descriptors through /proc. */
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)SANDBOX_UID, (unsigned)uid);
    if (write_text("/proc/self/uid_map", map) < 0 || write_text("/proc/self/setgroups", "deny") < 0)
        return -1;
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)SANDBOX_GID, (unsigned)gid);
    return write_text("/proc/self/gid_map", map);
}

static int mount_tmpfs(const char *where, long size_mb, const char *mode, unsigned long flags)
{
    char opts[64];

    snprintf(opts, sizeof opts, "size=%ldm,mode=%s", size_mb, mode);
    return mount("tmpfs", where, "tmpfs", MS_NOSUID | MS_NODEV | flags, opts);
}

/* The scratch directory lives under the host's /tmp, which the job's own
 * /tmp covers: bind it back at the same path, because the test runner
 * opens its own executable by that path (/proc/self/exe). */
static int keep_cwd(const char *cwd, int cwd_fd)
{
    char source[64];
    char path[4096];

    if (!cwd || strncmp(cwd, "/tmp/", 5) != 0 || strlen(cwd) >= sizeof path)
        return 0;
    snprintf(path, sizeof path, "%s", cwd);
    for (char *slash = path + 5; (slash = strchr(slash, '/')) != NULL; slash++) {
        *slash = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return -1;
        *slash = '/';
    }
    snprintf(source, sizeof source, "/proc/self/fd/%d", cwd_fd);
    if (mkdir(cwd, 0755) < 0 || mount(source, cwd, NULL, MS_BIND, NULL) < 0)
        return -1;
    return chdir(cwd);
}

static int setup_mounts(const struct isolation *iso, const struct sandbox_limits *l,
                        const char *cwd)
{
    int cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int ret;

    if (cwd_fd < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -1;
    ret = mount_tmpfs("/tmp", 2 * l->file_size_mb + 16, "1777", 0) < 0
          || keep_cwd(cwd, cwd_fd) < 0
          || mount_tmpfs("/dev/shm", l->file_size_mb + 16, "1777", 0) < 0;
    close(cwd_fd);
    if (ret)
        return -1;
    /* A hidden path under /tmp is already gone with the new /tmp. */
    for (size_t i = 0; i < iso->hide.count; i++)
        if (mount_tmpfs(iso->hide.items[i], 1, "0755", MS_RDONLY) < 0 && errno != ENOENT)
            return -1;
    return 0;
}

static void exec_command(const struct job *job, const struct isolation *iso, int err_fd)
    __attribute__((noreturn));

static void exec_command(const struct job *job, const struct isolation *iso, int err_fd)
{
    if (setup_limits(&job->limits, !iso->cgroups) < 0)
        fail(err_fd, "setrlimit");
    if (job->unprivileged && drop_privileges() < 0)
        fail(err_fd, "dropping privileges");
    signal(SIGPIPE, SIG_DFL);
    execve(job->argv.items[0], job->argv.items, job->env.items);
    fail(err_fd, job->argv.items[0]);
}

/* pid 1 of the job's namespace: runs the command, reaps every orphan, and
 * reports the command's status. Its exit takes everything else down. */
static void run_init(const struct job *job, const struct isolation *iso,
                     const struct child_fds *fds) __attribute__((noreturn));

static void run_init(const struct job *job, const struct isolation *iso,
                     const struct child_fds *fds)
{
    pid_t command;
    pid_t pid;
    int status = 0;

    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        fail(fds->err, "prctl");
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        fail(fds->err, "mounting /proc");
    command = fork();
    if (command < 0)
        fail(fds->err, "fork");
    if (command == 0)
        exec_command(job, iso, fds->err);
    do
        pid = wait(&status);
    while (pid != command && !(pid < 0 && errno == ECHILD));
    (void)!write(fds->status, &status, sizeof status);
    _exit(0);
}

static int cgroup_dir(const struct isolation *iso, const char *controller, const char *name,
                      char *path, size_t cap);

static void join_cgroup(const struct isolation *iso, const char *cgroup, int err_fd)
{
    static const char *const controllers[] = {"pids", "memory"};
    char dir[256];
    char path[320];
    char pid[32];

    snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    for (size_t i = 0; i < (iso->cgroup_v2 ? 1 : 2); i++) {
        if (cgroup_dir(iso, controllers[i], cgroup, dir, sizeof dir) != 0)
            fail(err_fd, "naming the job's cgroup");
        snprintf(path, sizeof path, "%s/cgroup.procs", dir);
        if (write_text(path, pid) < 0)
            fail(err_fd, "joining the job's cgroup");
    }
}

void isolate_run_child(const struct job *job, const struct isolation *iso, const char *cgroup,
                       const struct child_fds *fds)
{
    pid_t init;
    int status;

    if (setsid() < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        fail(fds->err, "setsid");
    if (cgroup)
        join_cgroup(iso, cgroup, fds->err);
    if (setup_fds(fds) < 0)
        fail(fds->err, "redirecting descriptors");
    if (job->cwd && chdir(job->cwd) < 0)
        fail(fds->err, "chdir to the scratch directory");
    if (!iso->namespaces)
        exec_command(job, iso, fds->err);
    if (enter_namespaces(iso) < 0)
        fail(fds->err, "unshare");
    if (setup_mounts(iso, &job->limits, job->cwd) < 0)
        fail(fds->err, "mounting the private /tmp and /dev/shm");
    init = fork();
    if (init < 0)
        fail(fds->err, "fork");
    if (init == 0)
        run_init(job, iso, fds);
    while (waitpid(init, &status, 0) < 0 && errno == EINTR) {
    }
    _exit(0);
}

/* ---- cgroups ------------------------------------------------------------------------ */

static int cgroup_dir(const struct isolation *iso, const char *controller, const char *name,
                      char *path, size_t cap)
{
    const char *parent = strcmp(controller, "memory") == 0 ? iso->memory_parent : iso->pids_parent;
    int n = snprintf(path, cap, "%s/%s", parent, name);

    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static int cgroup_set(const char *dir, const char *file, long long value)
{
    char path[320];
    char text[32];

    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(text, sizeof text, "%lld", value);
    return write_text(path, text);
}

/* The cgroups of one slot of the sandbox, made once and reused by every
 * job that runs in that slot: making and removing a memory cgroup per job
 * costs more than many a job. When a job ends its pid namespace is empty,
 * so the next one starts with an empty cgroup. */
char *isolate_cgroup_open(const struct isolation *iso, int slot)
{
    static const char *const controllers[] = {"pids", "memory"};
    char *name;
    char dir[256];

    if (!iso->cgroups)
        return NULL;
    name = xasprintf("moulinette-%s-%d", iso->id, slot);
    for (size_t i = 0; i < (iso->cgroup_v2 ? 1 : 2); i++)
        if (cgroup_dir(iso, controllers[i], name, dir, sizeof dir) != 0 || mkdir(dir, 0755) != 0)
            die("cannot create the cgroup %s: %s", dir, strerror(errno));
    return name;
}

static int oom_kills(const struct isolation *iso, const char *name)
{
    char dir[256];
    char path[320];
    char *text;
    const char *at;
    int kills = 0;

    if (!iso->cgroups || !name || cgroup_dir(iso, "memory", name, dir, sizeof dir) != 0)
        return 0;
    snprintf(path, sizeof path, "%s/%s", dir, iso->cgroup_v2 ? "memory.events" : "memory.oom_control");
    text = read_file(path, NULL);
    at = text ? strstr(text, "oom_kill ") : NULL;
    if (at)
        kills = atoi(at + 9);
    free(text);
    return kills;
}

int isolate_cgroup_limit(const struct isolation *iso, const char *name,
                         const struct sandbox_limits *l)
{
    long long mem = (long long)l->memory_mb << 20;
    char dir[256];

    if (!iso->cgroups || !name)
        return 0;
    if (cgroup_dir(iso, "pids", name, dir, sizeof dir) != 0
        || cgroup_set(dir, "pids.max", l->processes) != 0)
        die("cannot set pids.max of %s: %s", dir, strerror(errno));
    /* A lower limit than the page cache the last job left fails with
     * EBUSY when that cache cannot be dropped at once: the previous,
     * higher limit then stays, and RLIMIT_AS still bounds each process. */
    if (cgroup_dir(iso, "memory", name, dir, sizeof dir) == 0)
        cgroup_set(dir, iso->cgroup_v2 ? "memory.max" : "memory.limit_in_bytes", mem);
    return oom_kills(iso, name);
}

int isolate_cgroup_oom(const struct isolation *iso, const char *name, int before)
{
    return oom_kills(iso, name) > before;
}

void isolate_cgroup_close(const struct isolation *iso, char *name)
{
    static const char *const controllers[] = {"pids", "memory"};
    char dir[256];

    if (!iso->cgroups || !name)
        return;
    for (size_t i = 0; i < (iso->cgroup_v2 ? 1 : 2); i++) {
        if (cgroup_dir(iso, controllers[i], name, dir, sizeof dir) != 0)
            continue;
        /* Emptied when the last job's namespace was reaped; a zombie can
         * keep it busy for a moment. */
        for (int tries = 0; tries < 100 && rmdir(dir) != 0 && errno == EBUSY; tries++)
            usleep(1000);
    }
    free(name);
}

/* ---- probing ------------------------------------------------------------------------- */

static int probe_namespaces(int user_ns)
{
    struct isolation iso = {.namespaces = 1, .user_ns = user_ns};
    struct sandbox_limits l = {1, 64, 1, 8, 1};
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return 0;
    if (pid == 0) {
        pid_t init;

        if (enter_namespaces(&iso) < 0 || setup_mounts(&iso, &l, NULL) < 0)
            _exit(1);
        init = fork();
        if (init == 0)
            _exit(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0);
        _exit(init < 0 || waitpid(init, &status, 0) < 0 || !WIFEXITED(status)
              || WEXITSTATUS(status) != 0);
    }
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The grader's own cgroup for `controller` (v1) or its unified one (v2),
 * from /proc/self/cgroup ("4:memory:/some/path", "0::/path"). */
static void own_cgroup(const char *controller, char *path, size_t cap)
{
    char *text = read_file("/proc/self/cgroup", NULL);
    const char *mount = controller[0] ? controller : "";
    char *line = text;

    snprintf(path, cap, "/sys/fs/cgroup%s%s", mount[0] ? "/" : "", mount);
    while (line && *line) {
        char *end = strchr(line, '\n');
        char *first = strchr(line, ':');
        char *second = first ? strchr(first + 1, ':') : NULL;

        if (end)
            *end = '\0';
        if (second && (size_t)(second - first - 1) == strlen(controller)
            && strncmp(first + 1, controller, strlen(controller)) == 0 && strcmp(second + 1, "/") != 0)
            snprintf(path, cap, "/sys/fs/cgroup%s%s%s", mount[0] ? "/" : "", mount, second + 1);
        line = end ? end + 1 : NULL;
    }
    free(text);
}

/* A cgroup created and removed again, with the limit files the jobs use. */
static int probe_parents(struct isolation *iso)
{
    char *name = xasprintf("moulinette-probe-%s", iso->id);
    char dir[256];
    char file[320];
    int ok = 1;

    for (size_t i = 0; i < (iso->cgroup_v2 ? 1 : 2) && ok; i++) {
        ok = cgroup_dir(iso, i ? "memory" : "pids", name, dir, sizeof dir) == 0
             && mkdir(dir, 0755) == 0;
        snprintf(file, sizeof file, "%s/%s", dir,
                 iso->cgroup_v2 ? "pids.max" : i ? "memory.limit_in_bytes" : "pids.max");
        ok = ok && access(file, W_OK) == 0;
        if (ok && iso->cgroup_v2) {
            snprintf(file, sizeof file, "%s/memory.max", dir);
            ok = access(file, W_OK) == 0;
        }
        rmdir(dir);
    }
    free(name);
    return ok;
}

/* Under the grader's own cgroups if they allow it, else at the root. */
static int probe_cgroups(struct isolation *iso)
{
    iso->cgroup_v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
    own_cgroup(iso->cgroup_v2 ? "" : "pids", iso->pids_parent, sizeof iso->pids_parent);
    own_cgroup(iso->cgroup_v2 ? "" : "memory", iso->memory_parent, sizeof iso->memory_parent);
    if (probe_parents(iso))
        return 1;
    snprintf(iso->pids_parent, sizeof iso->pids_parent, "/sys/fs/cgroup%s",
             iso->cgroup_v2 ? "" : "/pids");
    snprintf(iso->memory_parent, sizeof iso->memory_parent, "/sys/fs/cgroup%s",
             iso->cgroup_v2 ? "" : "/memory");
    return probe_parents(iso);
}

/* A cgroup left by a grader that was killed (SIGKILL leaves no chance to
 * clean up) is empty: rmdir removes only empty cgroups, and the age
 * spares one that a live grader has just created and not yet joined. */
static void sweep_cgroups(const struct isolation *iso)
{
    const char *const parents[] = {iso->pids_parent, iso->memory_parent};
    struct stat st;

    for (size_t i = 0; i < (iso->cgroup_v2 ? 1u : 2u); i++) {
        DIR *d = opendir(parents[i]);
        struct dirent *e;
        char path[512];

        while (d && (e = readdir(d)) != NULL) {
            if (strncmp(e->d_name, "moulinette-", 11) != 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", parents[i], e->d_name);
            if (stat(path, &st) == 0 && time(NULL) - st.st_mtime > 60)
                rmdir(path);
        }
        if (d)
            closedir(d);
    }
}

/* Cgroup names must not collide between graders, even in other pid
 * namespaces, where pids repeat. */
static void make_id(struct isolation *iso)
{
    unsigned char bytes[6] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd < 0 || read(fd, bytes, sizeof bytes) != (ssize_t)sizeof bytes)
        die("cannot read /dev/urandom");
    close(fd);
    snprintf(iso->id, sizeof iso->id, "%02x%02x%02x%02x%02x%02x", bytes[0], bytes[1], bytes[2],
             bytes[3], bytes[4], bytes[5]);
}

void isolate_probe(struct isolation *iso)
{
    make_id(iso);
    iso->user_ns = !sandbox_privileged();
    iso->namespaces = probe_namespaces(iso->user_ns);
    iso->cgroups = sandbox_privileged() && probe_cgroups(iso);
    if (iso->cgroups)
        sweep_cgroups(iso);
}

char *isolate_describe(const struct isolation *iso)
{
    if (iso->namespaces && iso->cgroups)
        return NULL;
    if (!iso->namespaces)
        return xstrdup("sandbox: no namespaces here (not root, no unprivileged user namespaces): "
                       "no private /tmp and /dev/shm, no pid or network isolation; "
                       "only sessions, rlimits and scratch directories");
    return xstrdup("sandbox: no writable pids/memory cgroups here: fork bombs and memory are "
                   "bounded by rlimits only");
}
