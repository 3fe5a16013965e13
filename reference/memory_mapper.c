/*
 * memory_mapper.c -- reference solution for exercise 0.9.38 (memory_mapper).
 *
 * Theory of operation
 *
 *   Every constructor (map_file, map_anonymous, create_shared_region,
 *   attach_shared_region) does the same three steps:
 *     1. get a file descriptor (open or shm_open), except for anonymous memory;
 *     2. find the size (argument, or fstat of the fd);
 *     3. map_fd(): mmap the region, then build its t_mapping.
 *
 *   The t_mapping itself cannot come from malloc (forbidden), so it lives in
 *   its own small anonymous private mapping, the "bookkeeping block": the
 *   struct, followed by a copy of the region name. One munmap in unmap()
 *   releases both. MAP_PRIVATE matters here: after fork() parent and child
 *   each get their own copy of the block, so each can unmap() its copy.
 *
 *   Error handling: every function returns NULL or -1 with errno set by the
 *   step that failed. Cleanup on an error path (close, munmap, shm_unlink)
 *   goes through quiet_*() helpers that save and restore errno: a cleanup
 *   call that fails itself must not hide the error that made us clean up.
 */
#include "memory_mapper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* Small helpers: errno, strings, cleanup                                   */
/* ---------------------------------------------------------------------- */

static void *null_with_errno(int err)
{
    errno = err;
    return NULL;
}

static int minus_one_with_errno(int err)
{
    errno = err;
    return -1;
}

/* string.h is not on the list of allowed functions. */
static size_t str_len(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    return n;
}

static void str_copy(char *dst, const char *src, size_t len)
{
    for (size_t i = 0; i < len; i++)
        dst[i] = src[i];
    dst[len] = '\0';
}

static void quiet_close(int fd)
{
    int saved = errno;

    close(fd);
    errno = saved;
}

static void quiet_munmap(void *addr, size_t size)
{
    int saved = errno;

    munmap(addr, size);
    errno = saved;
}

static void quiet_shm_unlink(const char *name)
{
    int saved = errno;

    shm_unlink(name);
    errno = saved;
}

/*
 * A portable shared-memory name is "/" followed by 1..NAME_MAX characters.
 * glibc would also strip the '/' for us, but the exercise asks for the
 * portable form, and checking here gives the same errno on every libc.
 */
