/* Rules 1-3 and 10 (links.c, scope.c, disconnect.c), from the seed articles' stories. */
#include "unit.h"

#include "test_transform_fixture.h"

#include <string.h>

#define ORGS "id,name,employee_count,industry,phishing,training,last_sync\n"
#define LINKS "organization_id,itglue_organization_id,source,linked_at\n"

static void test_manual_link_follows_itglue_rename_testingorg7_to_testingorg5(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "7", "testingorg5", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "21,testingorg7,11-50,Other,false,false,\n");
	tfx_store(&t, "links.csv", LINKS "21,7,manual,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'rename','organization_id':'21','itglue_organization_id':'7',"
			      "'before':'testingorg7','after':'testingorg5'}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_manual_link_changed_from_raleigh_to_durham_renames(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "30", "City of Raleigh", 1, 1);
	tfx_org(&t, "31", "City of Durham", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "5,City of Raleigh,11-50,Government,false,false,\n");
	tfx_store(&t, "links.csv", LINKS "5,31,manual,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'rename','organization_id':'5','itglue_organization_id':'31',"
			      "'before':'City of Raleigh','after':'City of Durham'}"));
	/* the IT Glue org City of Raleigh is left unlinked: no link, no import */
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_itglue_org_deleted_while_manually_linked_unlinks(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_store(&t, "organizations.csv", ORGS "21,testingorg5,11-50,Other,false,false,\n");
	tfx_store(&t, "links.csv", LINKS "21,7,manual,\n");
	tfx_deleted(&t, "7");   /* IT Glue answered 404 for it */
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'unlink','organization_id':'21','itglue_organization_id':'7',"
			      "'reason':'itglue_deleted','source':'manual'}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_inactive_orgs_delinked_when_status_deselected(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Alpha", 1, 1);
	tfx_org(&t, "2", "Beta", 1, 2);
	tfx_store(&t, "organizations.csv", ORGS "10,Alpha,,,,,\n11,Beta,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,auto,\n11,2,manual,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  organization_statuses: [active]\n"), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'unlink','organization_id':'11','itglue_organization_id':'2',"
			      "'reason':'filtered_out','source':'manual'}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_deleted_wins_over_filtered_out(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Alpha", 1, 2);
	tfx_store(&t, "organizations.csv", ORGS "10,Alpha,,,,,\n11,Gone,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,auto,\n11,9,auto,\n");
	tfx_deleted(&t, "9");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  organization_statuses: [Active]\n"), 0);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'unlink','organization_id':'10',"
			       "'itglue_organization_id':'1','reason':'filtered_out','source':'auto'}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 1), "{'action':'unlink','organization_id':'11',"
			       "'itglue_organization_id':'9','reason':'itglue_deleted','source':'auto'}");
	tfx_free(&t);
}

static void test_null_type_is_in_scope_only_under_all(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Alpha", 0, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Alpha,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,auto,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 0);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  organization_types: [Customer, Vendor]\n"), 0);
	CU_ASSERT_EQUAL(tfx_count(&t, "'reason':'filtered_out'"), 1);
	tfx_free(&t);
}

