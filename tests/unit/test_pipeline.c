/* Unit tests of lib/pipeline: the pipeline YAML, its defaults and its errors. */
#include "unit.h"

#include "fsutil.h"
#include "pipeline.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* docs/contract.md section 4's example, without the darkwebid keys. */
static const char bullphish_full[] =
	"name: bullphish-nightly          # run folder name under out/\n"
	"product: bullphish               # bullphish | darkwebid\n"
	"itglue:\n"
	"  region: us                     # us | eu | au\n"
	"  api_key_file: /etc/itg/key     # optional; else ITGLUE_API_KEY\n"
	"store: ../out/stores/bullphish   # product store folder (section 5)\n"
	"out: ../out                      # runs go to out/<name>/<run-id>/\n"
	"sync:\n"
	"  organization_types: all        # all | [list of type names or ids]\n"
	"  organization_statuses: all     # all | [list of status names or ids]\n"
	"  auto_link: normalized          # off | exact | normalized | fuzzy\n"
	"  fuzzy_threshold: 0.92          # only with fuzzy\n"
	"  contacts:                      # bullphish only\n"
	"    enabled: true\n"
	"    contact_types: all           # all | [list]\n"
	"import:\n"
	"  select: none                   # none | all | [list of IT Glue org names or ids]\n"
	"  defaults:\n"
	"    employee_count: \"11-50\"      # 1-10 | 11-50 | 51-250 | 251+\n"
	"    industry: Other              # see the list below\n"
	"    phishing: false              # bullphish only\n"
	"    training: false              # bullphish only\n"
	"  overrides:                     # per IT Glue org, by name or id\n"
	"    - itglue_organization: \"Acme Dental\"\n"
	"      employee_count: \"51-250\"\n"
	"      industry: Healthcare\n"
	"licenses:\n"
	"  phishing: 500                  # bullphish: seats; users of orgs with the module on\n"
	"  training: 500\n";

/* The same example for Dark Web ID: no contacts, phishing or training keys. */
static const char darkwebid_full[] =
	"name: darkwebid-nightly\n"
	"product: darkwebid\n"
	"itglue:\n"
	"  region: eu\n"
	"store: ../out/stores/darkwebid\n"
	"out: ../out\n"
	"sync:\n"
	"  organization_types: [Customer, 42, \"7\"]\n"
	"  organization_statuses: [Active]\n"
	"  auto_link: fuzzy\n"
	"  fuzzy_threshold: 0.85\n"
	"import:\n"
	"  select: [\"Acme Dental\", 1234567890123456789012]\n"
	"  defaults:\n"
	"    employee_count: 1-10\n"
	"    industry: Legal\n"
	"  overrides:\n"
	"    - itglue_organization: 17\n"
	"      employee_count: \"251+\"\n"
	"licenses:\n"
	"  domains: 200                   # darkwebid: imported domains\n"
	"domains:                         # darkwebid only\n"
	"  protected: protected-domains.txt   # one domain or suffix per line\n";

struct fixture {
	char *dir;    /* the temporary top folder */
	char *path;   /* DIR/pipelines/test.yaml */
};

static void fixture_write(struct fixture *f, const char *text)
{
	char *sub;

	f->dir = unit_tmpdir();
	sub = fs_join(f->dir, "pipelines");
	CU_ASSERT_EQUAL(fs_mkdir_p(sub, 0700, &(struct itg_err){0}), 0);
	f->path = fs_join(sub, "test.yaml");
	CU_ASSERT_EQUAL(unit_write_file(f->path, text), 0);
	free(sub);
}

static void fixture_done(struct fixture *f)
{
	free(f->path);
	unit_rmtree(f->dir);
}

/* Loads text; expects failure with code 2 and message "PATH:at" (at = "L:C: text"). */
static int fails_with(const char *text, const char *at)
{
	struct fixture f;
	struct pipeline p;
	struct itg_err e = {0};
	char *want;
	int ok;

	fixture_write(&f, text);
	memset(&p, 0xA5, sizeof p);  /* garbage in: the loader must leave it empty */
	ok = pipeline_load(f.path, &p, &e) == -1 && e.code == ITG_EXIT_USAGE;
	want = xasprintf("%s:%s", f.path, at);
	if (strcmp(e.msg, want) != 0) {
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", e.msg, want);
		ok = 0;
	}
	/* p is left empty: nothing to free */
	if (p.path || p.name || p.raw || p.region)
		ok = 0;
	free(want);
	fixture_done(&f);
	return ok;
}