static int check_shm_name(const char *name)
{
    if (name == NULL || name[0] != '/' || name[1] == '\0')
        return minus_one_with_errno(EINVAL);
    if (str_len(name + 1) > NAME_MAX)
        return minus_one_with_errno(ENAMETOOLONG);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Bookkeeping block and the common "map an fd" step                       */
/* ---------------------------------------------------------------------- */

/* Bytes needed for the struct plus the name copy stored right after it. */
static size_t block_size(const char *name)
{
    if (name == NULL)
        return sizeof(t_mapping);
    return sizeof(t_mapping) + str_len(name) + 1;
}

/*
 * mmap rounds the block up to a whole page; a name is at most NAME_MAX + 1
 * bytes, so struct + name always fits in one page.
 */
static t_mapping *new_mapping_struct(const char *name)
{
    t_mapping *m = mmap(NULL, block_size(name), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (m == MAP_FAILED)
        return NULL;
    m->addr = NULL;
    m->size = 0;
    m->fd = -1;
    m->flags = 0;
    m->prot = 0;
    m->name = NULL;
    if (name != NULL) {
        m->name = (char *)(m + 1);
        str_copy(m->name, name, str_len(name));
    }
    return m;
}

/*
 * Maps size bytes of fd (or anonymous memory when fd is -1 and flags hold
 * MAP_ANONYMOUS) and wraps the result in a new t_mapping.
 * The fd stays the caller's on failure: only the caller knows whether it
 * must also shm_unlink what it opened.
 */
static t_mapping *map_fd(int fd, size_t size, int prot, int flags,
                         const char *name)
{
    void *addr = mmap(NULL, size, prot, flags, fd, 0);

    if (addr == MAP_FAILED)
        return NULL;
    t_mapping *m = new_mapping_struct(name);
    if (m == NULL) {
        quiet_munmap(addr, size);
        return NULL;
    }
    m->addr = addr;
    m->size = size;
    m->fd = fd;
    m->flags = flags;
    m->prot = prot;
    return m;
}

/*
 * Size of the object behind fd, for mapping it whole.
 * An empty object cannot be mapped (mmap gives EINVAL for length 0), and a
 * file wider than the address space (32-bit systems) could not be either.
 */
static int object_size(int fd, int regular_only, size_t *size)
{
    struct stat st;

    if (fstat(fd, &st) == -1)
        return -1;
    if (regular_only && !S_ISREG(st.st_mode))
        return minus_one_with_errno(EINVAL);
    if (st.st_size <= 0)
        return minus_one_with_errno(EINVAL);
    if ((uintmax_t)st.st_size > SIZE_MAX)
        return minus_one_with_errno(ENOMEM);
    *size = (size_t)st.st_size;
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Public API                                                              */
/* ---------------------------------------------------------------------- */

/*
 * Read-only files are mapped MAP_PRIVATE: nothing can be written back, and a
 * MAP_SHARED + PROT_WRITE request on an O_RDONLY fd would fail with EACCES
 * anyway. Writable files are mapped MAP_SHARED so stores reach the file.
 * O_NONBLOCK: opening a FIFO for reading would otherwise block until a
 * writer shows up; with it, open returns and the S_ISREG check rejects it.
 * It changes nothing for regular files.
 */
t_mapping *map_file(const char *filepath, int writable)
{
    if (filepath == NULL)
        return null_with_errno(EINVAL);
    int oflag = (writable ? O_RDWR : O_RDONLY) | O_NONBLOCK;
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    int flags = writable ? MAP_SHARED : MAP_PRIVATE;
    int fd = open(filepath, oflag);
    if (fd == -1)
        return NULL;
    size_t size = 0;
    t_mapping *m = NULL;
    if (object_size(fd, 1, &size) == 0)
        m = map_fd(fd, size, prot, flags, NULL);
    if (m == NULL)
        quiet_close(fd);
    return m;
}

/* Linux ignores the fd of an anonymous mapping; -1 is the portable value. */
t_mapping *map_anonymous(size_t size, int shared)
{
    if (size == 0)
        return null_with_errno(EINVAL);
    int flags = MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE);
    return map_fd(-1, size, PROT_READ | PROT_WRITE, flags, NULL);
}

/*
 * O_EXCL makes "create" mean create: if the name is taken, shm_open fails
 * with EEXIST and we never touch (nor unlink) another owner's object. Since
 * the object is ours, every later failure unlinks it so no half-made region
 * stays in /dev/shm. Mode 0600: only our user may attach.
 * ftruncate takes an off_t: a size_t above its maximum converts to a negative
 * length, which ftruncate rejects with EINVAL.
 */
t_mapping *create_shared_region(const char *name, size_t size)
{
    if (check_shm_name(name) == -1)
        return NULL;
    if (size == 0)
        return null_with_errno(EINVAL);
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1)
        return NULL;
    t_mapping *m = NULL;
    if (ftruncate(fd, (off_t)size) == 0)
        m = map_fd(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, name);
    if (m == NULL) {
        quiet_close(fd);
        quiet_shm_unlink(name);
    }
    return m;
}

/*
 * The access mode of the fd caps the protections: a read-only attach opens
 * O_RDONLY, so even a later protect_mapping(PROT_WRITE) fails with EACCES
 * and a write through the mapping faults (SIGSEGV).
 */
t_mapping *attach_shared_region(const char *name, int writable)
{
    if (check_shm_name(name) == -1)
        return NULL;
    int oflag = writable ? O_RDWR : O_RDONLY;
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    int fd = shm_open(name, oflag, 0);
    if (fd == -1)
        return NULL;
    size_t size = 0;
    t_mapping *m = NULL;
    if (object_size(fd, 0, &size) == 0)
        m = map_fd(fd, size, prot, MAP_SHARED, name);
    if (m == NULL)
        quiet_close(fd);
    return m;
}

/*
 * flags go to the kernel unchanged: it alone decides what is valid
 * (MS_SYNC|MS_ASYNC together is EINVAL). On Linux, stores through a
 * MAP_SHARED file mapping are visible to read() at once; msync is what
 * forces them to the disk (MS_SYNC waits, MS_ASYNC only schedules).
 */
int sync_mapping(t_mapping *mapping, int flags)
{
    if (mapping == NULL || mapping->addr == NULL)
        return minus_one_with_errno(EINVAL);
    return msync(mapping->addr, mapping->size, flags);
}

/*
 * The whole size: on a multi-page region a shorter length would leave the
 * last pages with their old protections.
 */
int protect_mapping(t_mapping *mapping, int prot)
{
    if (mapping == NULL || mapping->addr == NULL)
        return minus_one_with_errno(EINVAL);
    if (mprotect(mapping->addr, mapping->size, prot) == -1)
        return -1;
    mapping->prot = prot;
    return 0;
}

/*
 * Releases in order region, fd, bookkeeping block, and keeps going after a
 * failure so nothing leaks; the first error is the one reported.
 * The bookkeeping block goes last: mapping->name lives inside it.
 */
int unmap(t_mapping *mapping)
{
    if (mapping == NULL)
        return minus_one_with_errno(EINVAL);
    int err = 0;
    if (mapping->addr != NULL && munmap(mapping->addr, mapping->size) == -1)
        err = errno;
    if (mapping->fd != -1 && close(mapping->fd) == -1 && err == 0)
        err = errno;
    quiet_munmap(mapping, block_size(mapping->name));
    if (err != 0)
        return minus_one_with_errno(err);
    return 0;
}

/*
 * Removes the name only: processes that still map the object keep using
 * it, and the kernel frees the memory after the last munmap.
 */
int destroy_shared_region(const char *name)
{
    if (check_shm_name(name) == -1)
        return -1;
    return shm_unlink(name);
}

/* ====================================================================== */
/* Bonus (section 3.1): a ring buffer shared between processes             */
/* ====================================================================== */
/*
 * Theory of operation
 *
 *   The shared region (create_shared_region) holds a struct ring_shared,
 *   then, from RING_DATA_OFFSET on, the capacity data bytes. Every process
 *   has its own handle, a struct ring_handle in a private anonymous mapping
 *   (like t_mapping's bookkeeping block; malloc is forbidden), whose public
 *   part, the t_ring_buffer, points at the cursors and data of the region.
 *
 *   Cursors: *head and *tail count the bytes ever written and read; their
 *   difference is the number of bytes in the ring, so "full" (== capacity)
 *   and "empty" (== 0) never look alike and no byte is wasted.
 *
 *   Turns: the `writing` and `reading` flags admit one writer and one
 *   reader at a time (taken by compare-and-swap). Only the writer whose
 *   turn it is moves *head, only the reader whose turn it is moves *tail.
 *   So the writer copies into the free part of the ring, beyond *head, and
 *   the reader out of the used part, from *tail, at the same time and with
 *   no lock: neither part can shrink under its owner. A turn lasts a whole
 *   call, so a call's bytes are contiguous in the stream whatever its
 *   length. The data is published by storing the cursor after the copy
 *   and read after loading it (sequentially consistent atomics).
 *
 *   Sleeping: when a turn, room or data is not there, the process takes the
 *   process-shared mutex, counts itself in writers_waiting (or
 *   readers_waiting), checks again and sleeps on the condition variable
 *   `writable` (or `readable`). Whoever changes a cursor or gives up a turn
 *   then loads that count and, only if someone waits, takes the mutex and
 *   broadcasts. The mutex is thus touched only around sleeps, not on every
 *   call. No wake-up is lost: the sleeper counts itself before it checks,
 *   the waker changes the state before it loads the count, and the order
 *   of sequentially consistent operations lets at most one of them miss
 *   the other's change (and the mutex stops a broadcast from passing
 *   between the sleeper's last check and its pthread_cond_wait).
 *
 *   Broadcast, not signal: each condition variable has two kinds of
 *   waiters (for the turn, and for room or data). pthread_cond_signal
 *   could wake a writer that waits for the turn while the writer that has
 *   the turn, waiting for room, sleeps on.
 *
 *   A short watch before sleeping: a reader without data (a writer without
 *   room) first watches the other side's cursor for a bounded while (at
 *   most RING_WATCH_CHECKS checks, tens of microseconds), then sleeps for
 *   good. Waking a process whose CPU has gone idle takes tens of
 *   microseconds, far more than copying a 4 KiB message: without the watch,
 *   a fast reader and writer take turns sleeping and waking, one ringful
 *   each time, and move a fifth of what they move with it. The watch adapts,
 *   per process: it doubles after a watch that saw the other side move and
 *   halves after one that ended in sleep. With a CPU for each side, it
 *   keeps both awake; on a machine with more work than CPUs, where the
 *   other side is often waiting for a CPU, watching would only burn time,
 *   and it shrinks to a few checks. A long wait costs next to no CPU
 *   either way: one watch, then sleep.
 *
 *   Publication: the creator fills the header, then stores RING_MAGIC with
 *   release ordering; attach_ring_buffer loads it with acquire ordering and
 *   refuses a region without it.
 *
 *   Outside the exercise's allowed list: pthread_* (process-shared mutex
 *   and condition variables: the only portable way to sleep until another
 *   process acts), getpid (to know the creator's process) and memcpy (a
 *   byte loop would halve the throughput). Link with -pthread.
 */
#include <pthread.h>
#include <string.h>

#define RING_MAGIC 0x52696e6742756631ULL /* "RingBuf1" */

/*
 * What the writer changes, what the reader changes and what both only
 * read sit on separate cache lines, so that the writer's stores do not
 * keep stealing the reader's line and the other way round.
 */
struct ring_shared {
    _Alignas(64) size_t head;   /* bytes ever written; moved by the writer whose turn it is */
    int writing;                /* 1 while a writer has the turn */
    _Alignas(64) size_t tail;   /* bytes ever read; moved by the reader whose turn it is */
    int reading;                /* 1 while a reader has the turn */
    _Alignas(64) size_t capacity;
    unsigned writers_waiting;   /* writers asleep or about to be, on `writable` */
    unsigned readers_waiting;   /* readers asleep or about to be, on `readable` */
    uint64_t magic;             /* RING_MAGIC once initialised; stored last */
    pthread_mutex_t lock;       /* only taken to sleep and to wake sleepers */
    pthread_cond_t readable;    /* data arrived, or the reader's turn is free */
    pthread_cond_t writable;    /* room freed, or the writer's turn is free */
};

/* Data starts on a cache line of its own, after the header. */
#define RING_DATA_OFFSET ((sizeof(struct ring_shared) + 63) & ~(size_t)63)

/* The per-process handle; rb first, so a t_ring_buffer * is one of these. */
struct ring_handle {
    t_ring_buffer rb;
    pid_t creator;              /* getpid() of the creator, 0 when attached */
    int watch;                  /* checks the next watch may take (see top) */
};

static struct ring_shared *ring_shared_of(const t_ring_buffer *rb)
{
    return (struct ring_shared *)rb->mapping->addr;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Checks of the cursor before sleeping (see top), each with a CPU pause:
 * 2000 of them are 30 to 100 microseconds, depending on the CPU. */
#define RING_WATCH_CHECKS 2000
#define RING_WATCH_MIN 16

/* Tells the CPU this is a wait loop (cheaper for the other hyperthread). */
static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Every access to shared words is sequentially consistent (see top). */
static size_t load_size(const size_t *p)
{
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void store_size(size_t *p, size_t v)
{
    __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

/* pthread_mutex_lock cannot fail on an initialised, non-robust mutex. */
static void ring_lock(struct ring_shared *sh)
{
    (void)pthread_mutex_lock(&sh->lock);
}

static void ring_unlock(struct ring_shared *sh)
{
    (void)pthread_mutex_unlock(&sh->lock);
}

/* Sleeps until cond is broadcast; the mutex is released meanwhile. */
static void ring_wait(struct ring_shared *sh, pthread_cond_t *cond)
{
    (void)pthread_cond_wait(cond, &sh->lock);
}

/* Wakes every waiter: they do not all wait for the same thing (see top). */
static void ring_wake(pthread_cond_t *cond)
{
    (void)pthread_cond_broadcast(cond);
}

/* Called after changing the state that sleepers on cond wait for. */
static void ring_wake_sleepers(struct ring_shared *sh, pthread_cond_t *cond, unsigned *waiting)
{
    if (__atomic_load_n(waiting, __ATOMIC_SEQ_CST) == 0)
        return;
    ring_lock(sh);
    ring_wake(cond);
    ring_unlock(sh);
}

/* What a sleeper waits for: the turn, room, or data. */
enum ring_need { NEED_TURN, NEED_ROOM, NEED_DATA };

static int ring_try_turn(int *turn)
{
    int free_turn = 0;

    return __atomic_compare_exchange_n(turn, &free_turn, 1, 0, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

static size_t ring_used(const t_ring_buffer *rb)
{
    return load_size(rb->head) - load_size(rb->tail);
}

/* 1 when the thing waited for is there; takes the turn for NEED_TURN. */
static int ring_ready(const t_ring_buffer *rb, int *turn, enum ring_need need, size_t room)
{
    if (need == NEED_TURN)
        return ring_try_turn(turn);
    if (need == NEED_ROOM)
        return rb->capacity - ring_used(rb) >= room;
    return ring_used(rb) > 0;
}

/* 1 if room or data came during a bounded watch; adapts its bound (see top). */
static int ring_watch(t_ring_buffer *rb, int *turn, enum ring_need need, size_t room)
{
    int *watch = &((struct ring_handle *)rb)->watch;

    for (int i = 0; i < *watch; i++) {
        cpu_relax();
        if (ring_ready(rb, turn, need, room)) {
            *watch = *watch > RING_WATCH_CHECKS / 2 ? RING_WATCH_CHECKS : *watch * 2;
            return 1;
        }
    }
    *watch = *watch / 2 < RING_WATCH_MIN ? RING_WATCH_MIN : *watch / 2;
    return 0;
}

/*
 * Returns once ring_ready() holds, sleeping on cond meanwhile. The quick
 * check first: when nothing is missing, no mutex is taken. The turn is not
 * watched for: another call may hold it for long.
 */
static void ring_await(t_ring_buffer *rb, enum ring_need need, size_t room, int writer)
{
    struct ring_shared *sh = ring_shared_of(rb);
    int *turn = writer ? &sh->writing : &sh->reading;
    pthread_cond_t *cond = writer ? &sh->writable : &sh->readable;
    unsigned *waiting = writer ? &sh->writers_waiting : &sh->readers_waiting;

    if (ring_ready(rb, turn, need, room))
        return;
    if (need != NEED_TURN && ring_watch(rb, turn, need, room))
        return;
    ring_lock(sh);
    __atomic_add_fetch(waiting, 1, __ATOMIC_SEQ_CST);
    while (!ring_ready(rb, turn, need, room))
        ring_wait(sh, cond);
    __atomic_sub_fetch(waiting, 1, __ATOMIC_SEQ_CST);
    ring_unlock(sh);
}

/*
 * PTHREAD_PROCESS_SHARED is what makes the futexes behind the mutex and the
 * condition variables work between processes; without it a waiter in one
 * process is never woken by another.
 * Returns 0 or an error number (pthread style).
 */
static int ring_init_sync(struct ring_shared *sh)
{
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    int err;

    err = pthread_mutexattr_init(&ma);
    if (err != 0)
        return err;
    err = pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    if (err == 0)
        err = pthread_mutex_init(&sh->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    if (err != 0)
        return err;
    err = pthread_condattr_init(&ca);
    if (err != 0)
        return err;
    err = pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    if (err == 0)
        err = pthread_cond_init(&sh->readable, &ca);
    if (err == 0)
        err = pthread_cond_init(&sh->writable, &ca);
    pthread_condattr_destroy(&ca);
    return err;
}

/* The process's handle on the ring mapped by m; NULL (errno set) on failure. */
static t_ring_buffer *ring_new_handle(t_mapping *m, pid_t creator)
{
    struct ring_handle *h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct ring_shared *sh = m->addr;

    if (h == MAP_FAILED)
        return NULL;
    h->creator = creator;
    h->watch = RING_WATCH_CHECKS;
    h->rb.mapping = m;
    h->rb.capacity = sh->capacity;
    h->rb.head = &sh->head;
    h->rb.tail = &sh->tail;
    h->rb.data = (char *)m->addr + RING_DATA_OFFSET;
    return &h->rb;
}

static void quiet_unmap(t_mapping *m)
{
    int saved = errno;

    unmap(m);
    errno = saved;
}

/*
 * The region is zero-filled by ftruncate, so the cursors, turns and counts
 * start at 0; only the capacity, the synchronisation objects and the magic
 * need writing. Once the magic is stored, attachers may use the ring.
 */
t_ring_buffer *create_ring_buffer(const char *name, size_t capacity)
{
    if (capacity == 0 || capacity > (size_t)SSIZE_MAX - RING_DATA_OFFSET)
        return null_with_errno(EINVAL);
    t_mapping *m = create_shared_region(name, RING_DATA_OFFSET + capacity);
    if (m == NULL)
        return NULL;
    struct ring_shared *sh = m->addr;
    sh->capacity = capacity;
    int err = ring_init_sync(sh);
    t_ring_buffer *rb = NULL;
    if (err == 0)
        rb = ring_new_handle(m, getpid());
    else
        errno = err;
    if (rb == NULL) {
        quiet_shm_unlink(m->name);
        quiet_unmap(m);
        return NULL;
    }
    __atomic_store_n(&sh->magic, RING_MAGIC, __ATOMIC_RELEASE);
    return rb;
}

/*
 * The size check comes before reading the header: a region smaller than
 * the header (some other program's object) must not be read past its end.
 */
t_ring_buffer *attach_ring_buffer(const char *name)
{
    t_mapping *m = attach_shared_region(name, 1);

    if (m == NULL)
        return NULL;
    struct ring_shared *sh = m->addr;
    t_ring_buffer *rb = NULL;
    if (m->size <= RING_DATA_OFFSET
        || __atomic_load_n(&sh->magic, __ATOMIC_ACQUIRE) != RING_MAGIC
        || sh->capacity != m->size - RING_DATA_OFFSET)
        errno = EINVAL;
    else
        rb = ring_new_handle(m, 0);
    if (rb == NULL)
        quiet_unmap(m);
    return rb;
}

/* Copies n bytes to stream position pos, in two parts if it wraps. */
static void ring_copy_in(t_ring_buffer *rb, size_t pos, const char *src, size_t n)
{
    size_t at = pos % rb->capacity;
    size_t first = min_size(n, rb->capacity - at);

    memcpy(rb->data + at, src, first);
    memcpy(rb->data, src + first, n - first);
}

static void ring_copy_out(const t_ring_buffer *rb, size_t pos, char *dst, size_t n)
{
    size_t at = pos % rb->capacity;
    size_t first = min_size(n, rb->capacity - at);

    memcpy(dst, rb->data + at, first);
    memcpy(dst + first, rb->data, n - first);
}

static int ring_bad_args(const t_ring_buffer *rb, const void *data, size_t len)
{
    return rb == NULL || (data == NULL && len > 0) || len > (size_t)SSIZE_MAX;
}

/*
 * A call of at most `capacity` bytes waits for room for all of it and goes
 * in as one piece (atomic, see the header). A longer call goes in pieces,
 * each whatever fits when the writer wakes, round the ring as readers drain
 * it. The turn is held for the whole call, so no other writer's bytes come
 * between two pieces.
 */
ssize_t ring_write(t_ring_buffer *rb, const void *data, size_t len)
{
    if (ring_bad_args(rb, data, len))
        return minus_one_with_errno(EINVAL);
    if (len == 0)
        return 0;
    struct ring_shared *sh = ring_shared_of(rb);
    const char *src = data;
    size_t need = len <= rb->capacity ? len : 1;
    size_t done = 0;
    ring_await(rb, NEED_TURN, 0, 1);
    while (done < len) {
        ring_await(rb, NEED_ROOM, need, 1);
        size_t head = load_size(rb->head);
        size_t n = min_size(rb->capacity - (head - load_size(rb->tail)), len - done);
        ring_copy_in(rb, head, src + done, n);
        store_size(rb->head, head + n);
        done += n;
        ring_wake_sleepers(sh, &sh->readable, &sh->readers_waiting);
    }
    __atomic_store_n(&sh->writing, 0, __ATOMIC_SEQ_CST);
    ring_wake_sleepers(sh, &sh->writable, &sh->writers_waiting);
    return (ssize_t)len;
}

/*
 * Takes everything available up to len in one piece. Moving the tail
 * concerns writers (room), giving up the turn other readers.
 */
ssize_t ring_read(t_ring_buffer *rb, void *data, size_t len)
{
    if (ring_bad_args(rb, data, len))
        return minus_one_with_errno(EINVAL);
    if (len == 0)
        return 0;
    struct ring_shared *sh = ring_shared_of(rb);
    ring_await(rb, NEED_TURN, 0, 0);
    ring_await(rb, NEED_DATA, 0, 0);
    size_t tail = load_size(rb->tail);
    size_t n = min_size(load_size(rb->head) - tail, len);
    ring_copy_out(rb, tail, data, n);
    store_size(rb->tail, tail + n);
    ring_wake_sleepers(sh, &sh->writable, &sh->writers_waiting);
    __atomic_store_n(&sh->reading, 0, __ATOMIC_SEQ_CST);
    ring_wake_sleepers(sh, &sh->readable, &sh->readers_waiting);
    return (ssize_t)n;
}

/*
 * The name is unlinked before unmap(): it lives in the mapping's block.
 * The mutex and condition variables are not destroyed: other processes may
 * still be using them, and on Linux there is nothing to release anyway.
 */
void destroy_ring_buffer(t_ring_buffer *rb)
{
    if (rb == NULL)
        return;
    struct ring_handle *h = (struct ring_handle *)rb;
    int saved = errno;
    if (h->creator != 0 && h->creator == getpid())
        shm_unlink(rb->mapping->name);
    unmap(rb->mapping);
    munmap(h, sizeof(*h));
    errno = saved;
}
