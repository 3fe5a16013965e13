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

/* ---- Bonus: ring buffer shared between processes ------------------------ */

t_ring_buffer *create_ring_buffer(const char *name, size_t capacity)
{
    (void)name;
    (void)capacity;
    /* TODO: create a shared region for a header (cursors, lock, condition variables) and capacity data bytes; initialise the header. */
    errno = ENOSYS;
    return NULL;
}

t_ring_buffer *attach_ring_buffer(const char *name)
{
    (void)name;
    /* TODO: attach the shared region by name and check it holds an initialised ring. */
    errno = ENOSYS;
    return NULL;
}

ssize_t ring_write(t_ring_buffer *rb, const void *data, size_t len)
{
    (void)rb;
    (void)data;
    (void)len;
    /* TODO: copy all len bytes in, wrapping at the end; sleep while the ring is full; wake the readers. */
    errno = ENOSYS;
    return -1;
}

ssize_t ring_read(t_ring_buffer *rb, void *data, size_t len)
{
    (void)rb;
    (void)data;
    (void)len;
    /* TODO: sleep while the ring is empty, then copy out up to len bytes, wrapping at the end; wake the writers. */
    errno = ENOSYS;
    return -1;
}

void destroy_ring_buffer(t_ring_buffer *rb)
{
    (void)rb;
    /* TODO: unmap the region and the handle; the creator also removes the name. */
}
