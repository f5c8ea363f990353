/* Unit tests of load/apply: every plan action against both store layouts. */
#include "unit.h"

#include "../../load/apply.h"
#include "fsutil.h"
#include "integration.h"
#include "json.h"
#include "../../load/planread.h"
#include "reasons.h"
#include "../../load/lstore.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW "2026-03-01T05:00:00.000Z"

static const char *const bp_orgs =
	"id,name,employee_count,industry,phishing,training,last_sync,notes\n"
	"3,Acme Dental,11-50,Healthcare,true,true,,vip\n"
	"20,Umbrella,11-50,Other,true,false,,\n"
	"7,Globex,51-250,Technology,false,true,,\"a, b\"\n";
static const char *const bp_links =
	"organization_id,itglue_organization_id,source,linked_at\n"
	"3,101,manual,2026-01-01T00:00:00.000Z\n"
	"20,104,auto,2026-01-01T00:00:00.000Z\n";
static const char *const bp_users =
	"id,organization_id,first_name,last_name,email,group,itglue_contact_id,last_sync\n"
	"5,3,Ann,Lee,ann@acme.example,Staff,9001,\n"
	"9,3,Bob,Stone,bob@acme.example,Staff,,\n";
static const char *const dw_orgs =
	"id,name,employee_count,industry,last_sync\n"
	"1,Acme Dental,11-50,Healthcare,\n"
	"4,Globex,51-250,Technology,\n";
static const char *const dw_links =
	"organization_id,itglue_organization_id,source,linked_at\n"
	"1,101,manual,2026-01-01T00:00:00.000Z\n";
static const char *const dw_domains =
	"id,organization_id,domain,itglue_domain_id,status,reason,last_sync\n"
	"2,1,acme.example,501,unimported,license_limit,\n"
	"5,1,Acme-Shop.example,,unimported,license_limit,\n";

/* A plan held in memory, as planread_load would leave it. */
static void plan_from(struct plan *p, enum product prod, const char *const *lines)
{
	struct buf text = {0};
	struct itg_err e = {0};
	size_t len;

	memset(p, 0, sizeof *p);
	p->product = prod;
	p->dir = xstrdup("plan");
	p->pipeline = xstrdup("test");
	p->snapshot_time = xstrdup("");
	p->region = xstrdup("eu");
	for (size_t i = 0; lines[i]; i++) {
		buf_adds(&text, lines[i]);
		buf_addc(&text, '\n');
	}
	len = text.len;
	CU_ASSERT_EQUAL_FATAL(planread_lines(p, buf_detach(&text), len, prod, "plan.ndjson", &e), 0);
	if (p->n && strstr(lines[0], "\"disconnect\""))
		p->disconnect = 1;
}

struct fixture {
	char *dir;
	struct lstore s;
	struct plan p;
	struct apply_result r;
	struct itg_err e;
};

static void write_in(const char *dir, const char *name, const char *text)
{
	char *path = fs_join(dir, name);

	CU_ASSERT_EQUAL(unit_write_file(path, text), 0);
	free(path);
}

static void fixture_open(struct fixture *f, enum product prod, const char *orgs,
			 const char *links, const char *third)
{
	memset(f, 0, sizeof *f);
	f->dir = unit_tmpdir();
	if (orgs)
		write_in(f->dir, "organizations.csv", orgs);
	if (links)
		write_in(f->dir, "links.csv", links);
	if (third)
		write_in(f->dir, prod == PRODUCT_BULLPHISH ? "users.csv" : "domains.csv", third);
	CU_ASSERT_EQUAL_FATAL(lstore_load(f->dir, prod, NULL, &f->s, &f->e), 0);
}

static int run(struct fixture *f, const char *const *lines)
{
	plan_from(&f->p, f->s.st.product, lines);
	return apply_plan(&f->p, &f->s, NOW, "us", &f->r, &f->e);
}

static void fixture_close(struct fixture *f)
{
	apply_result_free(&f->r);
	planread_free(&f->p);
	lstore_free(&f->s);
	unit_rmtree(f->dir);
}

/* The table as it would be written (caller frees). */
static char *table_text(const struct csv_table *t)
{
	char *s = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&s, &n);

	CU_ASSERT_EQUAL(csvtab_write_fp(t, fp), 0);
	fclose(fp);
	return s;
}

