/* Unit tests of lib/store: the one store reader and the input checks of docs/rules.md 36. */
#include "unit.h"

#include "fsutil.h"
#include "store.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define BP_ORGS "id,name,employee_count,industry,phishing,training,last_sync\n"
#define DW_ORGS "id,name,employee_count,industry,last_sync\n"
#define LINKS "organization_id,itglue_organization_id,source,linked_at\n"
#define USERS "id,organization_id,first_name,last_name,email,group,itglue_contact_id,last_sync\n"
#define DOMAINS "id,organization_id,domain,itglue_domain_id,status,reason,last_sync\n"

static void write_in(const char *dir, const char *name, const char *text)
{
	char *path = fs_join(dir, name);

	CU_ASSERT_EQUAL(unit_write_file(path, text), 0);
	free(path);
}

/*
 * A store of product p from the given tables (NULL: no file), read and
 * validated.  Returns store_validate's result, or -2 when the read failed;
 * e holds the error.
 */
static int check(enum product p, const char *orgs, const char *links, const char *third,
		 struct itg_err *e, char **dir_out)
{
	char *dir = unit_tmpdir();
	struct store s;
	int rc;

	if (orgs)
		write_in(dir, "organizations.csv", orgs);
	if (links)
		write_in(dir, "links.csv", links);
	if (third)
		write_in(dir, p == PRODUCT_BULLPHISH ? "users.csv" : "domains.csv", third);
	memset(e, 0, sizeof *e);
	if (store_read(dir, p, &s, e) != 0) {
		rc = -2;
	} else {
		rc = store_validate(&s, e);
		store_free(&s);
	}
	*dir_out = dir;
	return rc;
}