static void test_filter_entries_are_ids_or_case_insensitive_names(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Alpha", 1, 1);
	tfx_org(&t, "2", "Beta", 2, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Alpha,,,,,\n11,Beta,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,auto,\n11,2,auto,\n");
	/* a YAML integer is an id */
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  organization_types: [2]\n"), 0);
	CU_ASSERT(tfx_count(&t, "'organization_id':'10','itglue_organization_id':'1','reason':'filtered_out'") == 1);
	/* a name, trimmed and case-insensitive */
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  organization_types: ['  CUSTOMER ']\n"), 0);
	CU_ASSERT(tfx_count(&t, "'organization_id':'11','itglue_organization_id':'2','reason':'filtered_out'") == 1);
	/* a digit string naming nothing is an id */
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  organization_types: ['1']\n"), 0);
	CU_ASSERT(tfx_count(&t, "'itglue_organization_id':'2','reason':'filtered_out'") == 1);
	tfx_free(&t);
}

static void test_manual_link_supersedes_auto_link(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Acme", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Acme,,,,,\n11,Acme Two,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "11,1,auto,\n10,1,manual,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'unlink','organization_id':'11','itglue_organization_id':'1',"
			      "'reason':'superseded_by_manual','source':'auto'}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_manual_link_supersedes_import_link_on_the_product_side(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Acme", 1, 1);
	tfx_org(&t, "2", "Globex", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Acme,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,2,import,\n10,1,manual,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  auto_link: off\n"), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'unlink','organization_id':'10','itglue_organization_id':'2',"
			      "'reason':'superseded_by_manual','source':'import'}"));
	tfx_free(&t);
}

static void test_two_manual_links_on_one_org_are_an_input_error(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Acme", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Acme,,,,,\n11,Acme 2,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,manual,\n11,1,manual,\n");
	CU_ASSERT_EQUAL(tfx_run(&t, ""), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "links.csv:3:"));
	CU_ASSERT(tfx_err_has(&t, "more than one manual link"));
	CU_ASSERT_PTR_NULL(t.plan);
	tfx_free(&t);
}

static void test_two_auto_links_on_one_product_org_are_an_input_error(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Acme", 1, 1);
	tfx_org(&t, "2", "Acme", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Acme,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,auto,\n10,2,auto,\n");
	CU_ASSERT_EQUAL(tfx_run(&t, ""), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "no manual link"));
	tfx_free(&t);
}

static void test_link_to_unknown_product_org_is_an_input_error(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_store(&t, "organizations.csv", ORGS "10,Acme,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,auto,\n99,2,manual,\n");
	CU_ASSERT_EQUAL(tfx_run(&t, ""), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "links.csv:3:"));
	CU_ASSERT(tfx_err_has(&t, "unknown organization \"99\""));
	tfx_free(&t);
}

static void test_unknown_link_source_is_an_input_error(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_store(&t, "organizations.csv", ORGS "10,Acme,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,Manual,\n");
	CU_ASSERT_EQUAL(tfx_run(&t, ""), -1);
	CU_ASSERT(tfx_err_has(&t, "links.csv:2:"));
	CU_ASSERT(tfx_err_has(&t, "unknown source"));
	tfx_free(&t);
}

static void test_disconnect_unlinks_every_link_and_nothing_else(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Acme", 1, 1);
	tfx_org(&t, "3", "Initech", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Acme Old,,,,,\n11,Gone,,,,,\n12,Initech,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "11,9,manual,\n10,1,auto,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run_disconnect(&t, "import:\n  select: all\n"), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 2);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'unlink','organization_id':'10',"
			       "'itglue_organization_id':'1','reason':'disconnect','source':'auto'}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 1), "{'action':'unlink','organization_id':'11',"
			       "'itglue_organization_id':'9','reason':'disconnect','source':'manual'}");
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"integration_status\": \"disconnected\""));
	tfx_free(&t);
}

#define USERS "id,organization_id,first_name,last_name,email,group,itglue_contact_id,last_sync\n"

static void test_unconfirmed_deletion_keeps_the_link_and_reviews_it(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Alpha", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Alpha,,,,,\n21,testingorg5,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,auto,\n21,7,manual,\n");
	/* the extractor asked for 7 and got no answer either way */
	tfx_unconfirmed(&t, "7");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0),
			       "{'action':'review','itglue_organization_id':'7','organization_id':'21',"
			       "'reason':'unconfirmed_deletion','source':'manual','candidates':[]}");
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'unlink'"), 0);
	tfx_free(&t);
}

