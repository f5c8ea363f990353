/* Unit tests of load/breaker: when a plan removes too many links to load unwatched. */
#include "unit.h"

#include "../../load/breaker.h"
#include "../../load/planread.h"
#include "fsutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static const struct safety_limit ten_percent = {1, 10.0, 0};

/* A store of n links (orgs 1..n) and, for BullPhish ID, users of whom `linked` have a contact. */
static void store_with(struct store *s, enum product prod, int n, int users, int linked)
{
	char *dir = unit_tmpdir(), *path;
	struct buf orgs = {0}, links = {0}, u = {0};
	struct itg_err e = {0};

	buf_adds(&orgs, prod == PRODUCT_BULLPHISH
				? "id,name,employee_count,industry,phishing,training,last_sync\n"
				: "id,name,employee_count,industry,last_sync\n");
	buf_adds(&links, "organization_id,itglue_organization_id,source,linked_at\n");
	for (int i = 1; i <= n; i++) {
		buf_addf(&orgs, prod == PRODUCT_BULLPHISH ? "%d,Org %d,1-10,Other,false,false,\n"
							  : "%d,Org %d,1-10,Other,\n",
			 i, i);
		buf_addf(&links, "%d,%d,auto,\n", i, 1000 + i);
	}
	path = fs_join(dir, "organizations.csv");
	CU_ASSERT_EQUAL(unit_write_file(path, buf_str(&orgs)), 0);
	free(path);
	path = fs_join(dir, "links.csv");
	CU_ASSERT_EQUAL(unit_write_file(path, buf_str(&links)), 0);
	free(path);
	if (prod == PRODUCT_BULLPHISH) {
		buf_adds(&u, "id,organization_id,first_name,last_name,email,group,itglue_contact_id,"
			     "last_sync\n");
		for (int i = 1; i <= users; i++) {
			buf_addf(&u, "%d,1,A,B,u%d@x.example,Staff,", i, i);
			if (i <= linked)
				buf_addf(&u, "%d", 5000 + i);
			buf_adds(&u, ",\n");
		}
		path = fs_join(dir, "users.csv");
		CU_ASSERT_EQUAL(unit_write_file(path, buf_str(&u)), 0);
		free(path);
	}
	CU_ASSERT_EQUAL_FATAL(store_read(dir, prod, s, &e), 0);
	unit_rmtree(dir);
	buf_free(&orgs);
	buf_free(&links);
	buf_free(&u);
}

/* A plan of `unlinks` unlink lines with reason, and `user_unlinks` unlink_user lines. */
static void plan_with(struct plan *p, enum product prod, int unlinks, const char *reason,
		      int user_unlinks)
{
	struct buf t = {0};
	struct itg_err e = {0};
	size_t len;

	memset(p, 0, sizeof *p);
	for (int i = 1; i <= unlinks; i++)
		buf_addf(&t, "{\"action\":\"unlink\",\"organization_id\":\"%d\","
			     "\"itglue_organization_id\":\"%d\",\"reason\":\"%s\"}\n",
			 i, 1000 + i, reason);
	for (int i = 1; i <= user_unlinks; i++)
		buf_addf(&t, "{\"action\":\"unlink_user\",\"user_id\":\"%d\","
			     "\"itglue_contact_id\":\"%d\",\"reason\":\"itglue_deleted\"}\n",
			 i, 5000 + i);
	/* a line that removes nothing, so that no plan is empty */
	buf_adds(&t, "{\"action\":\"skip\",\"itglue_organization_id\":\"1\",\"reason\":\"x\"}\n");
	len = t.len;
	CU_ASSERT_EQUAL_FATAL(planread_lines(p, buf_detach(&t), len, prod, "plan.ndjson", &e), 0);
}

static void judge(enum product prod, int links, int users, int linked, int unlinks,
		  const char *reason, int user_unlinks, const struct safety_limit *ml,
		  const struct safety_limit *mu, struct breaker *b)
{
	struct store s;
	struct plan p;

	store_with(&s, prod, links, users, linked);
	plan_with(&p, prod, unlinks, reason, user_unlinks);
	breaker_judge(&p, &s, ml, mu, b);
	planread_free(&p);
	store_free(&s);
}

static void test_percent_has_a_floor_of_ten(void)
{
	struct breaker b;

	/* 10% of 40 is 4, but a percentage always allows 10 */
	judge(PRODUCT_DARKWEBID, 40, 0, 0, 10, "itglue_deleted", 0, &ten_percent, &ten_percent, &b);
	CU_ASSERT_EQUAL(b.links.of, 40);
	CU_ASSERT_EQUAL(b.links.allowed, 10);
	CU_ASSERT_EQUAL(b.links.removals, 10);
	CU_ASSERT_FALSE(b.tripped);
	judge(PRODUCT_DARKWEBID, 40, 0, 0, 11, "itglue_deleted", 0, &ten_percent, &ten_percent, &b);
	CU_ASSERT(b.links.tripped);
	CU_ASSERT(b.tripped);
	CU_ASSERT_FALSE(b.users.tripped);
}

