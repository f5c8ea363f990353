/*
 * planfmt.c - the plan format: action table and manifest.json, written by
 * itg-transform and read back by itg-load with the same key names.
 */
#include "planfmt.h"

#include "json.h"
#include "reasons.h"
#include "xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_MAX_MANIFEST (1 << 20)

const char *const plan_user_fields[] = {PK_FIRST_NAME, PK_LAST_NAME, PK_EMAIL, PK_GROUP, NULL};

#define ORG_ID_OR_REF PK_ORGANIZATION_ID "|" PK_ORGANIZATION_REF

const struct plan_action_info plan_actions[PA_COUNT] = {
	[PA_UNLINK] = {"unlink", PRODUCT_NONE, {PK_ORGANIZATION_ID, PK_ITGLUE_ORGANIZATION_ID},
		       {PK_REASON}, 1, 0, 0},
	[PA_LINK] = {"link", PRODUCT_NONE, {PK_ORGANIZATION_ID, PK_ITGLUE_ORGANIZATION_ID},
		     {PK_REASON}, 1, 0, 0},
	[PA_REVIEW] = {"review", PRODUCT_NONE, {NULL}, {PK_REASON}, 0, 0, 0},
	[PA_RENAME] = {"rename", PRODUCT_NONE, {PK_ORGANIZATION_ID, PK_ITGLUE_ORGANIZATION_ID},
		       {PK_AFTER}, 1, 0, 0},
	[PA_IMPORT_ORGANIZATION] = {"import_organization", PRODUCT_NONE,
				    {PK_ITGLUE_ORGANIZATION_ID},
				    {PK_REF, PK_NAME, PK_EMPLOYEE_COUNT, PK_INDUSTRY}, 1, 0, 0},
	[PA_IMPORT_USER] = {"import_user", PRODUCT_BULLPHISH, {ORG_ID_OR_REF, PK_ITGLUE_CONTACT_ID},
			    {NULL}, 1, 1, 0},
	[PA_LINK_USER] = {"link_user", PRODUCT_BULLPHISH, {PK_USER_ID, PK_ITGLUE_CONTACT_ID},
			  {NULL}, 1, 1, 0},
	[PA_UPDATE_USER] = {"update_user", PRODUCT_BULLPHISH, {PK_USER_ID, PK_ITGLUE_CONTACT_ID},
			    {NULL}, 1, 1, 0},
	[PA_UNLINK_USER] = {"unlink_user", PRODUCT_BULLPHISH, {PK_USER_ID}, {NULL}, 1, 1, 0},
	[PA_IMPORT_DOMAIN] = {"import_domain", PRODUCT_DARKWEBID,
			      {ORG_ID_OR_REF, PK_ITGLUE_DOMAIN_ID}, {PK_DOMAIN, PK_STATUS}, 1, 0, 1},
	[PA_SKIP] = {"skip", PRODUCT_NONE, {NULL}, {PK_REASON}, 0, 0, 0},
};

const char *plan_action_name(enum plan_action a)
{
	return a >= 0 && a < PA_COUNT ? plan_actions[a].name : "";
}

enum plan_action plan_action_parse(const char *word)
{
	for (int a = 0; word && a < PA_COUNT; a++)
		if (strcmp(word, plan_actions[a].name) == 0)
			return (enum plan_action)a;
	return PA_COUNT;
}

int plan_action_in(enum plan_action a, enum product p)
{
	return a >= 0 && a < PA_COUNT &&
	       (plan_actions[a].product == PRODUCT_NONE || plan_actions[a].product == p);
}

/* ---- manifest.json -------------------------------------------------------- */

static void kv_hex64(yajl_gen g, const char *key, uint64_t v)
{
	char hex[17];

	snprintf(hex, sizeof hex, "%016" PRIx64, v);
	json_kv_str(g, key, hex);
}

