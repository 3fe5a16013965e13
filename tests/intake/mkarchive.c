/*
 * mkarchive.c - writes the archives tests/intake/run.sh grades, hostile
 * ones included, with libarchive's writer (no zip or python3 needed, and
 * tar cannot write an absolute member path or a device on request):
 *
 *   mkarchive OUT zip|tar|tgz SPEC...
 *     f:PATH=FILE    a regular file, FILE's bytes
 *     z:PATH=BYTES   a regular file of BYTES zero bytes (a bomb once zipped)
 *     n:COUNT        COUNT one-byte files m0 .. m<COUNT-1>
 *     d:PATH         a folder
 *     l:PATH=TARGET  a symbolic link
 *     h:PATH=TARGET  a hard link
 *     p:PATH         a FIFO
 *     c:PATH         a character device (1, 3: /dev/null's)
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static struct archive *open_out(const char *out, const char *format)
{
    struct archive *a = archive_write_new();

    if (strcmp(format, "zip") == 0)
        archive_write_set_format_zip(a);
    else
        archive_write_set_format_pax_restricted(a);
    if (strcmp(format, "tgz") == 0)
        archive_write_add_filter_gzip(a);
    if (archive_write_open_filename(a, out) != ARCHIVE_OK) {
        fprintf(stderr, "mkarchive: %s: %s\n", out, archive_error_string(a));
        exit(1);
    }
    return a;
}

static void put(struct archive *a, const char *path, mode_t type, const char *link, const char *data,
                size_t size)
{
    struct archive_entry *e = archive_entry_new();

    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_mtime(e, 1700000000, 0);
    if (type == AE_IFREG)
        archive_entry_set_size(e, (la_int64_t)size);
    if (type == AE_IFLNK)
        archive_entry_set_symlink(e, link);
    if (type == AE_IFCHR)
        archive_entry_set_rdev(e, makedev(1, 3));
    if (type == AE_IFREG && link) {
        archive_entry_set_hardlink(e, link);
        archive_entry_set_size(e, 0);
    }
    if (archive_write_header(a, e) != ARCHIVE_OK) {
        fprintf(stderr, "mkarchive: %s: %s\n", path, archive_error_string(a));
        exit(1);
    }
    for (size_t done = 0; data && done < size;) {
        la_ssize_t n = archive_write_data(a, data + done, size - done > 65536 ? 65536 : size - done);

        if (n <= 0)
            exit(1);
        done += (size_t)n;
    }
    archive_entry_free(e);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(1 << 20);

    if (!f || !buf) {
        perror(path);
        exit(1);
    }
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static void add(struct archive *a, char *spec)
{
    char kind = spec[0];
    char *path = spec + 2;
    char *value = strchr(path, '=');
    size_t len;

    if (value)
        *value++ = '\0';
    if (kind == 'f') {
        char *data = slurp(value, &len);

        put(a, path, AE_IFREG, NULL, data, len);
        free(data);
    } else if (kind == 'z') {
        len = strtoul(value, NULL, 10);
        char *zeros = calloc(1, len ? len : 1);

        put(a, path, AE_IFREG, NULL, zeros, len);
        free(zeros);
    } else if (kind == 'n') {
        for (long i = 0; i < atol(path); i++) {
            char name[32];

            snprintf(name, sizeof name, "m%ld", i);
            put(a, name, AE_IFREG, NULL, "x", 1);
        }
    } else if (kind == 'd')
        put(a, path, AE_IFDIR, NULL, NULL, 0);
    else if (kind == 'l')
        put(a, path, AE_IFLNK, value, NULL, 0);
    else if (kind == 'h')
        put(a, path, AE_IFREG, value, NULL, 0);
    else if (kind == 'p')
        put(a, path, AE_IFIFO, NULL, NULL, 0);
    else if (kind == 'c')
        put(a, path, AE_IFCHR, NULL, NULL, 0);
    else {
        fprintf(stderr, "mkarchive: bad spec %s\n", spec);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    struct archive *a;

    if (argc < 3) {
        fputs("usage: mkarchive OUT zip|tar|tgz SPEC...\n", stderr);
        return 2;
    }
    a = open_out(argv[1], argv[2]);
    for (int i = 3; i < argc; i++)
        add(a, argv[i]);
    if (archive_write_close(a) != ARCHIVE_OK) {
        fprintf(stderr, "mkarchive: %s\n", archive_error_string(a));
        return 1;
    }
    archive_write_free(a);
    return 0;
}
