/*
 * Unit tests of load/stale and of the store read it relies on: the plan's
 * fingerprints are compared with those of the bytes the load parsed.
 */
#include "unit.h"

#include "../../load/lstore.h"
#include "../../load/planread.h"
#include "../../load/stale.h"
#include "fsutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const orgs = "id,name,employee_count,industry,last_sync\n1,Acme,11-50,Other,\n";
static const char *const links =
	"organization_id,itglue_organization_id,source,linked_at\n1,101,manual,x\n";

static void write_in(const char *dir, const char *name, const char *text)
{
	char *path = fs_join(dir, name);

	CU_ASSERT_EQUAL(unit_write_file(path, text), 0);
	free(path);
}

/* A plan whose manifest lists names with the fingerprints they have on disk now. */
static void plan_seeing(struct plan *p, const char *dir, const char *const *names)
{
	struct itg_err e = {0};

	memset(p, 0, sizeof *p);
	while (names[p->nfiles])
		p->nfiles++;
	p->files = xcalloc(p->nfiles, sizeof *p->files);
	for (size_t i = 0; i < p->nfiles; i++) {
		char *path = fs_join(dir, names[i]);
		p->files[i].name = xstrdup(names[i]);
		CU_ASSERT_EQUAL(fs_fingerprint(path, &p->files[i].fp, &e), 0);
		free(path);
	}
}

static const char *const dw_files[] = {"organizations.csv", "links.csv", "domains.csv", NULL};

/*
 * The fingerprint store_read keeps is fs_fingerprint's, for every shape of
 * file: so plans made before the store was read once stay valid.
 */
static void test_parsed_fingerprints_equal_fs_fingerprint(void)
{
	/* organizations.csv, domains.csv: BOM and CRLF, a header alone, empty */
	static const char *const bodies[][2] = {
		{"\xEF\xBB\xBFid,name,employee_count,industry,last_sync\r\n1,Acme,,,\r\n",
		 "\xEF\xBB\xBFid,organization_id,domain,status\r\n2,1,acme.example,pending\r\n"},
		{"id,name\n", "id,organization_id,domain,status\n"},
		{"", ""},
	};
	char *dir = unit_tmpdir();

	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		static const enum store_table tables[] = {STORE_ORGS, STORE_DOMAINS};
		struct store s;
		struct itg_err e = {0};
		struct fingerprint want;
		char *path;

		write_in(dir, "organizations.csv", bodies[i][0]);
		write_in(dir, "domains.csv", bodies[i][1]);
		CU_ASSERT_EQUAL_FATAL(store_read(dir, PRODUCT_DARKWEBID, &s, &e), 0);
		for (int k = 0; k < 2; k++) {
			path = fs_join(dir, store_file_names[tables[k]]);
			CU_ASSERT_EQUAL(fs_fingerprint(path, &want, &e), 0);
			CU_ASSERT(s.fp[tables[k]].present);
			CU_ASSERT_EQUAL(s.fp[tables[k]].bytes, want.bytes);
			CU_ASSERT_EQUAL(s.fp[tables[k]].bytes, strlen(bodies[i][k]));
			CU_ASSERT_EQUAL(s.fp[tables[k]].hash, want.hash);
			free(path);
		}
		/* links.csv is missing: not present, the hash of no bytes */
		path = fs_join(dir, "links.csv");
		CU_ASSERT_EQUAL(fs_fingerprint(path, &want, &e), 0);
		CU_ASSERT_FALSE(s.fp[STORE_LINKS].present);
		CU_ASSERT_EQUAL(s.fp[STORE_LINKS].bytes, 0);
		CU_ASSERT_EQUAL(s.fp[STORE_LINKS].hash, want.hash);
		free(path);
		store_free(&s);
	}
	unit_rmtree(dir);
}

/*
 * The check is on the bytes that were parsed, not on the file as it is
 * later: a change after the read does not make what was read stale, and
 * parsed bytes other than the plan's are stale even if the file is back.
 */
