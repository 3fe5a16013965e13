/*
 * Unit tests of the mutation check: manifests, and what makes a mutant
 * "killed as the manifest says".
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../../graders/mutation.h"

static const char manifest[] =
    "mutants:\n"
    "  - id: m1\n"
    "    patch: 01.patch\n"
    "    what: w\n"
    "    why: y\n"
    "    rows: [a]\n"
    "    also: [b]\n"
    "    message: \"leak\"\n";

Test(mutation, manifest_parses)
{
    struct manifest m = {0};

    cr_assert_eq(manifest_parse("m.yaml", manifest, strlen(manifest), "dir", &m, NULL), 0);
    cr_assert_eq(m.count, 1);
    cr_assert_str_eq(m.items[0].patch, "dir/01.patch");
    cr_assert_str_eq(m.items[0].also.items[0], "b");
    manifest_free(&m);
}

Test(mutation, manifest_errors_have_positions)
{
    static const char bad[] = "mutants:\n  - id: m1\n    patch: p\n    what: w\n    why: y\n";
    struct manifest m = {0};
    struct strbuf errors = {0};

    cr_assert_eq(manifest_parse("m.yaml", bad, strlen(bad), ".", &m, &errors), -1);
    cr_assert(strstr(errors.data, "m.yaml:2:5: a mutant: missing required key \"rows\""), "%s",
              errors.data);
    sb_free(&errors);
    manifest_free(&m);
}

static struct row_config rows[] = {{.id = "a", .points = 50}, {.id = "b", .points = 30}, {.id = "c", .points = 20}};

/* A grade where row i has status st[i]; row a's message is "x: leak". */
static struct grade *graded(enum status a, enum status b, enum status c)
{
    struct config cfg = {.rows = rows, .nrows = 3, .max_score = 100};
    enum status st[3] = {a, b, c};
    struct grade *g;

    for (int i = 0; i < 3; i++) {
        sl_free(&rows[i].tests);
        sl_pushf(&rows[i].tests, "%s/t", rows[i].id);
    }
    g = grade_new(&cfg, "mutant");
    g->compile_ok = 1;
    for (int i = 0; i < 3; i++) {
        g->rows[i].status = st[i];
        free(g->rows[i].message);
        g->rows[i].message = xstrdup(st[i] == ST_PASS ? "" : "x: leak");
    }
    return g;
}

static int verdict_of(const char *text, struct grade *g, struct strbuf *problems)
{
    struct manifest m = {0};
    struct strlist killers = {0};
    int ok;

    cr_assert_eq(manifest_parse("m.yaml", text, strlen(text), ".", &m, NULL), 0);
    ok = mutant_verdict(&m.items[0], g, &killers, problems);
    sl_free(&killers);
    manifest_free(&m);
    grade_free(g);
    return ok;
}

Test(mutation, killed_as_expected)
{
    struct strbuf p = {0};

    cr_assert(verdict_of(manifest, graded(ST_FAIL, ST_CRASH, ST_PASS), &p), "%s", p.data);
    sb_free(&p);
}

Test(mutation, survivor_is_reported)
{
    struct strbuf p = {0};

    cr_assert_not(verdict_of(manifest, graded(ST_PASS, ST_PASS, ST_PASS), &p));
    cr_assert(strstr(p.data, "SURVIVED"), "%s", p.data);
    sb_free(&p);
}

Test(mutation, unexpected_row_is_reported)
{
    struct strbuf p = {0};

    cr_assert_not(verdict_of(manifest, graded(ST_FAIL, ST_PASS, ST_FAIL), &p));
    cr_assert(strstr(p.data, "row c failed, which the manifest does not expect"), "%s", p.data);
    sb_free(&p);
}

Test(mutation, named_row_must_fail)
{
    struct strbuf p = {0};

    cr_assert_not(verdict_of(manifest, graded(ST_PASS, ST_FAIL, ST_PASS), &p));
    cr_assert(strstr(p.data, "row a should fail but passed"), "%s", p.data);
    sb_free(&p);
}

Test(mutation, message_must_match)
{
    static const char other[] =
        "mutants:\n  - {id: m, patch: p, what: w, why: y, rows: [a], message: \"overflow\"}\n";
    struct strbuf p = {0};

    cr_assert_not(verdict_of(other, graded(ST_FAIL, ST_PASS, ST_PASS), &p));
    cr_assert(strstr(p.data, "does not say \"overflow\""), "%s", p.data);
    sb_free(&p);
}

Test(mutation, forbidden_functions_must_match)
{
    static const char malloc_one[] =
        "mutants:\n  - {id: m, patch: p, what: w, why: y, rows: [a], forbidden: [malloc]}\n";
    struct strbuf p = {0};

    cr_assert_not(verdict_of(malloc_one, graded(ST_FAIL, ST_PASS, ST_PASS), &p));
    cr_assert(strstr(p.data, "did not report the forbidden malloc"), "%s", p.data);
    sb_free(&p);
}

