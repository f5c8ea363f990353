/*
 * One store, one integration (docs/contract.md sections 6 and 10): binding.c
 * refuses a store bound to another product, pipeline or IT Glue account, or
 * disconnected by its operator, unless --connect; and --disconnect needs no
 * snapshot.
 */
#include "unit.h"

#include "test_transform_fixture.h"

#include "fsutil.h"

#include <stdlib.h>
#include <string.h>

#define ORGS "id,name,employee_count,industry,phishing,training,last_sync\n"
#define LINKS "organization_id,itglue_organization_id,source,linked_at\n"
#define STATE "{\"status\":\"connected\",\"region\":\"us\",\"last_sync\":null,\"last_error\":null"
#define ACCOUNT ",\"itglue_account\":{\"primary_organization_id\":\"1\"," \
		"\"primary_organization_name\":\"Kaseya Partner MSP\"}"
/* the fixture's pipeline is "t", product bullphish */
#define BOUND STATE ",\"product\":\"bullphish\",\"pipeline\":\"t\"" ACCOUNT

/* A linked org and the account's primary org; integration.json is given. */
static void world(struct tfx *t, const char *integration)
{
	tfx_init(t, "bullphish");
	tfx_org(t, "1", "Kaseya Partner MSP", 1, 1);
	tfx_org(t, "2", "Acme", 1, 1);
	tfx_account(t, "1", "Kaseya Partner MSP");
	/* renamed in IT Glue: every plan made has a rename line */
	tfx_store(t, "organizations.csv", ORGS "10,Acme Old,,,,,\n");
	tfx_store(t, "links.csv", LINKS "10,2,manual,\n");
	if (integration)
		tfx_store(t, "integration.json", integration);
}

/* The run is refused with exit 4, exactly want (after "STORE/integration.json: "),
 * and no plan folder. */
static void refused(struct tfx *t, int rc, const char *want)
{
	char *path = fs_join(t->dir, "store/integration.json");
	char *full = xasprintf("%s: %s", path, want);
	char *pipeline = fs_join(t->dir, "pipeline.yaml");
	char *expanded = NULL;
	const char *p;
	struct buf b = {0};

	/* PIPELINE in want stands for the fixture's pipeline file */
	for (p = full; *p;) {
		const char *hit = strstr(p, "PIPELINE");
		if (!hit) {
			buf_adds(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(hit - p));
		buf_adds(&b, pipeline);
		p = hit + strlen("PIPELINE");
	}
	expanded = buf_detach(&b);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_EQUAL(t->e.code, 4);
	if (strcmp(t->e.msg, expanded) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", t->e.msg, expanded);
	CU_ASSERT_STRING_EQUAL(t->e.msg, expanded);
	CU_ASSERT_FALSE(fs_exists(t->out));
	free(expanded);
	free(pipeline);
	free(full);
	free(path);
}

#define WAY_OUT "point `store:` at this pipeline's own store, or re-bind this one on purpose " \
		"with `pipelines/run PIPELINE --connect` (or `itg-transform --connect`)"

static void test_a_store_without_a_binding_is_not_refused(void)
{
	struct tfx t;

	world(&t, NULL);
	CU_ASSERT_EQUAL(tfx_run(&t, ""), 0);
	tfx_free(&t);
	world(&t, STATE "}\n");   /* the four keys of an older load */
	CU_ASSERT_EQUAL(tfx_run(&t, ""), 0);
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'rename'"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"connect\": false"));
	tfx_free(&t);
}

static void test_a_store_bound_to_this_integration_is_planned(void)
{
	struct tfx t;

	world(&t, BOUND "}\n");
	CU_ASSERT_EQUAL(tfx_run(&t, ""), 0);
	/* an account id written as a number is the same id */
	tfx_store(&t, "integration.json", STATE ",\"itglue_account\":{\"primary_organization_id\":1}}");
	CU_ASSERT_EQUAL(tfx_run(&t, ""), 0);
	tfx_free(&t);
}

static void test_a_store_of_another_product_is_refused(void)
{
	struct tfx t;

	world(&t, STATE ",\"product\":\"darkwebid\",\"pipeline\":\"t\"}");
	refused(&t, tfx_run(&t, ""),
		"this store is bound to product darkwebid (Dark Web ID), and pipeline PIPELINE is "
		"bullphish: " WAY_OUT);
	tfx_free(&t);
}

static void test_a_store_of_another_pipeline_is_refused(void)
{
	struct tfx t;

	world(&t, STATE ",\"product\":\"bullphish\",\"pipeline\":\"bullphish-nightly\"}");
	refused(&t, tfx_run(&t, ""),
		"this store is bound to pipeline \"bullphish-nightly\", not \"t\" (PIPELINE): " WAY_OUT);
	tfx_free(&t);
}

static void test_a_store_of_another_account_is_refused(void)
{
	struct tfx t;
	char *want;

	world(&t, BOUND "}");
	tfx_account(&t, "77", "Other MSP");
	want = xasprintf("this store is bound to IT Glue account 1 (Kaseya Partner MSP), and "
			 "snapshot %s/snapshot is of account 77 (Other MSP): " WAY_OUT, t.dir);
	refused(&t, tfx_run(&t, ""), want);
	free(want);
	/* a snapshot that names no account (null, or no key at all) is a mismatch too */
	tfx_account(&t, NULL, NULL);
	want = xasprintf("this store is bound to IT Glue account 1 (Kaseya Partner MSP), and "
			 "snapshot %s/snapshot names no account: " WAY_OUT, t.dir);
	refused(&t, tfx_run(&t, ""), want);
	t.has_account = 0;
	refused(&t, tfx_run(&t, ""), want);
	free(want);
	tfx_free(&t);
}

