/* Unit tests of load/report: formula-safe CSV, HTML escaping, the two renderings. */
#include "unit.h"

#include "../../load/report.h"
#include "fsutil.h"
#include "json.h"
#include "reasons.h"
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
	rdoc_free(&d);
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
	rdoc_free(&d);
}

/* Counts the lines of text that contain needle. */
static size_t lines_with(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/*
 * 250 users imported: report.md and report.html show the first 200 in plan
 * order and say how many more there are; the counts and changes.csv keep
 * every one.
 */
static void test_long_tables_show_200_rows_and_changes_csv_keeps_all(void)
{
	enum { USERS = RDOC_MAX_ROWS + 50 };
	char *dir = unit_tmpdir();
	struct lstore s;
	struct plan p;
	struct apply_result r;
	struct itg_err e = {0};
	struct buf text = {0}, md = {0}, html = {0};
	struct rdoc d;
	char *csv = NULL;
	size_t csv_len = 0, len;
	FILE *fp;

	buf_adds(&text, "{\"action\":\"import_organization\",\"ref\":\"new:1\","
			"\"itglue_organization_id\":\"1\",\"name\":\"Acme\","
			"\"employee_count\":\"11-50\",\"industry\":\"Other\",\"phishing\":true,"
			"\"training\":false,\"license_limited\":[]}\n");
	for (int i = 1; i <= USERS; i++)
		buf_addf(&text, "{\"action\":\"import_user\",\"organization_ref\":\"new:1\","
				"\"itglue_organization_id\":\"1\",\"itglue_contact_id\":\"%d\","
				"\"first_name\":\"F\",\"last_name\":\"L\",\"email\":\"u%d@x.example\","
				"\"group\":\"Staff\"}\n", i, i);
	memset(&p, 0, sizeof p);
	p.product = PRODUCT_BULLPHISH;
	p.dir = xstrdup("plan");
	p.pipeline = xstrdup("test");
	p.snapshot_time = xstrdup("");
	p.region = xstrdup("us");
	len = text.len;
	CU_ASSERT_EQUAL_FATAL(planread_lines(&p, buf_detach(&text), len, PRODUCT_BULLPHISH,
					     "plan.ndjson", &e), 0);
	CU_ASSERT_EQUAL_FATAL(lstore_load(dir, PRODUCT_BULLPHISH, NULL, &s, &e), 0);
	CU_ASSERT_EQUAL_FATAL(apply_plan(&p, &s, "2026-03-01T05:00:00.000Z", "us", &r, &e), 0);
	{
		struct report_input in = {
			.run_id = "20260301T050000Z", .pipeline = "test", .store = dir,
			.plan_dir = "plan", .plan = &p, .res = &r, .after = &s,
			.lic_phishing = LICENSE_UNLIMITED, .lic_training = LICENSE_UNLIMITED,
			.lic_domains = LICENSE_UNLIMITED,
		};
		report_build(&in, NULL, &d);
		report_render_md(&d, &md);
		report_render_html(&d, &html);
		fp = open_memstream(&csv, &csv_len);
		CU_ASSERT_EQUAL(report_write_changes(fp, &in), 0);
		fclose(fp);
	}
	/* the first 200 in plan order, then one line for the rest */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&md), "| u1@x.example |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&md), "| u200@x.example |"));
	CU_ASSERT_PTR_NULL(strstr(buf_str(&md), "u201@x.example"));
	CU_ASSERT_EQUAL(lines_with(buf_str(&md), "@x.example |"), RDOC_MAX_ROWS);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&md), "\n... and 50 more: every change is in "
						    "changes.csv\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&html), "<td>u200@x.example</td>"));
	CU_ASSERT_PTR_NULL(strstr(buf_str(&html), "u201@x.example"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&html), "<p>... and 50 more: every change is in "
						      "changes.csv</p>"));
	/* counts stay exact */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&md), "| import_user | 250 | 250 |"));
	/* changes.csv has every user: one email row each */
	CU_ASSERT_EQUAL(lines_with(csv, ",email,,u"), USERS);
	CU_ASSERT_PTR_NOT_NULL(strstr(csv, ",email,,u250@x.example,import_user,"));
	free(csv);
	buf_free(&md);
	buf_free(&html);
	rdoc_free(&d);
	apply_result_free(&r);
	lstore_free(&s);
	planread_free(&p);
	unit_rmtree(dir);
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
	{"test_long_tables_show_200_rows_and_changes_csv_keeps_all",
	 test_long_tables_show_200_rows_and_changes_csv_keeps_all},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("load_report", NULL, NULL, tests)
