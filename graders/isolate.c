/*
 * isolate.c - see isolate.h.
 *
 * The child's steps, in order (isolate_run_child):
 *   session    setsid, die with the grader (PDEATHSIG);
 *   cgroup     join the job's pids and memory cgroups;
 *   fds        stdin /dev/null, stdout+stderr to the capture pipe,
 *              descriptor 3 to the record pipe, nothing else;
 *   cwd        the scratch directory, held open across the mounts below;
 *   unshare    pid, mount, net, ipc (and user, when not root);
 *   mounts     (setup_mounts) everything private; hidden paths covered by
 *              an empty tmpfs; a private tmpfs on every world-writable
 *              place; the job's own scratch directory bound back at its
 *              path; then the whole tree read-only but the private tmpfs
 *              (and the scratch directory until it is sealed);
 *   init       fork: pid 1 blanks the grader's command line in its copy,
 *              mounts /proc, forks the command, reaps, and reports the
 *              command's wait status;
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
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
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

/* On failure, *step says which step failed (the probe reports it). */
static int enter_namespaces(const struct isolation *iso, enum ns_step *step)
{
    uid_t uid = getuid();
    gid_t gid = getgid();
    char map[64];

    *step = NS_STEP_UNSHARE;
    if (!iso->user_ns)
        return unshare(NS_FLAGS);
    if (unshare(NS_FLAGS | CLONE_NEWUSER) < 0)
        return -1;
    *step = NS_STEP_ID_MAP;
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

/* ---- mounts -------------------------------------------------------------------- */

/* Inodes of the job's /tmp and /dev/shm: an empty file costs no size but
 * kernel memory, so a job could otherwise fill the machine's with them.
 * Every other world-writable place gets a token tmpfs. */
#define TMP_INODES 16384
#define SMALL_MB 1
#define SMALL_INODES 256

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static int mount_tmpfs(const char *where, long size_mb, long inodes, const char *mode)
{
    char opts[96];

    snprintf(opts, sizeof opts, "size=%ldm,nr_inodes=%ld,mode=%s", size_mb, inodes, mode);
    return mount("tmpfs", where, "tmpfs", MS_NOSUID | MS_NODEV, opts);
}

/* Whether `path` is `dir` or lies below it. */
static int path_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    if (strcmp(dir, "/") == 0)
        return 1;
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int in_shared(const struct isolation *iso, const char *path)
{
    for (size_t i = 0; i < iso->shared.count; i++)
        if (path_within(path, iso->shared.items[i]))
            return 1;
    return 0;
}

/* The grader's tree, the submission folders, the folder of the scratch
 * directories: each under an empty tmpfs (read-only once readonly_tree
 * has run). One inside another, or inside a private tmpfs, is already
 * out of sight. */
static int hide_paths(const struct isolation *iso)
{
    for (size_t i = 0; i < iso->hide.count; i++) {
        const char *path = iso->hide.items[i];

        if (in_shared(iso, path))
            continue;
        if (mount_tmpfs(path, SMALL_MB, SMALL_INODES, "0755") < 0 && errno != ENOENT)
            return -1;
    }
    return 0;
}

/* /tmp holds the test files and the runner's sockets, /dev/shm the
 * exercise's regions: both leave room for a file of the largest size a
 * job may write (RLIMIT_FSIZE). Their pages are the job's memory: as root,
 * its memory cgroup bounds them with the rest. */
static long shared_size_mb(const char *dir, const struct sandbox_limits *l)
{
    if (strcmp(dir, "/tmp") == 0)
        return 2 * l->file_size_mb + 16;
    if (strcmp(dir, "/dev/shm") == 0)
        return l->file_size_mb + 16;
    return SMALL_MB;
}

/* A private, empty tmpfs on every world-writable place: nothing a job
 * leaves there outlives it, and no two jobs (rows, submissions) meet
 * there. POSIX message queues live in the job's IPC namespace whatever
 * covers /dev/mqueue. */
static int cover_shared(const struct isolation *iso, const struct sandbox_limits *l)
{
    for (size_t i = 0; i < iso->shared.count; i++) {
        const char *dir = iso->shared.items[i];
        int big = shared_size_mb(dir, l) > SMALL_MB;

        if (mount_tmpfs(dir, shared_size_mb(dir, l), big ? TMP_INODES : SMALL_INODES, "1777") < 0
            && errno != ENOENT)
            return -1;
    }
    return 0;
}

/* Binds the job's scratch directory back at its own path, over whatever
 * covers it (the private /tmp, the hidden folder of every scratch
 * directory): a job sees that one only, wherever TMPDIR put it, under the
 * path the compilers' messages and /proc/self/exe name. The directories
 * on the way are made in the covering tmpfs. */
static int keep_cwd(const char *cwd, int cwd_fd)
{
    char source[64];
    char path[4096];

    if (!cwd)
        return 0;
    if (cwd[0] != '/' || strlen(cwd) >= sizeof path) {
        errno = EINVAL;
        return -1;
    }
    snprintf(path, sizeof path, "%s", cwd);
    for (char *slash = path + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
        *slash = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return -1;
        *slash = '/';
    }
    if (mkdir(cwd, 0755) < 0 && errno != EEXIST)
        return -1;
    snprintf(source, sizeof source, "/proc/self/fd/%d", cwd_fd);
    if (mount(source, cwd, NULL, MS_BIND, NULL) < 0)
        return -1;
    return chdir(cwd);
}

/* Remounts the mount at `path` read-only or writable, keeping its other
 * flags: in a user namespace, those it came with from the host are locked,
 * and a remount that drops one is refused. */
static int remount(const char *path, int readonly)
{
    static const struct {
        unsigned long st;
        unsigned long ms;
    } flags[] = {{ST_NOSUID, MS_NOSUID},     {ST_NODEV, MS_NODEV},
                 {ST_NOEXEC, MS_NOEXEC},     {ST_NOATIME, MS_NOATIME},
                 {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME}};
    unsigned long ms = MS_REMOUNT | MS_BIND | (readonly ? MS_RDONLY : 0);
    struct statvfs st;

    if (statvfs(path, &st) < 0)
        return -1;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (st.f_flag & flags[i].st)
            ms |= flags[i].ms;
    return mount(NULL, path, NULL, ms, NULL);
}

/* The mount point of one line of /proc/self/mountinfo (its fifth field,
 * with \ooo escapes for spaces and the like). */
static int mountinfo_point(const char *line, char *point, size_t cap)
{
    size_t n = 0;

    for (int field = 0; field < 4; field++) {
        line = strchr(line, ' ');
        if (!line)
            return -1;
        line++;
    }
    for (; *line && *line != ' ' && n + 1 < cap; line++) {
        if (line[0] == '\\' && line[1] >= '0' && line[1] <= '3' && line[2] && line[3]) {
            point[n++] = (char)((line[1] - '0') * 64 + (line[2] - '0') * 8 + (line[3] - '0'));
            line += 3;
        } else
            point[n++] = *line;
    }
    point[n] = '\0';
    return n > 0 ? 0 : -1;
}

/* Before Linux 5.12: a remount per mount. Best effort: mounts under a
 * cover are out of sight anyway, and a failure leaves a mount as the host
 * has it. */
static void readonly_each_mount(void)
{
    char *text = read_file("/proc/self/mountinfo", NULL);
    char point[4096];

    for (char *line = text; line && *line;) {
        char *end = strchr(line, '\n');

        if (end)
            *end = '\0';
        if (mountinfo_point(line, point, sizeof point) == 0)
            remount(point, 1);
        line = end ? end + 1 : NULL;
    }
    free(text);
}

/* The whole tree read-only: a job can then leave nothing, and pass nothing
 * to another job, anywhere on the machine, world-writable places found or
 * not, files of its own uid included (without root, the job is the
 * grader's user outside its namespace, and would own their home). */
static void readonly_tree(void)
{
#ifdef SYS_mount_setattr
    struct {
        uint64_t attr_set;
        uint64_t attr_clr;
        uint64_t propagation;
        uint64_t userns_fd;
    } attr = {MOUNT_ATTR_RDONLY, 0, 0, 0};

    if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof attr) == 0)
        return;