/* The store is refused with exactly "DIR/FILE:LINE: TEXT", exit 2. */
static void refused(enum product p, const char *orgs, const char *links, const char *third,
		    const char *file, const char *line_and_text)
{
	struct itg_err e;
	char *dir = NULL, *want;

	CU_ASSERT_EQUAL(check(p, orgs, links, third, &e, &dir), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	want = xasprintf("%s/%s:%s", dir, file, line_and_text);
	if (strcmp(e.msg, want) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", e.msg, want);
	CU_ASSERT_STRING_EQUAL(e.msg, want);
	free(want);
	unit_rmtree(dir);
}

static void test_bool_accepts_the_six_words_in_any_case_and_empty(void)
{
	static const char *const yes[] = {"true", "TRUE", "True", "1", "yes", "YES", "yEs", NULL};
	static const char *const no[] = {"false", "FALSE", "False", "0", "no", "NO", "", NULL};

	for (int i = 0; yes[i]; i++)
		CU_ASSERT_EQUAL(store_parse_bool(yes[i]), 1);
	for (int i = 0; no[i]; i++)
		CU_ASSERT_EQUAL(store_parse_bool(no[i]), 0);
}

static void test_bool_refuses_anything_else(void)
{
	static const char *const bad[] = {"maybe", "2", "t", "f", "y", "n", " true", "true ",
					  "yess", "on", "off", "01", NULL};

	for (int i = 0; bad[i]; i++)
		CU_ASSERT_EQUAL(store_parse_bool(bad[i]), -1);
	CU_ASSERT_EQUAL(store_parse_bool(NULL), -1);
}

static void test_domain_key_lowercases_ascii_only(void)
{
	char *k = store_domain_key("Acme-Shop.EXAMPLE");
	char *u = store_domain_key("\xC3\x84rger.DE");

	CU_ASSERT_STRING_EQUAL(k, "acme-shop.example");
	CU_ASSERT_STRING_EQUAL(u, "\xC3\x84rger.de");
	free(k);
	free(u);
}

static void test_tables_of_each_product(void)
{
	CU_ASSERT(store_uses(PRODUCT_BULLPHISH, STORE_ORGS) && store_uses(PRODUCT_BULLPHISH, STORE_LINKS));
	CU_ASSERT(store_uses(PRODUCT_BULLPHISH, STORE_USERS));
	CU_ASSERT_FALSE(store_uses(PRODUCT_BULLPHISH, STORE_DOMAINS));
	CU_ASSERT(store_uses(PRODUCT_DARKWEBID, STORE_DOMAINS));
	CU_ASSERT_FALSE(store_uses(PRODUCT_DARKWEBID, STORE_USERS));
	CU_ASSERT_STRING_EQUAL(store_file_names[STORE_USERS], "users.csv");
	CU_ASSERT_STRING_EQUAL(store_table_names[STORE_DOMAINS], "domains");
	CU_ASSERT_STRING_EQUAL(store_contract_cols(PRODUCT_BULLPHISH, STORE_ORGS)[4], "phishing");
	CU_ASSERT_STRING_EQUAL(store_contract_cols(PRODUCT_DARKWEBID, STORE_ORGS)[4], "last_sync");
	CU_ASSERT_STRING_EQUAL(store_required_cols(STORE_DOMAINS)[3], "status");
	CU_ASSERT_PTR_NULL(store_required_cols(STORE_DOMAINS)[4]);
}

static void test_read_appends_contract_columns_and_fingerprints_like_fs_fingerprint(void)
{
	char *dir = unit_tmpdir(), *path;
	struct store s;
	struct itg_err e = {0};
	struct fingerprint fp;

	write_in(dir, "organizations.csv", "id,name,notes\n1,Acme,vip\n");
	CU_ASSERT_EQUAL_FATAL(store_read(dir, PRODUCT_BULLPHISH, &s, &e), 0);
	CU_ASSERT(s.used[STORE_ORGS] && s.used[STORE_LINKS] && s.used[STORE_USERS]);
	CU_ASSERT_FALSE(s.used[STORE_DOMAINS]);
	/* extra column kept, the missing contract columns appended */
	CU_ASSERT_EQUAL(s.tab[STORE_ORGS].ncols, 8);
	CU_ASSERT_STRING_EQUAL(s.tab[STORE_ORGS].cols[2], "notes");
	CU_ASSERT(csvtab_col(&s.tab[STORE_ORGS], "training") >= 0);
	path = fs_join(dir, "organizations.csv");
	CU_ASSERT_EQUAL(fs_fingerprint(path, &fp, &e), 0);
	free(path);
	CU_ASSERT(s.fp[STORE_ORGS].present);
	CU_ASSERT_EQUAL(s.fp[STORE_ORGS].bytes, fp.bytes);
	CU_ASSERT_EQUAL(s.fp[STORE_ORGS].hash, fp.hash);
	/* a missing file: an empty table with the contract header, not present */
	CU_ASSERT_FALSE(s.fp[STORE_USERS].present);
	CU_ASSERT_EQUAL(s.tab[STORE_USERS].nrows, 0);
	CU_ASSERT_EQUAL(s.tab[STORE_USERS].ncols, 8);
	CU_ASSERT_EQUAL(store_validate(&s, &e), 0);
	store_free(&s);
	unit_rmtree(dir);
}

static void test_missing_required_column_is_refused_by_the_reader(void)
{
	struct itg_err e;
	char *dir = NULL;

	CU_ASSERT_EQUAL(check(PRODUCT_DARKWEBID, DW_ORGS, NULL,
			      "id,organization_id,domain\n1,1,a.example\n", &e, &dir), -2);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "domains.csv"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "status"));
	unit_rmtree(dir);
}

static void test_consistent_stores_pass(void)
{
	struct itg_err e;
	char *dir = NULL;

	CU_ASSERT_EQUAL(check(PRODUCT_BULLPHISH, BP_ORGS "10,A,,,TRUE,no,\n11,B,,,,,\n",
			      LINKS "10,1,auto,\n11,2,manual,\n10,3,import,\n",
			      USERS "1,10,A,B,a@x.example,Staff,401,\n2,10,C,D,,,,\n3,11,E,F,,,,\n",
			      &e, &dir), 0);
	unit_rmtree(dir);
	CU_ASSERT_EQUAL(check(PRODUCT_DARKWEBID, DW_ORGS "10,A,,,\n",
			      LINKS "10,1,manual,\n",
			      DOMAINS "1,10,a.example,5,imported,,\n2,10,b.example,,pending,,\n"
				      "3,10,c.example,7,unimported,gov_domain,\n",
			      &e, &dir), 0);
	unit_rmtree(dir);
}