static void test_contract_example_loads_for_bullphish(void)
{
	struct fixture f;
	struct pipeline p;
	struct itg_err e = {0};
	char *want;

	fixture_write(&f, bullphish_full);
	CU_ASSERT_EQUAL_FATAL(pipeline_load(f.path, &p, &e), 0);
	CU_ASSERT_STRING_EQUAL(p.name, "bullphish-nightly");
	CU_ASSERT_EQUAL(p.product, PRODUCT_BULLPHISH);
	CU_ASSERT_STRING_EQUAL(product_name(p.product), "bullphish");
	CU_ASSERT_STRING_EQUAL(p.region, "us");
	CU_ASSERT_STRING_EQUAL(p.api_key_file, "/etc/itg/key");
	want = xasprintf("%s/pipelines/../out/stores/bullphish", f.dir);
	CU_ASSERT_STRING_EQUAL(p.store, want);
	free(want);
	CU_ASSERT_EQUAL(p.organization_types.all, 1);
	CU_ASSERT_EQUAL(p.organization_statuses.all, 1);
	CU_ASSERT_EQUAL(p.auto_link, AUTO_LINK_NORMALIZED);
	CU_ASSERT_DOUBLE_EQUAL(p.fuzzy_threshold, 0.92, 1e-12);
	CU_ASSERT_EQUAL(p.contacts_enabled, 1);
	CU_ASSERT_EQUAL(p.contact_types.all, 1);
	CU_ASSERT_EQUAL(p.import_select.none, 1);
	CU_ASSERT_EQUAL(p.import_select.all, 0);
	CU_ASSERT_STRING_EQUAL(p.default_employee_count, "11-50");
	CU_ASSERT_STRING_EQUAL(p.default_industry, "Other");
	CU_ASSERT_EQUAL(p.default_phishing, 0);
	CU_ASSERT_EQUAL(p.default_training, 0);
	CU_ASSERT_EQUAL_FATAL(p.n_overrides, 1);
	CU_ASSERT_STRING_EQUAL(p.overrides[0].target.text, "Acme Dental");
	CU_ASSERT_EQUAL(p.overrides[0].target.is_int, 0);
	CU_ASSERT_EQUAL(p.overrides[0].line, 24);
	CU_ASSERT_STRING_EQUAL(p.overrides[0].employee_count, "51-250");
	CU_ASSERT_STRING_EQUAL(p.overrides[0].industry, "Healthcare");
	CU_ASSERT_EQUAL(p.overrides[0].phishing, -1);
	CU_ASSERT_EQUAL(p.overrides[0].training, -1);
	CU_ASSERT_EQUAL(p.license_phishing, 500);
	CU_ASSERT_EQUAL(p.license_training, 500);
	CU_ASSERT_EQUAL(p.license_domains, LICENSE_UNLIMITED);
	CU_ASSERT_PTR_NULL(p.protected_domains);
	CU_ASSERT_EQUAL(p.raw_len, strlen(bullphish_full));
	CU_ASSERT(memcmp(p.raw, bullphish_full, p.raw_len) == 0);
	pipeline_free(&p);
	CU_ASSERT_PTR_NULL(p.name);
	fixture_done(&f);
}

