/*
 * Variant: create_shared_region insists on creating (O_CREAT | O_EXCL) with
 * mode 0600, and every function cleans up through one exit path. The
 * t_mapping and a copy of the name share one anonymous private mapping.
 */
#include "memory_mapper.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t name_len(const char *name)
{
    size_t n;

    n = 0;
    while (name != NULL && name[n] != '\0')
        n++;
    return n;
}

static size_t record_len(const char *name)
{
    if (name == NULL)
        return sizeof(t_mapping);
    return sizeof(t_mapping) + name_len(name) + 1;
}

static t_mapping *new_record(void *addr, size_t size, int fd, int flags,
                             int prot, const char *name)
{
    t_mapping *m;
    size_t i;

    m = mmap(NULL, record_len(name), PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    m->addr = addr;
    m->size = size;
    m->fd = fd;
    m->flags = flags;
    m->prot = prot;
    m->name = NULL;
    if (name != NULL) {
        m->name = (char *)(m + 1);
        for (i = 0; i <= name_len(name); i++)
            m->name[i] = name[i];
    }
    return m;
}

/* Maps `size` bytes of fd and records them; on failure nothing is left
 * mapped and errno tells why. The fd is not closed here. */
static t_mapping *map_and_record(int fd, size_t size, int prot, int flags,
                                 const char *name)
{
    void *addr;
    t_mapping *m;
    int err;

    addr = mmap(NULL, size, prot, flags, fd, 0);
    if (addr == MAP_FAILED)
        return NULL;
    m = new_record(addr, size, fd, flags, prot, name);
    if (m == NULL) {
        err = errno;
        munmap(addr, size);
        errno = err;
    }
    return m;
}

static int size_of_fd(int fd, size_t *size)
{
    struct stat st;

    if (fstat(fd, &st) == -1)
        return -1;
    if (st.st_size <= 0) {
        errno = EINVAL;
        return -1;
    }
    *size = (size_t)st.st_size;
    return 0;
}

t_mapping *map_file(const char *filepath, int writable)
{
    t_mapping *m;
    size_t size;
    int fd;
    int err;

    if (filepath == NULL) {
        errno = EINVAL;
        return NULL;
    }
    fd = open(filepath, writable ? O_RDWR : O_RDONLY);
    if (fd == -1)
        return NULL;
    m = NULL;
    if (size_of_fd(fd, &size) == 0)
        m = map_and_record(fd, size, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                           writable ? MAP_SHARED : MAP_PRIVATE, NULL);
    if (m == NULL) {
        err = errno;
        close(fd);
        errno = err;
    }
    return m;
}

t_mapping *map_anonymous(size_t size, int shared)
{
    if (size == 0) {
        errno = EINVAL;
        return NULL;
    }
    return map_and_record(-1, size, PROT_READ | PROT_WRITE,
                          MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE), NULL);
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
    if ((off_t)size > 0 && ftruncate(fd, (off_t)size) == 0)
        m = map_and_record(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, name);
    else if ((off_t)size <= 0)
        errno = EINVAL;
    if (m != NULL)
        return m;
    err = errno;
    close(fd);
    shm_unlink(name);
    errno = err;
    return NULL;
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    t_mapping *m;
    size_t size;
    int fd;
    int err;

    if (name == NULL) {
        errno = EINVAL;
        return NULL;
    }
    fd = shm_open(name, writable ? O_RDWR : O_RDONLY, 0);
    if (fd == -1)
        return NULL;
    m = NULL;
    if (size_of_fd(fd, &size) == 0)
        m = map_and_record(fd, size, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                           MAP_SHARED, name);
    if (m == NULL) {
        err = errno;
        close(fd);
        errno = err;
    }
    return m;
}

int sync_mapping(t_mapping *mapping, int flags)
{
    if (mapping == NULL || mapping->addr == NULL) {
        errno = EINVAL;
        return -1;
    }
    return msync(mapping->addr, mapping->size, flags) == 0 ? 0 : -1;
}

int protect_mapping(t_mapping *mapping, int prot)
{
    if (mapping == NULL || mapping->addr == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (mprotect(mapping->addr, mapping->size, prot) != 0)
        return -1;
    mapping->prot = prot;
    return 0;
}

int unmap(t_mapping *mapping)
{
    int ret;

    if (mapping == NULL) {
        errno = EINVAL;
        return -1;
    }
    ret = 0;
    if (mapping->addr != NULL && munmap(mapping->addr, mapping->size) != 0)
        ret = -1;
    if (mapping->fd >= 0 && close(mapping->fd) != 0)
        ret = -1;
    munmap(mapping, record_len(mapping->name));
    return ret;
}

int destroy_shared_region(const char *name)
{
    if (name == NULL) {
        errno = EINVAL;
        return -1;
    }
    return shm_unlink(name);
}
