/*
 * intake.c - see intake.h.
 *
 * Archives are hostile input: every member is checked before anything of
 * it is written, files are created with O_EXCL|O_NOFOLLOW under a folder
 * made fresh for the archive, folders are walked with openat and never
 * through a symlink, and the limits count what is written, not what a
 * header claims. The archive's own permissions, owners and dates are not
 * kept: a file is 0644, or 0755 if it had an execute bit.
 */
#include "intake.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "score.h"

/* Folders deeper than this below a submission are not searched: no LMS
 * nests that far, and the walk holds one descriptor per level. */
#define WALK_DEPTH 32

/* What a quoted name from an archive may take of a message. */
#define SHOWN_MAX 96

struct limits {
    const char *marker; /* the source that marks a submission: memory_mapper.c */
    unsigned long long max_bytes;
    unsigned long long max_members;
};

/* ---- names ------------------------------------------------------------------ */

static const char *const archive_suffixes[] = {".tar.gz", ".tgz", ".tar", ".zip"};

/* The length of `name`'s archive extension, 0 if it has none. */
static size_t archive_suffix(const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; i < sizeof archive_suffixes / sizeof archive_suffixes[0]; i++) {
        size_t k = strlen(archive_suffixes[i]);

        if (n > k && strcasecmp(name + n - k, archive_suffixes[i]) == 0)
            return k;
    }
    return 0;
}

int intake_is_archive(const char *name)
{
    return archive_suffix(name) > 0;
}

/* "dir" + "/" + "name", without doubling a slash the argument ends with. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir);

    return xasprintf("%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/", name);
}

/* A name from an archive or a folder, quoted in a message: control bytes
 * become '?', and it is cut, so no message is a terminal's instruction or
 * a page long. */
