/*
 * json.c - see json.h. The strings come from the student's code (its
 * output, its compiler messages), so nothing about them is trusted.
 */
#include "json.h"

#include <string.h>

#include "util.h"

static void put_escape(FILE *out, unsigned char c)
{
    switch (c) {
    case '"':
        fputs("\\\"", out);
        break;
    case '\\':
        fputs("\\\\", out);
        break;
    case '\n':
        fputs("\\n", out);
        break;
    case '\t':
        fputs("\\t", out);
        break;
    case '\r':
        fputs("\\r", out);
        break;
    default:
        fprintf(out, "\\u%04x", c);
    }
}

/* The stand-in for NUL in captured output ("modified UTF-8"). */
static int is_nul_pair(const unsigned char *s, size_t avail)
{
    return avail >= 2 && s[0] == 0xc0 && s[1] == 0x80;
}

void json_string_len(FILE *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    const unsigned char *end = s + n;
    unsigned cp;

    fputc('"', out);
    while (s < end) {
        size_t len = utf8_decode((const char *)s, (size_t)(end - s), &cp);

        if (is_nul_pair(s, (size_t)(end - s))) {
            fputs("\\u0000", out);
            s += 2;
        } else if (len == 0) {
            fputs("\\ufffd", out);
            s++;
        } else if (len == 1 && (*s < 0x20 || *s == '"' || *s == '\\' || *s == 0x7f)) {
            put_escape(out, *s++);
        } else {
            fwrite(s, 1, len, out);
            s += len;
        }
    }
    fputc('"', out);
}

void json_string(FILE *out, const char *s)
{
    json_string_len(out, s ? s : "", s ? strlen(s) : 0);
}
