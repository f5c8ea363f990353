/*
 * Unit tests of the snapshot manifest's evidence keys: "account" and the
 * organizations entry's confirmed_deleted / unconfirmed_missing
 * (docs/contract.md section 3), written, read back, and refused when malformed.
 */
#include "unit.h"

#include "fsutil.h"
#include "snapshot.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* A manifest with organizations and contacts, no records. */
static void base_manifest(struct snapshot_manifest *m)
{
	memset(m, 0, sizeof *m);
	m->format = SNAPSHOT_FORMAT;
	strcpy(m->region, "us");
	strcpy(m->base_url, "https://api.itglue.com");
	strcpy(m->started_at, "2026-01-01T00:00:00.000Z");
	strcpy(m->finished_at, "2026-01-01T00:00:01.000Z");
	m->res[RES_ORGANIZATIONS].present = 1;
	strcpy(m->res[RES_ORGANIZATIONS].file, "organizations.ndjson.gz");
	m->res[RES_CONTACTS].present = 1;
	strcpy(m->res[RES_CONTACTS].file, "contacts.ndjson.gz");
}

static char *read_text(const char *dir)
{
	char *path = fs_join(dir, "manifest.json");
	struct buf b = {0};
	struct itg_err e = {0};

	fs_read_all(path, &b, 0, &e);
	free(path);
	return buf_detach(&b);
}

static void test_evidence_keys_are_written_in_the_documented_shape(void)
{
	char *dir = unit_tmpdir();
	struct snapshot_manifest m;
	struct itg_err e = {0};
	char *text;

	base_manifest(&m);
	snapshot_manifest_set_account(&m, "1", "Kaseya Partner MSP");
	m.has_missing = 1;
	snapshot_ids_add(&m.confirmed_deleted, "99");
	snapshot_ids_add(&m.unconfirmed_missing, "123456789012345678");
	snapshot_ids_add(&m.unconfirmed_missing, "14");
	snapshot_ids_sort(&m.unconfirmed_missing);
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_write(dir, &m, &e), 0);
	text = read_text(dir);
	CU_ASSERT_STRING_EQUAL(text,
			       "{\n"
			       "  \"format\": 1,\n"
			       "  \"region\": \"us\",\n"
			       "  \"base_url\": \"https://api.itglue.com\",\n"
			       "  \"started_at\": \"2026-01-01T00:00:00.000Z\",\n"
			       "  \"finished_at\": \"2026-01-01T00:00:01.000Z\",\n"
			       "  \"account\": {\n"
			       "    \"primary_organization_id\": \"1\",\n"
			       "    \"primary_organization_name\": \"Kaseya Partner MSP\"\n"
			       "  },\n"
			       "  \"resources\": {\n"
			       "    \"organizations\": {\n"
			       "      \"file\": \"organizations.ndjson.gz\",\n"
			       "      \"records\": 0,\n"
			       "      \"crc32\": \"00000000\",\n"
			       "      \"bytes\": 0,\n"
			       "      \"confirmed_deleted\": [\n"
			       "        \"99\"\n"
			       "      ],\n"
			       "      \"unconfirmed_missing\": [\n"
			       "        \"14\",\n"
			       "        \"123456789012345678\"\n"
			       "      ]\n"
			       "    },\n"
			       "    \"contacts\": {\n"
			       "      \"file\": \"contacts.ndjson.gz\",\n"
			       "      \"records\": 0,\n"
			       "      \"crc32\": \"00000000\",\n"
			       "      \"bytes\": 0\n"
			       "    }\n"
			       "  }\n"
			       "}\n");
	free(text);
	snapshot_manifest_free(&m);
	CU_ASSERT_EQUAL(m.confirmed_deleted.n, 0);
	CU_ASSERT_PTR_NULL(m.unconfirmed_missing.v);
	unit_rmtree(dir);
}

