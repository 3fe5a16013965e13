#include "memory_mapper.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

t_mapping *map_file(const char *filepath, int writable)
{
    (void)filepath;
    (void)writable;
    /* TODO: open the file, fstat its size, mmap it whole (read-only: MAP_PRIVATE; writable: MAP_SHARED). */
    errno = ENOSYS;
    return NULL;
}

t_mapping *map_anonymous(size_t size, int shared)
{
    (void)size;
    (void)shared;
    /* TODO: mmap size bytes with MAP_ANONYMOUS, MAP_SHARED if shared else MAP_PRIVATE. */
    errno = ENOSYS;
    return NULL;
}

t_mapping *create_shared_region(const char *name, size_t size)
{
    (void)name;
    (void)size;
    /* TODO: shm_open a new object, ftruncate it to size, mmap it MAP_SHARED read/write. */
    errno = ENOSYS;
    return NULL;
}

t_mapping *attach_shared_region(const char *name, int writable)
{
    (void)name;
    (void)writable;
    /* TODO: shm_open an existing object, fstat its size, mmap it MAP_SHARED. */
    errno = ENOSYS;
    return NULL;
}

int sync_mapping(t_mapping *mapping, int flags)
{
    (void)mapping;
    (void)flags;
    /* TODO: msync the whole region with the given flags. */
    errno = ENOSYS;
    return -1;
}

int protect_mapping(t_mapping *mapping, int prot)
{
    (void)mapping;
    (void)prot;
    /* TODO: mprotect the whole region and record the new protections. */
    errno = ENOSYS;
    return -1;
}

int unmap(t_mapping *mapping)
{
    (void)mapping;
    /* TODO: munmap the region, close its fd, release the name and the struct. */
    errno = ENOSYS;
    return -1;
}

int destroy_shared_region(const char *name)
{
    (void)name;
    /* TODO: shm_unlink the named region. */
    errno = ENOSYS;
    return -1;
}
