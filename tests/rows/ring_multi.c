/*
 * Bonus row ring_multi (spec section 3.1): several writers and readers in
 * different processes, all forked after the ring was created, move
 * megabytes through one ring; every sleeping reader, and every writer that
 * can go on, is woken, also when the waiters wait for different amounts.
 * Kids: ../ring_kids.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../ring_kids.h"

MM_SUITE(ring_multi);

/*
 * Records: 64 bytes, writer id, sequence number, payload derived from both,
 * checksum. Every write is whole records (at most 4, far below the
 * capacity) and every read asks for one record. The capacity is a multiple
 * of 64, so a record never straddles the end of the data area: every
 * read returns exactly one whole record, also from a ring whose reads stop
 * at the end of the data area.
 */
#define REC 64
#define NWRITERS 3
#define NREADERS 2
#define PER_WRITER ((1u << 20) / REC)
#define END_WRITER 0xffffu

static uint32_t record_sum(const unsigned char *r)
{
    uint32_t h = 2166136261u;

    for (int i = 0; i < REC - 4; i++)
        h = (h ^ r[i]) * 16777619u;
    return h;
}

static void make_record(unsigned char *r, unsigned writer, unsigned seq)
{
    uint32_t head[2] = {writer, seq};
    uint32_t sum;

    memcpy(r, head, 8);
    for (int i = 8; i < REC - 4; i++)
        r[i] = (unsigned char)(writer * 131u + seq * 7u + (unsigned)i * 13u);
    sum = record_sum(r);
    memcpy(r + REC - 4, &sum, 4);
}

/* 1 and the record's writer and seq if it is intact, 0 if not. */
static int parse_record(const unsigned char *r, unsigned *writer, unsigned *seq)
{
    unsigned char want[REC];
    uint32_t head[2];

    memcpy(head, r, 8);
    make_record(want, head[0], head[1]);
    *writer = head[0];
    *seq = head[1];
    return memcmp(want, r, REC) == 0;
}

enum reader_code { RD_OK, RD_FAILED, RD_PARTIAL, RD_CORRUPT, RD_ORDER, RD_DUP, RD_UNKNOWN };

struct reader_report {
    int code;
    int err;
    long ret;
    unsigned writer;
    unsigned seq;
    unsigned prev;
    unsigned records;
    unsigned char seen[NWRITERS][PER_WRITER / 8];
};

enum writer_code { WR_OK, WR_SHORT };

/*
 * A writer's whole stream: writes of 1 to 4 records, made in runs of
 * WRITES_PER_RUN (remote.h, mm_ring_batch: one round trip instead of one
 * per write; the driver makes the same calls a loop here would make).
 */
#define WRITES_PER_RUN 512

static int multi_writer(t_ring_buffer *rb, unsigned id)
{
    static unsigned char batch[WRITES_PER_RUN * 4 * REC];
    static struct mm_ring_op ops[WRITES_PER_RUN];

    for (unsigned seq = 0; seq < PER_WRITER;) {
        size_t n = 0;
        size_t at = 0;

        for (; n < WRITES_PER_RUN && seq < PER_WRITER; n++) {
            unsigned k = 1 + seq % 4;

            if (k > PER_WRITER - seq)
                k = PER_WRITER - seq;
            for (unsigned i = 0; i < k; i++)
                make_record(batch + at + i * REC, id, seq + i);
            ops[n] = (struct mm_ring_op){.write = 1, .len = k * REC, .src = batch + at};
            at += k * REC;
            seq += k;
        }
        for (size_t i = 0, made = mm_ring_batch(rb, ops, n, NULL, 0); i < made; i++)
            if (ops[i].ret != (ssize_t)ops[i].len)
                return WR_SHORT;
    }
    return WR_OK;
}

/* What one read of a record tells: 1 to go on, 0 at the end record, -1
 * when the reader stops on a failure (rep->code says which). */