static void test_load_keeps_the_lists_and_read_only_says_they_exist(void)
{
	char *dir = unit_tmpdir();
	struct snapshot_manifest m, back;
	struct itg_err e = {0};

	base_manifest(&m);
	snapshot_manifest_set_account(&m, "1", "Kaseya Partner MSP");
	m.has_missing = 1;
	snapshot_ids_add(&m.confirmed_deleted, "99");
	snapshot_ids_add(&m.confirmed_deleted, "100");
	snapshot_ids_add(&m.unconfirmed_missing, "14");
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_write(dir, &m, &e), 0);
	snapshot_manifest_free(&m);

	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_load(dir, &back, &e), 0);
	CU_ASSERT_EQUAL(back.has_account, 1);
	CU_ASSERT_STRING_EQUAL(back.primary_org_id, "1");
	CU_ASSERT_STRING_EQUAL(back.primary_org_name, "Kaseya Partner MSP");
	CU_ASSERT_EQUAL(back.has_missing, 1);
	CU_ASSERT_EQUAL_FATAL(back.confirmed_deleted.n, 2);
	CU_ASSERT_STRING_EQUAL(back.confirmed_deleted.v[0], "99");
	CU_ASSERT_STRING_EQUAL(back.confirmed_deleted.v[1], "100");
	CU_ASSERT_EQUAL_FATAL(back.unconfirmed_missing.n, 1);
	CU_ASSERT_STRING_EQUAL(back.unconfirmed_missing.v[0], "14");
	CU_ASSERT(back.res[RES_ORGANIZATIONS].present && back.res[RES_CONTACTS].present);
	snapshot_manifest_free(&back);

	/* the reader older callers use allocates nothing, yet knows the lists are there */
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_read(dir, &back, &e), 0);
	CU_ASSERT_EQUAL(back.has_missing, 1);
	CU_ASSERT_EQUAL(back.confirmed_deleted.n, 0);
	CU_ASSERT_PTR_NULL(back.confirmed_deleted.v);
	CU_ASSERT_STRING_EQUAL(back.primary_org_id, "1");
	unit_rmtree(dir);
}

static void test_an_older_manifest_reads_as_no_confirmations_and_account_unknown(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "manifest.json");
	struct snapshot_manifest m;
	struct itg_err e = {0};
	char *text;

	unit_write_file(path, "{\"format\":1,\"region\":\"us\",\"resources\":{\"organizations\":"
			      "{\"file\":\"organizations.ndjson.gz\",\"records\":0,"
			      "\"crc32\":\"00000000\",\"bytes\":0}}}");
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_load(dir, &m, &e), 0);
	CU_ASSERT_EQUAL(m.has_account, 0);
	CU_ASSERT_EQUAL(m.has_missing, 0);
	CU_ASSERT_EQUAL(m.confirmed_deleted.n + m.unconfirmed_missing.n, 0);
	snapshot_manifest_free(&m);

	/* a writer that sets neither (older code, tests) writes neither */
	base_manifest(&m);
	CU_ASSERT_EQUAL(snapshot_manifest_write(dir, &m, &e), 0);
	text = read_text(dir);
	CU_ASSERT_PTR_NULL(strstr(text, "account"));
	CU_ASSERT_PTR_NULL(strstr(text, "confirmed_deleted"));
	free(text);
	free(path);
	unit_rmtree(dir);
}

static void test_no_primary_organization_is_written_as_nulls(void)
{
	char *dir = unit_tmpdir();
	struct snapshot_manifest m;
	struct itg_err e = {0};
	char *text;

	base_manifest(&m);
	m.res[RES_ORGANIZATIONS].present = 0;
	m.has_missing = 1;   /* no organizations entry: nowhere to write the lists */
	snapshot_manifest_set_account(&m, NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_write(dir, &m, &e), 0);
	text = read_text(dir);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"primary_organization_id\": null"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"primary_organization_name\": null"));
	CU_ASSERT_PTR_NULL(strstr(text, "confirmed_deleted"));
	free(text);
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_load(dir, &m, &e), 0);
	CU_ASSERT_EQUAL(m.has_account, 1);
	CU_ASSERT_STRING_EQUAL(m.primary_org_id, "");
	CU_ASSERT_STRING_EQUAL(m.primary_org_name, "");
	CU_ASSERT_EQUAL(m.has_missing, 0);
	snapshot_manifest_free(&m);
	unit_rmtree(dir);
}

