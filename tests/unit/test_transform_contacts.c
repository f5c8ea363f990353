/* Rule 7, docs/rules.md 18-24: contacts.c. */
#include "unit.h"

#include "test_transform_fixture.h"

#include "../../transform/rules.h"

#include "fsutil.h"
#include "json.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#define ORGS "id,name,employee_count,industry,phishing,training,last_sync\n"
#define LINKS "organization_id,itglue_organization_id,source,linked_at\n"
#define USERS "id,organization_id,first_name,last_name,email,group,itglue_contact_id,last_sync\n"
#define ON "sync:\n  contacts:\n    enabled: true\n"

/* One linked org: IT Glue 1 "Acme" <-> product 10 "Acme". */
static void acme(struct tfx *t, const char *users)
{
	tfx_init(t, "bullphish");
	tfx_org(t, "1", "Acme", 1, 1);
	tfx_store(t, "organizations.csv", ORGS "10,Acme,,,,,\n");
	tfx_store(t, "links.csv", LINKS "10,1,manual,\n");
	if (users)
		tfx_store(t, "users.csv", users);
}

static const char *choose(const char *emails, char **email)
{
	char *json = xasprintf("{\"id\":\"1\",\"attributes\":{\"contact-emails\":%s}}", emails);
	char err[128];
	yajl_val v = json_parse(json, strlen(json), err, sizeof err);
	const char *why = contacts_choose_email(v, email);

	yajl_tree_free(v);
	free(json);
	return why;
}

static void test_email_choice_primary_first_then_listed_order(void)
{
	char *email = NULL;

	CU_ASSERT_PTR_NULL(choose("[{\"value\":\"b@x.example\",\"primary\":false},"
				  "{\"value\":\" a@x.example \",\"primary\":true}]", &email));
	CU_ASSERT_STRING_EQUAL(email, "a@x.example");
	free(email);
	/* an invalid primary with a valid secondary uses the secondary */
	CU_ASSERT_PTR_NULL(choose("[{\"value\":\"not an email\",\"primary\":true},"
				  "{\"value\":\"c@x.example\",\"primary\":false}]", &email));
	CU_ASSERT_STRING_EQUAL(email, "c@x.example");
	free(email);
	CU_ASSERT_STRING_EQUAL(choose("[{\"value\":\"  \",\"primary\":true}]", &email), "no_email");
	CU_ASSERT_PTR_NULL(email);
	CU_ASSERT_STRING_EQUAL(choose("[]", &email), "no_email");
	CU_ASSERT_STRING_EQUAL(choose("null", &email), "no_email");
	CU_ASSERT_STRING_EQUAL(choose("[{\"value\":\"a@b\"},{\"value\":\"\\\"q\\\"@x.example\"}]",
				      &email),
			       "invalid_email");
	CU_ASSERT_PTR_NULL(email);
}

static void test_contacts_of_a_linked_org_become_users(void)
{
	struct tfx t;

	acme(&t, NULL);
	tfx_contact(&t, "100", "1", "Robert", "Storts", 2,
		    "[{'value':'bob@acme.example','primary':false},"
		    "{'value':'robert@acme.example','primary':true}]");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ON), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'import_user','organization_id':'10','itglue_organization_id':'1',"
			      "'itglue_contact_id':'100','first_name':'Robert','last_name':'Storts',"
			      "'email':'robert@acme.example','group':'Terminated'}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	/* disabled contacts: no user lines at all */
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 0);
	tfx_free(&t);
}

static void test_skip_reasons_no_invalid_and_duplicate_email(void)
{
	struct tfx t;

	acme(&t, NULL);
	tfx_contact(&t, "101", "1", "No", "Mail", 1, "[]");
	tfx_contact(&t, "102", "1", "Bad", "Mail", 1, "[{'value':'bad@','primary':true}]");
	tfx_contact1(&t, "103", "1", "First", "Owner", "Shared@Acme.example");
	tfx_contact1(&t, "104", "1", "Second", "Owner", "shared@acme.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ON), 0);
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'skip','itglue_contact_id':'101',"
			       "'itglue_organization_id':'1','reason':'no_email'}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 1), "{'action':'skip','itglue_contact_id':'102',"
			       "'itglue_organization_id':'1','reason':'invalid_email'}");
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 2), "'action':'import_user'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tfx_line(&t, 2), "'itglue_contact_id':'103'"));
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 3), "{'action':'skip','itglue_contact_id':'104',"
			       "'itglue_organization_id':'1','reason':'duplicate_email'}");
	CU_ASSERT_EQUAL(tfx_lines(&t), 4);
	tfx_free(&t);
}