static int table_is(const struct csv_table *t, const char *want)
{
	char *got = table_text(t);
	int ok = strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "\n--- got:\n%s--- want:\n%s", got, want);
	free(got);
	return ok;
}

static void test_unlink_removes_the_links_row_and_keeps_the_org(void)
{
	struct fixture f;
	const char *plan[] = {"{\"action\":\"unlink\",\"organization_id\":\"20\","
			      "\"itglue_organization_id\":\"104\",\"reason\":\"itglue_deleted\"}",
			      NULL};

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT(table_is(&f.s.st.tab[STORE_LINKS],
			   "organization_id,itglue_organization_id,source,linked_at\n"
			   "3,101,manual,2026-01-01T00:00:00.000Z\n"));
	CU_ASSERT(f.s.changed[STORE_LINKS]);
	CU_ASSERT_FALSE(f.s.changed[STORE_ORGS]);
	CU_ASSERT_EQUAL(f.s.st.tab[STORE_ORGS].nrows, 3);
	CU_ASSERT_EQUAL(f.r.events.nev, 2); /* the row, and the integration becoming connected */
	{
		struct load_event ev = {0};
		size_t pos = 0;
		CU_ASSERT_FATAL(eventlog_next(&f.r.events, &pos, &ev));
		CU_ASSERT_EQUAL(ev.kind, EV_DELETE);
		CU_ASSERT_STRING_EQUAL(ev.key, "20/104");
		CU_ASSERT_STRING_EQUAL(ev.reason, REASON_ITGLUE_DELETED);
		load_event_free(&ev);
	}
	fixture_close(&f);
}

static void test_unlink_in_darkwebid_store(void)
{
	struct fixture f;
	const char *plan[] = {"{\"action\":\"unlink\",\"organization_id\":\"1\","
			      "\"itglue_organization_id\":\"101\",\"reason\":\"filtered_out\"}",
			      NULL};

	fixture_open(&f, PRODUCT_DARKWEBID, dw_orgs, dw_links, dw_domains);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT_EQUAL(f.s.st.tab[STORE_LINKS].nrows, 0);
	CU_ASSERT_EQUAL(f.s.st.tab[STORE_DOMAINS].nrows, 2);
	CU_ASSERT_FALSE(f.s.changed[STORE_DOMAINS]);
	fixture_close(&f);
}

static void test_link_adds_auto_row_and_syncs_the_org(void)
{
	struct fixture f;
	const char *plan[] = {"{\"action\":\"link\",\"organization_id\":\"7\","
			      "\"itglue_organization_id\":\"102\",\"reason\":\"name_match\","
			      "\"match\":\"exact\"}",
			      NULL};

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT(table_is(&f.s.st.tab[STORE_LINKS],
			   "organization_id,itglue_organization_id,source,linked_at\n"
			   "3,101,manual,2026-01-01T00:00:00.000Z\n"
			   "20,104,auto,2026-01-01T00:00:00.000Z\n"
			   "7,102,auto," NOW "\n"));
	CU_ASSERT(table_is(&f.s.st.tab[STORE_ORGS],
			   "id,name,employee_count,industry,phishing,training,last_sync,notes\n"
			   "3,Acme Dental,11-50,Healthcare,true,true,,vip\n"
			   "20,Umbrella,11-50,Other,true,false,,\n"
			   "7,Globex,51-250,Technology,false,true," NOW ",\"a, b\"\n"));
	CU_ASSERT(apply_line_changed(&f.r, 0));
	fixture_close(&f);
}

static void test_link_in_darkwebid_store(void)
{
	struct fixture f;
	const char *plan[] = {"{\"action\":\"link\",\"organization_id\":\"4\","
			      "\"itglue_organization_id\":\"102\",\"reason\":\"name_match\"}",
			      NULL};

	fixture_open(&f, PRODUCT_DARKWEBID, dw_orgs, dw_links, dw_domains);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT_EQUAL(f.s.st.tab[STORE_LINKS].nrows, 2);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&f.s.st.tab[STORE_LINKS], 1, 2), SOURCE_AUTO);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&f.s.st.tab[STORE_ORGS], 1, 4), NOW);
	fixture_close(&f);
}

