#ifndef MEMORY_MAPPER_H
# define MEMORY_MAPPER_H

# include <stddef.h>
# include <sys/types.h>

/*
 * Same fields as the subject's t_mapping, in another order, plus one:
 * `mapped` is the length actually mapped (size rounded up to whole pages).
 */
typedef struct s_mapping {
    char    *name;          // Shared region name (NULL if anonymous/file)
    int     prot;           // Protections (PROT_READ, PROT_WRITE, etc.)
    int     flags;          // Flags used for mmap
    size_t  mapped;         // Bytes really mapped: size rounded up to pages
    int     fd;             // Associated file descriptor (-1 if anonymous)
    size_t  size;           // Size of the region
    void    *addr;          // Address of the mapped region
} t_mapping;

t_mapping   *map_file(const char *filepath, int writable);
t_mapping   *map_anonymous(size_t size, int shared);
t_mapping   *create_shared_region(const char *name, size_t size);
t_mapping   *attach_shared_region(const char *name, int writable);
int         sync_mapping(t_mapping *mapping, int flags);
int         protect_mapping(t_mapping *mapping, int prot);
int         unmap(t_mapping *mapping);
int         destroy_shared_region(const char *name);

#endif
