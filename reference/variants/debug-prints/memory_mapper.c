/*
 * Variant: traces every call, on stdout with printf and on stderr with
 * write(2, ...), as students debugging their code do. The record and the
 * copy of the name are two separate anonymous mappings.
 */
#include "memory_mapper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void trace(const char *what)
{
    size_t n = 0;
    int saved = errno;

    while (what[n])
        n++;
    (void)!write(2, "[memory_mapper] ", 16);
    (void)!write(2, what, n);
    (void)!write(2, "\n", 1);
    errno = saved;
}

/* perror() is not used: glibc's perror sets errno to EINVAL when stderr is
 * not open for reading (a pipe, a file), which would hide the real error. */
static void report(const char *what)
{
    int saved = errno;

    printf("%s failed: errno %d\n", what, saved);
    errno = saved;
}

static void *anon(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

static size_t slen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

static void drop_record(t_mapping *m)
{
    int saved = errno;

    if (m->name)
        munmap(m->name, slen(m->name) + 1);
    munmap(m, sizeof(*m));
    errno = saved;
}

static t_mapping *new_record(const char *name)
{
    t_mapping *m = anon(sizeof(*m));
    size_t len;

    if (!m)
        return NULL;
    m->addr = NULL;
    m->size = 0;
    m->fd = -1;
    m->flags = 0;
    m->prot = 0;
    m->name = NULL;
    if (name) {
        len = slen(name);
        m->name = anon(len + 1);
        if (!m->name) {
            drop_record(m);
            return NULL;
        }
        for (size_t i = 0; i <= len; i++)
            m->name[i] = name[i];
    }
    return m;
}

static t_mapping *finish(t_mapping *m, int fd, size_t size, int prot, int flags)
{
    int saved;

    m->addr = mmap(NULL, size, prot, flags, fd, 0);
    if (m->addr == MAP_FAILED) {
        saved = errno;
        printf("mmap(%zu bytes) failed: errno %d\n", size, saved);
        drop_record(m);
        errno = saved;
        return NULL;
    }
    m->size = size;
    m->fd = fd;
    m->prot = prot;
    m->flags = flags;
    printf("mapped %zu bytes at %p (fd %d)\n", size, m->addr, fd);
    return m;
}

static void close_quietly(int fd)
{
    int saved = errno;

    close(fd);
    errno = saved;
}

static int size_from_fd(int fd, size_t *size)
{
    struct stat st;

    if (fstat(fd, &st) == -1)
        return -1;
    printf("fstat: %lld bytes\n", (long long)st.st_size);
    if (st.st_size == 0) {
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

    trace("map_file");
    printf("map_file(%s, %d)\n", filepath ? filepath : "(null)", writable);
    if (!filepath) {
        errno = EINVAL;
        return NULL;
    }
    fd = open(filepath, writable ? O_RDWR : O_RDONLY);
    if (fd == -1) {
        report("open");
        return NULL;
    }
    m = NULL;
    if (size_from_fd(fd, &size) == 0 && (m = new_record(NULL)) != NULL)
        m = finish(m, fd, size, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                   writable ? MAP_SHARED : MAP_PRIVATE);
    if (!m)
        close_quietly(fd);
    return m;
}

t_mapping *map_anonymous(size_t size, int shared)
{
    t_mapping *m;

    trace("map_anonymous");
    printf("map_anonymous(%zu, %d)\n", size, shared);
    if (size == 0) {
        errno = EINVAL;
        return NULL;
    }
    m = new_record(NULL);
    if (!m)
        return NULL;
    return finish(m, -1, size, PROT_READ | PROT_WRITE,
                  MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE));
}

t_mapping *create_shared_region(const char *name, size_t size)
{
    t_mapping *m = NULL;
    int saved;
    int fd;

    trace("create_shared_region");
    printf("create_shared_region(%s, %zu)\n", name ? name : "(null)", size);
    if (!name || !size) {
        errno = EINVAL;
        return NULL;
    }
    fd = shm_open(name, O_CREAT | O_RDWR, 0666);
    if (fd == -1) {
        report("shm_open");
        return NULL;
    }
    if (ftruncate(fd, (off_t)size) == 0 && (m = new_record(name)) != NULL)
        m = finish(m, fd, size, PROT_READ | PROT_WRITE, MAP_SHARED);
    if (!m) {
        saved = errno;
        report("create_shared_region");
        close(fd);
        shm_unlink(name);
        errno = saved;
    }
    return m;
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    t_mapping *m = NULL;
    size_t size;
    int fd;

    trace("attach_shared_region");
    printf("attach_shared_region(%s, %d)\n", name ? name : "(null)", writable);
    if (!name) {
        errno = EINVAL;
        return NULL;
    }
    fd = shm_open(name, writable ? O_RDWR : O_RDONLY, 0);
    if (fd == -1) {
        report("shm_open");
        return NULL;
    }
    if (size_from_fd(fd, &size) == 0 && (m = new_record(name)) != NULL)
        m = finish(m, fd, size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED);
    if (!m)
        close_quietly(fd);
    return m;
}

int sync_mapping(t_mapping *mapping, int flags)
{
    trace("sync_mapping");
    printf("sync_mapping(%p, %#x)\n", (void *)mapping, (unsigned)flags);
    if (!mapping || !mapping->addr) {
        errno = EINVAL;
        return -1;
    }
    return msync(mapping->addr, mapping->size, flags);
}

int protect_mapping(t_mapping *mapping, int prot)
{
    trace("protect_mapping");
    printf("protect_mapping(%p, %#x)\n", (void *)mapping, (unsigned)prot);
    if (!mapping || !mapping->addr) {
        errno = EINVAL;
        return -1;
    }
    if (mprotect(mapping->addr, mapping->size, prot) == -1) {
        report("mprotect");
        return -1;
    }
    mapping->prot = prot;
    return 0;
}

int unmap(t_mapping *mapping)
{
    int ret = 0;

    trace("unmap");
    printf("unmap(%p)\n", (void *)mapping);
    if (!mapping) {
        errno = EINVAL;
        return -1;
    }
    if (mapping->addr && munmap(mapping->addr, mapping->size) == -1)
        ret = -1;
    if (mapping->fd != -1 && close(mapping->fd) == -1)
        ret = -1;
    drop_record(mapping);
    return ret;
}

int destroy_shared_region(const char *name)
{
    trace("destroy_shared_region");
    printf("destroy_shared_region(%s)\n", name ? name : "(null)");
    if (!name) {
        errno = EINVAL;
        return -1;
    }
    return shm_unlink(name);
}