static void test_organization_errors_name_their_line(void)
{
	refused(PRODUCT_BULLPHISH, BP_ORGS "10,A,,,,,\n,B,,,,,\n", NULL, NULL, "organizations.csv",
		"3: organization has an empty id: give every row an id");
	refused(PRODUCT_BULLPHISH, BP_ORGS "10,A,,,maybe,,\n", NULL, NULL, "organizations.csv",
		"2: phishing and training must be true or false");
	refused(PRODUCT_BULLPHISH, BP_ORGS "10,A,,,true,2,\n", NULL, NULL, "organizations.csv",
		"2: phishing and training must be true or false");
	refused(PRODUCT_BULLPHISH, BP_ORGS "10,A,,,,,\n11,B,,,,,\n10,C,,,,,\n", NULL, NULL,
		"organizations.csv", "4: duplicate organization id 10: ids must be unique");
	refused(PRODUCT_DARKWEBID, DW_ORGS "7,A,,,\n7,B,,,\n", NULL, NULL, "organizations.csv",
		"3: duplicate organization id 7: ids must be unique");
}

static void test_duplicate_organizations_are_found_in_id_order(void)
{
	/* 20 repeats first in the file, but 10 is the smaller id */
	refused(PRODUCT_DARKWEBID, DW_ORGS "20,A,,,\n10,B,,,\n20,C,,,\n10,D,,,\n", NULL, NULL,
		"organizations.csv", "5: duplicate organization id 10: ids must be unique");
}

static void test_empty_id_comes_before_a_bad_boolean_of_a_later_row(void)
{
	refused(PRODUCT_BULLPHISH, BP_ORGS ",A,,,,,\n11,B,,,maybe,,\n", NULL, NULL,
		"organizations.csv", "2: organization has an empty id: give every row an id");
}

static void test_link_errors_name_their_line(void)
{
	refused(PRODUCT_BULLPHISH, BP_ORGS "10,A,,,,,\n", LINKS "10,1,auto,\n10,2,Manual,\n", NULL,
		"links.csv", "3: unknown source \"Manual\": use auto, manual or import");
	refused(PRODUCT_BULLPHISH, BP_ORGS "10,A,,,,,\n", LINKS "10,,auto,\n", NULL, "links.csv",
		"2: link has no itglue_organization_id: fill it in or remove the row");
	refused(PRODUCT_DARKWEBID, DW_ORGS "10,A,,,\n", LINKS "10,1,auto,\n99,2,manual,\n", NULL,
		"links.csv",
		"3: link to unknown organization \"99\": add it to organizations.csv or remove the "
		"link");
}

static void test_user_errors_name_their_line(void)
{
	const char *orgs = BP_ORGS "10,A,,,,,\n";

	refused(PRODUCT_BULLPHISH, orgs, NULL, USERS "1,10,A,B,,,,\n,10,C,D,,,,\n", "users.csv",
		"3: user has an empty id: give every row an id");
	refused(PRODUCT_BULLPHISH, orgs, NULL, USERS "1,10,A,B,,,,\n1,10,C,D,,,,\n", "users.csv",
		"3: duplicate user id 1: ids must be unique");
	refused(PRODUCT_BULLPHISH, orgs, NULL, USERS "1,11,A,B,,,,\n", "users.csv",
		"2: user 1 of unknown organization \"11\": add the organization or remove the user");
	refused(PRODUCT_BULLPHISH, orgs, NULL,
		USERS "1,10,A,B,,,401,\n2,10,C,D,,,,\n3,10,E,F,,,401,\n", "users.csv",
		"4: users 1 and 3 share itglue_contact_id 401: clear it on one of them");
}

static void test_domain_errors_name_their_line(void)
{
	const char *orgs = DW_ORGS "10,A,,,\n";

	refused(PRODUCT_DARKWEBID, orgs, NULL, DOMAINS ",10,a.example,,pending,,\n", "domains.csv",
		"2: domain has an empty id: give every row an id");
	refused(PRODUCT_DARKWEBID, orgs, NULL,
		DOMAINS "4,10,a.example,,pending,,\n4,10,b.example,,pending,,\n", "domains.csv",
		"3: duplicate domain id 4: ids must be unique");
	refused(PRODUCT_DARKWEBID, orgs, NULL, DOMAINS "4,12,a.example,,pending,,\n", "domains.csv",
		"2: domain 4 of unknown organization \"12\": add the organization or remove the "
		"domain");
	refused(PRODUCT_DARKWEBID, orgs, NULL, DOMAINS "4,10,a.example,,Imported,,\n", "domains.csv",
		"2: unknown status \"Imported\": use imported, pending or unimported");
}