static void test_contract_example_loads_for_darkwebid_with_lists(void)
{
	struct fixture f;
	struct pipeline p;
	struct itg_err e = {0};
	char *want;

	fixture_write(&f, darkwebid_full);
	CU_ASSERT_EQUAL_FATAL(pipeline_load(f.path, &p, &e), 0);
	CU_ASSERT_EQUAL(p.product, PRODUCT_DARKWEBID);
	CU_ASSERT_STRING_EQUAL(p.region, "eu");
	CU_ASSERT_EQUAL(p.auto_link, AUTO_LINK_FUZZY);
	CU_ASSERT_STRING_EQUAL(auto_link_name(p.auto_link), "fuzzy");
	CU_ASSERT_DOUBLE_EQUAL(p.fuzzy_threshold, 0.85, 1e-12);
	CU_ASSERT_EQUAL(p.organization_types.all, 0);
	CU_ASSERT_EQUAL_FATAL(p.organization_types.n, 3);
	CU_ASSERT_STRING_EQUAL(p.organization_types.v[0].text, "Customer");
	CU_ASSERT_EQUAL(p.organization_types.v[0].is_int, 0);
	CU_ASSERT_STRING_EQUAL(p.organization_types.v[1].text, "42");
	CU_ASSERT_EQUAL(p.organization_types.v[1].is_int, 1);
	CU_ASSERT_EQUAL(p.organization_types.v[1].line, 8);
	CU_ASSERT_EQUAL(p.organization_types.v[1].col, 34);
	CU_ASSERT_STRING_EQUAL(p.organization_types.v[2].text, "7");
	CU_ASSERT_EQUAL(p.organization_types.v[2].is_int, 0);
	CU_ASSERT_EQUAL_FATAL(p.import_select.n, 2);
	CU_ASSERT_EQUAL(p.import_select.none, 0);
	CU_ASSERT_STRING_EQUAL(p.import_select.v[1].text, "1234567890123456789012");
	CU_ASSERT_EQUAL(p.import_select.v[1].is_int, 1);
	CU_ASSERT_STRING_EQUAL(p.default_employee_count, "1-10");
	CU_ASSERT_STRING_EQUAL(p.default_industry, "Legal");
	CU_ASSERT_EQUAL_FATAL(p.n_overrides, 1);
	CU_ASSERT_EQUAL(p.overrides[0].target.is_int, 1);
	CU_ASSERT_PTR_NULL(p.overrides[0].industry);
	CU_ASSERT_EQUAL(p.license_domains, 200);
	CU_ASSERT_EQUAL(p.license_phishing, LICENSE_UNLIMITED);
	want = xasprintf("%s/pipelines/protected-domains.txt", f.dir);
	CU_ASSERT_STRING_EQUAL(p.protected_domains, want);
	free(want);
	pipeline_free(&p);
	fixture_done(&f);
}

static void test_absent_keys_take_the_documented_defaults(void)
{
	struct fixture f;
	struct pipeline p;
	struct itg_err e = {0};
	char *want;

	fixture_write(&f, "name: minimal\nproduct: bullphish\n");
	CU_ASSERT_EQUAL_FATAL(pipeline_load(f.path, &p, &e), 0);
	CU_ASSERT_STRING_EQUAL(p.region, "us");
	CU_ASSERT_PTR_NULL(p.api_key_file);
	CU_ASSERT_PTR_NULL(p.base_url);
	CU_ASSERT_PTR_NULL(p.store);
	want = xasprintf("%s/pipelines/../out", f.dir);
	CU_ASSERT_STRING_EQUAL(p.out, want);
	free(want);
	CU_ASSERT_EQUAL(p.keep_runs, 14);
	CU_ASSERT_EQUAL(p.retries, -1);
	CU_ASSERT_EQUAL(p.incremental, 0);
	CU_ASSERT_EQUAL(p.full_every, 24LL * 3600);
	CU_ASSERT_EQUAL(p.concurrency, 0);
	CU_ASSERT_DOUBLE_EQUAL(p.rate, 0, 0);
	CU_ASSERT_EQUAL(p.organization_types.all, 1);
	CU_ASSERT_EQUAL(p.organization_statuses.all, 1);
	CU_ASSERT_EQUAL(p.auto_link, AUTO_LINK_NORMALIZED);
	CU_ASSERT_DOUBLE_EQUAL(p.fuzzy_threshold, 0.92, 1e-12);
	CU_ASSERT_EQUAL(p.contacts_enabled, 0);
	CU_ASSERT_EQUAL(p.contact_types.all, 1);
	CU_ASSERT_EQUAL(p.import_select.none, 1);
	CU_ASSERT_STRING_EQUAL(p.default_employee_count, "11-50");
	CU_ASSERT_STRING_EQUAL(p.default_industry, "Other");
	CU_ASSERT_EQUAL(p.default_phishing, 0);
	CU_ASSERT_EQUAL(p.default_training, 0);
	CU_ASSERT_EQUAL(p.n_overrides, 0);
	CU_ASSERT_EQUAL(p.license_phishing, LICENSE_UNLIMITED);
	CU_ASSERT_EQUAL(p.license_training, LICENSE_UNLIMITED);
	CU_ASSERT_EQUAL(p.license_domains, LICENSE_UNLIMITED);
	CU_ASSERT_EQUAL(p.max_unlinks.is_percent, 1);
	CU_ASSERT_DOUBLE_EQUAL(p.max_unlinks.percent, 10.0, 1e-12);
	CU_ASSERT_EQUAL(p.max_user_unlinks.is_percent, 1);
	CU_ASSERT_DOUBLE_EQUAL(p.max_user_unlinks.percent, 10.0, 1e-12);
	pipeline_free(&p);
	fixture_done(&f);
}

