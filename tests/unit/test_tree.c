/*
 * Unit tests of remove_tree: what a job leaves in its scratch folder
 * cannot keep it there (a chain of folders deeper than PATH_MAX, folders
 * made unreadable), and a symlink never leads the removal outside.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../graders/util.h"

static char *make_temp_dir(void)
{
    char *dir = xstrdup("/tmp/mm-unit-tree-XXXXXX");

    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    return dir;
}

static void write_file_at(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    cr_assert_geq(fd, 0, "creating %s: %s", name, strerror(errno));
    cr_assert_eq(write(fd, "data\n", 5), 5);
    close(fd);
}

static int exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

/* `depth` nested folders of 100-character names, a file in each. */
static void make_chain(const char *top, int depth)
{
    char name[101];
    int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    memset(name, 'd', 100);
    name[100] = '\0';
    for (int i = 0; i < depth; i++) {
        int next;

        write_file_at(fd, "f");
        cr_assert_eq(mkdirat(fd, name, 0755), 0, "mkdirat at depth %d: %s", i, strerror(errno));
        next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(next, 0);
        close(fd);
        fd = next;
    }
    write_file_at(fd, "last");
    close(fd);
}

Test(remove_tree, chain_deeper_than_path_max)
{
    char *top = make_temp_dir();
    int depth = 3 * PATH_MAX / 101; /* paths three times PATH_MAX long */

    make_chain(top, depth);
    remove_tree(top);
    cr_assert(!exists(top), "%s is still there", top);
    free(top);
}

/* Folders a job made unreadable and unwritable (chmod 0), with files in
 * them, go too: as root, and as their unprivileged owner. */
static void chmod_zero_tree(const char *top)
{
    char *a = xasprintf("%s/a", top);
    char *b = xasprintf("%s/a/b", top);
    char *f = xasprintf("%s/a/b/file", top);
    int fd;

    cr_assert_eq(mkdir(a, 0755), 0);
    cr_assert_eq(mkdir(b, 0755), 0);
    fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(chmod(b, 0), 0);
    cr_assert_eq(chmod(a, 0), 0);
    free(a);
    free(b);
    free(f);
}

Test(remove_tree, chmod_zero_folders)
{
    char *top = make_temp_dir();

    chmod_zero_tree(top);
    cr_assert_eq(chmod(top, 0), 0);
    remove_tree(top);
    cr_assert(!exists(top), "%s is still there", top);
    free(top);
}

/* Criterion runs each test in its own process: dropping root is local. */
Test(remove_tree, chmod_zero_folders_unprivileged_owner)
{
    char *top;

    if (geteuid() == 0)
        cr_assert(setgid(65534) == 0 && setuid(65534) == 0, "setuid: %s", strerror(errno));
    top = make_temp_dir();
    chmod_zero_tree(top);
    remove_tree(top);
    cr_assert(!exists(top), "%s is still there", top);
    free(top);
}

/* Symlinks are removed, never followed: not to a folder outside, not as
 * the top itself. */
Test(remove_tree, symlinks_not_followed)
{
    char *top = make_temp_dir();
    char *outside = make_temp_dir();
    char *kept = xasprintf("%s/kept", outside);
    char *link = xasprintf("%s/link", top);
    char *sub = xasprintf("%s/sub", top);
    char *deep_link = xasprintf("%s/sub/up", top);
    char *top_link = xasprintf("%s/top-link", outside);
    int fd = open(outside, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    write_file_at(fd, "kept");
    close(fd);
    cr_assert_eq(symlink(outside, link), 0);
    cr_assert_eq(mkdir(sub, 0755), 0);
    cr_assert_eq(symlink(outside, deep_link), 0);
    cr_assert_eq(symlink(outside, top_link), 0);

    remove_tree(top_link); /* the link goes, not what it points to */
    cr_assert(!exists(top_link));
    cr_assert(exists(kept));
    remove_tree(top);
    cr_assert(!exists(top));
    cr_assert(exists(kept), "the removal followed a symlink to %s", outside);
    remove_tree(outside);
    cr_assert(!exists(outside));
    free(top);
    free(outside);
    free(kept);
    free(link);
    free(sub);
    free(deep_link);
    free(top_link);
}

/* What cannot be removed stays, the rest goes, and the walk ends: here a
 * folder of another user's, entered by a user who may not empty it (a
 * child of the test, which then cleans up as root). */
Test(remove_tree, what_cannot_go_stays_and_the_walk_ends)
{
    char *top;
    char *theirs;
    char *mine;
    pid_t child;
    int status;
    int fd;

    if (geteuid() != 0)
        cr_skip_test("needs root to make a folder of another user's");
    top = make_temp_dir();
    theirs = xasprintf("%s/theirs", top);
    mine = xasprintf("%s/mine", top);
    cr_assert_eq(mkdir(theirs, 0755), 0);
    fd = open(theirs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    write_file_at(fd, "f");
    close(fd);
    cr_assert_eq(mkdir(mine, 0755), 0);
    cr_assert_eq(chown(top, 65534, 65534), 0);
    cr_assert_eq(chown(mine, 65534, 65534), 0);
    child = fork();
    if (child == 0) {
        if (setgid(65534) == 0 && setuid(65534) == 0)
            remove_tree(top);
        _exit(0);
    }
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(!exists(mine));
    cr_assert(exists(theirs));
    cr_assert(exists(top));
    remove_tree(top);
    cr_assert(!exists(top));
    free(top);
    free(theirs);
    free(mine);
}

Test(remove_tree, plain_file_and_missing_path)
{
    char *top = make_temp_dir();
    char *file = xasprintf("%s/file", top);
    int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    write_file_at(fd, "file");
    close(fd);
    remove_tree(file);
    cr_assert(!exists(file));
    remove_tree(file); /* already gone: nothing to do, no harm */
    remove_tree(top);
    cr_assert(!exists(top));
    free(top);
    free(file);
}