static void test_snapshot_without_the_lists_confirms_no_deletion(void)
{
	struct tfx t;

	tfx_init(&t, "darkwebid");
	tfx_store(&t, "organizations.csv", "id,name\n10,A\n11,B\n12,C\n");
	tfx_store(&t, "links.csv", LINKS "12,30,import,\n10,9,auto,\n11,200,manual,\n");
	/* has_missing 0: a snapshot made by hand, with neither key */
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 3);
	/* ascending IT Glue id */
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0),
			       "{'action':'review','itglue_organization_id':'9','organization_id':'10',"
			       "'reason':'unconfirmed_deletion','source':'auto','candidates':[]}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 1),
			       "{'action':'review','itglue_organization_id':'30','organization_id':'12',"
			       "'reason':'unconfirmed_deletion','source':'import','candidates':[]}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 2),
			       "{'action':'review','itglue_organization_id':'200','organization_id':'11',"
			       "'reason':'unconfirmed_deletion','source':'manual','candidates':[]}");
	tfx_free(&t);
}

static void test_only_the_confirmed_deletion_unlinks(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_store(&t, "organizations.csv", ORGS "10,A,,,,,\n11,B,,,,,\n12,C,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,5,auto,\n11,6,manual,\n12,8,auto,\n");
	tfx_deleted(&t, "5");
	tfx_unconfirmed(&t, "6");
	/* 8 is in neither list */
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'unlink','organization_id':'10',"
			       "'itglue_organization_id':'5','reason':'itglue_deleted','source':'auto'}");
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 1), "'itglue_organization_id':'6','organization_id':'11','reason':'unconfirmed_deletion'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 2), "'itglue_organization_id':'8','organization_id':'12','reason':'unconfirmed_deletion'"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 3);
	tfx_free(&t);
}

static void test_kept_link_holds_its_product_org_from_auto_link_rename_and_contacts(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	/* IT Glue 2 has the held org's name: without the hold they would link */
	tfx_org(&t, "2", "Hooli", 1, 1);
	tfx_contact1(&t, "301", "2", "Gavin", "Belson", "gavin@hooli.example");
	tfx_store(&t, "organizations.csv", ORGS "10,Hooli,,,true,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,auto,\n");
	tfx_store(&t, "users.csv", USERS "1,10,Gavin,B,gavin@hooli.example,Employee,301,\n"
					 "2,10,Old,User,old@hooli.example,Employee,399,\n");
	tfx_unconfirmed(&t, "1");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  auto_link: fuzzy\n  fuzzy_threshold: 0.1\n"
					  "  contacts:\n    enabled: true\n"),
			      0);
	/* no link, no rename, no user line: only the review */
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0),
			       "{'action':'review','itglue_organization_id':'1','organization_id':'10',"
			       "'reason':'unconfirmed_deletion','source':'auto','candidates':[]}");
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	/* IT Glue 2 is free and not held: `select: all` imports it */
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select: all\n"), 0);
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'import_organization','ref':'new:2'"), 1);
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'link'"), 0);
	tfx_free(&t);
}

static void test_kept_manual_link_supersedes_and_kept_auto_link_is_superseded(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "2", "Beta", 1, 1);
	tfx_org(&t, "3", "Gamma", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Alpha,,,,,\n11,Beta,,,,,\n");
	/* 10: a manual link to gone 90 wins over its auto link to 2;
	 * 11: its auto link to gone 91 loses to its manual link to 3 */
	tfx_store(&t, "links.csv", LINKS "10,90,manual,\n10,2,auto,\n11,91,auto,\n11,3,manual,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  auto_link: 'off'\n"), 0);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'unlink','organization_id':'10',"
			       "'itglue_organization_id':'2','reason':'superseded_by_manual','source':'auto'}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 1), "{'action':'unlink','organization_id':'11',"
			       "'itglue_organization_id':'91','reason':'superseded_by_manual','source':'auto'}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 2),
			       "{'action':'review','itglue_organization_id':'90','organization_id':'10',"
			       "'reason':'unconfirmed_deletion','source':'manual','candidates':[]}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 3), "{'action':'rename','organization_id':'11',"
			       "'itglue_organization_id':'3','before':'Beta','after':'Gamma'}");
	CU_ASSERT_EQUAL(tfx_lines(&t), 4);
	tfx_free(&t);
}