static void test_a_long_account_name_is_cut_at_a_character_boundary(void)
{
	struct snapshot_manifest m = {0};
	char name[SNAPSHOT_NAME_MAX + 8];
	size_t len;

	/* "é" is two bytes; the name is one byte longer than the room */
	memset(name, 'a', sizeof name);
	name[SNAPSHOT_NAME_MAX - 2] = (char)0xc3;
	name[SNAPSHOT_NAME_MAX - 1] = (char)0xa9;
	name[SNAPSHOT_NAME_MAX] = '\0';
	snapshot_manifest_set_account(&m, "7", name);
	len = strlen(m.primary_org_name);
	CU_ASSERT_EQUAL(len, SNAPSHOT_NAME_MAX - 2);
	CU_ASSERT_STRING_EQUAL(m.primary_org_id, "7");
	/* an id that is not one names no account */
	snapshot_manifest_set_account(&m, "x7", "Somebody");
	CU_ASSERT_EQUAL(m.has_account, 1);
	CU_ASSERT_STRING_EQUAL(m.primary_org_id, "");
	CU_ASSERT_STRING_EQUAL(m.primary_org_name, "");
}

static void test_malformed_evidence_keys_are_refused_naming_the_manifest(void)
{
	static const char head[] = "{\"format\":1,%s\"resources\":{\"organizations\":{\"file\":"
				   "\"organizations.ndjson.gz\",\"records\":0,\"crc32\":\"00000000\","
				   "\"bytes\":0%s}}}";
	static const char *const bad[][2] = {
		{"", ",\"confirmed_deleted\":[]"},
		{"", ",\"unconfirmed_missing\":[]"},
		{"", ",\"confirmed_deleted\":[\"2\",\"1\"],\"unconfirmed_missing\":[]"},
		{"", ",\"confirmed_deleted\":[\"1\",\"1\"],\"unconfirmed_missing\":[]"},
		{"", ",\"confirmed_deleted\":[1],\"unconfirmed_missing\":[]"},
		{"", ",\"confirmed_deleted\":[\"a\"],\"unconfirmed_missing\":[]"},
		{"", ",\"confirmed_deleted\":{},\"unconfirmed_missing\":[]"},
		{"", ",\"confirmed_deleted\":[\"5\"],\"unconfirmed_missing\":[\"5\"]"},
		{"\"account\":[],", ""},
		{"\"account\":{\"primary_organization_id\":\"1\"},", ""},
		{"\"account\":{\"primary_organization_id\":1,\"primary_organization_name\":null},", ""},
		{"\"account\":{\"primary_organization_id\":\"../1\",\"primary_organization_name\":null},",
		 ""},
	};
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "manifest.json");
	char text[512];
	struct snapshot_manifest m;
	struct itg_err e = {0};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, head, bad[i][0], bad[i][1]);
		unit_write_file(path, text);
		err_clear(&e);
		CU_ASSERT_EQUAL(snapshot_manifest_load(dir, &m, &e), -1);
		CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "manifest.json"));
		/* a refusal leaves nothing to free */
		CU_ASSERT_PTR_NULL(m.confirmed_deleted.v);
		CU_ASSERT_PTR_NULL(m.unconfirmed_missing.v);
		err_clear(&e);
		CU_ASSERT_EQUAL(snapshot_manifest_read(dir, &m, &e), -1);
	}
	/* the same keys well formed are accepted */
	snprintf(text, sizeof text, head,
		 "\"account\":{\"primary_organization_id\":null,\"primary_organization_name\":null},",
		 ",\"confirmed_deleted\":[\"9\",\"10\"],\"unconfirmed_missing\":[]");
	unit_write_file(path, text);
	CU_ASSERT_EQUAL(snapshot_manifest_load(dir, &m, &e), 0);
	CU_ASSERT_EQUAL(m.confirmed_deleted.n, 2);
	snapshot_manifest_free(&m);
	free(path);
	unit_rmtree(dir);
}

