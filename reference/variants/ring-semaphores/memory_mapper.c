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
 * Variant ring-semaphores: POSIX unnamed semaphores shared between
 * processes (sem_init(&s, 1, value), in the shared region) instead of a
 * mutex and condition variables: the textbook bounded buffer, one token
 * per byte.
 *
 *   room   counts the free bytes (starts at capacity): a writer takes one
 *          token per byte it puts in, sem_wait sleeping while the ring is
 *          full; a reader gives one back per byte it took.
 *   data   counts the bytes in the ring (starts at 0), the other way round.
 *   wturn, rturn: binary semaphores, one writer and one reader at a time.
 *          Two writers that each held part of the room they need would
 *          wait for each other forever; a reader's bytes are contiguous.
 *
 *   A write of at most `capacity` bytes takes all its tokens first, then
 *   copies, publishes *head and gives the data tokens: readers never see
 *   part of it. A longer one goes in pieces: each piece waits for one
 *   token, then takes the ones that are free at once.
 *   A reader waits for one data token, then takes min(len, *head - *tail)
 *   bytes: *head is published before the data tokens are given, so it
 *   covers only whole writes; the tokens of those bytes are on their way
 *   and it waits for them too.
 *   Only the creator's destroy_ring_buffer removes the name (the handle
 *   records the creator's pid; a forked child's copy is not the creator).
 *   The semaphores are not destroyed: other processes may still use them.
 */
#include <semaphore.h>
#include <string.h>

struct ring_header {
    _Alignas(64) size_t head;
    _Alignas(64) size_t tail;
    _Alignas(64) sem_t room;
    _Alignas(64) sem_t data;
    _Alignas(64) sem_t wturn;
    sem_t rturn;
};

#define RING_DATA_OFFSET ((sizeof(struct ring_header) + 63) & ~(size_t)63)

/* The process's handle: the subject's struct first, then the creator. */
struct ring_handle {
    t_ring_buffer rb;
    pid_t creator;
};

static struct ring_header *header_of(const t_ring_buffer *rb)
{
    return (struct ring_header *)rb->mapping->addr;
}

/* sem_wait that is not cut short by a signal. */
static void take_token(sem_t *s)
{
    while (sem_wait(s) != 0 && errno == EINTR)
        continue;
}

static void give_tokens(sem_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sem_post(s);
}

static int ring_init_sems(struct ring_header *h, size_t capacity)
{
    if (capacity > SEM_VALUE_MAX)
        return minus_one_with_errno(EINVAL);
    if (sem_init(&h->room, 1, (unsigned)capacity) != 0 || sem_init(&h->data, 1, 0) != 0
        || sem_init(&h->wturn, 1, 1) != 0 || sem_init(&h->rturn, 1, 1) != 0)
        return -1;
    return 0;
}

t_ring_buffer *create_ring_buffer(const char *name, size_t capacity)
{
    if (capacity == 0 || capacity > (size_t)SSIZE_MAX - RING_DATA_OFFSET)
        return null_with_errno(EINVAL);
    t_mapping *m = create_shared_region(name, RING_DATA_OFFSET + capacity);
    if (m == NULL)
        return NULL;
    struct ring_handle *h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (h == MAP_FAILED || ring_init_sems(m->addr, capacity) != 0) {
        if (h != MAP_FAILED)
            quiet_munmap(h, sizeof(*h));
        quiet_shm_unlink(name);
        int saved = errno;
        unmap(m);
        errno = saved;
        return NULL;
    }
    struct ring_header *hd = m->addr;
    h->creator = getpid();
    h->rb.mapping = m;
    h->rb.capacity = capacity;
    h->rb.head = &hd->head;
    h->rb.tail = &hd->tail;
    h->rb.data = (char *)m->addr + RING_DATA_OFFSET;
    return &h->rb;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Copies n bytes to stream position pos, in two parts if it wraps. */
static void copy_in(t_ring_buffer *rb, size_t pos, const char *src, size_t n)
{
    size_t at = pos % rb->capacity;
    size_t first = min_size(n, rb->capacity - at);

    memcpy(rb->data + at, src, first);
    memcpy(rb->data, src + first, n - first);
}

/* Takes up to `want` room tokens, at least one (waiting for it). */
static size_t take_room(sem_t *room, size_t want)
{
    size_t got = 1;

    take_token(room);
    while (got < want && sem_trywait(room) == 0)
        got++;
    return got;
}

ssize_t ring_write(t_ring_buffer *rb, const void *data, size_t len)
{
    if (rb == NULL || (data == NULL && len > 0) || len > (size_t)SSIZE_MAX)
        return minus_one_with_errno(EINVAL);
    struct ring_header *h = header_of(rb);
    const char *src = data;
    size_t done = 0;

    take_token(&h->wturn);
    while (done < len) {
        size_t n;
        if (len <= rb->capacity) {
            for (n = 0; n < len; n++)
                take_token(&h->room);
        } else {
            n = take_room(&h->room, len - done);
        }
        size_t head = __atomic_load_n(rb->head, __ATOMIC_ACQUIRE);
        copy_in(rb, head, src + done, n);
        __atomic_store_n(rb->head, head + n, __ATOMIC_RELEASE);
        give_tokens(&h->data, n);
        done += n;
    }
    sem_post(&h->wturn);
    return (ssize_t)len;
}

ssize_t ring_read(t_ring_buffer *rb, void *data, size_t len)
{
    if (rb == NULL || (data == NULL && len > 0) || len > (size_t)SSIZE_MAX)
        return minus_one_with_errno(EINVAL);
    if (len == 0)
        return 0;
    struct ring_header *h = header_of(rb);

    take_token(&h->rturn);
    take_token(&h->data);
    size_t tail = __atomic_load_n(rb->tail, __ATOMIC_ACQUIRE);
    size_t n = min_size(__atomic_load_n(rb->head, __ATOMIC_ACQUIRE) - tail, len);
    for (size_t i = 1; i < n; i++)
        take_token(&h->data);
    size_t at = tail % rb->capacity;
    size_t first = min_size(n, rb->capacity - at);
    memcpy(data, rb->data + at, first);
    memcpy((char *)data + first, rb->data, n - first);
    __atomic_store_n(rb->tail, tail + n, __ATOMIC_RELEASE);
    give_tokens(&h->room, n);
    sem_post(&h->rturn);
    return (ssize_t)n;
}

void destroy_ring_buffer(t_ring_buffer *rb)
{
    if (rb == NULL)
        return;
    struct ring_handle *h = (struct ring_handle *)rb;
    int saved = errno;
    if (h->creator == getpid())
        destroy_shared_region(rb->mapping->name);
    unmap(rb->mapping);
    munmap(h, sizeof(*h));
    errno = saved;
}
