/*
 * json.h - writing JSON strings that stay valid whatever the bytes.
 */
#ifndef MM_JSON_H
#define MM_JSON_H

#include <stdio.h>

/* Writes the `len` bytes at `s` as a quoted JSON string, every one of
 * them accounted for (nothing after an odd byte is ever lost): quotes,
 * backslashes and control characters escaped, a NUL byte as \u0000, and
 * each byte that is not part of valid UTF-8 as one U+FFFD (\ufffd), so a
 * reader sees where and how many there were. The two bytes C0 80 are
 * written \u0000 too: they are how captured output keeps its NUL bytes
 * in a C string (see sandbox.h). */
void json_string_len(FILE *out, const char *s, size_t len);

/* The same for a C string; NULL is written "". */
void json_string(FILE *out, const char *s);

/* json_string, but the escaped text between the quotes stays within
 * `max` bytes (escapes make a byte up to six): what does not fit is left
 * out and " (cut)" ends the string. Returns 1 if it cut. */
int json_string_capped(FILE *out, const char *s, size_t max);

#endif
