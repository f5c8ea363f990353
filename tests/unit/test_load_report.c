/*
 * Unit tests of load/report: formula-safe CSV, HTML escaping, the two
 * renderings, names and reasons, the lists/ files, the plan's inventory, the
 * license figures, a run with no change, and the BullPhish ID upload files.
 */
#include "unit.h"

#include "../../load/report.h"
#include "fsutil.h"
#include "json.h"
#include "reasons.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

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
	/* the only links are the page's own anchors */
	CU_ASSERT_PTR_NULL(strstr(html, "href=\"h"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "href=\"#s0\""));
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

/* Reads a whole file into a malloc'd string (NULL when missing). */
static char *slurp(const char *dir, const char *name)
{
	char *path = fs_join(dir, name);
	struct buf b = {0};
	struct itg_err e = {0};
	char *s = NULL;

	if (fs_read_all(path, &b, 0, &e) == 0)
		s = buf_detach(&b);
	buf_free(&b);
	free(path);
	return s;
}

/* A plan, a store and an applied result, for building reports in memory. */
struct fixture {
	char *store, *out;
	struct lstore s;
	struct plan p;
	struct apply_result r;
	struct report_input in;
	struct report_inventory inv;
	struct rdoc d;
	struct buf md, html;
	char *csv;
};

static void fixture_run(struct fixture *fx, enum product product, const char *plan_text,
			const char *inventory)
{
	struct itg_err e = {0};
	size_t csv_len = 0, len = strlen(plan_text);
	struct report_files files = {0};
	FILE *fp;

	memset(&fx->p, 0, sizeof fx->p);
	fx->p.product = product;
	fx->p.dir = xstrdup("plan");
	fx->p.pipeline = xstrdup("test");
	fx->p.snapshot_time = xstrdup("");
	fx->p.region = xstrdup("us");
	CU_ASSERT_EQUAL_FATAL(planread_lines(&fx->p, xstrdup(plan_text), len, product,
					     "plan.ndjson", &e), 0);
	CU_ASSERT_EQUAL_FATAL(lstore_load(fx->store, product, NULL, &fx->s, &e), 0);
	CU_ASSERT_EQUAL_FATAL(apply_plan(&fx->p, &fx->s, "2026-03-01T05:00:00.000Z", "us", &fx->r,
					 &e), 0);
	if (inventory)
		CU_ASSERT_EQUAL_FATAL(report_inventory_parse(inventory, strlen(inventory),
							     "inventory.ndjson", &fx->inv, &e), 0);
	fx->in = (struct report_input){
		.run_id = "20260301T050000Z", .pipeline = "test", .store = fx->store,
		.plan_dir = "plan", .plan = &fx->p, .res = &fx->r, .after = &fx->s,
		.lic_phishing = fx->in.lic_phishing, .lic_training = fx->in.lic_training,
		.lic_domains = fx->in.lic_domains, .inv = &fx->inv,
	};
	files.dir = fx->out;
	files.e = &e;
	CU_ASSERT_EQUAL(report_build(&fx->in, &files, &fx->d), 0);
	report_files_free(&files);
	report_render_md(&fx->d, &fx->md);
	report_render_html(&fx->d, &fx->html);
	fp = open_memstream(&fx->csv, &csv_len);
	CU_ASSERT_EQUAL(report_write_changes(fp, &fx->in), 0);
	fclose(fp);
}

static void fixture_init(struct fixture *fx)
{
	memset(fx, 0, sizeof *fx);
	fx->store = unit_tmpdir();
	fx->out = unit_tmpdir();
	fx->in.lic_phishing = fx->in.lic_training = fx->in.lic_domains = LICENSE_UNLIMITED;
}

static void fixture_free(struct fixture *fx)
{
	free(fx->csv);
	buf_free(&fx->md);
	buf_free(&fx->html);
	rdoc_free(&fx->d);
	report_inventory_free(&fx->inv);
	apply_result_free(&fx->r);
	lstore_free(&fx->s);
	planread_free(&fx->p);
	unit_rmtree(fx->store);
	unit_rmtree(fx->out);
}

static void store_file(struct fixture *fx, const char *name, const char *text)
{
	char *path = fs_join(fx->store, name);

	CU_ASSERT_EQUAL_FATAL(unit_write_file(path, text), 0);
	free(path);
}

