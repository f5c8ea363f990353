/* Unit tests of lib/product: the product words and titles. */
#include "unit.h"

#include "product.h"

static void test_names_titles_and_parse_round_trip(void)
{
	CU_ASSERT_STRING_EQUAL(product_name(PRODUCT_BULLPHISH), "bullphish");
	CU_ASSERT_STRING_EQUAL(product_name(PRODUCT_DARKWEBID), "darkwebid");
	CU_ASSERT_STRING_EQUAL(product_title(PRODUCT_BULLPHISH), "BullPhish ID");
	CU_ASSERT_STRING_EQUAL(product_title(PRODUCT_DARKWEBID), "Dark Web ID");
	CU_ASSERT_EQUAL(product_parse("bullphish"), PRODUCT_BULLPHISH);
	CU_ASSERT_EQUAL(product_parse("darkwebid"), PRODUCT_DARKWEBID);
	for (int i = 0; product_names[i]; i++)
		CU_ASSERT_STRING_EQUAL(product_name(product_parse(product_names[i])), product_names[i]);
}

static void test_anything_else_is_no_product(void)
{
	CU_ASSERT_EQUAL(product_parse("BullPhish"), PRODUCT_NONE);
	CU_ASSERT_EQUAL(product_parse("bullphish "), PRODUCT_NONE);
	CU_ASSERT_EQUAL(product_parse(""), PRODUCT_NONE);
	CU_ASSERT_EQUAL(product_parse("none"), PRODUCT_NONE);
	CU_ASSERT_EQUAL(product_parse(NULL), PRODUCT_NONE);
	CU_ASSERT_STRING_EQUAL(product_name(PRODUCT_NONE), "none");
	CU_ASSERT_STRING_EQUAL(product_title(PRODUCT_NONE), "");
}

static CU_TestInfo tests[] = {
	{"test_names_titles_and_parse_round_trip", test_names_titles_and_parse_round_trip},
	{"test_anything_else_is_no_product", test_anything_else_is_no_product},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("product", NULL, NULL, tests)
