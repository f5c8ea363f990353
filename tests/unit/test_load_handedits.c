/*
 * Unit tests of load/handedits: links.csv compared with the copy the last
 * applied load left, and the audit lines and report parts written from the
 * edits found.
 */
#include "unit.h"

#include "../../load/audit.h"
#include "../../load/handedits.h"
#include "../../load/report.h"
#include "fsutil.h"
#include "json.h"
#include "store.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEAD "organization_id,itglue_organization_id,source,linked_at\n"

static void write_in(const char *dir, const char *name, const char *text)
{
	char *path = fs_join(dir, name);

	CU_ASSERT_EQUAL(unit_write_file(path, text), 0);
	free(path);
}

/* text as a links table, read by lib/csvtab as the store reads links.csv. */
static void links_table(const char *text, struct csv_table *t)
{
	char *dir = unit_tmpdir(), *path = fs_join(dir, "links.csv");
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(unit_write_file(path, text), 0);
	CU_ASSERT_EQUAL_FATAL(csvtab_read(path, store_contract_cols(PRODUCT_BULLPHISH, STORE_LINKS),
					  store_required_cols(STORE_LINKS), t, &e),
			      0);
	free(path);
	unit_rmtree(dir);
}

/* The edits of links.csv `now` against the copy `was`. */
static void compare(const char *now, const char *was, struct handedits *h)
{
	struct csv_table cur, last;

	links_table(now, &cur);
	links_table(was, &last);
	handedits_compare(&cur, &last, h);
	/* the edits own their strings: the tables can go */
	csvtab_free(&cur);
	csvtab_free(&last);
}

/* "reason key line last_run_line field=old>new ..." for every edit, one line each. */
static char *describe(const struct handedits *h)
{
	struct buf b = {0};

	for (size_t i = 0; i < h->n; i++) {
		const struct hand_edit *ed = &h->v[i];
		buf_addf(&b, "%s %s %ld %ld", handedits_reason_name(ed->reason), ed->key, ed->line,
			 ed->last_run_line);
		for (size_t f = 0; f < ed->nf; f++)
			buf_addf(&b, " %s=%s>%s", ed->f[f].field, ed->f[f].old, ed->f[f].new);
		buf_adds(&b, "\n");
	}
	return buf_detach(&b);
}

static void expect(const char *now, const char *was, const char *want)
{
	struct handedits h;
	char *got;

	compare(now, was, &h);
	CU_ASSERT_TRUE(h.compared);
	CU_ASSERT_PTR_NULL(h.problem);
	got = describe(&h);
	CU_ASSERT_STRING_EQUAL(got ? got : "", want);
	if (strcmp(got ? got : "", want))
		fprintf(stderr, "\n  got:\n%s  want:\n%s", got ? got : "", want);
	free(got);
	handedits_free(&h);
}

static void test_a_row_only_in_links_csv_is_added_with_its_line(void)
{
	expect(HEAD "1,101,auto,t1\n2,102,manual,t2\n", HEAD "1,101,auto,t1\n",
	       "added 2/102 3 0 organization_id=>2 itglue_organization_id=>102 source=>manual "
	       "linked_at=>t2\n");
}

static void test_a_row_only_in_the_copy_is_removed_with_its_line_there(void)
{
	expect(HEAD "2,102,auto,t2\n", HEAD "1,101,manual,t1\n2,102,auto,t2\n",
	       "removed 1/101 0 2 organization_id=1> itglue_organization_id=101> source=manual> "
	       "linked_at=t1>\n");
}

static void test_another_source_or_linked_at_is_changed_with_both_lines(void)
{
	expect(HEAD "3,103,auto,t3\n1,101,manual,t1\n2,102,auto,t9\n",
	       HEAD "1,101,auto,t1\n2,102,auto,t2\n3,103,auto,t3\n",
	       "changed 1/101 3 2 source=auto>manual\n"
	       "changed 2/102 4 3 linked_at=t2>t9\n");
	/* both fields at once, and a value emptied */
	expect(HEAD "1,101,manual,\n", HEAD "1,101,auto,t1\n",
	       "changed 1/101 2 2 source=auto>manual linked_at=t1>\n");
}

