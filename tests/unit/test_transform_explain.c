/*
 * itg-transform --explain (transform/explain.c): which organizations a
 * query names, and that each rule's decision is told as the plan took it.
 */
#include "unit.h"

#include "test_transform_fixture.h"

#include "fsutil.h"

#include <stdlib.h>
#include <string.h>

#define ORGS "id,name,employee_count,industry,phishing,training,last_sync\n"
#define LINKS "organization_id,itglue_organization_id,source,linked_at\n"

static int has(const char *text, const char *want)
{
	int yes = text && strstr(text, want) != NULL;

	if (!yes)
		fprintf(stderr, "\nexplanation lacks \"%s\":\n%s", want, text ? text : "(none)\n");
	return yes;
}

/* Types 1 Customer, 2 Vendor; statuses 1 Active, 2 Inactive (the fixture's). */
static void world(struct tfx *t)
{
	tfx_org(t, "1", "Alpha", 1, 1);
	tfx_org(t, "2", "Beta Ltd", 1, 1);
	tfx_org(t, "5", "Globex", 1, 1);
	tfx_org(t, "7", "Held", 1, 1);
	tfx_org(t, "8", "Eight", 1, 1);
	tfx_org(t, "10", "Vend", 2, 1);
	tfx_store(t, "organizations.csv",
		  ORGS "10,Alpha,,,,,\n11,Beta,,,,,\n13,Globex,,,,,\n14,Globex LLC,,,,,\n"
		       "15,Eight,,,,,\n18,Lost,,,,,\n");
	tfx_store(t, "links.csv", LINKS "10,1,manual,\n15,7,auto,\n15,8,manual,\n18,98,auto,\n");
	tfx_unconfirmed(t, "98");
}

#define SETTINGS "sync:\n  organization_types: [Customer]\nimport:\n  select: [Vend]\n"

static void test_an_id_names_both_sides_a_name_as_written_first(void)
{
	struct tfx t;
	char *out;

	tfx_init(&t, "darkwebid");
	world(&t);
	/* 10 is IT Glue's Vend and the product org Alpha */
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, SETTINGS, "10", &out), 0);
	CU_ASSERT(has(out, "2 organizations match; each is explained below"));
	CU_ASSERT(has(out, "\nIT Glue organization 10 \"Vend\"\n"));
	CU_ASSERT(has(out, "\nproduct organization 10 \"Alpha\" (organizations.csv line 2)\n"));
	free(out);
	/* the name as written, before any folding: only the product org */
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, SETTINGS, "Globex LLC", &out), 0);
	CU_ASSERT_EQUAL(strncmp(out, "product organization 14 \"Globex LLC\"", 36), 0);
	free(out);
	/* folded: both sides' "Globex", not "Globex LLC" */
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, SETTINGS, "  GLOBEX ", &out), 0);
	CU_ASSERT(has(out, "IT Glue organization 5 \"Globex\""));
	CU_ASSERT(has(out, "product organization 13 \"Globex\""));
	CU_ASSERT_PTR_NULL(strstr(out, "product organization 14"));
	free(out);
	/* the normalized key last: "beta" names IT Glue's "Beta Ltd" and the product's "Beta" */
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, SETTINGS, "beta, inc.", &out), 0);
	CU_ASSERT(has(out, "IT Glue organization 2 \"Beta Ltd\""));
	CU_ASSERT(has(out, "product organization 11 \"Beta\""));
	free(out);
	tfx_free(&t);
}

static void test_no_match_is_a_usage_error_naming_the_closest(void)
{
	struct tfx t;
	char *out;

	tfx_init(&t, "darkwebid");
	world(&t);
	CU_ASSERT_EQUAL(tfx_explain(&t, SETTINGS, "Globx", &out), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "no IT Glue or product organization has the id or name "
				  "\"Globx\"; the closest names: \"Globex\" (IT Glue 5), \"Globex\" "
				  "(product 13), \"Globex LLC\" (product 14)"));
	CU_ASSERT(out == NULL || !*out);
	free(out);
	CU_ASSERT_EQUAL(tfx_explain(&t, SETTINGS, "qqq", &out), -1);
	CU_ASSERT(tfx_err_has(&t, "and no name is close"));
	free(out);
	tfx_free(&t);
}

