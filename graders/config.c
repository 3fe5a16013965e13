/*
 * config.c - config.yaml through libyaml's document API.
 *
 * Each section is described by a table of fields (key, kind, offset into
 * the struct it fills, required?); one generic walker reads any section
 * from its table, so a new setting is one table line. libyaml resolves no
 * types: `10`, `ten` and `"10"` are all scalars, so numbers and booleans
 * are parsed here, and only from plain (unquoted) scalars. libyaml also
 * accepts duplicate keys silently; they are refused here.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct ctx {
    yaml_document_t *doc;
    const char *name;
    struct strbuf *errors;
    int nerr;
};

static void report(struct ctx *c, const yaml_mark_t *mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* libyaml's marks are 0-based; editors count from 1. */
static void report(struct ctx *c, const yaml_mark_t *mark, const char *fmt, ...)
{
    struct strbuf line = {0};
    va_list ap;

    sb_printf(&line, "%s:%zu:%zu: ", c->name, mark->line + 1, mark->column + 1);
    va_start(ap, fmt);
    sb_vprintf(&line, fmt, ap);
    va_end(ap);
    if (c->errors)
        sb_printf(c->errors, "%s\n", line.data);
    else
        fprintf(stderr, "%s\n", line.data);
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

static int expect_type(struct ctx *c, const yaml_node_t *n, yaml_node_type_t type,
                       const char *what)
{
    if (n->type == type)
        return 1;
    report(c, &n->start_mark, "expected %s, found %s", what, node_kind(n));
    return 0;
}

static const char *scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* ---- field kinds ------------------------------------------------------------ */

enum kind { K_STRING, K_INT, K_SECONDS, K_BOOL, K_LIST };

struct field {
    const char *key;
    enum kind kind;
    size_t offset;
    int required;
    double min; /* for numbers */
    double max;
};

static int parse_string(struct ctx *c, yaml_node_t *n, char **out)
{
    if (!expect_type(c, n, YAML_SCALAR_NODE, "a string"))
        return 0;
    if (n->data.scalar.length == 0) {
        report(c, &n->start_mark, "expected a non-empty string");
        return 0;
    }
    free(*out);
    *out = xstrdup(scalar(n));
    return 1;
}

/* A plain scalar that is a whole number or decimal in [min, max]. */
static int parse_number(struct ctx *c, yaml_node_t *n, const struct field *f, double *out)
{
    char *end;
    double v;

    if (!expect_type(c, n, YAML_SCALAR_NODE, "a number"))
        return 0;
    errno = 0;
    v = strtod(scalar(n), &end);
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || end == scalar(n) || *end || errno
        || !isfinite(v)) {
        report(c, &n->start_mark, "%s: expected a number, found \"%s\"", f->key, scalar(n));
        return 0;
    }
    if (v < f->min || v > f->max) {
        report(c, &n->start_mark, "%s: %s is out of range [%g, %g]", f->key, scalar(n), f->min,
               f->max);
        return 0;
    }
    *out = v;
    return 1;
}

static int parse_bool(struct ctx *c, yaml_node_t *n, int *out)
{
    if (!expect_type(c, n, YAML_SCALAR_NODE, "true or false"))
        return 0;
    if (strcmp(scalar(n), "true") == 0 && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        *out = 1;
    else if (strcmp(scalar(n), "false") == 0 && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        *out = 0;
    else {
        report(c, &n->start_mark, "expected true or false, found \"%s\"", scalar(n));
        return 0;
    }
    return 1;
}

static int parse_list(struct ctx *c, yaml_node_t *n, struct strlist *out)
{
    int ok = 1;

    if (!expect_type(c, n, YAML_SEQUENCE_NODE, "a list"))
        return 0;
    sl_free(out);
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, *i);

        if (!expect_type(c, item, YAML_SCALAR_NODE, "a string in the list")
            || item->data.scalar.length == 0) {
            ok = 0;
            continue;
        }
        sl_push(out, scalar(item));
    }
    return ok;
}

