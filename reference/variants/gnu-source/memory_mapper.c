#define _GNU_SOURCE
/*
 * Variant: defines _GNU_SOURCE itself before any include, as many students
 * do to get MAP_ANONYMOUS. Descriptors are opened close-on-exec. The
 * record is one anonymous page holding the struct and the name.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memory_mapper.h"

#define RECORD_BYTES 4096

struct record {
    t_mapping m;
    char name[RECORD_BYTES - sizeof(t_mapping)];
};

static t_mapping *wrap(void *addr, size_t size, int fd, int flags, int prot, const char *name)
{
    struct record *r;
    size_t i = 0;

    if (name) {
        while (name[i] && i < sizeof(r->name))
            i++;
        if (i == sizeof(r->name)) {
            errno = ENAMETOOLONG;
            return NULL;
        }
    }
    r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED)
        return NULL;
    r->m.addr = addr;
    r->m.size = size;
    r->m.fd = fd;
    r->m.flags = flags;
    r->m.prot = prot;
    r->m.name = NULL;
    if (name) {
        for (i = 0; name[i]; i++)
            r->name[i] = name[i];
        r->name[i] = '\0';
        r->m.name = r->name;
    }
    return &r->m;
}

/* mmap + wrap; closes fd (keeping errno) if anything fails. */
static t_mapping *map_or_close(int fd, size_t size, int prot, int flags, const char *name)
{
    void *addr = MAP_FAILED;
    t_mapping *m = NULL;
    int err;

    if (size == 0)
        errno = EINVAL;
    else
        addr = mmap(NULL, size, prot, flags, fd, 0);
    if (addr != MAP_FAILED) {
        m = wrap(addr, size, fd, flags, prot, name);
        if (!m) {
            err = errno;
            munmap(addr, size);
            errno = err;
        }
    }
    if (!m && fd >= 0) {
        err = errno;
        close(fd);
        errno = err;
    }
    return m;
}

static size_t fd_size(int fd)
{
    struct stat st;

    if (fstat(fd, &st) < 0 || st.st_size < 0)
        return 0;
    return (size_t)st.st_size;
}

t_mapping *map_file(const char *filepath, int writable)
{
    int fd;

    if (!filepath) {
        errno = EINVAL;
        return NULL;
    }
    fd = open(filepath, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    return map_or_close(fd, fd_size(fd), writable ? PROT_READ | PROT_WRITE : PROT_READ,
                        writable ? MAP_SHARED : MAP_PRIVATE, NULL);
}

t_mapping *map_anonymous(size_t size, int shared)
{
    return map_or_close(-1, size, PROT_READ | PROT_WRITE,
                        MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE), NULL);
}

t_mapping *create_shared_region(const char *name, size_t size)
{
    t_mapping *m;
    int fd;
    int err;

    if (!name || !size) {
        errno = EINVAL;
        return NULL;
    }
    fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    if (ftruncate(fd, (off_t)size) < 0) {
        err = errno;
        close(fd);
        shm_unlink(name);
        errno = err;
        return NULL;
    }
    m = map_or_close(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, name);
    if (!m) {
        err = errno;
        shm_unlink(name);
        errno = err;
    }
    return m;
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    int fd;

    if (!name) {
        errno = EINVAL;
        return NULL;
    }
    fd = shm_open(name, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    return map_or_close(fd, fd_size(fd), writable ? PROT_READ | PROT_WRITE : PROT_READ,
                        MAP_SHARED, name);
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
    if (mprotect(mapping->addr, mapping->size, prot))
        return -1;
    mapping->prot = prot;
    return 0;
}

int unmap(t_mapping *mapping)
{
    int bad;

    if (!mapping) {
        errno = EINVAL;
        return -1;
    }
    bad = mapping->addr && munmap(mapping->addr, mapping->size);
    if (mapping->fd >= 0)
        bad |= close(mapping->fd) != 0;
    munmap(mapping, sizeof(struct record));
    return bad ? -1 : 0;
}

int destroy_shared_region(const char *name)
{
    if (!name) {
        errno = EINVAL;
        return -1;
    }
    return shm_unlink(name);
}