static void test_re_ordering_alone_is_no_edit(void)
{
	struct handedits h;

	compare(HEAD "3,103,auto,t3\n1,101,manual,t1\n2,102,import,t2\n",
		HEAD "1,101,manual,t1\n2,102,import,t2\n3,103,auto,t3\n", &h);
	CU_ASSERT_TRUE(h.compared);
	CU_ASSERT_EQUAL(h.n, 0);
	handedits_free(&h);
	/* the columns in another order, CRLF and an extra column: still the same links */
	compare("linked_at,source,itglue_organization_id,organization_id,note\r\n"
		"t1,manual,101,1,x\r\n",
		HEAD "1,101,manual,t1\n", &h);
	CU_ASSERT_EQUAL(h.n, 0);
	handedits_free(&h);
}

static void test_a_key_held_twice_is_matched_row_by_row(void)
{
	/* an identical row pairs with its copy; the second row of the key is added */
	expect(HEAD "1,101,auto,t9\n1,101,manual,t1\n", HEAD "1,101,manual,t1\n",
	       "added 1/101 2 0 organization_id=>1 itglue_organization_id=>101 source=>auto "
	       "linked_at=>t9\n");
	/* the copy held it twice: the row that is gone is removed, by its line */
	expect(HEAD "1,101,manual,t1\n", HEAD "1,101,auto,t0\n1,101,manual,t1\n",
	       "removed 1/101 0 2 organization_id=1> itglue_organization_id=101> source=auto> "
	       "linked_at=t0>\n");
	/* twice on both sides, both different: paired in file order */
	expect(HEAD "1,101,manual,b\n1,101,manual,a\n", HEAD "1,101,auto,a\n1,101,auto,b\n",
	       "changed 1/101 2 2 source=auto>manual linked_at=a>b\n"
	       "changed 1/101 3 3 source=auto>manual linked_at=b>a\n");
	/* the same duplicate on both sides is no edit */
	expect(HEAD "1,101,auto,a\n1,101,auto,a\n", HEAD "1,101,auto,a\n1,101,auto,a\n", "");
}

static void test_edits_are_listed_in_links_csv_order_then_removed_in_the_copys(void)
{
	expect(HEAD "9,109,manual,n\n2,102,manual,t2\n",
	       HEAD "1,101,auto,t1\n2,102,auto,t2\n5,105,auto,t5\n",
	       "added 9/109 2 0 organization_id=>9 itglue_organization_id=>109 source=>manual "
	       "linked_at=>n\n"
	       "changed 2/102 3 3 source=auto>manual\n"
	       "removed 1/101 0 2 organization_id=1> itglue_organization_id=101> source=auto> "
	       "linked_at=t1>\n"
	       "removed 5/105 0 4 organization_id=5> itglue_organization_id=105> source=auto> "
	       "linked_at=t5>\n");
}

static void test_added_row_keeps_its_extra_columns_and_its_physical_line(void)
{
	/* a blank line and a value over two lines: the line is where the row starts */
	expect(HEAD "1,101,auto,t1\n\n2,102,manual,\"two\nlines\"\n",
	       HEAD "1,101,auto,t1\n",
	       "added 2/102 4 0 organization_id=>2 itglue_organization_id=>102 source=>manual "
	       "linked_at=>two\nlines\n");
	expect("organization_id,itglue_organization_id,source,linked_at,note\n"
	       "2,102,manual,,by Ann\n",
	       HEAD,
	       "added 2/102 2 0 organization_id=>2 itglue_organization_id=>102 source=>manual "
	       "note=>by Ann\n");
}

static void test_counts_by_reason(void)
{
	struct handedits h;

	compare(HEAD "1,101,manual,t1\n3,103,manual,t3\n4,104,manual,t4\n",
		HEAD "1,101,auto,t1\n2,102,auto,t2\n", &h);
	CU_ASSERT_EQUAL(h.n, 4);
	CU_ASSERT_EQUAL(h.count[HAND_ADDED], 2);
	CU_ASSERT_EQUAL(h.count[HAND_REMOVED], 1);
	CU_ASSERT_EQUAL(h.count[HAND_CHANGED], 1);
	handedits_free(&h);
}

/* ---- the copy on disk ----------------------------------------------------- */

static void find_in(const char *dir, const char *links, struct handedits *h, int want_rc,
		    struct itg_err *e)
{
	struct csv_table cur;

	links_table(links, &cur);
	CU_ASSERT_EQUAL(handedits_find(dir, &cur, h, e), want_rc);
	csvtab_free(&cur);
}