static int reader_takes(const struct mm_ring_op *op, const unsigned char *rec, struct reader_report *rep,
                        unsigned *last, unsigned *any)
{
    unsigned w;
    unsigned s;

    rep->ret = (long)op->ret;
    rep->err = op->err;
    if (op->ret <= 0)
        rep->code = RD_FAILED;
    else if (op->ret != REC)
        rep->code = RD_PARTIAL;
    else if (!parse_record(rec, &w, &s) || (w >= NWRITERS && w != END_WRITER) || (w < NWRITERS && s >= PER_WRITER))
        rep->code = RD_CORRUPT;
    else if (w == END_WRITER)
        return 0;
    else if (rep->seen[w][s / 8] & (1u << (s % 8)))
        rep->code = RD_DUP;
    else if (any[w] && s < last[w])
        rep->code = RD_ORDER;
    else
        rep->code = RD_OK;
    if (rep->code == RD_OK || rep->code == RD_DUP || rep->code == RD_ORDER) {
        rep->writer = w;
        rep->seq = s;
        rep->prev = last[w];
    }
    if (rep->code != RD_OK)
        return -1;
    rep->seen[w][s / 8] |= (unsigned char)(1u << (s % 8));
    any[w] = 1;
    last[w] = s;
    rep->records++;
    return 1;
}

/* Reads per run (one round trip, remote.h's mm_ring_batch): the run stops
 * after a read that is not one whole record or that begins like an end
 * record, so the driver makes exactly the reads a loop here would make. */
#define READS_PER_RUN 1024

/* One record per read until an end record; what it saw goes to the parent. */
static void multi_reader(t_ring_buffer *rb, struct reader_report *rep)
{
    static unsigned char recs[READS_PER_RUN][REC];
    static struct mm_ring_op ops[READS_PER_RUN];
    const uint32_t end = END_WRITER;
    unsigned last[NWRITERS] = {0};
    unsigned any[NWRITERS] = {0};

    memset(rep, 0, sizeof *rep);
    for (size_t i = 0; i < READS_PER_RUN; i++)
        ops[i] = (struct mm_ring_op){.write = 0, .len = REC, .dst = recs[i]};
    for (;;) {
        size_t made = mm_ring_batch(rb, ops, READS_PER_RUN, &end, sizeof end);

        for (size_t i = 0; i < made; i++) {
            int go = reader_takes(&ops[i], recs[i], rep, last, any);

            if (go < 0)
                return;
            if (go == 0) {
                rep->code = RD_OK;
                return;
            }
        }
    }
}

static void check_reader(const struct reader_report *rep, int i)
{
    switch (rep->code) {
    case RD_OK:
        return;
    case RD_FAILED:
        mm_fail("ring_read(rb, buf, 64) returned %ld in reader process %d (errno %d: %s)", rep->ret, i,
                       rep->err, strerror(rep->err));
        break;
    case RD_PARTIAL:
        mm_fail("ring_read(rb, buf, 64) returned %ld in reader process %d, although every ring_write put "
                       "whole 64-byte records in the ring and none straddles the end of the data area: a "
                       "ring_write of at most capacity bytes must go in all at once, like a pipe's write of "
                       "at most PIPE_BUF bytes, or several writers' messages get mixed",
                       rep->ret, i);
        break;
    case RD_CORRUPT:
        mm_fail("reader process %d got a corrupted 64-byte record (after %u good ones): bytes of one "
                       "ring_write were mixed with another writer's (a ring_write of at most capacity bytes "
                       "must go in all at once), or overwritten before they were read",
                       i, rep->records);
        break;
    case RD_ORDER:
        mm_fail("reader process %d got record %u of writer %u after record %u of the same writer: the "
                       "ring must keep each writer's bytes in order",
                       i, rep->seq, rep->writer, rep->prev);
        break;
    case RD_DUP:
        mm_fail("reader process %d got record %u of writer %u twice", i, rep->seq, rep->writer);
        break;
    default:
        mm_fail("reader process %d ended without a report", i);
    }
}

static const char *writer_verdict(int code)
{
    switch (code) {
    case WR_SHORT:
        return "ring_write(rb, records, len) in a writer process did not return len";
    default:
        return "a writer process ended with an unknown status";
    }
}

static int reader_index(const pid_t *readers, pid_t pid)
{
    for (int i = 0; i < NREADERS; i++)
        if (readers[i] == pid)
            return i;
    return -1;
}

/*
 * Reaps the first of the `n` processes (entries > 0 of `pids`) to end, and
 * returns its pid (-1 with errno if it cannot). Not waitpid(-1): this
 * process's driver is its child too, and waiting for any child would take
 * the driver's ptrace stops from remote.c.
 */