static void test_a_store_disconnected_by_its_operator_is_refused_until_connect(void)
{
	struct tfx t;

	world(&t, STATE ",\"disconnected_by\":\"operator\"}");
	refused(&t, tfx_run(&t, ""),
		"the integration was disconnected on purpose (disconnected_by: operator), so "
		"nothing is planned for this store: resume it with `pipelines/run PIPELINE "
		"--connect` (or `itg-transform --connect`)");
	/* disconnecting again is harmless */
	CU_ASSERT_EQUAL(tfx_run_disconnect(&t, ""), 0);
	CU_ASSERT_EQUAL(tfx_count(&t, "'reason':'disconnect'"), 1);
	/* --connect resumes: a plan, and the manifest says so */
	t.connect = 1;
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'rename','organization_id':'10','itglue_organization_id':'2',"
			      "'before':'Acme Old','after':'Acme'}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"connect\": true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"disconnect\": false"));
	tfx_free(&t);
}

static void test_a_key_refused_by_itglue_is_not_refused_here(void)
{
	struct tfx t;

	world(&t, "{\"status\":\"disconnected\",\"region\":\"us\",\"last_sync\":null,"
		  "\"last_error\":\"IT Glue refused the API key (HTTP 401/403)\","
		  "\"disconnected_by\":\"itglue\"}");
	CU_ASSERT_EQUAL(tfx_run(&t, ""), 0);
	tfx_free(&t);
}

static void test_connect_plans_for_a_store_bound_elsewhere(void)
{
	struct tfx t;

	world(&t, STATE ",\"product\":\"darkwebid\",\"pipeline\":\"other\","
		  "\"itglue_account\":{\"primary_organization_id\":\"9\"},"
		  "\"disconnected_by\":\"operator\"}");
	t.connect = 1;
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"connect\": true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"primary_organization_id\": \"1\""));
	tfx_free(&t);
}

static void test_disconnect_of_a_store_bound_elsewhere_is_refused(void)
{
	struct tfx t;

	world(&t, STATE ",\"pipeline\":\"other\"}");
	refused(&t, tfx_run_disconnect(&t, ""),
		"this store is bound to pipeline \"other\", not \"t\" (PIPELINE): " WAY_OUT);
	tfx_free(&t);
}

static void test_disconnect_needs_no_snapshot(void)
{
	struct tfx t;

	/* bound to an account: without a snapshot the account is not compared */
	world(&t, BOUND "}");
	t.no_snapshot = 1;
	CU_ASSERT_EQUAL_FATAL(tfx_run_disconnect(&t, ""), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'unlink','organization_id':'10','itglue_organization_id':'2',"
			      "'reason':'disconnect','source':'manual'}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"path\": null"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"finished_at\": null"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"primary_organization_id\": null"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"integration_status\": \"disconnected\""));
	/* an ordinary run still needs one */
	CU_ASSERT_EQUAL(tfx_run(&t, ""), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "--snapshot DIR is required"));
	tfx_free(&t);
}

static void test_connect_and_disconnect_exclude_each_other(void)
{
	struct tfx t;

	world(&t, NULL);
	t.connect = 1;
	CU_ASSERT_EQUAL(tfx_run_disconnect(&t, ""), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "--connect and --disconnect exclude each other"));
	tfx_free(&t);
}

static void test_a_malformed_integration_file_is_an_input_error(void)
{
	struct tfx t;

	world(&t, "[1]");
	CU_ASSERT_EQUAL(tfx_run(&t, ""), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "integration.json"));
	tfx_free(&t);
}

static CU_TestInfo tests[] = {
	{"test_a_store_without_a_binding_is_not_refused",
	 test_a_store_without_a_binding_is_not_refused},
	{"test_a_store_bound_to_this_integration_is_planned",
	 test_a_store_bound_to_this_integration_is_planned},
	{"test_a_store_of_another_product_is_refused", test_a_store_of_another_product_is_refused},
	{"test_a_store_of_another_pipeline_is_refused", test_a_store_of_another_pipeline_is_refused},
	{"test_a_store_of_another_account_is_refused", test_a_store_of_another_account_is_refused},
	{"test_a_store_disconnected_by_its_operator_is_refused_until_connect",
	 test_a_store_disconnected_by_its_operator_is_refused_until_connect},
	{"test_a_key_refused_by_itglue_is_not_refused_here",
	 test_a_key_refused_by_itglue_is_not_refused_here},
	{"test_connect_plans_for_a_store_bound_elsewhere",
	 test_connect_plans_for_a_store_bound_elsewhere},
	{"test_disconnect_of_a_store_bound_elsewhere_is_refused",
	 test_disconnect_of_a_store_bound_elsewhere_is_refused},
	{"test_disconnect_needs_no_snapshot", test_disconnect_needs_no_snapshot},
	{"test_connect_and_disconnect_exclude_each_other",
	 test_connect_and_disconnect_exclude_each_other},
	{"test_a_malformed_integration_file_is_an_input_error",
	 test_a_malformed_integration_file_is_an_input_error},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_binding", NULL, NULL, tests)