static void test_id_match_updates_changed_fields_only(void)
{
	struct tfx t;

	acme(&t, USERS "7,10,Rob,Storts,ROBERT@acme.example,Employee,100,\n");
	tfx_contact1(&t, "100", "1", "Robert", "Storts", "robert@acme.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ON), 0);
	/* a change of letter case in the email alone is no change */
	CU_ASSERT(tfx_has(&t, "{'action':'update_user','user_id':'7','organization_id':'10',"
			      "'itglue_contact_id':'100','before':{'first_name':'Rob'},"
			      "'after':{'first_name':'Robert'}}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	tfx_free(&t);
}

static void test_email_match_links_user_and_replaces_stale_contact_id(void)
{
	struct tfx t;

	acme(&t, USERS "8,10,Ann,Lee,ann@acme.example,,,\n"
		       "9,10,Old,Lee,ann@acme.example,Employee,555,\n"
		       "5,10,Zed,Ko,zed@acme.example,Employee,999,\n");
	tfx_contact1(&t, "200", "1", "Ann", "Lee", "Ann@Acme.example");
	tfx_contact1(&t, "300", "1", "Zed", "Ko", "zed@acme.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ON), 0);
	/* several users with the email: the lowest user id */
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 0), "{'action':'link_user','user_id':'8',"
			       "'organization_id':'10','itglue_contact_id':'200'}");
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 1), "{'action':'update_user','user_id':'8',"
			       "'organization_id':'10','itglue_contact_id':'200',"
			       "'before':{'group':''},'after':{'group':'Employee'}}");
	/* user 5's stale contact 999 is replaced: link_user, no unlink_user */
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 2), "{'action':'link_user','user_id':'5',"
			       "'organization_id':'10','itglue_contact_id':'300'}");
	/* user 9's contact 555 is gone */
	CU_ASSERT_STRING_EQUAL(tfx_line(&t, 3), "{'action':'unlink_user','user_id':'9',"
			       "'organization_id':'10','itglue_contact_id':'555',"
			       "'reason':'itglue_deleted'}");
	CU_ASSERT_EQUAL(tfx_lines(&t), 4);
	tfx_free(&t);
}

static void test_unlink_user_reasons(void)
{
	struct tfx t;

	acme(&t, USERS "1,10,A,A,a@acme.example,Employee,401,\n"
		       "2,10,B,B,b@acme.example,Employee,402,\n"
		       "3,10,C,C,c@acme.example,Employee,403,\n"
		       "4,10,D,D,d@acme.example,Employee,404,\n");
	tfx_org(&t, "2", "Elsewhere", 1, 1);
	tfx_contact(&t, "401", "1", "A", "A", 2, "[{'value':'a@acme.example','primary':true}]");
	tfx_contact1(&t, "402", "2", "B", "B", "b@acme.example");
	tfx_contact(&t, "403", "1", "C", "C", 1, "[]");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, "sync:\n  contacts:\n    enabled: true\n"
					  "    contact_types: [Employee]\n"),
			      0);
	CU_ASSERT(tfx_has(&t, "{'action':'unlink_user','user_id':'1','organization_id':'10',"
			      "'itglue_contact_id':'401','reason':'filtered_out'}"));
	CU_ASSERT(tfx_has(&t, "{'action':'unlink_user','user_id':'2','organization_id':'10',"
			      "'itglue_contact_id':'402','reason':'filtered_out'}"));
	CU_ASSERT(tfx_has(&t, "{'action':'unlink_user','user_id':'3','organization_id':'10',"
			      "'itglue_contact_id':'403','reason':'no_email'}"));
	CU_ASSERT(tfx_has(&t, "{'action':'unlink_user','user_id':'4','organization_id':'10',"
			      "'itglue_contact_id':'404','reason':'itglue_deleted'}"));
	CU_ASSERT_EQUAL(tfx_lines(&t), 4);
	tfx_free(&t);
}

