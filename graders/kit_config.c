/*
 * kit_config.c - the student kit's config.yaml, made from the instructor's
 * (`make kit`; an instructor's tool, not in the kit):
 *
 *   kit-config CONFIG HEADER > KIT_CONFIG
 *
 * The rows whose visibility is hidden or after_due_date are left out, and
 * so are the tests a kept row lists in hidden_tests (the kit has neither
 * their source nor their object, so it could not run them). A `kit`
 * section says what was left out, for the kit's grader to tell students
 * ("85 points graded here; 15 more are graded by your instructor").
 * default_header becomes HEADER (the kit's copy of the subject's header).
 *
 * The config is first loaded as the grader loads it, so a broken table is
 * refused with the grader's own messages; then libyaml's document is edited
 * and written back. YAML comments do not survive: the output starts with a
 * comment saying where it comes from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config.h"

/* The value of `key` in mapping `map`, or NULL. */
static yaml_node_t *value_of(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);

        if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
}

/* Drops the pair `key` from mapping `map` (the node stays in the document,
 * unreferenced: the emitter writes only what the root reaches). */
static void drop_key(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    yaml_node_pair_t *out = map->data.mapping.pairs.start;

    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
        if (strcmp(scalar(yaml_document_get_node(doc, p->key)), key) != 0)
            *out++ = *p;
    map->data.mapping.pairs.top = out;
}

/* Whether scalar item `item` is in sequence `seq` (NULL: no). */
static int listed(yaml_document_t *doc, yaml_node_t *seq, const char *item)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return 0;
    for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; i++)
        if (strcmp(scalar(yaml_document_get_node(doc, *i)), item) == 0)
            return 1;
    return 0;
}

/* A kept row: its hidden tests go, and so does the list naming them.
 * Returns how many tests went. */
static int strip_row(yaml_document_t *doc, yaml_node_t *row)
{
    yaml_node_t *tests = value_of(doc, row, "tests");
    yaml_node_t *hidden = value_of(doc, row, "hidden_tests");
    yaml_node_item_t *out = tests->data.sequence.items.start;
    int dropped = 0;

    for (yaml_node_item_t *i = tests->data.sequence.items.start; i < tests->data.sequence.items.top; i++) {
        if (listed(doc, hidden, scalar(yaml_document_get_node(doc, *i))))
            dropped++;
        else
            *out++ = *i;
    }
    tests->data.sequence.items.top = out;
    drop_key(doc, row, "hidden_tests");
    return dropped;
}

struct left_out {
    int points;
    int tests;
};

/* Keeps the rows students may see, stripped of their hidden tests. */
static struct left_out strip_rows(yaml_document_t *doc, yaml_node_t *rows)
{
    struct left_out left = {0, 0};
    yaml_node_item_t *out = rows->data.sequence.items.start;

    for (yaml_node_item_t *i = rows->data.sequence.items.start; i < rows->data.sequence.items.top; i++) {
        yaml_node_t *row = yaml_document_get_node(doc, *i);
        const char *vis = scalar(value_of(doc, row, "visibility"));

        if (*vis && strcmp(vis, "visible") != 0) {
            if (strcmp(scalar(value_of(doc, row, "bonus")), "true") != 0)
                left.points += atoi(scalar(value_of(doc, row, "points")));
            continue;
        }
        left.tests += strip_row(doc, row);
        *out++ = *i;
    }
    rows->data.sequence.items.top = out;
    return left;
}

static int add_scalar(yaml_document_t *doc, const char *value)
{
    return yaml_document_add_scalar(doc, NULL, (yaml_char_t *)value, -1, YAML_PLAIN_SCALAR_STYLE);
}

static void add_pair(yaml_document_t *doc, int map, const char *key, int value)
{
    yaml_document_append_mapping_pair(doc, map, add_scalar(doc, key), value);
}

static void add_kit_section(yaml_document_t *doc, struct left_out left)
{
    int kit = yaml_document_add_mapping(doc, NULL, YAML_BLOCK_MAPPING_STYLE);
    char points[16];
    char tests[16];

    snprintf(points, sizeof points, "%d", left.points);
    snprintf(tests, sizeof tests, "%d", left.tests);
    add_pair(doc, kit, "hidden_points", add_scalar(doc, points));
    add_pair(doc, kit, "hidden_tests", add_scalar(doc, tests));
    /* The root is node 1 of a loaded document. */
    add_pair(doc, 1, "kit", kit);
}

static void set_header(yaml_document_t *doc, yaml_node_t *root, const char *header)
{
    yaml_node_t *compile = value_of(doc, root, "compile");

    drop_key(doc, compile, "default_header");
    for (int id = 1; yaml_document_get_node(doc, id); id++)
        if (yaml_document_get_node(doc, id) == compile) {
            add_pair(doc, id, "default_header", add_scalar(doc, header));
            return;
        }
}

static int write_document(yaml_document_t *doc, FILE *out, const char *from)
{
    yaml_emitter_t emitter;
    int ok;

    fprintf(out, "# The student kit's grading table, made by `make kit` from the instructor's\n"
                 "# %s: rows and tests hidden from students are not in it; the kit\n"
                 "# section at the end says how many points and tests that is.\n", from);
    yaml_emitter_initialize(&emitter);
    yaml_emitter_set_output_file(&emitter, out);
    yaml_emitter_set_width(&emitter, 100);
    yaml_emitter_set_unicode(&emitter, 1);
    ok = yaml_emitter_open(&emitter) && yaml_emitter_dump(&emitter, doc) && yaml_emitter_close(&emitter);
    if (!ok)
        fprintf(stderr, "kit-config: cannot write the kit's config: %s\n",
                emitter.problem ? emitter.problem : "libyaml error");
    yaml_emitter_delete(&emitter);
    return ok && fflush(out) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct config *cfg;
    FILE *in;
    yaml_node_t *root;

    if (argc != 3) {
        fputs("usage: kit-config CONFIG HEADER > KIT_CONFIG\n", stderr);
        return 2;
    }
    cfg = config_load(argv[1]);
    if (!cfg)
        return 2;
    config_free(cfg);
    in = fopen(argv[1], "r");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, in);
    if (!yaml_parser_load(&parser, &doc)) {
        fprintf(stderr, "%s: %s\n", argv[1], parser.problem ? parser.problem : "cannot parse");
        return 2;
    }
    fclose(in);
    yaml_parser_delete(&parser);
    root = yaml_document_get_root_node(&doc);
    add_kit_section(&doc, strip_rows(&doc, value_of(&doc, root, "rows")));
    set_header(&doc, yaml_document_get_root_node(&doc), argv[2]);
    return write_document(&doc, stdout, argv[1]);
}