static void test_a_store_without_the_copy_has_no_hand_edits(void)
{
	char *dir = unit_tmpdir();
	struct itg_err e = {0};
	struct handedits h;

	find_in(dir, HEAD "1,101,manual,t1\n", &h, 0, &e);
	CU_ASSERT_FALSE(h.compared);
	CU_ASSERT_PTR_NULL(h.problem);
	CU_ASSERT_EQUAL(h.n, 0);
	handedits_free(&h);
	unit_rmtree(dir);
}

static void test_the_copy_is_read_from_the_store(void)
{
	char *dir = unit_tmpdir();
	struct itg_err e = {0};
	struct handedits h;

	write_in(dir, STORE_FILE_LINKS_LAST_RUN, HEAD "1,101,auto,t1\n");
	find_in(dir, HEAD "1,101,manual,t1\n2,102,manual,\n", &h, 0, &e);
	CU_ASSERT_TRUE(h.compared);
	CU_ASSERT_EQUAL(h.n, 2);
	CU_ASSERT_EQUAL(h.count[HAND_ADDED], 1);
	CU_ASSERT_EQUAL(h.count[HAND_CHANGED], 1);
	handedits_free(&h);
	/* an empty copy (a store with no links then) */
	write_in(dir, STORE_FILE_LINKS_LAST_RUN, "");
	find_in(dir, HEAD "1,101,manual,t1\n", &h, 0, &e);
	CU_ASSERT_TRUE(h.compared);
	CU_ASSERT_EQUAL(h.count[HAND_ADDED], 1);
	handedits_free(&h);
	unit_rmtree(dir);
}

static void test_a_damaged_copy_is_a_problem_named_not_an_error(void)
{
	static const char *const bad[][2] = {
		{HEAD "1,101,auto,\"t1\n", ":2:"},           /* quote never closed */
		{"organization_id,source\n1,auto\n", ":1:"}, /* a required column missing */
		{HEAD "1,101,auto,t1\n2,102,auto,t\xff\n", ":3:"}, /* not UTF-8 */
	};
	char *dir = unit_tmpdir();

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct itg_err e = {0};
		struct handedits h;

		write_in(dir, STORE_FILE_LINKS_LAST_RUN, bad[i][0]);
		find_in(dir, HEAD "1,101,manual,t1\n", &h, 0, &e);
		CU_ASSERT_FALSE(h.compared);
		CU_ASSERT_EQUAL(h.n, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(h.problem);
		CU_ASSERT_PTR_NOT_NULL(strstr(h.problem, STORE_FILE_LINKS_LAST_RUN));
		CU_ASSERT_PTR_NOT_NULL(strstr(h.problem, bad[i][1]));
		handedits_free(&h);
	}
	unit_rmtree(dir);
}

static void test_a_link_in_place_of_the_copy_is_refused(void)
{
	char *dir = unit_tmpdir(), *target = fs_join(dir, "elsewhere.csv");
	char *path = fs_join(dir, STORE_FILE_LINKS_LAST_RUN);
	struct itg_err e = {0};
	struct handedits h;

	CU_ASSERT_EQUAL(unit_write_file(target, HEAD "1,101,auto,t1\n"), 0);
	CU_ASSERT_EQUAL(symlink(target, path), 0);
	find_in(dir, HEAD, &h, -1, &e);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is a symbolic link"));
	CU_ASSERT_FALSE(h.compared);
	handedits_free(&h);
	/* and lib/store refuses it before any stage reads the store */
	{
		struct store s;
		e = (struct itg_err){0};
		CU_ASSERT_EQUAL(store_read(dir, PRODUCT_DARKWEBID, &s, &e), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, STORE_FILE_LINKS_LAST_RUN " is a symbolic link"));
	}
	free(target);
	free(path);
	unit_rmtree(dir);
}

/* ---- the audit lines and the report's parts ------------------------------- */

static char *with_fp(int (*fn)(FILE *, const void *), const void *arg, int *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	*rc = fn(fp, arg);
	fclose(fp);
	return text;
}

static int audit_of(FILE *fp, const void *h)
{
	return audit_write_hand_edits(fp, h, "20260301T050000Z", "2026-03-01T05:00:00.000Z");
}