/*
 * 250 users imported: report.md and report.html show the first 50 in plan
 * order and say how many there are and which file holds them all; the
 * counts, lists/users_imported.csv and changes.csv keep every one, and the
 * group's upload file has every member.
 */
static void test_long_tables_show_50_rows_and_the_lists_keep_all(void)
{
	enum { USERS = RDOC_MAX_ROWS + 200 };
	struct fixture fx;
	struct buf text = {0};
	char *list, *upload;

	fixture_init(&fx);
	buf_adds(&text, "{\"action\":\"import_organization\",\"ref\":\"new:1\","
			"\"itglue_organization_id\":\"1\",\"name\":\"Acme\","
			"\"employee_count\":\"11-50\",\"industry\":\"Other\",\"phishing\":true,"
			"\"training\":false,\"license_limited\":[]}\n");
	for (int i = 1; i <= USERS; i++)
		buf_addf(&text, "{\"action\":\"import_user\",\"organization_ref\":\"new:1\","
				"\"itglue_organization_id\":\"1\",\"itglue_contact_id\":\"%d\","
				"\"first_name\":\"F\",\"last_name\":\"L\",\"email\":\"u%d@x.example\","
				"\"group\":\"Staff\"}\n", i, i);
	fixture_run(&fx, PRODUCT_BULLPHISH, buf_str(&text), NULL);
	buf_free(&text);
	/* the first 50 in plan order, then one line for the rest */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "| u1@x.example |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "| u50@x.example |"));
	CU_ASSERT_PTR_NULL(strstr(buf_str(&fx.md), "u51@x.example"));
	CU_ASSERT_EQUAL(lines_with(buf_str(&fx.md), "@x.example |"), RDOC_MAX_ROWS);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "\nThe first 50 of 250 rows are shown; every "
						       "one is in lists/users_imported.csv.\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.html), "<td>u50@x.example</td>"));
	CU_ASSERT_PTR_NULL(strstr(buf_str(&fx.html), "u51@x.example"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.html), "<p>The first 50 of 250 rows are shown; every "
							 "one is in lists/users_imported.csv.</p>"));
	/* counts stay exact, per reason */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "| import_user | new_contact | 250 | 250 |"));
	/* changes.csv has every user: one email row each, with its name and reason */
	CU_ASSERT_EQUAL(lines_with(fx.csv, ",email,,u"), USERS);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx.csv, ",email,,u250@x.example,import_user,new_contact,"
					      "F L <u250@x.example>,Acme (1),250,251\n"));
	/* the list has every line, by name and plan line */
	list = slurp(fx.out, "lists/users_imported.csv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(list);
	CU_ASSERT_EQUAL(lines_with(list, "\n"), USERS + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(list, "\n251,yes,250,F,L,u250@x.example,Staff,1,Acme,250,"
					    "new_contact\n"));
	upload = slurp(fx.out, "upload/1-acme/staff.csv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(upload);
	CU_ASSERT_EQUAL(strncmp(upload, "First Name,Last Name,Email,Position\n", 36), 0);
	CU_ASSERT_EQUAL(lines_with(upload, "\n"), USERS + 1);
	free(list);
	free(upload);
	fixture_free(&fx);
}

static const char *const golden_inventory =
	"{\"kind\":\"filter\",\"filter\":\"organization_types\",\"all\":false,\"entries\":"
	"[{\"text\":\"Customer\",\"ids\":[\"86\"]},{\"text\":\"Gone\",\"ids\":[]}]}\n"
	"{\"kind\":\"type\",\"resource\":\"organization_types\",\"id\":\"86\",\"name\":"
	"\"Customer\",\"selected\":true,\"count\":1234}\n"
	"{\"kind\":\"org\",\"itglue_organization_id\":\"2\",\"name\":\"Happy Frog\","
	"\"type_id\":\"86\",\"type_name\":\"Customer\",\"status_id\":\"68\",\"status_name\":"
	"\"Active\",\"in_scope\":true,\"excluded_by\":null,\"state\":\"linked\","
	"\"organization_id\":\"101\",\"source\":\"auto\",\"reason\":null}\n"
	"{\"kind\":\"org\",\"itglue_organization_id\":\"3\",\"name\":\"Lone Owl\","
	"\"type_id\":\"86\",\"type_name\":\"Customer\",\"status_id\":\"68\",\"status_name\":"
	"\"Active\",\"in_scope\":true,\"excluded_by\":null,\"state\":\"held\","
	"\"organization_id\":null,\"source\":null,\"reason\":\"license_limit\"}\n"
	"{\"kind\":\"org\",\"itglue_organization_id\":\"4\",\"name\":\"Far Away\","
	"\"type_id\":\"87\",\"type_name\":\"Vendor\",\"status_id\":\"68\",\"status_name\":"
	"\"Active\",\"in_scope\":false,\"excluded_by\":\"organization_types\",\"state\":"
	"\"out_of_scope\",\"organization_id\":null,\"source\":null,\"reason\":\"filtered_out\"}\n"
	"{\"kind\":\"missing\",\"itglue_organization_id\":\"99\",\"organization_id\":\"108\","
	"\"source\":\"manual\",\"reason\":\"unconfirmed_deletion\"}\n";

static void test_inventory_lines_are_read_by_kind(void)
{
	struct report_inventory inv = {0};
	struct itg_err e = {0};
	const struct inv_org *o;

	CU_ASSERT_EQUAL_FATAL(report_inventory_parse(golden_inventory, strlen(golden_inventory),
						     "inventory.ndjson", &inv, &e), 0);
	CU_ASSERT_TRUE(inv.present);
	CU_ASSERT_EQUAL(inv.nfilters, 1);
	CU_ASSERT_EQUAL(inv.filters[0].n, 2);
	CU_ASSERT_STRING_EQUAL(inv.filters[0].entries[0].ids[0], "86");
	CU_ASSERT_EQUAL(inv.filters[0].entries[1].nids, 0);
	CU_ASSERT_EQUAL(inv.ntypes, 1);
	CU_ASSERT_EQUAL(inv.types[0].count, 1234);
	CU_ASSERT_EQUAL(inv.norgs, 3);
	CU_ASSERT_EQUAL(inv.nmissing, 1);
	o = report_inventory_org(&inv, "2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(o->name, "Happy Frog");
	CU_ASSERT_STRING_EQUAL(o->state, "linked");
	o = report_inventory_org(&inv, "99");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(o->state, "missing");
	CU_ASSERT_STRING_EQUAL(o->reason, "unconfirmed_deletion");
	CU_ASSERT_PTR_NULL(report_inventory_org(&inv, "5"));
	report_inventory_free(&inv);
}

static void test_inventory_bad_line_names_file_and_line(void)
{
	static const char text[] = "{\"kind\":\"filter\",\"filter\":\"contact_types\","
				   "\"all\":true,\"entries\":[]}\n{\"kind\":\"org\",\"name\":\"x\"}\n";
	struct report_inventory inv = {0};
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(report_inventory_parse(text, strlen(text), "plan/inventory.ndjson", &inv,
					       &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "plan/inventory.ndjson:2:"));
	CU_ASSERT_FALSE(inv.present);
	err_clear(&e);
	CU_ASSERT_EQUAL(report_inventory_parse("{\"kind\"\n", 9, "inv", &inv, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "inv:1:"));
}

/*
 * A plan whose manifest gives the inventory figures that do not match its
 * file is refused; a plan made before the inventory existed has none.
 */
static void test_inventory_that_differs_from_the_manifest_is_refused(void)
{
	char *dir = unit_tmpdir();
	char *inv_path = fs_join(dir, "inventory.ndjson");
	struct plan p = {0};
	struct report_inventory inv = {0};
	struct itg_err e = {0};
	uLong crc = crc32(0L, (const Bytef *)golden_inventory, (uInt)strlen(golden_inventory));
	size_t lines = 0;

	for (const char *c = golden_inventory; *c; c++)
		lines += *c == '\n';
	CU_ASSERT_EQUAL_FATAL(unit_write_file(inv_path, golden_inventory), 0);
	p.dir = dir;
	p.inventory.present = 1;
	p.inventory.lines = lines;
	p.inventory.bytes = strlen(golden_inventory);
	p.inventory.crc32 = (uint32_t)crc;
	CU_ASSERT_EQUAL(report_inventory_read(&p, &inv, &e), 0);
	CU_ASSERT_TRUE(inv.present);
	CU_ASSERT_PTR_NOT_NULL(report_inventory_org(&inv, "99"));
	report_inventory_free(&inv);
	/* one byte off */
	p.inventory.bytes++;
	CU_ASSERT_EQUAL(report_inventory_read(&p, &inv, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "where the manifest says"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "inventory.ndjson"));
	CU_ASSERT_FALSE(inv.present);
	/* an older plan: no key, no inventory, no error */
	err_clear(&e);
	p.inventory.present = 0;
	CU_ASSERT_EQUAL(report_inventory_read(&p, &inv, &e), 0);
	CU_ASSERT_FALSE(inv.present);
	/* a manifest that names it while the file is gone */
	p.inventory.present = 1;
	p.inventory.bytes--;
	CU_ASSERT_EQUAL_FATAL(unlink(inv_path), 0);
	CU_ASSERT_EQUAL(report_inventory_read(&p, &inv, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "inventory.ndjson"));
	free(inv_path);
	unit_rmtree(dir);
}

/*
 * The integration view: every product org with its IT Glue org or None,
 * the IT Glue orgs not linked with why, out-of-scope counts, filters and
 * types; with names from the inventory in the change tables too.
 */
static void test_integration_view_from_the_inventory(void)
{
	struct fixture fx;
	char *map;

	fixture_init(&fx);
	store_file(&fx, "organizations.csv", "id,name,last_sync\n101,Happy Frog,2026-01-01\n"
					      "102,Sad Toad,\n108,Kept,\n");
	store_file(&fx, "links.csv", "organization_id,itglue_organization_id,source,linked_at\n"
				      "101,2,auto,2025-12-01\n108,99,manual,2025-12-02\n");
	fixture_run(&fx, PRODUCT_DARKWEBID,
		    "{\"action\":\"review\",\"itglue_organization_id\":\"99\",\"organization_id\":"
		    "\"108\",\"reason\":\"unconfirmed_deletion\",\"source\":\"manual\","
		    "\"candidates\":[]}\n",
		    golden_inventory);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "| Happy Frog (101) | Happy Frog (2) | auto | "
						       "2025-12-01 | 2026-01-01 |  |\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "| Sad Toad (102) | None |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "| Kept (108) | missing from the snapshot (99) "
						       "| manual |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "| Lone Owl (3) | Customer | Active | held by a "
						       "rule | license_limit |"));
	CU_ASSERT_PTR_NULL(strstr(buf_str(&fx.md), "| Far Away (4) |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "| Organization types | 1 | 1 |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "Customer: 86; Gone: matched nothing"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "| 86 | Customer | yes | 1,234 |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "| unconfirmed_deletion | 1 |"));
	map = slurp(fx.out, "mapping.csv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(map);
	CU_ASSERT_PTR_NOT_NULL(strstr(map, "\nproduct,102,Sad Toad,,,none,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(map, "\nitglue,,,4,Far Away,out_of_scope,,,,Vendor,Active,"
					   "organization_types,filtered_out\n"));
	free(map);
	fixture_free(&fx);
}

/* A plan without an inventory says so, and still lists the product orgs. */
static void test_no_inventory_is_said_and_no_change_is_no_changes(void)
{
	struct fixture fx;

	fixture_init(&fx);
	store_file(&fx, "organizations.csv", "id,name\n7,Globex\n");
	store_file(&fx, "integration.json", "{\"status\":\"connected\",\"region\":\"us\"}");
	fixture_run(&fx, PRODUCT_BULLPHISH, "", NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "This plan has no inventory"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "| Globex (7) | None |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "\nNo changes: applying the plan changed "
						       "nothing in the store."));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "## Changes\n\nNo changes.\n"));
	CU_ASSERT_PTR_NULL(strstr(buf_str(&fx.md), "### Links made"));
	CU_ASSERT_PTR_NULL(strstr(buf_str(&fx.md), "None."));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&fx.md), "No group changed: nothing to upload."));
	fixture_free(&fx);
}