static void test_each_rule_is_told_for_an_org(void)
{
	struct tfx t;
	char *out;

	tfx_init(&t, "darkwebid");
	world(&t);
	/* linked by this plan: the key, the candidate, the match */
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, SETTINGS, "2", &out), 0);
	CU_ASSERT(has(out, "  scope: in scope\n"
			   "    type 1 \"Customer\": selected by sync.organization_types entry "
			   "\"Customer\" (line 5)\n"
			   "    status 1 \"Active\": selected (sync.organization_statuses: all)\n"));
	CU_ASSERT(has(out, "    name key (normalized, docs/rules.md 7): \"beta\"\n"
			   "    product organizations with this key:\n"
			   "      11 \"Beta\": was free; linked to IT Glue 2 by this plan\n"
			   "    linked to product organization 11 \"Beta\" by this plan (link "
			   "name_match, match normalized)\n"));
	CU_ASSERT(has(out, "  rename: product organization 11 \"Beta\" becomes \"Beta Ltd\"\n"));
	CU_ASSERT(has(out, "  after the plan (inventory.ndjson): state linked, organization 11, "
			   "source auto, reason name_match\n"));
	CU_ASSERT(has(out, "  plan lines naming it: link 1, rename 1\n"));
	free(out);
	/* ambiguous */
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, SETTINGS, "5", &out), 0);
	CU_ASSERT(has(out, "not linked: ambiguous (review ambiguous_name, match normalized): 2 "
			   "product organizations share the key: 13 \"Globex\", 14 \"Globex LLC\""));
	CU_ASSERT(has(out, "state review, reason ambiguous_name"));
	free(out);
	/* superseded by a manual link, then held */
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, SETTINGS, "Held", &out), 0);
	CU_ASSERT(has(out, "    links.csv line 3: product organization 15 \"Eight\" to IT Glue "
			   "organization 7, source auto\n"
			   "      removed (unlink superseded_by_manual): the manual link of line 4 "
			   "(product 15, IT Glue 8) wins\n"));
	CU_ASSERT(has(out, "state held, reason superseded_by_manual"));
	free(out);
	/* out of scope, and named by import.select */
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, SETTINGS, "Vend", &out), 0);
	CU_ASSERT(has(out, "  scope: out of scope (excluded by organization_types)\n"
			   "    type 2 \"Vendor\": not selected: no entry of sync.organization_types "
			   "[Customer] names it\n"));
	CU_ASSERT(has(out, "    not tried: out of scope\n"));
	CU_ASSERT(has(out, "    entry \"Vend\" (line 7) names it\n"
			   "    not imported: named by import.select but out of scope (skip "
			   "not_in_scope)\n"));
	CU_ASSERT(has(out, "state out_of_scope, excluded_by organization_types, reason "
			   "not_in_scope"));
	free(out);
	/* a product org held by its unconfirmed link */
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, SETTINGS, "Lost", &out), 0);
	CU_ASSERT(has(out, "kept, under review (review unconfirmed_deletion): IT Glue "
			   "organization 98 is not in the snapshot"));
	CU_ASSERT(has(out, "    not tried: held by its link kept under unconfirmed_deletion\n"));
	free(out);
	/* nothing was published, and the scratch plan is gone */
	CU_ASSERT_FALSE(fs_exists(t.out));
	tfx_free(&t);
}

