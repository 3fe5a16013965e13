#ifndef MEMORY_MAPPER_H
# define MEMORY_MAPPER_H

# include <stddef.h>
# include <sys/types.h>

/*
 * One mapped region and what is needed to release it.
 *
 * Every t_mapping returned by this module is owned by the caller and must be
 * given back to unmap() exactly once; unmap() releases the region, the fd,
 * the name and the struct itself. Do not free() it: it is not from malloc.
 * After fork() the child holds its own copy of the struct and of the fd, so
 * parent and child each call unmap() on their own copy.
 *
 * fd stays open until unmap() (kept so that the link between the mapping and
 * its file or shared-memory object is visible). The mapping itself would
 * survive a close(): the kernel keeps its own reference to the file.
 * name points into the same block as the struct: valid until unmap().
 */
typedef struct s_mapping {
    void    *addr;          // Address of the mapped region
    size_t  size;           // Size of the region in bytes (as requested, not rounded to pages)
    int     fd;             // Associated file descriptor (-1 if anonymous)
    int     flags;          // Flags passed to mmap (MAP_SHARED/MAP_PRIVATE/MAP_ANONYMOUS)
    int     prot;           // Current protections (PROT_READ, PROT_WRITE, ...)
    char    *name;          // Shared region name (NULL if anonymous/file)
} t_mapping;

/*
 * Contract for every function below: on failure it returns NULL (or -1),
 * sets errno and leaks nothing (no fd, no mapping). errno is EINVAL for an
 * invalid argument as listed; otherwise it is the errno of the system call
 * that failed (open, shm_open, fstat, ftruncate, mmap, ...).
 */

/*
 * Maps the whole regular file at filepath.
 *   writable == 0: open O_RDONLY, PROT_READ, MAP_PRIVATE (writes fault).
 *   writable != 0: open O_RDWR, PROT_READ|PROT_WRITE, MAP_SHARED (writes
 *                  reach the file).
 * size comes from fstat; fd is kept open, name is NULL.
 * Errors: EINVAL if filepath is NULL, the file is empty, or it is not a
 * regular file; errno of open/fstat/mmap otherwise (e.g. ENOENT, EACCES).
 */
t_mapping   *map_file(const char *filepath, int writable);

/*
 * Maps size bytes of zero-filled memory, PROT_READ|PROT_WRITE,
 * MAP_ANONYMOUS|(shared ? MAP_SHARED : MAP_PRIVATE). A shared region stays
 * shared with children forked afterwards; a private one is copied on write.
 * fd is -1, name is NULL.
 * Errors: EINVAL if size is 0; errno of mmap otherwise (e.g. ENOMEM).
 */
t_mapping   *map_anonymous(size_t size, int shared);

/*
 * Creates the POSIX shared-memory object name with
 * shm_open(O_CREAT|O_EXCL|O_RDWR, 0600), sizes it to size bytes and maps it
 * PROT_READ|PROT_WRITE, MAP_SHARED. name is copied into the mapping.
 * The object outlives unmap(): remove it with destroy_shared_region().
 * Errors: EINVAL if name is NULL, does not start with '/' or is just "/", or
 * if size is 0; ENAMETOOLONG if the part after '/' is longer than NAME_MAX;
 * EEXIST if the object already exists (it is left untouched: it belongs to
 * someone else); errno of shm_open/ftruncate/mmap otherwise. On any failure
 * after shm_open succeeded, the object just created is unlinked again.
 */
t_mapping   *create_shared_region(const char *name, size_t size);

/*
 * Maps the whole existing shared-memory object name, MAP_SHARED.
 *   writable == 0: shm_open O_RDONLY, PROT_READ (writes fault).
 *   writable != 0: shm_open O_RDWR, PROT_READ|PROT_WRITE.
 * size comes from fstat; name is copied into the mapping.
 * Errors: EINVAL/ENAMETOOLONG for a bad name as in create_shared_region;
 * EINVAL if the object has size 0; ENOENT if it does not exist; errno of
 * shm_open/fstat/mmap otherwise.
 */
t_mapping   *attach_shared_region(const char *name, int writable);

/*
 * msync(addr, size, flags) on the whole region; flags are passed through
 * unchanged (MS_SYNC, MS_ASYNC, optionally | MS_INVALIDATE).
 * Returns 0, or -1 with errno: EINVAL if mapping is NULL or has no address;
 * errno of msync otherwise (EINVAL for MS_SYNC|MS_ASYNC, ENOMEM if the
 * region is no longer mapped).
 */
int         sync_mapping(t_mapping *mapping, int flags);

/*
 * mprotect(addr, size, prot) on the whole region. mapping->prot is updated
 * only on success. Returns 0, or -1 with errno: EINVAL if mapping is NULL or
 * has no address; errno of mprotect otherwise (e.g. EACCES when asking
 * PROT_WRITE on a MAP_SHARED mapping of a read-only fd).
 */
int         protect_mapping(t_mapping *mapping, int prot);

/*
 * Releases everything: munmap of the whole region, close of fd if not -1,
 * then the struct and its name. mapping is invalid afterwards, even on error.
 * Returns 0, or -1 with errno: EINVAL if mapping is NULL (nothing done);
 * errno of munmap (or of close) if it failed -- the remaining resources are
 * released anyway. Does not unlink a shared-memory object.
 */
int         unmap(t_mapping *mapping);

/*
 * shm_unlink(name): the name disappears at once, the memory when the last
 * mapping of it is unmapped. Returns 0, or -1 with errno: EINVAL/ENAMETOOLONG
 * for a bad name as in create_shared_region; errno of shm_unlink otherwise
 * (e.g. ENOENT).
 */
int         destroy_shared_region(const char *name);

#endif

/*
 * Bonus (section 3.1): a ring buffer shared between processes, with fields
 * of its own in the subject's struct, and attach_ring_buffer(name) for a
 * process that did not fork from the creator. Link with -pthread.
 */
#ifndef MEMORY_MAPPER_RING_H
# define MEMORY_MAPPER_RING_H

# include <pthread.h>

typedef struct s_ring_buffer {
    t_mapping       *mapping;
    size_t          capacity;
    size_t          *head;      // In the shared region
    size_t          *tail;      // In the shared region
    char            *data;      // In the shared region
    pthread_mutex_t *lock;      // In the shared region
    pthread_cond_t  *readable;  // In the shared region
    pthread_cond_t  *writable;  // In the shared region
    pid_t           owner;      // getpid() of the creator, 0 when attached
    unsigned        mark;       // RING_MARK while the handle is valid
} t_ring_buffer;

t_ring_buffer *create_ring_buffer(const char *name, size_t capacity);
t_ring_buffer *attach_ring_buffer(const char *name);
ssize_t ring_write(t_ring_buffer *rb, const void *data, size_t len);
ssize_t ring_read(t_ring_buffer *rb, void *data, size_t len);
void destroy_ring_buffer(t_ring_buffer *rb);

#endif
