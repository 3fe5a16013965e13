/*
 * Row 8, protect_rdonly: after protect_mapping(m, PROT_READ) the whole
 * mapping still reads, and a write faults on the page written.
 *
 * Only a fault caught with its siginfo counts: si_code must be SEGV_ACCERR
 * (a protection fault; raise(SIGSEGV) gives SI_TKILL, a NULL dereference
 * SEGV_MAPERR) and si_addr must be the written address. A process that
 * simply dies of SIGSEGV somewhere earns nothing.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "../harness.h"

MM_SUITE(protect_rdonly);

/* Writes at `p` and checks that exactly that write faulted as it should. */
static void expect_protection_fault(char *p, const char *where)
{
    siginfo_t info;

    mm_step("writing into the %s page of the PROT_READ mapping", where);
    MM_CHECK(mm_write_faults(p, &info),
             "after protect_mapping(m, PROT_READ), a write into the %s page of the mapping went through",
             where);
    MM_CHECK(info.si_signo == SIGSEGV, "the write into the %s page raised signal %d, not SIGSEGV",
             where, info.si_signo);
    MM_CHECK(info.si_code == SEGV_ACCERR,
             "the write into the %s page faulted with si_code %d, not SEGV_ACCERR (a protection fault)",
             where, info.si_code);
    MM_CHECK(info.si_addr == (void *)p, "the write at %p faulted at %p instead", (void *)p,
             info.si_addr);
    /* A fault can be imitated (a signal sent with a made-up siginfo); a
     * protection cannot: the page itself must refuse writes. */
    MM_CHECK(strchr(mm_perms(p), 'w') == NULL,
             "after protect_mapping(m, PROT_READ), the %s page of the mapping is still writable (%s)",
             where, mm_perms(p));
}

Test(protect_rdonly, write_faults_read_works)
{
    size_t size = 3 * mm_page() + 10;
    t_mapping *m;
    char *p;

    MM_REQUIRE(map_anonymous);
    MM_REQUIRE(protect_mapping);
    mm_step("calling map_anonymous(%zu, 0)", size);
    m = map_anonymous(size, 0);
    MM_CHECK(m != NULL, "map_anonymous(%zu, 0) returned NULL", size);
    p = mm_addr(m);
    mm_rfill(p, size, 17, "writing into the map_anonymous(size, 0) mapping");
    mm_step("calling protect_mapping(m, PROT_READ)");
    MM_CHECK(protect_mapping(m, PROT_READ) == 0,
             "protect_mapping(m, PROT_READ) returned nonzero (errno %d: %s)", errno, strerror(errno));
    mm_step("reading the mapping after protect_mapping(m, PROT_READ)");
    MM_CHECK(mm_rmismatch(p, size, 17) == size, "protect_mapping(m, PROT_READ) changed the mapping's content");
    expect_protection_fault(p + 1, "first");
    expect_protection_fault(p + size - 1, "last");
    MM_CHECK(mm_rmismatch(p, size, 17) == size, "a refused write changed the mapping");
    mm_step("calling protect_mapping(m, PROT_READ | PROT_WRITE)");
    MM_CHECK(protect_mapping(m, PROT_READ | PROT_WRITE) == 0,
             "protect_mapping(m, PROT_READ | PROT_WRITE) returned nonzero");
    MM_CHECK(!mm_write_faults(p + size - 1, NULL),
             "after protect_mapping(m, PROT_READ | PROT_WRITE), the last page still refuses writes");
    MM_REQUIRE(unmap);
    mm_step("calling unmap() on the mapping");
    MM_CHECK(unmap(m) == 0, "unmap() of the re-protected mapping returned nonzero");
    mm_finish("after unmap()");
}
