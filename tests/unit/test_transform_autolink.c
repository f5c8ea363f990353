/* Rule 4 (autolink.c) and rule 5 (renames.c). */
#include "unit.h"

#include "test_transform_fixture.h"

#include <string.h>

#define ORGS "id,name,employee_count,industry,phishing,training,last_sync\n"
#define LINKS "organization_id,itglue_organization_id,source,linked_at\n"

static void test_test_smb_auto_links_by_equal_name(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Test SMB", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Test SMB,11-50,Other,false,false,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'link','organization_id':'10','itglue_organization_id':'1',"
			      "'reason':'name_match','match':'exact','name':'Test SMB',"
			      "'itglue_name':'Test SMB'}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_names_differing_in_case_punctuation_and_suffix_link_and_rename(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Acme", 1, 1);
	tfx_org(&t, "2", "Smith Jones", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,\"ACME, Inc.\",,,,,\n11,smith-jones LLC,,,,,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'link','organization_id':'10',"
			       "'itglue_organization_id':'1','reason':'name_match','match':'normalized',"
			       "'name':'ACME, Inc.','itglue_name':'Acme'}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 1), "{'action':'link','organization_id':'11',"
			       "'itglue_organization_id':'2','reason':'name_match','match':'normalized',"
			       "'name':'smith-jones LLC','itglue_name':'Smith Jones'}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 2), "{'action':'rename','organization_id':'10',"
			       "'itglue_organization_id':'1','before':'ACME, Inc.','after':'Acme'}");
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'rename'"), 2);
	tfx_free(&t);
}

static void test_unicode_names_link_cafe_zurich(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Caf\xc3\xa9 Z\xc3\xbcrich GmbH", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Cafe Zurich,,,,,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'link','organization_id':'10','itglue_organization_id':'1'"), 1);
	CU_ASSERT(tfx_has(&t, "{'action':'rename','organization_id':'10','itglue_organization_id':'1',"
			      "'before':'Cafe Zurich','after':'Caf\xc3\xa9 Z\xc3\xbcrich GmbH'}"));
	tfx_free(&t);
}

static void test_two_product_orgs_with_one_name_give_a_review_and_no_import(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Globex LLC", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "11,Globex LLC,,,,,\n10,Globex,,,,,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select: all\n"), 0);
	/* ambiguous even though one pair is an exact match (docs/rules.md 9, 11) */
	CU_ASSERT(tfx_has(&t, "{'action':'review','itglue_organization_id':'1','organization_id':null,"
			      "'reason':'ambiguous_name','match':'normalized','name':'Globex LLC',"
			      "'candidates':['10','11'],'candidate_names':['Globex','Globex LLC']}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_two_itglue_orgs_with_one_name_give_a_product_side_review(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Initech", 1, 1);
	tfx_org(&t, "2", "INITECH", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Initech,,,,,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select: [Initech]\n"), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'review','itglue_organization_id':null,'organization_id':'10',"
			      "'reason':'ambiguous_name','match':'normalized','name':'Initech',"
			      "'candidates':['1','2'],'candidate_names':['Initech','INITECH']}"));
	/* listed by name, but under review: the review is their only output */
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_exact_mode_keeps_case_and_off_mode_links_nothing(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "acme", 1, 1);
	tfx_org(&t, "2", " Globex ", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Acme,,,,,\n11,Globex,,,,,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  auto_link: exact\n"), 0);
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'link'"), 1);
	CU_ASSERT_EQUAL(tfx_count(&t, "'organization_id':'11','itglue_organization_id':'2','reason':'name_match','match':'exact'"), 1);
	/* an exact match on the trimmed name still renames to the raw IT Glue name */
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'rename'"), 1);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  auto_link: 'off'\n"), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 0);
	tfx_free(&t);
}

