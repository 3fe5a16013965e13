/*
 * yamlmap.h - reading YAML mappings into C structs with libyaml's document
 * API, for config.yaml and the mutant manifests.
 *
 * A section is described by a table of fields (key, kind, offset into the
 * struct it fills, required?, range); one walker reads any section from
 * its table. libyaml resolves no types (`10`, `ten` and `"10"` are all
 * scalars), so numbers and booleans are parsed here, from plain scalars
 * only; duplicate keys, which libyaml accepts silently, are errors. Every
 * error is reported as "file:line:column: message".
 */
#ifndef MM_YAMLMAP_H
#define MM_YAMLMAP_H

#include <stddef.h>
#include <yaml.h>

#include "util.h"

struct ymap_ctx {
    yaml_document_t *doc;
    const char *name;      /* the file, in messages */
    struct strbuf *errors; /* messages go here, or to stderr when NULL */
    int nerr;
};

/* string: char *; int: long; seconds: double; bool: int; list: struct strlist */
enum ymap_kind { K_STRING, K_INT, K_SECONDS, K_BOOL, K_LIST };

struct ymap_field {
    const char *key;
    enum ymap_kind kind;
    size_t offset;
    int required;
    double min; /* for numbers */
    double max;
};

#define YMAP_FIELD(key, kind, type, member, req, lo, hi) \
    {key, kind, offsetof(type, member), req, lo, hi}
#define YMAP_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Parses `text` into c->doc; on a syntax error reports it and returns -1
 * (the parser is then already deleted). */
int ymap_load(struct ymap_ctx *c, yaml_parser_t *parser, const char *text, size_t len);

void ymap_report(struct ymap_ctx *c, const yaml_mark_t *mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports and returns 0 unless `n` is of `type` ("expected <what>"). */
int ymap_expect(struct ymap_ctx *c, const yaml_node_t *n, yaml_node_type_t type, const char *what);

const char *ymap_scalar(const yaml_node_t *n);

/* Reads mapping `n` into `base` following `fields`; reports unknown,
 * duplicate and missing keys and badly typed values. */
void ymap_section(struct ymap_ctx *c, yaml_node_t *n, const char *section,
                  const struct ymap_field *fields, size_t nfields, void *base);

#endif
