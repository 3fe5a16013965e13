/*
 * config.c - config.yaml through libyaml's document API.
 *
 * Each section is a table of fields read by yamlmap.c's walker, so a new
 * setting is one table line. After parsing, a second pass checks meaning.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yamlmap.h"

/* ---- the sections ------------------------------------------------------------- */

#define F YMAP_FIELD

struct row_raw {
    char *id;
    char *title;
    char *category;
    long points;
    double timeout;
    int bonus;
    int extra;
    struct strlist tests;
    char *visibility;
    struct strlist hidden_tests;
};

static const struct ymap_field row_fields[] = {
    F("id", K_STRING, struct row_raw, id, 1, 0, 0),
    F("title", K_STRING, struct row_raw, title, 1, 0, 0),
    F("category", K_STRING, struct row_raw, category, 1, 0, 0),
    F("points", K_INT, struct row_raw, points, 1, 0, 1000),
    F("timeout", K_SECONDS, struct row_raw, timeout, 1, 0.1, 600),
    F("bonus", K_BOOL, struct row_raw, bonus, 0, 0, 0),
    F("extra", K_BOOL, struct row_raw, extra, 0, 0, 0),
    F("tests", K_LIST, struct row_raw, tests, 1, 0, 0),
    F("visibility", K_STRING, struct row_raw, visibility, 0, 0, 0),
    F("hidden_tests", K_LIST, struct row_raw, hidden_tests, 0, 0, 0),
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

static const struct ymap_field compile_fields[] = {
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
    char *checker;
    char *shim;
    struct strlist extra_shims;
};

static const struct ymap_field tests_fields[] = {
    F("object", K_STRING, struct tests_raw, object, 1, 0, 0),
    F("checker", K_STRING, struct tests_raw, checker, 1, 0, 0),
    F("shim", K_STRING, struct tests_raw, shim, 1, 0, 0),
    F("extra_shims", K_LIST, struct tests_raw, extra_shims, 0, 0, 0),
};

struct forbidden_raw {
    struct strlist functions;
    long penalty;
    struct strlist refused_symbols;
    struct strlist allowed_sections;
    struct strlist shim_globals;
};

static const struct ymap_field forbidden_fields[] = {
    F("functions", K_LIST, struct forbidden_raw, functions, 1, 0, 0),
    F("penalty", K_INT, struct forbidden_raw, penalty, 1, 0, 1000),
    F("refused_symbols", K_LIST, struct forbidden_raw, refused_symbols, 1, 0, 0),
    F("allowed_sections", K_LIST, struct forbidden_raw, allowed_sections, 1, 0, 0),
    F("shim_globals", K_LIST, struct forbidden_raw, shim_globals, 1, 0, 0),
};

/* Written by `make kit` into the kit's config: what it left out. */
struct kit_raw {
    long hidden_points;
    long hidden_tests;
};

static const struct ymap_field kit_fields[] = {
    F("hidden_points", K_INT, struct kit_raw, hidden_points, 1, 0, 100000),
    F("hidden_tests", K_INT, struct kit_raw, hidden_tests, 1, 0, 100000),
};

static const struct ymap_field limits_fields[] = {
    F("cpu_seconds", K_SECONDS, struct limits_config, cpu_seconds, 1, 0.1, 3600),
    F("memory_mb", K_INT, struct limits_config, memory_mb, 1, 16, 1 << 20),
    F("file_size_mb", K_INT, struct limits_config, file_size_mb, 1, 1, 1 << 20),
    F("processes", K_INT, struct limits_config, processes, 1, 4, 100000),
    F("output_kb", K_INT, struct limits_config, output_kb, 1, 1, 1 << 20),
    F("archive_mb", K_INT, struct limits_config, archive_mb, 0, 1, 1 << 20),
    F("archive_members", K_INT, struct limits_config, archive_members, 0, 1, 1 << 24),
};

#define NFIELDS YMAP_COUNT

static const char *const visibility_names[] = {
    [VIS_VISIBLE] = "visible", [VIS_AFTER_DUE_DATE] = "after_due_date", [VIS_HIDDEN] = "hidden"};

const char *visibility_name(enum visibility v)
{
    return visibility_names[v];
}

static void take_visibility(struct ymap_ctx *c, yaml_node_t *row, const char *name,
                            enum visibility *out)
{
    if (!name)
        return;
    for (size_t v = 0; v < YMAP_COUNT(visibility_names); v++)
        if (strcmp(name, visibility_names[v]) == 0) {
            *out = (enum visibility)v;
            return;
        }
    ymap_report(c, &row->start_mark,
                "visibility \"%s\": expected visible, after_due_date or hidden", name);
}

static void take_rows(struct ymap_ctx *c, yaml_node_t *n, struct config *cfg)
{
    if (!ymap_expect(c, n, YAML_SEQUENCE_NODE, "a list of rows"))
        return;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, *i);
        struct row_raw raw = {0};
        struct row_config *row;

        ymap_section(c, item, "a row", row_fields, NFIELDS(row_fields), &raw);
        cfg->rows = xrealloc(cfg->rows, (cfg->nrows + 1) * sizeof *cfg->rows);
        row = &cfg->rows[cfg->nrows++];
        *row = (struct row_config){raw.id,          raw.title,   raw.category,
                                   (int)raw.points, raw.timeout, raw.bonus,
                                   raw.extra,       raw.tests,   VIS_VISIBLE,
                                   raw.hidden_tests, item->start_mark.line,
                                   item->start_mark.column};
        take_visibility(c, item, raw.visibility, &row->visibility);
        free(raw.visibility);
    }
}