static void test_rename_sets_name_and_last_sync_only_on_that_row(void)
{
	struct fixture f;
	const char *plan[] = {"{\"action\":\"rename\",\"organization_id\":\"3\","
			      "\"itglue_organization_id\":\"101\",\"before\":\"Acme Dental\","
			      "\"after\":\"Acme Dental Group\"}",
			      NULL};

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT(table_is(&f.s.st.tab[STORE_ORGS],
			   "id,name,employee_count,industry,phishing,training,last_sync,notes\n"
			   "3,Acme Dental Group,11-50,Healthcare,true,true," NOW ",vip\n"
			   "20,Umbrella,11-50,Other,true,false,,\n"
			   "7,Globex,51-250,Technology,false,true,,\"a, b\"\n"));
	CU_ASSERT_FALSE(f.s.changed[STORE_LINKS]);
	fixture_close(&f);
}

static void test_rename_in_darkwebid_store(void)
{
	struct fixture f;
	const char *plan[] = {"{\"action\":\"rename\",\"organization_id\":\"1\","
			      "\"itglue_organization_id\":\"101\",\"after\":\"Acme\"}",
			      NULL};

	fixture_open(&f, PRODUCT_DARKWEBID, dw_orgs, dw_links, dw_domains);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&f.s.st.tab[STORE_ORGS], 0, 1), "Acme");
	fixture_close(&f);
}

static void test_import_organization_bullphish_after_largest_non_contiguous_id(void)
{
	struct fixture f;
	const char *plan[] = {
		"{\"action\":\"import_organization\",\"ref\":\"new:106\",\"itglue_organization_id\":"
		"\"106\",\"name\":\"Massive\",\"employee_count\":\"1-10\",\"industry\":\"Legal\","
		"\"phishing\":true,\"training\":false,\"license_limited\":[]}",
		"{\"action\":\"import_organization\",\"ref\":\"new:107\",\"itglue_organization_id\":"
		"\"107\",\"name\":\"Wayne\",\"employee_count\":\"251+\",\"industry\":\"Other\","
		"\"phishing\":false,\"training\":true,\"license_limited\":[]}",
		NULL};

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT(table_is(&f.s.st.tab[STORE_ORGS],
			   "id,name,employee_count,industry,phishing,training,last_sync,notes\n"
			   "3,Acme Dental,11-50,Healthcare,true,true,,vip\n"
			   "20,Umbrella,11-50,Other,true,false,,\n"
			   "7,Globex,51-250,Technology,false,true,,\"a, b\"\n"
			   "21,Massive,1-10,Legal,true,false," NOW ",\n"
			   "22,Wayne,251+,Other,false,true," NOW ",\n"));
	CU_ASSERT(table_is(&f.s.st.tab[STORE_LINKS],
			   "organization_id,itglue_organization_id,source,linked_at\n"
			   "3,101,manual,2026-01-01T00:00:00.000Z\n"
			   "20,104,auto,2026-01-01T00:00:00.000Z\n"
			   "21,106,import," NOW "\n"
			   "22,107,import," NOW "\n"));
	CU_ASSERT_STRING_EQUAL(apply_line_row_id(&f.r, 1), "22");
	fixture_close(&f);
}

