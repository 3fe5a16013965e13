/*
 * intake.h - from the command line's arguments to submissions, the way a
 * course's platform exports them:
 *
 *   a folder holding memory_mapper.c      that folder;
 *   a folder holding it somewhere below   the one folder below that holds it
 *                                         (LMS exports: "Jane Doe_12345_
 *                                         assignsubmission_file_/work/");
 *   an archive (.zip .tar .tar.gz .tgz)   extracted into a private folder
 *                                         (libarchive), then as a folder;
 *   a folder of submissions               one submission per entry (each
 *                                         an archive or a folder as above).
 *
 * A folder is one submission when memory_mapper.c is in it, or when it
 * holds no archive and at most one of its subfolders has memory_mapper.c
 * somewhere below; it is a folder of submissions when it holds an archive,
 * or when two or more of its subfolders each have one below them. A
 * submission folder that holds no memory_mapper.c but exactly one archive
 * (a Moodle export of a student's .zip) is that archive.
 *
 * Anything else is refused, submission by submission, with a reason the
 * report carries as the compile log (score 0): archive members with an
 * absolute path or "..", links of any kind, devices, FIFOs and sockets, an
 * archive that cannot be read, one that unpacks to more bytes or members
 * than config.yaml's limits.archive_mb and limits.archive_members (counted
 * while writing, never taken from the headers), a path longer than
 * PATH_MAX, no memory_mapper.c, or more than one where it could be.
 * Nothing here runs or compiles anything: the grader does that, sandboxed.
 */
#ifndef MM_INTAKE_H
#define MM_INTAKE_H

#include <stddef.h>

#include "config.h"
#include "grade.h"
#include "grader.h"

/* Used when config.yaml leaves limits.archive_mb or archive_members out. */
#define INTAKE_DEFAULT_ARCHIVE_MB 64
#define INTAKE_DEFAULT_ARCHIVE_MEMBERS 2000

struct submission {
    char *name;    /* as the instructor knows it: the argument as given, or
                      "ARGUMENT/ENTRY" for an entry of a folder of submissions */
    char *dir;     /* the folder that holds the sources (given, found below,
                      or extracted); NULL when refused */
    char *refusal; /* why it is not graded; NULL when dir is set */
    char *student_id;   /* from the roster (intake_roster); NULL if not listed */
    char *student_name;
};

struct intake {
    struct submission *subs; /* in argument order, then entry order (sorted) */
    size_t count;
    struct strlist hide;     /* what no job may see: each argument (an
                                archive's folder), the extraction folder */
    char *temp;              /* private folder of the extracted archives, or NULL */
    int temp_lock;           /* its .lock, held (flock) while this grader lives */
};

/* Turns the arguments into submissions (refused ones included). Only the
 * grader's own failures (no temporary folder, out of memory) end the run,
 * through die(). The temporary folder is removed by intake_free, or at
 * exit, or by the next run of the grader if this one was killed (it is
 * named and locked like a run directory: build_sweep_stale). */
struct intake *intake_open(const struct config *cfg, char *const *args, size_t nargs);

/* --shard I/N: keeps the I-th submission and every N-th after it (in the
 * order above, refused ones included), so N graders given the same
 * arguments share the submissions out without overlap, however the
 * arguments hold them (a folder of 300 archives is one argument). 0
 * shards keeps all. */
void intake_take_shard(struct intake *in, int shard, int shards);

/* Reads `path`, a CSV file (RFC 4180) whose header is exactly
 * "submission,student_id,student_name", and gives each submission the id
 * and name of the row whose key is its name, its last path component, or
 * that component without an archive extension. Submissions that no row
 * names get a warning on stderr and are graded anyway. -1, with
 * "file:line: why" on stderr, when the file cannot be read or is not such
 * a CSV (a duplicate key included). */
int intake_roster(struct intake *in, const char *path);

/* Grades the submissions that were not refused (grader_grade), and makes
 * the refused ones grades of their own (compile_ok 0, every row failed,
 * the reason as compile log); every grade named and given its student as
 * in the intake. The grades point into `in` (student_id, student_name):
 * free them before it. One grade per submission, in order; NULL when
 * grading was interrupted. */
struct grade **intake_grade(struct intake *in, struct grader *g, const struct config *cfg);

/* A refused submission's grade (intake_grade; exposed for tests). */
struct grade *intake_refused_grade(const struct config *cfg, const struct submission *s);

/* Whether `name` ends like an archive intake reads (.zip, .tar, .tar.gz,
 * .tgz, in any case). */
int intake_is_archive(const char *name);

/* Removes the temporary folder and frees everything. NULL is fine. */
void intake_free(struct intake *in);

#endif
