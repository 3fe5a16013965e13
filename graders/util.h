/*
 * util.h - small helpers shared by the grader's modules: checked allocation,
 * growable strings and string lists, files.
 *
 * Allocation failure is not a condition the grader can grade around: the
 * x*() functions print the failing call and exit with status 1 (the
 * grader's own failure), as the CLI contract says.
 */
#ifndef MM_UTIL_H
#define MM_UTIL_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exits with status 1 after printing "moulinette: <message>". */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* A growable byte buffer, always NUL-terminated. */
struct strbuf {
    char *data;
    size_t len;
    size_t cap;
};
void sb_append(struct strbuf *sb, const char *data, size_t len);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
char *sb_take(struct strbuf *sb); /* hands the string over, resets sb */
void sb_free(struct strbuf *sb);

/* A NULL-terminated, growable array of owned strings (an argv). */
struct strlist {
    char **items;
    size_t count;
    size_t cap;
};
void sl_push(struct strlist *sl, const char *s);
void sl_pushf(struct strlist *sl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sl_extend(struct strlist *sl, const struct strlist *more);
int sl_contains(const struct strlist *sl, const char *s);
void sl_free(struct strlist *sl);

/* The path of the program `name` on PATH (or `name` itself when it holds
 * a '/'), if executable; NULL otherwise. Caller frees. */
char *find_on_path(const char *name);

/* Reads a whole file into a NUL-terminated buffer; NULL on error (errno). */
char *read_file(const char *path, size_t *len);

/* Copies `from` to `to` (created with `mode`); 0 or -1 with errno. */
int copy_file(const char *from, const char *to, unsigned mode);

/* Removes a tree (or a file, or a symlink: never what it points to).
 * Best effort: what cannot be removed (a mount point, files of another
 * user when not root) stays, and the rest goes. No limit on depth or path
 * length, and memory does not grow with depth: the walk holds one
 * directory open at a time and climbs back with "..". Directories a job
 * made unreadable (chmod 0) are made ours and 0700 first, which also
 * keeps anyone but root from moving them while the walk is inside. */
void remove_tree(const char *path);

/* Same for `name` in the directory open at `dirfd` (or AT_FDCWD). */
void remove_tree_at(int dirfd, const char *name);

/* Length of the valid UTF-8 sequence that starts `s` (at most `avail`
 * bytes are read), its code point in *cp; 0 if those bytes are not one
 * (stray continuation byte, overlong form, surrogate, beyond U+10FFFF,
 * cut short). */
size_t utf8_decode(const char *s, size_t avail, unsigned *cp);

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
double now_seconds(void);

#endif
