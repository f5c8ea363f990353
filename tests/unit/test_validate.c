/*
 * Unit tests of transform/validate.c: emails (docs/rules.md 20), domains
 * (30, 31), protected list (32).
 */
#include "unit.h"

#include "../../transform/validate.h"

#include <stdlib.h>
#include <string.h>

static void test_email_accepts_ordinary_addresses(void)
{
	CU_ASSERT_EQUAL(validate_email("jane.doe@example.com"), 1);
	CU_ASSERT_EQUAL(validate_email("j@ex.co"), 1);
	CU_ASSERT_EQUAL(validate_email("first.last+tag@mail.example.co.uk"), 1);
	CU_ASSERT_EQUAL(validate_email("o'brien@example.ie"), 1);
	CU_ASSERT_EQUAL(validate_email("!#$%&'*+/=?^_`{|}~-@example.org"), 1);
	CU_ASSERT_EQUAL(validate_email("user@my-host.example"), 1);
	CU_ASSERT_EQUAL(validate_email("user@123.example"), 1);
}

static void test_email_accepts_uppercase(void)
{
	CU_ASSERT_EQUAL(validate_email("Jane.Doe@Example.COM"), 1);
	CU_ASSERT_EQUAL(validate_email("USER@XN--P1AI.XN--P1AI"), 1);
}