static void test_users_of_unlinked_orgs_are_left_alone(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	tfx_org(&t, "1", "Acme", 1, 2);
	tfx_store(&t, "organizations.csv", ORGS "10,Acme,,,,,\n");
	tfx_store(&t, "links.csv", LINKS "10,1,auto,\n");
	tfx_store(&t, "users.csv", USERS "1,10,A,A,a@acme.example,Employee,401,\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ON "  organization_statuses: [Active]\n"), 0);
	CU_ASSERT_EQUAL(tfx_lines(&t), 1);
	CU_ASSERT_EQUAL(tfx_count(&t, "'reason':'filtered_out'"), 1);
	tfx_free(&t);
}

static void test_two_users_with_one_contact_id_are_an_input_error(void)
{
	struct tfx t;

	acme(&t, USERS "1,10,A,A,a@acme.example,Employee,401,\n2,10,B,B,b@acme.example,,401,\n");
	CU_ASSERT_EQUAL(tfx_run(&t, ON), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "users.csv:3:"));
	CU_ASSERT(tfx_err_has(&t, "share itglue_contact_id 401"));
	tfx_free(&t);
}

static void test_user_of_unknown_org_and_wrong_field_count_are_input_errors(void)
{
	struct tfx t;

	acme(&t, USERS "1,99,A,A,a@acme.example,Employee,,\n");
	CU_ASSERT_EQUAL(tfx_run(&t, ON), -1);
	CU_ASSERT(tfx_err_has(&t, "users.csv:2:"));
	CU_ASSERT(tfx_err_has(&t, "unknown organization"));
	tfx_store(&t, "users.csv", USERS "1,10,A,A,a@acme.example,Employee,\n");
	CU_ASSERT_EQUAL(tfx_run(&t, ON), -1);
	CU_ASSERT_EQUAL(t.e.code, 2);
	CU_ASSERT(tfx_err_has(&t, "users.csv"));
	CU_ASSERT(tfx_err_has(&t, ":2"));
	tfx_free(&t);
}

static void test_users_csv_without_group_column_updates_the_group(void)
{
	struct tfx t;

	acme(&t, "id,organization_id,first_name,last_name,email,itglue_contact_id\n"
		 "7,10,Ann,Lee,ann@acme.example,100\n");
	tfx_contact1(&t, "100", "1", "Ann", "Lee", "ann@acme.example");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ON), 0);
	CU_ASSERT(tfx_has(&t, "{'action':'update_user','user_id':'7','organization_id':'10',"
			      "'itglue_contact_id':'100','before':{'group':''},"
			      "'after':{'group':'Employee'}}"));
	tfx_free(&t);
}

/* Entries of dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

/* Many orgs and contacts judged in several buckets give the plan of one
 * bucket, and no bucket file outlives the run. */
static void test_several_buckets_give_the_same_plan_as_one(void)
{
	struct tfx t;
	char id[32], org[32], name[32], email[64];
	char *one;

	tfx_init(&t, "bullphish");
	for (int o = 1; o <= 40; o++) {
		snprintf(org, sizeof org, "%d", o);
		snprintf(name, sizeof name, "Org %d", o);
		tfx_org(&t, org, name, 1, 1);
	}
	for (int c = 1; c <= 300; c++) {
		snprintf(id, sizeof id, "%d", 1000 + c);
		snprintf(org, sizeof org, "%d", 40 - c % 40);
		snprintf(email, sizeof email, "u%d@org%d.example", c % 7, 40 - c % 40);
		tfx_contact1(&t, id, org, "F", "L", email);
	}
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ON "import:\n  select: all\n"), 0);
	one = xstrdup(t.plan);
	contacts_bucket_size = 7;
	CU_ASSERT_EQUAL(tfx_run(&t, ON "import:\n  select: all\n"), 0);
	contacts_bucket_size = 50000;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.plan);
	CU_ASSERT_EQUAL(count_prefixed(t.out, ".contacts."), 0);
	CU_ASSERT_EQUAL(count_prefixed(t.out, "plan.ndjson"), 1);
	CU_ASSERT_STRING_EQUAL(t.plan, one);
	CU_ASSERT_EQUAL(tfx_count(&t, "'action':'import_user'"), 40 * 7);
	CU_ASSERT_EQUAL(tfx_count(&t, "'reason':'duplicate_email'"), 300 - 40 * 7);
	free(one);
	tfx_free(&t);
}