static void take_compile(struct ymap_ctx *c, yaml_node_t *n, struct config *cfg)
{
    struct compile_raw raw = {0};

    ymap_section(c, n, "compile", compile_fields, NFIELDS(compile_fields), &raw);
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

static void take_tests(struct ymap_ctx *c, yaml_node_t *n, struct config *cfg)
{
    struct tests_raw raw = {0};

    ymap_section(c, n, "tests", tests_fields, NFIELDS(tests_fields), &raw);
    cfg->test_object = raw.object;
    cfg->checker = raw.checker;
    cfg->shim_source = raw.shim;
    cfg->test_shims = raw.extra_shims;
}

/* The value of `key` in mapping `n`, or NULL. */
static yaml_node_t *value_of(struct ymap_ctx *c, yaml_node_t *n, const char *key)
{
    if (n->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);

        if (k->type == YAML_SCALAR_NODE && strcmp(ymap_scalar(k), key) == 0)
            return yaml_document_get_node(c->doc, p->value);
    }
    return NULL;
}

/* A pattern is a name or a prefix and one final '*' (see elf.h): a '*'
 * anywhere else would match nothing, and a list that looks like a
 * protection would protect nothing. */
static void check_patterns(struct ymap_ctx *c, yaml_node_t *n, const char *key)
{
    yaml_node_t *list = value_of(c, n, key);

    if (!list || list->type != YAML_SEQUENCE_NODE)
        return; /* reported by ymap_section */
    for (yaml_node_item_t *i = list->data.sequence.items.start; i < list->data.sequence.items.top;
         i++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, *i);
        const char *star = item->type == YAML_SCALAR_NODE ? strchr(ymap_scalar(item), '*') : NULL;

        if (star && star[1])
            ymap_report(c, &item->start_mark, "forbidden.%s: \"%s\": '*' may only end a pattern",
                        key, ymap_scalar(item));
    }
}

static void take_forbidden(struct ymap_ctx *c, yaml_node_t *n, struct config *cfg)
{
    struct forbidden_raw raw = {0};
    yaml_node_t *allowed;

    ymap_section(c, n, "forbidden", forbidden_fields, NFIELDS(forbidden_fields), &raw);
    check_patterns(c, n, "refused_symbols");
    check_patterns(c, n, "allowed_sections");
    check_patterns(c, n, "shim_globals");
    allowed = value_of(c, n, "allowed_sections");
    if (allowed && allowed->type == YAML_SEQUENCE_NODE
        && allowed->data.sequence.items.start == allowed->data.sequence.items.top)
        ymap_report(c, &allowed->start_mark,
                    "forbidden.allowed_sections: an empty list would refuse every object");
    cfg->forbidden = raw.functions;
    cfg->forbidden_penalty = (int)raw.penalty;
    cfg->refused_symbols = raw.refused_symbols;
    cfg->allowed_sections = raw.allowed_sections;
    cfg->shim_globals = raw.shim_globals;
}

static void take_limits(struct ymap_ctx *c, yaml_node_t *n, struct config *cfg)
{
    ymap_section(c, n, "limits", limits_fields, NFIELDS(limits_fields), &cfg->limits);
}

static void take_kit(struct ymap_ctx *c, yaml_node_t *n, struct config *cfg)
{
    struct kit_raw raw = {0};

    ymap_section(c, n, "kit", kit_fields, NFIELDS(kit_fields), &raw);
    cfg->kit_hidden_points = (int)raw.hidden_points;
    cfg->kit_hidden_tests = (int)raw.hidden_tests;
}