static void test_check_compares_the_bytes_parsed_not_the_file_now(void)
{
	char *dir = unit_tmpdir();
	struct plan p;
	struct store s;
	struct itg_err e = {0};

	write_in(dir, "organizations.csv", orgs);
	write_in(dir, "links.csv", links);
	plan_seeing(&p, dir, dw_files);
	CU_ASSERT_EQUAL_FATAL(store_read(dir, PRODUCT_DARKWEBID, &s, &e), 0);
	write_in(dir, "links.csv", "organization_id,itglue_organization_id,source,linked_at\n");
	CU_ASSERT_EQUAL(stale_check(&s, &p, &e), 0);
	CU_ASSERT_EQUAL(stale_check_files(dir, &p, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_STALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/links.csv changed since the plan was made"));
	write_in(dir, "links.csv", links);
	s.fp[STORE_LINKS].hash ^= 1;
	err_clear(&e);
	CU_ASSERT_EQUAL(stale_check(&s, &p, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_STALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/links.csv changed since the plan was made: "
					     "re-run itg-transform"));
	store_free(&s);
	planread_free(&p);
	unit_rmtree(dir);
}

static void test_appeared_and_disappeared_are_named(void)
{
	char *dir = unit_tmpdir();
	struct plan p;
	struct store s;
	struct itg_err e = {0};

	write_in(dir, "organizations.csv", orgs);
	write_in(dir, "links.csv", links);
	plan_seeing(&p, dir, dw_files);
	write_in(dir, "domains.csv", "id,organization_id,domain,status\n");
	CU_ASSERT_EQUAL_FATAL(store_read(dir, PRODUCT_DARKWEBID, &s, &e), 0);
	CU_ASSERT_EQUAL(stale_check(&s, &p, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/domains.csv appeared since the plan was made"));
	store_free(&s);

	write_in(dir, "domains.csv", "");
	planread_free(&p);
	plan_seeing(&p, dir, dw_files);
	{
		char *path = fs_join(dir, "links.csv");
		CU_ASSERT_EQUAL(unlink(path), 0);
		free(path);
	}
	CU_ASSERT_EQUAL_FATAL(store_read(dir, PRODUCT_DARKWEBID, &s, &e), 0);
	err_clear(&e);
	CU_ASSERT_EQUAL(stale_check(&s, &p, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/links.csv disappeared since the plan was made"));
	store_free(&s);
	planread_free(&p);
	unit_rmtree(dir);
}

/* A file the manifest lists but the product has no table for is checked on disk. */
static void test_file_the_load_does_not_parse_is_checked_on_disk(void)
{
	static const char *const files[] = {"organizations.csv", "users.csv", NULL};
	char *dir = unit_tmpdir();
	struct plan p;
	struct store s;
	struct itg_err e = {0};

	write_in(dir, "organizations.csv", orgs);
	plan_seeing(&p, dir, files);
	CU_ASSERT_EQUAL_FATAL(store_read(dir, PRODUCT_DARKWEBID, &s, &e), 0);
	CU_ASSERT_EQUAL(stale_check(&s, &p, &e), 0);
	write_in(dir, "users.csv", "id,organization_id\n");
	CU_ASSERT_EQUAL(stale_check(&s, &p, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/users.csv appeared since the plan was made"));
	store_free(&s);
	planread_free(&p);
	unit_rmtree(dir);
}

/*
 * A file changed since the plan into one that no longer reads is stale
 * (re-run itg-transform), as it was when the check ran before the read;
 * unchanged, the same file is the usage error naming its line.
 */
static void test_changed_and_now_malformed_store_is_stale_first(void)
{
	char *dir = unit_tmpdir();
	struct plan p;
	struct lstore s;
	struct itg_err e = {0};

	write_in(dir, "organizations.csv", orgs);
	write_in(dir, "links.csv", links);
	plan_seeing(&p, dir, dw_files);
	write_in(dir, "links.csv", "organization_id,itglue_organization_id,source,linked_at\n1,2\n");
	CU_ASSERT_EQUAL(lstore_load(dir, PRODUCT_DARKWEBID, &p, &s, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_STALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/links.csv changed since the plan was made"));

	planread_free(&p);
	plan_seeing(&p, dir, dw_files);
	err_clear(&e);
	CU_ASSERT_EQUAL(lstore_load(dir, PRODUCT_DARKWEBID, &p, &s, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "links.csv:2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "2 fields, header has 4"));
	planread_free(&p);
	unit_rmtree(dir);
}

/* Validation comes after the stale check: a changed store is stale, not invalid. */
static void test_changed_and_now_invalid_store_is_stale_first(void)
{
	char *dir = unit_tmpdir();
	struct plan p;
	struct lstore s;
	struct itg_err e = {0};

	write_in(dir, "organizations.csv", orgs);
	write_in(dir, "links.csv", links);
	plan_seeing(&p, dir, dw_files);
	write_in(dir, "links.csv", "organization_id,itglue_organization_id,source,linked_at\n"
				   "9,101,manual,x\n");
	CU_ASSERT_EQUAL(lstore_load(dir, PRODUCT_DARKWEBID, &p, &s, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_STALE);
	planread_free(&p);
	plan_seeing(&p, dir, dw_files);
	err_clear(&e);
	CU_ASSERT_EQUAL(lstore_load(dir, PRODUCT_DARKWEBID, &p, &s, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	planread_free(&p);
	unit_rmtree(dir);
}

/* A store path that is a file is an input error, never an empty store. */
static void test_store_under_a_file_is_an_error_not_an_empty_store(void)
{
	char *dir = unit_tmpdir(), *file = fs_join(dir, "not-a-folder");
	struct store s;
	struct itg_err e = {0};

	write_in(dir, "not-a-folder", "x\n");
	CU_ASSERT_EQUAL(store_read(file, PRODUCT_DARKWEBID, &s, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not-a-folder is not a folder"));
	free(file);
	unit_rmtree(dir);
}

/* The check immediately before the switch reads the disk and says the edit is kept. */
static void test_recheck_before_the_switch_names_the_edit_and_keeps_it(void)
{
	char *dir = unit_tmpdir();
	struct plan p;
	struct itg_err e = {0};

	write_in(dir, "organizations.csv", orgs);
	write_in(dir, "links.csv", links);
	plan_seeing(&p, dir, dw_files);
	CU_ASSERT_EQUAL(stale_recheck(dir, &p, &e), 0);
	write_in(dir, "links.csv", "organization_id,itglue_organization_id,source,linked_at\n");
	CU_ASSERT_EQUAL(stale_recheck(dir, &p, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_STALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/links.csv changed while itg-load was running"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "the store keeps that edit"));
	planread_free(&p);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"test_parsed_fingerprints_equal_fs_fingerprint",
	 test_parsed_fingerprints_equal_fs_fingerprint},
	{"test_check_compares_the_bytes_parsed_not_the_file_now",
	 test_check_compares_the_bytes_parsed_not_the_file_now},
	{"test_appeared_and_disappeared_are_named", test_appeared_and_disappeared_are_named},
	{"test_file_the_load_does_not_parse_is_checked_on_disk",
	 test_file_the_load_does_not_parse_is_checked_on_disk},
	{"test_changed_and_now_malformed_store_is_stale_first",
	 test_changed_and_now_malformed_store_is_stale_first},
	{"test_changed_and_now_invalid_store_is_stale_first",
	 test_changed_and_now_invalid_store_is_stale_first},
	{"test_store_under_a_file_is_an_error_not_an_empty_store",
	 test_store_under_a_file_is_an_error_not_an_empty_store},
	{"test_recheck_before_the_switch_names_the_edit_and_keeps_it",
	 test_recheck_before_the_switch_names_the_edit_and_keeps_it},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("load_stale", NULL, NULL, tests)