static void test_one_audit_line_per_edit_with_the_run_id_and_lines(void)
{
	struct handedits h;
	char *text;
	int rc;

	compare(HEAD "1,101,manual,t1\n3,103,manual,t3\n", HEAD "1,101,auto,t1\n2,102,auto,t2\n",
		&h);
	text = with_fp(audit_of, &h, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(
		text,
		"{\"run_id\":\"20260301T050000Z\",\"time\":\"2026-03-01T05:00:00.000Z\","
		"\"action\":\"hand_edit\",\"table\":\"links\",\"key\":\"1/101\","
		"\"before\":{\"source\":\"auto\"},\"after\":{\"source\":\"manual\"},"
		"\"reason\":\"changed\",\"line\":2,\"last_run_line\":2}\n"
		"{\"run_id\":\"20260301T050000Z\",\"time\":\"2026-03-01T05:00:00.000Z\","
		"\"action\":\"hand_edit\",\"table\":\"links\",\"key\":\"3/103\",\"before\":null,"
		"\"after\":{\"organization_id\":\"3\",\"itglue_organization_id\":\"103\","
		"\"source\":\"manual\",\"linked_at\":\"t3\"},\"reason\":\"added\",\"line\":3,"
		"\"last_run_line\":null}\n"
		"{\"run_id\":\"20260301T050000Z\",\"time\":\"2026-03-01T05:00:00.000Z\","
		"\"action\":\"hand_edit\",\"table\":\"links\",\"key\":\"2/102\","
		"\"before\":{\"organization_id\":\"2\",\"itglue_organization_id\":\"102\","
		"\"source\":\"auto\",\"linked_at\":\"t2\"},\"after\":null,\"reason\":\"removed\","
		"\"line\":null,\"last_run_line\":3}\n");
	free(text);
	handedits_free(&h);
	/* none: nothing written */
	memset(&h, 0, sizeof h);
	text = with_fp(audit_of, &h, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(text, "");
	free(text);
}

static void summary_of(const struct report_input *in, struct buf *out)
{
	yajl_gen g = json_gen_new();

	yajl_gen_map_open(g);
	report_handedits_summary(g, in);
	yajl_gen_map_close(g);
	json_gen_take(g, out);
	yajl_gen_free(g);
}

static void test_changes_csv_rows_and_summary_count(void)
{
	struct handedits h;
	struct report_input in = {.run_id = "20260301T050000Z"};
	struct buf sum = {0};

	/* (their changes.csv rows are written with the run's own: t340 checks them) */
	compare(HEAD "1,101,manual,t1\n", HEAD "1,101,auto,t1\n2,102,auto,=cmd\n", &h);
	in.hand = &h;
	summary_of(&in, &sum);
	CU_ASSERT_STRING_EQUAL(buf_str(&sum), "{\"hand_edits\":2}");
	handedits_free(&h);
	/* a store without a copy: no count */
	memset(&h, 0, sizeof h);
	buf_reset(&sum);
	summary_of(&in, &sum);
	CU_ASSERT_STRING_EQUAL(buf_str(&sum), "{}");
	/* no edits: a count of 0 */
	compare(HEAD "1,101,auto,t1\n", HEAD "1,101,auto,t1\n", &h);
	buf_reset(&sum);
	summary_of(&in, &sum);
	CU_ASSERT_STRING_EQUAL(buf_str(&sum), "{\"hand_edits\":0}");
	handedits_free(&h);
	buf_free(&sum);
}

/* The report's section, rendered as Markdown, with org names from the store after the plan. */
static char *section_md(const struct handedits *h, int dry_run)
{
	char *dir = unit_tmpdir(), *path = fs_join(dir, "organizations.csv");
	struct lstore after = {0};
	struct plan plan = {0};
	struct report_input in = {.run_id = "20260301T050000Z", .dry_run = dry_run,
				  .after = &after, .hand = h, .plan = &plan};
	struct itg_err e = {0};
	struct rdoc d = {0};
	struct report_names nm;
	struct buf b = {0};

	CU_ASSERT_EQUAL(unit_write_file(path, "id,name\n1,Acme\n3,Wayne & Sons\n"), 0);
	CU_ASSERT_EQUAL(csvtab_read(path, NULL, NULL, &after.st.tab[STORE_ORGS], &e), 0);
	d.title = xstrdup("t");
	report_names_init(&nm, &in);
	report_handedits_section(&d, &in, &nm);
	report_names_free(&nm);
	report_render_md(&d, &b);
	rdoc_free(&d);
	csvtab_free(&after.st.tab[STORE_ORGS]);
	free(path);
	unit_rmtree(dir);
	return buf_detach(&b);
}

static void test_report_section_lists_each_edit_with_names_and_lines(void)
{
	struct handedits h;
	char *md;

	compare(HEAD "1,101,manual,t1\n3,103,manual,t3\n", HEAD "1,101,auto,t1\n2,102,auto,t2\n",
		&h);
	md = section_md(&h, 0);
	CU_ASSERT_STRING_EQUAL(
		md,
		"# t\n"
		"\n## Changed by hand since the last run\n"
		"\nlinks.csv differs from the copy the last run left (.links.last-run.csv) in 3 "
		"links: 1 added, 1 removed, 1 changed by hand. This run recorded each one in "
		"audit.ndjson (action hand_edit).\n"
		"\n| Change | Product org | IT Glue org | Line in links.csv | Line in the last "
		"run's copy | Before | After |\n"
		"|---|---|---|---|---|---|---|\n"
		"| changed | Acme (1) | 101 | 2 | 2 | source: auto | source: manual |\n"
		"| added | Wayne & Sons (3) | 103 | 3 |  |  | source: manual; linked_at: t3 |\n"
		"| removed | 2 | 102 |  | 3 | source: auto; linked_at: t2 |  |\n");
	free(md);
	md = section_md(&h, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "A real load records each one in audit.ndjson (action "
					  "hand_edit); this dry run recorded nothing."));
	free(md);
	handedits_free(&h);
	/* no edits, then a store without a copy (no section at all), then a damaged copy */
	compare(HEAD "1,101,auto,t1\n", HEAD "1,101,auto,t1\n", &h);
	md = section_md(&h, 0);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(md, "links.csv is as the last run left it: nothing was changed by hand."));
	free(md);
	handedits_free(&h);
	md = section_md(&h, 0);
	CU_ASSERT_STRING_EQUAL(md, "# t\n");
	free(md);
	h.problem = xstrdup("store/.links.last-run.csv:2: 3 fields, header has 4");
	md = section_md(&h, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "could not be read (store/.links.last-run.csv:2: 3 "
					  "fields, header has 4), so what was changed by hand "
					  "since then is not known"));
	free(md);
	handedits_free(&h);
}

