/*
 * Variant: t_mapping reordered, with an extra field `mapped` (the
 * page-rounded length) that munmap, mprotect and msync use. The record is
 * a page of its own; the name is copied into the end of that page.
 */
#include "memory_mapper.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t page_round(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);

    return (n + page - 1) / page * page;
}

static t_mapping *record(void *addr, size_t size, int fd, int flags, int prot,
                         const char *name)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t room = page - sizeof(t_mapping);
    size_t len = 0;
    t_mapping *m;

    while (name && name[len])
        len++;
    if (name && len >= room) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    m->addr = addr;
    m->size = size;
    m->mapped = page_round(size);
    m->fd = fd;
    m->flags = flags;
    m->prot = prot;
    m->name = NULL;
    if (name) {
        m->name = (char *)m + sizeof(t_mapping);
        for (size_t i = 0; i <= len; i++)
            m->name[i] = name[i];
    }
    return m;
}

static t_mapping *map_region(int fd, size_t size, int prot, int flags, const char *name)
{
    void *addr = mmap(NULL, size, prot, flags, fd, 0);
    t_mapping *m;
    int saved;

    if (addr == MAP_FAILED)
        return NULL;
    m = record(addr, size, fd, flags, prot, name);
    if (!m) {
        saved = errno;
        munmap(addr, size);
        errno = saved;
    }
    return m;
}

static t_mapping *fail_closing(int fd)
{
    int saved = errno;

    close(fd);
    errno = saved;
    return NULL;
}

static t_mapping *map_whole(int fd, int prot, int flags, const char *name)
{
    struct stat st;
    t_mapping *m;

    if (fstat(fd, &st) < 0)
        return fail_closing(fd);
    if (st.st_size <= 0) {
        errno = EINVAL;
        return fail_closing(fd);
    }
    m = map_region(fd, (size_t)st.st_size, prot, flags, name);
    return m ? m : fail_closing(fd);
}

t_mapping *map_file(const char *filepath, int writable)
{
    int fd;

    if (!filepath) {
        errno = EINVAL;
        return NULL;
    }
    fd = open(filepath, writable ? O_RDWR : O_RDONLY);
    if (fd < 0)
        return NULL;
    if (writable)
        return map_whole(fd, PROT_READ | PROT_WRITE, MAP_SHARED, NULL);
    return map_whole(fd, PROT_READ, MAP_PRIVATE, NULL);
}

t_mapping *map_anonymous(size_t size, int shared)
{
    if (!size) {
        errno = EINVAL;
        return NULL;
    }
    return map_region(-1, size, PROT_READ | PROT_WRITE,
                      MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE), NULL);
}

t_mapping *create_shared_region(const char *name, size_t size)
{
    t_mapping *m = NULL;
    int saved;
    int fd;

    if (!name || !size) {
        errno = EINVAL;
        return NULL;
    }
    fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0)
        return NULL;
    if (ftruncate(fd, (off_t)size) == 0)
        m = map_region(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, name);
    if (m)
        return m;
    saved = errno;
    close(fd);
    shm_unlink(name);
    errno = saved;
    return NULL;
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    int fd;

    if (!name) {
        errno = EINVAL;
        return NULL;
    }
    fd = shm_open(name, writable ? O_RDWR : O_RDONLY, 0);
    if (fd < 0)
        return NULL;
    return map_whole(fd, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, name);
}

int sync_mapping(t_mapping *mapping, int flags)
{
    if (!mapping || !mapping->addr) {
        errno = EINVAL;
        return -1;
    }
    return msync(mapping->addr, mapping->mapped, flags);
}

int protect_mapping(t_mapping *mapping, int prot)
{
    if (!mapping || !mapping->addr) {
        errno = EINVAL;
        return -1;
    }
    if (mprotect(mapping->addr, mapping->mapped, prot) < 0)
        return -1;
    mapping->prot = prot;
    return 0;
}

int unmap(t_mapping *mapping)
{
    int ret = 0;

    if (!mapping) {
        errno = EINVAL;
        return -1;
    }
    if (mapping->addr && munmap(mapping->addr, mapping->mapped) < 0)
        ret = -1;
    if (mapping->fd != -1 && close(mapping->fd) < 0)
        ret = -1;
    munmap(mapping, (size_t)sysconf(_SC_PAGESIZE));
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
