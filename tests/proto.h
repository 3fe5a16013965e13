/*
 * proto.h - the wire between the checker (tests/, trusted) and the driver
 * (tests/driver.c linked with the submission, untrusted).
 *
 * The checker sends one request and reads one reply on a stream socket
 * (descriptor MM_DRIVER_FD in the driver). A request names an operation and
 * carries up to four integer arguments, two flags saying which pointer
 * arguments are NULL, and a payload (a path, a name, bytes to write). A
 * reply carries the function's return value as an integer (a pointer in the
 * driver's address space stays an integer: the checker never dereferences
 * it), errno, and a payload (bytes read, a name).
 *
 * Everything in a reply is a claim by code the submission controls: the
 * checker believes a reply only as far as it verifies it from outside
 * (/proc/<pid>/maps, process_vm_readv, the files and /dev/shm themselves,
 * ptrace's view of signals and system calls).
 */
#ifndef MM_PROTO_H
#define MM_PROTO_H

#include <stdint.h>

#define MM_DRIVER_FD 3
/* The driver moves its socket here, out of the way of a submission that
 * closes a stale descriptor, and exits with MM_DRIVER_LOST when the socket
 * breaks under it (closed or replaced by the submission). */
#define MM_DRIVER_HIGH_FD 900
#define MM_DRIVER_LOST 97
#define MM_MAX_PAYLOAD (1u << 20)

/* Functions the driver may call: bit i of the hello reply's `value` says
 * whether the submission defines function i. */
enum mm_fn {
    MM_FN_map_file,
    MM_FN_map_anonymous,
    MM_FN_create_shared_region,
    MM_FN_attach_shared_region,
    MM_FN_sync_mapping,
    MM_FN_protect_mapping,
    MM_FN_unmap,
    MM_FN_destroy_shared_region,
    MM_FN_mm_name,
    MM_FN_create_ring_buffer,
    MM_FN_attach_ring_buffer,
    MM_FN_ring_write,
    MM_FN_ring_read,
    MM_FN_destroy_ring_buffer,
    MM_FN_COUNT
};

enum mm_op {
    MM_OP_CALL = 1, /* arg[0]: enum mm_fn; arg[1..3]: the function's arguments */
    MM_OP_ADDR,     /* mm_addr(arg[0]) through the shim */
    MM_OP_SIZE,     /* mm_size(arg[0]) */
    MM_OP_NAME,     /* mm_name(arg[0]): the pointer, and the string as payload */
    MM_OP_FORK,     /* fork; the child serves the descriptor sent with SCM_RIGHTS */
    MM_OP_TOUCH,    /* arg[0]: address; arg[1]: 1 to write, 0 to read; value 1: faulted */
    MM_OP_EXIT,     /* _exit(arg[0]) */
    MM_OP_MUNMAP,   /* munmap(arg[0], arg[1]): a mapping vanishes behind the submission's back */
    MM_OP_RING_BATCH, /* several ring_write / ring_read calls on one ring: see below */
};

/*
 * MM_OP_RING_BATCH: arg[0] the ring; arg[1] n, the number of calls (at
 * most MM_RING_BATCH_MAX); arg[2] the length (0 to 8) of a stop marker,
 * whose bytes are arg[3]'s, in memory order. Payload: struct mm_ring_call
 * [n], then the bytes of the writes, one after the other. The driver makes
 * the calls in order and stops after the first one that does not return
 * its len, or after a read whose bytes begin with the stop marker. Reply:
 * the number of calls made (-1 with errno when the request is malformed);
 * payload: struct mm_ring_result for each call made, then the bytes each
 * read returned (min(ret, len) when ret > 0), one after the other.
 *
 * It only saves round trips: one request stands for a loop of single
 * calls in the checker, which checks every result and every byte itself,
 * and also where the driver should have stopped (remote.c).
 */
#define MM_RING_BATCH_MAX 4096u

struct mm_ring_call {
    uint32_t write; /* 1: ring_write, 0: ring_read */
    uint32_t len;
};

struct mm_ring_result {
    int64_t ret;
    int32_t err;
    uint32_t unused;
};

/* Request flags: which pointer argument the function receives as NULL. */
#define MM_NULL_PATH 1u /* the string argument */
#define MM_NULL_DATA 2u /* the buffer of ring_write / ring_read */

struct mm_request {
    uint32_t op;
    uint32_t flags;
    uint64_t arg[4];
    uint32_t len; /* payload bytes that follow */
    int32_t err;  /* errno when the function is called */
};

struct mm_reply {
    int64_t value;
    int32_t err;
    uint32_t len; /* payload bytes that follow */
};

#endif
