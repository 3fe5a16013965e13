/*
 * stall.c - the runner's watch for tests that can never finish (stall.h).
 */
#define _GNU_SOURCE
#include "stall.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a small /proc file into buf (NUL-terminated); -1 if it cannot. */
static int read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

/* From a stat line: the state letter and, when asked, the process group.
 * The command name, in parentheses, may hold anything: parse after its
 * last ')'. */
static int parse_stat(const char *line, char *state, pid_t *pgrp)
{
    const char *p = strrchr(line, ')');
    int ppid;
    int group;

    if (!p || sscanf(p + 1, " %c %d %d", state, &ppid, &group) != 3)
        return -1;
    if (pgrp)
        *pgrp = group;
    return 0;
}

/* What a process sleeping in kernel function `wchan` waits for, in the
 * student's terms; NULL when it says nothing useful. */
static const char *wait_words(const char *wchan)
{
    static const struct {
        const char *prefix;
        const char *words;
    } table[] = {
        {"futex", "a futex (a mutex, condition variable or semaphore)"},
        {"hrtimer_nanosleep", "sleep()"},
        {"do_nanosleep", "sleep()"},
        {"do_sys_poll", "poll()"},
        {"do_select", "select()"},
        {"ep_poll", "epoll_wait()"},
        {"pipe_", "a pipe"},
        {"unix_stream", "a socket (the driver waiting for the test's next call, when idle)"},
        {"do_wait", "waitpid()"},
        {"sigsuspend", "sigsuspend()"},
        {"__do_sys_pause", "pause()"},
        {"sys_pause", "pause()"},
        {"do_sigtimedwait", "sigwait()"},
        {"do_signal_stop", "a stop signal (stopped)"},
    };

    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strncmp(wchan, table[i].prefix, strlen(table[i].prefix)) == 0)
            return table[i].words;
    return NULL;
}

/* Adds where process `pid` sleeps to s->waits, once per kind. */
static void note_wait(struct stall *s, const char *pid)
{
    char path[640];
    char wchan[64];
    const char *words;
    size_t used = strlen(s->waits);

    snprintf(path, sizeof path, "/proc/%s/wchan", pid);
    if (read_small(path, wchan, sizeof wchan) != 0 || !(words = wait_words(wchan)))
        return;
    if (strstr(s->waits, words) || used + strlen(words) + 3 >= sizeof s->waits)
        return;
    snprintf(s->waits + used, sizeof s->waits - used, "%s%s", used ? ", " : "", words);
}

struct sample {
    int busy; /* a thread running, runnable or in an uninterruptible wait */
    int lost; /* a schedstat that cannot be read: say nothing */
    unsigned long long runtime;
    unsigned long long pidsum;
    unsigned threads;
};

/* Adds the threads of process `pid` to the sample. */
static void sample_process(const char *pid, struct sample *out)
{
    char path[640];
    char buf[512];
    DIR *d;
    struct dirent *e;

    snprintf(path, sizeof path, "/proc/%s/task", pid);
    if (!(d = opendir(path)))
        return; /* it just ended */
    while ((e = readdir(d)) != NULL) {
        unsigned long long ns;
        char state;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/task/%s/stat", pid, e->d_name);
        if (read_small(path, buf, sizeof buf) != 0 || parse_stat(buf, &state, NULL) != 0)
            continue;
        if (state == 'R' || state == 'D' || state == 'W')
            out->busy = 1;
        snprintf(path, sizeof path, "/proc/%s/task/%s/schedstat", pid, e->d_name);
        if (state != 'Z' && (read_small(path, buf, sizeof buf) != 0 || sscanf(buf, "%llu", &ns) != 1)) {
            out->lost = 1;
            continue;
        }
        if (state != 'Z')
            out->runtime += ns;
        out->pidsum += strtoull(e->d_name, NULL, 10);
        out->threads++;
    }
    closedir(d);
}

/* Samples every process of the group /proc shows; fills s->waits with
 * where they sleep (the kernel names it only for processes the runner
 * could trace: the submission's, not the checker's). */
static void sample_group(struct stall *s, struct sample *out)
{
    char path[640];
    char buf[512];
    DIR *d = opendir("/proc");
    struct dirent *e;

    memset(out, 0, sizeof *out);
    s->waits[0] = '\0';
    if (!d) {
        out->lost = 1;
        return;
    }
    while ((e = readdir(d)) != NULL) {
        char state;
        pid_t pgrp;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        if (read_small(path, buf, sizeof buf) != 0 || parse_stat(buf, &state, &pgrp) != 0 || pgrp != s->pgid)
            continue;
        sample_process(e->d_name, out);
        if (state == 'S')
            note_wait(s, e->d_name);
    }
    closedir(d);
}

void stall_init(struct stall *s, pid_t pgid)
{
    char path[640];
    char buf[128];

    memset(s, 0, sizeof *s);
    s->pgid = pgid;
    s->quiet_since = -1;
    /* The runner's own: the test process may be hidden (hidepid=2). A
     * kernel without sched_info prints "0 0 0": no CPU time to compare. */
    snprintf(path, sizeof path, "/proc/self/task/%d/schedstat", (int)getpid());
    s->disabled = read_small(path, buf, sizeof buf) != 0 || strspn(buf, "0 \n") == strlen(buf);
}

int stall_check(struct stall *s, double now, unsigned long alive)
{
    struct sample cur;
    int same;

    if (s->disabled)
        return 0;
    sample_group(s, &cur);
    same = s->had_sample && !cur.busy && !cur.lost && cur.threads > 0 && cur.runtime == s->runtime
           && cur.pidsum == s->pidsum && cur.threads == s->threads && alive == s->alive;
    s->alive = alive;
    s->runtime = cur.runtime;
    s->pidsum = cur.pidsum;
    s->threads = cur.threads;
    s->had_sample = 1;
    if (!same) {
        s->quiet_since = -1;
        s->last_sample = now;
        return 0;
    }
    /* Unchanged since the last look: quiet from then on. */
    if (s->quiet_since < 0)
        s->quiet_since = s->last_sample;
    s->last_sample = now;
    return now - s->quiet_since >= STALL_SECONDS;
}

void stall_message(const struct stall *s, char *buf, size_t size)
{
    snprintf(buf, size,
             "for %.0f s every process of the test was asleep and none of them ran: nothing was left to "
             "wake them (a deadlock, or a wake-up that never came)%s%s",
             STALL_SECONDS, s->waits[0] ? "; your code's processes were waiting on " : "", s->waits);
}
