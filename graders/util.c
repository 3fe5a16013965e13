/*
 * util.c - see util.h.
 */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* ---- removing trees -------------------------------------------------------- */

/* Directories the walk could not empty (a mount point, files it may not
 * remove) are remembered, so it never enters one twice and always ends;
 * past this many it gives up, which bounds its memory. */
#define STUCK_MAX 1024

struct walk {
    dev_t dev; /* the tree's filesystem: mount points are not crossed */
    struct dir_id {
        dev_t dev;
        ino_t ino;
    } stuck[STUCK_MAX];
    size_t nstuck;
};

enum entry_fate { ENTRY_REMOVED, ENTRY_GONE, ENTRY_LEFT, ENTRY_ENTER };

static int is_stuck(const struct walk *w, const struct stat *st)
{
    for (size_t i = 0; i < w->nstuck; i++)
        if (w->stuck[i].dev == st->st_dev && w->stuck[i].ino == st->st_ino)
            return 1;
    return 0;
}

/* A directory the walk is in is ours and 0700 (errors ignored: not root,
 * not ours): nobody else can then rename it or its entries away, so ".."
 * always leads back up the way the walk came down, never elsewhere. */
static void claim_dir(int fd)
{
    if (geteuid() == 0)
        (void)!fchown(fd, 0, 0);
    fchmod(fd, 0700);
}

/* Opens the directory `name` under `dirfd` without following a symlink;
 * one made unreadable is made readable first (if ours, or as root). */
static int open_dir_at(int dirfd, const char *name)
{
    int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = openat(dirfd, name, flags);

    /* AT_SYMLINK_NOFOLLOW: glibc refuses (never follows) a symlink. */
    if (fd < 0 && errno == EACCES && fchmodat(dirfd, name, 0700, AT_SYMLINK_NOFOLLOW) == 0)
        fd = openat(dirfd, name, flags);
    if (fd >= 0)
        claim_dir(fd);
    return fd;
}

/* Removes `name` if it can; a non-empty directory to enter is opened
 * into *child. */
static enum entry_fate remove_entry(const struct walk *w, int dirfd, const char *name, int *child)
{
    struct stat st;
    int fd;

    if (unlinkat(dirfd, name, 0) == 0)
        return ENTRY_REMOVED;
    if (errno == ENOENT)
        return ENTRY_GONE;
    if (errno != EISDIR && errno != EPERM)
        return ENTRY_LEFT;
    if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0)
        return ENTRY_REMOVED;
    if (errno != ENOTEMPTY && errno != EEXIST)
        return errno == ENOENT ? ENTRY_GONE : ENTRY_LEFT;
    fd = open_dir_at(dirfd, name);
    if (fd < 0)
        return ENTRY_LEFT;
    if (fstat(fd, &st) != 0 || st.st_dev != w->dev || is_stuck(w, &st)) {
        close(fd);
        return ENTRY_LEFT;
    }
    *child = fd;
    return ENTRY_ENTER;
}

/* One pass over the directory `d` (open at `fd`): returns how many
 * entries it removed, and how many it left in *left; -1 when it stopped
 * at a subdirectory to empty first, open in *child. */
static long clear_pass(const struct walk *w, DIR *d, int fd, int *child, long *left)
{
    struct dirent *e;
    long removed = 0;

    *left = 0;
    rewinddir(d); /* the copy shares the offset an earlier pass left */
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        switch (remove_entry(w, fd, e->d_name, child)) {
        case ENTRY_REMOVED:
            removed++;
            break;
        case ENTRY_GONE:
            break;
        case ENTRY_LEFT:
            (*left)++;
            break;
        case ENTRY_ENTER:
            return -1;
        }
    }
    return removed;
}

/* Removes what it can in the directory open at `fd`. Returns -1 with
 * *child open when a subdirectory must be emptied first, else the number
 * of entries left. Passes repeat while they remove something: removing
 * while reading may make readdir skip an entry. */
static long clear_dir(const struct walk *w, int fd, int *child)
{
    int copy = dup(fd);
    DIR *d = copy >= 0 ? fdopendir(copy) : NULL;
    long left = 1;
    long removed = 1;

    if (!d) {
        if (copy >= 0)
            close(copy);
        return left;
    }
    while (removed > 0)
        removed = clear_pass(w, d, fd, child, &left);
    closedir(d);
    return removed < 0 ? -1 : left;
}

/* Empties the directory open at `top` (and closes it). Depth-first, one
 * directory open at a time: down with openat, back up with "..", and the
 * parent, read again, then removes the emptied child. */
static void empty_tree(int top)
{
    struct walk *w = xcalloc(1, sizeof *w);
    struct stat st;
    size_t depth = 0;
    int fd = top;

    if (fstat(fd, &st) != 0) {
        close(fd);
        free(w);
        return;
    }
    w->dev = st.st_dev;
    while (fd >= 0) {
        int child = -1;
        long left = clear_dir(w, fd, &child);
        int up;

        if (left < 0) {
            close(fd);
            fd = child;
            depth++;
            continue;
        }
        if (left > 0 && depth > 0) {
            if (w->nstuck == STUCK_MAX || fstat(fd, &st) != 0)
                break;
            w->stuck[w->nstuck++] = (struct dir_id){st.st_dev, st.st_ino};
        }
        if (depth == 0)
            break;
        up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        close(fd);
        fd = up;
        depth--;
    }
    if (fd >= 0)
        close(fd);
    free(w);
}

void remove_tree_at(int dirfd, const char *name)
{
    int fd;

    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return;
    fd = open_dir_at(dirfd, name);
    if (fd < 0)
        return;
    empty_tree(fd);
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

void remove_tree(const char *path)
{
    remove_tree_at(AT_FDCWD, path);
}

/* ---- text ------------------------------------------------------------------- */

size_t utf8_decode(const char *str, size_t avail, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t len;
    unsigned min;
    unsigned c;

    if (avail == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0)
        len = 2, min = 0x80, c = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0)
        len = 3, min = 0x800, c = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0)
        len = 4, min = 0x10000, c = s[0] & 0x07;
    else
        return 0;
    if (len > avail)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *find_on_path(const char *name)
{
    const char *path = getenv("PATH");
    char *copy;
    char *found = NULL;

    if (strchr(name, '/'))
        return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
    copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    for (char *dir = strtok(copy, ":"); dir && !found; dir = strtok(NULL, ":")) {
        char *candidate = xasprintf("%s/%s", dir, name);

        if (access(candidate, X_OK) == 0)
            found = candidate;
        else
            free(candidate);
    }
    free(copy);
    return found;
}
