/*
 * Unit tests of itg-extract's evidence: when a walk is complete (complete.h)
 * and which linked organizations are asked for by id, and what an answer
 * to GET /organizations/ID means (confirm.h).
 */
#include "unit.h"

#include "../../extract/complete.h"
#include "../../extract/confirm.h"
#include "fsutil.h"
#include "json.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- completeness ---- */

static struct walk_tally tally(long long total, uint64_t distinct)
{
	struct walk_tally t = {0};

	walk_tally_total(&t, 1, 1, total);
	t.distinct = distinct;
	return t;
}

static void test_walk_is_complete_only_when_distinct_records_equal_the_stated_total(void)
{
	struct walk_tally t = tally(20, 20);
	char why[200] = "unchanged";

	CU_ASSERT_EQUAL(walk_complete(&t, why, sizeof why), 1);
	CU_ASSERT_STRING_EQUAL(why, "");
	t = tally(20, 17);
	CU_ASSERT_EQUAL(walk_complete(&t, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(why, "the server said 20 records but 17 arrived");
	t = tally(15, 18);
	CU_ASSERT_EQUAL(walk_complete(&t, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(why, "the server said 15 records but 18 arrived");
	/* nothing stated and nothing served is complete: an empty resource */
	t = tally(0, 0);
	CU_ASSERT_EQUAL(walk_complete(&t, why, sizeof why), 1);
	t = tally(0, 1);
	CU_ASSERT_EQUAL(walk_complete(&t, why, sizeof why), 0);
}

static void test_a_later_page_stating_another_total_is_a_disagreement(void)
{
	struct walk_tally t = {0};
	char why[200];

	walk_tally_total(&t, 1, 1, 20);
	walk_tally_total(&t, 2, 1, 20);
	walk_tally_total(&t, 3, 0, 0);   /* a page without a total says nothing */
	t.distinct = 20;
	CU_ASSERT_EQUAL(walk_complete(&t, why, sizeof why), 1);
	walk_tally_total(&t, 4, 1, 21);
	walk_tally_total(&t, 5, 1, 22);  /* the first disagreement is the one reported */
	CU_ASSERT_EQUAL(walk_complete(&t, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(why, "the server said 20 records on page 1 but 21 on page 4");
}

static void test_a_walk_without_a_stated_total_cannot_be_shown_complete(void)
{
	struct walk_tally t = {0};
	char why[200];

	walk_tally_total(&t, 1, 0, 0);
	walk_tally_total(&t, 2, 1, 7);   /* only page 1 states the total */
	t.distinct = 7;
	CU_ASSERT_EQUAL(walk_complete(&t, why, sizeof why), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no meta.total-count on page 1"));
}

/* ---- links and the missing ids ---- */

/* Writes DIR/links.csv and reads it back through confirm_read_links. */
static int links_from(const char *dir, const char *csv, struct csv_table *t, struct itg_err *e)
{
	char *path = fs_join(dir, "links.csv");
	int rc;

	unit_write_file(path, csv);
	free(path);
	rc = confirm_read_links(dir, t, e);
	return rc;
}

static struct strmap *walked_of(const char *const *ids)
{
	struct strmap *m = strmap_new(16);

	for (; *ids; ids++)
		strmap_put(m, *ids, NULL);
	return m;
}

static char *joined(const struct snapshot_ids *l)
{
	struct buf b = {0};

	for (size_t i = 0; i < l->n; i++) {
		if (i)
			buf_addc(&b, ',');
		buf_adds(&b, l->v[i]);
	}
	return buf_detach(&b);
}

static void test_missing_ids_are_the_linked_ones_not_walked_ascending_and_distinct(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};
	const char *const walked_ids[] = {"3", "4", "123456789012345678", NULL};
	struct strmap *walked = walked_of(walked_ids);
	struct snapshot_ids ask = {0}, rest = {0};
	char *got;

	CU_ASSERT_EQUAL_FATAL(links_from(dir,
					 "organization_id,itglue_organization_id,source,linked_at\n"
					 "1,100,auto,\n2,99,manual,\n3,3,auto,\n4,123456789012345679,auto,\n"
					 "5,99,import,\n6,abc,auto,\n7,,auto,\n8,4,manual,\n9,7,auto,\n",
					 &t, &e),
			      0);
	/* 100, 99, 123456789012345679, 7 are linked and missing (99 twice); 3, 4 were
	 * walked; "abc" and "" are not ids (the transform reports them) */
	CU_ASSERT_EQUAL(confirm_select_missing(&t, walked, 1000, &ask, &rest), 6);
	got = joined(&ask);
	CU_ASSERT_STRING_EQUAL(got, "7,99,100,123456789012345679");
	free(got);
	CU_ASSERT_EQUAL(rest.n, 0);
	snapshot_ids_free(&ask);
	/* a cap: the lowest ids are asked, the rest wait */
	CU_ASSERT_EQUAL(confirm_select_missing(&t, walked, 2, &ask, &rest), 6);
	got = joined(&ask);
	CU_ASSERT_STRING_EQUAL(got, "7,99");
	free(got);
	got = joined(&rest);
	CU_ASSERT_STRING_EQUAL(got, "100,123456789012345679");
	free(got);
	snapshot_ids_free(&ask);
	snapshot_ids_free(&rest);
	strmap_free(walked, NULL);
	csvtab_free(&t);
	unit_rmtree(dir);
}

static void test_at_most_a_thousand_ids_are_asked_the_rest_are_unconfirmed(void)
{
	char *dir = unit_tmpdir();
	struct buf csv = {0};
	struct csv_table t;
	struct itg_err e = {0};
	struct snapshot_ids ask = {0}, rest = {0};

	buf_adds(&csv, "organization_id,itglue_organization_id,source,linked_at\n");
	/* written in descending order: the selection sorts them */
	for (int i = 1005; i >= 1; i--)
		buf_addf(&csv, "%d,%d,auto,2026-01-01T00:00:00Z\n", i, 5000 + i);
	CU_ASSERT_EQUAL_FATAL(links_from(dir, buf_str(&csv), &t, &e), 0);
	CU_ASSERT_EQUAL(confirm_select_missing(&t, NULL, CONFIRM_MAX_ASKED, &ask, &rest), 1005);
	CU_ASSERT_EQUAL(CONFIRM_MAX_ASKED, 1000);
	CU_ASSERT_EQUAL_FATAL(ask.n, 1000);
	CU_ASSERT_EQUAL_FATAL(rest.n, 5);
	CU_ASSERT_STRING_EQUAL(ask.v[0], "5001");
	CU_ASSERT_STRING_EQUAL(ask.v[999], "6000");
	CU_ASSERT_STRING_EQUAL(rest.v[0], "6001");
	CU_ASSERT_STRING_EQUAL(rest.v[4], "6005");
	snapshot_ids_free(&ask);
	snapshot_ids_free(&rest);
	csvtab_free(&t);
	buf_free(&csv);
	unit_rmtree(dir);
}

static void test_no_store_or_a_missing_one_means_no_links_and_a_bad_one_is_an_error(void)
{
	char *dir = unit_tmpdir();
	char *gone = fs_join(dir, "no-such-store");
	struct csv_table t;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(confirm_read_links(NULL, &t, &e), 0);
	CU_ASSERT_EQUAL(t.nrows, 0);
	csvtab_free(&t);
	CU_ASSERT_EQUAL(confirm_read_links(gone, &t, &e), 0);
	CU_ASSERT_EQUAL(t.nrows, 0);
	csvtab_free(&t);
	/* a store without links.csv has no links */
	CU_ASSERT_EQUAL(confirm_read_links(dir, &t, &e), 0);
	CU_ASSERT_EQUAL(t.nrows, 0);
	CU_ASSERT_EQUAL(e.code, 0);
	csvtab_free(&t);
	/* a links.csv without the IT Glue id column cannot say what is linked */
	CU_ASSERT_EQUAL(links_from(dir, "organization_id,source\n1,auto\n", &t, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "links.csv"));
	err_clear(&e);
	CU_ASSERT_EQUAL(links_from(dir,
				   "organization_id,itglue_organization_id,source,linked_at\n"
				   "1,2,auto\n",
				   &t, &e),
			-1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "links.csv"));
	free(gone);
	unit_rmtree(dir);
}

/* ---- what an answer means ---- */

static enum confirm_outcome classify(long status, const char *body, const char *id, char *why,
				     size_t n)
{
	yajl_val doc, rec;
	enum confirm_outcome o =
		confirm_classify(status, body, strlen(body), id, NULL, &doc, &rec, why, n);

	if (o == CONFIRM_FOUND) {
		CU_ASSERT_PTR_NOT_NULL(doc);
		CU_ASSERT_STRING_EQUAL(json_get_id(rec, "id"), id);
		yajl_tree_free(doc);
	} else {
		CU_ASSERT_PTR_NULL(doc);
		CU_ASSERT_PTR_NULL(rec);
	}
	return o;
}

static void test_a_record_for_the_same_id_is_found_and_another_id_is_not(void)
{
	char why[400];

	CU_ASSERT_EQUAL(classify(200,
				 "{\"data\":{\"id\":\"6\",\"type\":\"organizations\","
				 "\"attributes\":{\"name\":\"Old Harbor Marine LLC\"}}}",
				 "6", why, sizeof why),
			CONFIRM_FOUND);
	CU_ASSERT_EQUAL(classify(200, "{\"data\":{\"id\":\"7\",\"type\":\"organizations\"}}", "6",
				 why, sizeof why),
			CONFIRM_UNCONFIRMED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "organization 7, not 6"));
	CU_ASSERT_EQUAL(classify(200, "{\"data\":null}", "6", why, sizeof why), CONFIRM_UNCONFIRMED);
	CU_ASSERT_EQUAL(classify(200, "{\"data\":[{\"id\":\"6\"}]}", "6", why, sizeof why),
			CONFIRM_UNCONFIRMED);
	CU_ASSERT_EQUAL(classify(200, "{\"data\":{\"id\":\"x6\"}}", "6", why, sizeof why),
			CONFIRM_UNCONFIRMED);
	/* a cut body is asked again, and the reason never quotes it */
	CU_ASSERT_EQUAL(classify(200, "{\"data\":{\"id\":\"6\",\"attr", "6", why, sizeof why),
			CONFIRM_RETRY);
	CU_ASSERT_PTR_NULL(strstr(why, "attr"));
}

static void test_only_a_jsonapi_404_confirms_a_deletion(void)
{
	char why[400];

	CU_ASSERT_EQUAL(classify(404,
				 "{\"errors\":[{\"status\":\"404\",\"title\":\"Record not found\"}]}",
				 "99", why, sizeof why),
			CONFIRM_DELETED);
	CU_ASSERT_EQUAL(classify(404, "  {\"errors\":[]}", "99", why, sizeof why), CONFIRM_DELETED);
	/* an unknown route: IT Glue's HTML 404 page */
	CU_ASSERT_EQUAL(classify(404,
				 "<!DOCTYPE html>\n<html><head><title>The page you were looking "
				 "for doesn't exist (404)</title></head></html>",
				 "99", why, sizeof why),
			CONFIRM_UNCONFIRMED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a confirmation"));
	CU_ASSERT_PTR_NULL(strchr(why, '<'));
	/* a gateway's JSON without errors, or nothing at all, is no confirmation either */
	CU_ASSERT_EQUAL(classify(404, "{\"message\":\"Not Found\"}", "99", why, sizeof why),
			CONFIRM_UNCONFIRMED);
	CU_ASSERT_EQUAL(classify(404, "", "99", why, sizeof why), CONFIRM_UNCONFIRMED);
	CU_ASSERT_EQUAL(classify(410, "{\"errors\":[]}", "99", why, sizeof why), CONFIRM_UNCONFIRMED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "HTTP 410"));
}

static void test_server_trouble_is_retried_and_a_refused_key_fails_the_run(void)
{
	char why[400];

	CU_ASSERT_EQUAL(classify(500, "{\"errors\":[{\"title\":\"Internal Server Error\"}]}", "5",
				 why, sizeof why),
			CONFIRM_RETRY);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "HTTP 500"));
	CU_ASSERT_EQUAL(classify(502, "<html>Bad Gateway</html>", "5", why, sizeof why),
			CONFIRM_RETRY);
	CU_ASSERT_EQUAL(classify(429, "", "5", why, sizeof why), CONFIRM_RETRY);
	CU_ASSERT_EQUAL(classify(0, "", "5", why, sizeof why), CONFIRM_RETRY);
	CU_ASSERT_EQUAL(classify(401, "{\"errors\":[{\"status\":401}]}", "5", why, sizeof why),
			CONFIRM_AUTH);
	CU_ASSERT_EQUAL(classify(403, "{\"message\":\"Forbidden\"}", "5", why, sizeof why),
			CONFIRM_AUTH);
	CU_ASSERT_EQUAL(classify(422, "{\"errors\":[]}", "5", why, sizeof why), CONFIRM_UNCONFIRMED);
}

static void test_single_organization_urls(void)
{
	char *u = confirm_url("https://api.eu.itglue.com", "123456789012345678");

	CU_ASSERT_STRING_EQUAL(u, "https://api.eu.itglue.com/organizations/123456789012345678");
	free(u);
}

static CU_TestInfo tests[] = {
	{"walk_is_complete_only_when_distinct_records_equal_the_stated_total", test_walk_is_complete_only_when_distinct_records_equal_the_stated_total},
	{"a_later_page_stating_another_total_is_a_disagreement", test_a_later_page_stating_another_total_is_a_disagreement},
	{"a_walk_without_a_stated_total_cannot_be_shown_complete", test_a_walk_without_a_stated_total_cannot_be_shown_complete},
	{"missing_ids_are_the_linked_ones_not_walked_ascending_and_distinct", test_missing_ids_are_the_linked_ones_not_walked_ascending_and_distinct},
	{"at_most_a_thousand_ids_are_asked_the_rest_are_unconfirmed", test_at_most_a_thousand_ids_are_asked_the_rest_are_unconfirmed},
	{"no_store_or_a_missing_one_means_no_links_and_a_bad_one_is_an_error", test_no_store_or_a_missing_one_means_no_links_and_a_bad_one_is_an_error},
	{"a_record_for_the_same_id_is_found_and_another_id_is_not", test_a_record_for_the_same_id_is_found_and_another_id_is_not},
	{"only_a_jsonapi_404_confirms_a_deletion", test_only_a_jsonapi_404_confirms_a_deletion},
	{"server_trouble_is_retried_and_a_refused_key_fails_the_run", test_server_trouble_is_retried_and_a_refused_key_fails_the_run},
	{"single_organization_urls", test_single_organization_urls},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("extract_confirm", NULL, NULL, tests)
