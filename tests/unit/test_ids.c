/* Unit tests of lib/ids: ids as decimal text, compared and counted on their digits. */
#include "unit.h"

#include "ids.h"

#include <stdlib.h>
#include <string.h>

static void test_id_is_numeric_wants_digits_only(void)
{
	CU_ASSERT(id_is_numeric("0"));
	CU_ASSERT(id_is_numeric("007"));
	CU_ASSERT(id_is_numeric("123456789012345678"));
	CU_ASSERT(!id_is_numeric(""));
	CU_ASSERT(!id_is_numeric(NULL));
	CU_ASSERT(!id_is_numeric("-1"));
	CU_ASSERT(!id_is_numeric("1 "));
	CU_ASSERT(!id_is_numeric("1e3"));
	CU_ASSERT(!id_is_numeric("abc"));
}

static void test_id_cmp_orders_long_ids_numerically(void)
{
	CU_ASSERT(id_cmp("9", "10") < 0);
	CU_ASSERT(id_cmp("10", "9") > 0);
	CU_ASSERT(id_cmp("123456789012345678", "99999999999999999") > 0);
	/* 2^53 and 2^53 + 1: one double, two ids */
	CU_ASSERT(id_cmp("9007199254740992", "9007199254740993") < 0);
	CU_ASSERT(id_cmp("007", "7") == 0);
	CU_ASSERT(id_cmp("0", "000") == 0);
	CU_ASSERT(id_cmp("010", "9") > 0);
	CU_ASSERT(id_cmp("2", "2") == 0);
}

static void test_id_cmp_puts_non_numeric_ids_last_in_byte_order(void)
{
	CU_ASSERT(id_cmp("42", "abc") < 0);
	CU_ASSERT(id_cmp("abc", "42") > 0);
	CU_ASSERT(id_cmp("99999999999999999999", "a") < 0);
	CU_ASSERT(id_cmp("abc", "abd") < 0);
	CU_ASSERT(id_cmp("b", "abc") > 0);
	CU_ASSERT(id_cmp("", "0") > 0);
	CU_ASSERT(id_cmp("x", "x") == 0);
}

static void test_id_next_counts_in_decimal_text(void)
{
	static const char *const cases[][2] = {
		{"0", "1"},       {"1", "2"},      {"41", "42"},    {"9", "10"},
		{"99", "100"},    {"999", "1000"}, {"1099", "1100"}, {"1999", "2000"},
		{"099", "100"},   {"007", "8"},    {"000", "1"},    {"0099", "100"},
		{"999999999999999999", "1000000000000000000"},
		{"123456789012345678", "123456789012345679"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = id_next(cases[i][0]);
		CU_ASSERT_STRING_EQUAL(got, cases[i][1]);
		CU_ASSERT(id_cmp(got, cases[i][0]) > 0);
		free(got);
	}
}

static void test_id_next_of_an_empty_table_is_1(void)
{
	char *a = id_next("");
	char *b = id_next(NULL);

	CU_ASSERT_STRING_EQUAL(a, "1");
	CU_ASSERT_STRING_EQUAL(b, "1");
	free(a);
	free(b);
}

static CU_TestInfo tests[] = {
	{"test_id_is_numeric_wants_digits_only", test_id_is_numeric_wants_digits_only},
	{"test_id_cmp_orders_long_ids_numerically", test_id_cmp_orders_long_ids_numerically},
	{"test_id_cmp_puts_non_numeric_ids_last_in_byte_order",
	 test_id_cmp_puts_non_numeric_ids_last_in_byte_order},
	{"test_id_next_counts_in_decimal_text", test_id_next_counts_in_decimal_text},
	{"test_id_next_of_an_empty_table_is_1", test_id_next_of_an_empty_table_is_1},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("ids", NULL, NULL, tests)