static void test_safety_limits_are_counts_or_percentages(void)
{
	struct fixture f;
	struct pipeline p;
	struct itg_err e = {0};

	fixture_write(&f, "name: x\nproduct: bullphish\nsafety:\n  max_unlinks: 25\n"
			  "  max_user_unlinks: \"2.5%\"\n");
	CU_ASSERT_EQUAL_FATAL(pipeline_load(f.path, &p, &e), 0);
	CU_ASSERT_EQUAL(p.max_unlinks.is_percent, 0);
	CU_ASSERT_EQUAL(p.max_unlinks.count, 25);
	CU_ASSERT_EQUAL(p.max_user_unlinks.is_percent, 1);
	CU_ASSERT_DOUBLE_EQUAL(p.max_user_unlinks.percent, 2.5, 1e-12);
	pipeline_free(&p);
	fixture_done(&f);
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsafety:\n  max_unlinks: 150%\n",
			     "4:16: safety.max_unlinks: \"150%\" is not a percentage from 0% to "
			     "100%"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsafety:\n  max_unlinks: lots\n",
			     "4:16: safety.max_unlinks: \"lots\" is not a whole number from 0 to "
			     "1000000000"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsafety:\n  max_unlinks: \"7\"\n",
			     "4:16: safety.max_unlinks: \"7\" is neither a count nor a percentage "
			     "(such as 10%)"));
	CU_ASSERT(fails_with("name: x\nproduct: darkwebid\nsafety:\n  max_user_unlinks: 5\n",
			     "4:3: safety.max_user_unlinks: only for product bullphish, remove it "
			     "from a darkwebid pipeline"));
}

/* max(10, ceil(P/100 x N)) for a percentage; exactly the count otherwise. */
static void test_safety_allowance_has_a_floor_of_ten_for_percentages(void)
{
	struct safety_limit ten = {1, 10.0, 0}, zero = {1, 0.0, 0}, count = {0, 0, 3};
	struct safety_limit half = {1, 0.5, 0};

	CU_ASSERT_EQUAL(safety_allowance(&ten, 0), 10);
	CU_ASSERT_EQUAL(safety_allowance(&ten, 99), 10);
	CU_ASSERT_EQUAL(safety_allowance(&ten, 200), 20);
	CU_ASSERT_EQUAL(safety_allowance(&ten, 201), 21);
	CU_ASSERT_EQUAL(safety_allowance(&zero, 5000), 10);
	CU_ASSERT_EQUAL(safety_allowance(&half, 10000), 50);
	CU_ASSERT_EQUAL(safety_allowance(&half, 10001), 51);
	CU_ASSERT_EQUAL(safety_allowance(&count, 100000), 3);
	count.count = 0;
	CU_ASSERT_EQUAL(safety_allowance(&count, 100000), 0);
}

static void test_relative_paths_resolve_against_the_pipeline_folder(void)
{
	struct fixture f;
	struct pipeline p;
	struct itg_err e = {0};
	char *want;

	fixture_write(&f, "name: paths\nproduct: darkwebid\nstore: stores/dw\nout: /abs/out\n"
			  "itglue:\n  api_key_file: keys/itg.key\n  base_url: http://127.0.0.1:8080\n"
			  "  rate: 2.5\n  concurrency: 4\n  timeout: 30\n  retries: 0\n"
			  "  page_size: 1000\nkeep_runs: 3\n"
			  "domains:\n  protected: /etc/protected.txt\n");
	CU_ASSERT_EQUAL_FATAL(pipeline_load(f.path, &p, &e), 0);
	want = xasprintf("%s/pipelines/stores/dw", f.dir);
	CU_ASSERT_STRING_EQUAL(p.store, want);
	free(want);
	want = xasprintf("%s/pipelines/keys/itg.key", f.dir);
	CU_ASSERT_STRING_EQUAL(p.api_key_file, want);
	free(want);
	CU_ASSERT_STRING_EQUAL(p.out, "/abs/out");
	CU_ASSERT_STRING_EQUAL(p.protected_domains, "/etc/protected.txt");
	CU_ASSERT_STRING_EQUAL(p.base_url, "http://127.0.0.1:8080");
	CU_ASSERT_DOUBLE_EQUAL(p.rate, 2.5, 1e-12);
	CU_ASSERT_EQUAL(p.concurrency, 4);
	CU_ASSERT_EQUAL(p.timeout, 30);
	CU_ASSERT_EQUAL(p.retries, 0);
	CU_ASSERT_EQUAL(p.page_size, 1000);
	CU_ASSERT_EQUAL(p.keep_runs, 3);
	pipeline_free(&p);
	fixture_done(&f);
}

