#define _GNU_SOURCE
/*
 * Row 10, error_handling: bad requests give NULL or -1, never a crash, and
 * leave nothing behind. The subject fixes one errno: a path (or a region
 * name) that does not exist gives ENOENT. For the other errors only the
 * error value is required, and that nothing is left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"

MM_SUITE(error_handling);

Test(error_handling, missing_path)
{
    const char *path = "/tmp/mm-no-such-dir/no-such-file.txt";
    t_mapping *m;

    MM_REQUIRE(map_file);
    for (int writable = 0; writable <= 1; writable++) {
        mm_step("calling map_file(\"%s\", %d) on a missing path", path, writable);
        errno = 0;
        m = map_file(path, writable);
        MM_CHECK(m == NULL, "map_file on a missing path with writable=%d returned %p instead of NULL",
                 writable, (void *)m);
        MM_CHECK(errno == ENOENT, "map_file on a missing path set errno to %d (%s), expected ENOENT",
                 errno, strerror(errno));
    }
    mm_finish("after map_file() failed on a missing path");
}

/* One NULL-argument call, run in a child so that a crash is reported as
 * that call's, not the test's. */
struct null_call {
    const char *text;
    int (*call)(void);
};

static int null_map_file(void) { return map_file(NULL, 0) == NULL; }
static int null_create(void) { return create_shared_region(NULL, 4096) == NULL; }
static int null_attach(void) { return attach_shared_region(NULL, 1) == NULL; }
static int null_sync(void) { return sync_mapping(NULL, MS_SYNC) == -1; }
static int null_protect(void) { return protect_mapping(NULL, PROT_READ) == -1; }
static int null_unmap(void) { return unmap(NULL) == -1; }
static int null_destroy(void) { return destroy_shared_region(NULL) == -1; }

static int run_null_call(const void *arg)
{
    return ((const struct null_call *)arg)->call();
}

Test(error_handling, null_arguments)
{
    static const struct null_call calls[] = {
        {"map_file(NULL, 0)", null_map_file},
        {"create_shared_region(NULL, 4096)", null_create},
        {"attach_shared_region(NULL, 1)", null_attach},
        {"sync_mapping(NULL, MS_SYNC)", null_sync},
        {"protect_mapping(NULL, PROT_READ)", null_protect},
        {"unmap(NULL)", null_unmap},
        {"destroy_shared_region(NULL)", null_destroy},
    };

    MM_REQUIRE(map_file);
    MM_REQUIRE(create_shared_region);
    MM_REQUIRE(attach_shared_region);
    MM_REQUIRE(sync_mapping);
    MM_REQUIRE(protect_mapping);
    MM_REQUIRE(unmap);
    MM_REQUIRE(destroy_shared_region);
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        struct mm_outcome out;

        mm_step("calling %s", calls[i].text);
        out = mm_in_child(run_null_call, &calls[i]);
        MM_CHECK(out.signal == 0, "%s crashed (signal %d, %s): check your arguments first",
                 calls[i].text, out.signal, strsignal(out.signal));
        MM_CHECK(out.exited, "%s did not return", calls[i].text);
        MM_CHECK(out.failed, "%s did not return its error value (NULL or -1)", calls[i].text);
    }
    mm_finish("after the calls with NULL arguments");
}

Test(error_handling, size_zero)
{
    const char *name = mm_shm_name("zero");
    t_mapping *m;

    MM_REQUIRE(map_anonymous);
    MM_REQUIRE(create_shared_region);
    for (int shared = 0; shared <= 1; shared++) {
        mm_step("calling map_anonymous(0, %d)", shared);
        m = map_anonymous(0, shared);
        MM_CHECK(m == NULL, "map_anonymous(0, %d) returned %p instead of NULL", shared, (void *)m);
    }
    mm_step("calling create_shared_region(\"%s\", 0)", name);
    m = create_shared_region(name, 0);
    MM_CHECK(m == NULL, "create_shared_region(name, 0) returned %p instead of NULL", (void *)m);
    mm_finish("after create_shared_region(name, 0) failed");
}