struct top_section {
    const char *key;
    void (*take)(struct ymap_ctx *c, yaml_node_t *n, struct config *cfg);
    int optional;
};

static const struct top_section sections[] = {
    {"compile", take_compile, 0}, {"tests", take_tests, 0}, {"forbidden", take_forbidden, 0},
    {"limits", take_limits, 0},   {"rows", take_rows, 0},   {"kit", take_kit, 1},
};

static void take_document(struct ymap_ctx *c, yaml_node_t *root, struct config *cfg)
{
    int seen[NFIELDS(sections)] = {0};

    if (!root) {
        static const yaml_mark_t start = {0, 0, 0};

        ymap_report(c, &start, "the file is empty");
        return;
    }
    if (!ymap_expect(c, root, YAML_MAPPING_NODE, "a mapping at the top level"))
        return;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
        size_t i = 0;

        if (!ymap_expect(c, key, YAML_SCALAR_NODE, "a key"))
            continue;
        while (i < NFIELDS(sections) && strcmp(sections[i].key, ymap_scalar(key)) != 0)
            i++;
        if (i == NFIELDS(sections))
            ymap_report(c, &key->start_mark, "unknown section \"%s\" (expected compile, tests, forbidden, limits, rows or kit)", ymap_scalar(key));
        else if (seen[i]++)
            ymap_report(c, &key->start_mark, "duplicate section \"%s\"", ymap_scalar(key));
        else
            sections[i].take(c, yaml_document_get_node(c->doc, p->value), cfg);
    }
    for (size_t i = 0; i < NFIELDS(sections); i++)
        if (!seen[i] && !sections[i].optional)
            ymap_report(c, &root->start_mark, "missing section \"%s\"", sections[i].key);
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

static void check_row(struct ymap_ctx *c, const struct config *cfg, size_t r)
{
    const struct row_config *row = &cfg->rows[r];
    yaml_mark_t at = {0, row->line, row->column};

    for (size_t o = 0; o < r; o++)
        if (row->id && cfg->rows[o].id && strcmp(row->id, cfg->rows[o].id) == 0)
            ymap_report(c, &at, "row \"%s\" is defined twice", row->id);
    if (row->tests.count == 0 && row->id)
        ymap_report(c, &at, "row \"%s\" has no tests", row->id);
    /* An extra tests more than the subject asks: it may cost nothing. */
    if (row->extra && row->points != 0)
        ymap_report(c, &at, "row \"%s\" is an extra (beyond the subject): its points must be 0", row->id);
    if (row->extra && row->bonus)
        ymap_report(c, &at, "row \"%s\" cannot be both a bonus and an extra", row->id);
    for (size_t t = 0; t < row->tests.count; t++) {
        const char *test = row->tests.items[t];

        if (!valid_test_name(test))
            ymap_report(c, &at, "row \"%s\": \"%s\" is not a test name of the form suite/name",
                   row->id, test);
        for (size_t o = 0; o <= r; o++)
            for (size_t u = 0; u < (o == r ? t : cfg->rows[o].tests.count); u++)
                if (strcmp(cfg->rows[o].tests.items[u], test) == 0)
                    ymap_report(c, &at, "test \"%s\" appears twice (rows \"%s\" and \"%s\")",
                           test, cfg->rows[o].id, row->id);
    }
    for (size_t t = 0; t < row->hidden_tests.count; t++)
        if (!sl_contains(&row->tests, row->hidden_tests.items[t]))
            ymap_report(c, &at, "row \"%s\": hidden test \"%s\" is not one of its tests", row->id,
                        row->hidden_tests.items[t]);
    if (row->hidden_tests.count > 0 && row->hidden_tests.count == row->tests.count)
        ymap_report(c, &at, "row \"%s\": every test is hidden: say `visibility: hidden` instead",
                    row->id);
}

/* Second pass: what each value means together with the others. */
static void check_meaning(struct ymap_ctx *c, struct config *cfg, yaml_node_t *root)
{
    cfg->max_score = 0;
    for (size_t r = 0; r < cfg->nrows; r++) {
        check_row(c, cfg, r);
        if (!cfg->rows[r].bonus)
            cfg->max_score += cfg->rows[r].points;
    }
    if (root && cfg->nrows > 0 && cfg->max_score <= 0)
        ymap_report(c, &root->start_mark, "the rows are worth 0 points in total");
    cfg->full_max_score = cfg->max_score;
}

