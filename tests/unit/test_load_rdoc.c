/* Unit tests of load/rdoc: the report's document model. */
#include "unit.h"

#include "../../load/rdoc.h"

#include <stdio.h>
#include <string.h>

static const char *const heads[] = {"Id", "Name", NULL};

static void test_table_keeps_its_heads_and_rows_in_order(void)
{
	struct rdoc d = {0};
	struct rtable *t = rdoc_table(&d, heads);

	rdoc_row(t, "1", "Acme");
	rdoc_row(t, "2", (const char *)NULL);
	rdoc_close_table(&d, "None.", "elsewhere");
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_EQUAL(d.b[0].kind, RB_TABLE);
	CU_ASSERT_EQUAL_FATAL(d.b[0].t.ncols, 2);
	CU_ASSERT_STRING_EQUAL(d.b[0].t.head[0], "Id");
	CU_ASSERT_STRING_EQUAL(d.b[0].t.head[1], "Name");
	CU_ASSERT_EQUAL_FATAL(d.b[0].t.nrows, 2);
	CU_ASSERT_STRING_EQUAL(d.b[0].t.cells[0], "1");
	CU_ASSERT_STRING_EQUAL(d.b[0].t.cells[1], "Acme");
	CU_ASSERT_STRING_EQUAL(d.b[0].t.cells[2], "2");
	CU_ASSERT_STRING_EQUAL(d.b[0].t.cells[3], ""); /* NULL is "" */
	CU_ASSERT_EQUAL(d.b[0].t.more, 0);
	rdoc_free(&d);
	CU_ASSERT_EQUAL(d.n, 0);
	CU_ASSERT_PTR_NULL(d.b);
}

/*
 * Rows past RDOC_MAX_ROWS are counted, not kept, whether they come through
 * rdoc_row or a caller asking rdoc_table_full first; closing the table says
 * how many and where they are.
 */
static void test_table_stops_at_the_row_cap_and_counts_the_rest(void)
{
	struct rdoc d = {0};
	struct rtable *t = rdoc_table(&d, heads);
	char id[32], want[128];

	for (int i = 1; i <= RDOC_MAX_ROWS + 7; i++) {
		snprintf(id, sizeof id, "%d", i);
		rdoc_row(t, id, "x");
	}
	CU_ASSERT_TRUE(rdoc_table_full(t));   /* an eighth row left out */
	CU_ASSERT_EQUAL(t->nrows, RDOC_MAX_ROWS);
	CU_ASSERT_EQUAL(t->more, 8);
	snprintf(id, sizeof id, "%d", RDOC_MAX_ROWS);
	CU_ASSERT_STRING_EQUAL(t->cells[(RDOC_MAX_ROWS - 1) * 2], id);
	rdoc_close_table(&d, "None.", "lists/x.csv");
	CU_ASSERT_EQUAL_FATAL(d.n, 2);
	CU_ASSERT_EQUAL(d.b[0].kind, RB_TABLE);
	CU_ASSERT_EQUAL(d.b[1].kind, RB_PARA);
	snprintf(want, sizeof want, "The first %d of %d rows are shown; every one is in "
		 "lists/x.csv.", RDOC_MAX_ROWS, RDOC_MAX_ROWS + 8);
	CU_ASSERT_STRING_EQUAL(d.b[1].text, want);
	rdoc_free(&d);
}

static void test_table_below_the_cap_is_not_full(void)
{
	struct rdoc d = {0};
	struct rtable *t = rdoc_table(&d, heads);

	for (int i = 0; i < RDOC_MAX_ROWS - 1; i++)
		rdoc_row(t, "1", "x");
	CU_ASSERT_FALSE(rdoc_table_full(t));
	rdoc_row(t, "1", "x");
	CU_ASSERT_TRUE(rdoc_table_full(t));
	CU_ASSERT_EQUAL(t->nrows, RDOC_MAX_ROWS);
	CU_ASSERT_EQUAL(t->more, 1);
	rdoc_free(&d);
}

