/*
 * Row 10, error_handling: bad requests give NULL or -1 with errno, never a
 * crash, and leave nothing behind (this row grades the leaks of error
 * paths; a failing test's leaks fail it).
 *
 * errno. Every call under test starts with errno cleared (mm_step, and
 * mm_in_child for calls in a child), so an errno seen afterwards is the
 * call's. Where a system call fails, the call must leave an errno: the
 * kernel's own where the natural implementation necessarily gives it
 * (ENOENT for a path or name that does not exist; ENOMEM when the mmap of
 * map_anonymous, or msync or mprotect, is refused: nothing else runs
 * before them), any nonzero value elsewhere (an empty file: the subject
 * fixes none, and a submission may check it itself; map_file,
 * attach_shared_region and create_shared_region make other calls that
 * may fail first, for reasons other rows grade). Where only an argument is
 * wrong (NULL, size 0), the subject's own reference returns NULL and sets
 * no errno, so a missing errno is a note, not a failure.
 *
 * mmap failing: every constructor is made to fail its mmap once, in a
 * child whose driver has too little address space left (RLIMIT_AS).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"

MM_SUITE(error_handling);

/* An errno a call left where the subject fixes none: anything but 0. */
static void check_errno_set(int err, const char *call, const char *when)
{
    MM_CHECK(err != 0, "%s returned its error value %s but left errno at 0: set errno (or leave the failing system call's) so the caller knows why",
             call, when);
}

/* Where only an argument is wrong, no errno is advice (see the top): the
 * calls that set none are gathered into one note. */
struct unset_errno {
    char calls[512];
};

static void gather_unset_errno(struct unset_errno *u, int err, const char *call)
{
    size_t used = strlen(u->calls);

    if (err == 0 && used + strlen(call) + 3 < sizeof u->calls)
        snprintf(u->calls + used, sizeof u->calls - used, "%s%s", used ? ", " : "", call);
}

static void note_unset_errno(const struct unset_errno *u, const char *usual)
{
    if (u->calls[0])
        mm_note(NULL, "%s returned the error value but left errno at 0: the subject's row asks for NULL + errno (%s)",
                u->calls, usual);
}

Test(error_handling, missing_path)
{
    const char *path = "/tmp/mm-no-such-dir/no-such-file.txt";
    t_mapping *m;

    MM_REQUIRE(map_file);
    for (int writable = 0; writable <= 1; writable++) {
        mm_step("calling map_file(\"%s\", %d) on a missing path", path, writable);
        m = map_file(path, writable);
        MM_CHECK(m == NULL, "map_file on a missing path with writable=%d returned %p instead of NULL",
                 writable, (void *)m);
        MM_CHECK(errno == ENOENT, "map_file on a missing path set errno to %s, expected ENOENT",
                 mm_errno_name(errno));
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
    struct unset_errno unset = {""};

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
        MM_CHECK(out.exited, "%s did not return (the process %s)", calls[i].text,
                 mm_status_str(out.status));
        MM_CHECK(out.failed, "%s did not return its error value (NULL or -1)", calls[i].text);
        MM_CHECK(!out.leak[0], "%s left something behind: %s", calls[i].text, out.leak);
        gather_unset_errno(&unset, out.err, calls[i].text);
    }
    note_unset_errno(&unset, "EINVAL is the usual one for a NULL argument");
    mm_finish("after the calls with NULL arguments");
}

Test(error_handling, size_zero)
{
    const char *name = mm_shm_name("zero");
    struct unset_errno unset = {""};
    char call[128];
    t_mapping *m;

    MM_REQUIRE(map_anonymous);
    MM_REQUIRE(create_shared_region);
    for (int shared = 0; shared <= 1; shared++) {
        snprintf(call, sizeof call, "map_anonymous(0, %d)", shared);
        mm_step("calling %s", call);
        m = map_anonymous(0, shared);
        MM_CHECK(m == NULL, "%s returned %p instead of NULL", call, (void *)m);
        gather_unset_errno(&unset, errno, call);
    }
    mm_step("calling create_shared_region(\"%s\", 0)", name);
    m = create_shared_region(name, 0);
    MM_CHECK(m == NULL, "create_shared_region(name, 0) returned %p instead of NULL", (void *)m);
    gather_unset_errno(&unset, errno, "create_shared_region(name, 0)");
    note_unset_errno(&unset, "EINVAL, what mmap says of a zero length");
    mm_finish("after create_shared_region(name, 0) failed");
}

