/*
 * inventory.ndjson (transform/inventory.c, docs/plan-format.md): the state
 * of the integration after the plan, line by line, on a small world that
 * holds every state (linked with each source, review, available, held,
 * out_of_scope with each excluded_by and reason, missing with each reason),
 * and the same bytes from the same inputs.
 */
#include "unit.h"

#include "test_transform_fixture.h"

#include "fsutil.h"
#include "planfmt.h"
#include "../../transform/inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define ORGS "id,name,employee_count,industry,phishing,training,last_sync\n"
#define LINKS "organization_id,itglue_organization_id,source,linked_at\n"

/* Types 1 Customer, 2 Vendor; statuses 1 Active, 2 Inactive (the fixture's). */
static void world(struct tfx *t)
{
	tfx_org(t, "1", "Alpha", 1, 1);    /* manual link kept */
	tfx_org(t, "2", "Beta", 1, 1);     /* auto-linked by this plan */
	tfx_org(t, "3", "Gamma", 1, 1);    /* auto link kept */
	tfx_org(t, "4", "Imp", 1, 1);      /* imported */
	tfx_org(t, "5", "Globex", 1, 1);   /* two product orgs share its key */
	tfx_org(t, "6", "Free", 1, 1);     /* nothing to do */
	tfx_org(t, "7", "Held", 1, 1);     /* its auto link loses to a manual one */
	tfx_org(t, "8", "Eight", 1, 1);    /* that manual link */
	tfx_org(t, "9", "Old", 1, 2);      /* Inactive, linked: filtered_out */
	tfx_org(t, "10", "Vend", 2, 1);    /* a Vendor, selected: not_in_scope */
	tfx_org(t, "11", "Nul", 0, 1);     /* null type */
	tfx_org(t, "12", "Both", 2, 2);    /* excluded by both: types first */
	tfx_store(t, "organizations.csv",
		  ORGS "10,Alpha,,,,,\n11,Beta,,,,,\n12,Gamma,,,,,\n13,Globex,,,,,\n"
		       "14,Globex LLC,,,,,\n15,Eight,,,,,\n16,Old,,,,,\n17,Gone,,,,,\n18,Lost,,,,,\n");
	tfx_store(t, "links.csv",
		  LINKS "10,1,manual,\n12,3,auto,\n15,7,auto,\n15,8,manual,\n16,9,auto,\n"
			"17,99,manual,\n18,98,auto,\n");
	tfx_deleted(t, "99");        /* IT Glue answered 404 */
	tfx_unconfirmed(t, "98");    /* could not be confirmed either way */
}

#define SETTINGS                                                       \
	"sync:\n"                                                      \
	"  organization_types: [Customer]\n"                           \
	"  organization_statuses: [Active, Gone]\n"                    \
	"import:\n"                                                    \
	"  select: [Imp, Vend]\n"

