/*
 * provenance.c - see provenance.h.
 */
#include "provenance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"

#ifndef MM_VERSION
#define MM_VERSION "unknown"
#endif

static char *hex_of(struct sha256 *s)
{
    char hex[65];

    sha256_hex(s, hex);
    return xstrdup(hex);
}

static char *file_hash(const char *path)
{
    struct sha256 s;

    sha256_init(&s);
    /* The bytes alone: what `sha256sum config.yaml` says. */
    return sha256_file(&s, path, NULL) == 0 ? hex_of(&s) : xstrdup("unreadable");
}

/* The tests as they decide: the checker, the driver's object, the shims'
 * sources (each named, so that swapping two changes the hash). */
static char *tests_hash(const struct config *cfg)
{
    struct strlist files = {0};
    struct sha256 s;

    sl_push(&files, cfg->checker);
    sl_push(&files, cfg->test_object);
    sl_push(&files, cfg->shim_source);
    sl_extend(&files, &cfg->test_shims);
    sha256_init(&s);
    for (size_t i = 0; i < files.count; i++) {
        char *path = config_path(cfg, files.items[i]);

        if (sha256_file(&s, path, files.items[i]) != 0)
            sha256_update(&s, "missing", 7);
        free(path);
    }
    sl_free(&files);
    return hex_of(&s);
}

/* The first line `cc --version` prints, run without a shell. */
static char *compiler_version(const char *cc)
{
    char buf[256] = "";
    ssize_t got = 0, n;
    int fds[2];
    pid_t pid;

    if (!cc || pipe(fds) != 0)
        return xstrdup("unknown");
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(cc, cc, "--version", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    while (pid > 0 && got < (ssize_t)sizeof buf - 1 && (n = read(fds[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0)
        got += n;
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    buf[got] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return xstrdup(buf[0] ? buf : "unknown");
}

void provenance_init(struct provenance *p, const struct config *cfg, const char *config_file,
                     const char *cc_path)
{
    struct utsname u;
    char date[32];
    time_t now = time(NULL);

    p->version = xstrdup(MM_VERSION);
    p->config_sha256 = file_hash(config_file);
    p->tests_sha256 = tests_hash(cfg);
    p->compiler = compiler_version(cc_path);
    p->kernel = uname(&u) == 0 ? xasprintf("Linux %s %s", u.release, u.machine) : xstrdup("unknown");
    p->sandbox = xstrdup("full");
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    p->date = xstrdup(date);
}

void provenance_set_sandbox(struct provenance *p, const char *off)
{
    free(p->sandbox);
    p->sandbox = xstrdup(off && *off ? off : "full");
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void provenance_copy(struct provenance *to, const struct provenance *from)
{
    *to = (struct provenance){dup_or_null(from->version), dup_or_null(from->config_sha256),
                              dup_or_null(from->tests_sha256), dup_or_null(from->compiler),
                              dup_or_null(from->kernel), dup_or_null(from->sandbox),
                              dup_or_null(from->date)};
}

void provenance_free(struct provenance *p)
{
    free(p->version);
    free(p->config_sha256);
    free(p->tests_sha256);
    free(p->compiler);
    free(p->kernel);
    free(p->sandbox);
    free(p->date);
    memset(p, 0, sizeof *p);
}

char *provenance_submission_hash(const struct config *cfg, const char *dir)
{
    struct sha256 s;

    sha256_init(&s);
    for (size_t i = 0; i < cfg->sources.count; i++) {
        char *path = xasprintf("%s/%s", dir, cfg->sources.items[i]);
        int ok = sha256_file(&s, path, cfg->sources.items[i]) == 0;

        free(path);
        if (!ok)
            return NULL;
    }
    for (size_t i = 0; i < cfg->optional.count; i++) {
        char *path = xasprintf("%s/%s", dir, cfg->optional.items[i]);

        (void)sha256_file(&s, path, cfg->optional.items[i]);
        free(path);
    }
    return hex_of(&s);
}
