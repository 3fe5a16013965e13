/*
 * Unit tests of json_read.c (what `moulinette merge` reads reports with)
 * and of sha256.c (the reports' provenance hashes).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../../graders/json_read.h"
#include "../../graders/sha256.h"
#include "../../graders/util.h"

static void parse_ok(const char *text, struct jr_value *v)
{
    char *error = NULL;

    cr_assert_eq(jr_parse(text, strlen(text), v, &error), 0, "%s: %s", text, error ? error : "");
}

static void parse_fails(const char *text, const char *message)
{
    struct jr_value v;
    char *error = NULL;

    cr_assert_eq(jr_parse(text, strlen(text), &v, &error), -1, "accepted: %s", text);
    cr_assert(strstr(error, message), "expected \"%s\" in \"%s\"", message, error);
    free(error);
}

Test(json_read, a_report_shaped_document)
{
    struct jr_value v;

    parse_ok("[{\"submission\": \"a\", \"score\": 95, \"compile\": {\"ok\": true, \"log\": \"\"},\n"
             " \"notes\": [\"x\", \"y\"], \"sha\": null}]",
             &v);
    cr_assert_eq(v.type, JR_ARRAY);
    cr_assert_eq(v.count, 1);
    cr_assert_str_eq(jr_string(&v.items[0], "submission", ""), "a");
    cr_assert_eq(jr_number(&v.items[0], "score", 0), 95);
    cr_assert_eq(jr_bool(jr_get(&v.items[0], "compile"), "ok", 0), 1);
    cr_assert_eq(jr_get(&v.items[0], "notes")->count, 2);
    cr_assert_eq(jr_get(&v.items[0], "sha")->type, JR_NULL);
    cr_assert_str_eq(jr_string(&v.items[0], "missing", "default"), "default");
    jr_free(&v);
}

Test(json_read, escapes_come_back_as_written)
{
    struct jr_value v;

    /* \u0000 is the C0 80 of captured output; a surrogate pair one character. */
    parse_ok("\"a\\u0000b\\n\\t\\\"\\\\\\/\\u00e9\\ud83d\\ude00\"", &v);
    cr_assert_str_eq(v.string, "a\xc0\x80" "b\n\t\"\\/\xc3\xa9\xf0\x9f\x98\x80");
    jr_free(&v);
}

Test(json_read, broken_documents_say_where)
{
    parse_fails("{\"a\": 1,\n \"b\" 2}", "2:6: expected ':'");
    parse_fails("[1, 2", "expected ',' or ']'");
    parse_fails("\"\\ud800\"", "lone high surrogate");
    parse_fails("\"a\nb\"", "control character in a string");
    parse_fails("{} x", "text after the document");
    parse_fails("", "unexpected end");
}

Test(json_read, depth_is_bounded)
{
    char deep[400];

    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    parse_fails(deep, "nested too deep");
}

Test(sha256, known_vectors)
{
    struct sha256 s;
    char hex[65];

    sha256_init(&s);
    sha256_hex(&s, hex);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_init(&s);
    sha256_update(&s, "abc", 3);
    sha256_hex(&s, hex);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_init(&s);
    sha256_update(&s, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56);
    sha256_hex(&s, hex);
    cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