static pid_t wait_first(const pid_t *pids, int n, int *status)
{
    struct pollfd p[NWRITERS + NREADERS];
    pid_t found = -1;
    int err = 0;

    for (int i = 0; i < n; i++) {
        p[i] = (struct pollfd){.fd = -1, .events = POLLIN};
        if (pids[i] > 0)
            p[i].fd = (int)syscall(SYS_pidfd_open, pids[i], 0);
        if (pids[i] > 0 && p[i].fd < 0)
            err = errno;
    }
    while (!err && poll(p, (nfds_t)n, -1) < 0)
        err = errno == EINTR ? 0 : errno;
    for (int i = 0; i < n; i++) {
        if (!err && found < 0 && p[i].fd >= 0 && p[i].revents)
            found = pids[i];
        if (p[i].fd >= 0)
            close(p[i].fd);
    }
    if (found > 0)
        *status = mm_wait(found);
    errno = err;
    return found;
}

/* Waits for every writer; a reader that ends first fails the test. */
static void wait_writers(const pid_t *writers, const pid_t *readers, const int *rfd)
{
    static struct reader_report rep;
    pid_t running[NREADERS + NWRITERS];
    int left = NWRITERS;

    memcpy(running, readers, NREADERS * sizeof *readers);
    memcpy(running + NREADERS, writers, NWRITERS * sizeof *writers);
    mm_step("waiting for %d writer processes, each writing %u 64-byte records, while %d processes read", NWRITERS,
            PER_WRITER, NREADERS);
    while (left > 0) {
        int status = 0;
        pid_t pid = wait_first(running, NREADERS + NWRITERS, &status);
        int r;

        MM_CHECK(pid > 0, "test set-up: waitpid failed: %s", strerror(errno));
        r = reader_index(readers, pid);
        if (r >= 0) {
            MM_CHECK(kid_read_all(rfd[r], &rep, sizeof rep) == sizeof rep,
                     "reader process %d %s before the writers were done", r, mm_status_str(status));
            check_reader(&rep, r);
            mm_fail("reader process %d stopped before the writers were done: it got an end record "
                           "written after them",
                           r);
        }
        for (int i = 0; i < NWRITERS; i++) {
            if (writers[i] != pid)
                continue;
            MM_CHECK(WIFEXITED(status), "writer process %d %s", i, mm_status_str(status));
            MM_CHECK(WEXITSTATUS(status) == WR_OK, "%s", writer_verdict(WEXITSTATUS(status)));
            left--;
            running[NREADERS + i] = 0;
        }
    }
}

static void check_union(const struct reader_report *reps)
{
    for (unsigned w = 0; w < NWRITERS; w++) {
        for (unsigned s = 0; s < PER_WRITER; s++) {
            int n = 0;

            for (int i = 0; i < NREADERS; i++)
                n += (reps[i].seen[w][s / 8] >> (s % 8)) & 1;
            MM_CHECK(n != 0, "record %u of writer %u never came out of the ring (%u and %u records read)", s, w,
                     reps[0].records, reps[1].records);
            MM_CHECK(n == 1, "record %u of writer %u came out of the ring %d times", s, w, n);
        }
    }
}

/* 3 writers x 1 MiB and 2 readers, all forked after the ring was created,
 * ring of 4 KiB. */
Test(ring_multi, writers_and_readers)
{
    static struct reader_report reps[NREADERS];
    const char *name = mm_shm_name("multi");
    unsigned char ends[NREADERS * REC];
    pid_t writers[NWRITERS];
    pid_t readers[NREADERS];
    int rfd[NREADERS][2];
    int rfd_parent[NREADERS];
    t_ring_buffer *rb;

    require_ring();
    rb = new_ring(name, CAP);
    for (int i = 0; i < NREADERS; i++) {
        mm_pipe(rfd[i]);
        readers[i] = ring_fork();
        if (readers[i] == 0) {
            static struct reader_report rep;

            close(rfd[i][0]);
            multi_reader(rb, &rep);
            (void)mm_write_all(rfd[i][1], &rep, sizeof rep);
            _exit(0);
        }
        close(rfd[i][1]);
        rfd_parent[i] = rfd[i][0];
    }
    for (int i = 0; i < NWRITERS; i++) {
        writers[i] = ring_fork();
        if (writers[i] == 0)
            _exit(multi_writer(rb, (unsigned)i));
    }
    wait_writers(writers, readers, rfd_parent);
    for (int i = 0; i < NREADERS; i++)
        make_record(ends + i * REC, END_WRITER, (unsigned)i);
    mm_step("calling ring_write(rb, buf, %d): one end record per reader process, after all writers are done",
            NREADERS * REC);
    MM_CHECK(ring_write(rb, ends, sizeof ends) == (ssize_t)sizeof ends, "ring_write of the end records failed");
    for (int i = 0; i < NREADERS; i++) {
        int status;

        mm_step("waiting for reader process %d to read its end record (both end records went in with one "
                "ring_write: the wake-up must reach every reader that can go on)",
                i);
        MM_CHECK(kid_read_all(rfd_parent[i], &reps[i], sizeof reps[i]) == sizeof reps[i],
                 "reader process %d %s", i, mm_status_str(mm_wait(readers[i])));
        close(rfd_parent[i]);
        status = mm_wait(readers[i]);
        MM_CHECK(WIFEXITED(status), "reader process %d %s", i, mm_status_str(status));
        check_reader(&reps[i], i);
    }
    check_union(reps);
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}

