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

static char *escaped_len(const char *s, size_t len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);

    json_string_len(out, s, len);
    fclose(out);
    return buf;
}

/* A NUL in a test's output is escaped, and what follows it is kept. */
Test(json, nul_escaped_not_cut)
{
    char *got = escaped_len("a\0b\0", 4);

    cr_assert_str_eq(got, "\"a\\u0000b\\u0000\"");
    free(got);
}

/* C0 80 is how captured output keeps a NUL in a C string (sandbox.h). */
Test(json, modified_utf8_nul) { check("x\xc0\x80y", "\"x\\u0000y\""); }

/* One U+FFFD per invalid byte, and the text after them is all there. */
Test(json, invalid_bytes_one_replacement_each_rest_kept)
{
    check("\x80\x80\xfe ok \xf0\x9f\x98 end \xf0\x9f\x98\x80",
          "\"\\ufffd\\ufffd\\ufffd ok \\ufffd\\ufffd\\ufffd end \xf0\x9f\x98\x80\"");
}

/* A multi-byte character cut by the end of the buffer is invalid there,
 * and reading never goes past the given length. */
Test(json, sequence_cut_by_length)
{
    char *got = escaped_len("\xc3\xa9\xc3\xa9", 3);

    cr_assert_str_eq(got, "\"\xc3\xa9\\ufffd\"");
    free(got);
}

Test(json, del_and_c1_controls)
{
    /* DEL is escaped; C1 controls are valid UTF-8 that JSON allows as is. */
    check("\x7f\xc2\x9b", "\"\\u007f\xc2\x9b\"");
}

/* json_string_capped: the escaped text stays within the cap, whole
 * characters only, and says it was cut. */
static char *capped(const char *s, size_t max, int *cut)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);

    *cut = json_string_capped(out, s, max);
    fclose(out);
    return buf;
}

Test(json, capped_fits)
{
    int cut;
    char *s = capped("hello", 5, &cut);

    cr_assert_str_eq(s, "\"hello\"");
    cr_assert_eq(cut, 0);
    free(s);
}

Test(json, capped_counts_escapes)
{
    int cut;
    /* \u0001 takes six bytes: with a cap of 7, "ab" fits, the escape does not. */
    char *s = capped("ab\x01" "cd", 7, &cut);

    cr_assert_str_eq(s, "\"ab (cut)\"");
    cr_assert_eq(cut, 1);
    free(s);
}

Test(json, capped_never_splits_a_character)
{
    int cut;
    char *s = capped("a\xc3\xa9", 2, &cut);

    cr_assert_str_eq(s, "\"a (cut)\"");
    free(s);
}