/* The bonus is built on the exercise's functions: a base mutant may break
 * a bonus row without the manifest saying so; a bonus mutant may not. */
Test(mutation, bonus_rows_are_collateral_of_base_mutants)
{
    static const char bonus_one[] =
        "mutants:\n  - {id: m, patch: p, what: w, why: y, rows: [c]}\n";
    struct strbuf p = {0};

    rows[2].bonus = 1;
    cr_assert(verdict_of(manifest, graded(ST_FAIL, ST_PASS, ST_FAIL), &p), "%s", p.data);
    cr_assert_not(verdict_of(bonus_one, graded(ST_FAIL, ST_PASS, ST_FAIL), &p));
    cr_assert(strstr(p.data, "row a failed, which the manifest does not expect"), "%s", p.data);
    rows[2].bonus = 0;
    sb_free(&p);
}

/* An extra row (beyond the subject) fails for a mutant of a design without
 * attach_ring_buffer whatever its bug: never unexpected; but a mutant
 * that names it in `rows` must fail it. */
Test(mutation, extra_rows_are_never_unexpected)
{
    static const char extra_one[] =
        "mutants:\n  - {id: m, patch: p, what: w, why: y, rows: [c]}\n";
    struct strbuf p = {0};

    rows[2].extra = 1;
    cr_assert(verdict_of(manifest, graded(ST_FAIL, ST_PASS, ST_FAIL), &p), "%s", p.data);
    cr_assert(verdict_of(extra_one, graded(ST_PASS, ST_PASS, ST_FAIL), &p), "%s", p.data);
    cr_assert_not(verdict_of(extra_one, graded(ST_PASS, ST_PASS, ST_PASS), &p));
    cr_assert(strstr(p.data, "row c should fail but passed"), "%s", p.data);
    rows[2].extra = 0;
    sb_free(&p);
}

Test(mutation, base_is_resolved_like_the_patch)
{
    static const char based[] =
        "mutants:\n  - {id: m, base: ../variants/v, patch: p, what: w, why: y, rows: [a]}\n";
    struct manifest m = {0};

    cr_assert_eq(manifest_parse("m.yaml", based, strlen(based), "dir", &m, NULL), 0);
    cr_assert_eq(manifest_parse("m.yaml", manifest, strlen(manifest), "dir", &m, NULL), 0);
    cr_assert_str_eq(m.items[0].base, "dir/../variants/v");
    cr_assert_null(m.items[1].base, "without `base`, the patch applies to the reference");
    manifest_free(&m);
}

/* Rows of a variant's grade: a main row, a bonus row, an extra row. */
static struct row_config vrows[] = {
    {.id = "main", .points = 100}, {.id = "ring", .points = 50, .bonus = 1}, {.id = "attach", .extra = 1}};

static struct grade *variant_grade(enum status main, enum status ring, enum status attach)
{
    struct config cfg = {.rows = vrows, .nrows = 3, .max_score = 100};
    enum status st[3] = {main, ring, attach};
    struct grade *g = grade_new(&cfg, "variant");

    g->compile_ok = 1;
    for (int i = 0; i < 3; i++) {
        g->rows[i].status = st[i];
        g->rows[i].points = st[i] == ST_PASS ? vrows[i].points : 0;
        free(g->rows[i].message);
        g->rows[i].message = xasprintf("%s: lost", vrows[i].id);
    }
    g->score = g->rows[0].points;
    g->bonus_score = g->rows[1].points;
    return g;
}

static int variant_ok(const char *dir, struct grade *g, struct strbuf *p)
{
    int ok = variant_verdict(dir, g, p);

    grade_free(g);
    return ok;
}

Test(mutation, variants_must_earn_every_main_point)
{
    struct strbuf p = {0};

    cr_assert(variant_ok("v/static-pool", variant_grade(ST_PASS, ST_FAIL, ST_FAIL), &p), "%s", p.data);
    cr_assert_not(variant_ok("v/static-pool", variant_grade(ST_FAIL, ST_PASS, ST_PASS), &p));
    cr_assert(strstr(p.data, "row main: main: lost"), "%s", p.data);
    cr_assert(strstr(p.data, "scores 0/100"), "%s", p.data);
    sb_free(&p);
}

/* A ring variant ("ring-..."): the whole bonus too; the extra row never. */
Test(mutation, ring_variants_must_earn_the_whole_bonus)
{
    struct strbuf p = {0};

    cr_assert(variant_ok("v/ring-semaphores/", variant_grade(ST_PASS, ST_PASS, ST_FAIL), &p), "%s", p.data);
    cr_assert_not(variant_ok("v/ring-semaphores", variant_grade(ST_PASS, ST_TIMEOUT, ST_PASS), &p));
    cr_assert(strstr(p.data, "row ring: ring: lost"), "%s", p.data);
    cr_assert(strstr(p.data, "a ring variant must earn the whole bonus: 0/50"), "%s", p.data);
    sb_free(&p);
}