static void test_email_needs_exactly_one_at(void)
{
	CU_ASSERT_EQUAL(validate_email("jane.example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@doe@example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("@example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@"), 0);
	CU_ASSERT_EQUAL(validate_email(""), 0);
	CU_ASSERT_EQUAL(validate_email(NULL), 0);
}

static void test_email_local_part_is_a_dot_atom(void)
{
	CU_ASSERT_EQUAL(validate_email(".jane@example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("jane.@example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("ja..ne@example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("\"jane doe\"@example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("\"jane\"@example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("ja(ne)@example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("ja,ne@example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("jane doe@example.com"), 0);
	CU_ASSERT_EQUAL(validate_email(" jane@example.com"), 0);
}

static void test_email_local_part_has_at_most_64_characters(void)
{
	char addr[128];

	memset(addr, 'a', 64);
	strcpy(addr + 64, "@example.com");
	CU_ASSERT_EQUAL(validate_email(addr), 1);
	memset(addr, 'a', 65);
	strcpy(addr + 65, "@example.com");
	CU_ASSERT_EQUAL(validate_email(addr), 0);
}

static void test_email_rejects_non_ascii(void)
{
	CU_ASSERT_EQUAL(validate_email("j\xc3\xbcrgen@example.de"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@b\xc3\xbc" "cher.de"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@xn--bcher-kva.de"), 1);
}

static void test_email_rejects_ip_literals_and_bad_domains(void)
{
	CU_ASSERT_EQUAL(validate_email("jane@[192.168.0.1]"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@[IPv6:::1]"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@192.168.0.1"), 0);
	CU_ASSERT_EQUAL(validate_email("user@localhost"), 0);
	CU_ASSERT_EQUAL(validate_email("a@b.c"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@example.c0m"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@-example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@example-.com"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@exa_mple.com"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@example..com"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@.example.com"), 0);
	CU_ASSERT_EQUAL(validate_email("jane@example.com."), 0);
	CU_ASSERT_EQUAL(validate_email("jane@example.com "), 0);
}

static void test_email_accepts_xn_top_label(void)
{
	CU_ASSERT_EQUAL(validate_email("jane@example.xn--p1ai"), 1);
	CU_ASSERT_EQUAL(validate_email("jane@example.xn--"), 0); /* ends with a hyphen */
	CU_ASSERT_EQUAL(validate_email("jane@example.x1"), 0);
}

static void test_email_labels_have_at_most_63_characters(void)
{
	char addr[160];

	strcpy(addr, "jane@");
	memset(addr + 5, 'a', 63);
	strcpy(addr + 68, ".com");
	CU_ASSERT_EQUAL(validate_email(addr), 1);
	memset(addr + 5, 'a', 64);
	strcpy(addr + 69, ".com");
	CU_ASSERT_EQUAL(validate_email(addr), 0);
}

/* ---- domains ----------------------------------------------------------- */

#define ASSERT_NORMALIZED(raw, want)                          \
	do {                                                  \
		char *got_ = validate_domain_normalize(raw);  \
		CU_ASSERT_STRING_EQUAL(got_, want);           \
		free(got_);                                   \
	} while (0)

static void test_domain_normalize_trims_lowercases_and_drops_one_dot(void)
{
	ASSERT_NORMALIZED("Example.COM.", "example.com");
	ASSERT_NORMALIZED("  Example.com \t\n", "example.com");
	ASSERT_NORMALIZED("example.com..", "example.com.");
	ASSERT_NORMALIZED(" example.com. ", "example.com");
	ASSERT_NORMALIZED("", "");
	ASSERT_NORMALIZED(".", "");
	ASSERT_NORMALIZED(NULL, "");
}

static void test_domain_accepts_ordinary_names(void)
{
	CU_ASSERT_EQUAL(validate_domain("example.com"), 1);
	CU_ASSERT_EQUAL(validate_domain("mail.example.co.uk"), 1);
	CU_ASSERT_EQUAL(validate_domain("3com.com"), 1);
	CU_ASSERT_EQUAL(validate_domain("xn--bcher-kva.de"), 1);
	CU_ASSERT_EQUAL(validate_domain("example.xn--p1ai"), 1);
}

static void test_domain_rejects_urls_paths_and_odd_characters(void)
{
	CU_ASSERT_EQUAL(validate_domain("http://x.com"), 0);
	CU_ASSERT_EQUAL(validate_domain("https://example.com/"), 0);
	CU_ASSERT_EQUAL(validate_domain("x.com/path"), 0);
	CU_ASSERT_EQUAL(validate_domain("under_score.com"), 0);
	CU_ASSERT_EQUAL(validate_domain("exa mple.com"), 0);
	CU_ASSERT_EQUAL(validate_domain("example.com:8080"), 0);
	CU_ASSERT_EQUAL(validate_domain("jane@example.com"), 0);
	CU_ASSERT_EQUAL(validate_domain("b\xc3\xbc" "cher.de"), 0);
	CU_ASSERT_EQUAL(validate_domain("*.example.com"), 0);
}

static void test_domain_rejects_ip_addresses_single_labels_and_short_tops(void)
{
	CU_ASSERT_EQUAL(validate_domain("1.2.3.4"), 0);
	CU_ASSERT_EQUAL(validate_domain("com"), 0);
	CU_ASSERT_EQUAL(validate_domain("localhost"), 0);
	CU_ASSERT_EQUAL(validate_domain("example.c"), 0);
	CU_ASSERT_EQUAL(validate_domain("example.123"), 0);
	CU_ASSERT_EQUAL(validate_domain(""), 0);
	CU_ASSERT_EQUAL(validate_domain(".example.com"), 0);
	CU_ASSERT_EQUAL(validate_domain("example.com."), 0); /* not normalized */
	CU_ASSERT_EQUAL(validate_domain(NULL), 0);
}

static void test_domain_rejects_more_than_253_characters(void)
{
	char d[300];
	size_t n = 0;

	/* four labels of 61 + dots = 247, then ".abcde" = 253 */
	for (int i = 0; i < 4; i++) {
		memset(d + n, 'a', 61);
		n += 61;
		d[n++] = '.';
	}
	strcpy(d + n, "abcde");
	CU_ASSERT_EQUAL(strlen(d), 253);
	CU_ASSERT_EQUAL(validate_domain(d), 1);
	strcpy(d + n, "abcdef");
	CU_ASSERT_EQUAL(validate_domain(d), 0);
}

static void test_gov_covers_gov_mil_and_their_country_second_levels(void)
{
	CU_ASSERT_EQUAL(validate_domain_is_gov("whitehouse.gov"), 1);
	CU_ASSERT_EQUAL(validate_domain_is_gov("army.mil"), 1);
	CU_ASSERT_EQUAL(validate_domain_is_gov("hmrc.gov.uk"), 1);
	CU_ASSERT_EQUAL(validate_domain_is_gov("defence.mil.nz"), 1);
	CU_ASSERT_EQUAL(validate_domain_is_gov("gov.uk"), 1);
	CU_ASSERT_EQUAL(validate_domain_is_gov("mil.nz"), 1);
	CU_ASSERT_EQUAL(validate_domain_is_gov("a.b.gov"), 1);
}

static void test_gov_excludes_lookalikes(void)
{
	CU_ASSERT_EQUAL(validate_domain_is_gov("gov.com"), 0);
	CU_ASSERT_EQUAL(validate_domain_is_gov("dia.govt.nz"), 0);
	CU_ASSERT_EQUAL(validate_domain_is_gov("interieur.gouv.fr"), 0);
	CU_ASSERT_EQUAL(validate_domain_is_gov("sat.gob.mx"), 0);
	CU_ASSERT_EQUAL(validate_domain_is_gov("gov.example.com"), 0);
	CU_ASSERT_EQUAL(validate_domain_is_gov("example.gov.com"), 0);
	CU_ASSERT_EQUAL(validate_domain_is_gov("gov.co1"), 0);
	CU_ASSERT_EQUAL(validate_domain_is_gov("mygov.uk"), 0);
	CU_ASSERT_EQUAL(validate_domain_is_gov("example.com"), 0);
	CU_ASSERT_EQUAL(validate_domain_is_gov("uk"), 0);
	CU_ASSERT_EQUAL(validate_domain_is_gov(""), 0);
}

/* ---- protected list ---------------------------------------------------- */

/* Writes text to a fresh file and loads it; returns the load's result. */
static int load_text(const char *text, struct protected_list **pl, struct itg_err *e,
		     char **dir_out)
{
	char *dir = unit_tmpdir();
	char path[4096];
	int rc;

	snprintf(path, sizeof path, "%s/protected.txt", dir);
	CU_ASSERT_EQUAL(unit_write_file(path, text), 0);
	rc = protected_list_load(path, pl, e);
	*dir_out = dir;
	return rc;
}

static void test_protected_exact_line_matches_domain_and_subdomains(void)
{
	struct protected_list *pl = NULL;
	struct itg_err e = {0};
	char *dir;

	CU_ASSERT_EQUAL_FATAL(load_text("example.com\n", &pl, &e, &dir), 0);
	CU_ASSERT_EQUAL(protected_list_match(pl, "example.com"), 1);
	CU_ASSERT_EQUAL(protected_list_match(pl, "mail.example.com"), 1);
	CU_ASSERT_EQUAL(protected_list_match(pl, "a.b.example.com"), 1);
	CU_ASSERT_EQUAL(protected_list_match(pl, "notexample.com"), 0);
	CU_ASSERT_EQUAL(protected_list_match(pl, "example.com.au"), 0);
	CU_ASSERT_EQUAL(protected_list_match(pl, "example.org"), 0);
	protected_list_free(pl);
	unit_rmtree(dir);
}

static void test_protected_suffix_line_matches_subdomains_only(void)
{
	struct protected_list *pl = NULL;
	struct itg_err e = {0};
	char *dir;

	CU_ASSERT_EQUAL_FATAL(load_text(".corp.example\n*.bank.test\n.internal\n", &pl, &e, &dir), 0);
	CU_ASSERT_EQUAL(protected_list_match(pl, "hr.corp.example"), 1);
	CU_ASSERT_EQUAL(protected_list_match(pl, "a.b.corp.example"), 1);
	CU_ASSERT_EQUAL(protected_list_match(pl, "corp.example"), 0);
	CU_ASSERT_EQUAL(protected_list_match(pl, "megacorp.example"), 0);
	CU_ASSERT_EQUAL(protected_list_match(pl, "my.bank.test"), 1);
	CU_ASSERT_EQUAL(protected_list_match(pl, "bank.test"), 0);
	CU_ASSERT_EQUAL(protected_list_match(pl, "intranet.internal"), 1);
	CU_ASSERT_EQUAL(protected_list_match(pl, "internal"), 0);
	protected_list_free(pl);
	unit_rmtree(dir);
}

static void test_protected_list_ignores_comments_blanks_and_case(void)
{
	struct protected_list *pl = NULL;
	struct itg_err e = {0};
	char *dir;

	CU_ASSERT_EQUAL_FATAL(load_text("# protected customers\n\n   \n"
					"  Bank.EXAMPLE  \r\n"
					"hospital.test # by contract\n"
					"\t# indented comment\n"
					"Other.Example.\n", &pl, &e, &dir), 0);
	CU_ASSERT_EQUAL(protected_list_match(pl, "bank.example"), 1);
	CU_ASSERT_EQUAL(protected_list_match(pl, "WWW.Bank.Example"), 1);
	CU_ASSERT_EQUAL(protected_list_match(pl, "hospital.test"), 1);
	CU_ASSERT_EQUAL(protected_list_match(pl, "other.example"), 1);
	CU_ASSERT_EQUAL(protected_list_match(pl, "protected.customers"), 0);
	CU_ASSERT_EQUAL(protected_list_match(pl, ""), 0);
	protected_list_free(pl);
	unit_rmtree(dir);
}

static void test_protected_list_without_path_is_empty(void)
{
	struct protected_list *pl = NULL;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL_FATAL(protected_list_load(NULL, &pl, &e), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pl);
	CU_ASSERT_EQUAL(protected_list_match(pl, "example.com"), 0);
	CU_ASSERT_EQUAL(protected_list_match(NULL, "example.com"), 0);
	protected_list_free(pl);
	protected_list_free(NULL);
}

static void test_protected_bad_line_is_a_usage_error_naming_its_line(void)
{
	struct protected_list *pl = (struct protected_list *)&pl;
	struct itg_err e = {0};
	char *dir;

	CU_ASSERT_EQUAL(load_text("# list\nexample.com\n\nhttp://bad.example/\n", &pl, &e, &dir), -1);
	CU_ASSERT_PTR_NULL(pl);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "protected.txt:4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "http://bad.example/"));
	unit_rmtree(dir);

	err_clear(&e);
	CU_ASSERT_EQUAL(load_text("localhost\n", &pl, &e, &dir), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "protected.txt:1"));
	unit_rmtree(dir);

	err_clear(&e);
	CU_ASSERT_EQUAL(load_text("ok.example\n*.\n", &pl, &e, &dir), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "protected.txt:2"));
	unit_rmtree(dir);

	err_clear(&e);
	CU_ASSERT_EQUAL(load_text("a.example\nunder_score.example\n", &pl, &e, &dir), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "protected.txt:2"));
	unit_rmtree(dir);
}

static void test_protected_unreadable_file_is_a_usage_error(void)
{
	struct protected_list *pl = NULL;
	struct itg_err e = {0};
	char *dir = unit_tmpdir();
	char path[4096];

	snprintf(path, sizeof path, "%s/missing.txt", dir);
	CU_ASSERT_EQUAL(protected_list_load(path, &pl, &e), -1);
	CU_ASSERT_PTR_NULL(pl);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "missing.txt"));
	/* a folder opens but cannot be read */
	err_clear(&e);
	CU_ASSERT_EQUAL(protected_list_load(dir, &pl, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"email_accepts_ordinary_addresses", test_email_accepts_ordinary_addresses},
	{"email_accepts_uppercase", test_email_accepts_uppercase},
	{"email_needs_exactly_one_at", test_email_needs_exactly_one_at},
	{"email_local_part_is_a_dot_atom", test_email_local_part_is_a_dot_atom},
	{"email_local_part_has_at_most_64_characters", test_email_local_part_has_at_most_64_characters},
	{"email_rejects_non_ascii", test_email_rejects_non_ascii},
	{"email_rejects_ip_literals_and_bad_domains", test_email_rejects_ip_literals_and_bad_domains},
	{"email_accepts_xn_top_label", test_email_accepts_xn_top_label},
	{"email_labels_have_at_most_63_characters", test_email_labels_have_at_most_63_characters},
	{"domain_normalize_trims_lowercases_and_drops_one_dot",
	 test_domain_normalize_trims_lowercases_and_drops_one_dot},
	{"domain_accepts_ordinary_names", test_domain_accepts_ordinary_names},
	{"domain_rejects_urls_paths_and_odd_characters", test_domain_rejects_urls_paths_and_odd_characters},
	{"domain_rejects_ip_addresses_single_labels_and_short_tops",
	 test_domain_rejects_ip_addresses_single_labels_and_short_tops},
	{"domain_rejects_more_than_253_characters", test_domain_rejects_more_than_253_characters},
	{"gov_covers_gov_mil_and_their_country_second_levels",
	 test_gov_covers_gov_mil_and_their_country_second_levels},
	{"gov_excludes_lookalikes", test_gov_excludes_lookalikes},
	{"protected_exact_line_matches_domain_and_subdomains",
	 test_protected_exact_line_matches_domain_and_subdomains},
	{"protected_suffix_line_matches_subdomains_only", test_protected_suffix_line_matches_subdomains_only},
	{"protected_list_ignores_comments_blanks_and_case", test_protected_list_ignores_comments_blanks_and_case},
	{"protected_list_without_path_is_empty", test_protected_list_without_path_is_empty},
	{"protected_bad_line_is_a_usage_error_naming_its_line",
	 test_protected_bad_line_is_a_usage_error_naming_its_line},
	{"protected_unreadable_file_is_a_usage_error", test_protected_unreadable_file_is_a_usage_error},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("validate", NULL, NULL, tests)