static void test_every_state_has_its_line(void)
{
	struct tfx t;

	tfx_init(&t, "darkwebid");
	world(&t);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, SETTINGS), 0);
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'filter','filter':'organization_types','all':false,"
				  "'entries':[{'text':'Customer','ids':['1']}]}"));
	/* an entry that matches nothing has no ids */
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'filter','filter':'organization_statuses','all':false,"
				  "'entries':[{'text':'Active','ids':['1']},{'text':'Gone','ids':[]}]}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'organization_types','id':'1',"
				  "'name':'Customer','selected':true,'count':9}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'organization_types','id':'2',"
				  "'name':'Vendor','selected':false,'count':2}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'organization_types','id':null,"
				  "'name':null,'selected':false,'count':1}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'organization_statuses','id':'2',"
				  "'name':'Inactive','selected':false,'count':2}"));
	/* linked, with each source */
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'1','name':'Alpha',"
				  "'type_id':'1','type_name':'Customer','status_id':'1',"
				  "'status_name':'Active','in_scope':true,'excluded_by':null,"
				  "'state':'linked','organization_id':'10','source':'manual',"
				  "'reason':null}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'2','name':'Beta',"
				  "'type_id':'1','type_name':'Customer','status_id':'1',"
				  "'status_name':'Active','in_scope':true,'excluded_by':null,"
				  "'state':'linked','organization_id':'11','source':'auto',"
				  "'reason':'name_match'}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'3','name':'Gamma',"
				  "'type_id':'1','type_name':'Customer','status_id':'1',"
				  "'status_name':'Active','in_scope':true,'excluded_by':null,"
				  "'state':'linked','organization_id':'12','source':'auto',"
				  "'reason':null}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'4','name':'Imp',"
				  "'type_id':'1','type_name':'Customer','status_id':'1',"
				  "'status_name':'Active','in_scope':true,'excluded_by':null,"
				  "'state':'linked','organization_id':'new:4','source':'import',"
				  "'reason':'import'}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'5','name':'Globex',"
				  "'type_id':'1','type_name':'Customer','status_id':'1',"
				  "'status_name':'Active','in_scope':true,'excluded_by':null,"
				  "'state':'review','organization_id':null,'source':null,"
				  "'reason':'ambiguous_name'}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'6','name':'Free',"
				  "'type_id':'1','type_name':'Customer','status_id':'1',"
				  "'status_name':'Active','in_scope':true,'excluded_by':null,"
				  "'state':'available','organization_id':null,'source':null,"
				  "'reason':'not_selected'}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'7','name':'Held',"
				  "'type_id':'1','type_name':'Customer','status_id':'1',"
				  "'status_name':'Active','in_scope':true,'excluded_by':null,"
				  "'state':'held','organization_id':null,'source':null,"
				  "'reason':'superseded_by_manual'}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'8','name':'Eight',"
				  "'type_id':'1','type_name':'Customer','status_id':'1',"
				  "'status_name':'Active','in_scope':true,'excluded_by':null,"
				  "'state':'linked','organization_id':'15','source':'manual',"
				  "'reason':null}"));
	/* out of scope, by each filter, with each reason */
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'9','name':'Old',"
				  "'type_id':'1','type_name':'Customer','status_id':'2',"
				  "'status_name':'Inactive','in_scope':false,"
				  "'excluded_by':'organization_statuses','state':'out_of_scope',"
				  "'organization_id':null,'source':null,'reason':'filtered_out'}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'10','name':'Vend',"
				  "'type_id':'2','type_name':'Vendor','status_id':'1',"
				  "'status_name':'Active','in_scope':false,"
				  "'excluded_by':'organization_types','state':'out_of_scope',"
				  "'organization_id':null,'source':null,'reason':'not_in_scope'}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'11','name':'Nul',"
				  "'type_id':null,'type_name':null,'status_id':'1',"
				  "'status_name':'Active','in_scope':false,"
				  "'excluded_by':'organization_types','state':'out_of_scope',"
				  "'organization_id':null,'source':null,'reason':null}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'12','name':'Both',"
				  "'type_id':'2','type_name':'Vendor','status_id':'2',"
				  "'status_name':'Inactive','in_scope':false,"
				  "'excluded_by':'organization_types','state':'out_of_scope',"
				  "'organization_id':null,'source':null,'reason':null}"));
	/* links to orgs the snapshot does not hold, ascending IT Glue id */
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'missing','itglue_organization_id':'98',"
				  "'organization_id':'18','source':'auto',"
				  "'reason':'unconfirmed_deletion'}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'missing','itglue_organization_id':'99',"
				  "'organization_id':'17','source':'manual','reason':'itglue_deleted'}"));
	tfx_free(&t);
}

