/* Loading and validating the inputs (model.c, transform.c): bad snapshots,
 * bad stores and bad settings are exit 2 naming the file, and leave no plan. */
#include "unit.h"

#include "test_transform_fixture.h"

#include "fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORGS "id,name,employee_count,industry,phishing,training,last_sync\n"

static void expect_failure(struct tfx *t, const char *body, const char *what)
{
	CU_ASSERT_EQUAL(tfx_run(t, body), -1);
	CU_ASSERT_EQUAL(t->e.code, 2);
	CU_ASSERT(tfx_err_has(t, what));
	CU_ASSERT_PTR_NULL(t->plan);
	CU_ASSERT_FALSE(fs_exists(t->out));
}

static void test_folder_without_manifest_is_not_a_snapshot(void)
{
	struct tfx t;
	char *m;

	tfx_init(&t, "bullphish");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	m = fs_join(t.dir, "snapshot/manifest.json");
	remove(m);
	free(m);
	t.keep_snapshot = 1;
	expect_failure(&t, "", "not a snapshot");
	tfx_free(&t);
}

static void test_snapshot_file_not_matching_its_manifest_is_refused(void)
{
	struct tfx t;
	char *path;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Acme", 1, 1);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	/* replace organizations with other content of the same record count */
	path = fs_join(t.dir, "snapshot/organizations.ndjson.gz");
	remove(path);
	{
		struct tfx other;
		tfx_init(&other, "bullphish");
		tfx_org(&other, "1", "Acne", 1, 1);
		CU_ASSERT_EQUAL_FATAL(tfx_run(&other, ""), 0);
		char *src = fs_join(other.dir, "snapshot/organizations.ndjson.gz");
		struct buf b = {0};
		CU_ASSERT_EQUAL(fs_read_all(src, &b, 0, &t.e), 0);
		CU_ASSERT_EQUAL(fs_write_atomic(path, b.p, b.len, 0600, &t.e), 0);
		buf_free(&b);
		free(src);
		tfx_free(&other);
	}
	free(path);
	t.keep_snapshot = 1;
	expect_failure(&t, "", "organizations");
	tfx_free(&t);
}

static void test_truncated_snapshot_file_is_refused(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	for (int i = 1; i < 200; i++) {
		char id[16];
		snprintf(id, sizeof id, "%d", i);
		tfx_org(&t, id, "Some Organization Name", 1, 1);
	}
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	tfx_cut_in_half(&t, RES_ORGANIZATIONS);
	expect_failure(&t, "", "organizations.ndjson.gz");
	tfx_free(&t);
}

static void test_snapshot_line_that_is_not_json_names_file_and_line(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Acme", 1, 1);
	tfx_add(&t, RES_ORGANIZATIONS, "{'id':'2','attributes':");
	expect_failure(&t, "", "organizations.ndjson.gz:2:");
	tfx_free(&t);
}

static void test_duplicate_product_org_id_is_an_input_error(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_store(&t, "organizations.csv", ORGS "10,A,,,,,\n11,B,,,,,\n10,C,,,,,\n");
	expect_failure(&t, "", "organizations.csv:4:");
	CU_ASSERT(tfx_err_has(&t, "duplicate organization id 10"));
	tfx_free(&t);
}

static void test_malformed_csv_row_names_file_and_line(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_store(&t, "organizations.csv", ORGS "10,A,,,,,\n11,\"B,,,,,\n");
	expect_failure(&t, "", "organizations.csv");
	tfx_free(&t);
}

static void test_bad_boolean_in_store_is_an_input_error(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_store(&t, "organizations.csv", ORGS "10,A,,,maybe,,\n");
	expect_failure(&t, "", "organizations.csv:2:");
	tfx_free(&t);
}

static void test_bad_pipeline_is_a_configuration_error(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	expect_failure(&t, "sync:\n  auto_link: sometimes\n", "pipeline.yaml:5:");
	expect_failure(&t, "licenses:\n  domains: 3\n", "pipeline.yaml");
	tfx_free(&t);
}

static void test_same_inputs_give_byte_identical_plans(void)
{
	struct tfx t;
	char *first, *man;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "3", "Gamma", 1, 1);
	tfx_org(&t, "1", "Alpha", 1, 1);
	tfx_org(&t, "2", "Beta", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Alpha,,,,,\n11,beta inc,,,,,\n");
	tfx_contact1(&t, "5", "3", "G", "G", "g@gamma.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  contacts:\n    enabled: true\nimport:\n  select: all\n"), 0);
	first = xstrdup(t.plan);
	man = xstrdup(t.manifest);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  contacts:\n    enabled: true\nimport:\n  select: all\n"), 0);
	CU_ASSERT_STRING_EQUAL(t.plan, first);
	CU_ASSERT_STRING_EQUAL(t.manifest, man);
	CU_ASSERT_EQUAL(tfx_lines(&t), 5);
	free(first);
	free(man);
	tfx_free(&t);
}

/* Makes t's snapshot file of res hold the file of other: the same record
 * count, other bytes, so only the manifest check can tell. */