static int parse_field(struct ctx *c, yaml_node_t *n, const struct field *f, void *base)
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
            report(c, &n->start_mark, "%s: expected a whole number, found %s", f->key, scalar(n));
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
static void parse_section(struct ctx *c, yaml_node_t *n, const char *section,
                          const struct field *fields, size_t nfields, void *base)
{
    int seen[32] = {0};

    if (!expect_type(c, n, YAML_MAPPING_NODE, "a mapping"))
        return;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *value = yaml_document_get_node(c->doc, p->value);
        size_t i = 0;

        if (!expect_type(c, key, YAML_SCALAR_NODE, "a key"))
            continue;
        while (i < nfields && strcmp(fields[i].key, scalar(key)) != 0)
            i++;
        if (i == nfields)
            report(c, &key->start_mark, "unknown key \"%s\" in %s", scalar(key), section);
        else if (seen[i]++)
            report(c, &key->start_mark, "duplicate key \"%s\" in %s", scalar(key), section);
        else
            parse_field(c, value, &fields[i], base);
    }
    for (size_t i = 0; i < nfields; i++)
        if (fields[i].required && !seen[i])
            report(c, &n->start_mark, "%s: missing required key \"%s\"", section, fields[i].key);
}

/* ---- the sections ------------------------------------------------------------- */

#define F(key, kind, type, member, req, lo, hi) {key, kind, offsetof(type, member), req, lo, hi}

struct row_raw {
    char *id;
    char *title;
    char *category;
    long points;
    double timeout;
    int bonus;
    struct strlist tests;
};

static const struct field row_fields[] = {
    F("id", K_STRING, struct row_raw, id, 1, 0, 0),
    F("title", K_STRING, struct row_raw, title, 1, 0, 0),
    F("category", K_STRING, struct row_raw, category, 1, 0, 0),
    F("points", K_INT, struct row_raw, points, 1, 0, 1000),
    F("timeout", K_SECONDS, struct row_raw, timeout, 1, 0.1, 600),
    F("bonus", K_BOOL, struct row_raw, bonus, 0, 0, 0),
    F("tests", K_LIST, struct row_raw, tests, 1, 0, 0),
};

struct compile_raw {
    char *cc;
    struct strlist cflags;
    struct strlist feature_macros;
    struct strlist link_flags;
    double timeout;
    struct strlist sources;
    struct strlist optional;
    char *default_header;
    struct strlist api;
};

static const struct field compile_fields[] = {
    F("cc", K_STRING, struct compile_raw, cc, 1, 0, 0),
    F("cflags", K_LIST, struct compile_raw, cflags, 1, 0, 0),
    F("feature_macros", K_LIST, struct compile_raw, feature_macros, 0, 0, 0),
    F("link_flags", K_LIST, struct compile_raw, link_flags, 1, 0, 0),
    F("timeout", K_SECONDS, struct compile_raw, timeout, 1, 1, 600),
    F("sources", K_LIST, struct compile_raw, sources, 1, 0, 0),
    F("optional", K_LIST, struct compile_raw, optional, 0, 0, 0),
    F("default_header", K_STRING, struct compile_raw, default_header, 1, 0, 0),
    F("api", K_LIST, struct compile_raw, api, 1, 0, 0),
};

struct tests_raw {
    char *object;
    char *shim;
    struct strlist extra_shims;
};

static const struct field tests_fields[] = {
    F("object", K_STRING, struct tests_raw, object, 1, 0, 0),
    F("shim", K_STRING, struct tests_raw, shim, 1, 0, 0),
    F("extra_shims", K_LIST, struct tests_raw, extra_shims, 0, 0, 0),
};

struct forbidden_raw {
    struct strlist functions;
    long penalty;
};

static const struct field forbidden_fields[] = {
    F("functions", K_LIST, struct forbidden_raw, functions, 1, 0, 0),
    F("penalty", K_INT, struct forbidden_raw, penalty, 1, 0, 1000),
};

