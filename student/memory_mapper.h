#ifndef MEMORY_MAPPER_H
# define MEMORY_MAPPER_H

# include <stddef.h>
# include <sys/types.h>

typedef struct s_mapping {
    void    *addr;          // Address of the mapped region
    size_t  size;           // Size of the region
    int     fd;             // Associated file descriptor (-1 if anonymous)
    int     flags;          // Flags passed to mmap
    int     prot;           // Protections (PROT_READ, PROT_WRITE, etc.)
    char    *name;          // Shared region name (NULL if anonymous/file)
} t_mapping;

// Maps a file into memory (read-only or read/write)
// Returns a pointer to the mapping structure, or NULL on error
t_mapping   *map_file(const char *filepath, int writable);

// Creates an anonymous memory region of the given size
// If shared=1, the region is shared with forked processes
t_mapping   *map_anonymous(size_t size, int shared);

// Creates a new named shared memory region
// Other processes can access the region through its name
t_mapping   *create_shared_region(const char *name, size_t size);

// Attaches to an existing shared region by its name
t_mapping   *attach_shared_region(const char *name, int writable);

// Synchronises changes with the underlying file/storage
// flags: MS_SYNC (synchronous) or MS_ASYNC (asynchronous)
int         sync_mapping(t_mapping *mapping, int flags);

// Changes the protections of a mapped region
int         protect_mapping(t_mapping *mapping, int prot);

// Releases a mapped region
int         unmap(t_mapping *mapping);

// Destroys a named shared region (shm_unlink)
int         destroy_shared_region(const char *name);

#endif

/*
 * Bonus (section 3.1): a ring buffer shared between processes.
 * A byte stream in a named shared region: bytes come out of ring_read in the
 * order they went into ring_write, each exactly once, across processes.
 * Blocking must really sleep (process-shared mutex + condition variables in
 * the shared region, for example), not spin. Link with -pthread.
 */
#ifndef MEMORY_MAPPER_RING_H
# define MEMORY_MAPPER_RING_H

typedef struct s_ring_buffer {
    t_mapping   *mapping;
    size_t      capacity;
    size_t      *head;      // Pointer into the shared region
    size_t      *tail;      // Pointer into the shared region
    char        *data;      // Data area
} t_ring_buffer;

// Creates a shared ring buffer (the creator's handle)
t_ring_buffer *create_ring_buffer(const char *name, size_t capacity);

// Attaches to the ring buffer `name` created by another process
t_ring_buffer *attach_ring_buffer(const char *name);

// Writes all len bytes into the buffer (blocks while it is full); returns len
ssize_t ring_write(t_ring_buffer *rb, const void *data, size_t len);

// Reads up to len bytes from the buffer (blocks while it is empty)
ssize_t ring_read(t_ring_buffer *rb, void *data, size_t len);

// Releases the ring buffer (the creator's handle also removes the name)
void destroy_ring_buffer(t_ring_buffer *rb);

#endif
