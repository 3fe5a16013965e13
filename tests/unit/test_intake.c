/*
 * Unit tests of intake.c: which folder of an argument is the submission
 * (given, nested, a folder of submissions), archives extracted into a
 * private folder that intake_free removes, each refusal with its reason
 * (paths out, links, devices, bytes and members counted while writing,
 * two candidates or none), the roster's CSV, and a refused submission's
 * grade.
 */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../graders/intake.h"

static struct row_config row = {.id = "row", .title = "Row", .category = "Cat", .points = 100};
static struct config cfg;
static char *top;

static void setup(void)
{
    top = xstrdup("/tmp/mm-unit-intake-XXXXXX");
    cr_assert_not_null(mkdtemp(top));
    cfg = (struct config){.rows = &row, .nrows = 1, .max_score = 100};
    sl_push(&cfg.sources, "memory_mapper.c");
}

static void teardown(void)
{
    remove_tree(top);
    free(top);
    sl_free(&cfg.sources);
}

TestSuite(intake, .init = setup, .fini = teardown, .timeout = 30);

static char *at(const char *rel)
{
    return xasprintf("%s/%s", top, rel);
}

/* Writes `rel` (its folders made) under the test's folder. */
static void put_file(const char *rel)
{
    char *path = at(rel);

    for (char *p = strchr(path + strlen(top) + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs("int x;\n", f);
    fclose(f);
    free(path);
}

/* An archive of members "TYPE:PATH" (f file, l symlink to /etc/passwd,
 * p FIFO), and `zeros` bytes in a file "zeros" if > 0. */
static char *make_zip(const char *name, const char *const *members, size_t zeros)
{
    char *path = at(name);
    struct archive *a = archive_write_new();

    archive_write_set_format_zip(a);
    cr_assert_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; members[i]; i++) {
        struct archive_entry *e = archive_entry_new();
        char kind = members[i][0];

        archive_entry_set_pathname(e, members[i] + 2);
        archive_entry_set_filetype(e, kind == 'l' ? AE_IFLNK : kind == 'd' ? AE_IFDIR : AE_IFREG);
        archive_entry_set_perm(e, kind == 'x' ? 0700 : 0600);
        if (kind == 'l')
            archive_entry_set_symlink(e, "/etc/passwd");
        archive_entry_set_size(e, kind == 'f' || kind == 'x' ? 7 : 0);
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s", archive_error_string(a));
        if (kind == 'f' || kind == 'x')
            archive_write_data(a, "int x;\n", 7);
        archive_entry_free(e);
    }
    if (zeros) {
        struct archive_entry *e = archive_entry_new();
        char *buf = xcalloc(1, zeros);

        archive_entry_set_pathname(e, "zeros");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)zeros);
        archive_write_header(a, e);
        archive_write_data(a, buf, zeros);
        archive_entry_free(e);
        free(buf);
    }
    archive_write_close(a);
    archive_write_free(a);
    return path;
}

static struct intake *take(const char *arg)
{
    char *args[] = {(char *)arg};

    return intake_open(&cfg, args, 1);
}

static void assert_refused(struct intake *in, const char *why)
{
    cr_assert_eq(in->count, 1);
    cr_assert_null(in->subs[0].dir, "graded: %s", in->subs[0].dir);
    cr_assert_not_null(strstr(in->subs[0].refusal, why), "refusal: %s", in->subs[0].refusal);
}

Test(intake, folder_with_the_source_is_the_submission)
{
    char *dir = at("jane");
    struct intake *in;

    put_file("jane/memory_mapper.c");
    put_file("jane/old/memory_mapper.c"); /* at the top wins, as before */
    in = take(dir);
    cr_assert_eq(in->count, 1);
    cr_assert_str_eq(in->subs[0].name, dir);
    cr_assert_str_eq(in->subs[0].dir, dir);
    cr_assert_null(in->temp, "no archive, no temporary folder");
    intake_free(in);
    free(dir);
}

Test(intake, nested_lms_folder)
{
    char *dir = at("export");
    char *want = at("export/Jane Doe_1_assignsubmission_file_/work");
    struct intake *in;

    put_file("export/Jane Doe_1_assignsubmission_file_/work/memory_mapper.c");
    put_file("export/Jane Doe_1_assignsubmission_file_/notes.txt");
    in = take(dir);
    cr_assert_eq(in->count, 1);
    cr_assert_str_eq(in->subs[0].name, dir);
    cr_assert_str_eq(in->subs[0].dir, want);
    intake_free(in);
    free(dir);
    free(want);
}