/* The whole file, in order: filters, types, orgs ascending id, missing. */
static void test_lines_come_in_the_documented_order(void)
{
	static const char *const kinds[] = {
		"filter", "filter", "type", "type", "type", "type", "type", "org", "org", "org",
		"org", "org", "org", "org", "org", "org", "org", "org", "org", "missing", "missing"};
	struct tfx t;
	const char *p;
	size_t n = 0;

	tfx_init(&t, "darkwebid");
	world(&t);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, SETTINGS), 0);
	for (p = t.inventory; *p; n++) {
		const char *nl = strchr(p, '\n');
		char want[64];
		CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
		CU_ASSERT_FATAL(n < sizeof kinds / sizeof *kinds);
		snprintf(want, sizeof want, "{\"kind\":\"%s\",", kinds[n]);
		CU_ASSERT_EQUAL(strncmp(p, want, strlen(want)), 0);
		p = nl + 1;
	}
	CU_ASSERT_EQUAL(n, sizeof kinds / sizeof *kinds);
	/* org lines ascending by id as numbers: 9 before 10 */
	CU_ASSERT(strstr(t.inventory, "\"itglue_organization_id\":\"9\"") <
		  strstr(t.inventory, "\"itglue_organization_id\":\"10\""));
	tfx_free(&t);
}

static uint32_t crc_of(const char *s)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)s, (unsigned)strlen(s));
}

static void test_same_inputs_same_bytes_and_the_manifest_describes_them(void)
{
	struct tfx t;
	char *first, want[128];
	size_t lines = 0;

	tfx_init(&t, "darkwebid");
	world(&t);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, SETTINGS), 0);
	first = xstrdup(t.inventory);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, SETTINGS), 0);
	CU_ASSERT_STRING_EQUAL(first, t.inventory);
	for (const char *p = first; *p; p++)
		lines += *p == '\n';
	snprintf(want, sizeof want,
		 "\"inventory\": {\n    \"file\": \"inventory.ndjson\",\n    \"lines\": %zu,\n"
		 "    \"bytes\": %zu,\n    \"crc32\": \"%08x\"\n  }",
		 lines, strlen(first), (unsigned)crc_of(first));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, want));
	/* the plan's own figures are untouched: the inventory is no plan line */
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"import_organization\": 1"));
	free(first);
	tfx_free(&t);
}

/* Contact types: counted as contacts.c streams them; a type the snapshot's
 * contact_types lacks is named by its contacts and matched by that name. */
static void test_contact_types_are_counted_with_their_filter(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Alpha", 1, 1);
	tfx_org(&t, "2", "Beta", 1, 1);
	tfx_contact1(&t, "101", "1", "A", "One", "a1@alpha.example");
	tfx_contact(&t, "102", "1", "B", "Two", 2, "[]");
	tfx_contact(&t, "103", "1", "C", "Three", 0, "[]");
	tfx_add(&t, RES_CONTACTS,
		"{'id':'104','type':'contacts','attributes':{'organization-id':2,"
		"'first-name':'D','last-name':'Four','contact-type-id':3,"
		"'contact-type-name':'Contractor','contact-emails':[]}}");
	tfx_store(&t, "organizations.csv", ORGS "10,Alpha,,,,,\n");
	CU_ASSERT_EQUAL_FATAL(
		tfx_run(&t, "sync:\n  contacts:\n    enabled: true\n"
			    "    contact_types: [Employee, contractor]\n"),
		0);
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'filter','filter':'contact_types','all':false,"
				  "'entries':[{'text':'Employee','ids':['1']},"
				  "{'text':'contractor','ids':['3']}]}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'contact_types','id':'1',"
				  "'name':'Employee','selected':true,'count':1}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'contact_types','id':'2',"
				  "'name':'Terminated','selected':false,'count':1}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'contact_types','id':'3',"
				  "'name':'Contractor','selected':true,'count':1}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'contact_types','id':null,"
				  "'name':null,'selected':false,'count':1}"));
	tfx_free(&t);
}

/* No org linked after the plan, or contacts off: nothing streams the
 * contacts, and the inventory still counts them all. */
static void test_contacts_are_counted_when_no_rule_streams_them(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Alpha", 1, 1);
	tfx_contact1(&t, "101", "1", "A", "One", "a1@alpha.example");
	tfx_contact1(&t, "102", "1", "B", "Two", "b2@alpha.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  contacts:\n    enabled: true\n"), 0);
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'filter','filter':'contact_types','all':true,"
				  "'entries':[]}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'contact_types','id':'1',"
				  "'name':'Employee','selected':true,'count':2}"));
	/* contacts off: the types and counts, none selected, no filter line */
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'contact_types','id':'1',"
				  "'name':'Employee','selected':false,'count':2}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'contact_types','id':'2',"
				  "'name':'Terminated','selected':false,'count':0}"));
	CU_ASSERT_PTR_NULL(strstr(t.inventory, "\"filter\":\"contact_types\""));
	tfx_free(&t);
}