/*
 * Licenses: one over its total is red and under Needs a person; an unlimited
 * one is said so and gets no bar; renames carry itglue_renamed with the
 * org's name in changes.csv; figures have thousands separators.
 */
static void test_licenses_over_and_unlimited_and_rename_reasons(void)
{
	struct fixture fx;
	const char *html, *md;

	fixture_init(&fx);
	fx.in.lic_phishing = 1;
	store_file(&fx, "organizations.csv", "id,name,phishing,training\n7,Globex,true,false\n");
	store_file(&fx, "links.csv", "organization_id,itglue_organization_id,source\n7,102,auto\n");
	store_file(&fx, "users.csv", "id,organization_id,first_name,last_name,email\n"
				      "1,7,A,B,a@x.example\n2,7,C,D,c@x.example\n");
	fixture_run(&fx, PRODUCT_BULLPHISH,
		    "{\"action\":\"rename\",\"organization_id\":\"7\",\"itglue_organization_id\":"
		    "\"102\",\"before\":\"Globex\",\"after\":\"Globex Corp\"}\n",
		    NULL);
	md = buf_str(&fx.md);
	html = buf_str(&fx.html);
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "| Phishing seats | 2 | 1 | none: 1 over the license |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "| Training seats | 0 | unlimited | unlimited |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "### Licenses over their total\n\nPhishing seats: 2 used "
					  "of 1, 1 over the license."));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<tr class=\"alert\"><td>Phishing seats</td>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "2 / 1: 1 over</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "0 used, unlimited</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "| Globex Corp (7) | Globex Corp (102) | Globex | Globex "
					  "Corp | itglue_renamed |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(fx.csv, ",organizations,7,name,Globex,Globex Corp,rename,"
					      "itglue_renamed,Globex Corp,Globex Corp (7),Globex Corp "
					      "(102),1\n"));
	fixture_free(&fx);
}

