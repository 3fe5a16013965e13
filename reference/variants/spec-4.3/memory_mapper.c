#include "memory_mapper.h"
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

static t_mapping *create_mapping_struct(void) {
    t_mapping *m = mmap(NULL, sizeof(t_mapping),
                        PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    memset(m, 0, sizeof(t_mapping));
    m->fd = -1;
    return m;
}

t_mapping *map_file(const char *filepath, int writable) {
    if (!filepath)
        return NULL;

    int flags = writable ? O_RDWR : O_RDONLY;
    int fd = open(filepath, flags);
    if (fd == -1)
        return NULL;

    struct stat st;
    if (fstat(fd, &st) == -1) {
        close(fd);
        return NULL;
    }

    int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    int mflags = writable ? MAP_SHARED : MAP_PRIVATE;

    void *addr = mmap(NULL, st.st_size, prot, mflags, fd, 0);
    if (addr == MAP_FAILED) {
        close(fd);
        return NULL;
    }

    t_mapping *m = create_mapping_struct();
    if (!m) {
        munmap(addr, st.st_size);
        close(fd);
        return NULL;
    }

    m->addr = addr;
    m->size = st.st_size;
    m->fd = fd;
    m->flags = mflags;
    m->prot = prot;

    return m;
}

t_mapping *map_anonymous(size_t size, int shared) {
    if (size == 0)
        return NULL;

    int flags = MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE);
    int prot = PROT_READ | PROT_WRITE;

    void *addr = mmap(NULL, size, prot, flags, -1, 0);
    if (addr == MAP_FAILED)
        return NULL;

    t_mapping *m = create_mapping_struct();
    if (!m) {
        munmap(addr, size);
        return NULL;
    }

    m->addr = addr;
    m->size = size;
    m->flags = flags;
    m->prot = prot;

    return m;
}

t_mapping *create_shared_region(const char *name, size_t size) {
    if (!name || size == 0)
        return NULL;

    int fd = shm_open(name, O_CREAT | O_RDWR, 0666);
    if (fd == -1)
        return NULL;

    if (ftruncate(fd, size) == -1) {
        close(fd);
        shm_unlink(name);
        return NULL;
    }

    void *addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED) {
        close(fd);
        shm_unlink(name);
        return NULL;
    }

    t_mapping *m = create_mapping_struct();
    if (!m) {
        munmap(addr, size);
        close(fd);
        shm_unlink(name);
        return NULL;
    }

    m->addr = addr;
    m->size = size;
    m->fd = fd;
    m->flags = MAP_SHARED;
    m->prot = PROT_READ | PROT_WRITE;
    m->name = strdup(name);

    return m;
}

t_mapping *attach_shared_region(const char *name, int writable) {
    if (!name)
        return NULL;

    int flags = writable ? O_RDWR : O_RDONLY;
    int fd = shm_open(name, flags, 0);
    if (fd == -1)
        return NULL;

    struct stat st;
    if (fstat(fd, &st) == -1) {
        close(fd);
        return NULL;
    }

    int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    void *addr = mmap(NULL, st.st_size, prot, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED) {
        close(fd);
        return NULL;
    }

    t_mapping *m = create_mapping_struct();
    if (!m) {
        munmap(addr, st.st_size);
        close(fd);
        return NULL;
    }

    m->addr = addr;
    m->size = st.st_size;
    m->fd = fd;
    m->flags = MAP_SHARED;
    m->prot = prot;
    m->name = strdup(name);

    return m;
}

int sync_mapping(t_mapping *mapping, int flags) {
    if (!mapping || !mapping->addr)
        return -1;
    return msync(mapping->addr, mapping->size, flags);
}

int protect_mapping(t_mapping *mapping, int prot) {
    if (!mapping || !mapping->addr)
        return -1;
    if (mprotect(mapping->addr, mapping->size, prot) == -1)
        return -1;
    mapping->prot = prot;
    return 0;
}

int unmap(t_mapping *mapping) {
    if (!mapping)
        return -1;

    int ret = 0;

    if (mapping->addr && mapping->addr != MAP_FAILED) {
        if (munmap(mapping->addr, mapping->size) == -1)
            ret = -1;
    }

    if (mapping->fd != -1) {
        close(mapping->fd);
    }

    if (mapping->name) {
        // Note: we use munmap for the strdup'd string workaround
        free(mapping->name);
    }

    munmap(mapping, sizeof(t_mapping));
    return ret;
}

int destroy_shared_region(const char *name) {
    if (!name)
        return -1;
    return shm_unlink(name);
}
