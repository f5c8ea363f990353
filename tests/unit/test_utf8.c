/* Unit tests of lib/utf8: the strict UTF-8 check of store readers. */
#include "unit.h"

#include "utf8.h"

#include <string.h>

static size_t at(const char *s)
{
	return utf8_invalid_at(s, strlen(s));
}

static void test_well_formed_text_is_valid(void)
{
	CU_ASSERT(utf8_valid(""));
	CU_ASSERT(utf8_valid("plain ASCII, 0-9"));
	CU_ASSERT(utf8_valid("Caf\xC3\xA9 Z\xC3\xBCrich"));          /* 2 bytes */
	CU_ASSERT(utf8_valid("\xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80")); /* U+0800, U+D7FF, U+E000 */
	CU_ASSERT(utf8_valid("\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF"));    /* U+10000, U+10FFFF */
	CU_ASSERT_EQUAL(utf8_invalid_at("a\0b", 3), 3);               /* NUL is a character */
}

static void test_ill_formed_sequences_are_found_at_their_first_byte(void)
{
	CU_ASSERT_EQUAL(at("ab\xE9" "cd"), 2);       /* Latin-1 */
	CU_ASSERT_EQUAL(at("\x80"), 0);              /* lone continuation */
	CU_ASSERT_EQUAL(at("x\xC0\xAF"), 1);         /* overlong '/' */
	CU_ASSERT_EQUAL(at("\xC1\xBF"), 0);
	CU_ASSERT_EQUAL(at("\xE0\x9F\xBF"), 0);      /* overlong 3 bytes */
	CU_ASSERT_EQUAL(at("\xF0\x8F\xBF\xBF"), 0);  /* overlong 4 bytes */
	CU_ASSERT_EQUAL(at("ok\xED\xA0\x80"), 2);    /* surrogate U+D800 */
	CU_ASSERT_EQUAL(at("\xF4\x90\x80\x80"), 0);  /* above U+10FFFF */
	CU_ASSERT_EQUAL(at("\xF5\x80\x80\x80"), 0);
	CU_ASSERT_EQUAL(at("\xFF"), 0);
	CU_ASSERT_EQUAL(at("\xC3"), 0);              /* cut short at the end */
	CU_ASSERT_EQUAL(at("\xE2\x82"), 0);
	CU_ASSERT_EQUAL(at("\xE2\x82x"), 0);         /* cut short by ASCII */
	CU_ASSERT_EQUAL(at("\xF0\x9F\x90"), 0);
	CU_ASSERT_FALSE(utf8_valid("\xC3\xA9\xC3"));
}

static void test_prefix_never_cuts_a_character(void)
{
	CU_ASSERT_EQUAL(utf8_prefix("short", 64), 5);
	CU_ASSERT_EQUAL(utf8_prefix("abcdef", 3), 3);
	CU_ASSERT_EQUAL(utf8_prefix("ab\xC3\xA9", 3), 2);     /* the 2-byte e-acute would be cut */
	CU_ASSERT_EQUAL(utf8_prefix("ab\xC3\xA9", 4), 4);
	CU_ASSERT_EQUAL(utf8_prefix("\xF0\x9F\x90\x9F!", 3), 0);
}

static CU_TestInfo tests[] = {
	{"test_well_formed_text_is_valid", test_well_formed_text_is_valid},
	{"test_ill_formed_sequences_are_found_at_their_first_byte",
	 test_ill_formed_sequences_are_found_at_their_first_byte},
	{"test_prefix_never_cuts_a_character", test_prefix_never_cuts_a_character},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("utf8", NULL, NULL, tests)