static CU_TestInfo tests[] = {
	{"test_a_row_only_in_links_csv_is_added_with_its_line",
	 test_a_row_only_in_links_csv_is_added_with_its_line},
	{"test_a_row_only_in_the_copy_is_removed_with_its_line_there",
	 test_a_row_only_in_the_copy_is_removed_with_its_line_there},
	{"test_another_source_or_linked_at_is_changed_with_both_lines",
	 test_another_source_or_linked_at_is_changed_with_both_lines},
	{"test_re_ordering_alone_is_no_edit", test_re_ordering_alone_is_no_edit},
	{"test_a_key_held_twice_is_matched_row_by_row", test_a_key_held_twice_is_matched_row_by_row},
	{"test_edits_are_listed_in_links_csv_order_then_removed_in_the_copys",
	 test_edits_are_listed_in_links_csv_order_then_removed_in_the_copys},
	{"test_added_row_keeps_its_extra_columns_and_its_physical_line",
	 test_added_row_keeps_its_extra_columns_and_its_physical_line},
	{"test_counts_by_reason", test_counts_by_reason},
	{"test_a_store_without_the_copy_has_no_hand_edits",
	 test_a_store_without_the_copy_has_no_hand_edits},
	{"test_the_copy_is_read_from_the_store", test_the_copy_is_read_from_the_store},
	{"test_a_damaged_copy_is_a_problem_named_not_an_error",
	 test_a_damaged_copy_is_a_problem_named_not_an_error},
	{"test_a_link_in_place_of_the_copy_is_refused", test_a_link_in_place_of_the_copy_is_refused},
	{"test_one_audit_line_per_edit_with_the_run_id_and_lines",
	 test_one_audit_line_per_edit_with_the_run_id_and_lines},
	{"test_changes_csv_rows_and_summary_count", test_changes_csv_rows_and_summary_count},
	{"test_report_section_lists_each_edit_with_names_and_lines",
	 test_report_section_lists_each_edit_with_names_and_lines},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("load_handedits", NULL, NULL, tests)