static void test_disconnect_unlinks_kept_links_too(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_store(&t, "organizations.csv", ORGS "10,A,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,7,manual,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run_disconnect(&t, ""), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'unlink','organization_id':'10','itglue_organization_id':'7',"
			      "'reason':'disconnect','source':'manual'}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_an_id_that_is_not_a_number_is_refused_not_unlinked(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_store(&t, "organizations.csv", ORGS "10,A,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,abc,manual,\n");
	CU_ASSERT_EQUAL(tfx_run(&t, ""), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "links.csv:2: itglue_organization_id \"abc\" is not a decimal "
				  "number"));
	CU_ASSERT_PTR_NULL(t.plan);
	tfx_free(&t);
}

static CU_TestInfo tests[] = {
	{"test_manual_link_follows_itglue_rename_testingorg7_to_testingorg5",
	 test_manual_link_follows_itglue_rename_testingorg7_to_testingorg5},
	{"test_manual_link_changed_from_raleigh_to_durham_renames",
	 test_manual_link_changed_from_raleigh_to_durham_renames},
	{"test_itglue_org_deleted_while_manually_linked_unlinks",
	 test_itglue_org_deleted_while_manually_linked_unlinks},
	{"test_inactive_orgs_delinked_when_status_deselected",
	 test_inactive_orgs_delinked_when_status_deselected},
	{"test_deleted_wins_over_filtered_out", test_deleted_wins_over_filtered_out},
	{"test_null_type_is_in_scope_only_under_all", test_null_type_is_in_scope_only_under_all},
	{"test_filter_entries_are_ids_or_case_insensitive_names",
	 test_filter_entries_are_ids_or_case_insensitive_names},
	{"test_manual_link_supersedes_auto_link", test_manual_link_supersedes_auto_link},
	{"test_manual_link_supersedes_import_link_on_the_product_side",
	 test_manual_link_supersedes_import_link_on_the_product_side},
	{"test_two_manual_links_on_one_org_are_an_input_error",
	 test_two_manual_links_on_one_org_are_an_input_error},
	{"test_two_auto_links_on_one_product_org_are_an_input_error",
	 test_two_auto_links_on_one_product_org_are_an_input_error},
	{"test_link_to_unknown_product_org_is_an_input_error",
	 test_link_to_unknown_product_org_is_an_input_error},
	{"test_unknown_link_source_is_an_input_error", test_unknown_link_source_is_an_input_error},
	{"test_disconnect_unlinks_every_link_and_nothing_else",
	 test_disconnect_unlinks_every_link_and_nothing_else},
	{"test_unconfirmed_deletion_keeps_the_link_and_reviews_it",
	 test_unconfirmed_deletion_keeps_the_link_and_reviews_it},
	{"test_snapshot_without_the_lists_confirms_no_deletion",
	 test_snapshot_without_the_lists_confirms_no_deletion},
	{"test_only_the_confirmed_deletion_unlinks", test_only_the_confirmed_deletion_unlinks},
	{"test_kept_link_holds_its_product_org_from_auto_link_rename_and_contacts",
	 test_kept_link_holds_its_product_org_from_auto_link_rename_and_contacts},
	{"test_kept_manual_link_supersedes_and_kept_auto_link_is_superseded",
	 test_kept_manual_link_supersedes_and_kept_auto_link_is_superseded},
	{"test_disconnect_unlinks_kept_links_too", test_disconnect_unlinks_kept_links_too},
	{"test_an_id_that_is_not_a_number_is_refused_not_unlinked",
	 test_an_id_that_is_not_a_number_is_refused_not_unlinked},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_links", NULL, NULL, tests)