static void test_import_organization_into_empty_darkwebid_store_starts_at_1(void)
{
	struct fixture f;
	const char *plan[] = {
		"{\"action\":\"import_organization\",\"ref\":\"new:9\",\"itglue_organization_id\":"
		"\"9\",\"name\":\"Hooli\",\"employee_count\":\"11-50\",\"industry\":\"Technology\"}",
		NULL};

	fixture_open(&f, PRODUCT_DARKWEBID, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT(table_is(&f.s.st.tab[STORE_ORGS], "id,name,employee_count,industry,last_sync\n"
					       "1,Hooli,11-50,Technology," NOW "\n"));
	CU_ASSERT(f.s.changed[STORE_ORGS] && f.s.changed[STORE_LINKS]);
	CU_ASSERT_FALSE(f.s.changed[STORE_DOMAINS]);
	fixture_close(&f);
}

static void test_organization_ref_resolves_to_the_new_id(void)
{
	struct fixture f;
	const char *plan[] = {
		"{\"action\":\"import_organization\",\"ref\":\"new:106\",\"itglue_organization_id\":"
		"\"106\",\"name\":\"Massive\",\"employee_count\":\"1-10\",\"industry\":\"Legal\"}",
		"{\"action\":\"import_user\",\"organization_ref\":\"new:106\",\"itglue_contact_id\":"
		"\"9020\",\"first_name\":\"Eve\",\"last_name\":\"Ng\",\"email\":\"eve@m.example\","
		"\"group\":\"Staff\"}",
		NULL};

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT(table_is(&f.s.st.tab[STORE_USERS],
			   "id,organization_id,first_name,last_name,email,group,itglue_contact_id,"
			   "last_sync\n"
			   "5,3,Ann,Lee,ann@acme.example,Staff,9001,\n"
			   "9,3,Bob,Stone,bob@acme.example,Staff,,\n"
			   "10,21,Eve,Ng,eve@m.example,Staff,9020," NOW "\n"));
	fixture_close(&f);
}

static void test_organization_ref_in_darkwebid_domain(void)
{
	struct fixture f;
	const char *plan[] = {
		"{\"action\":\"import_organization\",\"ref\":\"new:103\",\"itglue_organization_id\":"
		"\"103\",\"name\":\"Hooli\",\"employee_count\":\"11-50\",\"industry\":\"Other\"}",
		"{\"action\":\"import_domain\",\"organization_ref\":\"new:103\",\"itglue_domain_id\":"
		"\"520\",\"domain\":\"hooli.example\",\"status\":\"pending\",\"reason\":null}",
		NULL};

	fixture_open(&f, PRODUCT_DARKWEBID, dw_orgs, dw_links, dw_domains);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT_EQUAL_FATAL(f.s.st.tab[STORE_DOMAINS].nrows, 3);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&f.s.st.tab[STORE_DOMAINS], 2, 0), "6");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&f.s.st.tab[STORE_DOMAINS], 2, 1), "5");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&f.s.st.tab[STORE_DOMAINS], 2, 4), DOMAIN_IMPORTED);
	fixture_close(&f);
}

static void test_unknown_organization_ref_is_an_error_naming_the_line(void)
{
	struct fixture f;
	const char *plan[] = {
		"{\"action\":\"skip\",\"itglue_organization_id\":\"1\",\"reason\":\"not_in_scope\"}",
		"{\"action\":\"import_user\",\"organization_ref\":\"new:55\",\"itglue_contact_id\":"
		"\"1\",\"email\":\"a@b.example\"}",
		NULL};

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	CU_ASSERT_EQUAL(run(&f, plan), -1);
	CU_ASSERT_EQUAL(f.e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "plan/plan.ndjson:2: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "new:55"));
	fixture_close(&f);
}

static void test_rename_of_unknown_org_is_an_error_naming_the_line(void)
{
	struct fixture f;
	const char *plan[] = {"{\"action\":\"rename\",\"organization_id\":\"99\","
			      "\"itglue_organization_id\":\"1\",\"after\":\"X\"}",
			      NULL};

	fixture_open(&f, PRODUCT_DARKWEBID, dw_orgs, dw_links, dw_domains);
	CU_ASSERT_EQUAL(run(&f, plan), -1);
	CU_ASSERT_EQUAL(f.e.code, ITG_EXIT_USAGE);
	CU_ASSERT_STRING_EQUAL(f.e.msg, "plan/plan.ndjson:1: organization 99 is not in "
					"organizations.csv, the plan does not fit this store: make "
					"it again");
	fixture_close(&f);
}

static void test_user_actions_link_update_unlink(void)
{
	struct fixture f;
	const char *plan[] = {
		"{\"action\":\"link_user\",\"user_id\":\"9\",\"itglue_contact_id\":\"9002\"}",
		"{\"action\":\"update_user\",\"user_id\":\"9\",\"itglue_contact_id\":\"9002\","
		"\"before\":{\"email\":\"bob@acme.example\",\"group\":\"Staff\"},"
		"\"after\":{\"email\":\"bob@acme.test\",\"group\":\"IT\"}}",
		"{\"action\":\"unlink_user\",\"user_id\":\"5\",\"itglue_contact_id\":\"9001\","
		"\"reason\":\"itglue_deleted\"}",
		NULL};

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	/* unlink_user keeps the user and does not count as a sync of it */
	CU_ASSERT(table_is(&f.s.st.tab[STORE_USERS],
			   "id,organization_id,first_name,last_name,email,group,itglue_contact_id,"
			   "last_sync\n"
			   "5,3,Ann,Lee,ann@acme.example,Staff,,\n"
			   "9,3,Bob,Stone,bob@acme.test,IT,9002," NOW "\n"));
	CU_ASSERT(apply_line_changed(&f.r, 0) && apply_line_changed(&f.r, 1) && apply_line_changed(&f.r, 2));
	fixture_close(&f);
}

static void test_import_user_gets_id_after_largest_user_id(void)
{
	struct fixture f;
	const char *plan[] = {
		"{\"action\":\"import_user\",\"organization_id\":\"20\",\"itglue_contact_id\":\"9100\","
		"\"first_name\":\"Dee\",\"last_name\":\"Um\",\"email\":\"dee@u.example\","
		"\"group\":\"Board\"}",
		NULL};

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links,
		     "id,organization_id,email\n"
		     "007,3,a@b.example\n"
		     "40,3,c@d.example\n"
		     "8,3,e@f.example\n");
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	/* missing contract columns are appended, ids compare as numbers */
	CU_ASSERT(table_is(&f.s.st.tab[STORE_USERS],
			   "id,organization_id,email,first_name,last_name,group,itglue_contact_id,"
			   "last_sync\n"
			   "007,3,a@b.example,,,,,\n"
			   "40,3,c@d.example,,,,,\n"
			   "8,3,e@f.example,,,,,\n"
			   "41,20,dee@u.example,Dee,Um,Board,9100," NOW "\n"));
	fixture_close(&f);
}