/*
 * The upload files: one per changed group, every member in users.csv order,
 * the group a user left too (even left empty), names unique in a folder
 * ("Staff" and "staff!" both slug to staff, in one folder and not in two).
 */
static void test_upload_files_name_each_changed_group_once(void)
{
	struct fixture fx;
	char *f;

	fixture_init(&fx);
	store_file(&fx, "organizations.csv", "id,name\n1,A B\n2,Quiet\n12,C\n");
	store_file(&fx, "users.csv", "id,organization_id,first_name,last_name,email,group\n"
				      "1,1,Ann,One,ann@x.example,Staff\n"
				      "2,1,Bob,Two,bob@x.example,staff!\n"
				      "3,12,Cy,Three,cy@x.example,Staff\n"
				      "4,1,Di,Four,di@x.example,Ops\n"
				      "5,1,Ed,Five,ed@x.example,Staff\n"
				      "6,2,Fay,Six,fay@x.example,Staff\n");
	fixture_run(&fx, PRODUCT_BULLPHISH,
		    "{\"action\":\"update_user\",\"user_id\":\"5\",\"itglue_contact_id\":\"1\","
		    "\"after\":{\"first_name\":\"Eddie\"}}\n"
		    "{\"action\":\"update_user\",\"user_id\":\"2\",\"itglue_contact_id\":\"2\","
		    "\"after\":{\"last_name\":\"Too\"}}\n"
		    "{\"action\":\"update_user\",\"user_id\":\"3\",\"itglue_contact_id\":\"3\","
		    "\"after\":{\"email\":\"cy@y.example\"}}\n"
		    "{\"action\":\"update_user\",\"user_id\":\"4\",\"itglue_contact_id\":\"4\","
		    "\"after\":{\"group\":\"Sales\"}}\n",
		    NULL);
	/* org 1: Ops (left empty), Sales, Staff and staff! in name order; then 12 */
	f = slurp(fx.out, "lists/upload_files.csv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(f, "organization_id,organization_name,group,members,file\n"
				  "1,A B,Ops,0,upload/1-a-b/ops.csv\n"
				  "1,A B,Sales,1,upload/1-a-b/sales.csv\n"
				  "1,A B,Staff,2,upload/1-a-b/staff.csv\n"
				  "1,A B,staff!,1,upload/1-a-b/staff-2.csv\n"
				  "12,C,Staff,1,upload/12-c/staff.csv\n");
	free(f);
	f = slurp(fx.out, "upload/1-a-b/staff.csv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(f, "First Name,Last Name,Email,Position\n"
				  "Ann,One,ann@x.example,\nEddie,Five,ed@x.example,\n");
	free(f);
	f = slurp(fx.out, "upload/12-c/staff.csv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(f, "First Name,Last Name,Email,Position\nCy,Three,cy@y.example,\n");
	free(f);
	f = slurp(fx.out, "upload/1-a-b/ops.csv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(f, "First Name,Last Name,Email,Position\n");
	free(f);
	/* the organization nothing changed in has no file */
	f = slurp(fx.out, "upload/2-quiet/staff.csv");
	CU_ASSERT_PTR_NULL(f);
	free(f);
	fixture_free(&fx);
}

static void test_every_reason_code_is_explained(void)
{
	static const char *const codes[] = {
		REASON_NAME_MATCH, REASON_FILTERED_OUT, REASON_ITGLUE_DELETED,
		REASON_SUPERSEDED_BY_MANUAL, REASON_AMBIGUOUS_NAME, REASON_NOT_IN_SCOPE,
		REASON_DISCONNECT, REASON_NO_EMAIL, REASON_INVALID_EMAIL, REASON_DUPLICATE_EMAIL,
		REASON_LICENSE_LIMIT, REASON_GOV_DOMAIN, REASON_PROTECTED_DOMAIN,
		REASON_INVALID_DOMAIN, REASON_UNCONFIRMED_DELETION, REASON_SELECT_NOT_FOUND,
		REASON_ITGLUE_RENAMED, REASON_IMPORT_SELECTED, REASON_NEW_CONTACT,
		REASON_EMAIL_MATCH, REASON_CONTACT_CHANGED, REASON_DOMAIN_IMPORTED,
		REASON_INTEGRATION_CONNECTED, REASON_NOT_SELECTED};

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		const struct reason_info *r = reason_lookup(codes[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_TRUE(strlen(r->meaning) > 20);
		CU_ASSERT_TRUE(strlen(r->next_step) > 10);
	}
	CU_ASSERT_EQUAL(reason_table_len, sizeof codes / sizeof codes[0]);
	CU_ASSERT_PTR_NOT_NULL(strstr(reason_next_step(REASON_GOV_DOMAIN), "import manager"));
	CU_ASSERT_PTR_NOT_NULL(strstr(reason_next_step(REASON_PROTECTED_DOMAIN), "support"));
	CU_ASSERT_PTR_NULL(reason_lookup("no_such_code"));
	CU_ASSERT_PTR_NOT_NULL(strstr(reason_meaning("no_such_code"), "does not know"));
}

static void test_slugs_are_plain_and_never_empty(void)
{
	struct buf b = {0};

	report_slug("Wayne & Sons <Enterprises>", &b);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), "wayne-sons-enterprises");
	buf_reset(&b);
	report_slug("-Staff", &b);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), "staff");
	buf_reset(&b);
	report_slug("../..", &b);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), "x");
	buf_free(&b);
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
	{"test_upload_files_name_each_changed_group_once",
	 test_upload_files_name_each_changed_group_once},
	{"test_long_tables_show_50_rows_and_the_lists_keep_all",
	 test_long_tables_show_50_rows_and_the_lists_keep_all},
	{"test_inventory_lines_are_read_by_kind", test_inventory_lines_are_read_by_kind},
	{"test_inventory_bad_line_names_file_and_line", test_inventory_bad_line_names_file_and_line},
	{"test_inventory_that_differs_from_the_manifest_is_refused",
	 test_inventory_that_differs_from_the_manifest_is_refused},
	{"test_integration_view_from_the_inventory", test_integration_view_from_the_inventory},
	{"test_no_inventory_is_said_and_no_change_is_no_changes",
	 test_no_inventory_is_said_and_no_change_is_no_changes},
	{"test_licenses_over_and_unlimited_and_rename_reasons",
	 test_licenses_over_and_unlimited_and_rename_reasons},
	{"test_every_reason_code_is_explained", test_every_reason_code_is_explained},
	{"test_slugs_are_plain_and_never_empty", test_slugs_are_plain_and_never_empty},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("load_report", NULL, NULL, tests)