int plan_manifest_write(const char *dir, const struct plan_manifest *m, struct itg_err *e)
{
	yajl_gen g = json_gen_new();
	const unsigned char *out;
	size_t len;
	char crc[9];
	char *path;
	struct buf b = {0};
	int rc;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_map_open(g);
	json_kv_int(g, "format", PLAN_FORMAT);
	json_kv_str(g, "pipeline", m->pipeline);
	json_kv_str(g, "product", product_name(m->product));
	json_kv_bool(g, "disconnect", m->disconnect);
	json_kv_bool(g, "connect", m->connect);
	json_kv_str(g, "integration_status", m->disconnect ? "disconnected" : "connected");

	json_key(g, "snapshot");
	yajl_gen_map_open(g);
	json_kv_str(g, "path", m->snapshot.path);
	json_kv_str(g, "region", m->snapshot.region);
	json_kv_str(g, "base_url", m->snapshot.base_url);
	json_kv_str(g, "started_at", m->snapshot.started_at);
	json_kv_str(g, "finished_at", m->snapshot.finished_at);
	json_key(g, "account");
	yajl_gen_map_open(g);
	json_kv_str(g, "primary_organization_id", m->snapshot.account_id);
	json_kv_str(g, "primary_organization_name", m->snapshot.account_name);
	yajl_gen_map_close(g);
	kv_hex64(g, "manifest_fnv1a64", m->snapshot.manifest_hash);
	yajl_gen_map_close(g);

	kv_hex64(g, "settings_fnv1a64", m->settings_hash);

	json_key(g, "store");
	yajl_gen_map_open(g);
	json_kv_str(g, "path", m->store_path);
	json_key(g, "files");
	yajl_gen_map_open(g);
	for (size_t f = 0; f < m->nfiles; f++) {
		json_key(g, m->files[f].name);
		yajl_gen_map_open(g);
		json_kv_bool(g, "present", m->files[f].fp.present);
		json_kv_int(g, "bytes", (long long)m->files[f].fp.bytes);
		kv_hex64(g, "fnv1a64", m->files[f].fp.hash);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	json_key(g, "plan");
	yajl_gen_map_open(g);
	json_kv_str(g, "file", PLAN_FILE);
	json_kv_int(g, "lines", (long long)m->lines);
	json_kv_int(g, "bytes", (long long)m->bytes);
	snprintf(crc, sizeof crc, "%08" PRIx32, m->crc32);
	json_kv_str(g, "crc32", crc);
	yajl_gen_map_close(g);

	if (m->inventory.present) {
		json_key(g, "inventory");
		yajl_gen_map_open(g);
		json_kv_str(g, "file", PLAN_INVENTORY_FILE);
		json_kv_int(g, "lines", (long long)m->inventory.lines);
		json_kv_int(g, "bytes", (long long)m->inventory.bytes);
		snprintf(crc, sizeof crc, "%08" PRIx32, m->inventory.crc32);
		json_kv_str(g, "crc32", crc);
		yajl_gen_map_close(g);
	}

	json_key(g, "counts");
	yajl_gen_map_open(g);
	for (int a = 0; a < PA_COUNT; a++)
		json_kv_int(g, plan_actions[a].name, (long long)m->counts[a]);
	yajl_gen_map_close(g);

	json_key(g, "domains");
	yajl_gen_map_open(g);
	json_kv_int(g, DOMAIN_PENDING, (long long)m->domains_pending);
	json_kv_int(g, DOMAIN_UNIMPORTED, (long long)m->domains_unimported);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	yajl_gen_get_buf(g, &out, &len);
	buf_add(&b, out, len);
	if (!len || b.p[b.len - 1] != '\n')
		buf_addc(&b, '\n');
	yajl_gen_free(g);
	path = fs_join(dir, PLAN_MANIFEST_FILE);
	rc = fs_write_atomic(path, b.p, b.len, ITG_FILE_MODE, e);
	free(path);
	buf_free(&b);
	return rc;
}

static int parse_hex64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	*out = strtoull(s, &end, 16);
	return *end ? -1 : 0;
}

