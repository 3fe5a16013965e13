/*
 * Row 10, error_handling: bad requests give NULL or -1, never a crash, and
 * leave nothing behind. The subject fixes one errno (a missing path gives
 * ENOENT); for the other errors only the error value is required.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

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
    }
    mm_step("calling destroy_shared_region(\"%s\") on a name never created", name);
    MM_CHECK(destroy_shared_region(name) == -1,
             "destroy_shared_region on a name never created did not return -1");
    mm_finish("after attach_shared_region() failed on an unknown name");
}