Test(error_handling, unknown_name)
{
    const char *name = mm_shm_name("never_created");
    t_mapping *m;
    int ret;

    MM_REQUIRE(attach_shared_region);
    MM_REQUIRE(destroy_shared_region);
    for (int writable = 0; writable <= 1; writable++) {
        mm_step("calling attach_shared_region(\"%s\", %d) on a name never created", name, writable);
        m = attach_shared_region(name, writable);
        MM_CHECK(m == NULL, "attach_shared_region on a name never created returned %p instead of NULL",
                 (void *)m);
        MM_CHECK(errno == ENOENT,
                 "attach_shared_region on a name never created set errno to %s, expected ENOENT",
                 mm_errno_name(errno));
    }
    mm_step("calling destroy_shared_region(\"%s\") on a name never created", name);
    ret = destroy_shared_region(name);
    MM_CHECK(ret == -1, "destroy_shared_region on a name never created returned %d instead of -1", ret);
    MM_CHECK(errno == ENOENT,
             "destroy_shared_region on a name never created set errno to %s, expected ENOENT (shm_unlink's)",
             mm_errno_name(errno));
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
        MM_CHECK(err == ENOENT, "map_file on a missing file set errno to %s, expected ENOENT",
                 mm_errno_name(err));
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
        check_errno_set(errno, "map_file on an empty file", "(NULL)");
    }
    mm_finish("after map_file() failed on an empty file");
}

/* A region of 0 bytes exists but cannot be mapped: NULL, an errno,
 * nothing left open. */
Test(error_handling, empty_region)
{
    const char *name = mm_shm_object("empty_region", 0, 0);
    t_mapping *m;

    MM_REQUIRE(attach_shared_region);
    for (int writable = 0; writable <= 1; writable++) {
        mm_step("calling attach_shared_region(\"%s\", %d) on an empty (0-byte) region", name, writable);
        m = attach_shared_region(name, writable);
        MM_CHECK(m == NULL, "attach_shared_region on an empty (0-byte) region returned %p instead of NULL",
                 (void *)m);
        check_errno_set(errno, "attach_shared_region on an empty (0-byte) region", "(NULL)");
    }
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
    check_errno_set(errno, "create_shared_region(name, SIZE_MAX)", "(NULL)");
    MM_CHECK(!shm_exists(name),
             "create_shared_region(name, SIZE_MAX) failed but left /dev/shm%s behind: unlink the object when ftruncate (or anything after shm_open) fails",
             name);
    mm_finish("after create_shared_region(name, SIZE_MAX) failed");
}

/* ---- mmap failing ---------------------------------------------------------- */

/* The driver keeps room for small mappings (a t_mapping, the loader's
 * needs); a BIG mapping cannot fit. */
#define ROOM ((size_t)32 << 20)
#define BIG ((size_t)64 << 20)

enum big_kind { BIG_ANON, BIG_FILE, BIG_ATTACH, BIG_CREATE };

struct big_call {
    enum big_kind kind;
    const char *str; /* path or name */
    int flag;        /* shared or writable */
    char text[160];  /* the call as the student reads it */
};

/* In the child: lowers the child's driver's limit, then makes the call.
 * -1 when the limit could not be lowered (a set-up failure). */
static int call_with_little_room(const void *arg)
{
    const struct big_call *c = arg;
    t_mapping *m = NULL;

    if (mm_driver_limit_as(ROOM) != 0)
        return -1;
    errno = 0;
    if (c->kind == BIG_ANON)
        m = map_anonymous(BIG, c->flag);
    else if (c->kind == BIG_FILE)
        m = map_file(c->str, c->flag);
    else if (c->kind == BIG_ATTACH)
        m = attach_shared_region(c->str, c->flag);
    else
        m = create_shared_region(c->str, BIG);
    return m == NULL;
}

/* What every constructor must do when its mmap fails: return NULL with
 * mmap's ENOMEM, leaving nothing behind in the process. */