/* An optional hex member: 0 when absent or not hex. */
static uint64_t get_hex64(yajl_val obj, const char *key)
{
	uint64_t x = 0;

	return parse_hex64(json_get_str(obj, key), &x) == 0 ? x : 0;
}

/* An optional count: 0 when absent or negative. */
static unsigned long get_count(yajl_val obj, const char *key)
{
	long long n = json_get_int(obj, key, 0);

	return n > 0 ? (unsigned long)n : 0;
}

static int read_files(yajl_val v, const char *path, struct plan_manifest *m, struct itg_err *e)
{
	if (!v || !YAJL_IS_OBJECT(v))
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "store.files is missing, make the plan with a matching itg-transform");
	m->files = xcalloc(v->u.object.len + 1, sizeof *m->files);
	for (size_t i = 0; i < v->u.object.len; i++) {
		yajl_val f = v->u.object.values[i];
		const char *name = v->u.object.keys[i];
		struct plan_store_file *pf = &m->files[m->nfiles];
		long long n = json_get_int(f, "bytes", -1);
		uint64_t x;

		if (strchr(name, '/') || name[0] == '.' ||
		    parse_hex64(json_get_str(f, "fnv1a64"), &x) != 0 || n < 0)
			return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				      "store.files entry \"%s\" is malformed, make the plan again",
				      name);
		pf->name = xstrdup(name);
		pf->fp.present = json_get_bool(f, "present", 1);
		pf->fp.bytes = (uint64_t)n;
		pf->fp.hash = x;
		m->nfiles++;
	}
	return 0;
}

/*
 * "inventory" is optional (a plan made before it existed has none), but
 * when it is there it must say what the load is to verify: a damaged key
 * is refused like a damaged "plan", never read as "no inventory".
 */
static int read_inventory(yajl_val v, const char *path, struct plan_manifest *m,
			  struct itg_err *e)
{
	const char *file;
	uint64_t x;

	if (!v)
		return 0;
	file = json_get_str(v, "file");
	if (!YAJL_IS_OBJECT(v) || !file || strcmp(file, PLAN_INVENTORY_FILE) != 0 ||
	    json_get_int(v, "lines", -1) < 0 || json_get_int(v, "bytes", -1) < 0 ||
	    parse_hex64(json_get_str(v, "crc32"), &x) != 0 || x > 0xffffffffu)
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "inventory.file, .lines, .bytes or .crc32 is malformed (the file "
			      "must be " PLAN_INVENTORY_FILE "), make the plan again");
	m->inventory.present = 1;
	m->inventory.file = xstrdup(PLAN_INVENTORY_FILE);
	m->inventory.lines = (uint64_t)json_get_int(v, "lines", -1);
	m->inventory.bytes = (uint64_t)json_get_int(v, "bytes", -1);
	m->inventory.crc32 = (uint32_t)x;
	return 0;
}

/* The checks and messages of read_manifest, in the order it has always made them. */
static int read_doc(yajl_val doc, const char *path, enum product want, struct plan_manifest *m,
		    struct itg_err *e)
{
	yajl_val v;
	const char *s;
	uint64_t x;

