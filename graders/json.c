/*
 * json.c - see json.h. The strings come from the student's code (its
 * output, its compiler messages), so nothing about them is trusted.
 */
#include "json.h"

#include <stddef.h>

/* Length of the valid UTF-8 sequence at `s`, or 0 if it is not one. */
static size_t utf8_length(const unsigned char *s)
{
    size_t len;
    unsigned min;
    unsigned cp;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0)
        len = 2, min = 0x80, cp = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0)
        len = 3, min = 0x800, cp = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0)
        len = 4, min = 0x10000, cp = s[0] & 0x07;
    else
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

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

void json_string(FILE *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");

    fputc('"', out);
    while (*s) {
        size_t len = utf8_length(s);

        if (len == 0) {
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
