/* Unit tests of lib/integration: the store's integration.json. */
#include "unit.h"

#include "fsutil.h"
#include "integration.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *write_state(const char *dir, const char *text)
{
	char *path = fs_join(dir, INTEGRATION_FILE);

	CU_ASSERT_EQUAL(unit_write_file(path, text), 0);
	return path;
}

static void test_render_matches_the_bytes_itg_load_writes(void)
{
	char *golden = unit_repo_path("tests/golden/load/bullphish/store-after/integration.json");
	struct integration it = {0};
	struct buf want = {0}, got = {0};
	struct itg_err e = {0};

	CU_ASSERT_EQUAL_FATAL(fs_read_all(golden, &want, 0, &e), 0);
	integration_set(&it.status, INTEGRATION_CONNECTED);
	integration_set(&it.region, "us");
	integration_set(&it.last_sync, "2026-03-01T05:00:00.000Z");
	integration_set(&it.product, "bullphish");
	integration_set(&it.pipeline, "bullphish-golden");
	integration_render(&it, &got);
	CU_ASSERT_STRING_EQUAL(buf_str(&got), buf_str(&want));
	integration_free(&it);
	buf_free(&want);
	buf_free(&got);
	free(golden);
}

static void test_read_then_render_gives_the_same_bytes(void)
{
	char *dir = unit_tmpdir();
	const char *text = "{\"status\":\"disconnected\",\"region\":\"eu\",\"last_sync\":null,"
			   "\"last_error\":\"run 1: \\\"quoted\\\"\\nand a newline\","
			   "\"product\":\"bullphish\",\"pipeline\":\"nightly\","
			   "\"itglue_account\":{\"primary_organization_id\":\"123456789012345678\","
			   "\"primary_organization_name\":\"Acme MSP\"},"
			   "\"disconnected_by\":\"itglue\"}\n";
	char *path = write_state(dir, text);
	struct integration it;
	struct itg_err e = {0};
	struct buf b = {0};

	CU_ASSERT_EQUAL_FATAL(integration_read(dir, &it, &e), 1);
	CU_ASSERT_STRING_EQUAL(it.status, "disconnected");
	CU_ASSERT_STRING_EQUAL(it.region, "eu");
	CU_ASSERT_PTR_NULL(it.last_sync);
	CU_ASSERT_STRING_EQUAL(it.last_error, "run 1: \"quoted\"\nand a newline");
	CU_ASSERT_STRING_EQUAL(it.account_id, "123456789012345678");
	CU_ASSERT_STRING_EQUAL(it.account_name, "Acme MSP");
	CU_ASSERT_STRING_EQUAL(it.disconnected_by, INTEGRATION_BY_ITGLUE);
	integration_render(&it, &b);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), text);
	integration_free(&it);
	buf_free(&b);
	free(path);
	unit_rmtree(dir);
}

static void test_binding_keys_are_written_only_when_set(void)
{
	struct integration it = {0};
	struct buf b = {0};

	integration_set(&it.status, INTEGRATION_SYNCING);
	integration_set(&it.region, "au");
	integration_set(&it.pipeline, "p");
	integration_render(&it, &b);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), "{\"status\":\"syncing\",\"region\":\"au\",\"last_sync\":null,"
					    "\"last_error\":null,\"pipeline\":\"p\","
					    "\"disconnected_by\":null}\n");
	integration_set(&it.pipeline, NULL);
	CU_ASSERT_PTR_NULL(it.pipeline);
	integration_free(&it);
	buf_free(&b);
}

/*
 * contract.md section 5 lists disconnected_by (operator | itglue | null) and
 * section 10 the bound store's itglue_account: a reader may index both.
 */
static void test_bound_store_always_names_account_and_disconnected_by(void)
{
	struct integration it = {0}, back;
	struct itg_err e = {0};
	struct buf b = {0};

	integration_set(&it.status, INTEGRATION_CONNECTED);
	integration_set(&it.product, "darkwebid");
	integration_set(&it.pipeline, "dw");
	integration_render(&it, &b);
	CU_ASSERT_STRING_EQUAL(buf_str(&b),
			       "{\"status\":\"connected\",\"region\":null,\"last_sync\":null,"
			       "\"last_error\":null,\"product\":\"darkwebid\",\"pipeline\":\"dw\","
			       "\"itglue_account\":{\"primary_organization_id\":null,"
			       "\"primary_organization_name\":null},\"disconnected_by\":null}\n");
	/* read back, the null account binds nothing and nobody disconnected it */
	CU_ASSERT_EQUAL_FATAL(integration_parse("x.json", b.p, b.len, &back, &e), 1);
	CU_ASSERT_PTR_NULL(back.account_id);
	CU_ASSERT_PTR_NULL(back.account_name);
	CU_ASSERT_PTR_NULL(back.disconnected_by);
	CU_ASSERT_STRING_EQUAL(integration_effective_status(&back), INTEGRATION_CONNECTED);
	integration_free(&back);
	integration_free(&it);
	buf_free(&b);
}

static void test_numeric_account_id_is_kept_as_text(void)
{
	struct integration it;
	struct itg_err e = {0};
	const char *text = "{\"status\":\"connected\",\"itglue_account\":{\"primary_organization_id\":"
			   "123456789012345678}}";

	CU_ASSERT_EQUAL_FATAL(integration_parse("x.json", text, strlen(text), &it, &e), 1);
	CU_ASSERT_STRING_EQUAL(it.account_id, "123456789012345678");
	CU_ASSERT_PTR_NULL(it.account_name);
	integration_free(&it);
}

