/*
 * Row 8, protect_rdonly: after protect_mapping(m, PROT_READ) the whole
 * mapping still reads, and a write faults on the page written; after
 * protect_mapping(m, PROT_NONE) a read faults too; PROT_READ | PROT_WRITE
 * gives both back. protect_mapping must pass the protection it is given,
 * not only some of its bits.
 *
 * Only a fault caught with its siginfo counts: si_code must be SEGV_ACCERR
 * (a protection fault; raise(SIGSEGV) gives SI_TKILL, a NULL dereference
 * SEGV_MAPERR) and si_addr must be the address accessed. A process that
 * simply dies of SIGSEGV somewhere earns nothing. unmap() and what it
 * leaves are unmap_cleanup's (notes here).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "../harness.h"

MM_SUITE(protect_rdonly);

/* Checks that the access (`access`: "write" or "read") at `p` faulted as a
 * protection fault at exactly that address. */
static void expect_accerr(const siginfo_t *info, const char *access, const char *where, const char *p)
{
    MM_CHECK(info->si_signo == SIGSEGV, "the %s in the %s page raised signal %d, not SIGSEGV",
             access, where, info->si_signo);
    MM_CHECK(info->si_code == SEGV_ACCERR,
             "the %s in the %s page faulted with si_code %d, not SEGV_ACCERR (a protection fault)",
             access, where, info->si_code);
    MM_CHECK(info->si_addr == (const void *)p, "the %s at %p faulted at %p instead", access,
             (const void *)p, info->si_addr);
}

/* Writes at `p` and checks that exactly that write faulted as it should. */
static void expect_protection_fault(char *p, const char *where)
{
    siginfo_t info;

    mm_step("writing into the %s page of the PROT_READ mapping", where);
    MM_CHECK(mm_write_faults(p, &info),
             "after protect_mapping(m, PROT_READ), a write into the %s page of the mapping went through",
             where);
    expect_accerr(&info, "write", where, p);
    /* A fault can be imitated (a signal sent with a made-up siginfo); a
     * protection cannot: the page itself must refuse writes. */
    MM_CHECK(strchr(mm_perms(p), 'w') == NULL,
             "after protect_mapping(m, PROT_READ), the %s page of the mapping is still writable (%s)",
             where, mm_perms(p));
}

/* Reads at `p` and checks that exactly that read faulted as it should. */
static void expect_read_fault(char *p, const char *where)
{
    siginfo_t info;

    mm_step("reading the %s page of the PROT_NONE mapping", where);
    MM_CHECK(mm_read_faults(p, &info),
             "after protect_mapping(m, PROT_NONE), a read of the %s page of the mapping went through: pass the protection you are given to mprotect, PROT_NONE included",
             where);
    expect_accerr(&info, "read", where, p);
    MM_CHECK(strncmp(mm_perms(p), "---", 3) == 0,
             "after protect_mapping(m, PROT_NONE), the %s page of the mapping is still accessible (%s)",
             where, mm_perms(p));
}

static t_mapping *map_for_protect(size_t size, unsigned seed)
{
    t_mapping *m;

    MM_REQUIRE(map_anonymous);
    MM_REQUIRE(protect_mapping);
    mm_step("calling map_anonymous(%zu, 0)", size);
    m = map_anonymous(size, 0);
    MM_CHECK(m != NULL, "map_anonymous(%zu, 0) returned NULL", size);
    mm_rfill(mm_addr(m), size, seed, "writing into the map_anonymous(size, 0) mapping");
    return m;
}

Test(protect_rdonly, write_faults_read_works)
{
    size_t size = 3 * mm_page() + 10;
    t_mapping *m = map_for_protect(size, 17);
    char *p = mm_addr(m);

    mm_step("calling protect_mapping(m, PROT_READ)");
    MM_CHECK(protect_mapping(m, PROT_READ) == 0,
             "protect_mapping(m, PROT_READ) returned nonzero (%s)", mm_errno_name(errno));
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
    mm_release(m, "re-protected mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}

/* PROT_NONE: not even a read. Then PROT_READ | PROT_WRITE gives back both
 * accesses, and the content is still there. */
Test(protect_rdonly, prot_none_refuses_reads)
{
    size_t size = 2 * mm_page() + 10;
    t_mapping *m = map_for_protect(size, 18);
    char *p = mm_addr(m);

    mm_step("calling protect_mapping(m, PROT_NONE)");
    MM_CHECK(protect_mapping(m, PROT_NONE) == 0,
             "protect_mapping(m, PROT_NONE) returned nonzero (%s)", mm_errno_name(errno));
    expect_read_fault(p + 1, "first");
    expect_read_fault(p + size - 1, "last");
    mm_step("calling protect_mapping(m, PROT_READ | PROT_WRITE)");
    MM_CHECK(protect_mapping(m, PROT_READ | PROT_WRITE) == 0,
             "protect_mapping(m, PROT_READ | PROT_WRITE) after PROT_NONE returned nonzero (%s)",
             mm_errno_name(errno));
    MM_CHECK(mm_rmismatch(p, size, 18) == size,
             "after protect_mapping(m, PROT_NONE) then PROT_READ | PROT_WRITE, the mapping does not read back what it held");
    MM_CHECK(!mm_write_faults(p + size - 1, NULL),
             "after protect_mapping(m, PROT_READ | PROT_WRITE), the last page refuses writes");
    mm_release(m, "re-protected mapping");
    mm_finish_noting("after unmap()", MM_ROW_CLEANUP);
}