static void test_overrides_may_set_modules_for_bullphish(void)
{
	struct fixture f;
	struct pipeline p;
	struct itg_err e = {0};

	fixture_write(&f, "name: x\nproduct: bullphish\nimport:\n  select: all\n  overrides:\n"
			  "    - itglue_organization: 5\n      phishing: true\n"
			  "    - {itglue_organization: Globex, training: false}\n");
	CU_ASSERT_EQUAL_FATAL(pipeline_load(f.path, &p, &e), 0);
	CU_ASSERT_EQUAL(p.import_select.all, 1);
	CU_ASSERT_EQUAL_FATAL(p.n_overrides, 2);
	CU_ASSERT_EQUAL(p.overrides[0].phishing, 1);
	CU_ASSERT_EQUAL(p.overrides[0].training, -1);
	CU_ASSERT_EQUAL(p.overrides[1].training, 0);
	CU_ASSERT_EQUAL(p.overrides[1].line, 8);
	CU_ASSERT_STRING_EQUAL(p.overrides[1].target.text, "Globex");
	pipeline_free(&p);
	fixture_done(&f);
}

static void test_unknown_key_is_an_error(void)
{
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsync:\n  auto_lnk: exact\n",
			     "4:3: sync.auto_lnk: unknown key, remove it or check its spelling"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nbogus: 1\n",
			     "3:1: bogus: unknown key, remove it or check its spelling"));
}

static void test_duplicate_key_is_an_error(void)
{
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nitglue:\n  region: us\n  region: eu\n",
			     "5:3: itglue.region: duplicate key (first at line 4), keep one"));
}

static void test_wrong_type_is_an_error(void)
{
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsync:\n  auto_link:\n    a: b\n",
			     "5:5: sync.auto_link: expected a single value, found a mapping"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nlicenses:\n  phishing: 12.5\n",
			     "4:13: licenses.phishing: \"12.5\" is not a whole number from 0 to "
			     "1000000000"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nlicenses:\n  phishing: \"12\"\n",
			     "4:13: licenses.phishing: \"12\" is not a whole number from 0 to "
			     "1000000000"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsync:\n  fuzzy_threshold: 1.5\n",
			     "4:20: sync.fuzzy_threshold: \"1.5\" is not a number in [0, 1]"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsync:\n  fuzzy_threshold: high\n",
			     "4:20: sync.fuzzy_threshold: \"high\" is not a number in [0, 1]"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsync: [a]\n",
			     "3:7: sync: expected a mapping (key: value lines), found a list"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nitglue:\n  concurrency: 64\n",
			     "4:16: itglue.concurrency: \"64\" is not a whole number from 1 to 32"));
}

static void test_value_outside_its_list_is_an_error(void)
{
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsync:\n  auto_link: maybe\n",
			     "4:14: sync.auto_link: \"maybe\" is not one of off, exact, "
			     "normalized, fuzzy"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nitglue:\n  region: ca\n",
			     "4:11: itglue.region: \"ca\" is not one of us, eu, au"));
	CU_ASSERT(fails_with("name: x\nproduct: phishing\n",
			     "2:10: product: \"phishing\" is not one of bullphish, darkwebid"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nimport:\n  defaults:\n"
			     "    employee_count: 11-49\n",
			     "5:21: import.defaults.employee_count: \"11-49\" is not one of "
			     "1-10, 11-50, 51-250, 251+"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsync:\n  organization_types: none\n",
			     "4:23: sync.organization_types: \"none\" is not all or a list of "
			     "names or ids"));
}

static void test_bad_industry_in_an_override_is_an_error(void)
{
	CU_ASSERT(fails_with("name: x\nproduct: darkwebid\nimport:\n  overrides:\n"
			     "    - itglue_organization: Acme\n      industry: healthcare\n",
			     "6:17: import.overrides.industry: \"healthcare\" is not one of "
			     "Accounting, Agriculture, Construction, Education, Energy, "
			     "Financial Services, Government, Healthcare, Hospitality, Insurance, "
			     "Legal, Manufacturing, Media, Non-Profit, Real Estate, Retail, "
			     "Technology, Transportation, Other"));
	CU_ASSERT(fails_with("name: x\nproduct: darkwebid\nimport:\n  overrides:\n"
			     "    - industry: Legal\n",
			     "5:7: import.overrides: itglue_organization is missing, name the "
			     "IT Glue organization (name or id)"));
}

