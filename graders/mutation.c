/*
 * mutation.c - see mutation.h.
 */
#include "mutation.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamlmap.h"

static const struct ymap_field mutant_fields[] = {
    YMAP_FIELD("id", K_STRING, struct mutant, id, 1, 0, 0),
    YMAP_FIELD("patch", K_STRING, struct mutant, patch, 1, 0, 0),
    YMAP_FIELD("base", K_STRING, struct mutant, base, 0, 0, 0),
    YMAP_FIELD("what", K_STRING, struct mutant, what, 1, 0, 0),
    YMAP_FIELD("why", K_STRING, struct mutant, why, 1, 0, 0),
    YMAP_FIELD("message", K_STRING, struct mutant, message, 0, 0, 0),
    YMAP_FIELD("rows", K_LIST, struct mutant, rows, 1, 0, 0),
    YMAP_FIELD("also", K_LIST, struct mutant, also, 0, 0, 0),
    YMAP_FIELD("forbidden", K_LIST, struct mutant, forbidden, 0, 0, 0),
};

static void mutant_clear(struct mutant *m)
{
    free(m->id);
    free(m->patch);
    free(m->base);
    free(m->what);
    free(m->why);
    free(m->message);
    sl_free(&m->rows);
    sl_free(&m->also);
    sl_free(&m->forbidden);
}

/* A path of the manifest, relative to the manifest's folder. */
static void resolve(char **path, const char *dir)
{
    if ((*path)[0] != '/') {
        char *full = xasprintf("%s/%s", dir, *path);

        free(*path);
        *path = full;
    }
}

static void take_mutant(struct ymap_ctx *c, yaml_node_t *n, const char *dir, struct manifest *m)
{
    struct mutant one = {0};
    int before = c->nerr;

    ymap_section(c, n, "a mutant", mutant_fields, YMAP_COUNT(mutant_fields), &one);
    if (c->nerr == before && one.rows.count == 0)
        ymap_report(c, &n->start_mark, "mutant \"%s\": `rows` names no row that must fail", one.id);
    for (size_t i = 0; i < m->count && one.id; i++)
        if (strcmp(m->items[i].id, one.id) == 0)
            ymap_report(c, &n->start_mark, "mutant \"%s\" is listed twice", one.id);
    if (c->nerr != before) {
        mutant_clear(&one);
        return;
    }
    resolve(&one.patch, dir);
    if (one.base)
        resolve(&one.base, dir);
    m->items = xrealloc(m->items, (m->count + 1) * sizeof *m->items);
    m->items[m->count++] = one;
}

static void take_root(struct ymap_ctx *c, yaml_node_t *root, const char *dir, struct manifest *m)
{
    yaml_node_t *list = NULL;

    if (!root || !ymap_expect(c, root, YAML_MAPPING_NODE, "a mapping with `mutants:`"))
        return;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *key = yaml_document_get_node(c->doc, p->key);

        if (key->type == YAML_SCALAR_NODE && strcmp(ymap_scalar(key), "mutants") == 0)
            list = yaml_document_get_node(c->doc, p->value);
        else
            ymap_report(c, &key->start_mark, "unknown key (expected `mutants`)");
    }
    if (!list) {
        ymap_report(c, &root->start_mark, "missing `mutants:` list");
        return;
    }
    if (!ymap_expect(c, list, YAML_SEQUENCE_NODE, "a list of mutants"))
        return;
    for (yaml_node_item_t *i = list->data.sequence.items.start; i < list->data.sequence.items.top; i++)
        take_mutant(c, yaml_document_get_node(c->doc, *i), dir, m);
}

int manifest_parse(const char *name, const char *text, size_t len, const char *dir,
                   struct manifest *m, struct strbuf *errors)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct ymap_ctx c = {&doc, name, errors, 0};

    if (ymap_load(&c, &parser, text, len) != 0)
        return -1;
    take_root(&c, yaml_document_get_root_node(&doc), dir, m);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return c.nerr ? -1 : 0;
}

int manifest_load(const char *path, struct manifest *m)
{
    size_t len;
    char *text = read_file(path, &len);
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
    int ret;

    if (!text) {
        fprintf(stderr, "%s: cannot read the manifest: %s\n", path, strerror(errno));
        free(dir);
        return -1;
    }
    ret = manifest_parse(path, text, len, dir, m, NULL);
    free(text);
    free(dir);
    return ret;
}

void manifest_free(struct manifest *m)
{
    for (size_t i = 0; i < m->count; i++)
        mutant_clear(&m->items[i]);
    free(m->items);
    m->items = NULL;
    m->count = 0;
}

/* ---- verdicts ---------------------------------------------------------------- */