Test(error_handling, unknown_name)
{
    const char *name = mm_shm_name("never_created");
    t_mapping *m;

    MM_REQUIRE(attach_shared_region);
    MM_REQUIRE(destroy_shared_region);
    for (int writable = 0; writable <= 1; writable++) {
        mm_step("calling attach_shared_region(\"%s\", %d) on a name never created", name, writable);
        m = attach_shared_region(name, writable);
        MM_CHECK(m == NULL, "attach_shared_region on a name never created returned %p instead of NULL",
                 (void *)m);
        MM_CHECK(errno == ENOENT,
                 "attach_shared_region on a name never created set errno to %d (%s), expected ENOENT",
                 errno, strerror(errno));
    }
    mm_step("calling destroy_shared_region(\"%s\") on a name never created", name);
    MM_CHECK(destroy_shared_region(name) == -1,
             "destroy_shared_region on a name never created did not return -1");
    mm_finish("after attach_shared_region() failed on an unknown name");
}

/* A missing file in a directory that exists: map_file must not create it
 * (no O_CREAT), and says ENOENT. */
Test(error_handling, missing_file)
{
    const char *path = mm_file("absent.bin", 1, 0, 0644);
    t_mapping *m;
    int err;

    unlink(path);
    MM_REQUIRE(map_file);
    for (int writable = 0; writable <= 1; writable++) {
        mm_step("calling map_file(\"%s\", %d) on a missing file", path, writable);
        m = map_file(path, writable);
        err = errno; /* access() below sets errno itself */
        MM_CHECK(access(path, F_OK) != 0,
                 "map_file(path, %d) on a missing file created it: map_file must never create a file (no O_CREAT)",
                 writable);
        MM_CHECK(m == NULL, "map_file on a missing file with writable=%d returned %p instead of NULL",
                 writable, (void *)m);
        MM_CHECK(err == ENOENT, "map_file on a missing file set errno to %d (%s), expected ENOENT",
                 err, strerror(err));
    }
    mm_finish("after map_file() failed on a missing file");
}

/* An empty file cannot be mapped (mmap of length 0 fails): NULL, an errno,
 * and the descriptor closed again. */
Test(error_handling, empty_file)
{
    const char *path = mm_file("empty.bin", 0, 0, 0644);
    t_mapping *m;

    MM_REQUIRE(map_file);
    for (int writable = 0; writable <= 1; writable++) {
        mm_step("calling map_file(\"%s\", %d) on an empty file", path, writable);
        m = map_file(path, writable);
        MM_CHECK(m == NULL,
                 "map_file on an empty file with writable=%d returned %p instead of NULL (an empty file cannot be mapped: check mmap's result against MAP_FAILED)",
                 writable, (void *)m);
        MM_CHECK(errno != 0, "map_file on an empty file returned NULL without setting errno");
    }
    mm_finish("after map_file() failed on an empty file");
}

/* A region of 0 bytes exists but cannot be mapped: NULL, nothing left open. */
Test(error_handling, empty_region)
{
    const char *name = mm_shm_name("empty_region");
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    t_mapping *m;

    MM_CHECK(fd >= 0, "test set-up: cannot create %s: %s", name, strerror(errno));
    close(fd);
    MM_REQUIRE(attach_shared_region);
    for (int writable = 0; writable <= 1; writable++) {
        mm_step("calling attach_shared_region(\"%s\", %d) on an empty (0-byte) region", name, writable);
        m = attach_shared_region(name, writable);
        MM_CHECK(m == NULL, "attach_shared_region on an empty (0-byte) region returned %p instead of NULL",
                 (void *)m);
    }
    shm_unlink(name);
    mm_finish("after attach_shared_region() failed on an empty region");
}

static int shm_exists(const char *name)
{
    char path[128];
    struct stat st;

    snprintf(path, sizeof path, "/dev/shm%s", name);
    return stat(path, &st) == 0;
}

/* ftruncate refuses SIZE_MAX (negative as an off_t): the object that
 * shm_open just created must not stay behind. */
Test(error_handling, create_cannot_size)
{
    const char *name = mm_shm_name("nosize");
    t_mapping *m;

    MM_REQUIRE(create_shared_region);
    mm_step("calling create_shared_region(\"%s\", SIZE_MAX)", name);
    m = create_shared_region(name, SIZE_MAX);
    MM_CHECK(m == NULL, "create_shared_region(name, SIZE_MAX) returned %p instead of NULL", (void *)m);
    MM_CHECK(!shm_exists(name),
             "create_shared_region(name, SIZE_MAX) failed but left /dev/shm%s behind: unlink the object when ftruncate (or anything after shm_open) fails",
             name);
    mm_finish("after create_shared_region(name, SIZE_MAX) failed");
}