static void test_key_of_the_other_product_is_an_error(void)
{
	CU_ASSERT(fails_with("name: x\nproduct: darkwebid\nsync:\n  contacts:\n    enabled: true\n",
			     "4:3: sync.contacts: only for product bullphish, remove it from a "
			     "darkwebid pipeline"));
	CU_ASSERT(fails_with("name: x\nproduct: darkwebid\nlicenses:\n  phishing: 5\n",
			     "4:3: licenses.phishing: only for product bullphish, remove it from a "
			     "darkwebid pipeline"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nlicenses:\n  domains: 5\n",
			     "4:3: licenses.domains: only for product darkwebid, remove it from a "
			     "bullphish pipeline"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\ndomains:\n  protected: p.txt\n",
			     "3:1: domains: only for product darkwebid, remove it from a "
			     "bullphish pipeline"));
	CU_ASSERT(fails_with("name: x\nproduct: darkwebid\nimport:\n  overrides:\n"
			     "    - itglue_organization: 3\n      training: true\n",
			     "6:7: import.overrides.training: only for product bullphish, remove it "
			     "from a darkwebid pipeline"));
	CU_ASSERT(fails_with("name: x\nproduct: darkwebid\nimport:\n  defaults:\n"
			     "    phishing: false\n",
			     "5:5: import.defaults.phishing: only for product bullphish, remove it "
			     "from a darkwebid pipeline"));
}

static void test_anchor_and_alias_are_errors(void)
{
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nstore: *s\n",
			     "3:8: aliases are not allowed, write the value out in full"));
	CU_ASSERT(fails_with("name: &n x\nproduct: bullphish\n",
			     "1:7: anchors are not allowed, write the value out in full"));
}

static void test_tab_indentation_is_a_syntax_error_with_position(void)
{
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsync:\n\tauto_link: exact\n",
			     "4:1: while scanning for the next token found character that cannot "
			     "start any token, indent with spaces, not tabs"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsync: [a, b\n",
			     "4:1: while parsing a flow sequence did not find expected ',' or ']', "
			     "fix the yaml syntax here"));
}

static void test_missing_name_or_product_is_an_error(void)
{
	CU_ASSERT(fails_with("product: bullphish\nstore: s\n",
			     "1:1: name: missing, name the pipeline (its run folder under out/)"));
	CU_ASSERT(fails_with("name: x\nstore: s\n",
			     "1:1: product: missing, set it to bullphish or darkwebid"));
	CU_ASSERT(fails_with("# only a comment\n",
			     "1:1: empty pipeline, set at least name and product"));
	CU_ASSERT(fails_with("name: ../etc\nproduct: bullphish\n",
			     "1:7: name: \"../etc\" must not start with a dot, it names a folder"));
}

static void test_yes_is_not_a_boolean(void)
{
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsync:\n  contacts:\n    enabled: yes\n",
			     "5:14: sync.contacts.enabled: \"yes\" is not a boolean, write true or "
			     "false"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nsync:\n  contacts:\n    enabled: "
			     "\"true\"\n",
			     "5:14: sync.contacts.enabled: \"true\" is not a boolean, write true or "
			     "false"));
}

static void test_deep_nesting_and_big_files_are_refused(void)
{
	struct fixture f;
	struct pipeline p;
	struct itg_err e = {0};
	struct buf b = {0};

	buf_adds(&b, "name: x\nproduct: bullphish\nsync: ");
	for (int i = 0; i < 100; i++)
		buf_addc(&b, '[');
	CU_ASSERT(fails_with(buf_str(&b), "3:70: nested more than 64 levels deep, flatten the file"));
	buf_reset(&b);
	buf_adds(&b, "name: x\nproduct: bullphish\n");
	while (b.len <= 1024 * 1024)
		buf_adds(&b, "# padding padding padding padding padding padding padding\n");
	fixture_write(&f, buf_str(&b));
	CU_ASSERT_EQUAL(pipeline_load(f.path, &p, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "larger than"));
	fixture_done(&f);
	buf_free(&b);
}