static void expect_mmap_failure(const struct big_call *c)
{
    struct mm_outcome out;

    mm_step("calling %s with too little address space left for mmap", c->text);
    out = mm_in_child(call_with_little_room, c);
    MM_CHECK(!(out.exited && out.failed == -1),
             "test set-up: cannot lower the address-space limit of the process running your code");
    MM_CHECK(out.signal == 0, "%s crashed (signal %d, %s) when mmap failed: check mmap's result against MAP_FAILED",
             c->text, out.signal, strsignal(out.signal));
    MM_CHECK(out.exited, "%s did not return when mmap failed (the process %s)", c->text,
             mm_status_str(out.status));
    MM_CHECK(out.failed == 1,
             "%s did not return NULL when mmap failed: mmap returns MAP_FAILED ((void *)-1), not NULL, so compare its result with MAP_FAILED",
             c->text);
    MM_CHECK(c->kind != BIG_CREATE || !shm_exists(c->str),
             "%s failed in mmap but left /dev/shm%s behind: unlink the object when anything after shm_open fails",
             c->text, c->str);
    MM_CHECK(!out.leak[0], "%s failed in mmap but left something behind: %s: release what the call took on every error path",
             c->text, out.leak);
    MM_CHECK(out.err != 0, "%s returned NULL when mmap failed, but left errno at 0: leave mmap's errno (ENOMEM) for the caller",
             c->text);
    MM_CHECK(c->kind != BIG_ANON || out.err == ENOMEM,
             "%s returned NULL when mmap failed with ENOMEM, but errno is %s: a call made while cleaning up overwrote mmap's errno",
             c->text, mm_errno_name(out.err));
}

Test(error_handling, anon_cannot_map)
{
    MM_REQUIRE(map_anonymous);
    for (int shared = 0; shared <= 1; shared++) {
        struct big_call c = {BIG_ANON, NULL, shared, ""};

        snprintf(c.text, sizeof c.text, "map_anonymous(64 MiB, %d)", shared);
        expect_mmap_failure(&c);
    }
    mm_finish("after map_anonymous() failed in mmap");
}

Test(error_handling, file_cannot_map)
{
    const char *path = mm_sparse_file("big.bin", BIG);

    MM_REQUIRE(map_file);
    for (int writable = 0; writable <= 1; writable++) {
        struct big_call c = {BIG_FILE, path, writable, ""};

        snprintf(c.text, sizeof c.text, "map_file(\"%s\", %d) on a 64 MiB file", path, writable);
        expect_mmap_failure(&c);
    }
    mm_finish("after map_file() failed in mmap");
}

Test(error_handling, attach_cannot_map)
{
    const char *name = mm_shm_object("big", BIG, 0);

    MM_REQUIRE(attach_shared_region);
    for (int writable = 0; writable <= 1; writable++) {
        struct big_call c = {BIG_ATTACH, name, writable, ""};

        snprintf(c.text, sizeof c.text, "attach_shared_region(\"%s\", %d) on a 64 MiB region", name,
                 writable);
        expect_mmap_failure(&c);
    }
    mm_finish("after attach_shared_region() failed in mmap");
}

/* ftruncate to 64 MiB works (tmpfs allocates nothing), mmap cannot. */
Test(error_handling, create_cannot_map)
{
    struct big_call c = {BIG_CREATE, mm_shm_name("nomap"), 0, ""};

    MM_REQUIRE(create_shared_region);
    snprintf(c.text, sizeof c.text, "create_shared_region(\"%s\", 64 MiB)", c.str);
    expect_mmap_failure(&c);
    mm_finish("after create_shared_region() failed in mmap");
}

/* ---- msync and mprotect failing ---------------------------------------------- */

/* The last page of a 3-page mapping vanishes behind the submission's
 * back (the test unmaps it): msync and mprotect of the whole mapping then
 * fail with ENOMEM, and sync_mapping and protect_mapping must say so with
 * -1 instead of reporting success. Only a call over the whole mapping
 * reaches the hole: msync's is seen as the kernel sees it, and mprotect
 * changes the pages before the hole before it fails. A call that is not
 * made, or not over the whole mapping, is map_file_write's or
 * protect_rdonly's to grade: a note here, and nothing to check. The
 * unmap() that follows is unmap_cleanup's (notes here too). */
