/*
 * json_read.c - see json_read.h.
 */
#include "json_read.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Deeper than any report: a document made to exhaust the stack is refused. */
#define JR_MAX_DEPTH 64

struct parser {
    const char *s;
    size_t len;
    size_t pos;
    char *error;
};

static int fail(struct parser *p, const char *what)
{
    size_t line = 1, col = 1;

    if (p->error)
        return -1;
    for (size_t i = 0; i < p->pos && i < p->len; i++) {
        if (p->s[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    p->error = xasprintf("%zu:%zu: %s", line, col, what);
    return -1;
}

static void skip_space(struct parser *p)
{
    while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
        p->pos++;
}

static int literal(struct parser *p, const char *word)
{
    size_t n = strlen(word);

    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return fail(p, "unexpected character");
    p->pos += n;
    return 0;
}

static int hex4(struct parser *p, unsigned *out)
{
    *out = 0;
    if (p->len - p->pos < 4)
        return fail(p, "short \\u escape");
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos++];

        *out <<= 4;
        if (c >= '0' && c <= '9')
            *out |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            *out |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            *out |= (unsigned)(c - 'A' + 10);
        else
            return fail(p, "bad \\u escape");
    }
    return 0;
}

static void put_utf8(struct strbuf *b, unsigned cp)
{
    if (cp == 0)
        sb_printf(b, "%c%c", 0xc0, 0x80);
    else if (cp < 0x80)
        sb_printf(b, "%c", (int)cp);
    else if (cp < 0x800)
        sb_printf(b, "%c%c", 0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000)
        sb_printf(b, "%c%c%c", 0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else
        sb_printf(b, "%c%c%c%c", 0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f),
                  0x80 | (cp & 0x3f));
}

/* A \u escape, with its low surrogate when it is a high one. */
static int unicode_escape(struct parser *p, struct strbuf *b)
{
    unsigned cp, low;

    if (hex4(p, &cp) != 0)
        return -1;
    if (cp >= 0xd800 && cp < 0xdc00) {
        if (p->len - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
            return fail(p, "lone high surrogate");
        p->pos += 2;
        if (hex4(p, &low) != 0 || low < 0xdc00 || low > 0xdfff)
            return fail(p, "bad low surrogate");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    } else if (cp >= 0xdc00 && cp < 0xe000) {
        return fail(p, "lone low surrogate");
    }
    put_utf8(b, cp);
    return 0;
}

static int escape(struct parser *p, struct strbuf *b)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    const char *at;

    if (p->pos >= p->len)
        return fail(p, "unterminated string");
    if (p->s[p->pos] == 'u') {
        p->pos++;
        return unicode_escape(p, b);
    }
    at = strchr(from, p->s[p->pos]);
    if (!at || !*at)
        return fail(p, "bad escape");
    sb_printf(b, "%c", to[at - from]);
    p->pos++;
    return 0;
}

static int string(struct parser *p, char **out)
{
    struct strbuf b = {0};

    sb_printf(&b, "%s", "");
    p->pos++; /* the opening quote */
    while (p->pos < p->len && p->s[p->pos] != '"') {
        unsigned char c = (unsigned char)p->s[p->pos];

        if (c < 0x20) {
            sb_free(&b);
            return fail(p, "control character in a string");
        }
        if (c == '\\') {
            p->pos++;
            if (escape(p, &b) != 0) {
                sb_free(&b);
                return -1;
            }
            continue;
        }
        /* Bytes other than escapes are copied: the reports are UTF-8. */
        sb_printf(&b, "%c", c);
        p->pos++;
    }
    if (p->pos >= p->len) {
        sb_free(&b);
        return fail(p, "unterminated string");
    }
    p->pos++;
    *out = b.data;
    return 0;
}

static int number(struct parser *p, double *out)
{
    char buf[64];
    size_t n = 0;
    char *end;

    while (p->pos + n < p->len && n < sizeof buf - 1 && strchr("+-.0123456789eE", p->s[p->pos + n])
           && p->s[p->pos + n])
        n++;
    memcpy(buf, p->s + p->pos, n);
    buf[n] = '\0';
    *out = strtod(buf, &end);
    if (n == 0 || *end)
        return fail(p, "bad number");
    p->pos += n;
    return 0;
}

static int value(struct parser *p, struct jr_value *v, int depth);

static int members(struct parser *p, struct jr_value *v, int depth, int object)
{
    char close = object ? '}' : ']';

    p->pos++;
    skip_space(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return 0;
    }
    for (;;) {
        v->items = xrealloc(v->items, (v->count + 1) * sizeof *v->items);
        memset(&v->items[v->count], 0, sizeof *v->items);
        if (object) {
            v->keys = xrealloc(v->keys, (v->count + 1) * sizeof *v->keys);
            v->keys[v->count] = NULL;
            skip_space(p);
            if (p->pos >= p->len || p->s[p->pos] != '"' || string(p, &v->keys[v->count]) != 0) {
                v->count++;
                return fail(p, "expected a key");
            }
            skip_space(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') {
                v->count++;
                return fail(p, "expected ':'");
            }
            p->pos++;
        }
        if (value(p, &v->items[v->count++], depth + 1) != 0)
            return -1;
        skip_space(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            return 0;
        }
        return fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int value(struct parser *p, struct jr_value *v, int depth)
{
    if (depth > JR_MAX_DEPTH)
        return fail(p, "nested too deep");
    skip_space(p);
    if (p->pos >= p->len)
        return fail(p, "unexpected end");
    switch (p->s[p->pos]) {
    case '{':
        v->type = JR_OBJECT;
        return members(p, v, depth, 1);
    case '[':
        v->type = JR_ARRAY;
        return members(p, v, depth, 0);
    case '"':
        v->type = JR_STRING;
        return string(p, &v->string);
    case 't':
        v->type = JR_BOOL;
        v->boolean = 1;
        return literal(p, "true");
    case 'f':
        v->type = JR_BOOL;
        return literal(p, "false");
    case 'n':
        v->type = JR_NULL;
        return literal(p, "null");
    default:
        v->type = JR_NUMBER;
        return number(p, &v->number);
    }
}

int jr_parse(const char *text, size_t len, struct jr_value *out, char **error)
{
    struct parser p = {text, len, 0, NULL};

    memset(out, 0, sizeof *out);
    if (value(&p, out, 0) == 0) {
        skip_space(&p);
        if (p.pos != p.len)
            fail(&p, "text after the document");
    }
    if (p.error) {
        jr_free(out);
        *error = p.error;
        return -1;
    }
    return 0;
}

void jr_free(struct jr_value *v)
{
    for (size_t i = 0; i < v->count; i++) {
        jr_free(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    memset(v, 0, sizeof *v);
}

const struct jr_value *jr_get(const struct jr_value *obj, const char *key)
{
    if (!obj || obj->type != JR_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (obj->keys[i] && strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}

const char *jr_string(const struct jr_value *obj, const char *key, const char *def)
{
    const struct jr_value *v = jr_get(obj, key);

    return v && v->type == JR_STRING ? v->string : def;
}

double jr_number(const struct jr_value *obj, const char *key, double def)
{
    const struct jr_value *v = jr_get(obj, key);

    return v && v->type == JR_NUMBER ? v->number : def;
}

int jr_bool(const struct jr_value *obj, const char *key, int def)
{
    const struct jr_value *v = jr_get(obj, key);

    return v && v->type == JR_BOOL ? v->boolean : def;
}
