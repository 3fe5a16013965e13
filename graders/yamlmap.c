/*
 * yamlmap.c - see yamlmap.h.
 */
#include "yamlmap.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Messages quote the file's values, and a quoted YAML value may hold any
 * character ("\n", "\e[2J"): those are shown escaped, so that every
 * message stays one line of text, "file:line:column: message", that a
 * terminal only shows. */
static void put_printable(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        unsigned char next = (unsigned char)s[1];

        if (c == 0xc2 && next >= 0x80 && next < 0xa0) { /* C1 controls, U+0080-U+009F */
            sb_printf(sb, "\\u%04x", next);
            s++;
        } else if (c < 0x20 || c == 0x7f) {
            sb_printf(sb, "\\x%02x", c);
        } else {
            sb_append(sb, s, 1);
        }
    }
}

/* libyaml's marks are 0-based; editors count from 1. */
void ymap_report(struct ymap_ctx *c, const yaml_mark_t *mark, const char *fmt, ...)
{
    struct strbuf raw = {0};
    struct strbuf line = {0};
    va_list ap;

    sb_printf(&raw, "%s:%zu:%zu: ", c->name, mark->line + 1, mark->column + 1);
    va_start(ap, fmt);
    sb_vprintf(&raw, fmt, ap);
    va_end(ap);
    sb_append(&line, "", 0);
    put_printable(&line, raw.data);
    if (c->errors)
        sb_printf(c->errors, "%s\n", line.data);
    else
        fprintf(stderr, "%s\n", line.data);
    sb_free(&raw);
    sb_free(&line);
    c->nerr++;
}

static const char *node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return "a scalar";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

int ymap_expect(struct ymap_ctx *c, const yaml_node_t *n, yaml_node_type_t type,
                       const char *what)
{
    if (n->type == type)
        return 1;
    ymap_report(c, &n->start_mark, "expected %s, found %s", what, node_kind(n));
    return 0;
}

const char *ymap_scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* ---- field kinds ------------------------------------------------------------ */

static int parse_string(struct ymap_ctx *c, yaml_node_t *n, char **out)
{
    if (!ymap_expect(c, n, YAML_SCALAR_NODE, "a string"))
        return 0;
    if (n->data.scalar.length == 0) {
        ymap_report(c, &n->start_mark, "expected a non-empty string");
        return 0;
    }
    free(*out);
    *out = xstrdup(ymap_scalar(n));
    return 1;
}

/* A plain scalar that is a whole number or decimal in [min, max]. */
static int parse_number(struct ymap_ctx *c, yaml_node_t *n, const struct ymap_field *f, double *out)
{
    char *end;
    double v;

    if (!ymap_expect(c, n, YAML_SCALAR_NODE, "a number"))
        return 0;
    errno = 0;
    v = strtod(ymap_scalar(n), &end);
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || end == ymap_scalar(n) || *end || errno
        || !isfinite(v)) {
        ymap_report(c, &n->start_mark, "%s: expected a number, found \"%s\"", f->key, ymap_scalar(n));
        return 0;
    }
    if (v < f->min || v > f->max) {
        ymap_report(c, &n->start_mark, "%s: %s is out of range [%g, %g]", f->key, ymap_scalar(n), f->min,
               f->max);
        return 0;
    }
    *out = v;
    return 1;
}

static int parse_bool(struct ymap_ctx *c, yaml_node_t *n, int *out)
{
    if (!ymap_expect(c, n, YAML_SCALAR_NODE, "true or false"))
        return 0;
    if (strcmp(ymap_scalar(n), "true") == 0 && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        *out = 1;
    else if (strcmp(ymap_scalar(n), "false") == 0 && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        *out = 0;
    else {
        ymap_report(c, &n->start_mark, "expected true or false, found \"%s\"", ymap_scalar(n));
        return 0;
    }
    return 1;
}

static int parse_list(struct ymap_ctx *c, yaml_node_t *n, struct strlist *out)
{
    int ok = 1;

    if (!ymap_expect(c, n, YAML_SEQUENCE_NODE, "a list"))
        return 0;
    sl_free(out);
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, *i);

        if (!ymap_expect(c, item, YAML_SCALAR_NODE, "a string in the list")
            || item->data.scalar.length == 0) {
            ok = 0;
            continue;
        }
        sl_push(out, ymap_scalar(item));
    }
    return ok;
}

static int parse_field(struct ymap_ctx *c, yaml_node_t *n, const struct ymap_field *f, void *base)
{
    char *p = (char *)base + f->offset;
    double v;

    switch (f->kind) {
    case K_STRING:
        return parse_string(c, n, (char **)p);
    case K_LIST:
        return parse_list(c, n, (struct strlist *)p);
    case K_BOOL:
        return parse_bool(c, n, (int *)p);
    case K_INT:
        if (!parse_number(c, n, f, &v))
            return 0;
        if (v != floor(v)) {
            ymap_report(c, &n->start_mark, "%s: expected a whole number, found %s", f->key, ymap_scalar(n));
            return 0;
        }
        *(long *)p = (long)v;
        return 1;
    case K_SECONDS:
        if (!parse_number(c, n, f, &v))
            return 0;
        *(double *)p = v;
        return 1;
    }
    return 0;
}

/* Reads mapping `n` into `base` following `fields`; reports unknown,
 * duplicate and missing keys. */
void ymap_section(struct ymap_ctx *c, yaml_node_t *n, const char *section,
                          const struct ymap_field *fields, size_t nfields, void *base)
{
    int seen[32] = {0};

    if (!ymap_expect(c, n, YAML_MAPPING_NODE, "a mapping"))
        return;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *value = yaml_document_get_node(c->doc, p->value);
        size_t i = 0;

        if (!ymap_expect(c, key, YAML_SCALAR_NODE, "a key"))
            continue;
        while (i < nfields && strcmp(fields[i].key, ymap_scalar(key)) != 0)
            i++;
        if (i == nfields)
            ymap_report(c, &key->start_mark, "unknown key \"%s\" in %s", ymap_scalar(key), section);
        else if (seen[i]++)
            ymap_report(c, &key->start_mark, "duplicate key \"%s\" in %s", ymap_scalar(key), section);
        else
            parse_field(c, value, &fields[i], base);
    }
    for (size_t i = 0; i < nfields; i++)
        if (fields[i].required && !seen[i])
            ymap_report(c, &n->start_mark, "%s: missing required key \"%s\"", section, fields[i].key);
}

int ymap_load(struct ymap_ctx *c, yaml_parser_t *parser, const char *text, size_t len)
{
    yaml_parser_initialize(parser);
    yaml_parser_set_input_string(parser, (const unsigned char *)text, len);
    if (yaml_parser_load(parser, c->doc))
        return 0;
    ymap_report(c, &parser->problem_mark, "YAML syntax error: %s",
                parser->problem ? parser->problem : "unknown");
    yaml_parser_delete(parser);
    return -1;
}
