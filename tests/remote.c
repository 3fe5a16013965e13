/*
 * remote.c - see remote.h.
 */
#define _GNU_SOURCE
#include "remote.h"

#include "crashsite.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

struct driver {
    pid_t pid;
    int fd;
    uint64_t fns;
    siginfo_t fault; /* the last SIGSEGV/SIGBUS seen, si_signo 0 if none */
    int ended;       /* reaped: its wait status is in `status` */
    int status;
};

static struct driver g_drv = {.pid = -1, .fd = -1};
static int g_sigfd = -1;
static int g_child;


static void setup_fail(const char *what) __attribute__((noreturn));
static void setup_fail(const char *what)
{
    char msg[256];

    snprintf(msg, sizeof msg, "test set-up: %s: %s", what, strerror(errno));
    mm_report_failure(msg);
}

/* ---- the driver's seccomp filter ------------------------------------------- */

#if defined(__x86_64__)
#define MM_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define MM_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC \
                  | CLONE_NEWUTS | CLONE_NEWCGROUP)

/* What a memory-mapping exercise never needs, and what would let its code
 * reach the checker or forge what the checker observes. */
static const int g_refused[] = {
    SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_pidfd_getfd, SYS_kcmp,
    SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo, SYS_socket, SYS_socketpair, SYS_connect,
    SYS_bind, SYS_listen, SYS_accept, SYS_accept4, SYS_io_uring_setup, SYS_io_uring_enter,
    SYS_io_uring_register, SYS_bpf, SYS_perf_event_open, SYS_userfaultfd, SYS_mount,
    SYS_umount2, SYS_unshare, SYS_setns, SYS_pivot_root, SYS_chroot, SYS_keyctl, SYS_add_key,
    SYS_request_key, SYS_open_by_handle_at, SYS_name_to_handle_at, SYS_personality,
    /* A signal with a made-up siginfo. (execve, seccomp and prctl are
     * refused by the driver's own second filter, once it has exec'd.) */
    SYS_pidfd_send_signal, SYS_pidfd_open,
};

#define NREFUSED (sizeof g_refused / sizeof g_refused[0])

static struct sock_filter stmt(unsigned short code, unsigned k)
{
    return (struct sock_filter){code, 0, 0, k};
}

static struct sock_filter jump(unsigned short code, unsigned k, unsigned char jt, unsigned char jf)
{
    return (struct sock_filter){code, jt, jf, k};
}

