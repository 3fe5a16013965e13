/*
 * Unit tests of JSON escaping: whatever bytes a submission prints, the
 * report stays valid JSON.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../graders/json.h"

static char *escaped(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);

    json_string(out, s);
    fclose(out);
    return buf;
}

static void check(const char *in, const char *expected)
{
    char *got = escaped(in);

    cr_assert_str_eq(got, expected);
    free(got);
}

Test(json, plain_text) { check("hello", "\"hello\""); }
Test(json, quotes_and_backslashes) { check("a\"b\\c", "\"a\\\"b\\\\c\""); }
Test(json, control_characters) { check("l1\nl2\t\r\x01\x1b[31m", "\"l1\\nl2\\t\\r\\u0001\\u001b[31m\""); }
Test(json, valid_utf8_kept) { check("d\xc3\xa9j\xc3\xa0 \xe2\x9c\x93", "\"d\xc3\xa9j\xc3\xa0 \xe2\x9c\x93\""); }
Test(json, invalid_utf8_replaced) { check("a\xff\xc3(b", "\"a\\ufffd\\ufffd(b\""); }
Test(json, overlong_and_surrogates_replaced) { check("\xc0\xaf\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\""); }
Test(json, null_is_empty_string) { check(NULL, "\"\""); }
