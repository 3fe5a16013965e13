/*
 * Unit tests of extra rows (`extra: true` in config.yaml): tests beyond the
 * subject (the ring's attach_ring_buffer), worth no points, reported apart
 * from the score and from the bonus, dropped with the bonus by --no-bonus.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../graders/config.h"
#include "../../graders/report.h"

static const char table[] =
    "compile:\n"
    "  cc: gcc\n"
    "  cflags: [-std=c17]\n"
    "  link_flags: [-lrt]\n"
    "  timeout: 30\n"
    "  sources: [memory_mapper.c]\n"
    "  default_header: reference/memory_mapper.h\n"
    "  api: [map_file]\n"
    "tests:\n"
    "  object: build/tests/driver.o\n"
    "  checker: build/tests/checker\n"
    "  shim: tests/shim.c\n"
    "forbidden:\n"
    "  functions: [malloc]\n"
    "  penalty: 10\n"
    "  refused_symbols: [dlsym]\n"
    "  allowed_sections: [.text]\n"
    "  shim_globals: [mm_addr]\n"
    "limits:\n"
    "  cpu_seconds: 1\n"
    "  memory_mb: 512\n"
    "  file_size_mb: 64\n"
    "  processes: 64\n"
    "  output_kb: 64\n"
    "rows:\n"
    "  - id: main\n"
    "    title: main row\n"
    "    category: Basic\n"
    "    points: 100\n"
    "    timeout: 5\n"
    "    tests: [main/one]\n"
    "  - id: ring\n"
    "    title: bonus row\n"
    "    category: Bonus\n"
    "    bonus: true\n"
    "    points: 50\n"
    "    timeout: 5\n"
    "    tests: [ring/one]\n"
    "  - id: attach\n"
    "    title: extra row\n"
    "    category: Extra\n"
    "    extra: true\n"
    "    points: 0\n"
    "    timeout: 5\n"
    "    tests: [attach/one]\n";

static struct config *load(const char *text, struct strbuf *errors)
{
    return config_parse("c.yaml", text, strlen(text), errors);
}

/* `table` with `from` replaced by `to` (caller frees). */
static char *table_with(const char *from, const char *to)
{
    const char *at = strstr(table, from);

    cr_assert_not_null(at, "test bug: \"%s\" not in the table", from);
    return xasprintf("%.*s%s%s", (int)(at - table), table, to, at + strlen(from));
}

static void expect_error(const char *text, const char *message)
{
    struct strbuf errors = {0};
    struct config *cfg = load(text, &errors);

    cr_assert_null(cfg, "the config was accepted; expected \"%s\"", message);
    cr_assert(errors.data && strstr(errors.data, message), "expected \"%s\" in:\n%s", message,
              errors.data ? errors.data : "(no error)");
    sb_free(&errors);
}

Test(extra, parsed_apart_from_score_and_bonus)
{
    struct config *cfg = load(table, NULL);

    cr_assert_not_null(cfg);
    cr_assert_eq(cfg->nrows, 3);
    cr_assert_eq(cfg->rows[2].extra, 1);
    cr_assert_eq(cfg->rows[2].bonus, 0);
    cr_assert_eq(cfg->rows[1].extra, 0);
    cr_assert_eq(cfg->max_score, 100);
    config_free(cfg);
}

Test(extra, must_be_worth_nothing)
{
    char *text = table_with("extra: true\n    points: 0\n", "extra: true\n    points: 5\n");

    expect_error(text, "row \"attach\" is an extra (beyond the subject): its points must be 0");
    free(text);
}

Test(extra, not_also_a_bonus)
{
    char *text = table_with("extra: true\n", "extra: true\n    bonus: true\n");

    expect_error(text, "row \"attach\" cannot be both a bonus and an extra");
    free(text);
}

Test(extra, dropped_with_the_bonus)
{
    struct config *cfg = load(table, NULL);

    cr_assert_not_null(cfg);
    config_drop_bonus(cfg);
    cr_assert_eq(cfg->nrows, 1);
    cr_assert_str_eq(cfg->rows[0].id, "main");
    config_free(cfg);
}

/* Every row fails; the grade has the three kinds. */
static struct grade *failed_grade(struct config *cfg)
{
    struct grade *g = grade_new(cfg, "sub");

    g->compile_ok = 1;
    for (size_t i = 0; i < g->nrows; i++) {
        g->rows[i].status = ST_FAIL;
        free(g->rows[i].message);
        g->rows[i].message = xasprintf("%s failed", g->rows[i].row->id);
    }
    return g;
}

static char *report(const struct report_ops *ops, struct grade *g)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);

    cr_assert_eq(ops->write(out, &g, 1, 0), 0);
    fclose(out);
    return buf;
}

Test(extra, text_report_shows_extras_apart)
{
    struct config *cfg = load(table, NULL);
    struct grade *g = failed_grade(cfg);
    char *text = report(&report_text, g);
    const char *bonus = strstr(text, "  bonus (apart from the 100 points):\n");
    const char *extra = strstr(text, "  extra (beyond the subject, no points):\n");
    const char *attach = strstr(text, "attach failed");

    cr_assert(bonus && extra && attach, "%s", text);
    cr_assert(bonus < strstr(text, "ring failed") && strstr(text, "ring failed") < extra && extra < attach,
              "the extra row must come last, under its own heading:\n%s", text);
    cr_assert(strstr(text, "Bonus: 0/50\n"), "%s", text);
    free(text);
    grade_free(g);
    config_free(cfg);
}

Test(extra, json_report_marks_extras)
{
    struct config *cfg = load(table, NULL);
    struct grade *g = failed_grade(cfg);
    char *json = report(&report_json, g);
    const char *attach = strstr(json, "{\"id\": \"attach\"");
    const char *ring = strstr(json, "{\"id\": \"ring\"");

    cr_assert(attach && ring, "%s", json);
    cr_assert(strstr(attach, "\"bonus\": false, \"extra\": true"), "%s", json);
    cr_assert(strstr(ring, "\"bonus\": true, \"extra\": false"), "%s", json);
    cr_assert(strstr(json, "\"bonus_max\": 50"), "%s", json);
    free(json);
    grade_free(g);
    config_free(cfg);
}