static void test_missing_or_empty_file_is_no_state_yet(void)
{
	char *dir = unit_tmpdir();
	struct integration it;
	struct itg_err e = {0};
	char *path;

	CU_ASSERT_EQUAL(integration_read(dir, &it, &e), 0);
	CU_ASSERT_PTR_NULL(it.status);
	path = write_state(dir, "");
	CU_ASSERT_EQUAL(integration_read(dir, &it, &e), 0);
	CU_ASSERT_PTR_NULL(it.region);
	integration_free(&it);
	free(path);
	unit_rmtree(dir);
}

/* Each malformed text, and the words its message must hold. */
static void test_malformed_state_is_a_usage_error_naming_the_file(void)
{
	static const char *const cases[][2] = {
		{"{\"status\":\"connected\"", "not JSON"},
		{"[1,2]", "not a JSON object"},
		{"{\"status\":\"paused\"}", "\"status\" is \"paused\", not connected, disconnected, syncing or null"},
		{"{\"status\":\"connected\",\"last_sync\":5}", "\"last_sync\" must be a string or null"},
		{"{\"itglue_account\":\"acme\"}", "\"itglue_account\" must be an object or null"},
		{"{\"disconnected_by\":\"someone\"}", "\"disconnected_by\" is \"someone\""},
		{"{\"status\":\"connected\"} // note", "not JSON"},
	};
	char *dir = unit_tmpdir();

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *path = write_state(dir, cases[i][0]);
		struct integration it;
		struct itg_err e = {0};

		CU_ASSERT_EQUAL(integration_read(dir, &it, &e), -1);
		CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, cases[i][1]));
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "fix or remove the file"));
		if (!strstr(e.msg, cases[i][1]))
			fprintf(stderr, "case %zu: %s\n", i, e.msg);
		CU_ASSERT_PTR_NULL(it.status);
		free(path);
	}
	unit_rmtree(dir);
}

static void test_symbolic_link_is_refused(void)
{
	char *dir = unit_tmpdir();
	char *target = fs_join(dir, "elsewhere.json");
	char *path = fs_join(dir, INTEGRATION_FILE);
	struct integration it;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(unit_write_file(target, "{\"status\":\"connected\"}"), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(target, path), 0);
	CU_ASSERT_EQUAL(integration_read(dir, &it, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "symbolic link"));
	free(target);
	free(path);
	unit_rmtree(dir);
}

static void test_write_is_private_and_leaves_no_temporary_file(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, INTEGRATION_FILE);
	struct integration it = {0}, back;
	struct itg_err e = {0};
	struct stat st;
	struct dirent *de;
	DIR *d;
	int n = 0;

	integration_set(&it.status, INTEGRATION_CONNECTED);
	integration_set(&it.region, "us");
	integration_set(&it.last_error, "itg-extract failed with exit code 1");
	CU_ASSERT_EQUAL_FATAL(integration_write(dir, &it, &e), 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' || strstr(de->d_name, ".tmp."))
			n++;
	if (d)
		closedir(d);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(integration_read(dir, &back, &e), 1);
	CU_ASSERT_STRING_EQUAL(back.last_error, "itg-extract failed with exit code 1");
	CU_ASSERT_PTR_NULL(back.last_sync);
	integration_free(&back);
	integration_free(&it);
	free(path);
	unit_rmtree(dir);
}

static void test_effective_status_reads_syncing_as_the_status_before(void)
{
	struct integration it = {0};

	CU_ASSERT_PTR_NULL(integration_effective_status(&it));
	CU_ASSERT_FALSE(integration_is_bound(&it));
	integration_set(&it.status, INTEGRATION_SYNCING);
	CU_ASSERT_STRING_EQUAL(integration_effective_status(&it), INTEGRATION_CONNECTED);
	integration_set(&it.disconnected_by, INTEGRATION_BY_OPERATOR);
	CU_ASSERT_STRING_EQUAL(integration_effective_status(&it), INTEGRATION_DISCONNECTED);
	integration_set(&it.disconnected_by, INTEGRATION_BY_ITGLUE);
	CU_ASSERT_STRING_EQUAL(integration_effective_status(&it), INTEGRATION_DISCONNECTED);
	integration_set(&it.status, INTEGRATION_CONNECTED);
	CU_ASSERT_STRING_EQUAL(integration_effective_status(&it), INTEGRATION_CONNECTED);
	integration_set(&it.account_id, "42");
	CU_ASSERT(integration_is_bound(&it));
	integration_free(&it);
}

static CU_TestInfo tests[] = {
	{"test_render_matches_the_bytes_itg_load_writes",
	 test_render_matches_the_bytes_itg_load_writes},
	{"test_read_then_render_gives_the_same_bytes", test_read_then_render_gives_the_same_bytes},
	{"test_binding_keys_are_written_only_when_set", test_binding_keys_are_written_only_when_set},
	{"test_bound_store_always_names_account_and_disconnected_by",
	 test_bound_store_always_names_account_and_disconnected_by},
	{"test_numeric_account_id_is_kept_as_text", test_numeric_account_id_is_kept_as_text},
	{"test_missing_or_empty_file_is_no_state_yet", test_missing_or_empty_file_is_no_state_yet},
	{"test_malformed_state_is_a_usage_error_naming_the_file",
	 test_malformed_state_is_a_usage_error_naming_the_file},
	{"test_symbolic_link_is_refused", test_symbolic_link_is_refused},
	{"test_write_is_private_and_leaves_no_temporary_file",
	 test_write_is_private_and_leaves_no_temporary_file},
	{"test_effective_status_reads_syncing_as_the_status_before",
	 test_effective_status_reads_syncing_as_the_status_before},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("integration", NULL, NULL, tests)
