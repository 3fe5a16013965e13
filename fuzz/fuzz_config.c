/*
 * fuzz_config.c - any bytes as config.yaml.
 *
 * config_load() reads the file and hands its bytes to config_parse(); the
 * target calls config_parse() on the input itself (no file per run) and
 * holds it to config.h's promises:
 *   - a refused config says why, every line as "file:line:column: message",
 *     text a terminal only shows (what it quotes of the file escaped);
 *   - an accepted one has what the grader relies on without checking again:
 *     every required string, rows with unique ids and at least one test,
 *     each test named suite/name and in one row only, points that add up
 *     to max_score, values in their ranges;
 * and then frees everything (LeakSanitizer checks each run), also after
 * --no-bonus's config_drop_bonus().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../graders/config.h"
#include "fuzz.h"

#define NAME "fuzz.yaml"

/* Every line of `errors` is "fuzz.yaml:LINE:COLUMN: message" (1-based). */
static void check_errors(const struct strbuf *errors)
{
    const char *line = errors->data;
    size_t at = 0;
    const char *problem;

    FZ_CHECK(errors->len > 0, "a refused config without a message");
    problem = fz_text_problem(errors->data, errors->len, &at);
    FZ_CHECK(!problem && !strchr(errors->data, '\t'), "error messages with %s at byte %zu",
             problem ? problem : "a tab", at);
    while (*line) {
        const char *end = strchr(line, '\n');
        unsigned long l = 0;
        unsigned long c = 0;
        int used = 0;

        FZ_CHECK(end, "an error message without its newline: %s", line);
        FZ_CHECK(sscanf(line, NAME ":%lu:%lu: %n", &l, &c, &used) == 2 && used > 0 && l > 0
                     && c > 0 && line + used < end,
                 "an error message not of the form file:line:column: message: %.*s",
                 (int)(end - line), line);
        line = end + 1;
    }
}

static int valid_test_name(const char *s)
{
    size_t suite = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    size_t name;

    if (suite == 0 || s[suite] != '/')
        return 0;
    name = strspn(s + suite + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    return name > 0 && s[suite + 1 + name] == '\0';
}

static void check_strings(const struct config *cfg)
{
    const char *required[] = {cfg->cc, cfg->default_header, cfg->test_object, cfg->checker,
                              cfg->shim_source};

    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        FZ_CHECK(required[i] && required[i][0], "required string %zu missing or empty", i);
    FZ_CHECK(cfg->limits.memory_mb >= 16 && cfg->limits.output_kb >= 1
                 && cfg->limits.cpu_seconds >= 0.1 && cfg->compile_timeout >= 1,
             "a limit out of its range");
    FZ_CHECK(cfg->forbidden_penalty >= 0 && cfg->forbidden_penalty <= 1000, "penalty %d",
             cfg->forbidden_penalty);
}

static void check_rows(const struct config *cfg)
{
    long total = 0;

    for (size_t r = 0; r < cfg->nrows; r++) {
        const struct row_config *row = &cfg->rows[r];

        FZ_CHECK(row->id && row->title && row->category, "row %zu without id, title or category", r);
        FZ_CHECK(row->tests.count > 0, "row %s without tests", row->id);
        FZ_CHECK(row->points >= 0 && row->points <= 1000 && row->timeout >= 0.1
                     && row->timeout <= 600,
                 "row %s: points or timeout out of range", row->id);
        if (!row->bonus)
            total += row->points;
        for (size_t o = 0; o < r; o++)
            FZ_CHECK(strcmp(cfg->rows[o].id, row->id) != 0, "row %s twice", row->id);
        for (size_t t = 0; t < row->tests.count; t++) {
            FZ_CHECK(valid_test_name(row->tests.items[t]), "test name \"%s\"", row->tests.items[t]);
            for (size_t o = 0; o <= r; o++)
                for (size_t u = 0; u < (o == r ? t : cfg->rows[o].tests.count); u++)
                    FZ_CHECK(strcmp(cfg->rows[o].tests.items[u], row->tests.items[t]) != 0,
                             "test %s twice", row->tests.items[t]);
        }
    }
    FZ_CHECK(total == cfg->max_score, "max_score %d, rows add up to %ld", cfg->max_score, total);
    FZ_CHECK(cfg->nrows == 0 || cfg->max_score > 0, "rows worth 0 points accepted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct strbuf errors = {0};
    struct config *cfg = config_parse(NAME, (const char *)data, size, &errors);

    if (!cfg) {
        check_errors(&errors);
        sb_free(&errors);
        return 0;
    }
    FZ_CHECK(errors.len == 0, "an accepted config with errors: %s", errors.data);
    check_strings(cfg);
    check_rows(cfg);
    free(config_path(cfg, "reference/memory_mapper.h"));
    config_drop_bonus(cfg);
    for (size_t r = 0; r < cfg->nrows; r++)
        FZ_CHECK(!cfg->rows[r].bonus, "a bonus row left after config_drop_bonus");
    config_free(cfg);
    sb_free(&errors);
    return 0;
}
