#define _DEFAULT_SOURCE
/*
 * Variant: `#define _DEFAULT_SOURCE` (empty) at the top, for MAP_ANONYMOUS.
 * One constructor does the work for all four kinds of mapping; the kind
 * decides where the descriptor comes from and how it is mapped.
 */
#include "memory_mapper.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum e_kind { K_FILE, K_ANON, K_CREATE, K_ATTACH };

struct s_request {
    enum e_kind kind;
    const char  *path;
    size_t      size;
    int         rw;
    int         shared;
};

static int open_for(const struct s_request *rq)
{
    int oflag = rq->rw ? O_RDWR : O_RDONLY;

    if (rq->kind == K_FILE)
        return open(rq->path, oflag);
    if (rq->kind == K_CREATE)
        return shm_open(rq->path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (rq->kind == K_ATTACH)
        return shm_open(rq->path, oflag, 0);
    return -1;
}

static size_t length_of(const char *s)
{
    size_t n = 0;

    while (s && s[n])
        n++;
    return n;
}

static size_t record_size(const char *name)
{
    return sizeof(t_mapping) + (name ? length_of(name) + 1 : 0);
}

static int find_size(const struct s_request *rq, int fd, size_t *size)
{
    struct stat st;

    if (rq->kind == K_ANON || rq->kind == K_CREATE) {
        *size = rq->size;
        if (rq->kind == K_CREATE && ftruncate(fd, (off_t)rq->size) == -1)
            return -1;
        return 0;
    }
    if (fstat(fd, &st) == -1)
        return -1;
    if (st.st_size <= 0) {
        errno = EINVAL;
        return -1;
    }
    *size = (size_t)st.st_size;
    return 0;
}

static t_mapping *build(const struct s_request *rq)
{
    const char *name = (rq->kind == K_CREATE || rq->kind == K_ATTACH) ? rq->path : NULL;
    int prot = (rq->rw || rq->kind == K_ANON || rq->kind == K_CREATE)
                   ? PROT_READ | PROT_WRITE : PROT_READ;
    int flags;
    t_mapping *m = MAP_FAILED;
    void *addr = MAP_FAILED;
    size_t size = 0;
    int fd = -1;
    int err;

    if (rq->kind == K_ANON)
        flags = MAP_ANONYMOUS | (rq->shared ? MAP_SHARED : MAP_PRIVATE);
    else
        flags = (rq->kind == K_FILE && !rq->rw) ? MAP_PRIVATE : MAP_SHARED;
    if (rq->kind != K_ANON && (fd = open_for(rq)) == -1)
        return NULL;
    if (find_size(rq, fd, &size) == 0)
        addr = mmap(NULL, size, prot, flags, fd, 0);
    if (addr != MAP_FAILED)
        m = mmap(NULL, record_size(name), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m != MAP_FAILED) {
        *m = (t_mapping){.addr = addr, .size = size, .fd = fd, .flags = flags,
                         .prot = prot, .name = NULL};
        if (name) {
            m->name = (char *)(m + 1);
            for (size_t i = 0; i <= length_of(name); i++)
                m->name[i] = name[i];
        }
        return m;
    }
    err = errno;
    if (addr != MAP_FAILED)
        munmap(addr, size);
    if (fd != -1)
        close(fd);
    if (rq->kind == K_CREATE)
        shm_unlink(rq->path);
    errno = err;
    return NULL;
}

static void *invalid(void)
{
    errno = EINVAL;
    return NULL;
}

t_mapping *map_file(const char *filepath, int writable)
{
    if (!filepath)
        return invalid();
    return build(&(struct s_request){K_FILE, filepath, 0, writable, 0});
}

t_mapping *map_anonymous(size_t size, int shared)
{
    if (!size)
        return invalid();
    return build(&(struct s_request){K_ANON, NULL, size, 1, shared});
}

t_mapping *create_shared_region(const char *name, size_t size)
{
    if (!name || !size)
        return invalid();
    return build(&(struct s_request){K_CREATE, name, size, 1, 1});
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    if (!name)
        return invalid();
    return build(&(struct s_request){K_ATTACH, name, 0, writable, 1});
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
    if (mprotect(mapping->addr, mapping->size, prot) == -1)
        return -1;
    mapping->prot = prot;
    return 0;
}

int unmap(t_mapping *mapping)
{
    int status = 0;

    if (!mapping) {
        errno = EINVAL;
        return -1;
    }
    if (mapping->addr && munmap(mapping->addr, mapping->size) == -1)
        status = -1;
    if (mapping->fd != -1 && close(mapping->fd) == -1)
        status = -1;
    munmap(mapping, record_size(mapping->name));
    return status;
}

int destroy_shared_region(const char *name)
{
    if (!name) {
        errno = EINVAL;
        return -1;
    }
    return shm_unlink(name);
}