#endif
    readonly_each_mount();
}

/* Writable again: the private tmpfs, and the scratch directory of a job
 * that must write there (a compile step, before build_seal_scratch). */
static int reopen_writable(const struct isolation *iso, const char *cwd, int sealed)
{
    for (size_t i = 0; i < iso->shared.count; i++)
        if (remount(iso->shared.items[i], 0) < 0 && errno != ENOENT && errno != EINVAL)
            return -1;
    if (cwd && !sealed)
        return remount(cwd, 0);
    return 0;
}

/* On failure, *step says which step failed. Making "/" private fails
 * with EINVAL where "/" is not a mount point: in a chroot. */
static int setup_mounts(const struct isolation *iso, const struct sandbox_limits *l,
                        const char *cwd, int sealed, enum ns_step *step)
{
    int cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int failed;

    *step = NS_STEP_MOUNTS;
    if (cwd_fd < 0)
        return -1;
    failed = mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0;
    if (failed)
        *step = NS_STEP_MOUNT_ROOT;
    failed = failed || hide_paths(iso) < 0 || cover_shared(iso, l) < 0
             || keep_cwd(cwd, cwd_fd) < 0;
    close(cwd_fd);
    if (failed)
        return -1;
    readonly_tree();
    return reopen_writable(iso, cwd, sealed);
}