static void test_percent_above_the_floor_rounds_up(void)
{
	struct breaker b;

	/* 10% of 205 is 20.5: 21 are allowed, 22 are not */
	judge(PRODUCT_DARKWEBID, 205, 0, 0, 21, "filtered_out", 0, &ten_percent, &ten_percent, &b);
	CU_ASSERT_EQUAL(b.links.allowed, 21);
	CU_ASSERT_FALSE(b.tripped);
	judge(PRODUCT_DARKWEBID, 205, 0, 0, 22, "filtered_out", 0, &ten_percent, &ten_percent, &b);
	CU_ASSERT(b.tripped);
}

static void test_a_count_allows_exactly_that_many(void)
{
	struct safety_limit zero = {0, 0, 0}, two = {0, 0, 2};
	struct breaker b;

	judge(PRODUCT_DARKWEBID, 3, 0, 0, 1, "itglue_deleted", 0, &zero, &zero, &b);
	CU_ASSERT_EQUAL(b.links.allowed, 0);
	CU_ASSERT(b.tripped);
	judge(PRODUCT_DARKWEBID, 3, 0, 0, 0, "itglue_deleted", 0, &zero, &zero, &b);
	CU_ASSERT_FALSE(b.tripped);
	judge(PRODUCT_DARKWEBID, 3, 0, 0, 2, "itglue_deleted", 0, &two, &zero, &b);
	CU_ASSERT_FALSE(b.tripped);
	judge(PRODUCT_DARKWEBID, 3, 0, 0, 3, "itglue_deleted", 0, &two, &zero, &b);
	CU_ASSERT(b.tripped);
}

static void test_disconnect_unlinks_are_not_counted(void)
{
	struct safety_limit zero = {0, 0, 0};
	struct breaker b;

	judge(PRODUCT_BULLPHISH, 30, 0, 0, 30, "disconnect", 0, &zero, &zero, &b);
	CU_ASSERT_EQUAL(b.links.removals, 0);
	CU_ASSERT_FALSE(b.tripped);
}

static void test_user_links_are_judged_on_the_linked_users(void)
{
	struct breaker b;
	struct buf text = {0};

	/* 30 users, 20 linked: 10% of 20 is 2, the floor allows 10 */
	judge(PRODUCT_BULLPHISH, 2, 30, 20, 0, "itglue_deleted", 10, &ten_percent, &ten_percent,
	      &b);
	CU_ASSERT_EQUAL(b.users.of, 20);
	CU_ASSERT_EQUAL(b.users.removals, 10);
	CU_ASSERT_FALSE(b.tripped);
	judge(PRODUCT_BULLPHISH, 2, 30, 20, 0, "itglue_deleted", 11, &ten_percent, &ten_percent,
	      &b);
	CU_ASSERT(b.users.tripped);
	CU_ASSERT_FALSE(b.links.tripped);
	breaker_describe(&b, &text);
	CU_ASSERT_STRING_EQUAL(buf_str(&text),
			       "the plan removes 11 of the store's 20 user links, more than "
			       "safety.max_user_unlinks allows (10: 10% of 20, at least 10)");
	buf_free(&text);
}

static void test_both_limits_are_named_when_both_trip(void)
{
	struct safety_limit one = {0, 0, 1};
	struct breaker b;
	struct buf text = {0};

	judge(PRODUCT_BULLPHISH, 40, 5, 5, 37, "itglue_deleted", 3, &one, &one, &b);
	CU_ASSERT(b.links.tripped && b.users.tripped);
	breaker_describe(&b, &text);
	CU_ASSERT_STRING_EQUAL(buf_str(&text),
			       "the plan removes 37 of the store's 40 links, more than "
			       "safety.max_unlinks allows (1); and the plan removes 3 of the "
			       "store's 5 user links, more than safety.max_user_unlinks allows (1)");
	buf_reset(&text);
	breaker_way_out("pipelines/bp.yaml", &text);
	CU_ASSERT_STRING_EQUAL(buf_str(&text),
			       "apply it once with pipelines/run pipelines/bp.yaml "
			       "--allow-mass-unlink (or itg-load --allow-mass-unlink)");
	buf_free(&text);
}

static void test_darkwebid_has_no_user_limit(void)
{
	struct safety_limit zero = {0, 0, 0};
	struct breaker b;

	judge(PRODUCT_DARKWEBID, 3, 0, 0, 0, "itglue_deleted", 0, &zero, &zero, &b);
	CU_ASSERT_PTR_NULL(b.users.key);
	CU_ASSERT_FALSE(b.tripped);
}

static CU_TestInfo tests[] = {
	{"test_percent_has_a_floor_of_ten", test_percent_has_a_floor_of_ten},
	{"test_percent_above_the_floor_rounds_up", test_percent_above_the_floor_rounds_up},
	{"test_a_count_allows_exactly_that_many", test_a_count_allows_exactly_that_many},
	{"test_disconnect_unlinks_are_not_counted", test_disconnect_unlinks_are_not_counted},
	{"test_user_links_are_judged_on_the_linked_users",
	 test_user_links_are_judged_on_the_linked_users},
	{"test_both_limits_are_named_when_both_trip", test_both_limits_are_named_when_both_trip},
	{"test_darkwebid_has_no_user_limit", test_darkwebid_has_no_user_limit},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("load_breaker", NULL, NULL, tests)