static void test_import_domain_updates_by_id_then_by_name_else_adds(void)
{
	struct fixture f;
	const char *plan[] = {
		"{\"action\":\"import_domain\",\"organization_id\":\"1\",\"itglue_domain_id\":\"501\","
		"\"domain\":\"acme.example\",\"status\":\"pending\",\"reason\":null}",
		"{\"action\":\"import_domain\",\"organization_id\":\"1\",\"itglue_domain_id\":\"504\","
		"\"domain\":\"acme-shop.example\",\"status\":\"pending\",\"reason\":null}",
		"{\"action\":\"import_domain\",\"organization_id\":\"4\",\"itglue_domain_id\":\"510\","
		"\"domain\":\"globex.gov\",\"status\":\"unimported\",\"reason\":\"gov_domain\"}",
		NULL};

	fixture_open(&f, PRODUCT_DARKWEBID, dw_orgs, dw_links, dw_domains);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT(table_is(&f.s.st.tab[STORE_DOMAINS],
			   "id,organization_id,domain,itglue_domain_id,status,reason,last_sync\n"
			   "2,1,acme.example,501,imported,," NOW "\n"
			   "5,1,acme-shop.example,504,imported,," NOW "\n"
			   "6,4,globex.gov,510,unimported,gov_domain," NOW "\n"));
	fixture_close(&f);
}

static void test_review_and_skip_change_nothing(void)
{
	struct fixture f;
	const char *plan[] = {
		"{\"action\":\"review\",\"itglue_organization_id\":\"105\",\"organization_id\":null,"
		"\"reason\":\"ambiguous_name\",\"candidates\":[\"3\",\"7\"]}",
		"{\"action\":\"skip\",\"itglue_contact_id\":\"9004\",\"reason\":\"no_email\"}",
		NULL};

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	integration_set(&f.s.it.status, INTEGRATION_CONNECTED);
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT_EQUAL(f.r.events.nev, 0);
	for (int t = 0; t < STORE_NTABLES; t++)
		CU_ASSERT_FALSE(f.s.changed[t]);
	fixture_close(&f);
}

/* Applies lines to a store, writes nothing; then applies them again. */
static void apply_twice(enum product prod, const char *orgs, const char *links,
			const char *third, const char *const *plan)
{
	struct fixture f;
	struct apply_result again;
	char *before[STORE_NTABLES] = {0};

	fixture_open(&f, prod, orgs, links, third);
	CU_ASSERT_EQUAL_FATAL(run(&f, plan), 0);
	CU_ASSERT(f.r.events.nev > 0);
	for (int t = 0; t < STORE_NTABLES; t++) {
		if (f.s.st.used[t])
			before[t] = table_text(&f.s.st.tab[t]);
		f.s.changed[t] = 0;
	}
	integration_set(&f.s.it.status, INTEGRATION_CONNECTED);
	CU_ASSERT_EQUAL(apply_plan(&f.p, &f.s, "2026-03-02T00:00:00.000Z", "us", &again, &f.e), 0);
	CU_ASSERT_EQUAL(again.events.nev, 0);
	for (int t = 0; t < STORE_NTABLES; t++) {
		CU_ASSERT_FALSE(f.s.changed[t]);
		if (before[t])
			CU_ASSERT(table_is(&f.s.st.tab[t], before[t]));
		free(before[t]);
	}
	for (size_t i = 0; i < again.nlines; i++)
		CU_ASSERT_FALSE(apply_line_changed(&again, i));
	apply_result_free(&again);
	fixture_close(&f);
}