static const struct field limits_fields[] = {
    F("cpu_seconds", K_SECONDS, struct limits_config, cpu_seconds, 1, 0.1, 3600),
    F("memory_mb", K_INT, struct limits_config, memory_mb, 1, 16, 1 << 20),
    F("file_size_mb", K_INT, struct limits_config, file_size_mb, 1, 1, 1 << 20),
    F("processes", K_INT, struct limits_config, processes, 1, 4, 100000),
    F("output_kb", K_INT, struct limits_config, output_kb, 1, 1, 1 << 20),
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static void take_rows(struct ctx *c, yaml_node_t *n, struct config *cfg)
{
    if (!expect_type(c, n, YAML_SEQUENCE_NODE, "a list of rows"))
        return;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, *i);
        struct row_raw raw = {0};
        struct row_config *row;

        parse_section(c, item, "a row", row_fields, NFIELDS(row_fields), &raw);
        cfg->rows = xrealloc(cfg->rows, (cfg->nrows + 1) * sizeof *cfg->rows);
        row = &cfg->rows[cfg->nrows++];
        *row = (struct row_config){raw.id,          raw.title, raw.category,
                                   (int)raw.points, raw.timeout, raw.bonus,
                                   raw.tests,       item->start_mark.line, item->start_mark.column};
    }
}

static void take_compile(struct ctx *c, yaml_node_t *n, struct config *cfg)
{
    struct compile_raw raw = {0};

    parse_section(c, n, "compile", compile_fields, NFIELDS(compile_fields), &raw);
    cfg->cc = raw.cc;
    cfg->cflags = raw.cflags;
    cfg->feature_macros = raw.feature_macros;
    cfg->link_flags = raw.link_flags;
    cfg->compile_timeout = raw.timeout;
    cfg->sources = raw.sources;
    cfg->optional = raw.optional;
    cfg->default_header = raw.default_header;
    cfg->api = raw.api;
}

static void take_tests(struct ctx *c, yaml_node_t *n, struct config *cfg)
{
    struct tests_raw raw = {0};

    parse_section(c, n, "tests", tests_fields, NFIELDS(tests_fields), &raw);
    cfg->test_object = raw.object;
    cfg->shim_source = raw.shim;
    cfg->test_shims = raw.extra_shims;
}

static void take_forbidden(struct ctx *c, yaml_node_t *n, struct config *cfg)
{
    struct forbidden_raw raw = {0};

    parse_section(c, n, "forbidden", forbidden_fields, NFIELDS(forbidden_fields), &raw);
    cfg->forbidden = raw.functions;
    cfg->forbidden_penalty = (int)raw.penalty;
}

static void take_limits(struct ctx *c, yaml_node_t *n, struct config *cfg)
{
    parse_section(c, n, "limits", limits_fields, NFIELDS(limits_fields), &cfg->limits);
}

struct top_section {
    const char *key;
    void (*take)(struct ctx *c, yaml_node_t *n, struct config *cfg);
};

static const struct top_section sections[] = {
    {"compile", take_compile},   {"tests", take_tests}, {"forbidden", take_forbidden},
    {"limits", take_limits},     {"rows", take_rows},
};

static void take_document(struct ctx *c, yaml_node_t *root, struct config *cfg)
{
    int seen[NFIELDS(sections)] = {0};

    if (!root) {
        static const yaml_mark_t start = {0, 0, 0};

        report(c, &start, "the file is empty");
        return;
    }
    if (!expect_type(c, root, YAML_MAPPING_NODE, "a mapping at the top level"))
        return;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
        size_t i = 0;

        if (!expect_type(c, key, YAML_SCALAR_NODE, "a key"))
            continue;
        while (i < NFIELDS(sections) && strcmp(sections[i].key, scalar(key)) != 0)
            i++;
        if (i == NFIELDS(sections))
            report(c, &key->start_mark, "unknown section \"%s\" (expected compile, tests, forbidden, limits or rows)", scalar(key));
        else if (seen[i]++)
            report(c, &key->start_mark, "duplicate section \"%s\"", scalar(key));
        else
            sections[i].take(c, yaml_document_get_node(c->doc, p->value), cfg);
    }
    for (size_t i = 0; i < NFIELDS(sections); i++)
        if (!seen[i])
            report(c, &root->start_mark, "missing section \"%s\"", sections[i].key);
}

/* ---- meaning ------------------------------------------------------------------ */

