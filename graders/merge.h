/*
 * merge.h - `moulinette merge`: JSON reports graded on different machines
 * or in several runs (--shard I/N) become one report, in any format.
 *
 *   moulinette merge [--config FILE] [--format FMT] [--output FILE] [--force]
 *                    REPORT.json...
 *
 * The grades are read back as they were written (nothing is graded again);
 * their rows are the config's, matched by id. Refused unless --force:
 * reports made with different configs or tests (provenance hashes), a
 * config other than the one given, and a submission graded in two reports.
 */
#ifndef MM_MERGE_H
#define MM_MERGE_H

/* The subcommand; argv[0] is "merge". Returns the exit status (0, 1 when a
 * report cannot be read or merged, 2 for usage). */
int merge_main(int argc, char **argv);

#endif
