/*
 * stall.h - tells a test that can never finish from one that is slow.
 *
 * A test whose processes are all asleep, none of them woken for a while,
 * waits for something that nothing left can do: a ring whose wake-up was
 * lost, a deadlock, a call that sleeps forever. Waiting for its timeout
 * only costs time (the bonus rows' mutants spent half of `make mutants`
 * there), so the runner watches a test's process group once the test has
 * run for STALL_WATCH_AFTER seconds and stops it when, for STALL_SECONDS,
 *   - every thread of every process of the group that /proc shows (the
 *     submission's: drivers and their children) is asleep (state S),
 *     stopped (T, t) or a zombie: none is running, runnable (R) or in an
 *     uninterruptible wait (D, as a disk write);
 *   - none of them has run at all: the CPU time each thread has been
 *     given, to the nanosecond (/proc/<pid>/task/<tid>/schedstat), and the
 *     set of threads are unchanged;
 *   - and the test's own processes (the checker's: non-dumpable, so a
 *     hidepid=2 /proc hides them) have not said they are alive
 *     (mm_runner_alive: each of their loops that waits with a timeout
 *     says so at every turn; their other waits are for the submission's
 *     processes, and their own work between waits is short).
 * A process that sleeps with a timeout (usleep, a timed wait) runs when it
 * ends, however briefly, so it is not stalled: only a wait without end,
 * or one longer than STALL_SECONDS, is.
 *
 * Where /proc has no schedstat, or one that says "0 0 0" (a kernel without
 * CONFIG_SCHED_INFO), the watch never fires: the test's timeout stays the
 * only limit.
 */
#ifndef MM_STALL_H
#define MM_STALL_H

#include <stddef.h>
#include <sys/types.h>

#define STALL_WATCH_AFTER 0.5
#define STALL_SECONDS 1.0
/* How often the group is looked at while watched. */
#define STALL_SAMPLE_SECONDS 0.1

struct stall {
    pid_t pgid;
    int disabled;                 /* no schedstat here: never fires */
    int had_sample;               /* `runtime`, `threads` and `pidsum` hold one */
    unsigned long long runtime;   /* nanoseconds on a CPU, all threads summed */
    unsigned long long pidsum;    /* which threads: the sum of their ids */
    unsigned threads;
    unsigned long alive;          /* the checker's mm_runner_alive() count */
    double last_sample;           /* when the group was last looked at */
    double quiet_since;           /* since when it has not changed, -1 if it just did */
    char waits[256];              /* where the group's processes sleep, for the message */
};

/* Starts watching process group `pgid`. */
void stall_init(struct stall *s, pid_t pgid);

/* Looks at the group once, at time `now` (seconds, monotonic), `alive`
 * being the checker's count: 1 when the group has stayed asleep and
 * unchanged, and the count too, for STALL_SECONDS; 0 otherwise. */
int stall_check(struct stall *s, double now, unsigned long alive);

/* After stall_check returned 1: what to tell the student, into buf. */
void stall_message(const struct stall *s, char *buf, size_t size);

#endif
