/* Rule 6 (import) and rule 8 (licenses): imports.c. */
#include "unit.h"

#include "test_transform_fixture.h"

#include <string.h>

#define ORGS "id,name,employee_count,industry,phishing,training,last_sync\n"
#define LINKS "organization_id,itglue_organization_id,source,linked_at\n"
#define USERS "id,organization_id,first_name,last_name,email,group,itglue_contact_id,last_sync\n"

static void test_selected_org_is_imported_with_product_defaults(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "5", "Acme Dental", 1, 1);
	tfx_org(&t, "6", "Other Org", 1, 1);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select: [Acme Dental]\n"), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'import_organization','ref':'new:5','itglue_organization_id':'5',"
			      "'name':'Acme Dental','employee_count':'11-50','industry':'Other',"
			      "'phishing':false,'training':false,'license_limited':[]}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_overrides_apply_in_order_and_later_ones_win(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "5", "Acme Dental", 1, 1);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select: all\n"
					  "  defaults:\n    industry: Retail\n    training: true\n"
					  "  overrides:\n"
					  "    - itglue_organization: acme dental\n      employee_count: '51-250'\n"
					  "      industry: Legal\n"
					  "    - itglue_organization: 5\n      industry: Healthcare\n      phishing: true\n"
					  "    - itglue_organization: Nobody\n      industry: Legal\n"),
			      0);
	CU_ASSERT(tfx_has(&t, "{'action':'import_organization','ref':'new:5','itglue_organization_id':'5',"
			      "'name':'Acme Dental','employee_count':'51-250','industry':'Healthcare',"
			      "'phishing':true,'training':true,'license_limited':[]}"));
	tfx_free(&t);
}

static void test_select_entry_matching_nothing_is_a_review_and_the_run_goes_on(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "5", "Acme Dental", 1, 1);
	tfx_org(&t, "6", "Acme Dentist LLC", 1, 2);
	tfx_org(&t, "7", "ACME-DENTIST", 1, 1);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select:\n    - Acme Dental\n"
					  "    - Acme Dentist, Inc.\n    - 404\n    - Nowhere\n"),
			      0);
	/* the import goes on; the misses come after it in the select order,
	 * candidates by normalized name (in scope or not), ascending id */
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0),
			       "{'action':'review','itglue_organization_id':null,'organization_id':null,"
			       "'reason':'select_not_found','name':'Acme Dentist, Inc.',"
			       "'candidates':['6','7'],'candidate_names':['Acme Dentist LLC','ACME-DENTIST']}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 1),
			       "{'action':'review','itglue_organization_id':null,'organization_id':null,"
			       "'reason':'select_not_found','name':'404','candidates':[],"
			       "'candidate_names':[]}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 2),
			       "{'action':'review','itglue_organization_id':null,'organization_id':null,"
			       "'reason':'select_not_found','name':'Nowhere','candidates':[],"
			       "'candidate_names':[]}");
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'import_organization','ref':'new:5'"), 1);
	CU_ASSERT_EQUAL(tfx_lines(&t), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"review\": 3"));
	tfx_free(&t);
}

static void test_select_misses_come_after_the_other_reviews(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "5", "Globex", 1, 1);
	tfx_store(&t, "organizations.csv",
		  "id,name,employee_count,industry,phishing,training,last_sync\n"
		  "10,Globex,,,,,\n11,Globex LLC,,,,,\n12,Kept,,,,,\n");
	tfx_store(&t, "links.csv", "organization_id,itglue_organization_id,source,linked_at\n"
				   "12,99,manual,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select: [Zed, 99]\n"), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 0), "'reason':'unconfirmed_deletion'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 1), "'reason':'ambiguous_name'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 2), "'reason':'select_not_found','name':'Zed'"));
	/* the id of the org gone from the snapshot selects nothing either */
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 3), "'reason':'select_not_found','name':'99'"));
	tfx_free(&t);
}

static void test_listed_out_of_scope_org_is_skipped_not_in_scope(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "5", "Old Client", 1, 2);
	tfx_org(&t, "6", "New Client", 1, 1);
	tfx_org(&t, "7", "Older Client", 1, 2);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  organization_statuses: [Active]\n"
					  "import:\n  select: [5, New Client]\n"),
			      0);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'skip','itglue_organization_id':'5',"
			       "'reason':'not_in_scope','name':'Old Client'}");
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'import_organization','ref':'new:6'"), 1);
	CU_ASSERT_EQUAL(tfx_lines(&t), 2);
	/* select: all never reports out-of-scope orgs */
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  organization_statuses: [Active]\n"
					  "import:\n  select: all\n"),
			      0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_linked_org_is_never_imported_twice(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "5", "Acme", 1, 1);
	tfx_org(&t, "6", "Globex", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Acme,,,,,\n11,Globex,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,5,import,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select: [Acme, Globex]\n"), 0);
	CU_ASSERT_EQUAL(tfx_count(&t, "import_organization"), 0);
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'link','organization_id':'11'"), 1);
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_name_shared_by_several_orgs_selects_them_all(void)
{
	struct tfx t;

	tfx_init(&t, "darkwebid");
	tfx_org(&t, "5", "Twin", 1, 1);
	tfx_org(&t, "6", "Twin", 2, 1);
	tfx_org(&t, "7", "Single", 1, 1);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select: [TWIN]\n"), 0);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'import_organization','ref':'new:5',"
			       "'itglue_organization_id':'5','name':'Twin','employee_count':'11-50',"
			       "'industry':'Other'}");
	CU_ASSERT_EQUAL(tfx_count(&t, "'ref':'new:6'"), 1);
	CU_ASSERT_EQUAL(tfx_lines(&t), 2);
	tfx_free(&t);
}

