/*
 * Unit tests of config loading: a good table, and broken ones, each with
 * the file:line:column message it must produce.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../../graders/config.h"

static const char good[] =
    "compile:\n"
    "  cc: gcc\n"
    "  cflags: [-std=c17]\n"
    "  link_flags: [\"-Wl,--wrap=msync\"]\n"
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
    "  refused_symbols: [dlsym, cr_*]\n"
    "  allowed_sections: [.text, .text.*]\n"
    "  shim_globals: [mm_addr]\n"
    "limits:\n"
    "  cpu_seconds: 1.5\n"
    "  memory_mb: 512\n"
    "  file_size_mb: 64\n"
    "  processes: 64\n"
    "  output_kb: 64\n"
    "rows:\n"
    "  - id: a\n"
    "    title: first\n"
    "    category: Basic\n"
    "    points: 60\n"
    "    timeout: 5\n"
    "    tests: [a/one, a/two]\n"
    "  - id: b\n"
    "    title: second\n"
    "    category: Basic\n"
    "    points: 40\n"
    "    timeout: 2.5\n"
    "    tests: [b/one]\n"
    "  - id: extra\n"
    "    title: bonus row\n"
    "    category: Bonus\n"
    "    points: 20\n"
    "    timeout: 5\n"
    "    bonus: true\n"
    "    tests: [extra/one]\n";

/* Parses `text`, expecting failure with `message` among the errors. */
static void expect_error(const char *text, const char *message)
{
    struct strbuf errors = {0};
    struct config *cfg = config_parse("c.yaml", text, strlen(text), &errors);

    cr_assert_null(cfg, "the config was accepted; expected \"%s\"", message);
    cr_assert(errors.data && strstr(errors.data, message), "expected \"%s\" in:\n%s", message,
              errors.data ? errors.data : "(no error)");
    sb_free(&errors);
}

