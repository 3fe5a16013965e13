/*
 * json_check.c - `build/json-check FILE...`: exits 0 if each file is one
 * valid JSON text (RFC 8259), else prints "FILE: byte N: what is wrong"
 * and exits 1. The end-to-end and load tests validate the grader's JSON
 * reports with it, so the check runs on every machine `make test` runs
 * on (no python3 needed, none skipped). The parser is the fuzz oracle's
 * (fuzz/fuzz_util.c), written from the RFC, not from the grader's writer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fuzz/fuzz.h"

int main(int argc, char **argv)
{
    int bad = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: json-check FILE...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        size_t len = 0;
        size_t at = 0;
        char *text = read_file(argv[i], &len);
        const char *problem;

        if (!text) {
            fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
            bad = 1;
            continue;
        }
        problem = fz_json_problem(text, len, &at, NULL, NULL);
        if (problem) {
            fprintf(stderr, "%s: byte %zu: %s\n", argv[i], at, problem);
            bad = 1;
        }
        free(text);
    }
    return bad;
}