static void test_filters_of_all_and_darkwebid_have_no_contact_lines(void)
{
	struct tfx t;

	tfx_init(&t, "darkwebid");
	tfx_org(&t, "1", "Alpha", 1, 1);
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'filter','filter':'organization_types','all':true,"
				  "'entries':[]}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'filter','filter':'organization_statuses','all':true,"
				  "'entries':[]}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'type','resource':'organization_types','id':'2',"
				  "'name':'Vendor','selected':true,'count':0}"));
	CU_ASSERT_PTR_NULL(strstr(t.inventory, "contact_types"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'1','name':'Alpha',"
				  "'type_id':'1','type_name':'Customer','status_id':'1',"
				  "'status_name':'Active','in_scope':true,'excluded_by':null,"
				  "'state':'available','organization_id':null,'source':null,"
				  "'reason':'not_selected'}"));
	tfx_free(&t);
}

/* A --disconnect plan: every in-scope org is held by rule 10; without a
 * snapshot only the filters can be said. */
static void test_disconnect_holds_everything(void)
{
	struct tfx t;

	tfx_init(&t, "darkwebid");
	world(&t);
	CU_ASSERT_EQUAL_FATAL(tfx_run_disconnect(&t, SETTINGS), 0);
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'1','name':'Alpha',"
				  "'type_id':'1','type_name':'Customer','status_id':'1',"
				  "'status_name':'Active','in_scope':true,'excluded_by':null,"
				  "'state':'held','organization_id':null,'source':null,"
				  "'reason':'disconnect'}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'org','itglue_organization_id':'9','name':'Old',"
				  "'type_id':'1','type_name':'Customer','status_id':'2',"
				  "'status_name':'Inactive','in_scope':false,"
				  "'excluded_by':'organization_statuses','state':'out_of_scope',"
				  "'organization_id':null,'source':null,'reason':null}"));
	CU_ASSERT(tfx_inv_has(&t, "{'kind':'missing','itglue_organization_id':'98',"
				  "'organization_id':'18','source':'auto','reason':'disconnect'}"));
	t.no_snapshot = 1;
	CU_ASSERT_EQUAL_FATAL(tfx_run_disconnect(&t, SETTINGS), 0);
	CU_ASSERT_STRING_EQUAL(t.inventory,
			       "{\"kind\":\"filter\",\"filter\":\"organization_types\",\"all\":false,"
			       "\"entries\":[{\"text\":\"Customer\",\"ids\":[]}]}\n"
			       "{\"kind\":\"filter\",\"filter\":\"organization_statuses\",\"all\":false,"
			       "\"entries\":[{\"text\":\"Active\",\"ids\":[]},{\"text\":\"Gone\","
			       "\"ids\":[]}]}\n");
	tfx_free(&t);
}

static CU_TestInfo tests[] = {
	{"test_every_state_has_its_line", test_every_state_has_its_line},
	{"test_lines_come_in_the_documented_order", test_lines_come_in_the_documented_order},
	{"test_same_inputs_same_bytes_and_the_manifest_describes_them",
	 test_same_inputs_same_bytes_and_the_manifest_describes_them},
	{"test_contact_types_are_counted_with_their_filter",
	 test_contact_types_are_counted_with_their_filter},
	{"test_contacts_are_counted_when_no_rule_streams_them",
	 test_contacts_are_counted_when_no_rule_streams_them},
	{"test_filters_of_all_and_darkwebid_have_no_contact_lines",
	 test_filters_of_all_and_darkwebid_have_no_contact_lines},
	{"test_disconnect_holds_everything", test_disconnect_holds_everything},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_inventory", NULL, NULL, tests)