/*
 * Three readers, all asleep on an empty ring, then one ring_write of three
 * records: every reader must wake. Where all three wait for data, waking a
 * single waiter (signal where a broadcast is needed) leaves two of them
 * asleep with data in the ring. (Where readers take turns, as in the
 * reference, the turn passes the wake-up on: writers_queue_behind_a_long_
 * write catches that design's signal.)
 */
Test(ring_multi, every_sleeping_reader_wakes)
{
    const char *name = mm_shm_name("wake3");
    unsigned char recs[3 * REC];
    unsigned seen = 0;
    struct kid k[3];
    t_ring_buffer *rb;

    require_ring();
    for (int i = 0; i < 3; i++)
        make_record(recs + i * REC, 0, (unsigned)i);
    rb = new_ring(name, CAP);
    /* One after the other: each is asleep before the next one starts. */
    for (int i = 0; i < 3; i++) {
        kid_call(&k[i], rb, 0, NULL, REC);
        MM_CHECK(kid_settle(&k[i]) == ASLEEP, "ring_read(rb, buf, 64) on an empty ring returned instead of waiting");
    }
    put(rb, recs, sizeof recs, 0);
    for (int i = 0; i < 3; i++)
        MM_CHECK(kid_wakes(&k[i]),
                 "reader %d of 3 stayed asleep in ring_read(rb, buf, 64): all three were asleep on an empty "
                 "ring when one ring_write put 3 records in it, so all 3 can go on and must be woken (a lost "
                 "wake-up: pthread_cond_signal wakes one waiter only)",
                 i);
    for (int i = 0; i < 3; i++) {
        unsigned char got[REC];
        struct result r;
        unsigned w;
        unsigned s;

        r = kid_result(&k[i], got, REC);
        kid_end(&k[i]);
        MM_CHECK(r.ret == REC, "ring_read(rb, buf, 64) returned %zd with 64-byte records in the ring", r.ret);
        MM_CHECK(parse_record(got, &w, &s) && w == 0 && s < 3, "a reader got a corrupted record");
        MM_CHECK(!(seen & (1u << s)), "two readers got the same record %u", s);
        seen |= 1u << s;
    }
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}

/*
 * The mirror of writers_wait_for_different_room: three readers asleep on
 * an empty ring ask for 1, 16 and 64 bytes; one ring_write puts 81 bytes
 * in, enough for all three. Each must wake and get bytes: waking one
 * reader leaves bytes in the ring and two readers asleep. Which reader
 * gets which bytes is free; together with what is left, the pieces must
 * be the stream, in order.
 */
Test(ring_multi, readers_wait_for_different_amounts)
{
    static const size_t lens[3] = {1, 16, 64};
    static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    const char *name = mm_shm_name("amounts");
    unsigned char got[3][64];
    size_t n[3];
    size_t sum = 0;
    int found = 0;
    struct kid k[3];
    t_ring_buffer *rb;

    require_ring();
    mm_fill(g_src, 81, 52);
    rb = new_ring(name, CAP);
    for (int i = 0; i < 3; i++) {
        kid_call(&k[i], rb, 0, NULL, lens[i]);
        MM_CHECK(kid_settle(&k[i]) == ASLEEP, "%s on an empty ring returned instead of waiting", k[i].call);
    }
    put(rb, g_src, 81, 0);
    for (int i = 0; i < 3; i++)
        MM_CHECK(kid_wakes(&k[i]),
                 "%s stayed asleep: three readers, asking for 1, 16 and 64 bytes, were asleep on an empty ring "
                 "when one ring_write put 81 bytes in it, enough for all three (a lost wake-up: every waiting "
                 "reader that can go on must be woken, e.g. by a broadcast, or by each reader passing the "
                 "wake-up on while bytes are left)",
                 k[i].call);
    for (int i = 0; i < 3; i++) {
        struct result r = kid_result(&k[i], got[i], lens[i]);

        kid_end(&k[i]);
        MM_CHECK(r.ret > 0 && (size_t)r.ret <= lens[i], "%s returned %zd with bytes in the ring", k[i].call, r.ret);
        n[i] = (size_t)r.ret;
        sum += n[i];
    }
    for (int o = 0; o < 6 && !found; o++) {
        size_t at = 0;

        found = 1;
        for (int j = 0; j < 3; j++) {
            int i = orders[o][j];

            found = found && memcmp(got[i], g_src + at, n[i]) == 0;
            at += n[i];
        }
    }
    MM_CHECK(found, "the bytes three readers got (%zu, %zu and %zu of them) are not three consecutive pieces of "
             "the 81 bytes written: a byte was lost, duplicated or moved", n[0], n[1], n[2]);
    take(rb, g_dst, 81 - sum, CAP, 81 - sum);
    expect_bytes(g_dst, g_src + sum, 81 - sum, "the bytes left in the ring after three readers took theirs");
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}

