/* Unit tests of lib/planfmt: action names and table, manifest.json written and read back. */
#include "unit.h"

#include "fsutil.h"
#include "json.h"
#include "planfmt.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static void test_action_names_round_trip_in_document_order(void)
{
	static const char *const words[PA_COUNT] = {
		"unlink", "link", "review", "rename", "import_organization", "import_user",
		"link_user", "update_user", "unlink_user", "import_domain", "skip"};

	for (int a = 0; a < PA_COUNT; a++) {
		CU_ASSERT_STRING_EQUAL(plan_action_name(a), words[a]);
		CU_ASSERT_EQUAL(plan_action_parse(words[a]), a);
	}
	CU_ASSERT_EQUAL(plan_action_parse("merge"), PA_COUNT);
	CU_ASSERT_EQUAL(plan_action_parse("Link"), PA_COUNT);
	CU_ASSERT_EQUAL(plan_action_parse(""), PA_COUNT);
	CU_ASSERT_EQUAL(plan_action_parse(NULL), PA_COUNT);
}

static void test_actions_belong_to_their_products(void)
{
	for (int a = 0; a < PA_COUNT; a++) {
		const struct plan_action_info *i = &plan_actions[a];
		CU_ASSERT_EQUAL(plan_action_in(a, PRODUCT_BULLPHISH), !i->domain);
		CU_ASSERT_EQUAL(plan_action_in(a, PRODUCT_DARKWEBID), !i->user);
		CU_ASSERT_EQUAL(i->user, strstr(i->name, "_user") != NULL);
		CU_ASSERT_EQUAL(i->domain, a == PA_IMPORT_DOMAIN);
		CU_ASSERT_EQUAL(i->changes_store, a != PA_REVIEW && a != PA_SKIP);
	}
	CU_ASSERT_FALSE(plan_action_in(PA_COUNT, PRODUCT_BULLPHISH));
}

static void test_action_table_keeps_the_keys_load_checks(void)
{
	const struct plan_action_info *u = &plan_actions[PA_IMPORT_USER];
	const struct plan_action_info *o = &plan_actions[PA_IMPORT_ORGANIZATION];

	CU_ASSERT_STRING_EQUAL(u->ids[0], "organization_id|organization_ref");
	CU_ASSERT_STRING_EQUAL(u->ids[1], "itglue_contact_id");
	CU_ASSERT_PTR_NULL(u->ids[2]);
	CU_ASSERT_PTR_NULL(u->strs[0]);
	CU_ASSERT_STRING_EQUAL(o->strs[0], "ref");
	CU_ASSERT_STRING_EQUAL(o->strs[3], "industry");
	CU_ASSERT_PTR_NULL(o->strs[4]);
	CU_ASSERT_PTR_NULL(plan_actions[PA_REVIEW].ids[0]);
	CU_ASSERT_STRING_EQUAL(plan_actions[PA_RENAME].strs[0], "after");
	CU_ASSERT_STRING_EQUAL(plan_user_fields[3], "group");
	CU_ASSERT_PTR_NULL(plan_user_fields[4]);
}