static void test_tables_are_checked_in_order(void)
{
	/* a bad link is found before a bad user */
	refused(PRODUCT_BULLPHISH, BP_ORGS "10,A,,,,,\n", LINKS "99,1,auto,\n",
		USERS ",10,A,B,,,,\n", "links.csv",
		"2: link to unknown organization \"99\": add it to organizations.csv or remove the "
		"link");
}

/* store_read refuses dir with exactly want (exit 2) and leaves s empty. */
static void read_refused(const char *dir, enum product p, const char *want)
{
	struct store s;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(store_read(dir, p, &s, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	if (strcmp(e.msg, want) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", e.msg, want);
	CU_ASSERT_STRING_EQUAL(e.msg, want);
	CU_ASSERT_PTR_NULL(s.dir);
}

static void test_another_products_table_is_refused_naming_file_and_product(void)
{
	char *dir = unit_tmpdir(), *want;

	write_in(dir, "organizations.csv", DW_ORGS "10,A,,,\n");
	write_in(dir, "users.csv", USERS);
	want = xasprintf("%s/users.csv: users.csv is a BullPhish ID table, and this is a Dark Web "
			 "ID pipeline (product: darkwebid): point `store:` at this pipeline's own "
			 "store, or move the file out of this one", dir);
	read_refused(dir, PRODUCT_DARKWEBID, want);
	free(want);
	unit_rmtree(dir);

	dir = unit_tmpdir();
	write_in(dir, "domains.csv", "");   /* even empty */
	want = xasprintf("%s/domains.csv: domains.csv is a Dark Web ID table, and this is a "
			 "BullPhish ID pipeline (product: bullphish): point `store:` at this "
			 "pipeline's own store, or move the file out of this one", dir);
	read_refused(dir, PRODUCT_BULLPHISH, want);
	free(want);
	unit_rmtree(dir);
}

static void test_missing_folder_is_refused_and_never_created(void)
{
	char *top = unit_tmpdir(), *dir = fs_join(top, "stroe"), *want;

	want = xasprintf("store folder %s does not exist: check `store:` in the pipeline; a new "
			 "store is an empty folder: mkdir -m 700 %s", dir, dir);
	read_refused(dir, PRODUCT_BULLPHISH, want);
	read_refused(dir, PRODUCT_DARKWEBID, want);
	CU_ASSERT_FALSE(fs_exists(dir));
	free(want);
	free(dir);
	/* a file where the folder should be */
	dir = fs_join(top, "file");
	CU_ASSERT_EQUAL(unit_write_file(dir, "x"), 0);
	want = xasprintf("store %s is not a folder: check `store:` in the pipeline", dir);
	read_refused(dir, PRODUCT_BULLPHISH, want);
	free(want);
	free(dir);
	unit_rmtree(top);
}

static void test_an_empty_folder_is_an_empty_store(void)
{
	char *dir = unit_tmpdir();
	struct store s;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL_FATAL(store_read(dir, PRODUCT_DARKWEBID, &s, &e), 0);
	CU_ASSERT_EQUAL(s.tab[STORE_ORGS].nrows, 0);
	CU_ASSERT_EQUAL(store_validate(&s, &e), 0);
	store_free(&s);
	unit_rmtree(dir);
}

#define NOT_DECIMAL " is not a decimal number: ids are digits only; fix the id or remove the row"

static void test_ids_that_are_not_decimal_numbers_are_refused_in_every_table(void)
{
	const char *bp = BP_ORGS "10,A,,,,,\n";
	const char *dw = DW_ORGS "10,A,,,\n";

	refused(PRODUCT_BULLPHISH, BP_ORGS "10,A,,,,,\n1O,B,,,,,\n", NULL, NULL, "organizations.csv",
		"3: id \"1O\"" NOT_DECIMAL);
	refused(PRODUCT_DARKWEBID, DW_ORGS "-3,A,,,\n", NULL, NULL, "organizations.csv",
		"2: id \"-3\"" NOT_DECIMAL);
	refused(PRODUCT_BULLPHISH, bp, LINKS "10,1,auto,\nx10,2,auto,\n", NULL, "links.csv",
		"3: organization_id \"x10\"" NOT_DECIMAL);
	/* the hand-made manual link of the story: refused, never unlinked */
	refused(PRODUCT_BULLPHISH, bp, LINKS "10,abc,manual,\n", NULL, "links.csv",
		"2: itglue_organization_id \"abc\"" NOT_DECIMAL);
	refused(PRODUCT_DARKWEBID, dw, LINKS "10, 7,manual,\n", NULL, "links.csv",
		"2: itglue_organization_id \" 7\"" NOT_DECIMAL);
	refused(PRODUCT_BULLPHISH, bp, NULL, USERS "1.5,10,A,B,,,,\n", "users.csv",
		"2: id \"1.5\"" NOT_DECIMAL);
	refused(PRODUCT_BULLPHISH, bp, NULL, USERS "1,10,A,B,,,,\n2,ten,C,D,,,,\n", "users.csv",
		"3: organization_id \"ten\"" NOT_DECIMAL);
	refused(PRODUCT_BULLPHISH, bp, NULL, USERS "1,10,A,B,,,401a,\n", "users.csv",
		"2: itglue_contact_id \"401a\"" NOT_DECIMAL);
	refused(PRODUCT_DARKWEBID, dw, NULL, DOMAINS "d1,10,a.example,,pending,,\n", "domains.csv",
		"2: id \"d1\"" NOT_DECIMAL);
	refused(PRODUCT_DARKWEBID, dw, NULL, DOMAINS "1,1e3,a.example,,pending,,\n", "domains.csv",
		"2: organization_id \"1e3\"" NOT_DECIMAL);
	refused(PRODUCT_DARKWEBID, dw, NULL, DOMAINS "1,10,a.example,5012 ,imported,,\n",
		"domains.csv", "2: itglue_domain_id \"5012 \"" NOT_DECIMAL);
}

static void test_empty_optional_ids_and_leading_zeros_are_numbers_enough(void)
{
	struct itg_err e;
	char *dir = NULL;

	CU_ASSERT_EQUAL(check(PRODUCT_BULLPHISH, BP_ORGS "007,A,,,,,\n",
			      LINKS "007,0042,manual,\n", USERS "1,007,A,B,,,,\n", &e, &dir), 0);
	unit_rmtree(dir);
}

static void test_a_long_bad_id_is_quoted_cut_at_a_character(void)
{
	struct itg_err e;
	char *dir = NULL;
	char orgs[512];

	/* 63 x then an e-acute straddling byte 64: cut before it */
	snprintf(orgs, sizeof orgs, DW_ORGS "%s\xC3\xA9tail,A,,,\n",
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	CU_ASSERT_EQUAL(check(PRODUCT_DARKWEBID, orgs, NULL, NULL, &e, &dir), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "id \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
					   "xxxxxxxxxxxxxxx\" is not a decimal number"));
	unit_rmtree(dir);
}

#define NOT_UTF8 " holds bytes that are not UTF-8"

static void test_bytes_that_are_not_utf8_are_refused_naming_the_line(void)
{
	const char *bp = BP_ORGS "10,A,,,,,\n";

	/* Latin-1 e-acute in a name */
	refused(PRODUCT_BULLPHISH, BP_ORGS "10,Caf\xE9,,,,,\n", NULL, NULL, "organizations.csv",
		"2: column \"name\"" NOT_UTF8 " (byte 0xe9): save the file as UTF-8");
	/* in a quoted field spanning lines: the line of the byte itself */
	refused(PRODUCT_BULLPHISH, bp, NULL,
		USERS "1,10,\"two\nline\",B,,,,\n2,10,\"x\ny\nz\xC3\",D,,,,\n", "users.csv",
		"6: column \"first_name\"" NOT_UTF8 " (byte 0xc3): save the file as UTF-8");
	/* an overlong slash, a surrogate, a code point above U+10FFFF */
	refused(PRODUCT_DARKWEBID, DW_ORGS "10,A,,,\n", NULL,
		DOMAINS "1,10,a\xC0\xAF.example,,pending,,\n", "domains.csv",
		"2: column \"domain\"" NOT_UTF8 " (byte 0xc0): save the file as UTF-8");
	refused(PRODUCT_BULLPHISH, bp, LINKS "10,1,auto,\xED\xA0\x80\n", NULL, "links.csv",
		"2: column \"linked_at\"" NOT_UTF8 " (byte 0xed): save the file as UTF-8");
	refused(PRODUCT_BULLPHISH, BP_ORGS "10,\xF4\x90\x80\x80,,,,,\n", NULL, NULL,
		"organizations.csv",
		"2: column \"name\"" NOT_UTF8 " (byte 0xf4): save the file as UTF-8");
	/* an extra column of the operator's is read, so it is checked too */
	refused(PRODUCT_DARKWEBID, "id,name,notes\n10,A,\xFF\n", NULL, NULL, "organizations.csv",
		"2: column \"notes\"" NOT_UTF8 " (byte 0xff): save the file as UTF-8");
}

static void test_a_header_that_is_not_utf8_is_refused(void)
{
	refused(PRODUCT_BULLPHISH, BP_ORGS "10,A,,,,,\n", NULL,
		"id,organization_id,pr\xE9nom\n1,10,A\n", "users.csv",
		"1: the header" NOT_UTF8 ": save the file as UTF-8");
}

static void test_bytes_and_ids_come_first_within_a_table(void)
{
	/* the empty id of line 2 is reported after the bad id of line 3 */
	refused(PRODUCT_BULLPHISH, BP_ORGS ",A,,,,,\nB2,B,,,,,\n", NULL, NULL, "organizations.csv",
		"3: id \"B2\"" NOT_DECIMAL);
	/* but a table is checked whole before the next: the organization comes first */
	refused(PRODUCT_BULLPHISH, BP_ORGS ",A,,,,,\n", LINKS "10,abc,manual,\n", NULL,
		"organizations.csv", "2: organization has an empty id: give every row an id");
	/* well-formed UTF-8 passes: accents, CJK, emoji */
	{
		struct itg_err e;
		char *dir = NULL;
		CU_ASSERT_EQUAL(check(PRODUCT_DARKWEBID,
				      DW_ORGS "10,Caf\xC3\xA9 Z\xC3\xBCrich \xE6\x9D\xB1 \xF0\x9F\x90\x9F,,,\n",
				      NULL, NULL, &e, &dir), 0);
		unit_rmtree(dir);
	}
}

static CU_TestInfo tests[] = {
	{"test_bool_accepts_the_six_words_in_any_case_and_empty",
	 test_bool_accepts_the_six_words_in_any_case_and_empty},
	{"test_bool_refuses_anything_else", test_bool_refuses_anything_else},
	{"test_domain_key_lowercases_ascii_only", test_domain_key_lowercases_ascii_only},
	{"test_tables_of_each_product", test_tables_of_each_product},
	{"test_read_appends_contract_columns_and_fingerprints_like_fs_fingerprint",
	 test_read_appends_contract_columns_and_fingerprints_like_fs_fingerprint},
	{"test_missing_required_column_is_refused_by_the_reader",
	 test_missing_required_column_is_refused_by_the_reader},
	{"test_consistent_stores_pass", test_consistent_stores_pass},
	{"test_organization_errors_name_their_line", test_organization_errors_name_their_line},
	{"test_duplicate_organizations_are_found_in_id_order",
	 test_duplicate_organizations_are_found_in_id_order},
	{"test_empty_id_comes_before_a_bad_boolean_of_a_later_row",
	 test_empty_id_comes_before_a_bad_boolean_of_a_later_row},
	{"test_link_errors_name_their_line", test_link_errors_name_their_line},
	{"test_user_errors_name_their_line", test_user_errors_name_their_line},
	{"test_domain_errors_name_their_line", test_domain_errors_name_their_line},
	{"test_tables_are_checked_in_order", test_tables_are_checked_in_order},
	{"test_another_products_table_is_refused_naming_file_and_product",
	 test_another_products_table_is_refused_naming_file_and_product},
	{"test_missing_folder_is_refused_and_never_created",
	 test_missing_folder_is_refused_and_never_created},
	{"test_an_empty_folder_is_an_empty_store", test_an_empty_folder_is_an_empty_store},
	{"test_ids_that_are_not_decimal_numbers_are_refused_in_every_table",
	 test_ids_that_are_not_decimal_numbers_are_refused_in_every_table},
	{"test_empty_optional_ids_and_leading_zeros_are_numbers_enough",
	 test_empty_optional_ids_and_leading_zeros_are_numbers_enough},
	{"test_a_long_bad_id_is_quoted_cut_at_a_character",
	 test_a_long_bad_id_is_quoted_cut_at_a_character},
	{"test_bytes_that_are_not_utf8_are_refused_naming_the_line",
	 test_bytes_that_are_not_utf8_are_refused_naming_the_line},
	{"test_a_header_that_is_not_utf8_is_refused", test_a_header_that_is_not_utf8_is_refused},
	{"test_bytes_and_ids_come_first_within_a_table",
	 test_bytes_and_ids_come_first_within_a_table},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("store", NULL, NULL, tests)