static void test_second_apply_of_same_plan_changes_nothing_bullphish(void)
{
	const char *plan[] = {
		"{\"action\":\"unlink\",\"organization_id\":\"20\",\"itglue_organization_id\":\"104\","
		"\"reason\":\"itglue_deleted\"}",
		"{\"action\":\"link\",\"organization_id\":\"7\",\"itglue_organization_id\":\"102\","
		"\"reason\":\"name_match\"}",
		"{\"action\":\"rename\",\"organization_id\":\"7\",\"itglue_organization_id\":\"102\","
		"\"after\":\"Globex Corp\"}",
		"{\"action\":\"import_organization\",\"ref\":\"new:106\",\"itglue_organization_id\":"
		"\"106\",\"name\":\"Massive\",\"employee_count\":\"1-10\",\"industry\":\"Legal\"}",
		"{\"action\":\"link_user\",\"user_id\":\"9\",\"itglue_contact_id\":\"9002\"}",
		"{\"action\":\"update_user\",\"user_id\":\"5\",\"itglue_contact_id\":\"9001\","
		"\"after\":{\"first_name\":\"Anne\"}}",
		"{\"action\":\"import_user\",\"organization_ref\":\"new:106\",\"itglue_contact_id\":"
		"\"9020\",\"first_name\":\"Eve\",\"last_name\":\"Ng\",\"email\":\"eve@m.example\","
		"\"group\":\"Staff\"}",
		NULL};

	apply_twice(PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users, plan);
}

static void test_second_apply_of_same_plan_changes_nothing_darkwebid(void)
{
	const char *plan[] = {
		"{\"action\":\"import_organization\",\"ref\":\"new:103\",\"itglue_organization_id\":"
		"\"103\",\"name\":\"Hooli\",\"employee_count\":\"11-50\",\"industry\":\"Other\"}",
		"{\"action\":\"import_domain\",\"organization_id\":\"1\",\"itglue_domain_id\":\"504\","
		"\"domain\":\"acme-shop.example\",\"status\":\"pending\",\"reason\":null}",
		"{\"action\":\"import_domain\",\"organization_ref\":\"new:103\",\"itglue_domain_id\":"
		"\"520\",\"domain\":\"hooli.example\",\"status\":\"unimported\",\"reason\":"
		"\"license_limit\"}",
		NULL};

	apply_twice(PRODUCT_DARKWEBID, dw_orgs, dw_links, dw_domains, plan);
}

static void test_disconnect_unlinks_and_marks_integration_disconnected(void)
{
	struct fixture f;
	const char *plan[] = {
		"{\"action\":\"unlink\",\"organization_id\":\"3\",\"itglue_organization_id\":\"101\","
		"\"reason\":\"disconnect\"}",
		"{\"action\":\"unlink\",\"organization_id\":\"20\",\"itglue_organization_id\":\"104\","
		"\"reason\":\"disconnect\"}",
		NULL};

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	integration_set(&f.s.it.status, INTEGRATION_CONNECTED);
	integration_set(&f.s.it.last_sync, "2026-02-01T00:00:00.000Z");
	CU_ASSERT_EQUAL(run(&f, plan), 0);
	CU_ASSERT_EQUAL(f.s.st.tab[STORE_LINKS].nrows, 0);
	CU_ASSERT_EQUAL(f.s.st.tab[STORE_USERS].nrows, 2);
	CU_ASSERT_STRING_EQUAL(f.r.integration_json,
			       "{\"status\":\"disconnected\",\"region\":\"eu\",\"last_sync\":"
			       "\"2026-02-01T00:00:00.000Z\",\"last_error\":null,\"product\":"
			       "\"bullphish\",\"pipeline\":\"test\",\"itglue_account\":{"
			       "\"primary_organization_id\":null,\"primary_organization_name\":null},"
			       "\"disconnected_by\":\"operator\"}\n");
	CU_ASSERT(f.r.integration_changed);
	fixture_close(&f);
}

