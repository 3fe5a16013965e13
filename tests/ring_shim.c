/*
 * ring_shim.c - compiled against the submission's own memory_mapper.h, when
 * that header declares t_ring_buffer (the bonus is optional).
 *
 * It defines nothing: the tests read no field of t_ring_buffer. Its only
 * job is to redeclare the bonus prototypes after the submission's header,
 * so that a header that changed a signature fails to compile here instead
 * of being called through the wrong type (see shim.c).
 */
#include "memory_mapper.h"

t_ring_buffer *create_ring_buffer(const char *name, size_t capacity);
t_ring_buffer *attach_ring_buffer(const char *name);
ssize_t ring_write(t_ring_buffer *rb, const void *data, size_t len);
ssize_t ring_read(t_ring_buffer *rb, void *data, size_t len);
void destroy_ring_buffer(t_ring_buffer *rb);