/* A manifest with every field set to something distinct (strings owned). */
static void sample(struct plan_manifest *m)
{
	memset(m, 0, sizeof *m);
	m->format = PLAN_FORMAT;
	m->pipeline = xstrdup("bp-nightly");
	m->product = PRODUCT_BULLPHISH;
	m->disconnect = 1;
	m->snapshot.path = xstrdup("/snap");
	m->snapshot.region = xstrdup("eu");
	m->snapshot.base_url = xstrdup("http://127.0.0.1:9/");
	m->snapshot.started_at = xstrdup("2026-03-01T05:00:00Z");
	m->snapshot.finished_at = xstrdup("2026-03-01T05:00:07Z");
	m->snapshot.account_id = xstrdup("1234567890123456789");
	m->snapshot.account_name = xstrdup("Kaseya Partner MSP");
	m->snapshot.manifest_hash = 0x0123456789abcdefULL;
	m->settings_hash = 0xfedcba9876543210ULL;
	m->store_path = xstrdup("/store");
	m->nfiles = 3;
	m->files = xcalloc(3, sizeof *m->files);
	m->files[0] = (struct plan_store_file){xstrdup("organizations.csv"), {1, 123, 0xaaULL}};
	m->files[1] = (struct plan_store_file){xstrdup("links.csv"), {0, 0, 0xcbf29ce484222325ULL}};
	m->files[2] = (struct plan_store_file){xstrdup("users.csv"), {1, 9, 0xffffffffffffffffULL}};
	m->lines = 42;
	m->bytes = 9000;
	m->crc32 = 0x8badf00du;
	m->inventory.present = 1;
	m->inventory.file = xstrdup(PLAN_INVENTORY_FILE);
	m->inventory.lines = 29;
	m->inventory.bytes = 5447;
	m->inventory.crc32 = 0x52ff04ceu;
	for (int a = 0; a < PA_COUNT; a++)
		m->counts[a] = (unsigned long)(a * 3 + 1);
	m->domains_pending = 5;
	m->domains_unimported = 6;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void assert_same(const struct plan_manifest *a, const struct plan_manifest *b)
{
	CU_ASSERT_EQUAL(a->format, b->format);
	CU_ASSERT(same_str(a->pipeline, b->pipeline));
	CU_ASSERT_EQUAL(a->product, b->product);
	CU_ASSERT_EQUAL(a->disconnect, b->disconnect);
	CU_ASSERT_EQUAL(a->connect, b->connect);
	CU_ASSERT(same_str(a->snapshot.account_id, b->snapshot.account_id));
	CU_ASSERT(same_str(a->snapshot.account_name, b->snapshot.account_name));
	CU_ASSERT(same_str(a->snapshot.path, b->snapshot.path));
	CU_ASSERT(same_str(a->snapshot.region, b->snapshot.region));
	CU_ASSERT(same_str(a->snapshot.base_url, b->snapshot.base_url));
	CU_ASSERT(same_str(a->snapshot.started_at, b->snapshot.started_at));
	CU_ASSERT(same_str(a->snapshot.finished_at, b->snapshot.finished_at));
	CU_ASSERT_EQUAL(a->snapshot.manifest_hash, b->snapshot.manifest_hash);
	CU_ASSERT_EQUAL(a->settings_hash, b->settings_hash);
	CU_ASSERT(same_str(a->store_path, b->store_path));
	CU_ASSERT_EQUAL_FATAL(a->nfiles, b->nfiles);
	for (size_t i = 0; i < a->nfiles; i++) {
		CU_ASSERT_STRING_EQUAL(a->files[i].name, b->files[i].name);
		CU_ASSERT_EQUAL(a->files[i].fp.present, b->files[i].fp.present);
		CU_ASSERT_EQUAL(a->files[i].fp.bytes, b->files[i].fp.bytes);
		CU_ASSERT_EQUAL(a->files[i].fp.hash, b->files[i].fp.hash);
	}
	CU_ASSERT_EQUAL(a->lines, b->lines);
	CU_ASSERT_EQUAL(a->bytes, b->bytes);
	CU_ASSERT_EQUAL(a->crc32, b->crc32);
	CU_ASSERT_EQUAL(a->inventory.present, b->inventory.present);
	CU_ASSERT(same_str(a->inventory.file, b->inventory.file));
	CU_ASSERT_EQUAL(a->inventory.lines, b->inventory.lines);
	CU_ASSERT_EQUAL(a->inventory.bytes, b->inventory.bytes);
	CU_ASSERT_EQUAL(a->inventory.crc32, b->inventory.crc32);
	for (int i = 0; i < PA_COUNT; i++)
		CU_ASSERT_EQUAL(a->counts[i], b->counts[i]);
	CU_ASSERT_EQUAL(a->domains_pending, b->domains_pending);
	CU_ASSERT_EQUAL(a->domains_unimported, b->domains_unimported);
}

static void test_manifest_written_then_read_is_the_same(void)
{
	char *dir = unit_tmpdir();
	struct plan_manifest m, back;
	struct itg_err e = {0};

	sample(&m);
	CU_ASSERT_EQUAL_FATAL(plan_manifest_write(dir, &m, &e), 0);
	CU_ASSERT_EQUAL_FATAL(plan_manifest_read(dir, PRODUCT_BULLPHISH, &back, &e), 0);
	assert_same(&m, &back);
	plan_manifest_free(&back);
	/* null strings stay null; any product is accepted when none is wanted */
	free(m.snapshot.base_url);
	m.snapshot.base_url = NULL;
	free(m.pipeline);
	m.pipeline = NULL;
	m.disconnect = 0;
	m.connect = 1;
	free(m.snapshot.account_id);
	m.snapshot.account_id = NULL;
	m.product = PRODUCT_DARKWEBID;
	/* a plan without an inventory (made before it existed) reads as none */
	free(m.inventory.file);
	memset(&m.inventory, 0, sizeof m.inventory);
	CU_ASSERT_EQUAL_FATAL(plan_manifest_write(dir, &m, &e), 0);
	CU_ASSERT_EQUAL_FATAL(plan_manifest_read(dir, PRODUCT_NONE, &back, &e), 0);
	assert_same(&m, &back);
	CU_ASSERT_FALSE(back.inventory.present);
	CU_ASSERT_PTR_NULL(back.inventory.file);
	plan_manifest_free(&back);
	plan_manifest_free(&m);
	unit_rmtree(dir);
}

/* The bytes itg-transform writes (docs/plan-format.md key order). */
static void test_manifest_bytes_follow_the_plan_format(void)
{
	static const char *const want =
		"{\n"
		"  \"format\": 1,\n"
		"  \"pipeline\": \"bp-nightly\",\n"
		"  \"product\": \"bullphish\",\n"
		"  \"disconnect\": true,\n"
		"  \"connect\": false,\n"
		"  \"integration_status\": \"disconnected\",\n"
		"  \"snapshot\": {\n"
		"    \"path\": \"/snap\",\n"
		"    \"region\": \"eu\",\n"
		"    \"base_url\": \"http://127.0.0.1:9/\",\n"
		"    \"started_at\": \"2026-03-01T05:00:00Z\",\n"
		"    \"finished_at\": \"2026-03-01T05:00:07Z\",\n"
		"    \"account\": {\n"
		"      \"primary_organization_id\": \"1234567890123456789\",\n"
		"      \"primary_organization_name\": \"Kaseya Partner MSP\"\n"
		"    },\n"
		"    \"manifest_fnv1a64\": \"0123456789abcdef\"\n"
		"  },\n"
		"  \"settings_fnv1a64\": \"fedcba9876543210\",\n"
		"  \"store\": {\n"
		"    \"path\": \"/store\",\n"
		"    \"files\": {\n"
		"      \"organizations.csv\": {\n"
		"        \"present\": true,\n"
		"        \"bytes\": 123,\n"
		"        \"fnv1a64\": \"00000000000000aa\"\n"
		"      },\n"
		"      \"links.csv\": {\n"
		"        \"present\": false,\n"
		"        \"bytes\": 0,\n"
		"        \"fnv1a64\": \"cbf29ce484222325\"\n"
		"      },\n"
		"      \"users.csv\": {\n"
		"        \"present\": true,\n"
		"        \"bytes\": 9,\n"
		"        \"fnv1a64\": \"ffffffffffffffff\"\n"
		"      }\n"
		"    }\n"
		"  },\n"
		"  \"plan\": {\n"
		"    \"file\": \"plan.ndjson\",\n"
		"    \"lines\": 42,\n"
		"    \"bytes\": 9000,\n"
		"    \"crc32\": \"8badf00d\"\n"
		"  },\n"
		"  \"inventory\": {\n"
		"    \"file\": \"inventory.ndjson\",\n"
		"    \"lines\": 29,\n"
		"    \"bytes\": 5447,\n"
		"    \"crc32\": \"52ff04ce\"\n"
		"  },\n"
		"  \"counts\": {\n"
		"    \"unlink\": 1,\n"
		"    \"link\": 4,\n"
		"    \"review\": 7,\n"
		"    \"rename\": 10,\n"
		"    \"import_organization\": 13,\n"
		"    \"import_user\": 16,\n"
		"    \"link_user\": 19,\n"
		"    \"update_user\": 22,\n"
		"    \"unlink_user\": 25,\n"
		"    \"import_domain\": 28,\n"
		"    \"skip\": 31\n"
		"  },\n"
		"  \"domains\": {\n"
		"    \"pending\": 5,\n"
		"    \"unimported\": 6\n"
		"  }\n"
		"}\n";
	char *dir = unit_tmpdir(), *path = fs_join(dir, PLAN_MANIFEST_FILE);
	struct plan_manifest m;
	struct itg_err e = {0};
	struct buf b = {0};

	sample(&m);
	CU_ASSERT_EQUAL_FATAL(plan_manifest_write(dir, &m, &e), 0);
	CU_ASSERT_EQUAL(fs_read_all(path, &b, 0, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), want);
	buf_free(&b);
	plan_manifest_free(&m);
	free(path);
	unit_rmtree(dir);
}

/*
 * Writes the sample manifest with the member at path (object keys) renamed
 * away, so that it is missing; reads it back: the read's result, e filled.
 */
static int read_without(const char *const *path, enum product want, struct itg_err *e)
{
	char *dir = unit_tmpdir(), *file = fs_join(dir, PLAN_MANIFEST_FILE);
	struct plan_manifest m, back;
	struct buf b = {0};
	char errbuf[128];
	yajl_val doc, v;
	yajl_gen g;
	int rc;

	sample(&m);
	CU_ASSERT_EQUAL_FATAL(plan_manifest_write(dir, &m, e), 0);
	plan_manifest_free(&m);
	CU_ASSERT_EQUAL_FATAL(fs_read_all(file, &b, 0, e), 0);
	doc = json_parse(b.p, b.len, errbuf, sizeof errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	v = doc;
	for (int i = 0; path && path[i]; i++) {
		size_t k;
		for (k = 0; k < v->u.object.len; k++)
			if (strcmp(v->u.object.keys[k], path[i]) == 0)
				break;
		CU_ASSERT_FATAL(k < v->u.object.len);
		if (!path[i + 1])
			((char *)v->u.object.keys[k])[0] = '~';   /* same length, another key */
		else
			v = v->u.object.values[k];
	}
	g = json_gen_new();
	json_gen_value(g, doc);
	buf_reset(&b);
	json_gen_take(g, &b);
	yajl_gen_free(g);
	yajl_tree_free(doc);
	CU_ASSERT_EQUAL_FATAL(fs_write_atomic(file, b.p, b.len, 0600, e), 0);
	buf_free(&b);
	memset(e, 0, sizeof *e);
	rc = plan_manifest_read(dir, want, &back, e);
	if (rc == 0)
		plan_manifest_free(&back);
	else
		CU_ASSERT_PTR_NULL(back.files);   /* left empty */
	free(file);
	unit_rmtree(dir);
	return rc;
}

static void refused_without(const char *const *path, const char *text)
{
	struct itg_err e;

	CU_ASSERT_EQUAL(read_without(path, PRODUCT_BULLPHISH, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/manifest.json: "));
	if (!strstr(e.msg, text))
		fprintf(stderr, "\n  got: %s\n  want: %s\n", e.msg, text);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, text));
}

static void test_manifest_missing_a_required_key_is_refused(void)
{
	refused_without((const char *[]){"format", NULL}, "format is not 1");
	refused_without((const char *[]){"product", NULL}, "product is not bullphish or darkwebid");
	refused_without((const char *[]){"store", "files", NULL}, "store.files is missing");
	refused_without((const char *[]){"store", NULL}, "store.files is missing");
	refused_without((const char *[]){"plan", "lines", NULL}, "plan.lines, plan.bytes or plan.crc32");
	refused_without((const char *[]){"plan", "bytes", NULL}, "plan.lines, plan.bytes or plan.crc32");
	refused_without((const char *[]){"plan", "crc32", NULL}, "plan.lines, plan.bytes or plan.crc32");
	refused_without((const char *[]){"store", "files", "links.csv", "fnv1a64", NULL},
			"store.files entry \"links.csv\" is malformed");
	/* the inventory may be absent, but a damaged one is refused */
	refused_without((const char *[]){"inventory", "lines", NULL},
			"inventory.file, .lines, .bytes or .crc32 is malformed");
	refused_without((const char *[]){"inventory", "crc32", NULL},
			"inventory.file, .lines, .bytes or .crc32 is malformed");
	refused_without((const char *[]){"inventory", "file", NULL},
			"inventory.file, .lines, .bytes or .crc32 is malformed");
}

static void test_manifest_inventory_must_name_its_own_file(void)
{
	char *dir = unit_tmpdir();
	struct plan_manifest m, back;
	struct itg_err e = {0};

	sample(&m);
	free(m.inventory.file);
	m.inventory.file = NULL;
	CU_ASSERT_EQUAL_FATAL(plan_manifest_write(dir, &m, &e), 0);
	CU_ASSERT_EQUAL(plan_manifest_read(dir, PRODUCT_NONE, &back, &e), 0);
	/* the writer names the file whatever the struct says */
	CU_ASSERT_STRING_EQUAL(back.inventory.file, "inventory.ndjson");
	plan_manifest_free(&back);
	plan_manifest_free(&m);
	{
		/* a manifest naming another file for it is refused: the load must
		 * never verify or read a file outside the plan folder's own */
		char *path = fs_join(dir, PLAN_MANIFEST_FILE);
		struct buf b = {0};
		char *at;
		CU_ASSERT_EQUAL_FATAL(fs_read_all(path, &b, 0, &e), 0);
		at = strstr(b.p, "\"inventory.ndjson\"");
		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		memcpy(at, "\"../plan.ndjson.x\"", 18);   /* same length */
		CU_ASSERT_EQUAL_FATAL(fs_write_atomic(path, b.p, b.len, 0600, &e), 0);
		CU_ASSERT_EQUAL(plan_manifest_read(dir, PRODUCT_NONE, &back, &e), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "the file must be inventory.ndjson"));
		buf_free(&b);
		free(path);
	}
	unit_rmtree(dir);
}

static void test_manifest_optional_keys_may_be_missing(void)
{
	struct itg_err e;

	CU_ASSERT_EQUAL(read_without((const char *[]){"counts", NULL}, PRODUCT_BULLPHISH, &e), 0);
	CU_ASSERT_EQUAL(read_without((const char *[]){"snapshot", NULL}, PRODUCT_BULLPHISH, &e), 0);
	CU_ASSERT_EQUAL(read_without((const char *[]){"pipeline", NULL}, PRODUCT_BULLPHISH, &e), 0);
	CU_ASSERT_EQUAL(read_without((const char *[]){"inventory", NULL}, PRODUCT_BULLPHISH, &e), 0);
	CU_ASSERT_EQUAL(read_without(NULL, PRODUCT_BULLPHISH, &e), 0);
}

static void test_manifest_of_another_product_is_refused(void)
{
	struct itg_err e;

	CU_ASSERT_EQUAL(read_without(NULL, PRODUCT_DARKWEBID, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "the plan is for bullphish but the pipeline is for "
					     "darkwebid"));
}

static void test_store_file_names_may_not_leave_the_store(void)
{
	char *dir = unit_tmpdir();
	struct plan_manifest m, back;
	struct itg_err e = {0};

	sample(&m);
	free(m.files[1].name);
	m.files[1].name = xstrdup("../links.csv");
	CU_ASSERT_EQUAL_FATAL(plan_manifest_write(dir, &m, &e), 0);
	CU_ASSERT_EQUAL(plan_manifest_read(dir, PRODUCT_NONE, &back, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "store.files entry \"../links.csv\" is malformed"));
	free(m.files[1].name);
	m.files[1].name = xstrdup(".journal");
	CU_ASSERT_EQUAL_FATAL(plan_manifest_write(dir, &m, &e), 0);
	CU_ASSERT_EQUAL(plan_manifest_read(dir, PRODUCT_NONE, &back, &e), -1);
	plan_manifest_free(&m);
	unit_rmtree(dir);
}

static void test_folder_without_manifest_is_not_a_plan(void)
{
	char *dir = unit_tmpdir();
	struct plan_manifest back;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(plan_manifest_read(dir, PRODUCT_NONE, &back, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not a plan folder"));
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"test_action_names_round_trip_in_document_order",
	 test_action_names_round_trip_in_document_order},
	{"test_actions_belong_to_their_products", test_actions_belong_to_their_products},
	{"test_action_table_keeps_the_keys_load_checks",
	 test_action_table_keeps_the_keys_load_checks},
	{"test_manifest_written_then_read_is_the_same",
	 test_manifest_written_then_read_is_the_same},
	{"test_manifest_bytes_follow_the_plan_format", test_manifest_bytes_follow_the_plan_format},
	{"test_manifest_missing_a_required_key_is_refused",
	 test_manifest_missing_a_required_key_is_refused},
	{"test_manifest_optional_keys_may_be_missing", test_manifest_optional_keys_may_be_missing},
	{"test_manifest_inventory_must_name_its_own_file",
	 test_manifest_inventory_must_name_its_own_file},
	{"test_manifest_of_another_product_is_refused", test_manifest_of_another_product_is_refused},
	{"test_store_file_names_may_not_leave_the_store",
	 test_store_file_names_may_not_leave_the_store},
	{"test_folder_without_manifest_is_not_a_plan", test_folder_without_manifest_is_not_a_plan},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("planfmt", NULL, NULL, tests)
