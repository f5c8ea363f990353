/* Rule 9, docs/rules.md 27-33: domains.c, and the store checks of domains.csv. */
#include "unit.h"

#include "test_transform_fixture.h"

#include <string.h>

#define ORGS "id,name,employee_count,industry,last_sync\n"
#define LINKS "organization_id,itglue_organization_id,source,linked_at\n"
#define DOMAINS "id,organization_id,domain,itglue_domain_id,status,reason,last_sync\n"

/* One linked org: IT Glue 1 "Acme" <-> product 10 "Acme". */
static void acme(struct tfx *t, const char *domains)
{
	tfx_init(t, "darkwebid");
	tfx_org(t, "1", "Acme", 1, 1);
	tfx_store(t, "organizations.csv", ORGS "10,Acme,,,\n");
	tfx_store(t, "links.csv", LINKS "10,1,manual,\n");
	if (domains)
		tfx_store(t, "domains.csv", domains);
}

static void test_gov_and_mil_domains_are_unimported(void)
{
	struct tfx t;

	acme(&t, NULL);
	tfx_domain(&t, "1", "1", "raleighnc.gov");
	tfx_domain(&t, "2", "1", "army.mil");
	tfx_domain(&t, "3", "1", "council.gov.uk");
	tfx_domain(&t, "4", "1", "gov.com");
	tfx_domain(&t, "5", "1", "govt.nz");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'import_domain','organization_id':'10',"
			       "'itglue_organization_id':'1','itglue_domain_id':'1',"
			       "'domain':'raleighnc.gov','status':'unimported','reason':'gov_domain'}");
	CU_ASSERT_EQUAL(tfx_count(&t, "'reason':'gov_domain'"), 3);
	CU_ASSERT(tfx_has(&t, "{'action':'import_domain','organization_id':'10',"
			      "'itglue_organization_id':'1','itglue_domain_id':'4',"
			      "'domain':'gov.com','status':'pending','reason':null}"));
	CU_ASSERT_EQUAL(tfx_count(&t, "'status':'pending'"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"pending\": 2"));
	tfx_free(&t);
}

static void test_domain_license_limit_counts_imported_rows_and_skips_rejects(void)
{
	struct tfx t;

	acme(&t, DOMAINS "1,10,old.example,,imported,,\n");
	tfx_domain(&t, "7", "1", "a.example");
	tfx_domain(&t, "8", "1", "city.gov");
	tfx_domain(&t, "9", "1", "b.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "licenses:\n  domains: 2\n"), 0);
	CU_ASSERT_EQUAL(tfx_count(&t, "'itglue_domain_id':'7','domain':'a.example','status':'pending'"), 1);
	/* a rejected domain uses no license, and the license is full after 7 */
	CU_ASSERT(tfx_has(&t, "{'action':'import_domain','organization_id':'10',"
			      "'itglue_organization_id':'1','itglue_domain_id':'9',"
			      "'domain':'b.example','status':'unimported','reason':'license_limit'}"));
	tfx_free(&t);
}

static void test_reason_precedence_invalid_gov_protected(void)
{
	struct tfx t;

	acme(&t, NULL);
	tfx_file(&t, "protected.txt", "# sensitive\n\n.gov\nbank.example\n*.health.example\n");
	tfx_domain(&t, "1", "1", "http://bad.example/");
	tfx_domain(&t, "2", "1", "city.gov");
	tfx_domain(&t, "3", "1", "WWW.Bank.Example.");
	tfx_domain(&t, "4", "1", "clinic.health.example");
	tfx_domain(&t, "5", "1", "health.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "domains:\n  protected: protected.txt\nlicenses:\n  domains: 0\n"), 0);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'import_domain','organization_id':'10',"
			       "'itglue_organization_id':'1','itglue_domain_id':'1',"
			       "'domain':'http://bad.example/','status':'unimported',"
			       "'reason':'invalid_domain'}");
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 1), "'reason':'gov_domain'"));
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 2), "{'action':'import_domain','organization_id':'10',"
			       "'itglue_organization_id':'1','itglue_domain_id':'3',"
			       "'domain':'www.bank.example','status':'unimported',"
			       "'reason':'protected_domain'}");
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 3), "'reason':'protected_domain'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 4), "'reason':'license_limit'"));
	tfx_free(&t);
}

static void test_imported_domains_are_not_planned_again_but_unimported_are(void)
{
	struct tfx t;

	acme(&t, DOMAINS "1,10,a.example,7,imported,,\n"
			 "2,10,B.example,,imported,,\n"
			 "3,10,c.example,9,unimported,license_limit,\n");
	tfx_domain(&t, "7", "1", "a.example");
	tfx_domain(&t, "8", "1", "b.example");
	tfx_domain(&t, "9", "1", "c.example");
	tfx_domain(&t, "10", "1", "c.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 2);
	CU_ASSERT_EQUAL(tfx_count(&t, "'itglue_domain_id':'9','domain':'c.example','status':'pending'"), 1);
	/* two IT Glue records with one name are planned independently */
	CU_ASSERT_EQUAL(tfx_count(&t, "'itglue_domain_id':'10','domain':'c.example','status':'pending'"), 1);
	tfx_free(&t);
}

static void test_domains_of_imported_orgs_use_the_ref_and_unlinked_orgs_none(void)
{
	struct tfx t;

	acme(&t, NULL);
	tfx_org(&t, "2", "Newco", 1, 1);
	tfx_org(&t, "3", "Ignored", 1, 1);
	tfx_domain(&t, "20", "2", "newco.example");
	tfx_domain(&t, "30", "3", "ignored.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "import:\n  select: [Newco]\n"), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 2);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 1), "{'action':'import_domain','organization_ref':'new:2',"
			       "'itglue_organization_id':'2','itglue_domain_id':'20',"
			       "'domain':'newco.example','status':'pending','reason':null}");
	tfx_free(&t);
}

static void test_unknown_domain_status_is_an_input_error(void)
{
	struct tfx t;

	acme(&t, DOMAINS "1,10,a.example,7,done,,\n");
	CU_ASSERT_EQUAL(tfx_run(&t, ""), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "domains.csv:2:"));
	CU_ASSERT(tfx_err_has(&t, "unknown status"));
	tfx_free(&t);
}

static void test_snapshot_without_domains_is_an_error(void)
{
	struct tfx t;

	acme(&t, NULL);
	t.omit[RES_DOMAINS] = 1;
	CU_ASSERT_EQUAL(tfx_run(&t, ""), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "no domains"));
	tfx_free(&t);
}

static CU_TestInfo tests[] = {
	{"test_gov_and_mil_domains_are_unimported", test_gov_and_mil_domains_are_unimported},
	{"test_domain_license_limit_counts_imported_rows_and_skips_rejects",
	 test_domain_license_limit_counts_imported_rows_and_skips_rejects},
	{"test_reason_precedence_invalid_gov_protected", test_reason_precedence_invalid_gov_protected},
	{"test_imported_domains_are_not_planned_again_but_unimported_are",
	 test_imported_domains_are_not_planned_again_but_unimported_are},
	{"test_domains_of_imported_orgs_use_the_ref_and_unlinked_orgs_none",
	 test_domains_of_imported_orgs_use_the_ref_and_unlinked_orgs_none},
	{"test_unknown_domain_status_is_an_input_error", test_unknown_domain_status_is_an_input_error},
	{"test_snapshot_without_domains_is_an_error", test_snapshot_without_domains_is_an_error},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_domains", NULL, NULL, tests)