static void test_empty_table_becomes_the_none_paragraph(void)
{
	struct rdoc d = {0};

	rdoc_block(&d, RB_H3, "Renames");
	rdoc_table(&d, heads);
	rdoc_close_table(&d, "None.", "every change is in changes.csv");
	CU_ASSERT_EQUAL_FATAL(d.n, 2);
	CU_ASSERT_EQUAL(d.b[1].kind, RB_PARA);
	CU_ASSERT_STRING_EQUAL(d.b[1].text, "None.");
	CU_ASSERT_PTR_NULL(d.b[1].t.head);
	/* closing again, or after a block that is no table, changes nothing */
	rdoc_close_table(&d, "Again.", "x");
	CU_ASSERT_EQUAL(d.n, 2);
	CU_ASSERT_STRING_EQUAL(d.b[1].text, "None.");
	rdoc_free(&d);
}

static void test_blocks_and_charts_keep_copies(void)
{
	struct rdoc d = {0};
	char text[] = "What happened";
	struct rblock *c;

	rdoc_block(&d, RB_H2, text);
	text[0] = 'X';
	rdoc_para(&d, "The plan has %d lines.", 3);
	c = rdoc_chart(&d, "License use");
	rdoc_bar(c, "Phishing seats", 9, 10, 1);
	rdoc_bar(c, "import_user", 250, -1, 0);
	CU_ASSERT_EQUAL_FATAL(d.n, 3);
	CU_ASSERT_STRING_EQUAL(d.b[0].text, "What happened");
	CU_ASSERT_STRING_EQUAL(d.b[1].text, "The plan has 3 lines.");
	CU_ASSERT_EQUAL(d.b[2].kind, RB_CHART);
	CU_ASSERT_EQUAL_FATAL(d.b[2].nbars, 2);
	CU_ASSERT_STRING_EQUAL(d.b[2].bars[0].label, "Phishing seats");
	CU_ASSERT_EQUAL(d.b[2].bars[0].value, 9);
	CU_ASSERT_EQUAL(d.b[2].bars[0].total, 10);
	CU_ASSERT_TRUE(d.b[2].bars[0].is_license);
	CU_ASSERT_EQUAL(d.b[2].bars[1].total, -1);
	CU_ASSERT_FALSE(d.b[2].bars[1].is_license);
	rdoc_free(&d);
}

static void test_numbers_get_thousands_separators(void)
{
	char b[32];

	CU_ASSERT_STRING_EQUAL(rdoc_num(0, b), "0");
	CU_ASSERT_STRING_EQUAL(rdoc_num(999, b), "999");
	CU_ASSERT_STRING_EQUAL(rdoc_num(1000, b), "1,000");
	CU_ASSERT_STRING_EQUAL(rdoc_num(129164, b), "129,164");
	CU_ASSERT_STRING_EQUAL(rdoc_num(-1234567, b), "-1,234,567");
}

static void test_row_flags_are_kept(void)
{
	struct rdoc d = {0};
	struct rtable *t = rdoc_table(&d, heads);

	rdoc_row_a(t, (const char *const[]){"1", "a"}, RDOC_ROW_ALERT);
	rdoc_row(t, "2", "b");
	CU_ASSERT_EQUAL(d.b[0].t.flags[0], RDOC_ROW_ALERT);
	CU_ASSERT_EQUAL(d.b[0].t.flags[1], 0);
	CU_ASSERT_STRING_EQUAL(d.b[0].t.cells[1], "a");
	rdoc_free(&d);
}

static CU_TestInfo tests[] = {
	{"test_numbers_get_thousands_separators", test_numbers_get_thousands_separators},
	{"test_row_flags_are_kept", test_row_flags_are_kept},
	{"test_table_keeps_its_heads_and_rows_in_order",
	 test_table_keeps_its_heads_and_rows_in_order},
	{"test_table_stops_at_the_row_cap_and_counts_the_rest",
	 test_table_stops_at_the_row_cap_and_counts_the_rest},
	{"test_table_below_the_cap_is_not_full", test_table_below_the_cap_is_not_full},
	{"test_empty_table_becomes_the_none_paragraph", test_empty_table_becomes_the_none_paragraph},
	{"test_blocks_and_charts_keep_copies", test_blocks_and_charts_keep_copies},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("load_rdoc", NULL, NULL, tests)
