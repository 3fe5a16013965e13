/*
 * Variant: keeps no descriptor. The kernel holds its own reference to the
 * file or shared-memory object for as long as it is mapped, so each
 * descriptor is closed right after mmap and every t_mapping has fd == -1.
 */
#include "memory_mapper.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t rec_size(const char *name)
{
    size_t n = 0;

    if (!name)
        return sizeof(t_mapping);
    while (name[n])
        n++;
    return sizeof(t_mapping) + n + 1;
}

/* Wraps an existing region; if that fails the region is unmapped. */
static t_mapping *wrap_region(void *addr, size_t size, int flags, int prot, const char *name)
{
    t_mapping *m = mmap(NULL, rec_size(name), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int err;

    if (m == MAP_FAILED) {
        err = errno;
        munmap(addr, size);
        errno = err;
        return NULL;
    }
    m->addr = addr;
    m->size = size;
    m->fd = -1;
    m->flags = flags;
    m->prot = prot;
    m->name = NULL;
    if (name) {
        char *dst = (char *)(m + 1);

        m->name = dst;
        while ((*dst++ = *name++))
            ;
    }
    return m;
}

/* Maps `size` bytes of fd (the whole object if size is 0) and closes fd,
 * whatever happens. NULL on failure, with errno from fstat or mmap. */
static void *map_and_close(int fd, size_t *size, int prot, int flags)
{
    struct stat st;
    void *addr = MAP_FAILED;
    int err;

    if (*size == 0) {
        if (fstat(fd, &st) == -1)
            goto out;
        if (st.st_size <= 0) {
            errno = EINVAL;
            goto out;
        }
        *size = (size_t)st.st_size;
    }
    addr = mmap(NULL, *size, prot, flags, fd, 0);
out:
    err = errno;
    close(fd);
    errno = err;
    return addr == MAP_FAILED ? NULL : addr;
}

t_mapping *map_file(const char *filepath, int writable)
{
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    int flags = writable ? MAP_SHARED : MAP_PRIVATE;
    size_t size = 0;
    void *addr;
    int fd;

    if (!filepath) {
        errno = EINVAL;
        return NULL;
    }
    fd = open(filepath, writable ? O_RDWR : O_RDONLY);
    if (fd < 0)
        return NULL;
    addr = map_and_close(fd, &size, prot, flags);
    return addr ? wrap_region(addr, size, flags, prot, NULL) : NULL;
}

t_mapping *map_anonymous(size_t size, int shared)
{
    int flags = MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE);
    void *addr;

    if (!size) {
        errno = EINVAL;
        return NULL;
    }
    addr = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (addr == MAP_FAILED)
        return NULL;
    return wrap_region(addr, size, flags, PROT_READ | PROT_WRITE, NULL);
}

t_mapping *create_shared_region(const char *name, size_t size)
{
    t_mapping *m = NULL;
    void *addr;
    int err;
    int fd;

    if (!name || !size) {
        errno = EINVAL;
        return NULL;
    }
    fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0)
        return NULL;
    if (ftruncate(fd, (off_t)size) < 0) {
        err = errno;
        close(fd);
    } else {
        addr = map_and_close(fd, &size, PROT_READ | PROT_WRITE, MAP_SHARED);
        if (addr)
            m = wrap_region(addr, size, MAP_SHARED, PROT_READ | PROT_WRITE, name);
        err = errno;
    }
    if (!m) {
        shm_unlink(name);
        errno = err;
    }
    return m;
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    size_t size = 0;
    void *addr;
    int fd;

    if (!name) {
        errno = EINVAL;
        return NULL;
    }
    fd = shm_open(name, writable ? O_RDWR : O_RDONLY, 0);
    if (fd < 0)
        return NULL;
    addr = map_and_close(fd, &size, prot, MAP_SHARED);
    return addr ? wrap_region(addr, size, MAP_SHARED, prot, name) : NULL;
}

int sync_mapping(t_mapping *mapping, int flags)
{
    if (!mapping || !mapping->addr) {
        errno = EINVAL;
        return -1;
    }
    return msync(mapping->addr, mapping->size, flags);
}

int protect_mapping(t_mapping *mapping, int prot)
{
    if (!mapping || !mapping->addr) {
        errno = EINVAL;
        return -1;
    }
    if (mprotect(mapping->addr, mapping->size, prot) < 0)
        return -1;
    mapping->prot = prot;
    return 0;
}

int unmap(t_mapping *mapping)
{
    int ret = 0;
    int err = 0;

    if (!mapping) {
        errno = EINVAL;
        return -1;
    }
    if (mapping->addr && munmap(mapping->addr, mapping->size) < 0) {
        ret = -1;
        err = errno;
    }
    munmap(mapping, rec_size(mapping->name));
    if (ret)
        errno = err;
    return ret;
}

int destroy_shared_region(const char *name)
{
    if (!name) {
        errno = EINVAL;
        return -1;
    }
    return shm_unlink(name);
}