/* In a child whose address space is nearly full: ftruncate to 128 MiB
 * works (tmpfs allocates nothing), mmap of 128 MiB cannot. */
static int create_too_big_to_map(const void *name)
{
    char status[4096];
    char path[64];
    int fd;
    ssize_t n;
    const char *vm;
    long vm_kb = 0;
    struct rlimit rl;

    /* The limit is the driver's (this child's driver runs the call). */
    snprintf(path, sizeof path, "/proc/%d/status", (int)mm_driver_pid());
    fd = open(path, O_RDONLY | O_CLOEXEC);
    n = fd >= 0 ? read(fd, status, sizeof status - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return -1;
    status[n] = '\0';
    vm = strstr(status, "VmSize:");
    if (!vm || sscanf(vm + 7, "%ld", &vm_kb) != 1)
        return -1;
    rl.rlim_cur = rl.rlim_max = ((rlim_t)vm_kb << 10) + ((rlim_t)32 << 20);
    if (prlimit(mm_driver_pid(), RLIMIT_AS, &rl, NULL) != 0)
        return -1;
    return create_shared_region(name, (size_t)128 << 20) == NULL;
}

Test(error_handling, create_cannot_map)
{
    const char *name = mm_shm_name("nomap");
    struct mm_outcome out;

    MM_REQUIRE(create_shared_region);
    mm_step("calling create_shared_region(\"%s\", 128 MiB) with too little address space left", name);
    out = mm_in_child(create_too_big_to_map, name);
    MM_CHECK(out.signal == 0, "create_shared_region crashed (signal %d) when mmap failed", out.signal);
    MM_CHECK(out.exited && out.failed == 1,
             "create_shared_region(name, 128 MiB) did not return NULL when mmap could not map it");
    MM_CHECK(!shm_exists(name),
             "create_shared_region failed in mmap but left /dev/shm%s behind: unlink the object when anything after shm_open fails",
             name);
    mm_finish("after create_shared_region() failed in mmap");
}

/* The mapping vanishes behind the submission's back (the test unmaps it):
 * msync and mprotect then fail with ENOMEM, and sync_mapping and
 * protect_mapping must say so with -1 instead of reporting success. */
static t_mapping *mapping_gone_underneath(void)
{
    size_t size = 2 * mm_page();
    t_mapping *m;

    MM_REQUIRE(map_anonymous);
    mm_step("calling map_anonymous(%zu, 1)", size);
    m = map_anonymous(size, 1);
    MM_CHECK(m != NULL, "map_anonymous(%zu, 1) returned NULL", size);
    mm_runmap(mm_addr(m), mm_size(m));
    return m;
}

Test(error_handling, sync_reports_errors)
{
    t_mapping *m = mapping_gone_underneath();
    int ret;

    MM_REQUIRE(sync_mapping);
    mm_step("calling sync_mapping(m, MS_SYNC) on a mapping that msync refuses");
    ret = sync_mapping(m, MS_SYNC);
    MM_CHECK(ret == -1,
             "sync_mapping returned %d when msync failed (errno %d: %s): return -1 when msync does",
             ret, errno, strerror(errno));
    MM_REQUIRE(unmap);
    mm_step("calling unmap() on the mapping");
    unmap(m);
    mm_finish("after unmap()");
}

Test(error_handling, protect_reports_errors)
{
    t_mapping *m = mapping_gone_underneath();
    int ret;

    MM_REQUIRE(protect_mapping);
    mm_step("calling protect_mapping(m, PROT_READ) on a mapping that mprotect refuses");
    ret = protect_mapping(m, PROT_READ);
    MM_CHECK(ret == -1,
             "protect_mapping returned %d when mprotect failed (errno %d: %s): return -1 when mprotect does",
             ret, errno, strerror(errno));
    MM_REQUIRE(unmap);
    mm_step("calling unmap() on the mapping");
    unmap(m);
    mm_finish("after unmap()");
}
