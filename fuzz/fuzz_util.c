/*
 * fuzz_util.c - see fuzz.h. The checkers here are deliberately written
 * from the standards, not from the grader's code: a bug shared by the
 * writer and its checker would never be found.
 */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fz_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: broken promise: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

char *fz_cstring(const uint8_t *data, size_t n)
{
    struct strbuf sb = {0};

    sb_append(&sb, "", 0);
    while (n > 0) {
        const uint8_t *nul = memchr(data, 0, n);
        size_t run = nul ? (size_t)(nul - data) : n;

        sb_append(&sb, (const char *)data, run);
        if (!nul)
            break;
        sb_append(&sb, "\xc0\x80", 2);
        data += run + 1;
        n -= run + 1;
    }
    return sb_take(&sb);
}

char *fz_repeat(const char *s, size_t min)
{
    struct strbuf sb = {0};
    size_t len = strlen(s);

    sb_append(&sb, s, len);
    while (len > 0 && sb.len <= min)
        sb_append(&sb, s, len);
    return sb_take(&sb);
}

/* ---- UTF-8 ------------------------------------------------------------------- */

static int in(unsigned char c, unsigned char lo, unsigned char hi)
{
    return c >= lo && c <= hi;
}

size_t fz_utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    size_t len;

    if (avail == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    if (in(s[0], 0xc2, 0xdf))
        len = 2;
    else if (in(s[0], 0xe0, 0xef))
        len = 3;
    else if (in(s[0], 0xf0, 0xf4))
        len = 4;
    else
        return 0;
    /* The second byte's range excludes overlong forms, surrogates and
     * code points past U+10FFFF. */
    if (s[0] == 0xe0)
        lo = 0xa0;
    else if (s[0] == 0xed)
        hi = 0x9f;
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f;
    if (avail < len || !in(s[1], lo, hi))
        return 0;
    for (size_t i = 2; i < len; i++)
        if (!in(s[i], 0x80, 0xbf))
            return 0;
    return len;
}

const char *fz_text_problem(const char *str, size_t n, size_t *at)
{
    const unsigned char *s = (const unsigned char *)str;

    for (size_t i = 0; i < n;) {
        size_t len = fz_utf8_len(s + i, n - i);

        *at = i;
        if (len == 0)
            return "a byte that is not well-formed UTF-8";
        if (len == 1 && (s[i] < 0x20 || s[i] == 0x7f) && s[i] != '\n' && s[i] != '\t')
            return "a C0 control character or DEL";
        if (len == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0)
            return "a C1 control character";
        i += len;
    }
    return NULL;
}

size_t fz_code_points(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = 0;

    for (size_t i = 0; i < len; n++) {
        size_t one = fz_utf8_len(s + i, len - i);

        i += one ? one : 1;
    }
    return n;
}

/* ---- JSON -------------------------------------------------------------------- */

struct json {
    const unsigned char *s;
    size_t n;
    size_t i;
    fz_json_visit *visit;
    void *ctx;
    const char *problem;
};

enum { JSON_MAX_DEPTH = 64 };

static int fail(struct json *j, const char *problem)
{
    if (!j->problem)
        j->problem = problem;
    return 0;
}

static void skip_space(struct json *j)
{
    while (j->i < j->n && strchr(" \t\n\r", j->s[j->i]) && j->s[j->i])
        j->i++;
}

static int literal(struct json *j, const char *word)
{
    size_t len = strlen(word);

    if (j->n - j->i < len || memcmp(j->s + j->i, word, len) != 0)
        return fail(j, "an unknown literal");
    j->i += len;
    return 1;
}

static int hex4(struct json *j, unsigned *out)
{
    *out = 0;
    if (j->n - j->i < 4)
        return fail(j, "a \\u escape cut short");
    for (int k = 0; k < 4; k++) {
        unsigned char c = j->s[j->i++];
        unsigned d;

        if (in(c, '0', '9'))
            d = c - '0';
        else if (in(c, 'a', 'f'))
            d = c - 'a' + 10;
        else if (in(c, 'A', 'F'))
            d = c - 'A' + 10;
        else
            return fail(j, "a \\u escape with a non-hex digit");
        *out = *out << 4 | d;
    }
    return 1;
}

static void put_code_point(struct strbuf *sb, unsigned cp)
{
    char b[4];
    size_t len;

    if (cp == 0) {
        sb_append(sb, "\xc0\x80", 2);
        return;
    }
    if (cp < 0x80) {
        b[0] = (char)cp;
        len = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3f));
        len = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | cp >> 12);
        b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        len = 3;
    } else {
        b[0] = (char)(0xf0 | cp >> 18);
        b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
        b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        len = 4;
    }
    sb_append(sb, b, len);
}

/* \uXXXX, with its low half when it is a high surrogate. Lone surrogates
 * are refused: they are valid JSON syntax but no Unicode text (RFC 8259
 * section 8.2), and many readers reject them. */
static int unicode_escape(struct json *j, struct strbuf *out)
{
    unsigned cp;
    unsigned low;

    if (!hex4(j, &cp))
        return 0;
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return fail(j, "a lone low surrogate");
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (j->n - j->i < 2 || j->s[j->i] != '\\' || j->s[j->i + 1] != 'u')
            return fail(j, "a high surrogate without its low half");
        j->i += 2;
        if (!hex4(j, &low))
            return 0;
        if (low < 0xdc00 || low > 0xdfff)
            return fail(j, "a high surrogate without its low half");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    if (out)
        put_code_point(out, cp);
    return 1;
}