/*
 * A world with every kind of contact line: imports, a linked org with
 * users matched by id and by email, a user whose contact is gone, an
 * unselected contact type, duplicate and missing emails.
 */
static void threads_world(struct tfx *t)
{
	char id[32], org[32], name[32], email[64];

	tfx_init(t, "bullphish");
	for (int o = 1; o <= 30; o++) {
		snprintf(org, sizeof org, "%d", o);
		snprintf(name, sizeof name, "Org %d", o);
		tfx_org(t, org, name, 1, 1);
	}
	tfx_store(t, "organizations.csv", ORGS "10,Org 3,,,,,\n11,Org 17,,,,,\n");
	tfx_store(t, "links.csv", LINKS "10,3,manual,\n11,17,manual,\n");
	tfx_store(t, "users.csv", USERS "501,10,Old,Name,c1027@org3.example,Employee,1027,\n"
					"502,10,By,Mail,c1057@org3.example,Employee,,\n"
					"503,11,Gone,User,gone@org17.example,Employee,999,\n"
					"504,11,Was,Selected,c1043@org17.example,Employee,1043,\n");
	for (int c = 1; c <= 400; c++) {
		snprintf(id, sizeof id, "%d", 1000 + c);
		snprintf(org, sizeof org, "%d", 30 - c % 30);
		if (c % 11 == 0)
			snprintf(email, sizeof email, "dup@org%d.example", 30 - c % 30);
		else
			snprintf(email, sizeof email, "c%d@org%d.example", 1000 + c, 30 - c % 30);
		if (c % 13 == 0)
			tfx_contact(t, id, org, "No", "Mail", 1, "[]");
		else if (c == 43)
			tfx_contact(t, id, org, "Was", "Selected", 2,
				    "[{'value':'c1043@org17.example','primary':true}]");
		else
			tfx_contact1(t, id, org, "F", "L", email);
	}
}

/* The contact lines and the inventory do not depend on how many threads
 * share the work, how the lines are cut into batches, or how many buckets
 * there are. */
static void test_contact_lines_are_the_same_for_any_number_of_threads(void)
{
	static const char *const threads[] = {"2", "3", "8"};
	static const size_t batch[] = {1, 700, (size_t)512 << 10};
	static const unsigned long bucket[] = {7, 50000};
	const char *body = ON "    contact_types: [Employee]\nimport:\n  select: all\n";
	struct tfx t;
	char *plan, *inventory;

	threads_world(&t);
	setenv("ITG_THREADS", "1", 1);
	if (tfx_run(&t, body) != 0)
		fprintf(stderr, "%s\n", t.e.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.plan);
	plan = xstrdup(t.plan);
	inventory = xstrdup(t.inventory);
	/* the world has what it is meant to have */
	CU_ASSERT(tfx_count(&t, "'action':'import_user'") > 300);
	CU_ASSERT(tfx_count(&t, "'action':'update_user'") >= 1);
	CU_ASSERT(tfx_count(&t, "'action':'link_user'") >= 1);
	CU_ASSERT(tfx_count(&t, "'reason':'itglue_deleted'") == 1);
	CU_ASSERT(tfx_count(&t, "'reason':'filtered_out'") == 1);
	CU_ASSERT(tfx_count(&t, "'reason':'duplicate_email'") > 0);
	CU_ASSERT(tfx_count(&t, "'reason':'no_email'") > 0);
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 3; j++)
			for (size_t k = 0; k < 2; k++) {
				setenv("ITG_THREADS", threads[i], 1);
				contacts_batch_bytes = batch[j];
				contacts_bucket_size = bucket[k];
				CU_ASSERT_EQUAL(tfx_run(&t, body), 0);
				CU_ASSERT_PTR_NOT_NULL_FATAL(t.plan);
				CU_ASSERT_STRING_EQUAL(t.plan, plan);
				CU_ASSERT_STRING_EQUAL(t.inventory, inventory);
				CU_ASSERT_EQUAL(count_prefixed(t.out, ".contacts."), 0);
			}
	unsetenv("ITG_THREADS");
	contacts_batch_bytes = (size_t)512 << 10;
	contacts_bucket_size = 50000;
	free(plan);
	free(inventory);
	tfx_free(&t);
}