static const struct row_grade *find_row(const struct grade *g, const char *id)
{
    for (size_t i = 0; i < g->nrows; i++)
        if (strcmp(g->rows[i].row->id, id) == 0)
            return &g->rows[i];
    return NULL;
}

static void check_named_rows(const struct mutant *m, const struct grade *g, struct strbuf *problems)
{
    for (size_t i = 0; i < m->rows.count; i++) {
        const struct row_grade *r = find_row(g, m->rows.items[i]);

        if (!r)
            sb_printf(problems, "  the manifest names row %s, which config.yaml does not have\n",
                      m->rows.items[i]);
        else if (r->status == ST_PASS)
            sb_printf(problems, "  row %s should fail but passed\n", r->row->id);
        else if (i == 0 && m->message && !strstr(r->message, m->message))
            sb_printf(problems, "  row %s failed with \"%s\", which does not say \"%s\"\n",
                      r->row->id, r->message, m->message);
    }
}

static void check_forbidden(const struct mutant *m, const struct grade *g, struct strbuf *problems)
{
    for (size_t i = 0; i < m->forbidden.count; i++)
        if (!sl_contains(&g->forbidden_used, m->forbidden.items[i]))
            sb_printf(problems, "  the grader did not report the forbidden %s\n",
                      m->forbidden.items[i]);
    for (size_t i = 0; i < g->forbidden_used.count; i++)
        if (!sl_contains(&m->forbidden, g->forbidden_used.items[i]))
            sb_printf(problems, "  the grader reported %s as forbidden, which the manifest does not expect\n",
                      g->forbidden_used.items[i]);
}

/* Bonus and extra rows: the ring buffer, apart from the main score. */
static int apart(const struct row_config *row)
{
    return row->bonus || row->extra;
}

/* Whether the mutant targets the bonus (one of its rows is a bonus or
 * extra row). */
static int targets_bonus(const struct mutant *m, const struct grade *g)
{
    for (size_t i = 0; i < g->nrows; i++)
        if (apart(g->rows[i].row) && sl_contains(&m->rows, g->rows[i].row->id))
            return 1;
    return 0;
}

int mutant_verdict(const struct mutant *m, const struct grade *g, struct strlist *killers,
                   struct strbuf *problems)
{
    size_t before = problems->len;
    /* The bonus is built on the exercise's functions: a bug in them may
     * break the bonus rows too, without the manifest listing them. */
    int bonus_collateral = !targets_bonus(m, g);

    if (!g->compile_ok)
        sb_printf(problems, "  does not build: %s\n", g->compile_log);
    for (size_t i = 0; i < g->nrows; i++) {
        const struct row_grade *r = &g->rows[i];

        if (r->status == ST_PASS)
            continue;
        sl_push(killers, r->row->id);
        /* An extra row tests beyond the subject (attach_ring_buffer): a
         * mutant of a design without it fails it whatever its bug. It is
         * checked only when `rows` names it. */
        if ((apart(r->row) && bonus_collateral) || r->row->extra)
            continue;
        if (g->compile_ok && !sl_contains(&m->rows, r->row->id) && !sl_contains(&m->also, r->row->id))
            sb_printf(problems, "  row %s failed, which the manifest does not expect: %s\n",
                      r->row->id, r->message);
    }
    if (killers->count == 0)
        sb_printf(problems, "  SURVIVED: no row failed\n");
    check_named_rows(m, g, problems);
    check_forbidden(m, g, problems);
    return problems->len == before;
}

/* Whether `dir` names a ring variant: its last component starts "ring-". */
static int ring_variant(const char *dir)
{
    const char *end = dir + strlen(dir);
    const char *base;

    while (end > dir && end[-1] == '/')
        end--;
    base = end;
    while (base > dir && base[-1] != '/')
        base--;
    return end - base > 5 && strncmp(base, "ring-", 5) == 0;
}

int variant_verdict(const char *dir, const struct grade *g, struct strbuf *problems)
{
    size_t before = problems->len;
    int ring = ring_variant(dir);

    if (!g->compile_ok)
        sb_printf(problems, "  does not build: %s\n", g->compile_log);
    for (size_t r = 0; r < g->nrows; r++) {
        const struct row_grade *row = &g->rows[r];

        if (row->status == ST_PASS || row->row->extra || (row->row->bonus && !ring))
            continue;
        sb_printf(problems, "  row %s: %s\n", row->row->id, row->message);
    }
    if (g->score != g->max_score)
        sb_printf(problems, "  scores %d/%d\n", g->score, g->max_score);
    if (ring && g->bonus_score != g->bonus_max)
        sb_printf(problems, "  a ring variant must earn the whole bonus: %d/%d\n", g->bonus_score,
                  g->bonus_max);
    return problems->len == before;
}