/* A refused manifest says what to do, in one line without yajl's excerpt. */
static void test_a_refused_manifest_says_to_extract_again(void)
{
	static const char *const bad[] = {
		"{\"format\": 1, \"region\": \"\"",
		"{\"format\": 9, \"resources\": {}}",
		"[]",
	};
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "manifest.json");
	struct snapshot_manifest m;
	struct itg_err e = {0};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		unit_write_file(path, bad[i]);
		err_clear(&e);
		CU_ASSERT_EQUAL(snapshot_manifest_read(dir, &m, &e), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "manifest.json"));
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "extract it again"));
		CU_ASSERT_PTR_NULL(strchr(e.msg, '\n'));
		CU_ASSERT_PTR_NULL(strstr(e.msg, "right here"));
	}
	free(path);
	unit_rmtree(dir);
	err_clear(&e);
	dir = unit_tmpdir();
	CU_ASSERT_EQUAL(snapshot_manifest_read(dir, &m, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not a snapshot (no complete manifest.json)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "extract it again"));
	unit_rmtree(dir);
}

static void test_mode_base_and_last_full_at_are_written_and_read_back(void)
{
	char *dir = unit_tmpdir();
	struct snapshot_manifest m, back;
	struct itg_err e = {0};
	char *text;

	/* a full snapshot: base null, and its own start is the last full walk */
	base_manifest(&m);
	strcpy(m.mode, "full");
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_write(dir, &m, &e), 0);
	text = read_text(dir);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  \"finished_at\": \"2026-01-01T00:00:01.000Z\",\n"
					    "  \"mode\": \"full\",\n"
					    "  \"base\": null,\n"
					    "  \"resources\""));
	CU_ASSERT_PTR_NULL(strstr(text, "last_full_at"));
	free(text);
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_read(dir, &back, &e), 0);
	CU_ASSERT_STRING_EQUAL(back.mode, "full");
	CU_ASSERT_EQUAL(back.has_base, 0);
	CU_ASSERT_STRING_EQUAL(snapshot_last_full_at(&back), "2026-01-01T00:00:00.000Z");

	/* an incremental one names its base and carries the last full walk forward */
	base_manifest(&m);
	strcpy(m.started_at, "2026-01-01T00:05:00.000Z");
	strcpy(m.mode, "incremental");
	m.has_base = 1;
	strcpy(m.base_path, "/srv/itg/out/bp/20260101T000000Z/snapshot");
	strcpy(m.base_started_at, "2026-01-01T00:00:00.000Z");
	strcpy(m.last_full_at, "2025-12-31T00:00:00.000Z");
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_write(dir, &m, &e), 0);
	text = read_text(dir);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  \"mode\": \"incremental\",\n"
					    "  \"base\": {\n"
					    "    \"path\": \"/srv/itg/out/bp/20260101T000000Z/snapshot\",\n"
					    "    \"started_at\": \"2026-01-01T00:00:00.000Z\"\n"
					    "  },\n"
					    "  \"last_full_at\": \"2025-12-31T00:00:00.000Z\",\n"));
	free(text);
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_read(dir, &back, &e), 0);
	CU_ASSERT_STRING_EQUAL(back.mode, "incremental");
	CU_ASSERT_EQUAL(back.has_base, 1);
	CU_ASSERT_STRING_EQUAL(back.base_path, "/srv/itg/out/bp/20260101T000000Z/snapshot");
	CU_ASSERT_STRING_EQUAL(back.base_started_at, "2026-01-01T00:00:00.000Z");
	CU_ASSERT_STRING_EQUAL(snapshot_last_full_at(&back), "2025-12-31T00:00:00.000Z");

	/* without a mode (an older snapshot) none of the keys is written: a full walk */
	base_manifest(&m);
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_write(dir, &m, &e), 0);
	text = read_text(dir);
	CU_ASSERT_PTR_NULL(strstr(text, "mode"));
	CU_ASSERT_PTR_NULL(strstr(text, "base\""));
	CU_ASSERT_PTR_NULL(strstr(text, "last_full_at"));
	free(text);
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_read(dir, &back, &e), 0);
	CU_ASSERT_STRING_EQUAL(back.mode, "");
	CU_ASSERT_STRING_EQUAL(snapshot_last_full_at(&back), "2026-01-01T00:00:00.000Z");
	/* an incremental manifest that does not say when the last full walk was: unknown */
	strcpy(back.mode, "incremental");
	CU_ASSERT_PTR_NULL(snapshot_last_full_at(&back));
	unit_rmtree(dir);
}