/* A plan that changes no table: only integration.json can differ. */
static const char *const review_only[] = {
	"{\"action\":\"review\",\"itglue_organization_id\":\"105\",\"organization_id\":null,"
	"\"reason\":\"ambiguous_name\",\"candidates\":[\"3\",\"7\"]}",
	NULL};

/* Applies lines with the plan's account and connect flag set as a transform would. */
static int run_as(struct fixture *f, const char *const *lines, const char *account_id,
		  const char *account_name, int connect)
{
	plan_from(&f->p, f->s.st.product, lines);
	f->p.account_id = xstrdup(account_id);
	f->p.account_name = xstrdup(account_name);
	f->p.connect = connect;
	return apply_plan(&f->p, &f->s, NOW, "us", &f->r, &f->e);
}

static void test_first_applied_plan_binds_the_store(void)
{
	struct fixture f;

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	integration_set(&f.s.it.status, INTEGRATION_CONNECTED);
	CU_ASSERT_EQUAL(run_as(&f, review_only, "42", "Acme MSP", 0), 0);
	CU_ASSERT_STRING_EQUAL(f.r.integration_json,
			       "{\"status\":\"connected\",\"region\":\"eu\",\"last_sync\":\"" NOW
			       "\",\"last_error\":null,\"product\":\"bullphish\",\"pipeline\":"
			       "\"test\",\"itglue_account\":{\"primary_organization_id\":\"42\","
			       "\"primary_organization_name\":\"Acme MSP\"},\"disconnected_by\":null}\n");
	CU_ASSERT_EQUAL(f.r.events.nev, 0);
	fixture_close(&f);

	/* an account the snapshot did not name stays unknown: both keys null
	 * (contract.md sections 5 and 10 list itglue_account and disconnected_by) */
	fixture_open(&f, PRODUCT_DARKWEBID, dw_orgs, dw_links, dw_domains);
	CU_ASSERT_EQUAL(run_as(&f, review_only, NULL, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(f.r.integration_json,
			       "{\"status\":\"connected\",\"region\":\"eu\",\"last_sync\":\"" NOW
			       "\",\"last_error\":null,\"product\":\"darkwebid\",\"pipeline\":"
			       "\"test\",\"itglue_account\":{\"primary_organization_id\":null,"
			       "\"primary_organization_name\":null},\"disconnected_by\":null}\n");
	fixture_close(&f);
}

/* A store already bound keeps its binding unless the plan was made with --connect. */
static void test_binding_is_kept_and_rebound_on_connect(void)
{
	struct fixture f;

	for (int connect = 0; connect <= 1; connect++) {
		const char *want = connect ? "\"pipeline\":\"test\",\"itglue_account\":{"
					     "\"primary_organization_id\":\"42\","
					     "\"primary_organization_name\":\"Acme MSP\"},"
					     "\"disconnected_by\":null}"
					   : "\"pipeline\":\"old-name\",\"itglue_account\":{"
					     "\"primary_organization_id\":\"7\","
					     "\"primary_organization_name\":\"Old MSP\"},"
					     "\"disconnected_by\":null}";

		fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
		integration_set(&f.s.it.status, INTEGRATION_CONNECTED);
		integration_set(&f.s.it.product, "bullphish");
		integration_set(&f.s.it.pipeline, "old-name");
		integration_set(&f.s.it.account_id, "7");
		integration_set(&f.s.it.account_name, "Old MSP");
		CU_ASSERT_EQUAL(run_as(&f, review_only, "42", "Acme MSP", connect), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(f.r.integration_json, want));
		fixture_close(&f);
	}
}

/*
 * pipelines/run marks the store syncing before the load: that stands for
 * connected, or disconnected when disconnected_by is set, so a run that
 * changes nothing records no status change.
 */
static void test_syncing_stands_for_the_status_the_run_started_from(void)
{
	struct fixture f;

	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	integration_set(&f.s.it.status, INTEGRATION_SYNCING);
	CU_ASSERT_EQUAL(run(&f, review_only), 0);
	CU_ASSERT_EQUAL(f.r.events.nev, 0);
	CU_ASSERT_FALSE(f.r.integration_changed);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.r.integration_json, "{\"status\":\"connected\""));
	fixture_close(&f);

	/* IT Glue refused the key last time: this good run reconnects, and says so */
	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	integration_set(&f.s.it.status, INTEGRATION_SYNCING);
	integration_set(&f.s.it.disconnected_by, INTEGRATION_BY_ITGLUE);
	CU_ASSERT_EQUAL(run(&f, review_only), 0);
	CU_ASSERT_EQUAL(f.r.events.nev, 1);
	CU_ASSERT(f.r.integration_changed);
	{
		size_t pos = 0;
		struct load_event ev = {0};
		CU_ASSERT(eventlog_next(&f.r.events, &pos, &ev));
		CU_ASSERT_STRING_EQUAL(ev.table, "integration");
		CU_ASSERT_STRING_EQUAL(ev.f[0].old, "disconnected");
		CU_ASSERT_STRING_EQUAL(ev.f[0].new, "connected");
		load_event_free(&ev);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(f.r.integration_json, "\"disconnected_by\":null}"));
	fixture_close(&f);

	/* a store that never had a status gets one: that is a change */
	fixture_open(&f, PRODUCT_BULLPHISH, bp_orgs, bp_links, bp_users);
	CU_ASSERT_EQUAL(run(&f, review_only), 0);
	CU_ASSERT_EQUAL(f.r.events.nev, 1);
	fixture_close(&f);
}

