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

/* Bytes the next character takes once escaped, and how many it reads. */
static size_t escaped_size(const unsigned char *s, size_t avail, size_t *reads)
{
    unsigned cp;
    size_t len = utf8_decode((const char *)s, avail, &cp);

    if (is_nul_pair(s, avail)) {
        *reads = 2;
        return 6;
    }
    if (len == 0) {
        *reads = 1;
        return 6;
    }
    *reads = len;
    if (len == 1 && (*s < 0x20 || *s == '"' || *s == '\\' || *s == 0x7f))
        return strchr("\"\\\n\t\r", *s) && *s ? 2 : 6;
    return len;
}

static void put_char(FILE *out, const unsigned char *s, size_t reads, size_t size)
{
    if (is_nul_pair(s, reads))
        fputs("\\u0000", out);
    else if (size == 6 && reads == 1 && *s >= 0x80)
        fputs("\\ufffd", out);
    else if (reads == 1 && size > 1)
        put_escape(out, *s);
    else
        fwrite(s, 1, reads, out);
}

/* Writes at most `max` escaped bytes; returns 1 if it stopped short. */
static int put_escaped(FILE *out, const unsigned char *s, size_t n, size_t max)
{
    const unsigned char *end = s + n;
    size_t used = 0;

    while (s < end) {
        size_t reads;
        size_t size = escaped_size(s, (size_t)(end - s), &reads);

        if (used + size > max)
            return 1;
        put_char(out, s, reads, size);
        used += size;
        s += reads;
    }
    return 0;
}

void json_string_len(FILE *out, const char *str, size_t n)
{
    fputc('"', out);
    put_escaped(out, (const unsigned char *)str, n, (size_t)-1);
    fputc('"', out);
}

int json_string_capped(FILE *out, const char *s, size_t max)
{
    int cut;

    fputc('"', out);
    cut = put_escaped(out, (const unsigned char *)(s ? s : ""), s ? strlen(s) : 0, max);
    if (cut)
        fputs(" (cut)", out);
    fputc('"', out);
    return cut;
}

void json_string(FILE *out, const char *s)
{
    json_string_len(out, s ? s : "", s ? strlen(s) : 0);
}