/* Windows editors start a UTF-8 file with a BOM: dropped, and it takes no column. */
static void test_utf8_bom_is_dropped_before_parsing(void)
{
	struct fixture f;
	struct pipeline p;
	struct itg_err e = {0};
	struct buf text = {0};

	buf_adds(&text, "\xEF\xBB\xBF");
	buf_adds(&text, bullphish_full);
	fixture_write(&f, buf_str(&text));
	CU_ASSERT_EQUAL_FATAL(pipeline_load(f.path, &p, &e), 0);
	CU_ASSERT_STRING_EQUAL(p.name, "bullphish-nightly");
	CU_ASSERT_EQUAL(p.product, PRODUCT_BULLPHISH);
	CU_ASSERT_EQUAL(p.license_training, 500);
	CU_ASSERT_EQUAL_FATAL(p.n_overrides, 1);
	CU_ASSERT_EQUAL(p.overrides[0].line, 24);
	/* the settings hash is of the file as it is: raw keeps the BOM */
	CU_ASSERT_EQUAL(p.raw_len, text.len);
	CU_ASSERT(memcmp(p.raw, text.p, p.raw_len) == 0);
	pipeline_free(&p);
	fixture_done(&f);

	/* the first key right after the BOM, then a second document marker */
	fixture_write(&f, "\xEF\xBB\xBF" "name: x\nproduct: darkwebid\n");
	CU_ASSERT_EQUAL_FATAL(pipeline_load(f.path, &p, &e), 0);
	CU_ASSERT_STRING_EQUAL(p.name, "x");
	pipeline_free(&p);
	fixture_done(&f);
	fixture_write(&f, "\xEF\xBB\xBF" "---\nname: x\nproduct: darkwebid\n");
	CU_ASSERT_EQUAL_FATAL(pipeline_load(f.path, &p, &e), 0);
	CU_ASSERT_STRING_EQUAL(p.name, "x");
	pipeline_free(&p);
	fixture_done(&f);
	buf_free(&text);
}

static void test_errors_after_a_bom_name_the_same_line_and_column(void)
{
	/* on the BOM's own line, where a column would shift */
	CU_ASSERT(fails_with("\xEF\xBB\xBF" "name: &n x\nproduct: bullphish\n",
			     "1:7: anchors are not allowed, write the value out in full"));
	CU_ASSERT(fails_with("\xEF\xBB\xBF" "bogus: 1\nname: x\nproduct: bullphish\n",
			     "1:1: bogus: unknown key, remove it or check its spelling"));
	CU_ASSERT(fails_with("\xEF\xBB\xBF" "name: x\nproduct: phishing\n",
			     "2:10: product: \"phishing\" is not one of bullphish, darkwebid"));
	CU_ASSERT(fails_with("\xEF\xBB\xBF" "name: x\nproduct: bullphish\nsync:\n\tauto_link: exact\n",
			     "4:1: while scanning for the next token found character that cannot "
			     "start any token, indent with spaces, not tabs"));
	CU_ASSERT(fails_with("\xEF\xBB\xBF" "name: x\nproduct: bullphish\nsync: [a, b\n",
			     "4:1: while parsing a flow sequence did not find expected ',' or ']', "
			     "fix the yaml syntax here"));
	/* only the file's first bytes are dropped: a BOM further on is libyaml's to refuse */
	CU_ASSERT(fails_with("name: x\n\xEF\xBB\xBF" "product: bullphish\n",
			     "2:2: while parsing a block mapping did not find expected key, fix the "
			     "yaml syntax here"));
}

static void test_missing_file_is_a_usage_error(void)
{
	struct pipeline p;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(pipeline_load("no/such/pipeline.yaml", &p, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no/such/pipeline.yaml"));
	CU_ASSERT_PTR_NULL(p.path);
}

static void test_incremental_and_full_every_are_read(void)
{
	struct fixture f;
	struct pipeline p;
	struct itg_err e = {0};

	fixture_write(&f, "name: x\nproduct: bullphish\nitglue:\n  incremental: true\n"
			  "  full_every: 90m\n");
	CU_ASSERT_EQUAL_FATAL(pipeline_load(f.path, &p, &e), 0);
	CU_ASSERT_EQUAL(p.incremental, 1);
	CU_ASSERT_EQUAL(p.full_every, 90LL * 60);
	pipeline_free(&p);
	fixture_done(&f);
	fixture_write(&f, "name: x\nproduct: darkwebid\nitglue:\n  incremental: false\n"
			  "  full_every: \"7d\"\n");
	CU_ASSERT_EQUAL_FATAL(pipeline_load(f.path, &p, &e), 0);
	CU_ASSERT_EQUAL(p.incremental, 0);
	CU_ASSERT_EQUAL(p.full_every, 7LL * 86400);
	pipeline_free(&p);
	fixture_done(&f);
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nitglue:\n  incremental: yes\n",
			     "4:16: itglue.incremental: \"yes\" is not a boolean, write true or "
			     "false"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nitglue:\n  full_every: 24\n",
			     "4:15: itglue.full_every: \"24\" is not a duration: write minutes, "
			     "hours or days as 30m, 24h or 7d (at most 3650d)"));
	CU_ASSERT(fails_with("name: x\nproduct: bullphish\nitglue:\n  full_every: [1h]\n",
			     "4:15: itglue.full_every: expected a single value, found a list"));
}