static int valid_test_name(const char *s)
{
    const char *slash = strchr(s, '/');

    if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
        return 0;
    for (; *s; s++)
        if (!(*s == '_' || *s == '/' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
              || (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

static void check_row(struct ctx *c, const struct config *cfg, size_t r)
{
    const struct row_config *row = &cfg->rows[r];
    yaml_mark_t at = {0, row->line, row->column};

    for (size_t o = 0; o < r; o++)
        if (row->id && cfg->rows[o].id && strcmp(row->id, cfg->rows[o].id) == 0)
            report(c, &at, "row \"%s\" is defined twice", row->id);
    if (row->tests.count == 0 && row->id)
        report(c, &at, "row \"%s\" has no tests", row->id);
    for (size_t t = 0; t < row->tests.count; t++) {
        const char *test = row->tests.items[t];

        if (!valid_test_name(test))
            report(c, &at, "row \"%s\": \"%s\" is not a test name of the form suite/name",
                   row->id, test);
        for (size_t o = 0; o <= r; o++)
            for (size_t u = 0; u < (o == r ? t : cfg->rows[o].tests.count); u++)
                if (strcmp(cfg->rows[o].tests.items[u], test) == 0)
                    report(c, &at, "test \"%s\" appears twice (rows \"%s\" and \"%s\")",
                           test, cfg->rows[o].id, row->id);
    }
}

/* Second pass: what each value means together with the others. */
static void check_meaning(struct ctx *c, struct config *cfg, yaml_node_t *root)
{
    cfg->max_score = 0;
    for (size_t r = 0; r < cfg->nrows; r++) {
        check_row(c, cfg, r);
        if (!cfg->rows[r].bonus)
            cfg->max_score += cfg->rows[r].points;
    }
    if (root && cfg->nrows > 0 && cfg->max_score <= 0)
        report(c, &root->start_mark, "the rows are worth 0 points in total");
}

struct config *config_parse(const char *name, const char *text, size_t len, struct strbuf *errors)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct config *cfg = xcalloc(1, sizeof *cfg);
    struct ctx c = {&doc, name, errors, 0};

    cfg->path = xstrdup(name);
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        report(&c, &parser.problem_mark, "YAML syntax error: %s",
               parser.problem ? parser.problem : "unknown");
        yaml_parser_delete(&parser);
        config_free(cfg);
        return NULL;
    }
    take_document(&c, yaml_document_get_root_node(&doc), cfg);
    if (c.nerr == 0)
        check_meaning(&c, cfg, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (c.nerr) {
        config_free(cfg);
        return NULL;
    }
    return cfg;
}

struct config *config_load(const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    struct config *cfg;
    const char *slash;

    if (!text) {
        fprintf(stderr, "%s: cannot read the config: %s\n", path, strerror(errno));
        return NULL;
    }
    cfg = config_parse(path, text, len, NULL);
    free(text);
    if (!cfg)
        return NULL;
    slash = strrchr(path, '/');
    cfg->base_dir = slash ? xstrndup(path, (size_t)(slash - path) + 1) : xstrdup("");
    return cfg;
}

char *config_path(const struct config *cfg, const char *relative)
{
    if (relative[0] == '/')
        return xstrdup(relative);
    return xasprintf("%s%s", cfg->base_dir ? cfg->base_dir : "", relative);
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    for (size_t r = 0; r < cfg->nrows; r++) {
        free(cfg->rows[r].id);
        free(cfg->rows[r].title);
        free(cfg->rows[r].category);
        sl_free(&cfg->rows[r].tests);
    }
    free(cfg->rows);
    sl_free(&cfg->cflags);
    sl_free(&cfg->feature_macros);
    sl_free(&cfg->link_flags);
    sl_free(&cfg->sources);
    sl_free(&cfg->optional);
    sl_free(&cfg->api);
    sl_free(&cfg->test_shims);
    sl_free(&cfg->forbidden);
    free(cfg->cc);
    free(cfg->default_header);
    free(cfg->test_object);
    free(cfg->shim_source);
    free(cfg->path);
    free(cfg->base_dir);
    free(cfg);
}