/* ---- init and command ------------------------------------------------------------- */

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

/* Where the command line and the environment lie in this process's
 * memory: fields 48 to 51 of /proc/self/stat (arg_start, arg_end,
 * env_start, env_end), counted after the ')' that ends the name. */
static int arg_env_ranges(unsigned long range[4])
{
    char *text = read_file("/proc/self/stat", NULL);
    char *p = text ? strrchr(text, ')') : NULL;
    char *save = NULL;
    int field = 2;
    int found = 0;

    for (char *tok = p ? strtok_r(p + 1, " \n", &save) : NULL; tok && found < 4;
         tok = strtok_r(NULL, " \n", &save))
        if (++field >= 48)
            range[found++] = strtoul(tok, NULL, 10);
    free(text);
    return found == 4 && range[0] < range[1] && range[2] <= range[3] ? 0 : -1;
}

/* pid 1 is a fork of the grader that never execs: its memory still holds
 * the grader's command line and environment (the config's path, the
 * report's, every submission of the batch), and /proc/1/cmdline is
 * readable by every process of the job. Mounting /proc with hidepid=2
 * would not do: it hides only other uids, and in a user namespace init
 * has the job's. Exec'ing a small init would need a binary of its own.
 * So init blanks both in its own copy of the memory (the grader's stays
 * as it is) and calls itself mm-init. Non-dumpable, its memory, its
 * descriptors and ptrace are closed to the job even under the same uid
 * (the job has no capability where init's memory was made). */
static void hide_grader(void)
{
    static const char name[] = "mm-init";
    unsigned long r[4];

    prctl(PR_SET_DUMPABLE, 0);
    prctl(PR_SET_NAME, name);
    if (arg_env_ranges(r) < 0)
        return;
    memset((void *)r[0], 0, r[1] - r[0]);
    memcpy((void *)r[0], name, r[1] - r[0] > sizeof name ? sizeof name : r[1] - r[0] - 1);
    memset((void *)r[2], 0, r[3] - r[2]);
}

/* The job's own /proc. hidepid=2 hides processes of other uids (pid 1,
 * when the grader is root); a kernel that does not know it gets a plain
 * /proc, init's blanked memory being the defence that counts. */
