/*
 * Variant: the t_mapping records live in a static pool, not in mmap'd
 * blocks. A slot is taken by the constructors and given back by unmap().
 * After fork() the child has its own copy of the pool (it is ordinary
 * process memory), so parent and child each unmap their own record.
 */
#include "memory_mapper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define POOL_SIZE 256

static t_mapping     g_pool[POOL_SIZE];
static char          g_names[POOL_SIZE][NAME_MAX + 2];
static unsigned char g_used[POOL_SIZE];

static int slot_of(const t_mapping *m)
{
    if (m < g_pool || m >= g_pool + POOL_SIZE)
        return -1;
    return (int)(m - g_pool);
}

/* Takes a free slot and fills it; NULL with ENOMEM when the pool is full
 * or ENAMETOOLONG when the name does not fit. */
static t_mapping *take_slot(void *addr, size_t size, int fd, int flags, int prot,
                            const char *name)
{
    size_t len = 0;
    int i = 0;

    if (name != NULL) {
        while (name[len] != '\0')
            len++;
        if (len > NAME_MAX + 1) {
            errno = ENAMETOOLONG;
            return NULL;
        }
    }
    while (i < POOL_SIZE && g_used[i])
        i++;
    if (i == POOL_SIZE) {
        errno = ENOMEM;
        return NULL;
    }
    g_used[i] = 1;
    g_pool[i] = (t_mapping){.addr = addr, .size = size, .fd = fd, .flags = flags,
                            .prot = prot, .name = NULL};
    if (name != NULL) {
        for (size_t k = 0; k <= len; k++)
            g_names[i][k] = name[k];
        g_pool[i].name = g_names[i];
    }
    return &g_pool[i];
}

static t_mapping *map_and_take(int fd, size_t size, int prot, int flags, const char *name)
{
    void *addr = mmap(NULL, size, prot, flags, fd, 0);
    t_mapping *m;
    int err;

    if (addr == MAP_FAILED)
        return NULL;
    m = take_slot(addr, size, fd, flags, prot, name);
    if (m == NULL) {
        err = errno;
        munmap(addr, size);
        errno = err;
    }
    return m;
}

static void close_keep_errno(int fd)
{
    int err = errno;

    close(fd);
    errno = err;
}

static int whole_size(int fd, size_t *size)
{
    struct stat st;

    if (fstat(fd, &st) == -1)
        return -1;
    if (st.st_size == 0) {
        errno = EINVAL;
        return -1;
    }
    *size = (size_t)st.st_size;
    return 0;
}

t_mapping *map_file(const char *filepath, int writable)
{
    size_t size;
    t_mapping *m = NULL;
    int fd;

    if (!filepath)
        return errno = EINVAL, NULL;
    fd = open(filepath, writable ? O_RDWR : O_RDONLY);
    if (fd < 0)
        return NULL;
    if (whole_size(fd, &size) == 0)
        m = map_and_take(fd, size, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                         writable ? MAP_SHARED : MAP_PRIVATE, NULL);
    if (!m)
        close_keep_errno(fd);
    return m;
}

t_mapping *map_anonymous(size_t size, int shared)
{
    if (!size)
        return errno = EINVAL, NULL;
    return map_and_take(-1, size, PROT_READ | PROT_WRITE,
                        (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, NULL);
}

t_mapping *create_shared_region(const char *name, size_t size)
{
    t_mapping *m = NULL;
    int fd;
    int err;

    if (!name || !size)
        return errno = EINVAL, NULL;
    fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return NULL;
    if (ftruncate(fd, (off_t)size) == 0)
        m = map_and_take(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, name);
    if (!m) {
        err = errno;
        close(fd);
        shm_unlink(name);
        errno = err;
    }
    return m;
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    size_t size;
    t_mapping *m = NULL;
    int fd;

    if (!name)
        return errno = EINVAL, NULL;
    fd = shm_open(name, writable ? O_RDWR : O_RDONLY, 0);
    if (fd < 0)
        return NULL;
    if (whole_size(fd, &size) == 0)
        m = map_and_take(fd, size, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                         MAP_SHARED, name);
    if (!m)
        close_keep_errno(fd);
    return m;
}

int sync_mapping(t_mapping *mapping, int flags)
{
    if (slot_of(mapping) < 0 || !mapping->addr)
        return errno = EINVAL, -1;
    return msync(mapping->addr, mapping->size, flags);
}

int protect_mapping(t_mapping *mapping, int prot)
{
    if (slot_of(mapping) < 0 || !mapping->addr)
        return errno = EINVAL, -1;
    if (mprotect(mapping->addr, mapping->size, prot) < 0)
        return -1;
    mapping->prot = prot;
    return 0;
}

int unmap(t_mapping *mapping)
{
    int slot = slot_of(mapping);
    int ret = 0;

    if (slot < 0 || !g_used[slot])
        return errno = EINVAL, -1;
    if (mapping->addr && munmap(mapping->addr, mapping->size) < 0)
        ret = -1;
    if (mapping->fd >= 0 && close(mapping->fd) < 0)
        ret = -1;
    g_pool[slot] = (t_mapping){.fd = -1};
    g_used[slot] = 0;
    return ret;
}

int destroy_shared_region(const char *name)
{
    if (!name)
        return errno = EINVAL, -1;
    return shm_unlink(name);
}
