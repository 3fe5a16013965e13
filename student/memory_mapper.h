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