static int mount_proc(void)
{
    unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

    if (mount("proc", "/proc", "proc", flags, "hidepid=2") == 0)
        return 0;
    return errno == EINVAL ? mount("proc", "/proc", "proc", flags, NULL) : -1;
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
    hide_grader();
    if (mount_proc() < 0)
        fail(fds->err, "mounting /proc");
    command = fork();
    if (command < 0)
        fail(fds->err, "fork");
    if (command == 0)
        exec_command(job, iso, fds->err);
    /* The records descriptor is the command's alone. */
    if (fds->rec >= 0)
        close(3);
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
    enum ns_step step;

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
    if (enter_namespaces(iso, &step) < 0)
        fail(fds->err, step == NS_STEP_UNSHARE ? "unshare" : "writing the uid/gid map");
    if (setup_mounts(iso, &job->limits, job->cwd,
                     job->cwd && sl_contains(&iso->sealed, job->cwd), &step) < 0)
        fail(fds->err, "setting up the job's mounts");
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

/* What a failed step of the probe tells the grader. */
struct probe_failure {
    int step;
    int err;
};

static void probe_failed(int fd, enum ns_step step) __attribute__((noreturn));

static void probe_failed(int fd, enum ns_step step)
{
    struct probe_failure f = {(int)step, errno};

    (void)!write(fd, &f, sizeof f);
    _exit(1);
}

/* A job's whole set-up, with nothing to run. Where it fails, the step and
 * its errno come back through a pipe (iso->ns_step, iso->ns_errno): the
 * message must name the real cause, which only they tell apart (no user
 * namespaces for a user, no CAP_SYS_ADMIN or a seccomp filter in a
 * container, a chroot's "/" that is no mount point). */
static int probe_namespaces(struct isolation *found)
{
    struct isolation iso = *found;
    struct sandbox_limits l = {1, 64, 1, 8, 1};
    struct probe_failure f = {NS_STEP_FORK, 0};
    int fds[2];
    pid_t pid;
    int status;
    int ok;

    if (pipe2(fds, O_CLOEXEC) < 0)
        return 0;
    pid = fork();
    if (pid == 0) {
        enum ns_step step;
        pid_t init;

        close(fds[0]);
        if (enter_namespaces(&iso, &step) < 0 || setup_mounts(&iso, &l, NULL, 0, &step) < 0)
            probe_failed(fds[1], step);
        init = fork();
        if (init < 0)
            probe_failed(fds[1], NS_STEP_FORK);
        if (init == 0 && mount_proc() < 0)
            probe_failed(fds[1], NS_STEP_PROC);
        if (init == 0)
            _exit(0);
        _exit(waitpid(init, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0);
    }
    close(fds[1]);
    ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)
         && WEXITSTATUS(status) == 0;
    if (!ok && read(fds[0], &f, sizeof f) != (ssize_t)sizeof f)
        f = (struct probe_failure){NS_STEP_FORK, pid < 0 ? errno : 0};
    close(fds[0]);
    found->ns_step = ok ? NS_STEP_NONE : (enum ns_step)f.step;
    found->ns_errno = ok ? 0 : f.err;
    return ok;
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
/* Each grader that uses cgroups holds an exclusive lock on a file named
 * after its id for as long as it lives, so that another grader's sweep
 * tells its idle slot cgroups (empty between two jobs, and older than a
 * minute in a long batch) from a dead grader's. */
#define CGROUP_LOCK_DIR "/run"

static char *lock_path(const char *id, size_t len)
{
    return xasprintf(CGROUP_LOCK_DIR "/moulinette-%.*s.lock", (int)len, id);
}

static char *g_lock_path;
static pid_t g_lock_owner;

/* At the grader's exit only (a forked job that calls exit() is not it). */
static void drop_cgroup_lock(void)
{
    if (g_lock_path && getpid() == g_lock_owner)
        unlink(g_lock_path);
}

static void hold_cgroup_lock(const struct isolation *iso)
{
    int fd;

    g_lock_path = lock_path(iso->id, strlen(iso->id));
    g_lock_owner = getpid();
    fd = open(g_lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    /* Without it, our cgroups look stale after a minute: say so. */
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0)
        fprintf(stderr, "moulinette: cannot lock %s (%s): another grader's cleanup may remove "
                        "this one's idle cgroups\n", g_lock_path, strerror(errno));
    /* Where our cgroups are: a grader started in another cgroup (another
     * login, another service) sweeps them from there once we are dead. */
    if (fd >= 0) {
        char *where = xasprintf("%s\n%s\n", iso->pids_parent, iso->memory_parent);

        (void)!write(fd, where, strlen(where));
        free(where);
    }
    atexit(drop_cgroup_lock);
}

/* Whether the grader that made cgroup `name` (moulinette-<id>-<slot> or
 * moulinette-probe-<id>) is gone: its lock is free. Graders without a
 * lock file (older ones) are judged by the cgroup's age. */
static int grader_gone(const char *name, const char *dir)
{
    const char *id = strncmp(name, "moulinette-probe-", 17) == 0 ? name + 17 : name + 11;
    char *path = lock_path(id, strcspn(id, "-"));
    int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    int gone;

    if (fd < 0)
        gone = stat(dir, &st) == 0 && time(NULL) - st.st_mtime > 60;
    else
        gone = flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (fd >= 0)
        close(fd);
    free(path);
    return gone;
}

/* A dead grader's jobs die with it (PDEATHSIG), but until their parent's
 * new reaper (pid 1, or the nearest subreaper) reaps them, the zombies
 * still count in pids.current and rmdir says EBUSY: such a cgroup is
 * waited for, at most SWEEP_WAIT seconds in all. One still busy then is
 * left with its grader's lock file, for the next run. */
#define SWEEP_WAIT 3.0

/* Removes the cgroups in `parent` that grader `id` made (its slots and its
 * probe); returns how many are left. */
static int remove_cgroups_of(const char *parent, const char *id, size_t len, double deadline)
{
    DIR *d = opendir(parent);
    struct dirent *e;
    char path[512];
    int left = 0;

    while (d && (e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        int probe = strncmp(name, "moulinette-probe-", 17) == 0;
        const char *at = name + (probe ? 17 : 11);

        if (strncmp(name, "moulinette-", 11) != 0 || strncmp(at, id, len) != 0
            || at[len] != (probe ? '\0' : '-'))
            continue;
        snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
        while (rmdir(path) != 0 && errno == EBUSY && now_seconds() < deadline)
            usleep(50000);
        left += access(path, F_OK) == 0;
    }
    if (d)
        closedir(d);
    return left;
}

/* Every grader that is gone (its lock file free): its cgroups removed
 * where its lock file says they are (ours if it does not say), then the
 * lock file. The lock is held meanwhile, so that two sweepers never race
 * on one dead grader; one whose cgroups are still busy keeps its lock
 * file, for the next run. */
static void sweep_dead_graders(const struct isolation *iso, double deadline)
{
    DIR *d = opendir(CGROUP_LOCK_DIR);
    struct dirent *e;

    while (d && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char where[520] = "";
        char *nl;
        int fd;
        int left = 0;

        if (strncmp(e->d_name, "moulinette-", 11) != 0 || len < 17
            || strcmp(e->d_name + len - 5, ".lock") != 0)
            continue;
        fd = openat(dirfd(d), e->d_name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
            if (fd >= 0)
                close(fd);
            continue;
        }
        if (read(fd, where, sizeof where - 1) < 0)
            where[0] = '\0';
        nl = strchr(where, '\n');
        if (nl && strchr(nl + 1, '\n')) {
            *nl = '\0';
            *strchr(nl + 1, '\n') = '\0';
            left += remove_cgroups_of(where, e->d_name + 11, len - 16, deadline);
            if (!iso->cgroup_v2)
                left += remove_cgroups_of(nl + 1, e->d_name + 11, len - 16, deadline);
        } else {
            left += remove_cgroups_of(iso->pids_parent, e->d_name + 11, len - 16, deadline);
            if (!iso->cgroup_v2)
                left += remove_cgroups_of(iso->memory_parent, e->d_name + 11, len - 16, deadline);
        }
        if (left == 0)
            unlinkat(dirfd(d), e->d_name, 0);
        close(fd);
    }
    if (d)
        closedir(d);
}

/* Cgroups in our own parents of graders without a lock file (older
 * graders), by age; or whose lock frees while we look. No waiting here:
 * a busy one may not be ours to wait for. */
static void sweep_cgroups(const struct isolation *iso)
{
    const char *const parents[] = {iso->pids_parent, iso->memory_parent};

    for (size_t i = 0; i < (iso->cgroup_v2 ? 1u : 2u); i++) {
        DIR *d = opendir(parents[i]);
        struct dirent *e;
        char path[512];

        while (d && (e = readdir(d)) != NULL) {
            if (strncmp(e->d_name, "moulinette-", 11) != 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", parents[i], e->d_name);
            if (grader_gone(e->d_name, path))
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

/* World-writable directories, where jobs could leave files behind or meet
 * one another: /tmp, /dev/shm, /var/tmp, /run/lock, /dev/mqueue and the
 * like (/var/crash on Ubuntu), looked for one level below /, /var, /run
 * and /dev, where systems keep them. Each gets a private tmpfs in every
 * job; any other is read-only there like the rest of the machine. */
static void find_shared_dirs(struct strlist *shared)
{
    static const char *const parents[] = {"/", "/var", "/run", "/dev"};
    struct stat st;

    sl_push(shared, "/tmp");
    sl_push(shared, "/dev/shm");
    for (size_t i = 0; i < sizeof parents / sizeof parents[0]; i++) {
        DIR *d = opendir(parents[i]);
        struct dirent *e;

        while (d && (e = readdir(d)) != NULL) {
            char *path;

            if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0
                || !S_ISDIR(st.st_mode) || !(st.st_mode & S_IWOTH))
                continue;
            path = xasprintf("%s/%s", strcmp(parents[i], "/") == 0 ? "" : parents[i], e->d_name);
            if (!sl_contains(shared, path))
                sl_push(shared, path);
            free(path);
        }
        if (d)
            closedir(d);
    }
}

/* Whether "/" is a mount point, from /proc/self/mountinfo: in a chroot it
 * is not (only the mounts under the new root are listed), and a mount
 * namespace cannot be made private there. -1 when /proc is not there. */
static int root_is_mount_point(void)
{
    char *text = read_file("/proc/self/mountinfo", NULL);
    char point[4096];
    int found = 0;

    if (!text)
        return -1;
    for (char *line = text; *line && !found;) {
        char *end = strchr(line, '\n');

        if (end)
            *end = '\0';
        found = mountinfo_point(line, point, sizeof point) == 0 && strcmp(point, "/") == 0;
        line = end ? end + 1 : line + strlen(line);
    }
    free(text);
    return found;
}

/* The `container` variable of pid 1's environment (systemd's convention:
 * podman, lxc, systemd-nspawn set it) or of our own (podman). */
static int container_from_environ(char *name, size_t cap)
{
    size_t len = 0;
    char *env = read_file("/proc/1/environ", &len);
    const char *own = getenv("container");
    int found = 0;

    if (env)
        for (size_t i = 0; i < len && !found; i += strlen(env + i) + 1)
            if (strncmp(env + i, "container=", 10) == 0 && env[i + 10]) {
                snprintf(name, cap, "%s", env + i + 10);
                found = 1;
            }
    free(env);
    if (!found && own && *own) {
        snprintf(name, cap, "%s", own);
        found = 1;
    }
    return found;
}

/* Which container, if any, the grader runs in: Docker's and podman's
 * marker files, the `container` variable, or a runtime's name in our
 * cgroup path (cgroup v1, or v2 without a cgroup namespace). Only the
 * messages use it: what the sandbox does depends on what the probe could
 * do, never on this guess. */
static void detect_container(char *name, size_t cap)
{
    static const char *const runtimes[] = {"docker", "kubepods", "containerd", "lxc", "libpod"};
    char *cgroups;

    name[0] = '\0';
    if (access("/.dockerenv", F_OK) == 0) {
        snprintf(name, cap, "docker");
        return;
    }
    if (access("/run/.containerenv", F_OK) == 0) {
        snprintf(name, cap, "podman");
        return;
    }
    if (container_from_environ(name, cap))
        return;
    cgroups = read_file("/proc/self/cgroup", NULL);
    for (size_t i = 0; cgroups && i < sizeof runtimes / sizeof runtimes[0] && !name[0]; i++)
        if (strstr(cgroups, runtimes[i]))
            snprintf(name, cap, "%s", strcmp(runtimes[i], "libpod") == 0 ? "podman" : runtimes[i]);
    free(cgroups);
}

void isolate_probe(struct isolation *iso)
{
    make_id(iso);
    iso->user_ns = !sandbox_privileged();
    find_shared_dirs(&iso->shared);
    iso->namespaces = probe_namespaces(iso);
    iso->root_mounted = root_is_mount_point();
    detect_container(iso->container, sizeof iso->container);
    iso->cgroups = sandbox_privileged() && probe_cgroups(iso);
    if (iso->cgroups) {
        double deadline = now_seconds() + SWEEP_WAIT;

        sweep_dead_graders(iso, deadline);
        sweep_cgroups(iso);
        hold_cgroup_lock(iso);
    }
}

/* The first line of a sysctl file as a number, or -1. */
static long sysctl_value(const char *path)
{
    char *text = read_file(path, NULL);
    long value = text && *text ? strtol(text, NULL, 10) : -1;

    free(text);
    return value;
}

/* Why an unprivileged user namespace was refused, from the knobs that
 * refuse them (Ubuntu 23.10+'s AppArmor switch, Debian's older patch, the
 * namespace count), else the errno. */
static void userns_refusal(const struct isolation *iso, char *why, size_t cap)
{
    if (iso->root_mounted == 0)
        snprintf(why, cap, "not root, inside a chroot, where the kernel refuses user namespaces");
    else if (sysctl_value("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
        snprintf(why, cap, "not root, and AppArmor restricts unprivileged user namespaces "
                           "(kernel.apparmor_restrict_unprivileged_userns=1)");
    else if (sysctl_value("/proc/sys/kernel/unprivileged_userns_clone") == 0)
        snprintf(why, cap, "not root, and unprivileged user namespaces are off "
                           "(kernel.unprivileged_userns_clone=0)");
    else if (sysctl_value("/proc/sys/user/max_user_namespaces") == 0)
        snprintf(why, cap, "not root, and user namespaces are off (user.max_user_namespaces=0)");
    else if (iso->container[0])
        snprintf(why, cap, "not root, in a container (%s) that refuses user namespaces (unshare: %s)",
                 iso->container, strerror(iso->ns_errno));
    else
        snprintf(why, cap, "not root, and this machine refuses unprivileged user namespaces "
                           "(unshare: %s)", strerror(iso->ns_errno));
}

/* The cause of a failed probe, in words: the step that failed, its errno,
 * and what they mean where the grader runs. */
static void ns_cause(const struct isolation *iso, char *why, size_t cap)
{
    const char *err = strerror(iso->ns_errno);
    const char *where = iso->container[0] ? iso->container : "container";

    switch (iso->ns_step) {
    case NS_STEP_UNSHARE:
        if (iso->user_ns)
            userns_refusal(iso, why, cap);
        else if (iso->ns_errno == EPERM)
            snprintf(why, cap, "root, but %s%s%s%s forbids creating namespaces (unshare: %s: no "
                               "CAP_SYS_ADMIN, or a seccomp filter)",
                     iso->container[0] ? "this container" : "this process (as in a container)",
                     iso->container[0] ? " (" : "", iso->container,
                     iso->container[0] ? ")" : "",
                     err);
        else
            snprintf(why, cap, "root, but unshare fails (%s)", err);
        break;
    case NS_STEP_ID_MAP:
        snprintf(why, cap, "the user namespace's uid map was refused (%s)", err);
        break;
    case NS_STEP_MOUNT_ROOT:
        if (iso->root_mounted == 0 || iso->ns_errno == EINVAL)
            snprintf(why, cap, "/ is not a mount point (a chroot?), so a job's mount namespace "
                               "cannot be made private (mount /: %s)", err);
        else
            snprintf(why, cap, "a job's mount namespace cannot be made private (mount /: %s)",
                     err);
        break;
    case NS_STEP_MOUNTS:
        snprintf(why, cap, "a job's private /tmp and /dev/shm cannot be mounted (%s%s%s)", err,
                 iso->container[0] ? ", in a " : "", iso->container[0] ? where : "");
        break;
    case NS_STEP_PROC:
        snprintf(why, cap, "a job's own /proc cannot be mounted (%s%s%s: a masked /proc?)", err,
                 iso->container[0] ? ", in a " : "", iso->container[0] ? where : "");
        break;
    default:
        snprintf(why, cap, "the namespace probe could not run (%s)", err);
        break;
    }
}

/* What follows from running without namespaces, as who runs the grader.
 * As root in a container, the container is the outer wall: it must give
 * what the jobs' namespaces and cgroups would have. */
static void ns_consequence(const struct isolation *iso, char *what, size_t cap)
{
    int root = sandbox_privileged();
    const char *cg = iso->cgroups ? "" : ", pids and memory limits";

    if (root && (iso->container[0] || iso->ns_step == NS_STEP_UNSHARE))
        snprintf(what, cap, "jobs keep uid %d, rlimits, sessions and private scratch folders, "
                            "but share /tmp, /dev/shm and the network: the container must be the "
                            "outer wall (no network, one submission at a time, nothing uid %d may "
                            "not read%s; README, Containers)",
                 SANDBOX_UID, SANDBOX_UID, cg);
    else if (root)
        snprintf(what, cap, "jobs keep uid %d, rlimits, sessions and private scratch folders, "
                            "but share /tmp, /dev/shm and the network; for the full sandbox enter "
                            "the root with pivot_root in a mount namespace, not chroot (README, "
                            "Fallback)",
                 SANDBOX_UID);
    else
        snprintf(what, cap, "jobs run as you with sessions, rlimits and private scratch folders "
                            "only: no private /tmp and /dev/shm, no pid or network isolation "
                            "(README, Fallback)");
}

char *isolate_describe(const struct isolation *iso, int quiet_user)
{
    if (!iso->namespaces) {
        char why[256];
        char what[512];

        ns_cause(iso, why, sizeof why);
        ns_consequence(iso, what, sizeof what);
        return xasprintf("sandbox: %s: %s", why, what);
    }
    if (iso->cgroups)
        return NULL;
    /* Cgroups are for root: a user's jobs are bounded by rlimits in their
     * own pid namespace, which is how a laptop grades. A note, not a fault. */
    if (!sandbox_privileged())
        return quiet_user ? NULL
                          : xstrdup("sandbox: note: pids and memory cgroups are for root; as "
                                    "a user, each job's processes and memory are bounded by its "
                                    "rlimits (README, Fallback)");
    return xstrdup("sandbox: root, but no writable pids/memory cgroups here (/sys/fs/cgroup "
                   "read-only or without those controllers): fork bombs and memory are bounded "
                   "by rlimits only");
}
