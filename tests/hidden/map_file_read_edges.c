/*
 * Hidden from students (config.yaml: hidden_tests of row map_file_read;
 * `make kit` leaves this folder out): the edges of map_file(path, 0) that
 * the visible tests do not pin down. A file of exactly two pages (no
 * partial last page: a size computed with one page too many or too few
 * shows here) and a one-byte file (the smallest file there is).
 */
#include <errno.h>
#include <string.h>

#include "../harness.h"

MM_SUITE(map_file_read);

/* Maps a `len`-byte file read-only and checks its size and every byte. */
static void map_exactly(const char *file, size_t len, unsigned seed)
{
    const char *path = mm_file(file, len, seed, 0444);
    t_mapping *m;
    size_t bad;

    MM_REQUIRE(map_file);
    mm_step("calling map_file(\"%s\", 0) on a %zu-byte file", path, len);
    m = map_file(path, 0);
    MM_CHECK(m != NULL, "map_file(path, 0) on a readable %zu-byte file returned NULL (%s)", len,
             mm_errno_name(errno));
    MM_CHECK(mm_size(m) == len, "map_file on a file of exactly %zu bytes recorded size %zu", len,
             mm_size(m));
    mm_step("reading the %zu bytes of the mapping", len);
    bad = mm_rmismatch(mm_addr(m), len, seed);
    MM_CHECK(bad == len, "byte %zu of the mapping differs from byte %zu of the file", bad, bad);
    mm_release(m, "file mapping");
}

Test(map_file_read, exact_pages_and_one_byte)
{
    map_exactly("pages.bin", 2 * mm_page(), 7);
    map_exactly("one.bin", 1, 8);
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}