static void test_contacts_and_licenses_are_told_in_short(void)
{
	struct tfx t;
	char *out;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Alpha", 1, 1);
	tfx_org(&t, "2", "Bravo", 1, 1);
	tfx_contact1(&t, "101", "1", "Ann", "One", "ann@alpha.example");
	tfx_contact(&t, "102", "1", "Bob", "Two", 1, "[]");
	tfx_contact(&t, "103", "1", "Cy", "Three", 2, "[]");
	tfx_contact1(&t, "104", "1", "Di", "Four", "di@alpha.example");
	tfx_contact1(&t, "201", "2", "Ed", "Five", "ed@bravo.example");
	tfx_store(&t, "organizations.csv", ORGS "10,Bravo,,,true,,\n");
	tfx_store(&t, "users.csv", "id,organization_id,first_name,last_name,email,group,"
				   "itglue_contact_id,last_sync\n"
				   "1,10,Ed,Five,ed@bravo.example,Employee,201,\n");
	CU_ASSERT_EQUAL_FATAL(
		tfx_explain(&t,
			    "sync:\n  contacts:\n    enabled: true\n    contact_types: [Employee]\n"
			    "import:\n  select: [Alpha]\n  defaults:\n    phishing: true\n"
			    "licenses:\n  phishing: 2\n",
			    "Alpha", &out),
		0);
	CU_ASSERT(has(out, "      phishing: requested, left off by the license "
			   "(import.defaults.phishing): needs 2 seats (one per imported user), 1 "
			   "of the 2 were used before it (first fit in ascending IT Glue id) "
			   "(license_limit)\n"));
	CU_ASSERT(has(out, "  contacts: 4 in the snapshot: import_user 2, skip no_email 1, "
			   "no line (contact type not selected) 1\n"
			   "    101 Ann One: import_user ann@alpha.example, group \"Employee\"\n"
			   "    102 Bob Two: skip no_email\n"
			   "    103 Cy Three: no line: contact type Terminated not selected\n"));
	CU_ASSERT(has(out, "state linked, organization new:1, source import, reason import"));
	free(out);
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, "sync:\n  contacts:\n    enabled: true\n", "Bravo",
					  &out),
			      0);
	CU_ASSERT(has(out, "    201 Ed Five: no line: user 1 is up to date\n"));
	free(out);
	tfx_free(&t);
}

static void test_fuzzy_scores_are_shown(void)
{
	struct tfx t;
	char *out;

	tfx_init(&t, "darkwebid");
	tfx_org(&t, "1", "Northwind Trading", 1, 1);
	tfx_store(&t, "organizations.csv", ORGS "10,Northwind Traders,,,,,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, "sync:\n  auto_link: fuzzy\n  fuzzy_threshold: 0.6\n",
					  "1", &out),
			      0);
	CU_ASSERT(has(out, "not linked by key: no product organization has this key"));
	CU_ASSERT(has(out, "fuzzy pass (sync.fuzzy_threshold 0.60"));
	CU_ASSERT(has(out, "      product 10 \"Northwind Traders\": similarity 0."));
	CU_ASSERT(has(out, "linked: product 10 is the mutual, clear best (score 0."));
	free(out);
	CU_ASSERT_EQUAL_FATAL(tfx_explain(&t, "sync:\n  auto_link: fuzzy\n", "1", &out), 0);
	CU_ASSERT(has(out, "no product organization reaches the threshold"));
	free(out);
	tfx_free(&t);
}

static CU_TestInfo tests[] = {
	{"test_an_id_names_both_sides_a_name_as_written_first",
	 test_an_id_names_both_sides_a_name_as_written_first},
	{"test_no_match_is_a_usage_error_naming_the_closest",
	 test_no_match_is_a_usage_error_naming_the_closest},
	{"test_each_rule_is_told_for_an_org", test_each_rule_is_told_for_an_org},
	{"test_contacts_and_licenses_are_told_in_short",
	 test_contacts_and_licenses_are_told_in_short},
	{"test_fuzzy_scores_are_shown", test_fuzzy_scores_are_shown},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_explain", NULL, NULL, tests)