/* Whether dst[0..len) is src[0..len). */
static int same(const unsigned char *dst, const unsigned char *src, size_t len)
{
    return memcmp(dst, src, len) == 0;
}

/*
 * Two writers wait for different amounts of room on a ring with 1 byte
 * free (not quite full: whether all `capacity` bytes are usable is
 * ring_boundaries' matter): A for 3000 bytes (asleep first), B for 100. A
 * read of 100 makes room for B only: B may write (or wait behind A: the
 * subject does not say whether writers keep their order). A read of 3000
 * more makes room for both: both must wake. One wake-up per read
 * (pthread_cond_signal) reaches A first, which goes back to sleep; the
 * next reaches B, which fits and writes; and then A sleeps on with the
 * room it waits for. Each write is whole (len <= capacity), A's and B's
 * in either order.
 */
Test(ring_multi, writers_wait_for_different_room)
{
    const char *name = mm_shm_name("room2");
    const size_t init = CAP - 1;
    const unsigned char *a = g_src + init;
    const unsigned char *b = g_src + init + 3000;
    const unsigned char *first;
    const unsigned char *second;
    struct kid ka;
    struct kid kb;
    struct result r;
    int b_early;
    t_ring_buffer *rb;

    require_ring();
    mm_fill(g_src, init + 3100, 53);
    rb = new_ring(name, CAP);
    put(rb, g_src, init, 0);
    kid_call(&ka, rb, 1, a, 3000);
    MM_CHECK(kid_settle(&ka) == ASLEEP, "ring_write(rb, buf, 3000) with 1 free byte returned instead of waiting");
    kid_call(&kb, rb, 1, b, 100);
    MM_CHECK(kid_settle(&kb) == ASLEEP, "ring_write(rb, buf, 100) with 1 free byte returned instead of waiting");
    take(rb, g_dst, 100, 100, init);
    MM_CHECK(kid_settle(&ka) == ASLEEP,
             "ring_write(rb, buf, 3000) returned when only 101 bytes of the ring were free: it overwrites "
             "unread bytes");
    b_early = kid_settle(&kb) == RETURNED;
    take(rb, g_dst + 100, 3000, 3000, init - 100 + (b_early ? 100 : 0));
    MM_CHECK(kid_wakes(&ka),
             "ring_write(rb, buf, 3000), asleep in another process, stayed asleep after reads had made room "
             "for it and for the other waiting writer (100 bytes) together (a lost wake-up: whenever a read "
             "makes room, every waiting writer must be woken to check whether it fits; one wake-up "
             "(pthread_cond_signal) can reach a writer that cannot go on and miss the one that can)");
    MM_CHECK(kid_wakes(&kb),
             "ring_write(rb, buf, 100), asleep in another process, stayed asleep after reads had made room "
             "for it and for the other waiting writer (3000 bytes) together (a lost wake-up: whenever a read "
             "makes room, every waiting writer must be woken to check whether it fits; one wake-up "
             "(pthread_cond_signal) can reach a writer that cannot go on and miss the one that can)");
    r = kid_result(&ka, NULL, 0);
    kid_end(&ka);
    MM_CHECK(r.ret == 3000, "ring_write(rb, buf, 3000) returned %zd", r.ret);
    r = kid_result(&kb, NULL, 0);
    kid_end(&kb);
    MM_CHECK(r.ret == 100, "ring_write(rb, buf, 100) returned %zd", r.ret);
    take(rb, g_dst + 3100, init, CAP, init);
    expect_bytes(g_dst, g_src, init, "the bytes that were in the ring before the two writers");
    first = same(g_dst + init, b, 100) ? b : a;
    second = first == b ? a : b;
    MM_CHECK(same(g_dst + init, first, first == b ? 100 : 3000)
                 && same(g_dst + init + (first == b ? 100 : 3000), second, first == b ? 3000 : 100),
             "after the bytes that were in the ring, the stream is not one writer's whole write (3000 or 100 "
             "bytes) then the other's: a ring_write of at most capacity bytes must go in all at once");
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}