Test(intake, folder_of_submissions_one_per_entry_sorted)
{
    char *dir = at("class/");
    struct intake *in;

    put_file("class/b/memory_mapper.c");
    put_file("class/a/src/memory_mapper.c");
    put_file("class/c/readme.txt");
    put_file("class/.git/memory_mapper.c");
    in = take(dir);
    cr_assert_eq(in->count, 3);
    cr_assert(strstr(in->subs[0].name, "/class/a") && strstr(in->subs[0].dir, "/class/a/src"));
    cr_assert(strstr(in->subs[1].name, "/class/b") && in->subs[1].dir);
    cr_assert(strstr(in->subs[2].name, "/class/c") && strstr(in->subs[2].refusal, "memory_mapper.c is missing"));
    cr_assert_null(strstr(in->subs[0].name, "//"), "the argument's slash is not doubled");
    intake_free(in);
    free(dir);
}

Test(intake, zip_extracted_privately_and_removed)
{
    const char *members[] = {"f:work/memory_mapper.c", "x:work/run.sh", NULL};
    char *zip = make_zip("jane.zip", members, 0);
    struct intake *in = take(zip);
    char *temp;
    char *script;
    struct stat st;

    cr_assert_eq(in->count, 1);
    cr_assert_str_eq(in->subs[0].name, zip);
    cr_assert_not_null(in->subs[0].dir, "refused: %s", in->subs[0].refusal);
    cr_assert_eq(strncmp(in->subs[0].dir, in->temp, strlen(in->temp)), 0);
    cr_assert_eq(stat(in->temp, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700, "the extraction folder is private");
    script = xasprintf("%s/run.sh", in->subs[0].dir);
    cr_assert_eq(stat(script, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0755, "an executable member is 0755, not its own 0700");
    free(script);
    script = xasprintf("%s/memory_mapper.c", in->subs[0].dir);
    cr_assert_eq(stat(script, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0644);
    free(script);
    temp = xstrdup(in->temp);
    intake_free(in);
    cr_assert_neq(stat(temp, &st), 0, "intake_free removes %s", temp);
    free(temp);
    free(zip);
}

Test(intake, member_climbing_out_refused_nothing_written)
{
    const char *members[] = {"f:memory_mapper.c", "f:../../escaped", NULL};
    char *zip = make_zip("up.zip", members, 0);
    char *outside = at("escaped");
    struct intake *in = take(zip);

    assert_refused(in, "climbs out with ..");
    cr_assert_neq(access(outside, F_OK), 0);
    intake_free(in);
    free(outside);
    free(zip);
}

Test(intake, absolute_member_refused)
{
    const char *members[] = {"f:memory_mapper.c", "f:/tmp/mm-unit-intake-absolute", NULL};
    char *zip = make_zip("abs.zip", members, 0);
    struct intake *in = take(zip);

    assert_refused(in, "absolute path");
    cr_assert_neq(access("/tmp/mm-unit-intake-absolute", F_OK), 0);
    intake_free(in);
    free(zip);
}

Test(intake, symlink_refused)
{
    const char *members[] = {"f:memory_mapper.c", "l:memory_mapper.h", NULL};
    char *zip = make_zip("link.zip", members, 0);
    struct intake *in = take(zip);

    assert_refused(in, "a link (\"memory_mapper.h\")");
    intake_free(in);
    free(zip);
}

Test(intake, bytes_counted_while_writing)
{
    const char *members[] = {"f:memory_mapper.c", NULL};
    char *zip = make_zip("bomb.zip", members, (2 << 20) + 1);
    struct intake *in;

    cfg.limits.archive_mb = 2;
    in = take(zip);
    assert_refused(in, "more than 2 MB");
    intake_free(in);
    free(zip);
}

Test(intake, members_capped)
{
    const char *members[] = {"f:memory_mapper.c", "f:a", "f:b", "f:c", NULL};
    char *zip = make_zip("many.zip", members, 0);
    struct intake *in;

    cfg.limits.archive_members = 3;
    in = take(zip);
    assert_refused(in, "more than 3 members");
    intake_free(in);
    cfg.limits.archive_members = 4;
    in = take(zip);
    cr_assert_not_null(in->subs[0].dir, "4 members are allowed: %s", in->subs[0].refusal);
    intake_free(in);
    free(zip);
}

Test(intake, two_candidates_or_none_refused)
{
    const char *two[] = {"f:a/memory_mapper.c", "f:b/memory_mapper.c", NULL};
    const char *none[] = {"f:main.c", NULL};
    char *zip2 = make_zip("two.zip", two, 0);
    char *zip0 = make_zip("none.zip", none, 0);
    struct intake *in = take(zip2);

    assert_refused(in, "more than one memory_mapper.c (in \"a\" and \"b\")");
    intake_free(in);
    in = take(zip0);
    assert_refused(in, "memory_mapper.c is missing");
    intake_free(in);
    free(zip2);
    free(zip0);
}

Test(intake, corrupt_archive_refused)
{
    char *zip = at("junk.zip");
    FILE *f = fopen(zip, "w");
    struct intake *in;

    fputs("PK\003\004 this is not a zip", f);
    fclose(f);
    in = take(zip);
    assert_refused(in, "cannot be read");
    intake_free(in);
    free(zip);
}

static int roster(struct intake *in, const char *text)
{
    char *path = at("roster.csv");
    FILE *f = fopen(path, "w");
    int rc;

    fputs(text, f);
    fclose(f);
    rc = intake_roster(in, path);
    free(path);
    return rc;
}

Test(intake, roster_keys_and_rfc4180)
{
    const char *members[] = {"f:memory_mapper.c", NULL};
    char *zip = make_zip("jane.zip", members, 0);
    char *dir = at("Bob_2_assignsubmission_file_/");
    char *args[] = {zip, dir, (char *)"/nonexistent/carl"};
    struct intake *in;

    put_file("Bob_2_assignsubmission_file_/memory_mapper.c");
    in = intake_open(&cfg, args, 3);
    cr_assert_eq(roster(in, "\xef\xbb\xbfsubmission,student_id,student_name\r\n"
                            "jane,1,\"Doe, \"\"Jane\"\"\"\r\n"
                            "Bob_2_assignsubmission_file_,2,\"Bob\nSmith\"\r\n"
                            "\r\n"),
                 0);
    cr_assert_str_eq(in->subs[0].student_id, "1");
    cr_assert_str_eq(in->subs[0].student_name, "Doe, \"Jane\"");
    cr_assert_str_eq(in->subs[1].student_id, "2");
    cr_assert_str_eq(in->subs[1].student_name, "Bob\nSmith");
    cr_assert_null(in->subs[2].student_id, "not listed: graded without an id");
    cr_assert_not_null(in->subs[2].refusal);
    intake_free(in);
    free(zip);
    free(dir);
}

Test(intake, roster_errors)
{
    char *args[] = {(char *)"/nonexistent"};
    struct intake *in = intake_open(&cfg, args, 1);

    cr_assert_eq(roster(in, "key,id,name\n"), -1, "the header is exact");
    cr_assert_eq(roster(in, "submission,student_id,student_name\na,1,x\na,2,y\n"), -1, "duplicate key");
    cr_assert_eq(roster(in, "submission,student_id,student_name\na,1\n"), -1, "two fields");
    cr_assert_eq(roster(in, "submission,student_id,student_name\n\"a,1,x\n"), -1, "open quote");
    cr_assert_eq(roster(in, "submission,student_id,student_name\n\"a\"b,1,x\n"), -1, "text after a quote");
    cr_assert_eq(roster(in, ""), -1, "empty");
    intake_free(in);
}

Test(intake, refused_grade_scores_zero_with_the_reason)
{
    struct submission s = {.name = (char *)"jane.zip", .refusal = (char *)"the archive has a link"};
    struct grade *g = intake_refused_grade(&cfg, &s);

    cr_assert_str_eq(g->submission, "jane.zip");
    cr_assert_eq(g->compile_ok, 0);
    cr_assert_eq(g->score, 0);
    cr_assert_eq(g->max_score, 100);
    cr_assert_str_eq(g->compile_log, "refused: the archive has a link");
    cr_assert_str_eq(g->rows[0].message, "not graded: the submission was refused");
    grade_free(g);
}