static void swap_in(struct tfx *t, struct tfx *other, enum resource res)
{
	char rel[96];
	char *dst, *src;
	struct buf b = {0};

	snprintf(rel, sizeof rel, "snapshot/%s.ndjson.gz", resource_names[res]);
	dst = fs_join(t->dir, rel);
	src = fs_join(other->dir, rel);
	CU_ASSERT_EQUAL(fs_read_all(src, &b, 0, &t->e), 0);
	CU_ASSERT_EQUAL(fs_write_atomic(dst, b.p, b.len, 0600, &t->e), 0);
	buf_free(&b);
	free(src);
	free(dst);
	t->keep_snapshot = 1;
}

/* A file no rule of the run reads (contacts for Dark Web ID, domains for
 * BullPhish ID, both with --disconnect) is still checked: one pass that
 * reads it through, before the plan is published. */
static void test_unread_snapshot_file_not_matching_its_manifest_is_refused(void)
{
	static const char *const product[] = {"darkwebid", "bullphish", "bullphish"};
	static const enum resource res[] = {RES_CONTACTS, RES_DOMAINS, RES_CONTACTS};

	for (int i = 0; i < 3; i++) {
		struct tfx t, other;
		tfx_init(&t, product[i]);
		tfx_init(&other, product[i]);
		tfx_org(&t, "1", "Acme", 1, 1);
		tfx_org(&other, "1", "Acme", 1, 1);
		tfx_contact1(&t, "100", "1", "Ann", "Lee", "ann@acme.example");
		tfx_contact1(&other, "100", "1", "Anne", "Lee", "ann@acme.example");
		tfx_domain(&t, "7", "1", "acme.example");
		tfx_domain(&other, "7", "1", "acne.example");
		CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
		CU_ASSERT_EQUAL_FATAL(tfx_run(&other, ""), 0);
		swap_in(&t, &other, res[i]);
		if (i < 2) {
			expect_failure(&t, "", resource_names[res[i]]);
		} else {
			CU_ASSERT_EQUAL(tfx_run_disconnect(&t, ""), -1);
			CU_ASSERT_EQUAL(t.e.code, 2);
			CU_ASSERT(tfx_err_has(&t, "contacts.ndjson.gz"));
			CU_ASSERT_FALSE(fs_exists(t.out));
		}
		CU_ASSERT(tfx_err_has(&t, "does not match the snapshot manifest"));
		CU_ASSERT(tfx_err_has(&t, "is damaged or incomplete, extract it again"));
		tfx_free(&other);
		tfx_free(&t);
	}
}

/* The file a rule reads is checked at its end: a contacts file with other
 * content of the same count fails the run, and no plan is published. */
static void test_contacts_not_matching_the_manifest_fail_after_reading(void)
{
	struct tfx t, other;

	tfx_init(&t, "bullphish");
	tfx_init(&other, "bullphish");
	tfx_org(&t, "1", "Acme", 1, 1);
	tfx_org(&other, "1", "Acme", 1, 1);
	tfx_contact1(&t, "100", "1", "Ann", "Lee", "ann@acme.example");
	tfx_contact1(&other, "100", "1", "Anne", "Lee", "ann@acme.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select: all\n"), 0);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&other, "import:\n  select: all\n"), 0);
	swap_in(&t, &other, RES_CONTACTS);
	expect_failure(&t, "sync:\n  contacts:\n    enabled: true\nimport:\n  select: all\n",
		       "contacts.ndjson.gz: does not match the snapshot manifest");
	tfx_free(&other);
	tfx_free(&t);
}

static CU_TestInfo tests[] = {
	{"test_unread_snapshot_file_not_matching_its_manifest_is_refused",
	 test_unread_snapshot_file_not_matching_its_manifest_is_refused},
	{"test_contacts_not_matching_the_manifest_fail_after_reading",
	 test_contacts_not_matching_the_manifest_fail_after_reading},
	{"test_folder_without_manifest_is_not_a_snapshot",
	 test_folder_without_manifest_is_not_a_snapshot},
	{"test_snapshot_file_not_matching_its_manifest_is_refused",
	 test_snapshot_file_not_matching_its_manifest_is_refused},
	{"test_truncated_snapshot_file_is_refused", test_truncated_snapshot_file_is_refused},
	{"test_snapshot_line_that_is_not_json_names_file_and_line",
	 test_snapshot_line_that_is_not_json_names_file_and_line},
	{"test_duplicate_product_org_id_is_an_input_error",
	 test_duplicate_product_org_id_is_an_input_error},
	{"test_malformed_csv_row_names_file_and_line", test_malformed_csv_row_names_file_and_line},
	{"test_bad_boolean_in_store_is_an_input_error", test_bad_boolean_in_store_is_an_input_error},
	{"test_bad_pipeline_is_a_configuration_error", test_bad_pipeline_is_a_configuration_error},
	{"test_same_inputs_give_byte_identical_plans", test_same_inputs_give_byte_identical_plans},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_model", NULL, NULL, tests)