static int escape(struct json *j, struct strbuf *out)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    const char *e;

    if (j->i >= j->n)
        return fail(j, "a string cut short");
    e = strchr(from, j->s[j->i]);
    if (j->s[j->i] == 'u') {
        j->i++;
        return unicode_escape(j, out);
    }
    if (!e || !j->s[j->i])
        return fail(j, "an unknown escape");
    if (out)
        sb_append(out, &to[e - from], 1);
    j->i++;
    return 1;
}

/* A string; its decoded value goes to `out` when not NULL. */
static int string(struct json *j, struct strbuf *out)
{
    if (j->i >= j->n || j->s[j->i] != '"')
        return fail(j, "expected a string");
    j->i++;
    while (j->i < j->n && j->s[j->i] != '"') {
        size_t start = j->i;

        if (j->s[j->i] == '\\') {
            j->i++;
            if (!escape(j, out))
                return 0;
            continue;
        }
        /* A run of characters that stand for themselves, copied at once. */
        while (j->i < j->n && j->s[j->i] != '"' && j->s[j->i] != '\\') {
            size_t len = fz_utf8_len(j->s + j->i, j->n - j->i);

            if (len == 0)
                return fail(j, "a byte that is not well-formed UTF-8 in a string");
            if (j->s[j->i] < 0x20)
                return fail(j, "a raw control character in a string");
            j->i += len;
        }
        if (out)
            sb_append(out, (const char *)j->s + start, j->i - start);
    }
    if (j->i >= j->n)
        return fail(j, "a string cut short");
    j->i++;
    return 1;
}

static int number(struct json *j)
{
    size_t start;

    if (j->i < j->n && j->s[j->i] == '-')
        j->i++;
    if (j->i >= j->n || !in(j->s[j->i], '0', '9'))
        return fail(j, "a number without digits");
    if (j->s[j->i] == '0')
        j->i++;
    else
        while (j->i < j->n && in(j->s[j->i], '0', '9'))
            j->i++;
    if (j->i < j->n && j->s[j->i] == '.') {
        start = ++j->i;
        while (j->i < j->n && in(j->s[j->i], '0', '9'))
            j->i++;
        if (j->i == start)
            return fail(j, "a number without digits after its point");
    }
    if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
            j->i++;
        start = j->i;
        while (j->i < j->n && in(j->s[j->i], '0', '9'))
            j->i++;
        if (j->i == start)
            return fail(j, "a number without exponent digits");
    }
    return 1;
}

static int value(struct json *j, int depth, const char *key);

/* A string value: decoded and shown to the visitor under `key`. */
static int string_value(struct json *j, const char *key)
{
    struct strbuf decoded = {0};
    int ok;

    sb_append(&decoded, "", 0);
    ok = string(j, &decoded);
    if (ok && j->visit)
        j->visit(j->ctx, key, decoded.data, decoded.len);
    sb_free(&decoded);
    return ok;
}

/* The items of an array (each under the array's `key`) or the members of
 * an object (each under its own name), up to `close`. */
static int items(struct json *j, int depth, int object, unsigned char close, const char *key)
{
    j->i++;
    skip_space(j);
    if (j->i < j->n && j->s[j->i] == close) {
        j->i++;
        return 1;
    }
    for (;;) {
        struct strbuf name = {0};
        int ok;

        sb_append(&name, object ? "" : key, object ? 0 : strlen(key));
        if (object) {
            if (!string(j, &name)) {
                sb_free(&name);
                return 0;
            }
            skip_space(j);
            if (j->i >= j->n || j->s[j->i] != ':') {
                sb_free(&name);
                return fail(j, "expected ':' after a member name");
            }
            j->i++;
        }
        ok = value(j, depth + 1, name.data);
        sb_free(&name);
        if (!ok)
            return 0;
        skip_space(j);
        if (j->i < j->n && j->s[j->i] == close) {
            j->i++;
            return 1;
        }
        if (j->i >= j->n || j->s[j->i] != ',')
            return fail(j, object ? "expected ',' or '}'" : "expected ',' or ']'");
        j->i++;
        skip_space(j);
    }
}

static int value(struct json *j, int depth, const char *key)
{
    if (depth > JSON_MAX_DEPTH)
        return fail(j, "nested too deep");
    skip_space(j);
    if (j->i >= j->n)
        return fail(j, "expected a value");
    switch (j->s[j->i]) {
    case '{':
        return items(j, depth, 1, '}', key);
    case '[':
        return items(j, depth, 0, ']', key);
    case '"':
        return string_value(j, key);
    case 't':
        return literal(j, "true");
    case 'f':
        return literal(j, "false");
    case 'n':
        return literal(j, "null");
    default:
        return number(j);
    }
}

const char *fz_json_problem(const char *s, size_t n, size_t *at, fz_json_visit *visit, void *ctx)
{
    struct json j = {(const unsigned char *)s, n, 0, visit, ctx, NULL};

    if (value(&j, 0, "")) {
        skip_space(&j);
        if (j.i != j.n)
            fail(&j, "something after the JSON text");
    }
    *at = j.i;
    return j.problem;
}
