/*
 * json.h - writing JSON strings that stay valid whatever the bytes.
 */
#ifndef MM_JSON_H
#define MM_JSON_H

#include <stdio.h>

/* Writes `s` as a quoted JSON string: quotes, backslashes and control
 * characters escaped, invalid UTF-8 replaced by U+FFFD. */
void json_string(FILE *out, const char *s);

#endif