static void test_digit_string_naming_no_org_selects_by_id(void)
{
	struct tfx t;

	tfx_init(&t, "darkwebid");
	tfx_org(&t, "42", "Answer", 1, 1);
	tfx_org(&t, "43", "42", 1, 1);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select: ['42', '43']\n"), 0);
	/* '42' is the name of org 43 (a name wins); '43' names nothing: id 43 */
	CU_ASSERT_EQUAL(tfx_count(&t, "'ref':'new:43'"), 1);
	CU_ASSERT_EQUAL(tfx_count(&t, "'ref':'new:42'"), 0);
	tfx_free(&t);
}

/* docs/rules.md 25, 26: seats = users of orgs with the module on + import_user
 * lines into them; imports first fit in ascending IT Glue id. */
static void test_phishing_license_limit_is_first_fit_by_itglue_id(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Existing", 1, 1);
	tfx_org(&t, "2", "Big", 1, 1);
	tfx_org(&t, "3", "Small", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Existing,,,true,false,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,manual,\n");
	tfx_store(&t, "users.csv", USERS "100,10,Ann,A,ann@existing.example,Employee,,\n");
	tfx_contact1(&t, "201", "1", "Bob", "B", "bob@existing.example");
	tfx_contact1(&t, "301", "2", "C", "1", "c1@big.example");
	tfx_contact1(&t, "302", "2", "C", "2", "c2@big.example");
	tfx_contact1(&t, "303", "2", "C", "3", "c3@big.example");
	tfx_contact1(&t, "401", "3", "D", "1", "d1@small.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  contacts:\n    enabled: true\n"
					  "import:\n  select: all\n  defaults:\n    phishing: true\n"
					  "    training: true\n"
					  "licenses:\n  phishing: 4\n  training: 100\n"),
			      0);
	/* 1 user + 1 import into Existing = 2 seats; Big needs 3 -> 5 > 4: off */
	CU_ASSERT(tfx_has(&t, "{'action':'import_organization','ref':'new:2','itglue_organization_id':'2',"
			      "'name':'Big','employee_count':'11-50','industry':'Other',"
			      "'phishing':false,'training':true,'license_limited':['phishing'],"
			      "'reason':'license_limit'}"));
	/* the smaller, later org still fits: 2 + 1 <= 4 */
	CU_ASSERT(tfx_has(&t, "{'action':'import_organization','ref':'new:3','itglue_organization_id':'3',"
			      "'name':'Small','employee_count':'11-50','industry':'Other',"
			      "'phishing':true,'training':true,'license_limited':[]}"));
	/* users are never refused for seats */
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'import_user'"), 5);
	tfx_free(&t);
}

static void test_import_lines_come_in_ascending_itglue_id_before_contacts(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "9", "Nine", 1, 1);
	tfx_org(&t, "10", "Ten", 1, 1);
	tfx_contact1(&t, "1", "10", "T", "T", "t@ten.example");
	tfx_contact1(&t, "2", "9", "N", "N", "n@nine.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  contacts:\n    enabled: true\n"
					  "import:\n  select: all\n"),
			      0);
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 0), "'ref':'new:9'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 1), "'ref':'new:10'"));
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 2), "{'action':'import_user','organization_ref':'new:9',"
			       "'itglue_organization_id':'9','itglue_contact_id':'2','first_name':'N',"
			       "'last_name':'N','email':'n@nine.example','group':'Employee'}");
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 3), "'organization_ref':'new:10'"));
	tfx_free(&t);
}

static CU_TestInfo tests[] = {
	{"test_selected_org_is_imported_with_product_defaults",
	 test_selected_org_is_imported_with_product_defaults},
	{"test_overrides_apply_in_order_and_later_ones_win",
	 test_overrides_apply_in_order_and_later_ones_win},
	{"test_select_entry_matching_nothing_is_a_review_and_the_run_goes_on",
	 test_select_entry_matching_nothing_is_a_review_and_the_run_goes_on},
	{"test_select_misses_come_after_the_other_reviews",
	 test_select_misses_come_after_the_other_reviews},
	{"test_listed_out_of_scope_org_is_skipped_not_in_scope",
	 test_listed_out_of_scope_org_is_skipped_not_in_scope},
	{"test_linked_org_is_never_imported_twice", test_linked_org_is_never_imported_twice},
	{"test_name_shared_by_several_orgs_selects_them_all",
	 test_name_shared_by_several_orgs_selects_them_all},
	{"test_digit_string_naming_no_org_selects_by_id",
	 test_digit_string_naming_no_org_selects_by_id},
	{"test_phishing_license_limit_is_first_fit_by_itglue_id",
	 test_phishing_license_limit_is_first_fit_by_itglue_id},
	{"test_import_lines_come_in_ascending_itglue_id_before_contacts",
	 test_import_lines_come_in_ascending_itglue_id_before_contacts},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_imports", NULL, NULL, tests)