struct config *config_parse(const char *name, const char *text, size_t len, struct strbuf *errors)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct config *cfg = xcalloc(1, sizeof *cfg);
    struct ymap_ctx c = {&doc, name, errors, 0};

    cfg->path = xstrdup(name);
    if (ymap_load(&c, &parser, text, len) != 0) {
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

static void row_free(struct row_config *row)
{
    free(row->id);
    free(row->title);
    free(row->category);
    sl_free(&row->tests);
    sl_free(&row->hidden_tests);
}

void config_drop_bonus(struct config *cfg)
{
    size_t kept = 0;

    for (size_t r = 0; r < cfg->nrows; r++) {
        if (!cfg->rows[r].bonus && !cfg->rows[r].extra) {
            cfg->rows[kept++] = cfg->rows[r];
            continue;
        }
        row_free(&cfg->rows[r]);
    }
    cfg->nrows = kept;
}

void config_run_under(struct config *cfg, const char *program, double slowdown)
{
    free(cfg->under);
    cfg->under = xstrdup(program);
    for (size_t r = 0; r < cfg->nrows; r++)
        cfg->rows[r].timeout *= slowdown;
    cfg->limits.cpu_seconds *= slowdown;
    /* Valgrind reserves several GiB of address space up front. */
    if (cfg->limits.memory_mb < 16384)
        cfg->limits.memory_mb = 16384;
}

enum visibility config_test_visibility(const struct row_config *row, const char *test)
{
    return sl_contains(&row->hidden_tests, test) ? VIS_HIDDEN : row->visibility;
}

/* Keeps the tests of `row` that are in `tests`; the whole row when its id
 * is in `rows`. Returns how many it kept. */
static size_t select_tests(struct row_config *row, const struct strlist *rows,
                           const struct strlist *tests)
{
    struct strlist kept = {0};

    if (sl_contains(rows, row->id))
        return row->tests.count;
    for (size_t t = 0; t < row->tests.count; t++)
        if (sl_contains(tests, row->tests.items[t]))
            sl_push(&kept, row->tests.items[t]);
    sl_free(&row->tests);
    row->tests = kept;
    return kept.count;
}

/* The first name of `names` that `found` does not hold, or NULL. */
static const char *first_unmatched(const struct strlist *names, const struct strlist *found)
{
    for (size_t i = 0; i < names->count; i++)
        if (!sl_contains(found, names->items[i]))
            return names->items[i];
    return NULL;
}

int config_select(struct config *cfg, const struct strlist *rows, const struct strlist *tests,
                  char **error)
{
    struct strlist ids = {0};
    struct strlist all_tests = {0};
    const char *missing;
    size_t kept = 0;

    for (size_t r = 0; r < cfg->nrows; r++) {
        sl_push(&ids, cfg->rows[r].id);
        sl_extend(&all_tests, &cfg->rows[r].tests);
    }
    *error = NULL;
    if ((missing = first_unmatched(rows, &ids)) != NULL)
        *error = xasprintf("no row \"%s\" in %s", missing, cfg->path);
    else if ((missing = first_unmatched(tests, &all_tests)) != NULL)
        *error = xasprintf("no test \"%s\" in %s (tests are named suite/name; see --list)",
                           missing, cfg->path);
    sl_free(&ids);
    sl_free(&all_tests);
    if (*error)
        return -1;
    cfg->max_score = 0;
    for (size_t r = 0; r < cfg->nrows; r++) {
        if (select_tests(&cfg->rows[r], rows, tests) > 0) {
            cfg->rows[kept++] = cfg->rows[r];
            if (!cfg->rows[kept - 1].bonus)
                cfg->max_score += cfg->rows[kept - 1].points;
            continue;
        }
        row_free(&cfg->rows[r]);
    }
    cfg->nrows = kept;
    cfg->partial = 1;
    return 0;
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    for (size_t r = 0; r < cfg->nrows; r++)
        row_free(&cfg->rows[r]);
    free(cfg->rows);
    sl_free(&cfg->cflags);
    sl_free(&cfg->feature_macros);
    sl_free(&cfg->link_flags);
    sl_free(&cfg->sources);
    sl_free(&cfg->optional);
    sl_free(&cfg->api);
    sl_free(&cfg->test_shims);
    sl_free(&cfg->forbidden);
    sl_free(&cfg->refused_symbols);
    sl_free(&cfg->allowed_sections);
    sl_free(&cfg->shim_globals);
    free(cfg->cc);
    free(cfg->under);
    free(cfg->default_header);
    free(cfg->test_object);
    free(cfg->checker);
    free(cfg->shim_source);
    free(cfg->path);
    free(cfg->base_dir);
    free(cfg);
}
