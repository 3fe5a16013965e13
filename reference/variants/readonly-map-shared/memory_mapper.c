/*
 * Variant: every descriptor-backed mapping is MAP_SHARED, read-only files
 * included (PROT_READ on an O_RDONLY descriptor: nothing can be written,
 * so shared or private makes no difference to the caller). The access
 * mode of each request is looked up in one table.
 */
#include "memory_mapper.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct access {
    int oflag;
    int prot;
};

static const struct access g_access[2] = {
    {O_RDONLY, PROT_READ},
    {O_RDWR, PROT_READ | PROT_WRITE},
};

static const struct access *access_for(int writable)
{
    return &g_access[writable ? 1 : 0];
}

static void *fail_with(int err)
{
    errno = err;
    return NULL;
}

static size_t text_len(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

static size_t block_bytes(const char *name)
{
    return sizeof(t_mapping) + (name ? text_len(name) + 1 : 0);
}

static t_mapping *mapping_new(void *addr, size_t size, int fd, int flags, int prot,
                              const char *name)
{
    t_mapping *m = mmap(NULL, block_bytes(name), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *dst;

    if (m == MAP_FAILED)
        return NULL;
    *m = (t_mapping){addr, size, fd, flags, prot, NULL};
    if (name) {
        dst = (char *)(m + 1);
        m->name = dst;
        while ((*dst++ = *name++) != '\0')
            ;
    }
    return m;
}

/* Maps the whole object behind fd; fd is closed on failure. */
static t_mapping *map_object(int fd, int prot, const char *name)
{
    struct stat st;
    void *addr;
    t_mapping *m;
    int err;

    if (fstat(fd, &st) == -1)
        goto fail;
    if (st.st_size == 0) {
        errno = EINVAL;
        goto fail;
    }
    addr = mmap(NULL, (size_t)st.st_size, prot, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED)
        goto fail;
    m = mapping_new(addr, (size_t)st.st_size, fd, MAP_SHARED, prot, name);
    if (m)
        return m;
    err = errno;
    munmap(addr, (size_t)st.st_size);
    errno = err;
fail:
    err = errno;
    close(fd);
    errno = err;
    return NULL;
}

t_mapping *map_file(const char *filepath, int writable)
{
    const struct access *a = access_for(writable);
    int fd;

    if (filepath == NULL)
        return fail_with(EINVAL);
    fd = open(filepath, a->oflag);
    if (fd == -1)
        return NULL;
    return map_object(fd, a->prot, NULL);
}

t_mapping *map_anonymous(size_t size, int shared)
{
    int flags = MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE);
    void *addr;
    t_mapping *m;

    if (size == 0)
        return fail_with(EINVAL);
    addr = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (addr == MAP_FAILED)
        return NULL;
    m = mapping_new(addr, size, -1, flags, PROT_READ | PROT_WRITE, NULL);
    if (m == NULL)
        munmap(addr, size);
    return m;
}

t_mapping *create_shared_region(const char *name, size_t size)
{
    t_mapping *m;
    int fd;
    int err;

    if (name == NULL || size == 0)
        return fail_with(EINVAL);
    fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd == -1)
        return NULL;
    if (ftruncate(fd, (off_t)size) == -1) {
        err = errno;
        close(fd);
        shm_unlink(name);
        return fail_with(err);
    }
    m = map_object(fd, PROT_READ | PROT_WRITE, name);
    if (m == NULL) {
        err = errno;
        shm_unlink(name);
        errno = err;
    }
    return m;
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    const struct access *a = access_for(writable);
    int fd;

    if (name == NULL)
        return fail_with(EINVAL);
    fd = shm_open(name, a->oflag, 0);
    if (fd == -1)
        return NULL;
    return map_object(fd, a->prot, name);
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
    munmap(mapping, block_bytes(mapping->name));
    if (err == 0)
        return 0;
    errno = err;
    return -1;
}

int destroy_shared_region(const char *name)
{
    if (name == NULL) {
        errno = EINVAL;
        return -1;
    }
    return shm_unlink(name);
}
