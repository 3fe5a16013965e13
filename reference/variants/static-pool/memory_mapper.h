#ifndef MEMORY_MAPPER_H
# define MEMORY_MAPPER_H

# include <stddef.h>
# include <sys/types.h>

typedef struct s_mapping {
    void    *addr;          // Adresse de la zone mappee
    size_t  size;           // Taille de la zone
    int     fd;             // File descriptor associe (-1 si anonyme)
    int     flags;          // Flags utilises pour mmap
    int     prot;           // Protections (PROT_READ, PROT_WRITE, etc.)
    char    *name;          // Nom de la region partagee (NULL si anonyme/fichier)
} t_mapping;

// Mappe un fichier en memoire (lecture seule ou lecture/ecriture)
// Retourne un pointeur vers la structure mapping ou NULL en cas d'erreur
t_mapping   *map_file(const char *filepath, int writable);

// Cree une region memoire anonyme de la taille specifiee
// Si shared=1, la region sera partagee entre processus forkes
t_mapping   *map_anonymous(size_t size, int shared);

// Cree une nouvelle region de memoire partagee nommee
// La region peut etre accedee par d'autres processus via son nom
t_mapping   *create_shared_region(const char *name, size_t size);

// S'attache a une region partagee existante par son nom
t_mapping   *attach_shared_region(const char *name, int writable);

// Synchronise les modifications avec le fichier/stockage sous-jacent
// flags: MS_SYNC (synchrone) ou MS_ASYNC (asynchrone)
int         sync_mapping(t_mapping *mapping, int flags);

// Change les protections d'une region mappee
int         protect_mapping(t_mapping *mapping, int prot);

// Libere une region mappee
int         unmap(t_mapping *mapping);

// Detruit une region partagee nommee (shm_unlink)
int         destroy_shared_region(const char *name);

#endif