static char *shown(const char *name)
{
    struct strbuf sb = {0};
    size_t n = strlen(name);

    for (size_t i = 0; i < n && i < SHOWN_MAX; i++) {
        char c = (unsigned char)name[i] < 0x20 || name[i] == 0x7f ? '?' : name[i];

        sb_append(&sb, &c, 1);
    }
    if (n > SHOWN_MAX)
        sb_printf(&sb, "...");
    if (!sb.data)
        sb_printf(&sb, "%s", "");
    return sb_take(&sb);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sl_sort(struct strlist *sl)
{
    if (sl->count > 1)
        qsort(sl->items, sl->count, sizeof *sl->items, entry_cmp);
}

/* ---- the temporary folder ---------------------------------------------------- */

/* Folders to remove if the grader exits through die() (or returns from
 * main without intake_free). Only the process that made them may: a
 * forked child calling exit() must not remove its parent's files. */
static struct strlist g_live;
static pid_t g_owner;

static void remove_live(void)
{
    if (getpid() != g_owner)
        return;
    for (size_t i = 0; i < g_live.count; i++)
        remove_tree(g_live.items[i]);
    sl_free(&g_live);
}

/* TMPDIR or /tmp, like the run directories: a folder named "moulinette-*"
 * whose .lock nobody holds is removed by the next grader's
 * build_sweep_stale, so a grader killed with SIGKILL leaves nothing for
 * good. Made lazily: a batch of folders needs none. */
static const char *temp_dir(struct intake *in)
{
    const char *tmp = getenv("TMPDIR");
    char *lock;

    if (in->temp)
        return in->temp;
    in->temp = xasprintf("%s/moulinette-intake-%d-XXXXXX", tmp && *tmp ? tmp : "/tmp", (int)getpid());
    if (!mkdtemp(in->temp))
        die("cannot create a folder for the archives (%s): %s", in->temp, strerror(errno));
    lock = join(in->temp, ".lock");
    in->temp_lock = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (in->temp_lock < 0 || flock(in->temp_lock, LOCK_EX) != 0)
        die("cannot lock %s: %s", lock, strerror(errno));
    free(lock);
    if (g_owner != getpid()) {
        if (!g_owner)
            atexit(remove_live);
        g_owner = getpid();
    }
    sl_push(&g_live, in->temp);
    sl_push(&in->hide, in->temp);
    return in->temp;
}

/* ---- extraction ---------------------------------------------------------------- */

/* One archive being extracted: where, how much so far, and the first
 * reason to refuse it. */
struct unpack {
    const struct limits *lim;
    int root;          /* the archive's fresh folder */
    size_t root_len;   /* its path's length, for PATH_MAX */
    unsigned long long bytes;
    unsigned long long members;
    char *refusal;
};

/* Keeps the first reason (takes `why`); -1 for the caller to return. */
static int refuse(struct unpack *u, char *why)
{
    if (u->refusal)
        free(why);
    else
        u->refusal = why;
    return -1;
}

/* The same, about the member `name` (quoted in `fmt`'s %s). */
static int refuse_member(struct unpack *u, const char *fmt, const char *name)
{
    char *quoted = shown(name);
    char *why = xasprintf(fmt, quoted);

    free(quoted);
    return refuse(u, why);
}

/* Absolute paths, "..", and paths the file system could not hold are
 * refused for the whole archive: an archive that tries to write outside
 * its folder is an attack or a mistake, and neither is graded. */
static int check_member_path(struct unpack *u, const char *path)
{
    const char *p = path;

    if (!path || !*path)
        return refuse(u, xstrdup("the archive has a member without a readable name"));
    if (path[0] == '/')
        return refuse_member(u, "the archive has a member with an absolute path (\"%s\")", path);
    while (*p) {
        size_t n = strcspn(p, "/");

        if (n == 2 && p[0] == '.' && p[1] == '.')
            return refuse_member(u, "the archive has a member whose path climbs out with .. (\"%s\")", path);
        if (n > NAME_MAX)
            return refuse_member(u, "the archive has a member with a name longer than NAME_MAX (\"%s\")", path);
        p += n;
        p += *p == '/';
    }
    if (u->root_len + 1 + strlen(path) >= PATH_MAX)
        return refuse_member(u, "the archive has a member whose path is longer than PATH_MAX (\"%s\")", path);
    return 0;
}

/* Opens (making them) the folders of `path` below the root, the last
 * component included only if `whole`; sets *leaf to that last component.
 * A component that exists and is not a folder makes two members conflict. */
static int open_parent(struct unpack *u, const char *path, int whole, const char **leaf)
{
    char *copy = xstrdup(path);
    char *save = NULL;
    char *next;
    int fd = dup(u->root);

    *leaf = NULL;
    for (char *c = strtok_r(copy, "/", &save); c && fd >= 0; c = next) {
        int sub;

        next = strtok_r(NULL, "/", &save);
        if (strcmp(c, ".") == 0)
            continue;
        if (!next && !whole) {
            *leaf = path + (c - copy);
            break;
        }
        if (mkdirat(fd, c, 0755) != 0 && errno != EEXIST)
            sub = -1;
        else
            sub = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        close(fd);
        fd = sub;
    }
    free(copy);
    if (fd < 0 || (!whole && !*leaf)) {
        if (fd >= 0)
            close(fd);
        return refuse_member(u, "the archive has members that conflict (\"%s\" is both a file and a folder)", path);
    }
    return fd;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The member's bytes, counted against the limit as they are written:
 * sizes in headers are the archive's claims. */
static int copy_data(struct unpack *u, struct archive *a, int fd, const char *path)
{
    char buf[65536];
    la_ssize_t n;

    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
        u->bytes += (unsigned long long)n;
        if (u->bytes > u->lim->max_bytes)
            return refuse(u, xasprintf("the archive unpacks to more than %llu MB (limits.archive_mb)",
                                       u->lim->max_bytes >> 20));
        if (write_all(fd, buf, (size_t)n) != 0)
            die("cannot write %s from an archive: %s", path, strerror(errno));
    }
    if (n < 0) {
        char *quoted = shown(path);

        refuse(u, xasprintf("the archive cannot be read (%s, in \"%s\")", archive_error_string(a), quoted));
        free(quoted);
        return -1;
    }
    return 0;
}

static int extract_file(struct unpack *u, struct archive *a, struct archive_entry *e, const char *path)
{
    const char *leaf;
    int dir = open_parent(u, path, 0, &leaf);
    mode_t mode = archive_entry_perm(e) & 0111 ? 0755 : 0644;
    int fd;
    int rc;

    if (dir < 0)
        return -1;
    fd = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    close(dir);
    if (fd < 0)
        return refuse_member(u, "the archive has the same member twice, or a file over a folder (\"%s\")", path);
    rc = copy_data(u, a, fd, path);
    if (fchmod(fd, mode) != 0 || close(fd) != 0)
        die("cannot write %s from an archive: %s", path, strerror(errno));
    return rc;
}

/* One member: checked, then made. Links are refused whatever they point
 * to: following one (now or when the grader copies the submission) could
 * reach any file of the machine, and no submission needs one. */
static int extract_member(struct unpack *u, struct archive *a, struct archive_entry *e)
{
    const char *path = archive_entry_pathname(e);
    const char *leaf;
    int dir;

    if (++u->members > u->lim->max_members)
        return refuse(u, xasprintf("the archive has more than %llu members (limits.archive_members)",
                                   u->lim->max_members));
    if (check_member_path(u, path) != 0)
        return -1;
    if (archive_entry_hardlink(e) || archive_entry_filetype(e) == AE_IFLNK)
        return refuse_member(u, "the archive has a link (\"%s\"): links are never extracted", path);
    switch (archive_entry_filetype(e)) {
    case AE_IFREG:
        return extract_file(u, a, e, path);
    case AE_IFDIR:
        dir = open_parent(u, path, 1, &leaf);
        if (dir >= 0)
            close(dir);
        return dir < 0 ? -1 : 0;
    default:
        return refuse_member(u, "the archive has a device, FIFO or socket (\"%s\"): only files and folders "
                         "are extracted", path);
    }
}

/* Zip, tar (ustar, pax, GNU) and gzip only: what the course's platforms
 * export, and less of libarchive's code facing the input. A failed open
 * shows as the first header's error. */
static struct archive *open_archive(int fd)
{
    struct archive *a = archive_read_new();

    if (!a)
        die("archive_read_new: out of memory");
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_filter_gzip(a);
    archive_read_open_fd(a, fd, 65536);
    return a;
}

/* Extracts `path` into the fresh folder open at `root`; NULL or why the
 * archive is refused. */
static char *unpack(const char *path, int root, size_t root_len, const struct limits *lim)
{
    struct unpack u = {.lim = lim, .root = root, .root_len = root_len};
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    struct archive *a;
    struct archive_entry *e;
    int r = ARCHIVE_OK;

    if (fd < 0)
        return xasprintf("the archive cannot be opened: %s", strerror(errno));
    a = open_archive(fd);
    while (!u.refusal && (r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
        if (r < ARCHIVE_WARN) {
            u.refusal = xasprintf("the archive cannot be read: %s",
                                  archive_error_string(a) ? archive_error_string(a) : "unknown format");
            break;
        }
        extract_member(&u, a, e);
    }
    archive_read_free(a);
    close(fd);
    return u.refusal;
}

/* ---- finding the sources ------------------------------------------------------- */

struct found {
    struct strlist dirs;     /* folders (relative) that hold the marker */
    struct strlist archives; /* archives (relative) */
    unsigned long long entries;
    int too_many;
    int too_long;
};

static void walk(int fd, const char *rel, size_t base_len, int depth, const struct limits *lim,
                 struct found *f);

static void visit(int parent, const char *rel, const char *name, size_t base_len, int depth,
                  const struct limits *lim, struct found *f)
{
    char *path = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
    struct stat st;

    if (++f->entries > lim->max_members)
        f->too_many = 1;
    else if (base_len + 1 + strlen(path) >= PATH_MAX)
        f->too_long = 1;
    else if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        ; /* gone meanwhile: nothing to find there */
    else if (S_ISREG(st.st_mode) && strcmp(name, lim->marker) == 0)
        sl_push(&f->dirs, *rel ? rel : ".");
    else if (S_ISREG(st.st_mode) && archive_suffix(name))
        sl_push(&f->archives, path);
    else if (S_ISDIR(st.st_mode) && depth < WALK_DEPTH) {
        int sub = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (sub >= 0)
            walk(sub, path, base_len, depth + 1, lim, f);
    }
    free(path);
}

/* Records every folder below `fd` (consumed) holding the marker as a
 * regular file, and every archive. Symlinks are never followed. */
static void walk(int fd, const char *rel, size_t base_len, int depth, const struct limits *lim,
                 struct found *f)
{
    DIR *d = fdopendir(fd);
    struct dirent *e;

    if (!d) {
        close(fd);
        return;
    }
    while (!f->too_many && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            visit(dirfd(d), rel, e->d_name, base_len, depth, lim, f);
    closedir(d);
}

static int find(const char *dir, const struct limits *lim, struct found *f)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    walk(fd, "", strlen(dir), 0, lim, f);
    sl_sort(&f->dirs);
    sl_sort(&f->archives);
    return 0;
}

static void found_free(struct found *f)
{
    sl_free(&f->dirs);
    sl_free(&f->archives);
}

/* ---- submissions ---------------------------------------------------------------- */

static struct submission *add(struct intake *in, const char *name)
{
    struct submission *s;

    in->subs = xrealloc(in->subs, (in->count + 1) * sizeof *in->subs);
    s = &in->subs[in->count++];
    *s = (struct submission){.name = xstrdup(name)};
    return s;
}

static void refuse_sub(struct submission *s, char *why)
{
    free(s->refusal);
    s->refusal = why;
}

static int has_marker(const char *dir, const struct limits *lim)
{
    char *path = join(dir, lim->marker);
    struct stat st;
    int found = lstat(path, &st) == 0;

    free(path);
    return found;
}

static void take_archive(struct intake *in, struct submission *s, const char *path,
                         const struct limits *lim);

/* The folder that holds the marker, at `dir` or below; an archive when
 * there is none but one archive (if `may_extract`: never an archive
 * found inside an archive). */
static void resolve(struct intake *in, struct submission *s, const char *dir, int may_extract,
                    const struct limits *lim)
{
    struct found f = {0};

    if (has_marker(dir, lim)) {
        s->dir = xstrdup(dir);
        return;
    }
    if (find(dir, lim, &f) != 0)
        refuse_sub(s, xasprintf("cannot be read: %s", strerror(errno)));
    else if (f.too_many)
        refuse_sub(s, xasprintf("more than %llu files and folders (limits.archive_members)",
                                lim->max_members));
    else if (f.too_long)
        refuse_sub(s, xasprintf("a path in it is longer than PATH_MAX (%d bytes)", PATH_MAX));
    else if (f.dirs.count == 1)
        s->dir = join(dir, f.dirs.items[0]);
    else if (f.dirs.count > 1) {
        char *a = shown(f.dirs.items[0]);
        char *b = shown(f.dirs.items[1]);

        refuse_sub(s, xasprintf("more than one %s (in \"%s\" and \"%s\"%s): a submission holds exactly "
                                "one", lim->marker, a, b, f.dirs.count > 2 ? ", and more" : ""));
        free(a);
        free(b);
    } else if (f.archives.count == 1 && may_extract) {
        char *path = join(dir, f.archives.items[0]);

        take_archive(in, s, path, lim);
        free(path);
    } else
        refuse_sub(s, xasprintf("%s is missing: no folder in it holds one%s", lim->marker,
                                f.archives.count ? ", and it holds several archives" : ""));
    found_free(&f);
}

/* Extracted into a folder of its own, then searched like a folder. */
static void take_archive(struct intake *in, struct submission *s, const char *path,
                         const struct limits *lim)
{
    static unsigned counter;
    const char *temp = temp_dir(in);
    char *dest = xasprintf("%s/%u", temp, counter++);
    int root;
    char *why;

    if (mkdir(dest, 0755) != 0 || (root = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        die("cannot create %s: %s", dest, strerror(errno));
    why = unpack(path, root, strlen(dest), lim);
    close(root);
    if (why)
        refuse_sub(s, why);
    else
        resolve(in, s, dest, 0, lim);
    free(dest);
}

/* Whether the entry `path` could be a submission: an archive, or a folder
 * with the marker or an archive somewhere below. */
static int holds_one(const char *path, const struct limits *lim)
{
    struct stat st;
    struct found f = {0};
    int holds;

    if (lstat(path, &st) != 0)
        return 0;
    if (S_ISREG(st.st_mode))
        return archive_suffix(path) > 0;
    holds = S_ISDIR(st.st_mode) && find(path, lim, &f) == 0 && (f.dirs.count > 0 || f.archives.count > 0);
    found_free(&f);
    return holds;
}

/* A folder of submissions: two of its entries or more could each be one.
 * One such entry alone is a submission nested in the folder. */
static int holds_submissions(const char *dir, const struct strlist *entries, const struct limits *lim)
{
    int holding = 0;

    for (size_t i = 0; i < entries->count && holding < 2; i++) {
        char *path = join(dir, entries->items[i]);

        holding += holds_one(path, lim);
        free(path);
    }
    return holding >= 2;
}

/* The entries of `dir` that could be submissions, sorted; names starting
 * with a dot (.DS_Store, .git) are not. */
static int list_entries(const char *dir, struct strlist *out)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            sl_push(out, e->d_name);
    closedir(d);
    sl_sort(out);
    return 0;
}

static void take_entry(struct intake *in, const char *dir, const char *entry, const struct limits *lim)
{
    char *path = join(dir, entry);
    struct stat st;

    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && archive_suffix(entry))
        take_archive(in, add(in, path), path, lim);
    else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
        resolve(in, add(in, path), path, 1, lim);
    else {
        char *quoted = shown(path);

        fprintf(stderr, "moulinette: %s: skipped: not a folder or an archive (.zip, .tar, .tar.gz, .tgz)\n",
                quoted);
        free(quoted);
    }
    free(path);
}

static void take_argument(struct intake *in, const char *arg, const struct limits *lim)
{
    struct strlist entries = {0};
    struct stat st;

    if (stat(arg, &st) != 0)
        refuse_sub(add(in, arg), xasprintf("cannot be read: %s", strerror(errno)));
    else if (S_ISREG(st.st_mode) && archive_suffix(arg))
        take_archive(in, add(in, arg), arg, lim);
    else if (!S_ISDIR(st.st_mode))
        refuse_sub(add(in, arg), xstrdup("not a folder or an archive (.zip, .tar, .tar.gz, .tgz)"));
    else if (has_marker(arg, lim))
        add(in, arg)->dir = xstrdup(arg);
    else if (list_entries(arg, &entries) != 0)
        refuse_sub(add(in, arg), xasprintf("cannot be read: %s", strerror(errno)));
    else if (holds_submissions(arg, &entries, lim))
        for (size_t i = 0; i < entries.count; i++)
            take_entry(in, arg, entries.items[i], lim);
    else
        resolve(in, add(in, arg), arg, 1, lim);
    sl_free(&entries);
}

/* No job may see a submission as given: an archive's folder, since a job
 * is hidden folders, not files (its siblings are other students'). */
static void hide_argument(struct intake *in, const char *arg)
{
    struct stat st;
    char *copy;
    char *slash;

    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        sl_push(&in->hide, arg);
        return;
    }
    copy = xstrdup(arg);
    slash = strrchr(copy, '/');
    if (slash)
        *slash = '\0';
    sl_push(&in->hide, slash ? (*copy ? copy : "/") : ".");
    free(copy);
}

struct intake *intake_open(const struct config *cfg, char *const *args, size_t nargs)
{
    struct intake *in = xcalloc(1, sizeof *in);
    struct limits lim = {
        .marker = cfg->sources.count ? cfg->sources.items[0] : "memory_mapper.c",
        .max_bytes = (unsigned long long)(cfg->limits.archive_mb ? cfg->limits.archive_mb
                                                                 : INTAKE_DEFAULT_ARCHIVE_MB) << 20,
        .max_members = (unsigned long long)(cfg->limits.archive_members ? cfg->limits.archive_members
                                                                        : INTAKE_DEFAULT_ARCHIVE_MEMBERS),
    };

    in->temp_lock = -1;
    for (size_t i = 0; i < nargs; i++) {
        size_t first = in->count;

        take_argument(in, args[i], &lim);
        hide_argument(in, args[i]);
        for (size_t k = first; k < in->count; k++) {
            char *name = shown(in->subs[k].name);

            if (in->subs[k].refusal)
                fprintf(stderr, "moulinette: %s: refused: %s\n", name, in->subs[k].refusal);
            free(name);
        }
    }
    return in;
}

/* ---- the roster ------------------------------------------------------------------ */

#define ROSTER_HEADER "submission,student_id,student_name"

/* One record of RFC 4180 text at *pos: fields into `fields`; CRLF or LF
 * ends it. 0, 1 at the end of the text, -1 (and *error) on a quote that
 * is never closed or text after a closing quote. *line follows newlines. */
static int csv_record(const char *text, size_t len, size_t *pos, size_t *line, struct strlist *fields,
                      const char **error)
{
    struct strbuf field = {0};
    size_t i = *pos;

    if (i >= len)
        return 1;
    for (;;) {
        if (i < len && text[i] == '"') {
            for (i++;; i++) {
                if (i >= len) {
                    *error = "a quoted field is never closed";
                    sb_free(&field);
                    return -1;
                }
                if (text[i] == '"' && i + 1 < len && text[i + 1] == '"')
                    i++;
                else if (text[i] == '"')
                    break;
                *line += text[i] == '\n';
                sb_append(&field, &text[i], 1);
            }
            i++;
            if (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                *error = "text after a closing quote (a quote inside a field is written \"\")";
                sb_free(&field);
                return -1;
            }
        }
        while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
            sb_append(&field, &text[i++], 1);
        if (!field.data)
            sb_append(&field, "", 0);
        sl_push(fields, field.data);
        sb_free(&field);
        if (i < len && text[i] == ',') {
            i++;
            continue;
        }
        i += i < len && text[i] == '\r';
        i += i < len && text[i] == '\n';
        *line += 1;
        *pos = i;
        return 0;
    }
}

/* Whether a roster key names this submission: its name as reported, its
 * last component (a trailing slash dropped), or that without the archive
 * extension ("jane" for "class/jane.zip"). */
static int key_matches(const char *key, const char *name)
{
    char *copy = xstrdup(name);
    size_t n = strlen(copy);
    char *base;
    int match;

    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = '\0';
    base = strrchr(copy, '/') ? strrchr(copy, '/') + 1 : copy;
    match = strcmp(key, name) == 0 || strcmp(key, base) == 0
            || (archive_suffix(base) && strlen(key) == strlen(base) - archive_suffix(base)
                && strncmp(key, base, strlen(key)) == 0);
    free(copy);
    return match;
}

static int roster_row(struct intake *in, const struct strlist *f, struct strlist *keys, const char *path,
                      size_t line)
{
    if (f->count != 3) {
        fprintf(stderr, "moulinette: %s:%zu: %zu fields, expected 3 (" ROSTER_HEADER ")\n", path, line,
                f->count);
        return -1;
    }
    if (!*f->items[0] || sl_contains(keys, f->items[0])) {
        fprintf(stderr, "moulinette: %s:%zu: %s submission key\n", path, line,
                *f->items[0] ? "a duplicate" : "an empty");
        return -1;
    }
    sl_push(keys, f->items[0]);
    for (size_t i = 0; i < in->count; i++) {
        struct submission *s = &in->subs[i];

        if (!s->student_id && key_matches(f->items[0], s->name)) {
            s->student_id = xstrdup(f->items[1]);
            s->student_name = xstrdup(f->items[2]);
        }
    }
    return 0;
}

static int read_roster(struct intake *in, const char *path, const char *text, size_t len)
{
    struct strlist keys = {0};
    struct strlist fields = {0};
    const char *error = NULL;
    size_t pos = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0; /* a spreadsheet's BOM */
    size_t line = 1;
    size_t at = line;
    int rc = 0;
    int r;

    while (rc == 0 && (at = line, r = csv_record(text, len, &pos, &line, &fields, &error)) == 0) {
        if (at == 1) {
            struct strbuf h = {0};

            for (size_t i = 0; i < fields.count; i++)
                sb_printf(&h, "%s%s", i ? "," : "", fields.items[i]);
            if (!h.data || strcmp(h.data, ROSTER_HEADER) != 0) {
                fprintf(stderr, "moulinette: %s:1: the header must be " ROSTER_HEADER "\n", path);
                rc = -1;
            }
            sb_free(&h);
        } else if (!(fields.count == 1 && !*fields.items[0])) /* a blank line */
            rc = roster_row(in, &fields, &keys, path, at);
        sl_free(&fields);
    }
    if (rc == 0 && r < 0) {
        fprintf(stderr, "moulinette: %s:%zu: %s\n", path, at, error);
        rc = -1;
    }
    if (rc == 0 && at == 1 && line == 1) {
        fprintf(stderr, "moulinette: %s: empty (the header is " ROSTER_HEADER ")\n", path);
        rc = -1;
    }
    sl_free(&fields);
    sl_free(&keys);
    return rc;
}

int intake_roster(struct intake *in, const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    int rc;

    if (!text) {
        fprintf(stderr, "moulinette: cannot read the roster %s: %s\n", path, strerror(errno));
        return -1;
    }
    rc = read_roster(in, path, text, len);
    free(text);
    for (size_t i = 0; rc == 0 && i < in->count; i++) {
        if (!in->subs[i].student_id) {
            char *name = shown(in->subs[i].name);

            fprintf(stderr, "moulinette: %s: not in the roster %s: graded without a student id\n", name,
                    path);
            free(name);
        }
    }
    return rc;
}

/* ---- grading --------------------------------------------------------------------- */

struct grade *intake_refused_grade(const struct config *cfg, const struct submission *s)
{
    struct grade *g = grade_new(cfg, s->name);

    g->compile_ok = 0;
    free(g->compile_log);
    g->compile_log = xasprintf("refused: %s", s->refusal);
    score_grade(g, cfg->forbidden_penalty);
    for (size_t i = 0; i < g->nrows; i++) {
        free(g->rows[i].message);
        g->rows[i].message = xstrdup("not graded: the submission was refused");
    }
    return g;
}

struct grade **intake_grade(struct intake *in, struct grader *g, const struct config *cfg)
{
    char **dirs = xcalloc(in->count + 1, sizeof *dirs);
    struct grade **graded;
    struct grade **grades;
    size_t n = 0;

    for (size_t i = 0; i < in->hide.count; i++)
        grader_hide(g, in->hide.items[i]);
    for (size_t i = 0; i < in->count; i++)
        if (!in->subs[i].refusal)
            dirs[n++] = in->subs[i].dir;
    graded = grader_grade(g, dirs, n);
    free(dirs);
    if (!graded)
        return NULL;
    grades = xcalloc(in->count + 1, sizeof *grades);
    n = 0;
    for (size_t i = 0; i < in->count; i++) {
        const struct submission *s = &in->subs[i];

        grades[i] = s->refusal ? intake_refused_grade(cfg, s) : graded[n++];
        free(grades[i]->submission);
        grades[i]->submission = xstrdup(s->name);
        grades[i]->student_id = s->student_id;
        grades[i]->student_name = s->student_name;
    }
    free(graded);
    return grades;
}

static void submission_free(struct submission *s)
{
    free(s->name);
    free(s->dir);
    free(s->refusal);
    free(s->student_id);
    free(s->student_name);
}

void intake_take_shard(struct intake *in, int shard, int shards)
{
    size_t kept = 0;

    if (shards <= 0)
        return;
    for (size_t i = 0; i < in->count; i++) {
        if (i % (size_t)shards == (size_t)(shard - 1))
            in->subs[kept++] = in->subs[i];
        else
            submission_free(&in->subs[i]);
    }
    in->count = kept;
}

void intake_free(struct intake *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->count; i++)
        submission_free(&in->subs[i]);
    free(in->subs);
    if (in->temp) {
        remove_tree(in->temp);
        for (size_t i = 0; i < g_live.count; i++)
            if (strcmp(g_live.items[i], in->temp) == 0)
                g_live.items[i][0] = '\0'; /* removed: remove_tree("") does nothing */
    }
    if (in->temp_lock >= 0)
        close(in->temp_lock);
    free(in->temp);
    sl_free(&in->hide);
    free(in);
}