	m->format = (int)json_get_int(doc, "format", -1);
	if (m->format != PLAN_FORMAT)
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "format is not %d, make the plan with a matching itg-transform",
			      PLAN_FORMAT);
	m->product = product_parse(json_get_str(doc, "product"));
	if (m->product == PRODUCT_NONE)
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0, "product is not bullphish or darkwebid");
	if (want != PRODUCT_NONE && m->product != want)
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "the plan is for %s but the pipeline is for %s, load it with its own "
			      "pipeline",
			      product_name(m->product), product_name(want));
	m->pipeline = xstrdup(json_get_str(doc, "pipeline"));
	s = json_get_str(doc, "integration_status");
	m->disconnect = json_get_bool(doc, "disconnect", 0) || (s && strcmp(s, "disconnected") == 0);
	m->connect = json_get_bool(doc, "connect", 0);
	v = json_get(doc, "snapshot");
	m->snapshot.account_id = xstrdup(json_get_id(json_get(v, "account"), "primary_organization_id"));
	m->snapshot.account_name = xstrdup(json_get_str(json_get(v, "account"),
							"primary_organization_name"));
	m->snapshot.path = xstrdup(json_get_str(v, "path"));
	m->snapshot.region = xstrdup(json_get_str(v, "region"));
	m->snapshot.base_url = xstrdup(json_get_str(v, "base_url"));
	m->snapshot.started_at = xstrdup(json_get_str(v, "started_at"));
	m->snapshot.finished_at = xstrdup(json_get_str(v, "finished_at"));
	m->snapshot.manifest_hash = get_hex64(v, "manifest_fnv1a64");
	m->settings_hash = get_hex64(doc, "settings_fnv1a64");
	v = json_get(doc, "store");
	m->store_path = xstrdup(json_get_str(v, "path"));
	if (read_files(json_get(v, "files"), path, m, e) != 0)
		return -1;

	v = json_get(doc, "plan");
	if (json_get_int(v, "lines", -1) < 0 || json_get_int(v, "bytes", -1) < 0 ||
	    parse_hex64(json_get_str(v, "crc32"), &x) != 0 || x > 0xffffffffu)
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "plan.lines, plan.bytes or plan.crc32 is missing, make the plan again");
	m->lines = (uint64_t)json_get_int(v, "lines", -1);
	m->bytes = (uint64_t)json_get_int(v, "bytes", -1);
	m->crc32 = (uint32_t)x;

	if (read_inventory(json_get(doc, "inventory"), path, m, e) != 0)
		return -1;

	v = json_get(doc, "counts");
	for (int a = 0; a < PA_COUNT; a++)
		m->counts[a] = get_count(v, plan_actions[a].name);
	v = json_get(doc, "domains");
	m->domains_pending = get_count(v, DOMAIN_PENDING);
	m->domains_unimported = get_count(v, DOMAIN_UNIMPORTED);
	return 0;
}

int plan_manifest_read(const char *dir, enum product want, struct plan_manifest *m,
		       struct itg_err *e)
{
	char *path = fs_join(dir, PLAN_MANIFEST_FILE);
	struct buf b = {0};
	char errbuf[256];
	yajl_val doc = NULL;
	int rc = -1;

	memset(m, 0, sizeof *m);
	if (fs_read_all(path, &b, PLAN_MAX_MANIFEST, e) != 0) {
		err_prefix(e, "not a plan folder (run itg-transform first)");
		e->code = ITG_EXIT_USAGE;
		goto out;
	}
	doc = json_parse(buf_str(&b), b.len, errbuf, sizeof errbuf);
	if (!doc || !YAJL_IS_OBJECT(doc)) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0, "not a JSON object (%s), make the plan again",
		       doc ? "wrong type" : errbuf);
		goto out;
	}
	rc = read_doc(doc, path, want, m, e);
out:
	if (doc)
		yajl_tree_free(doc);
	buf_free(&b);
	free(path);
	if (rc != 0)
		plan_manifest_free(m);
	return rc;
}

void plan_manifest_free(struct plan_manifest *m)
{
	free(m->pipeline);
	free(m->snapshot.path);
	free(m->snapshot.region);
	free(m->snapshot.base_url);
	free(m->snapshot.account_id);
	free(m->snapshot.account_name);
	free(m->snapshot.started_at);
	free(m->snapshot.finished_at);
	free(m->store_path);
	free(m->inventory.file);
	for (size_t i = 0; i < m->nfiles; i++)
		free(m->files[i].name);
	free(m->files);
	memset(m, 0, sizeof *m);
}
