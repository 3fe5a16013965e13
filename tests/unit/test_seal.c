/*
 * Unit tests of build_seal_scratch: once the build is over, what is left
 * in the scratch folder is the grader's and writable by it only, and
 * whatever a compile job could have planted there (a symlink, a FIFO, a
 * second name of a file outside, a deep chain of folders) is gone, never
 * followed.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../graders/work.h"

static char *make_temp_dir(void)
{
    char *dir = xstrdup("/tmp/mm-unit-seal-XXXXXX");

    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    return dir;
}

static void make_file(const char *dir, const char *name, mode_t mode)
{
    char *path = xasprintf("%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

    cr_assert_geq(fd, 0, "creating %s: %s", path, strerror(errno));
    cr_assert_eq(write(fd, "x", 1), 1);
    close(fd);
    cr_assert_eq(chmod(path, mode), 0);
    if (geteuid() == 0)
        cr_assert_eq(chown(path, 65534, 65534), 0);
    free(path);
}

static struct stat stat_of(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    struct stat st;

    cr_assert_eq(lstat(path, &st), 0, "%s: %s", path, strerror(errno));
    free(path);
    return st;
}

static int exists(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    struct stat st;
    int ok = lstat(path, &st) == 0;

    free(path);
    return ok;
}

static void check_sealed(const char *dir, const char *name, mode_t mode)
{
    struct stat st = stat_of(dir, name);

    cr_assert_eq(st.st_uid, geteuid(), "%s: owner %d", name, (int)st.st_uid);
    cr_assert_eq(st.st_mode & 07777, mode, "%s: mode %o, expected %o", name,
                 (unsigned)(st.st_mode & 07777), (unsigned)mode);
}

Test(seal, files_and_folders_are_the_graders_and_not_writable)
{
    char *dir = make_temp_dir();
    char *sub = xasprintf("%s/sub", dir);
    struct work w = {.scratch = dir};

    make_file(dir, "memory_mapper.o", 0666);
    make_file(dir, "driver", 04777); /* setuid too: cleared */
    make_file(dir, "unreadable", 0);
    cr_assert_eq(mkdir(sub, 0777), 0);
    make_file(sub, "inner", 0622);
    cr_assert_eq(chmod(sub, 0), 0);
    cr_assert_eq(chmod(dir, 0777), 0);

    build_seal_scratch(&w);
    check_sealed(dir, ".", 0755);
    check_sealed(dir, "memory_mapper.o", 0644);
    check_sealed(dir, "driver", 0755);
    check_sealed(dir, "unreadable", 0644);
    check_sealed(dir, "sub", 0755);
    check_sealed(sub, "inner", 0644);
    remove_tree(dir);
    free(sub);
    free(dir);
}

Test(seal, planted_entries_are_removed_not_followed)
{
    char *dir = make_temp_dir();
    char *outside = make_temp_dir();
    char *symlink_path = xasprintf("%s/link", dir);
    char *fifo = xasprintf("%s/fifo", dir);
    char *hard = xasprintf("%s/hard", dir);
    char *target = xasprintf("%s/target", outside);
    struct work w = {.scratch = dir};
    struct stat st;

    make_file(outside, "target", 0666);
    cr_assert_eq(symlink(target, symlink_path), 0);
    cr_assert_eq(mkfifo(fifo, 0666), 0);
    cr_assert_eq(link(target, hard), 0);
    make_file(dir, "kept", 0644);

    build_seal_scratch(&w);
    cr_assert(!exists(dir, "link"));
    cr_assert(!exists(dir, "fifo"));
    cr_assert(!exists(dir, "hard"));
    cr_assert(exists(dir, "kept"));
    /* the file outside is as it was */
    cr_assert_eq(lstat(target, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0666);
    cr_assert_eq(st.st_nlink, 1);
    if (geteuid() == 0)
        cr_assert_eq(st.st_uid, 65534);
    remove_tree(dir);
    remove_tree(outside);
    free(symlink_path);
    free(fifo);
    free(hard);
    free(target);
    free(outside);
    free(dir);
}

/* The grader makes no deep folders: a chain is removed, not walked. */
Test(seal, deep_chain_removed)
{
    char *dir = make_temp_dir();
    struct work w = {.scratch = dir};
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    for (int i = 0; i < 200; i++) {
        int next;

        cr_assert_eq(mkdirat(fd, "d", 0777), 0);
        next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        close(fd);
        fd = next;
    }
    close(fd);
    build_seal_scratch(&w);
    cr_assert(exists(dir, "d"));
    cr_assert(!exists(dir, "d/d/d/d/d/d/d/d/d/d"));
    remove_tree(dir);
    free(dir);
}
