#define _POSIX_C_SOURCE 200809L
/*
 * Variant: `#define _POSIX_C_SOURCE 200809L` at the top, and nothing
 * outside POSIX: strict POSIX has no MAP_ANONYMOUS, so anonymous memory
 * (the regions of map_anonymous and the records themselves) is a mapping
 * of /dev/zero, the classic way. MAP_SHARED of /dev/zero is shared with
 * children forked afterwards, MAP_PRIVATE is copy-on-write.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memory_mapper.h"

/* Zero-filled memory from /dev/zero; the descriptor is not kept. */
static void *zero_map(size_t size, int flags)
{
    int fd = open("/dev/zero", O_RDWR);
    void *p;
    int err;

    if (fd == -1)
        return MAP_FAILED;
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, 0);
    err = errno;
    close(fd);
    errno = err;
    return p;
}

static size_t name_bytes(const char *name)
{
    size_t n = 0;

    if (name == NULL)
        return 0;
    while (name[n] != '\0')
        n++;
    return n + 1;
}

static t_mapping *record_new(const char *name)
{
    t_mapping *m = zero_map(sizeof(t_mapping) + name_bytes(name), MAP_PRIVATE);

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
        for (size_t i = 0; i < name_bytes(name); i++)
            m->name[i] = name[i];
    }
    return m;
}

static void record_free(t_mapping *m)
{
    int err = errno;

    munmap(m, sizeof(t_mapping) + name_bytes(m->name));
    errno = err;
}

static void quiet_close(int fd)
{
    int err = errno;

    close(fd);
    errno = err;
}

/* Maps the object of fd whole (size 0: take it from fstat) into m. */
static int map_into(t_mapping *m, int fd, size_t size, int prot, int flags)
{
    struct stat st;

    if (size == 0) {
        if (fstat(fd, &st) == -1)
            return -1;
        if (st.st_size <= 0) {
            errno = EINVAL;
            return -1;
        }
        size = (size_t)st.st_size;
    }
    m->addr = mmap(NULL, size, prot, flags, fd, 0);
    if (m->addr == MAP_FAILED) {
        m->addr = NULL;
        return -1;
    }
    m->size = size;
    m->fd = fd;
    m->prot = prot;
    m->flags = flags;
    return 0;
}

t_mapping *map_file(const char *filepath, int writable)
{
    t_mapping *m;
    int fd;

    if (filepath == NULL) {
        errno = EINVAL;
        return NULL;
    }
    fd = open(filepath, writable ? O_RDWR : O_RDONLY);
    if (fd == -1)
        return NULL;
    m = record_new(NULL);
    if (m != NULL && map_into(m, fd, 0, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                              writable ? MAP_SHARED : MAP_PRIVATE) == 0)
        return m;
    if (m != NULL)
        record_free(m);
    quiet_close(fd);
    return NULL;
}

t_mapping *map_anonymous(size_t size, int shared)
{
    t_mapping *m;
    int flags = shared ? MAP_SHARED : MAP_PRIVATE;

    if (size == 0) {
        errno = EINVAL;
        return NULL;
    }
    m = record_new(NULL);
    if (m == NULL)
        return NULL;
    m->addr = zero_map(size, flags);
    if (m->addr == MAP_FAILED) {
        m->addr = NULL;
        record_free(m);
        return NULL;
    }
    m->size = size;
    m->flags = flags;
    m->prot = PROT_READ | PROT_WRITE;
    return m;
}

t_mapping *create_shared_region(const char *name, size_t size)
{
    t_mapping *m;
    int fd;
    int err;

    if (name == NULL || size == 0) {
        errno = EINVAL;
        return NULL;
    }
    fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1)
        return NULL;
    m = NULL;
    if (ftruncate(fd, (off_t)size) == 0) {
        m = record_new(name);
        if (m != NULL && map_into(m, fd, size, PROT_READ | PROT_WRITE, MAP_SHARED) != 0) {
            record_free(m);
            m = NULL;
        }
    }
    if (m == NULL) {
        err = errno;
        close(fd);
        shm_unlink(name);
        errno = err;
    }
    return m;
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    t_mapping *m;
    int fd;

    if (name == NULL) {
        errno = EINVAL;
        return NULL;
    }
    fd = shm_open(name, writable ? O_RDWR : O_RDONLY, 0);
    if (fd == -1)
        return NULL;
    m = record_new(name);
    if (m != NULL && map_into(m, fd, 0, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                              MAP_SHARED) == 0)
        return m;
    if (m != NULL)
        record_free(m);
    quiet_close(fd);
    return NULL;
}

int sync_mapping(t_mapping *mapping, int flags)
{
    if (mapping == NULL || mapping->addr == NULL) {
        errno = EINVAL;
        return -1;
    }
    return msync(mapping->addr, mapping->size, flags);
}

int protect_mapping(t_mapping *mapping, int prot)
{
    if (mapping == NULL || mapping->addr == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (mprotect(mapping->addr, mapping->size, prot) == -1)
        return -1;
    mapping->prot = prot;
    return 0;
}

int unmap(t_mapping *mapping)
{
    int err = 0;

    if (mapping == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (mapping->addr != NULL && munmap(mapping->addr, mapping->size) == -1)
        err = errno;
    if (mapping->fd != -1 && close(mapping->fd) == -1 && err == 0)
        err = errno;
    record_free(mapping);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

int destroy_shared_region(const char *name)
{
    if (name == NULL) {
        errno = EINVAL;
        return -1;
    }
    return shm_unlink(name);
}
