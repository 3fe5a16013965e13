/*
 * Row 1, map_file_read: map_file(path, 0) maps the whole file, read-only.
 * unmap() and what it leaves are unmap_cleanup's (notes here).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "../harness.h"

MM_SUITE(map_file_read);

/* Maps `len` bytes of pattern and checks every byte and the recorded size. */
static void check_read_mapping(size_t len, unsigned seed)
{
    const char *path = mm_file("read.bin", len, seed, 0444);
    t_mapping *m;
    size_t bad;

    MM_REQUIRE(map_file);
    mm_step("calling map_file(\"%s\", 0) on a %zu-byte file", path, len);
    m = map_file(path, 0);
    MM_CHECK(m != NULL, "map_file(path, 0) on a readable %zu-byte file returned NULL (%s)",
             len, mm_errno_name(errno));
    MM_CHECK(mm_addr(m) != NULL && mm_addr(m) != (void *)-1,
             "map_file returned a mapping whose addr is %p", mm_addr(m));
    MM_CHECK(mm_size(m) == len, "map_file on a %zu-byte file recorded size %zu", len, mm_size(m));
    mm_step("reading the %zu bytes of the mapping", len);
    bad = mm_rmismatch(mm_addr(m), len, seed);
    MM_CHECK(bad == len, "byte %zu of the mapping differs from byte %zu of the file", bad, bad);
    mm_release(m, "file mapping");
}

Test(map_file_read, small_file)
{
    check_read_mapping(21, 1);
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}

Test(map_file_read, multi_page_file)
{
    check_read_mapping(3 * mm_page() + 123, 2);
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}

/* A read-only request must give a read-only mapping of a file opened for
 * reading only: anything else would let the program change a file it was
 * only asked to read (and fails on files it may not write). */
Test(map_file_read, read_only)
{
    size_t len = 2 * mm_page() + 9;
    const char *path = mm_file("ro.bin", len, 3, 0444);
    t_mapping *m;
    int writable = 0;

    MM_REQUIRE(map_file);
    mm_step("calling map_file(\"%s\", 0) on a read-only (0444) file", path);
    m = map_file(path, 0);
    MM_CHECK(m != NULL, "map_file(path, 0) on a read-only (0444) file returned NULL (%s)",
             mm_errno_name(errno));
    MM_CHECK(strchr(mm_perms(mm_addr(m)), 'w') == NULL,
             "map_file(path, 0) returned a writable mapping (%s): a read-only request needs PROT_READ only",
             mm_perms(mm_addr(m)));
    mm_fds_on(path, &writable);
    MM_CHECK(writable == 0,
             "map_file(path, 0) opened the file for writing: a read-only request must open it O_RDONLY");
    mm_release(m, "read-only file mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}