static t_mapping *mapping_cut_underneath(void)
{
    size_t size = 3 * mm_page();
    t_mapping *m;

    MM_REQUIRE(map_anonymous);
    mm_step("calling map_anonymous(%zu, 1)", size);
    m = map_anonymous(size, 1);
    MM_CHECK(m != NULL, "map_anonymous(%zu, 1) returned NULL", size);
    mm_runmap((char *)mm_addr(m) + 2 * mm_page(), mm_page());
    return m;
}

/* Whether the last msync call reached the end of the mapping at `addr`. */
static int msync_reached_end(const void *addr, size_t size)
{
    const struct mm_msync_call *c;

    if (mm_msync_count == 0)
        return 0;
    c = &mm_msync_log[(mm_msync_count - 1) % MM_MSYNC_LOG];
    return (uintptr_t)c->addr <= (uintptr_t)addr
           && (uintptr_t)c->addr + c->len > (uintptr_t)addr + size - mm_page();
}

/* Ends a test whose call under test another row grades. */
static void skip_to_end(t_mapping *m, const char *row, const char *why)
{
    mm_note(row, "%s", why);
    mm_release(m, "mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}

Test(error_handling, sync_reports_errors)
{
    t_mapping *m = mapping_cut_underneath();
    void *addr = mm_addr(m);
    int ret;
    int err;

    MM_REQUIRE(sync_mapping);
    mm_msync_reset();
    mm_step("calling sync_mapping(m, MS_SYNC) on a mapping that msync refuses");
    ret = sync_mapping(m, MS_SYNC);
    err = errno;
    if (!msync_reached_end(addr, 3 * mm_page())) {
        skip_to_end(m, "map_file_write", "sync_mapping(m, MS_SYNC) did not call msync on the whole mapping");
        return;
    }
    MM_CHECK(ret == -1,
             "sync_mapping returned %d when msync failed (%s): return -1 when msync does",
             ret, mm_errno_name(err));
    MM_CHECK(err == ENOMEM,
             "sync_mapping returned -1 when msync failed with ENOMEM, but errno is %s: leave msync's errno for the caller",
             mm_errno_name(err));
    mm_release(m, "mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}

/* In a forked copy of the process (mm_in_child), so that a
 * protect_mapping that crashes on a good mapping (protect_rdonly's to
 * grade) is seen as such: bit 0 of the result is "returned -1", bit 1 "the
 * pages before the hole were made read-only". */
#define PROTECT_FAILED 1
#define PROTECT_REACHED_HOLE 2

static int protect_cut_mapping(const void *arg)
{
    t_mapping *m = (t_mapping *)arg;
    char *addr = mm_addr(m);
    int ret;
    int err;
    int reached;

    errno = 0;
    ret = protect_mapping(m, PROT_READ);
    err = errno;
    reached = strchr(mm_perms(addr), 'w') == NULL && strchr(mm_perms(addr + mm_page()), 'w') == NULL;
    errno = err;
    return (ret == -1 ? PROTECT_FAILED : 0) | (reached ? PROTECT_REACHED_HOLE : 0);
}

Test(error_handling, protect_reports_errors)
{
    t_mapping *m = mapping_cut_underneath();
    struct mm_outcome out;

    MM_REQUIRE(protect_mapping);
    mm_step("calling protect_mapping(m, PROT_READ) on a mapping that mprotect refuses");
    out = mm_in_child(protect_cut_mapping, m);
    if (out.signal || !out.exited) {
        skip_to_end(m, "protect_rdonly", "protect_mapping(m, PROT_READ) crashed on a mapping whose last page is gone");
        return;
    }
    if (!(out.failed & PROTECT_REACHED_HOLE)) {
        skip_to_end(m, "protect_rdonly", "protect_mapping(m, PROT_READ) did not make the whole mapping read-only");
        return;
    }
    MM_CHECK(out.failed & PROTECT_FAILED,
             "protect_mapping returned 0 when mprotect failed (%s): return -1 when mprotect does",
             mm_errno_name(out.err));
    MM_CHECK(out.err == ENOMEM,
             "protect_mapping returned -1 when mprotect failed with ENOMEM, but errno is %s: leave mprotect's errno for the caller",
             mm_errno_name(out.err));
    mm_release(m, "mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}