/* Many threads and a batch a line: the error is still the first bad line
 * of the file, and a bad line before a truncation is named rather than the
 * truncation read ahead of it. */
static void test_first_bad_contact_line_is_the_error_with_threads(void)
{
	struct tfx t;
	char id[32];

	for (int truncated = 0; truncated < 2; truncated++) {
		tfx_init(&t, "bullphish");
		tfx_org(&t, "1", "Acme", 1, 1);
		for (int c = 1; c <= 300; c++) {
			snprintf(id, sizeof id, "%d", 1000 + c);
			if (c == 20 || c == 40)
				tfx_add(&t, RES_CONTACTS, "{'id':'x','attributes':");
			else
				tfx_contact1(&t, id, "1", "Some First Name", "Some Last Name",
					     "someone@acme.example");
		}
		setenv("ITG_THREADS", "8", 1);
		contacts_batch_bytes = truncated ? (size_t)512 << 10 : 1;
		if (truncated) {
			/* a snapshot made once, then cut: the first batch meets the cut */
			CU_ASSERT_EQUAL(tfx_run(&t, ON "import:\n  select: all\n"), -1);
			tfx_cut_in_half(&t, RES_CONTACTS);
		}
		for (int i = 0; i < 20; i++) {
			CU_ASSERT_EQUAL(tfx_run(&t, ON "import:\n  select: all\n"), -1);
			CU_ASSERT_EQUAL(t.e.code, 2);
			CU_ASSERT(tfx_err_has(&t, "contacts.ndjson.gz:20:"));
			CU_ASSERT_PTR_NULL(strstr(t.e.msg, "truncated"));
			CU_ASSERT_PTR_NULL(t.plan);
			CU_ASSERT_FALSE(fs_exists(t.out));
		}
		tfx_free(&t);
	}
	unsetenv("ITG_THREADS");
	contacts_batch_bytes = (size_t)512 << 10;
}

static CU_TestInfo tests[] = {
	{"test_contact_lines_are_the_same_for_any_number_of_threads",
	 test_contact_lines_are_the_same_for_any_number_of_threads},
	{"test_first_bad_contact_line_is_the_error_with_threads",
	 test_first_bad_contact_line_is_the_error_with_threads},
	{"test_email_choice_primary_first_then_listed_order",
	 test_email_choice_primary_first_then_listed_order},
	{"test_contacts_of_a_linked_org_become_users", test_contacts_of_a_linked_org_become_users},
	{"test_skip_reasons_no_invalid_and_duplicate_email",
	 test_skip_reasons_no_invalid_and_duplicate_email},
	{"test_id_match_updates_changed_fields_only", test_id_match_updates_changed_fields_only},
	{"test_email_match_links_user_and_replaces_stale_contact_id",
	 test_email_match_links_user_and_replaces_stale_contact_id},
	{"test_unlink_user_reasons", test_unlink_user_reasons},
	{"test_users_of_unlinked_orgs_are_left_alone", test_users_of_unlinked_orgs_are_left_alone},
	{"test_two_users_with_one_contact_id_are_an_input_error",
	 test_two_users_with_one_contact_id_are_an_input_error},
	{"test_user_of_unknown_org_and_wrong_field_count_are_input_errors",
	 test_user_of_unknown_org_and_wrong_field_count_are_input_errors},
	{"test_users_csv_without_group_column_updates_the_group",
	 test_users_csv_without_group_column_updates_the_group},
	{"test_several_buckets_give_the_same_plan_as_one",
	 test_several_buckets_give_the_same_plan_as_one},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_contacts", NULL, NULL, tests)
