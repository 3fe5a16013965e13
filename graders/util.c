/*
 * util.c - see util.h.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void die(const char *fmt, ...)
{
    va_list ap;

    fputs("moulinette: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p)
        die("out of memory (malloc of %zu bytes)", size);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);

    if (!p)
        die("out of memory (calloc of %zu x %zu bytes)", count, size);
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    if (!p)
        die("out of memory (realloc to %zu bytes)", size);
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    struct strbuf sb = {0};
    va_list ap;

    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    return sb_take(&sb);
}

/* ---- strbuf -------------------------------------------------------------- */

static void sb_reserve(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    while (sb->len + extra + 1 > sb->cap)
        sb->cap = sb->cap ? sb->cap * 2 : 64;
    sb->data = xrealloc(sb->data, sb->cap);
}

void sb_append(struct strbuf *sb, const char *data, size_t len)
{
    sb_reserve(sb, len);
    memcpy(sb->data + sb->len, data, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
}

void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list copy;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        die("vsnprintf failed on format \"%s\"", fmt);
    sb_reserve(sb, (size_t)n);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

char *sb_take(struct strbuf *sb)
{
    char *s = sb->data ? sb->data : xstrdup("");

    sb->data = NULL;
    sb->len = sb->cap = 0;
    return s;
}

void sb_free(struct strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

/* ---- strlist ------------------------------------------------------------- */

void sl_push(struct strlist *sl, const char *s)
{
    if (sl->count + 2 > sl->cap) {
        sl->cap = sl->cap ? sl->cap * 2 : 8;
        sl->items = xrealloc(sl->items, sl->cap * sizeof *sl->items);
    }
    sl->items[sl->count++] = xstrdup(s);
    sl->items[sl->count] = NULL;
}

void sl_pushf(struct strlist *sl, const char *fmt, ...)
{
    struct strbuf sb = {0};
    va_list ap;

    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    sl_push(sl, sb.data);
    sb_free(&sb);
}

void sl_extend(struct strlist *sl, const struct strlist *more)
{
    for (size_t i = 0; i < more->count; i++)
        sl_push(sl, more->items[i]);
}

int sl_contains(const struct strlist *sl, const char *s)
{
    for (size_t i = 0; i < sl->count; i++)
        if (strcmp(sl->items[i], s) == 0)
            return 1;
    return 0;
}

void sl_free(struct strlist *sl)
{
    for (size_t i = 0; i < sl->count; i++)
        free(sl->items[i]);
    free(sl->items);
    sl->items = NULL;
    sl->count = sl->cap = 0;
}

/* ---- files ---------------------------------------------------------------- */

char *read_file(const char *path, size_t *len)
{
    struct strbuf sb = {0};
    char chunk[8192];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return NULL;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        sb_append(&sb, chunk, (size_t)n);
    if (n < 0) {
        int saved = errno;

        close(fd);
        sb_free(&sb);
        errno = saved;
        return NULL;
    }
    close(fd);
    if (len)
        *len = sb.len;
    return sb_take(&sb);
}

int copy_file(const char *from, const char *to, unsigned mode)
{
    size_t len;
    char *data = read_file(from, &len);
    int fd;
    int ret = -1;

    if (!data)
        return -1;
    fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd >= 0) {
        ret = write(fd, data, len) == (ssize_t)len ? 0 : -1;
        if (close(fd) != 0)
            ret = -1;
    }
    free(data);
    return ret;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
