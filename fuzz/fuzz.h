/*
 * fuzz.h - what the fuzz targets share: the libFuzzer entry point, the
 * oracles that turn a wrong report into a crash the fuzzer keeps, and
 * helpers to make grade strings from raw bytes.
 *
 * A target is built twice: with clang and -fsanitize=fuzzer (`make fuzz`,
 * libFuzzer's own main), and with gcc and fuzz/replay.c's main, which runs
 * it once per file of the seed corpus and of fuzz/regress/ (`make
 * check-asan`, no clang needed).
 */
#ifndef MM_FUZZ_H
#define MM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "../graders/util.h"

/* The checkout the targets were built from (config.yaml is read there). */
#ifndef MM_SOURCE_DIR
#define MM_SOURCE_DIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the code under test: prints it and aborts, which
 * libFuzzer records as a crash with the input that caused it. */
#define FZ_CHECK(cond, ...)                                                                        \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fz_fail(__FILE__, __LINE__, __VA_ARGS__);                                              \
    } while (0)

void fz_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

/* `n` bytes as a grade string: each NUL becomes C0 80, as the sandbox
 * keeps captured output (sandbox.h), so no byte is lost (caller frees). */
char *fz_cstring(const uint8_t *data, size_t n);

/* The same string repeated until it is longer than `min` bytes (a string
 * past a report's cap), or once when `min` is 0 or the string is empty. */
char *fz_repeat(const char *s, size_t min);

/* Length of the well-formed UTF-8 sequence at `s` (RFC 3629, table 3-7 of
 * the Unicode standard), 0 if there is none. Written apart from
 * utf8_decode() so that the two check each other. */
size_t fz_utf8_len(const unsigned char *s, size_t avail);

/* Returns NULL if the `n` bytes are text a terminal only shows (well-formed
 * UTF-8 without C0 controls but newline and tab, DEL or C1 controls), or
 * what is wrong and where (a static string). */
const char *fz_text_problem(const char *s, size_t n, size_t *at);

/* Called for each string value of a JSON text, in order, decoded (a
 * \u0000 as C0 80, as the grade held it; NUL-terminated): `key` is the
 * name of the member it is the value of, or of the array it is in ("" at
 * the top). */
typedef void fz_json_visit(void *ctx, const char *key, const char *value, size_t len);

/* Returns NULL if the `n` bytes are one valid JSON text (RFC 8259: no
 * control character in a string, escapes and surrogate pairs well formed,
 * UTF-8 well formed), or what is wrong (static) and where. `visit` (may be
 * NULL) sees every string value. */
const char *fz_json_problem(const char *s, size_t n, size_t *at, fz_json_visit *visit, void *ctx);

/* How many code points `len` bytes of UTF-8 hold, each byte that is not
 * part of a well-formed character counted as one. */
size_t fz_code_points(const char *s, size_t len);

#endif