static CU_TestInfo tests[] = {
	{"test_unlink_removes_the_links_row_and_keeps_the_org",
	 test_unlink_removes_the_links_row_and_keeps_the_org},
	{"test_unlink_in_darkwebid_store", test_unlink_in_darkwebid_store},
	{"test_link_adds_auto_row_and_syncs_the_org", test_link_adds_auto_row_and_syncs_the_org},
	{"test_link_in_darkwebid_store", test_link_in_darkwebid_store},
	{"test_rename_sets_name_and_last_sync_only_on_that_row",
	 test_rename_sets_name_and_last_sync_only_on_that_row},
	{"test_rename_in_darkwebid_store", test_rename_in_darkwebid_store},
	{"test_import_organization_bullphish_after_largest_non_contiguous_id",
	 test_import_organization_bullphish_after_largest_non_contiguous_id},
	{"test_import_organization_into_empty_darkwebid_store_starts_at_1",
	 test_import_organization_into_empty_darkwebid_store_starts_at_1},
	{"test_organization_ref_resolves_to_the_new_id", test_organization_ref_resolves_to_the_new_id},
	{"test_organization_ref_in_darkwebid_domain", test_organization_ref_in_darkwebid_domain},
	{"test_unknown_organization_ref_is_an_error_naming_the_line",
	 test_unknown_organization_ref_is_an_error_naming_the_line},
	{"test_rename_of_unknown_org_is_an_error_naming_the_line",
	 test_rename_of_unknown_org_is_an_error_naming_the_line},
	{"test_user_actions_link_update_unlink", test_user_actions_link_update_unlink},
	{"test_import_user_gets_id_after_largest_user_id",
	 test_import_user_gets_id_after_largest_user_id},
	{"test_import_domain_updates_by_id_then_by_name_else_adds",
	 test_import_domain_updates_by_id_then_by_name_else_adds},
	{"test_review_and_skip_change_nothing", test_review_and_skip_change_nothing},
	{"test_second_apply_of_same_plan_changes_nothing_bullphish",
	 test_second_apply_of_same_plan_changes_nothing_bullphish},
	{"test_second_apply_of_same_plan_changes_nothing_darkwebid",
	 test_second_apply_of_same_plan_changes_nothing_darkwebid},
	{"test_disconnect_unlinks_and_marks_integration_disconnected",
	 test_disconnect_unlinks_and_marks_integration_disconnected},
	{"test_first_applied_plan_binds_the_store", test_first_applied_plan_binds_the_store},
	{"test_binding_is_kept_and_rebound_on_connect", test_binding_is_kept_and_rebound_on_connect},
	{"test_syncing_stands_for_the_status_the_run_started_from",
	 test_syncing_stands_for_the_status_the_run_started_from},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("load_apply", NULL, NULL, tests)