/* `good` with its first occurrence of `from` replaced by `to`. */
static char *good_with(const char *from, const char *to)
{
    const char *at = strstr(good, from);

    cr_assert_not_null(at, "test bug: \"%s\" not in the good config", from);
    return xasprintf("%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
}

Test(config, good_table)
{
    struct config *cfg = config_parse("c.yaml", good, strlen(good), NULL);

    cr_assert_not_null(cfg);
    cr_assert_eq(cfg->nrows, 3);
    cr_assert_eq(cfg->max_score, 100, "bonus rows are not part of the main score");
    cr_assert_str_eq(cfg->rows[1].tests.items[0], "b/one");
    cr_assert_float_eq(cfg->rows[1].timeout, 2.5, 1e-9);
    cr_assert_eq(cfg->rows[2].bonus, 1);
    cr_assert_str_eq(cfg->link_flags.items[0], "-Wl,--wrap=msync");
    cr_assert_eq(cfg->forbidden_penalty, 10);
    cr_assert_eq(cfg->limits.memory_mb, 512);
    config_free(cfg);
}

Test(config, syntax_error_has_position)
{
    expect_error("rows: [a, b\ncompile: {", "c.yaml:2:");
}

Test(config, empty_file)
{
    expect_error("", "c.yaml:1:1: the file is empty");
}

Test(config, unknown_key)
{
    char *text = good_with("  penalty: 10\n", "  penalty: 10\n  penality: 3\n");

    expect_error(text, "c.yaml:16:3: unknown key \"penality\" in forbidden");
    free(text);
}

Test(config, duplicate_key)
{
    char *text = good_with("  cc: gcc\n", "  cc: gcc\n  cc: clang\n");

    expect_error(text, "c.yaml:3:3: duplicate key \"cc\" in compile");
    free(text);
}

Test(config, number_must_be_a_number)
{
    char *text = good_with("points: 40", "points: forty");

    expect_error(text, "c.yaml:35:13: points: expected a number, found \"forty\"");
    free(text);
}

Test(config, quoted_number_refused)
{
    char *text = good_with("points: 40", "points: \"40\"");

    expect_error(text, "points: expected a number");
    free(text);
}

Test(config, number_out_of_range)
{
    char *text = good_with("timeout: 2.5", "timeout: 0");

    expect_error(text, "timeout: 0 is out of range");
    free(text);
}

Test(config, missing_required_key)
{
    char *text = good_with("    points: 40\n", "");

    expect_error(text, "a row: missing required key \"points\"");
    free(text);
}

Test(config, missing_section)
{
    char *text = good_with("limits:\n", "limitz:\n");

    expect_error(text, "unknown section \"limitz\"");
    free(text);
}

Test(config, duplicate_row)
{
    char *text = good_with("  - id: b\n", "  - id: a\n");

    expect_error(text, "row \"a\" is defined twice");
    free(text);
}

Test(config, test_in_two_rows)
{
    char *text = good_with("tests: [b/one]", "tests: [a/two]");

    expect_error(text, "test \"a/two\" appears twice");
    free(text);
}

Test(config, bad_test_name)
{
    char *text = good_with("tests: [b/one]", "tests: [b one]");

    expect_error(text, "\"b one\" is not a test name of the form suite/name");
    free(text);
}

Test(config, wrong_type)
{
    char *text = good_with("  cflags: [-std=c17]\n", "  cflags: -std=c17\n");

    expect_error(text, "c.yaml:3:11: expected a list, found a scalar");
    free(text);
}

Test(config, bool_must_be_true_or_false)
{
    char *text = good_with("bonus: true", "bonus: yes");

    expect_error(text, "expected true or false, found \"yes\"");
    free(text);
}

Test(config, object_policy_lists)
{
    struct config *cfg = config_parse("c.yaml", good, strlen(good), NULL);

    cr_assert_not_null(cfg);
    cr_assert_str_eq(cfg->refused_symbols.items[1], "cr_*");
    cr_assert_str_eq(cfg->allowed_sections.items[0], ".text");
    cr_assert_str_eq(cfg->shim_globals.items[0], "mm_addr");
    config_free(cfg);
}

Test(config, pattern_star_only_at_the_end)
{
    char *text = good_with("[dlsym, cr_*]", "[dlsym, c*r]");

    expect_error(text, "c.yaml:16:28: forbidden.refused_symbols: \"c*r\": '*' may only end a pattern");
    free(text);
}

Test(config, empty_section_allow_list)
{
    char *text = good_with("[.text, .text.*]", "[]");

    expect_error(text, "c.yaml:17:21: forbidden.allowed_sections: an empty list would refuse "
                       "every object");
    free(text);
}

Test(config, object_policy_required)
{
    char *text = good_with("  shim_globals: [mm_addr]\n", "");

    expect_error(text, "forbidden: missing required key \"shim_globals\"");
    free(text);
}

/* A quoted value may hold a newline or a terminal escape: the message
 * quoting it stays one line of text (the escapes shown, not obeyed). */
Test(config, quoted_value_escaped_in_message)
{
    char *text = good_with("tests: [b/one]", "tests: [\"b/o\\nne\\e[2J\\x85\"]");
    struct strbuf errors = {0};

    cr_assert_null(config_parse("c.yaml", text, strlen(text), &errors));
    cr_assert(errors.data && strstr(errors.data, "\"b/o\\x0ane\\x1b[2J\\u0085\" is not a test name"),
              "%s", errors.data ? errors.data : "(no error)");
    cr_assert_eq(strchr(errors.data, '\n'), errors.data + errors.len - 1, "one line: %s", errors.data);
    free(text);
    sb_free(&errors);
}

Test(config, visibility_of_rows_and_tests)
{
    char *text = good_with("    tests: [a/one, a/two]\n",
                           "    tests: [a/one, a/two]\n    hidden_tests: [a/two]\n");
    char *text2 = xasprintf("%s%s", text, "    visibility: after_due_date\n");
    struct config *cfg = config_parse("c.yaml", text2, strlen(text2), NULL);

    cr_assert_not_null(cfg);
    cr_assert_eq(config_test_visibility(&cfg->rows[0], "a/one"), VIS_VISIBLE);
    cr_assert_eq(config_test_visibility(&cfg->rows[0], "a/two"), VIS_HIDDEN);
    cr_assert_eq(cfg->rows[2].visibility, VIS_AFTER_DUE_DATE);
    cr_assert_str_eq(visibility_name(VIS_AFTER_DUE_DATE), "after_due_date");
    config_free(cfg);
    free(text);
    free(text2);
}

Test(config, visibility_errors)
{
    char *bad_word = good_with("    tests: [b/one]\n", "    tests: [b/one]\n    visibility: secret\n");
    char *not_its = good_with("    tests: [b/one]\n", "    tests: [b/one]\n    hidden_tests: [a/one]\n");
    char *all = good_with("    tests: [b/one]\n", "    tests: [b/one]\n    hidden_tests: [b/one]\n");

    expect_error(bad_word, "visibility \"secret\": expected visible, after_due_date or hidden");
    expect_error(not_its, "row \"b\": hidden test \"a/one\" is not one of its tests");
    expect_error(all, "row \"b\": every test is hidden");
    free(bad_word);
    free(not_its);
    free(all);
}

Test(config, kit_section)
{
    char *text = xasprintf("%skit:\n  hidden_points: 15\n  hidden_tests: 2\n", good);
    char *bad = xasprintf("%skit:\n  hidden_points: 15\n", good);
    struct config *cfg = config_parse("c.yaml", text, strlen(text), NULL);

    cr_assert_not_null(cfg);
    cr_assert_eq(cfg->kit_hidden_points, 15);
    cr_assert_eq(cfg->kit_hidden_tests, 2);
    config_free(cfg);
    cfg = config_parse("c.yaml", good, strlen(good), NULL);
    cr_assert_eq(cfg->kit_hidden_points, 0);
    config_free(cfg);
    expect_error(bad, "hidden_tests");
    free(text);
    free(bad);
}

Test(config, select_rows_and_tests)
{
    struct config *cfg = config_parse("c.yaml", good, strlen(good), NULL);
    struct strlist rows = {0};
    struct strlist tests = {0};
    char *error = NULL;

    sl_push(&rows, "b");
    sl_push(&tests, "a/two");
    cr_assert_eq(config_select(cfg, &rows, &tests, &error), 0);
    cr_assert_eq(cfg->nrows, 2);
    cr_assert_str_eq(cfg->rows[0].id, "a");
    cr_assert_eq(cfg->rows[0].tests.count, 1);
    cr_assert_str_eq(cfg->rows[0].tests.items[0], "a/two");
    cr_assert_str_eq(cfg->rows[1].id, "b");
    cr_assert_eq(cfg->max_score, 100);
    cr_assert_eq(cfg->full_max_score, 100);
    cr_assert(cfg->partial);
    config_free(cfg);

    cfg = config_parse("c.yaml", good, strlen(good), NULL);
    sl_free(&rows);
    sl_push(&rows, "b");
    sl_free(&tests);
    cr_assert_eq(config_select(cfg, &rows, &tests, &error), 0);
    cr_assert_eq(cfg->max_score, 40);
    config_free(cfg);

    cfg = config_parse("c.yaml", good, strlen(good), NULL);
    sl_push(&tests, "a/three");
    cr_assert_eq(config_select(cfg, &rows, &tests, &error), -1);
    cr_assert_str_eq(error, "no test \"a/three\" in c.yaml (tests are named suite/name; see --list)");
    cr_assert_eq(cfg->nrows, 3, "a refused selection changes nothing");
    free(error);
    sl_free(&rows);
    sl_push(&rows, "nope");
    cr_assert_eq(config_select(cfg, &rows, &tests, &error), -1);
    cr_assert_str_eq(error, "no row \"nope\" in c.yaml");
    free(error);
    config_free(cfg);
    sl_free(&rows);
    sl_free(&tests);
}
