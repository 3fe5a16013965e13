/*
 * json_read.h - reading a JSON document (RFC 8259) into a tree, for
 * `moulinette merge`, which reads the grader's own JSON reports back.
 *
 * Input is untrusted (a report may have been edited): depth, size and
 * every escape are checked, and an error says where ("line:column:
 * message"). Strings are UTF-8; \u0000 becomes the two bytes C0 80, as in
 * captured output (sandbox.h), so a NUL written by json.c comes back the
 * same.
 */
#ifndef MM_JSON_READ_H
#define MM_JSON_READ_H

#include <stddef.h>

enum jr_type { JR_NULL, JR_BOOL, JR_NUMBER, JR_STRING, JR_ARRAY, JR_OBJECT };

struct jr_value {
    enum jr_type type;
    int boolean;
    double number;
    char *string;            /* JR_STRING */
    struct jr_value *items;  /* JR_ARRAY: items; JR_OBJECT: values */
    char **keys;             /* JR_OBJECT */
    size_t count;
};

/* Parses `text` (`len` bytes) into `out`. Returns 0, or -1 with a message
 * in *error (caller frees). */
int jr_parse(const char *text, size_t len, struct jr_value *out, char **error);

void jr_free(struct jr_value *v);

/* The member `key` of object `obj`, or NULL (also when obj is not an
 * object). */
const struct jr_value *jr_get(const struct jr_value *obj, const char *key);

/* Typed reads with a default when the member is missing or of another type. */
const char *jr_string(const struct jr_value *obj, const char *key, const char *def);
double jr_number(const struct jr_value *obj, const char *key, double def);
int jr_bool(const struct jr_value *obj, const char *key, int def);

#endif
