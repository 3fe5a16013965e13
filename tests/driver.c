/*
 * driver.c - the only test code linked with the submission.
 *
 * It does what the checker asks on descriptor MM_DRIVER_FD (proto.h): call
 * one of the exercise's functions (or a run of ring calls), read a field
 * through the shim, fork, or touch one byte. It decides nothing and reports only what the calls
 * returned: the checker verifies the effects from outside. A submission
 * that takes this process over (and it can: this is its process) can only
 * lie in replies, and a lie the checker cannot see through is one that
 * produced the real effects.
 *
 * No heap: a malloc could add a mapping of its own that the leak checks
 * would blame on the submission. Buffers are static, in .bss, mapped before
 * the checker's first snapshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api.h"
#include "proto.h"
#include "ring_api.h"

static unsigned char g_in[MM_MAX_PAYLOAD + 1];
static unsigned char g_out[MM_MAX_PAYLOAD];
static int g_fd = MM_DRIVER_FD;

/* ---- the wire ---------------------------------------------------------------- */

static int write_all(const void *buf, size_t len)
{
    const unsigned char *p = buf;

    while (len > 0) {
        ssize_t n = write(g_fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void reply(int64_t value, int err, const void *payload, size_t len)
{
    struct mm_reply r = {value, err, (uint32_t)len};

    if (write_all(&r, sizeof r) != 0 || (len && write_all(payload, len) != 0))
        _exit(0);
}

/* Reads `len` bytes; a descriptor passed with them lands in *passed. */
static int read_all(void *buf, size_t len, int *passed)
{
    unsigned char *p = buf;

    while (len > 0) {
        char control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {p, len};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                             .msg_controllen = sizeof control};
        ssize_t n = recvmsg(g_fd, &msg, MSG_CMSG_CLOEXEC);
        struct cmsghdr *c;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            _exit(MM_DRIVER_LOST);
        if (n == 0)
            return -1;
        c = CMSG_FIRSTHDR(&msg);
        if (passed && c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(passed, CMSG_DATA(c), sizeof(int));
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- the second filter ------------------------------------------------------ */

/* The checker's filter (remote.c) could not refuse execve: it is installed
 * before this program is exec'd. This one, installed before any code of
 * the submission runs, refuses another program in this process's place
 * (an unreadable one would be non-dumpable, blind to the checker), a
 * filter of the submission's own (which could trap this driver's calls)
 * and prctl (PR_SET_DUMPABLE). The checker makes sure it is there. */
static int refuse_more(void)
{
    static const unsigned refused[] = {SYS_execve, SYS_execveat, SYS_seccomp, SYS_prctl};
    struct sock_filter f[2 + 2 * 4 + 1];
    struct sock_fprog prog = {0, f};
    unsigned short n = 0;

    f[n++] = (struct sock_filter){BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr)};
    for (size_t i = 0; i < 4; i++) {
        f[n++] = (struct sock_filter){BPF_JMP | BPF_JEQ | BPF_K, 0, 1, refused[i]};
        f[n++] = (struct sock_filter){BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | EPERM};
    }
    f[n++] = (struct sock_filter){BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW};
    prog.len = n;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* ---- the calls ------------------------------------------------------------- */

static uint64_t defined_functions(void)
{
    const void *fn[MM_FN_COUNT] = {
        [MM_FN_map_file] = (const void *)map_file,
        [MM_FN_map_anonymous] = (const void *)map_anonymous,
        [MM_FN_create_shared_region] = (const void *)create_shared_region,
        [MM_FN_attach_shared_region] = (const void *)attach_shared_region,
        [MM_FN_sync_mapping] = (const void *)sync_mapping,
        [MM_FN_protect_mapping] = (const void *)protect_mapping,
        [MM_FN_unmap] = (const void *)unmap,
        [MM_FN_destroy_shared_region] = (const void *)destroy_shared_region,
        [MM_FN_mm_name] = (const void *)mm_name,
        [MM_FN_create_ring_buffer] = (const void *)create_ring_buffer,
        [MM_FN_attach_ring_buffer] = (const void *)attach_ring_buffer,
        [MM_FN_ring_write] = (const void *)ring_write,
        [MM_FN_ring_read] = (const void *)ring_read,
        [MM_FN_destroy_ring_buffer] = (const void *)destroy_ring_buffer,
    };
    uint64_t bits = 0;

    for (int i = 0; i < MM_FN_COUNT; i++)
        if (fn[i])
            bits |= (uint64_t)1 << i;
    return bits;
}

#define PTR(x) ((void *)(uintptr_t)(x))

/* The one call of a CALL request; *out_len is set for ring_read. */
static int64_t call(const struct mm_request *q, const char *str, size_t *out_len)
{
    const uint64_t *a = q->arg;
    void *data = q->flags & MM_NULL_DATA ? NULL : (q->arg[0] == MM_FN_ring_read ? (void *)g_out : (void *)g_in);
    ssize_t n;

    switch (a[0]) {
    case MM_FN_map_file: return (int64_t)(uintptr_t)map_file(str, (int)a[1]);
    case MM_FN_map_anonymous: return (int64_t)(uintptr_t)map_anonymous((size_t)a[1], (int)a[2]);
    case MM_FN_create_shared_region: return (int64_t)(uintptr_t)create_shared_region(str, (size_t)a[1]);
    case MM_FN_attach_shared_region: return (int64_t)(uintptr_t)attach_shared_region(str, (int)a[1]);
    case MM_FN_sync_mapping: return sync_mapping(PTR(a[1]), (int)a[2]);
    case MM_FN_protect_mapping: return protect_mapping(PTR(a[1]), (int)a[2]);
    case MM_FN_unmap: return unmap(PTR(a[1]));
    case MM_FN_destroy_shared_region: return destroy_shared_region(str);
    case MM_FN_create_ring_buffer: return (int64_t)(uintptr_t)create_ring_buffer(str, (size_t)a[1]);
    case MM_FN_attach_ring_buffer: return (int64_t)(uintptr_t)attach_ring_buffer(str);
    case MM_FN_ring_write: return ring_write(PTR(a[1]), data, (size_t)a[2]);
    case MM_FN_ring_read:
        n = ring_read(PTR(a[1]), data, (size_t)a[2]);
        *out_len = data && n > 0 ? ((size_t)n < sizeof g_out ? (size_t)n : sizeof g_out) : 0;
        return n;
    case MM_FN_destroy_ring_buffer: destroy_ring_buffer(PTR(a[1])); return 0;
    }
    return 0;
}

static void do_call(const struct mm_request *q)
{
    const char *str = q->flags & MM_NULL_PATH ? NULL : (const char *)g_in;
    size_t out_len = 0;
    int64_t value;
    int err;

    if (q->arg[0] >= MM_FN_COUNT || !(defined_functions() >> q->arg[0] & 1)) {
        reply(0, ENOSYS, NULL, 0);
        return;
    }
    /* The buffers of ring_write and ring_read are this driver's: never
     * more than they hold (the checker refuses such a test anyway). */
    if ((q->arg[0] == MM_FN_ring_write || q->arg[0] == MM_FN_ring_read)
        && !(q->flags & MM_NULL_DATA) && q->arg[2] > MM_MAX_PAYLOAD) {
        reply(-1, E2BIG, NULL, 0);
        return;
    }
    errno = q->err;
    value = call(q, str, &out_len);
    err = errno;
    reply(value, err, g_out, out_len);
}

static void do_name(const struct mm_request *q)
{
    const char *name = mm_name ? mm_name(PTR(q->arg[0])) : NULL;
    size_t len = 0;

    /* The checker reads the string itself (process_vm_readv); the copy
     * here is only for its message. */
    if (name)
        len = strnlen(name, 255);
    reply((int64_t)(uintptr_t)name, 0, name, len);
}

/* ---- several ring calls in one request (proto.h, MM_OP_RING_BATCH) --------- */

/* The request's shape: n calls whose writes' bytes are exactly the rest of
 * the payload, and whose results and reads fit in the reply. */
static int batch_fits(const struct mm_request *q, size_t n)
{
    size_t written = 0;
    size_t read = 0;

    if (n == 0 || n > MM_RING_BATCH_MAX || q->len < n * sizeof(struct mm_ring_call) || q->arg[2] > 8)
        return 0;
    for (size_t i = 0; i < n; i++) {
        struct mm_ring_call c;

        memcpy(&c, g_in + i * sizeof c, sizeof c);
        if (c.write)
            written += c.len;
        else
            read += c.len;
    }
    return written == q->len - n * sizeof(struct mm_ring_call)
           && n * sizeof(struct mm_ring_result) + read <= sizeof g_out;
}

/* Whether a call ends the batch: it did not return its len, or it read
 * bytes that begin with the stop marker. */
static int batch_stops(const struct mm_request *q, const struct mm_ring_call *c, ssize_t ret,
                       const unsigned char *bytes)
{
    size_t mark = (size_t)q->arg[2];

    if (ret != (ssize_t)c->len)
        return 1;
    return !c->write && mark > 0 && c->len >= mark && memcmp(bytes, &q->arg[3], mark) == 0;
}

/* Results go to the front of g_out, reads after the room kept for n
 * results; the reads move up to just after the results made before the
 * reply. */
static void do_ring_batch(const struct mm_request *q)
{
    size_t n = (size_t)q->arg[1];
    const unsigned char *src = g_in + n * sizeof(struct mm_ring_call);
    size_t at = n * sizeof(struct mm_ring_result);
    size_t made = 0;
    int stop = 0;

    if (!ring_write || !ring_read) {
        reply(-1, ENOSYS, NULL, 0);
        return;
    }
    if (!batch_fits(q, n)) {
        reply(-1, EINVAL, NULL, 0);
        return;
    }
    while (made < n && !stop) {
        struct mm_ring_call c;
        struct mm_ring_result r = {0, 0, 0};
        ssize_t ret;

        memcpy(&c, g_in + made * sizeof c, sizeof c);
        errno = q->err;
        if (c.write) {
            ret = ring_write(PTR(q->arg[0]), src, c.len);
            src += c.len;
        } else {
            ret = ring_read(PTR(q->arg[0]), g_out + at, c.len);
        }
        r.ret = ret;
        r.err = errno;
        memcpy(g_out + made * sizeof r, &r, sizeof r);
        stop = batch_stops(q, &c, ret, g_out + at);
        if (!c.write && ret > 0)
            at += (size_t)ret < c.len ? (size_t)ret : c.len;
        made++;
    }
    memmove(g_out + made * sizeof(struct mm_ring_result), g_out + n * sizeof(struct mm_ring_result),
            at - n * sizeof(struct mm_ring_result));
    reply((int64_t)made, 0, g_out, at - (n - made) * sizeof(struct mm_ring_result));
}

/* ---- touching one byte ------------------------------------------------------- */

static sigjmp_buf g_fault;

static void on_fault(int sig)
{
    (void)sig;
    siglongjmp(g_fault, 1);
}

/* The checker sees the fault itself (ptrace); this only survives it. */
static int touch(volatile char *p, int write)
{
    struct sigaction sa = {.sa_handler = on_fault};
    struct sigaction old_segv;
    struct sigaction old_bus;
    int faulted = 0;

    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
    if (sigsetjmp(g_fault, 1) == 0) {
        if (write)
            *p = (char)(*p ^ 0x5a);
        else
            (void)*p;
    } else {
        faulted = 1;
    }
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    return faulted;
}

/* ---- fork ---------------------------------------------------------------- */

/* The child serves `fd` from now on; the parent answers with its pid. */
static void do_fork(int fd)
{
    pid_t pid;

    if (fd < 0) {
        reply(-1, EBADF, NULL, 0);
        return;
    }
    pid = fork();
    if (pid == 0) {
        if (dup2(fd, g_fd) < 0)
            _exit(MM_DRIVER_LOST);
        close(fd);
        return;
    }
    close(fd);
    reply(pid, pid < 0 ? errno : 0, NULL, 0);
}

static void serve(const struct mm_request *q, int passed)
{
    switch (q->op) {
    case MM_OP_CALL: do_call(q); break;
    case MM_OP_ADDR: reply((int64_t)(uintptr_t)mm_addr(PTR(q->arg[0])), 0, NULL, 0); break;
    case MM_OP_SIZE: reply((int64_t)mm_size(PTR(q->arg[0])), 0, NULL, 0); break;
    case MM_OP_NAME: do_name(q); break;
    case MM_OP_FORK: do_fork(passed); return;
    case MM_OP_TOUCH: reply(touch(PTR(q->arg[0]), (int)q->arg[1]), 0, NULL, 0); break;
    case MM_OP_EXIT: _exit((int)q->arg[0]);
    case MM_OP_MUNMAP: reply(munmap(PTR(q->arg[0]), (size_t)q->arg[1]), errno, NULL, 0); break;
    case MM_OP_RING_BATCH: do_ring_batch(q); break;
    default: reply(-1, EINVAL, NULL, 0); break;
    }
    if (passed >= 0)
        close(passed);
}

int main(void)
{
    sigset_t chld;

    /* A child's end would stop this process under the checker's ptrace
     * at a moment the checker may not be watching: the driver reaps its
     * children itself, without the signal. */
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    if (refuse_more() != 0)
        _exit(126);
    if (fcntl(MM_DRIVER_FD, F_DUPFD, MM_DRIVER_HIGH_FD) == MM_DRIVER_HIGH_FD) {
        close(MM_DRIVER_FD);
        g_fd = MM_DRIVER_HIGH_FD;
    }
    reply((int64_t)defined_functions(), 0, NULL, 0);
    for (;;) {
        struct mm_request q;
        int passed = -1;

        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
        if (read_all(&q, sizeof q, &passed) != 0 || q.len > MM_MAX_PAYLOAD
            || (q.len && read_all(g_in, q.len, NULL) != 0))
            _exit(0);
        g_in[q.len] = '\0';
        serve(&q, passed);
    }
}