/* Offset of the REC bytes `rec` in buf[0..len), or len. */
static size_t find_record(const unsigned char *buf, size_t len, const unsigned char *rec)
{
    for (size_t i = 0; i + REC <= len; i++)
        if (memcmp(buf + i, rec, REC) == 0)
            return i;
    return len;
}

/*
 * One writer is in the middle of a write of 3 capacities (asleep, the ring
 * is full); two more writers, one record each, queue behind it. This
 * process then reads everything, a ringful at a time, each time after the
 * long writer went back to sleep. Every wake-up must reach the writer that
 * can go on: waking a single waiter can pick a queued writer, which goes
 * back to sleep, while the long writer sleeps on.
 * The two records are written whole (len <= capacity) but may land between
 * two pieces of the long write; the rest must be the long write, in order.
 */
Test(ring_multi, writers_queue_behind_a_long_write)
{
    const char *name = mm_shm_name("queue");
    size_t long_len = 3 * CAP;
    size_t total = long_len + 2 * REC;
    unsigned char recs[2][REC];
    size_t at[2];
    size_t got = 0;
    size_t out = 0;
    int long_done = 0;
    struct kid k[3];
    t_ring_buffer *rb;

    require_ring();
    mm_fill(g_src, long_len, 46);
    make_record(recs[0], 1, 0);
    make_record(recs[1], 2, 0);
    rb = new_ring(name, CAP);
    for (int i = 0; i < 3; i++) {
        kid_call(&k[i], rb, 1, i == 0 ? (const void *)g_src : recs[i - 1], i == 0 ? long_len : REC);
        MM_CHECK(kid_settle(&k[i]) == ASLEEP, "%s on a full ring returned instead of waiting for room (writer %d)",
                 k[i].call, i);
    }
    while (got < total) {
        ssize_t n;

        /* Each read only once the long writer sleeps again (or is done):
         * then it waits behind the two others, and the wake-up that this
         * read sends must still reach it. */
        if (!long_done)
            long_done = kid_settle(&k[0]) == RETURNED;
        mm_step("calling ring_read(rb, buf, 4096) after %zu of %zu bytes: one writer is in the middle of a "
                "%zu-byte write, two more wait to write one record each (stuck here: the wake-up reached a "
                "waiting writer that could not go on, not the one that could)",
                got, total, long_len);
        n = ring_read(rb, g_dst + got, CAP);
        MM_CHECK(n > 0 && (size_t)n <= total - got, "ring_read(rb, buf, 4096) returned %zd (errno %d: %s)", n, errno,
                 strerror(errno));
        got += (size_t)n;
    }
    for (int i = 0; i < 3; i++) {
        struct result r;

        mm_step("waiting for writer %d to return from %s", i, k[i].call);
        r = kid_result(&k[i], NULL, 0);
        kid_end(&k[i]);
        MM_CHECK(r.ret == (ssize_t)(i == 0 ? long_len : REC), "%s returned %zd", k[i].call, r.ret);
    }
    for (int i = 0; i < 2; i++) {
        at[i] = find_record(g_dst, total, recs[i]);
        MM_CHECK(at[i] < total, "the record written by writer %d never came out whole", i + 1);
    }
    MM_CHECK(at[0] + REC <= at[1] || at[1] + REC <= at[0], "the two one-record writes overlap in the stream");
    for (size_t i = 0; i < total; i++)
        if (!(i >= at[0] && i < at[0] + REC) && !(i >= at[1] && i < at[1] + REC))
            g_dst[out++] = g_dst[i];
    MM_CHECK(mm_mismatch(g_dst, long_len, 46) == long_len,
             "byte %zu of the %zu-byte write came out wrong (the two one-record writes taken out)",
             mm_mismatch(g_dst, long_len, 46), long_len);
    drop_ring(rb, "ring");
    mm_finish_noting("after destroy_ring_buffer()", "ring_cleanup");
}