static int install_filter(void)
{
#ifdef MM_AUDIT_ARCH
    struct sock_filter f[NREFUSED + 16];
    struct sock_fprog prog = {0, f};
    size_t n = 0;

    f[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    f[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, MM_AUDIT_ARCH, 1, 0);
    f[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    f[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    /* x32 system calls (nr | 0x40000000) would bypass the numbers below. */
    f[n++] = jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, NREFUSED + 6, 0);
    f[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_msync, NREFUSED + 6, 0);
    f[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, NREFUSED + 6, 0);
    for (size_t i = 0; i < NREFUSED; i++)
        f[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)g_refused[i],
                      (unsigned char)(NREFUSED + 3 - i), 0);
    f[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 2);
    f[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
    f[n++] = jump(BPF_JMP | BPF_JSET | BPF_K, NS_FLAGS, 1, 0);
    f[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    f[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
    /* Targets of the jumps above (x32 and refused calls land on the EPERM
     * just above): */
    f[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
    f[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    prog.len = (unsigned short)n;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
#else
    return -1;
#endif
}

/* ---- starting, attaching, stopping -------------------------------------------- */

static void watch_children(void)
{
    sigset_t chld;

    if (g_sigfd >= 0)
        return;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    g_sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (g_sigfd < 0)
        setup_fail("signalfd");
}

static void attach(pid_t pid)
{
    long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;

    if (ptrace(PTRACE_SEIZE, pid, 0, (void *)opts) != 0)
        setup_fail("cannot attach to the process running your code (ptrace)");
}

/* Under valgrind (--under): its messages on stderr, which the runner
 * gives to the test; its own descriptors at the top of a 1024 limit, where
 * the checker can still see every one (procview.h). Valgrind runs the
 * driver in the same process: tracing and reading it work as without. */
static void exec_under(const char *under, const char *path)
{
    struct rlimit nofile;

    /* Valgrind puts its own at the top of the hard limit. */
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_max > 1024) {
        nofile.rlim_cur = nofile.rlim_cur < 1024 ? nofile.rlim_cur : 1024;
        nofile.rlim_max = 1024;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    execlp(under, under, "--quiet", "--error-exitcode=0", "--log-fd=2", path, (char *)NULL);
    perror("moulinette checker: exec of the driver under --under");
    _exit(126);
}

/* In the child, before exec: the filter, the socket as MM_DRIVER_FD, and
 * no other descriptor of the checker but stdin/stdout/stderr. */
static void exec_driver(const char *path, int fd)
{
    if (install_filter() != 0) {
        perror("moulinette checker: seccomp filter");
        _exit(126);
    }
    if (dup2(fd, MM_DRIVER_FD) < 0)
        _exit(126);
    syscall(SYS_close_range, MM_DRIVER_FD + 1, ~0u, 0);
    if (mm_runner_under())
        exec_under(mm_runner_under(), path);
    execl(path, path, (char *)NULL);
    perror("moulinette checker: exec of the driver");
    _exit(126);
}

/* The driver's own filter (tests/driver.c) must be in place before any
 * submission code runs: two filters, the checker's and the driver's. */
static void check_filters(pid_t pid)
{
    char path[64];
    char buf[4096];
    const char *f;
    ssize_t n;
    int fd;

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    f = strstr(buf, "Seccomp_filters:");
    if (!f || atoi(f + 16) < 2)
        mm_report_failure("test set-up: the test driver did not install its seccomp filter");
}

void mm_driver_start(const char *path)
{
    int sv[2];
    pid_t pid;
    uint64_t none[4] = {0};

    watch_children();
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        setup_fail("socketpair");
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        setup_fail("fork");
    if (pid == 0)
        exec_driver(path, sv[1]);
    close(sv[1]);
    g_drv = (struct driver){.pid = pid, .fd = sv[0]};
    /* The hello: read before attaching, since the driver is dumpable (and
     * can be attached to) only once it has exec'd. It runs no submission
     * code before its first request. */
    g_drv.fns = (uint64_t)mm_rpc(0, 0, none, NULL, 0, NULL, 0, NULL);
    check_filters(pid);
    attach(pid);
}

void mm_driver_stop(void)
{
    if (g_drv.pid <= 0)
        return;
    kill(g_drv.pid, SIGKILL);
    close(g_drv.fd);
    if (!g_child)
        while (waitpid(g_drv.pid, NULL, __WALL) < 0 && errno == EINTR) {
        }
    g_drv.pid = -1;
    g_drv.fd = -1;
}

pid_t mm_driver_pid(void)
{
    return g_drv.pid;
}

int mm_driver_has(enum mm_fn fn)
{
    return (int)(g_drv.fns >> fn & 1);
}

int mm_is_child(void)
{
    return g_child;
}

/* ---- what ptrace shows --------------------------------------------------------- */

static void record_msync(pid_t pid)
{
    struct __ptrace_syscall_info info;
    struct mm_msync_call *m = &mm_msync_log[mm_msync_count % MM_MSYNC_LOG];

    memset(&info, 0, sizeof info);
    if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info) <= 0)
        return;
    m->addr = (void *)(uintptr_t)info.seccomp.args[0];
    m->len = (size_t)info.seccomp.args[1];
    m->flags = (int)info.seccomp.args[2];
    mm_msync_count++;
}

static void on_stop(int status)
{
    int sig = WSTOPSIG(status);
    int event = (int)((unsigned)status >> 16);
    siginfo_t si;

    if (event == PTRACE_EVENT_SECCOMP) {
        record_msync(g_drv.pid);
        sig = 0;
    } else if (event == PTRACE_EVENT_STOP) {
        sig = 0; /* a group-stop: the driver goes on */
    } else if (ptrace(PTRACE_GETSIGINFO, g_drv.pid, 0, &si) == 0
               && (si.si_signo == SIGSEGV || si.si_signo == SIGBUS)) {
        g_drv.fault = si;
        mm_crash_capture(g_drv.pid, sig);
    } else if (sig == SIGFPE || sig == SIGILL || sig == SIGABRT || sig == SIGTRAP) {
        mm_crash_capture(g_drv.pid, sig);
    }
    ptrace(PTRACE_CONT, g_drv.pid, 0, (void *)(long)sig);
}

/* Handles the driver's pending stops; returns its wait status once it has
 * ended (reaped once, remembered after), -1 while it runs. */
static int pump(void)
{
    struct signalfd_siginfo drop;

    if (g_drv.ended)
        return g_drv.status;
    while (read(g_sigfd, &drop, sizeof drop) > 0) {
    }
    for (;;) {
        int status = 0;
        pid_t r = waitpid(g_drv.pid, &status, WNOHANG | __WALL);

        if (r == 0)
            return -1;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            status = 0; /* no longer ours to wait for: treat as a plain end */
        else if (WIFSTOPPED(status)) {
            on_stop(status);
            continue;
        }
        g_drv.ended = 1;
        g_drv.status = status;
        return status;
    }
}

static void driver_ended(int status) __attribute__((noreturn));
static void driver_ended(int status)
{
    g_drv.pid = -1;
    g_drv.ended = 0;
    mm_report_driver_end(status);
}

/* The driver closed its end: wait for it to end (it is killed if it
 * lingers, since it stopped answering). */
static void driver_gone(void) __attribute__((noreturn));
static void driver_gone(void)
{
    struct pollfd p = {g_sigfd, POLLIN, 0};

    for (int tries = 0; tries < 200; tries++) {
        int status = pump();

        if (status >= 0)
            driver_ended(status);
        poll(&p, 1, 10);
        mm_runner_alive();
    }
    kill(g_drv.pid, SIGKILL);
    for (;;) {
        int status = pump();

        if (status >= 0)
            driver_ended(status);
        poll(&p, 1, 10);
        mm_runner_alive();
    }
}

/* Waits until the socket has something to read (or was closed). */
static void wait_readable(void)
{
    for (;;) {
        struct pollfd p[2] = {{g_drv.fd, POLLIN, 0}, {g_sigfd, POLLIN, 0}};

        if (poll(p, 2, -1) < 0 && errno != EINTR)
            setup_fail("poll");
        if (p[0].revents)
            return;
        if (pump() >= 0)
            driver_gone();
    }
}

static void read_reply(void *buf, size_t len)
{
    unsigned char *p = buf;

    while (len > 0) {
        ssize_t n;

        wait_readable();
        n = read(g_drv.fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            driver_gone();
        p += n;
        len -= (size_t)n;
    }
}

static void send_request(const struct mm_request *q, const void *payload, int pass_fd)
{
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov[2] = {{(void *)q, sizeof *q}, {(void *)payload, q->len}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = q->len ? 2 : 1};
    size_t total = sizeof *q + q->len;
    ssize_t n;

    if (pass_fd >= 0) {
        struct cmsghdr *c;

        memset(control, 0, sizeof control);
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    n = sendmsg(g_drv.fd, &msg, MSG_NOSIGNAL);
    /* A short send (a payload larger than the socket buffer) goes on with
     * plain writes; the driver reads until it has it all. */
    while (n >= 0 && (size_t)n < total) {
        const unsigned char *rest = (const unsigned char *)payload + ((size_t)n - sizeof *q);
        ssize_t m;

        if ((size_t)n < sizeof *q)
            m = send(g_drv.fd, (const char *)q + n, sizeof *q - (size_t)n, MSG_NOSIGNAL);
        else
            m = send(g_drv.fd, rest, total - (size_t)n, MSG_NOSIGNAL);
        if (m < 0 && errno == EINTR)
            continue;
        n = m < 0 ? m : n + m;
    }
    if (n < 0)
        driver_gone();
}

static int64_t exchange(const struct mm_request *q, const void *payload, int pass_fd, void *out,
                        size_t cap, size_t *out_len)
{
    struct mm_reply r;
    static unsigned char sink[4096];

    if (q->op != 0)
        send_request(q, payload, pass_fd);
    read_reply(&r, sizeof r);
    if (r.len > MM_MAX_PAYLOAD) {
        kill(g_drv.pid, SIGKILL);
        mm_report_failure("the process running your code wrote on the test driver's socket "
                          "(its replies no longer make sense): never write to a descriptor "
                          "your code did not open");
    }
    for (uint32_t got = 0; got < r.len;) {
        size_t want = r.len - got;
        unsigned char *dst = out && got < cap ? (unsigned char *)out + got : sink;
        size_t room = out && got < cap ? cap - got : sizeof sink;

        want = want < room ? want : room;
        read_reply(dst, want);
        got += (uint32_t)want;
    }
    if (out_len)
        *out_len = r.len < cap ? r.len : cap;
    errno = r.err;
    return r.value;
}

int64_t mm_rpc(uint32_t op, uint32_t flags, const uint64_t arg[4], const void *payload,
               size_t len, void *out, size_t cap, size_t *out_len)
{
    struct mm_request q = {op, flags, {arg[0], arg[1], arg[2], arg[3]}, (uint32_t)len, errno};

    if (g_drv.pid <= 0)
        mm_report_failure("test set-up: no process runs your code");
    return exchange(&q, payload, -1, out, cap, out_len);
}

/* ---- fork --------------------------------------------------------------------- */

pid_t mm_fork_both(void)
{
    struct mm_request q = {.op = MM_OP_FORK};
    int sv[2];
    int64_t kid;
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        setup_fail("socketpair");
    kid = exchange(&q, NULL, sv[1], NULL, 0, NULL);
    close(sv[1]);
    if (kid <= 0)
        mm_report_failure("test set-up: the process running your code could not fork");
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        setup_fail("fork");
    if (pid > 0) {
        close(sv[0]);
        return pid;
    }
    close(g_drv.fd);
    g_drv.pid = (pid_t)kid;
    g_drv.fd = sv[0];
    g_drv.ended = 0;
    memset(&g_drv.fault, 0, sizeof g_drv.fault);
    g_child = 1;
    attach(g_drv.pid);
    return 0;
}

/* ---- memory ----------------------------------------------------------------- */

/* EFAULT (and a short transfer) is about the address: unmapped or
 * protected, which the caller reports. Anything else means the checker
 * lost its view of the driver, which never counts as a pass. */
static int transferred(ssize_t n, size_t len)
{
    if (n == (ssize_t)len)
        return 0;
    if (n >= 0 || errno == EFAULT || errno == ENOMEM)
        return -1;
    setup_fail("the checker cannot reach the memory of the process running your code");
}

int mm_remote_read(uintptr_t addr, void *buf, size_t len)
{
    struct iovec local = {buf, len};
    struct iovec remote = {(void *)addr, len};

    return transferred(process_vm_readv(g_drv.pid, &local, 1, &remote, 1, 0), len);
}

int mm_remote_write(uintptr_t addr, const void *buf, size_t len)
{
    struct iovec local = {(void *)buf, len};
    struct iovec remote = {(void *)addr, len};

    return transferred(process_vm_writev(g_drv.pid, &local, 1, &remote, 1, 0), len);
}

int mm_remote_touch(uintptr_t addr, int write, siginfo_t *seen)
{
    uint64_t arg[4] = {addr, (uint64_t)write, 0, 0};

    memset(&g_drv.fault, 0, sizeof g_drv.fault);
    (void)mm_rpc(MM_OP_TOUCH, 0, arg, NULL, 0, NULL, 0, NULL);
    /* The driver's answer is a claim; the fault is what ptrace saw. */
    if (seen)
        *seen = g_drv.fault;
    return g_drv.fault.si_signo != 0;
}

/* ---- several ring calls in one request ---------------------------------------- */

/* The request (calls, then the writes' bytes) and the reply (results, then
 * the reads' bytes) of one batch. Static: a batch moves up to a MiB. */
static unsigned char g_batch_in[MM_MAX_PAYLOAD];
static unsigned char g_batch_out[MM_MAX_PAYLOAD];

size_t mm_ring_batch_fit(const struct mm_ring_op *ops, size_t n)
{
    size_t in = 0;
    size_t out = 0;
    size_t k = 0;

    for (; k < n && k < MM_RING_BATCH_MAX; k++) {
        in += sizeof(struct mm_ring_call) + (ops[k].write ? ops[k].len : 0);
        out += sizeof(struct mm_ring_result) + (ops[k].write ? 0 : ops[k].len);
        if (in > MM_MAX_PAYLOAD || out > MM_MAX_PAYLOAD)
            break;
    }
    if (k == 0 && n > 0)
        mm_report_failure("test set-up: a ring call of more bytes than the driver holds");
    return k;
}

/* A reply that cannot come from the calls asked for: the submission wrote
 * on the socket, or answered for the driver. */
static void batch_nonsense(const char *what) __attribute__((noreturn));
static void batch_nonsense(const char *what)
{
    char msg[512];

    kill(g_drv.pid, SIGKILL);
    snprintf(msg, sizeof msg,
             "the process running your code answered a run of ring calls with %s (its replies no "
             "longer make sense): never write to a descriptor your code did not open",
             what);
    mm_report_failure(msg);
}

/* Whether op `o`, with the bytes it read at `bytes`, ends a batch. */
static int ends_batch(const struct mm_ring_op *o, const unsigned char *bytes, const void *stop,
                      size_t stop_len)
{
    if (o->ret != (ssize_t)o->len)
        return 1;
    return !o->write && stop_len > 0 && o->len >= stop_len && memcmp(bytes, stop, stop_len) == 0;
}

static size_t batch_request(const struct mm_ring_op *ops, size_t n)
{
    size_t at = n * sizeof(struct mm_ring_call);

    for (size_t i = 0; i < n; i++) {
        struct mm_ring_call c = {(uint32_t)(ops[i].write != 0), (uint32_t)ops[i].len};

        memcpy(g_batch_in + i * sizeof c, &c, sizeof c);
        if (ops[i].write) {
            memcpy(g_batch_in + at, ops[i].src, ops[i].len);
            at += ops[i].len;
        }
    }
    return at;
}

/* Checks the reply of `made` calls (`got` bytes) and hands each call its
 * result and bytes. */
static void batch_results(struct mm_ring_op *ops, size_t n, size_t made, size_t got,
                          const void *stop, size_t stop_len)
{
    size_t at = made * sizeof(struct mm_ring_result);

    if (got < at)
        batch_nonsense("fewer results than calls");
    for (size_t i = 0; i < made; i++) {
        struct mm_ring_result r;
        size_t bytes = 0;
        int ends;

        memcpy(&r, g_batch_out + i * sizeof r, sizeof r);
        ops[i].ret = (ssize_t)r.ret;
        ops[i].err = r.err;
        if (!ops[i].write && r.ret > 0)
            bytes = (size_t)r.ret < ops[i].len ? (size_t)r.ret : ops[i].len;
        if (got - at < bytes)
            batch_nonsense("fewer bytes than its reads returned");
        if (bytes)
            memcpy(ops[i].dst, g_batch_out + at, bytes);
        /* The run ends at the first call that ends it, no sooner and no
         * later: the calls made are the ones a loop would have made. */
        ends = ends_batch(&ops[i], g_batch_out + at, stop, stop_len);
        if (i + 1 < made && ends)
            batch_nonsense("calls made after one that ended the run");
        if (i + 1 == made && made < n && !ends)
            batch_nonsense("a run that stopped before a call that ends it");
        at += bytes;
    }
    if (got != at)
        batch_nonsense("more bytes than its reads returned");
}

size_t mm_ring_batch(const void *rb, struct mm_ring_op *ops, size_t n, const void *stop,
                     size_t stop_len)
{
    uint64_t arg[4] = {(uint64_t)(uintptr_t)rb, n, stop_len, 0};
    size_t len;
    size_t got = 0;
    int64_t made;

    if (n == 0 || n > MM_RING_BATCH_MAX || stop_len > sizeof arg[3] || mm_ring_batch_fit(ops, n) != n)
        mm_report_failure("test set-up: a run of ring calls larger than one request");
    if (stop_len)
        memcpy(&arg[3], stop, stop_len);
    len = batch_request(ops, n);
    made = mm_rpc(MM_OP_RING_BATCH, 0, arg, g_batch_in, len, g_batch_out, sizeof g_batch_out, &got);
    if (made < 0) {
        char msg[256];

        snprintf(msg, sizeof msg, "test set-up: the test driver refused a run of %zu ring calls: %s", n,
                 strerror(errno));
        mm_report_failure(msg);
    }
    if (made == 0 || (uint64_t)made > n)
        batch_nonsense("a count of calls it was not asked to make");
    batch_results(ops, n, (size_t)made, got, stop, stop_len);
    return (size_t)made;
}
