/*
 * Unit tests of pipelines/runner/summary: the lines a run prints from
 * report/summary.json.  The expected texts are those the jq program of the
 * former shell runner printed for the same files.
 */
#include "unit.h"

#include "../../pipelines/runner/summary.h"
#include "fsutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *lines_of(const char *json)
{
	struct buf b = {0};
	char err[256];

	if (summary_lines(json, strlen(json), &b, err, sizeof err) != 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static void test_golden_summary_gives_the_three_lines(void)
{
	char *path = unit_repo_path("tests/golden/load/bullphish/summary.json");
	struct buf json = {0};
	struct itg_err e = {0};
	char *got;

	CU_ASSERT_EQUAL_FATAL(fs_read_all(path, &json, 0, &e), 0);
	got = lines_of(json.p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got,
		"run 20260301T050000Z: bullphish-golden (bullphish), applied, integration connected\n"
		"actions: unlink 1, link 1, review 1, rename 2, import_organization 2, import_user 4, "
		"link_user 1, update_user 1, unlink_user 1, skip 2\n"
		"licenses: phishing 6/10, training 6/6; to look at: review 1, license_limited 1\n");
	free(got);
	buf_free(&json);
	free(path);
}

static void test_dry_run_with_nothing_to_change(void)
{
	char *got = lines_of("{\"run_id\":\"20260101T000000Z\",\"status\":\"dry_run\","
			     "\"pipeline\":\"dw\",\"product\":\"darkwebid\","
			     "\"integration_status\":\"disconnected\",\"counts\":{\"link\":0,"
			     "\"unlink\":0},\"licenses\":{\"domains\":{\"used\":3,\"total\":null}},"
			     "\"review\":0,\"unimported\":2,\"license_limited\":0}");

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got,
		"run 20260101T000000Z: dw (darkwebid), dry run, store untouched, integration disconnected\n"
		"actions: nothing to change\n"
		"licenses: domains 3/unlimited; to look at: unimported 2\n");
	free(got);
}

/* A dry run of a plan the breaker would refuse says so on its first line; null says nothing. */
static void test_dry_run_that_a_real_load_would_refuse(void)
{
	char *got = lines_of("{\"run_id\":\"20260101T000000Z\",\"status\":\"dry_run\","
			     "\"pipeline\":\"bp\",\"product\":\"bullphish\","
			     "\"integration_status\":\"connected\",\"would_refuse\":\"mass_unlink\","
			     "\"counts\":{\"unlink\":37},\"licenses\":{}}");

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got,
		"run 20260101T000000Z: bp (bullphish), dry run, store untouched; a real load would be "
		"refused: mass_unlink, integration connected\n"
		"actions: unlink 37\n"
		"licenses: none\n");
	free(got);
	got = lines_of("{\"run_id\":\"1\",\"status\":\"dry_run\",\"would_refuse\":null}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_PTR_NULL(strstr(got, "refused"));
	free(got);
}

static void test_missing_members_read_as_question_marks(void)
{
	char *got = lines_of("{\"status\":null,\"licenses\":{\"p\":{},\"q\":{\"total\":5}},"
			     "\"counts\":{\"x\":null,\"y\":2.5,\"z\":\"many\"}}");

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, "run ?: ? (?), ?, integration ?\n"
				    "actions: y 2.5, z many\n"
				    "licenses: p 0/unlimited, q 0/5\n");
	free(got);
	got = lines_of("{}");
	CU_ASSERT_STRING_EQUAL(got, "run ?: ? (?), ?, integration ?\n"
				    "actions: nothing to change\n"
				    "licenses: none\n");
	free(got);
}

static void test_text_that_is_not_an_object_is_refused(void)
{
	CU_ASSERT_PTR_NULL(lines_of("[1,2,3]"));
	CU_ASSERT_PTR_NULL(lines_of("{\"run_id\":"));
	CU_ASSERT_PTR_NULL(lines_of(""));
}

static void test_summary_text_names_the_report_files(void)
{
	char *run = unit_tmpdir();
	char *report = fs_join(run, "report");
	char *file = fs_join(report, "summary.json");
	struct itg_err e = {0};
	struct buf b = {0};
	char *want;

	CU_ASSERT_EQUAL(summary_text(run, &b, &e), 0);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(report, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(unit_write_file(file, "{\"run_id\":\"r\"}"), 0);
	CU_ASSERT_EQUAL(summary_text(run, &b, &e), 1);
	want = xasprintf("report: %s/report.md\n        %s/report.html\nrun r: ? (?), ?, "
			 "integration ?\nactions: nothing to change\nlicenses: none\n",
			 report, report);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), want);
	free(want);
	buf_reset(&b);
	CU_ASSERT_EQUAL_FATAL(unit_write_file(file, "{\"run_id\":"), 0);
	CU_ASSERT_EQUAL(summary_text(run, &b, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, file));
	buf_free(&b);
	free(file);
	free(report);
	unit_rmtree(run);
}

static CU_TestInfo tests[] = {
	{"test_dry_run_that_a_real_load_would_refuse", test_dry_run_that_a_real_load_would_refuse},
	{"test_golden_summary_gives_the_three_lines", test_golden_summary_gives_the_three_lines},
	{"test_dry_run_with_nothing_to_change", test_dry_run_with_nothing_to_change},
	{"test_missing_members_read_as_question_marks", test_missing_members_read_as_question_marks},
	{"test_text_that_is_not_an_object_is_refused", test_text_that_is_not_an_object_is_refused},
	{"test_summary_text_names_the_report_files", test_summary_text_names_the_report_files},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("runner_summary", NULL, NULL, tests)