static void test_durations_take_minutes_hours_and_days(void)
{
	static const char *const bad[] = {"", "0h", "01h", "h", "1", "1s", "1w", "1H", "-1h",
					  "1.5h", " 1h", "1h ", "1hm", "3651d", "99999999999d",
					  NULL};
	long long s = -7;

	CU_ASSERT(pipeline_parse_duration("1m", &s) == 0 && s == 60);
	CU_ASSERT(pipeline_parse_duration("24h", &s) == 0 && s == 86400);
	CU_ASSERT(pipeline_parse_duration("7d", &s) == 0 && s == 7 * 86400);
	CU_ASSERT(pipeline_parse_duration("90m", &s) == 0 && s == 5400);
	CU_ASSERT(pipeline_parse_duration("3650d", &s) == 0 && s == PIPELINE_FULL_EVERY_MAX);
	s = -7;
	for (int i = 0; bad[i]; i++) {
		CU_ASSERT_EQUAL(pipeline_parse_duration(bad[i], &s), -1);
		CU_ASSERT_EQUAL(s, -7);
	}
	CU_ASSERT_EQUAL(pipeline_parse_duration(NULL, &s), -1);
}

static CU_TestInfo tests[] = {
	{"test_incremental_and_full_every_are_read", test_incremental_and_full_every_are_read},
	{"test_durations_take_minutes_hours_and_days", test_durations_take_minutes_hours_and_days},
	{"test_contract_example_loads_for_bullphish", test_contract_example_loads_for_bullphish},
	{"test_contract_example_loads_for_darkwebid_with_lists",
	 test_contract_example_loads_for_darkwebid_with_lists},
	{"test_absent_keys_take_the_documented_defaults",
	 test_absent_keys_take_the_documented_defaults},
	{"test_safety_limits_are_counts_or_percentages",
	 test_safety_limits_are_counts_or_percentages},
	{"test_safety_allowance_has_a_floor_of_ten_for_percentages",
	 test_safety_allowance_has_a_floor_of_ten_for_percentages},
	{"test_relative_paths_resolve_against_the_pipeline_folder",
	 test_relative_paths_resolve_against_the_pipeline_folder},
	{"test_overrides_may_set_modules_for_bullphish",
	 test_overrides_may_set_modules_for_bullphish},
	{"test_unknown_key_is_an_error", test_unknown_key_is_an_error},
	{"test_duplicate_key_is_an_error", test_duplicate_key_is_an_error},
	{"test_wrong_type_is_an_error", test_wrong_type_is_an_error},
	{"test_value_outside_its_list_is_an_error", test_value_outside_its_list_is_an_error},
	{"test_bad_industry_in_an_override_is_an_error",
	 test_bad_industry_in_an_override_is_an_error},
	{"test_key_of_the_other_product_is_an_error", test_key_of_the_other_product_is_an_error},
	{"test_anchor_and_alias_are_errors", test_anchor_and_alias_are_errors},
	{"test_tab_indentation_is_a_syntax_error_with_position",
	 test_tab_indentation_is_a_syntax_error_with_position},
	{"test_missing_name_or_product_is_an_error", test_missing_name_or_product_is_an_error},
	{"test_yes_is_not_a_boolean", test_yes_is_not_a_boolean},
	{"test_deep_nesting_and_big_files_are_refused", test_deep_nesting_and_big_files_are_refused},
	{"test_missing_file_is_a_usage_error", test_missing_file_is_a_usage_error},
	{"test_utf8_bom_is_dropped_before_parsing", test_utf8_bom_is_dropped_before_parsing},
	{"test_errors_after_a_bom_name_the_same_line_and_column",
	 test_errors_after_a_bom_name_the_same_line_and_column},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("pipeline", NULL, NULL, tests)
