/*
 * Variant: checks every argument more strictly than the subject asks, with
 * errno values of its own:
 *   NULL pointer                          EFAULT
 *   size 0                                ERANGE
 *   size above what off_t/ptrdiff_t hold  EFBIG
 *   a directory                           EISDIR
 *   another non-regular file (FIFO, dev)  ENODEV
 *   an empty file or region               ENODATA
 *   shm name not "/" + 1..NAME_MAX chars
 *   without another '/'                   EINVAL (ENAMETOOLONG if too long)
 *   sync flags not exactly one of MS_SYNC / MS_ASYNC (+ MS_INVALIDATE),
 *   prot with unknown bits                ENOTSUP
 * Errors of the system calls themselves keep their errno (ENOENT, EACCES).
 */
#include "memory_mapper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void *null_errno(int err)
{
    errno = err;
    return NULL;
}

static int minus_errno(int err)
{
    errno = err;
    return -1;
}

static int bad_name(const char *name)
{
    size_t n;

    if (name == NULL)
        return EFAULT;
    if (name[0] != '/' || name[1] == '\0')
        return EINVAL;
    for (n = 1; name[n] != '\0'; n++)
        if (name[n] == '/')
            return EINVAL;
    if (n - 1 > NAME_MAX)
        return ENAMETOOLONG;
    return 0;
}

static int bad_size(size_t size)
{
    if (size == 0)
        return ERANGE;
    if (size > (size_t)PTRDIFF_MAX || (off_t)size <= 0)
        return EFBIG;
    return 0;
}

/* 0 if fd is an object we may map whole, else the errno to report. */
static int check_object(int fd, int regular_only, size_t *size)
{
    struct stat st;

    if (fstat(fd, &st) == -1)
        return errno;
    if (S_ISDIR(st.st_mode))
        return EISDIR;
    if (regular_only && !S_ISREG(st.st_mode))
        return ENODEV;
    if (st.st_size <= 0)
        return ENODATA;
    if ((uintmax_t)st.st_size > (uintmax_t)PTRDIFF_MAX)
        return EFBIG;
    *size = (size_t)st.st_size;
    return 0;
}

static size_t str_size(const char *s)
{
    size_t n = 0;

    while (s && s[n])
        n++;
    return s ? n + 1 : 0;
}

static t_mapping *make(void *addr, size_t size, int fd, int flags, int prot, const char *name)
{
    t_mapping *m = mmap(NULL, sizeof(*m) + str_size(name), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (m == MAP_FAILED)
        return NULL;
    m->addr = addr;
    m->size = size;
    m->fd = fd;
    m->flags = flags;
    m->prot = prot;
    m->name = NULL;
    if (name) {
        m->name = (char *)(m + 1);
        for (size_t i = 0; i < str_size(name); i++)
            m->name[i] = name[i];
    }
    return m;
}

static t_mapping *map_it(int fd, size_t size, int prot, int flags, const char *name)
{
    void *addr = mmap(NULL, size, prot, flags, fd, 0);
    t_mapping *m;
    int err;

    if (addr == MAP_FAILED)
        return NULL;
    m = make(addr, size, fd, flags, prot, name);
    if (m == NULL) {
        err = errno;
        munmap(addr, size);
        errno = err;
    }
    return m;
}

static t_mapping *give_up(int fd, int err)
{
    close(fd);
    errno = err;
    return NULL;
}

t_mapping *map_file(const char *filepath, int writable)
{
    size_t size = 0;
    t_mapping *m;
    int fd;
    int err;

    if (filepath == NULL)
        return null_errno(EFAULT);
    if (filepath[0] == '\0')
        return null_errno(ENOENT);
    fd = open(filepath, (writable ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_NOCTTY);
    if (fd == -1)
        return NULL;
    err = check_object(fd, 1, &size);
    if (err)
        return give_up(fd, err);
    m = map_it(fd, size, writable ? PROT_READ | PROT_WRITE : PROT_READ,
               writable ? MAP_SHARED : MAP_PRIVATE, NULL);
    return m ? m : give_up(fd, errno);
}

t_mapping *map_anonymous(size_t size, int shared)
{
    int err = bad_size(size);

    if (err)
        return null_errno(err);
    if (shared != 0 && shared != 1)
        return null_errno(EINVAL);
    return map_it(-1, size, PROT_READ | PROT_WRITE,
                  MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE), NULL);
}

t_mapping *create_shared_region(const char *name, size_t size)
{
    t_mapping *m = NULL;
    int err;
    int fd;

    err = bad_name(name);
    if (!err)
        err = bad_size(size);
    if (err)
        return null_errno(err);
    fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1)
        return NULL;
    if (ftruncate(fd, (off_t)size) == 0)
        m = map_it(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, name);
    if (m != NULL)
        return m;
    err = errno;
    shm_unlink(name);
    return give_up(fd, err);
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    size_t size = 0;
    t_mapping *m;
    int err;
    int fd;

    err = bad_name(name);
    if (err)
        return null_errno(err);
    fd = shm_open(name, writable ? O_RDWR : O_RDONLY, 0);
    if (fd == -1)
        return NULL;
    err = check_object(fd, 0, &size);
    if (err)
        return give_up(fd, err);
    m = map_it(fd, size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, name);
    return m ? m : give_up(fd, errno);
}

int sync_mapping(t_mapping *mapping, int flags)
{
    int mode = flags & (MS_SYNC | MS_ASYNC);

    if (mapping == NULL)
        return minus_errno(EFAULT);
    if (mapping->addr == NULL || mapping->addr == MAP_FAILED)
        return minus_errno(EINVAL);
    if ((flags & ~(MS_SYNC | MS_ASYNC | MS_INVALIDATE)) || (mode != MS_SYNC && mode != MS_ASYNC))
        return minus_errno(ENOTSUP);
    return msync(mapping->addr, mapping->size, flags);
}

int protect_mapping(t_mapping *mapping, int prot)
{
    if (mapping == NULL)
        return minus_errno(EFAULT);
    if (mapping->addr == NULL || mapping->addr == MAP_FAILED)
        return minus_errno(EINVAL);
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
        return minus_errno(ENOTSUP);
    if (mprotect(mapping->addr, mapping->size, prot) == -1)
        return -1;
    mapping->prot = prot;
    return 0;
}

int unmap(t_mapping *mapping)
{
    int err = 0;

    if (mapping == NULL)
        return minus_errno(EFAULT);
    if (mapping->addr != NULL && mapping->addr != MAP_FAILED
        && munmap(mapping->addr, mapping->size) == -1)
        err = errno;
    if (mapping->fd >= 0 && close(mapping->fd) == -1 && !err)
        err = errno;
    munmap(mapping, sizeof(*mapping) + str_size(mapping->name));
    return err ? minus_errno(err) : 0;
}

int destroy_shared_region(const char *name)
{
    int err = bad_name(name);

    if (err)
        return minus_errno(err);
    return shm_unlink(name);
}