static void test_malformed_mode_keys_are_refused_naming_the_manifest(void)
{
	static const char head[] = "{\"format\":1,\"started_at\":\"2026-01-01T00:00:00.000Z\",%s"
				   "\"resources\":{}}";
	static const char *const bad[] = {
		"\"mode\":\"delta\",",
		"\"mode\":1,",
		"\"base\":null,",
		"\"last_full_at\":\"2026-01-01T00:00:00.000Z\",",
		"\"mode\":\"full\",\"base\":{\"path\":\"x\",\"started_at\":\"2026-01-01T00:00:00Z\"},",
		"\"mode\":\"incremental\",\"base\":null,",
		"\"mode\":\"incremental\",",
		"\"mode\":\"incremental\",\"base\":{\"started_at\":\"2026-01-01T00:00:00Z\"},",
		"\"mode\":\"incremental\",\"base\":{\"path\":\"\",\"started_at\":\"2026-01-01T00:00:00Z\"},",
		"\"mode\":\"incremental\",\"base\":{\"path\":\"x\",\"started_at\":\"yesterday\"},",
		"\"mode\":\"incremental\",\"base\":{\"path\":\"x\"},",
		"\"mode\":\"full\",\"last_full_at\":\"2026-13-01T00:00:00Z\",",
		"\"mode\":\"full\",\"last_full_at\":7,",
	};
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "manifest.json");
	char text[512];
	struct snapshot_manifest m;
	struct itg_err e = {0};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, head, bad[i]);
		unit_write_file(path, text);
		err_clear(&e);
		CU_ASSERT_EQUAL(snapshot_manifest_read(dir, &m, &e), -1);
		CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "manifest.json"));
	}
	/* well formed: accepted, a null last_full_at too */
	snprintf(text, sizeof text, head,
		 "\"mode\":\"incremental\",\"base\":{\"path\":\"../s\",\"started_at\":"
		 "\"2025-12-31T23:00:00Z\"},\"last_full_at\":null,");
	unit_write_file(path, text);
	err_clear(&e);
	CU_ASSERT_EQUAL(snapshot_manifest_read(dir, &m, &e), 0);
	CU_ASSERT_STRING_EQUAL(m.base_path, "../s");
	CU_ASSERT_STRING_EQUAL(m.last_full_at, "");
	free(path);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"a_refused_manifest_says_to_extract_again", test_a_refused_manifest_says_to_extract_again},
	{"mode_base_and_last_full_at_are_written_and_read_back", test_mode_base_and_last_full_at_are_written_and_read_back},
	{"malformed_mode_keys_are_refused_naming_the_manifest", test_malformed_mode_keys_are_refused_naming_the_manifest},
	{"evidence_keys_are_written_in_the_documented_shape", test_evidence_keys_are_written_in_the_documented_shape},
	{"load_keeps_the_lists_and_read_only_says_they_exist", test_load_keeps_the_lists_and_read_only_says_they_exist},
	{"an_older_manifest_reads_as_no_confirmations_and_account_unknown", test_an_older_manifest_reads_as_no_confirmations_and_account_unknown},
	{"no_primary_organization_is_written_as_nulls", test_no_primary_organization_is_written_as_nulls},
	{"a_long_account_name_is_cut_at_a_character_boundary", test_a_long_account_name_is_cut_at_a_character_boundary},
	{"malformed_evidence_keys_are_refused_naming_the_manifest", test_malformed_evidence_keys_are_refused_naming_the_manifest},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("snapshot", NULL, NULL, tests)