static void test_product_org_freed_by_unlink_takes_part_in_auto_link(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "2", "Hooli", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Hooli,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,auto,\n");
	tfx_deleted(&t, "1");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'unlink','organization_id':'10',"
			       "'itglue_organization_id':'1','reason':'itglue_deleted','source':'auto'}");
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'link','organization_id':'10','itglue_organization_id':'2'"), 1);
	tfx_free(&t);
}

static void test_out_of_scope_and_linked_orgs_do_not_auto_link(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Umbrella", 1, 2);
	tfx_org(&t, "2", "Vandelay", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Umbrella,,,,,\n11,Vandelay,,,,,\n12,Vandelay,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "11,2,manual,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  organization_statuses: [Active]\n"), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 0);
	tfx_free(&t);
}

static void test_name_with_empty_key_never_auto_links(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "---", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,---,,,,,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  auto_link: fuzzy\n"), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 0);
	tfx_free(&t);
}

static void test_fuzzy_links_a_mutual_clear_best_with_its_score(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Northwind Trader", 1, 1);
	tfx_org(&t, "2", "Contoso Pharmaceuticals", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Northwind Traders Ltd,,,,,\n11,Fabrikam,,,,,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  auto_link: fuzzy\n  fuzzy_threshold: 0.9\n"), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'link','organization_id':'10','itglue_organization_id':'1',"
			      "'reason':'name_match','match':'fuzzy','score':0.9333,"
			      "'name':'Northwind Traders Ltd','itglue_name':'Northwind Trader'}"));
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'link'"), 1);
	/* below the threshold: nothing */
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  auto_link: fuzzy\n  fuzzy_threshold: 0.95\n"), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 0);
	tfx_free(&t);
}

static void test_fuzzy_unclear_best_gives_review_and_holds_back_import(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Northwind Trader", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Northwind Traders,,,,,\n11,Northwind Traderz,,,,,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  auto_link: fuzzy\n  fuzzy_threshold: 0.9\n"
					  "import:\n  select: all\n"),
			      0);
	CU_ASSERT(tfx_has(&t, "{'action':'review','itglue_organization_id':'1','organization_id':null,"
			      "'reason':'ambiguous_name','match':'fuzzy','name':'Northwind Trader',"
			      "'candidates':['10','11'],'candidate_names':['Northwind Traders',"
			      "'Northwind Traderz']}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static CU_TestInfo tests[] = {
	{"test_test_smb_auto_links_by_equal_name", test_test_smb_auto_links_by_equal_name},
	{"test_names_differing_in_case_punctuation_and_suffix_link_and_rename",
	 test_names_differing_in_case_punctuation_and_suffix_link_and_rename},
	{"test_unicode_names_link_cafe_zurich", test_unicode_names_link_cafe_zurich},
	{"test_two_product_orgs_with_one_name_give_a_review_and_no_import",
	 test_two_product_orgs_with_one_name_give_a_review_and_no_import},
	{"test_two_itglue_orgs_with_one_name_give_a_product_side_review",
	 test_two_itglue_orgs_with_one_name_give_a_product_side_review},
	{"test_exact_mode_keeps_case_and_off_mode_links_nothing",
	 test_exact_mode_keeps_case_and_off_mode_links_nothing},
	{"test_product_org_freed_by_unlink_takes_part_in_auto_link",
	 test_product_org_freed_by_unlink_takes_part_in_auto_link},
	{"test_out_of_scope_and_linked_orgs_do_not_auto_link",
	 test_out_of_scope_and_linked_orgs_do_not_auto_link},
	{"test_name_with_empty_key_never_auto_links", test_name_with_empty_key_never_auto_links},
	{"test_fuzzy_links_a_mutual_clear_best_with_its_score",
	 test_fuzzy_links_a_mutual_clear_best_with_its_score},
	{"test_fuzzy_unclear_best_gives_review_and_holds_back_import",
	 test_fuzzy_unclear_best_gives_review_and_holds_back_import},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_autolink", NULL, NULL, tests)
