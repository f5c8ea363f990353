/* Unit tests of load/report: formula-safe CSV, HTML escaping, the two renderings. */
#include "unit.h"

#include "../../load/report.h"
#include "json.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *cell_text(const char *value)
{
	char *s = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&s, &n);

	CU_ASSERT_EQUAL(report_csv_cell(fp, value), 0);
	fclose(fp);
	return s;
}

static void expect_cell(const char *value, const char *want)
{
	char *got = cell_text(value);

	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void test_csv_cells_that_spreadsheets_would_run_are_neutralised(void)
{
	expect_cell("=1+2", "'=1+2");
	expect_cell("+x", "'+x");
	expect_cell("-x", "'-x");
	expect_cell("@x", "'@x");
	expect_cell("\tx", "'\tx");
	expect_cell("\rx", "\"'\rx\"");
	expect_cell("=HYPERLINK(\"http://e.example\",\"a, b\")",
		    "\"'=HYPERLINK(\"\"http://e.example\"\",\"\"a, b\"\")\"");
}

static void test_csv_plain_cells_are_kept(void)
{
	expect_cell("Acme Dental", "Acme Dental");
	expect_cell("a=b", "a=b");
	expect_cell("", "");
	expect_cell("x, y", "\"x, y\"");
}

static void test_html_escape_covers_markup_and_quotes(void)
{
	struct buf b = {0};

	report_html_escape(&b, "<script>alert('x')</script> & \"q\"");
	CU_ASSERT_STRING_EQUAL(buf_str(&b), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
					    "&quot;q&quot;");
	buf_free(&b);
}

/* A two-block document with hostile text in every place text can go. */
static void hostile_doc(struct rdoc *d)
{
	memset(d, 0, sizeof *d);
	d->title = xstrdup("Report <b>x</b>");
	d->n = d->cap = 3;
	d->b = xcalloc(3, sizeof *d->b);
	d->b[0].kind = RB_H2;
	d->b[0].text = xstrdup("<img src=x onerror=alert(1)>");
	d->b[1].kind = RB_TABLE;
	d->b[1].t.ncols = 2;
	d->b[1].t.head = xcalloc(2, sizeof(char *));
	d->b[1].t.head[0] = xstrdup("Name | pipe");
	d->b[1].t.head[1] = xstrdup("N");
	d->b[1].t.nrows = 1;
	d->b[1].t.cells = xcalloc(2, sizeof(char *));
	d->b[1].t.cells[0] = xstrdup("<script>evil()</script>\nnext");
	d->b[1].t.cells[1] = xstrdup("12");
	d->b[2].kind = RB_CHART;
	d->b[2].text = xstrdup("bars & <stuff>");
	d->b[2].nbars = 2;
	d->b[2].bars = xcalloc(2, sizeof *d->b[2].bars);
	d->b[2].bars[0] = (struct rbar){xstrdup("<a>"), 3, -1, 0};
	d->b[2].bars[1] = (struct rbar){xstrdup("seats"), 9, 10, 1};
}

static void test_html_report_escapes_everything_and_is_self_contained(void)
{
	struct rdoc d;
	struct buf b = {0};
	const char *html;

	hostile_doc(&d);
	report_render_html(&d, &b);
	html = buf_str(&b);
	CU_ASSERT_PTR_NULL(strstr(html, "<script"));
	CU_ASSERT_PTR_NULL(strstr(html, "<img"));
	CU_ASSERT_PTR_NULL(strstr(html, "<b>x"));
	CU_ASSERT_PTR_NULL(strstr(html, "<a>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "&lt;script&gt;evil()&lt;/script&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "bars &amp; &lt;stuff&gt;"));
	CU_ASSERT_PTR_NULL(strstr(html, "src=\"http"));
	CU_ASSERT_PTR_NULL(strstr(html, "href="));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<svg"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "9 / 10"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<td class=\"num\">12</td>"));
	buf_free(&b);
	report_doc_free(&d);
}

static void test_markdown_table_cells_cannot_break_the_table(void)
{
	struct rdoc d;
	struct buf b = {0};
	const char *md;

	hostile_doc(&d);
	report_render_md(&d, &b);
	md = buf_str(&b);
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "| Name \\| pipe | N |\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "| \\<script\\>evil()\\</script\\> next | 12 |\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "# Report \\<b\\>x\\</b\\>\n"));
	buf_free(&b);
	report_doc_free(&d);
}

static CU_TestInfo tests[] = {
	{"test_csv_cells_that_spreadsheets_would_run_are_neutralised",
	 test_csv_cells_that_spreadsheets_would_run_are_neutralised},
	{"test_csv_plain_cells_are_kept", test_csv_plain_cells_are_kept},
	{"test_html_escape_covers_markup_and_quotes", test_html_escape_covers_markup_and_quotes},
	{"test_html_report_escapes_everything_and_is_self_contained",
	 test_html_report_escapes_everything_and_is_self_contained},
	{"test_markdown_table_cells_cannot_break_the_table",
	 test_markdown_table_cells_cannot_break_the_table},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("load_report", NULL, NULL, tests)
