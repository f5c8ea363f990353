#include "snapshot.h"
#include "fsutil.h"
#include "json.h"
#include "ndjson.h"
#include "strmap.h"
#include "timefmt.h"
#include "xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const resource_names[RES_COUNT] = {
	"organizations", "organization_types", "organization_statuses",
	"contacts",      "contact_types",      "domains",
};

const char *const resource_types[RES_COUNT] = {
	"organizations", "organization-types", "organization-statuses",
	"contacts",      "contact-types",      "domains",
};

int resource_from_name(const char *name)
{
	for (int i = 0; i < RES_COUNT; i++)
		if (strcmp(name, resource_names[i]) == 0)
			return i;
	return -1;
}

void snapshot_ids_add(struct snapshot_ids *l, const char *id)
{
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(id);
}

static int ids_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int c = id_cmp(x, y);

	return c ? c : strcmp(x, y);
}

void snapshot_ids_sort(struct snapshot_ids *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, ids_cmp);
}

void snapshot_ids_free(struct snapshot_ids *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct snapshot_ids){0};
}

void snapshot_manifest_free(struct snapshot_manifest *m)
{
	snapshot_ids_free(&m->confirmed_deleted);
	snapshot_ids_free(&m->unconfirmed_missing);
}

static void gen_ids(yajl_gen g, const char *key, const struct snapshot_ids *l)
{
	json_key(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < l->n; i++)
		json_str(g, l->v[i]);
	yajl_gen_array_close(g);
}

int snapshot_manifest_write(const char *dir, const struct snapshot_manifest *m,
			    struct itg_err *e)
{
	yajl_gen g = json_gen_new();
	struct buf b = {0};
	char *path;
	char num[32];
	int rc;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_map_open(g);
	json_kv_int(g, "format", m->format ? m->format : SNAPSHOT_FORMAT);
	json_kv_str(g, "region", m->region);
	json_kv_str(g, "base_url", m->base_url);
	json_kv_str(g, "started_at", m->started_at);
	json_kv_str(g, "finished_at", m->finished_at);
	if (m->mode[0]) {
		json_kv_str(g, "mode", m->mode);
		json_key(g, "base");
		if (m->has_base) {
			yajl_gen_map_open(g);
			json_kv_str(g, "path", m->base_path);
			json_kv_str(g, "started_at", m->base_started_at);
			yajl_gen_map_close(g);
		} else {
			yajl_gen_null(g);
		}
		if (m->last_full_at[0])
			json_kv_str(g, "last_full_at", m->last_full_at);
	}
	if (m->has_account) {
		int known = m->primary_org_id[0] != '\0';
		json_key(g, "account");
		yajl_gen_map_open(g);
		json_kv_str(g, "primary_organization_id", known ? m->primary_org_id : NULL);
		json_kv_str(g, "primary_organization_name", known ? m->primary_org_name : NULL);
		yajl_gen_map_close(g);
	}
	json_key(g, "resources");
	yajl_gen_map_open(g);
	for (int i = 0; i < RES_COUNT; i++) {
		const struct snapshot_resource *r = &m->res[i];
		if (!r->present)
			continue;
		json_key(g, resource_names[i]);
		yajl_gen_map_open(g);
		json_kv_str(g, "file", r->file);
		snprintf(num, sizeof num, "%" PRIu64, r->records);
		json_kv_raw_number(g, "records", num);
		snprintf(num, sizeof num, "%08" PRIx32, r->crc32);
		json_kv_str(g, "crc32", num);
		snprintf(num, sizeof num, "%" PRIu64, r->bytes);
		json_kv_raw_number(g, "bytes", num);
		if (i == RES_ORGANIZATIONS && m->has_missing) {
			gen_ids(g, "confirmed_deleted", &m->confirmed_deleted);
			gen_ids(g, "unconfirmed_missing", &m->unconfirmed_missing);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	json_gen_take(g, &b);
	if (!b.len || b.p[b.len - 1] != '\n')   /* yajl's beautifier may end the text itself */
		buf_addc(&b, '\n');
	yajl_gen_free(g);
	path = fs_join(dir, "manifest.json");
	rc = fs_write_atomic(path, b.p, b.len, ITG_FILE_MODE, e);
	free(path);
	buf_free(&b);
	return rc;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* Copies at most n - 1 bytes of src, never cutting a UTF-8 sequence in two. */
static void copy_utf8(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len >= n) {
		len = n - 1;
		while (len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
}

void snapshot_manifest_set_account(struct snapshot_manifest *m, const char *id,
				   const char *name)
{
	m->has_account = 1;
	m->primary_org_id[0] = '\0';
	m->primary_org_name[0] = '\0';
	if (!id || !id_is_numeric(id) || strlen(id) >= sizeof m->primary_org_id)
		return;
	copy_str(m->primary_org_id, sizeof m->primary_org_id, id);
	copy_utf8(m->primary_org_name, sizeof m->primary_org_name, name ? name : "");
}

const char *snapshot_last_full_at(const struct snapshot_manifest *m)
{
	if (m->last_full_at[0])
		return m->last_full_at;
	if (strcmp(m->mode, "incremental") != 0)
		return m->started_at;
	return NULL;
}

/* A time member: a string RFC 3339 time that fits, or (when nullable) null. */
static int read_time(yajl_val v, const char *path, const char *key, int nullable, char *out,
		     size_t n, struct itg_err *e)
{
	const char *s = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
	long long ms;

	out[0] = '\0';
	if (nullable && v && YAJL_IS_NULL(v))
		return 0;
	if (!s || strlen(s) >= n || time_parse_rfc3339(s, &ms) != 0)
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "\"%s\" must be an RFC 3339 time such as 2026-01-01T00:00:00.000Z%s",
			      key, nullable ? ", or null" : "");
	copy_str(out, n, s);
	return 0;
}

/*
 * "mode", "base" and "last_full_at" (docs/contract.md section 11): all
 * absent (an older snapshot), or mode "full" with base null, or mode
 * "incremental" with base {"path": .., "started_at": ..}.
 */
static int read_mode(yajl_val root, const char *path, struct snapshot_manifest *m,
		     struct itg_err *e)
{
	yajl_val mode = json_get(root, "mode"), base = json_get(root, "base");
	yajl_val last = json_get(root, "last_full_at"), bpath, bstart;
	const char *ms = mode && YAJL_IS_STRING(mode) ? YAJL_GET_STRING(mode) : NULL, *bp;

	if (!mode) {
		if (base || last)
			return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				      "has \"%s\" but no \"mode\": give \"mode\": \"full\" or "
				      "\"incremental\"",
				      base ? "base" : "last_full_at");
		return 0;
	}
	if (!ms || (strcmp(ms, "full") != 0 && strcmp(ms, "incremental") != 0))
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "\"mode\" must be \"full\" or \"incremental\"");
	copy_str(m->mode, sizeof m->mode, ms);
	if (last && read_time(last, path, "last_full_at", 1, m->last_full_at,
			      sizeof m->last_full_at, e) != 0)
		return -1;
	if (strcmp(ms, "full") == 0) {
		if (base && !YAJL_IS_NULL(base))
			return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				      "a full snapshot has \"base\": null");
		return 0;
	}
	bpath = json_get(base, "path");
	bstart = json_get(base, "started_at");
	bp = bpath && YAJL_IS_STRING(bpath) ? YAJL_GET_STRING(bpath) : NULL;
	if (!base || !YAJL_IS_OBJECT(base) || !bp || !*bp || strlen(bp) >= sizeof m->base_path)
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "an incremental snapshot names its base: \"base\": {\"path\": "
			      "\"..\", \"started_at\": \"..\"}");
	if (read_time(bstart, path, "base.started_at", 0, m->base_started_at,
		      sizeof m->base_started_at, e) != 0)
		return -1;
	copy_str(m->base_path, sizeof m->base_path, bp);
	m->has_base = 1;
	return 0;
}

/* "account": absent (unknown), or both members null or strings, the id numeric. */
static int read_account(yajl_val root, const char *path, struct snapshot_manifest *m,
			struct itg_err *e)
{
	yajl_val a = json_get(root, "account"), id, name;
	const char *ids;

	if (!a)
		return 0;
	id = json_get(a, "primary_organization_id");
	name = json_get(a, "primary_organization_name");
	if (!YAJL_IS_OBJECT(a) || !id || !name || !(YAJL_IS_NULL(id) || YAJL_IS_STRING(id)) ||
	    !(YAJL_IS_NULL(name) || YAJL_IS_STRING(name)))
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "\"account\" must be {\"primary_organization_id\": ID or null, "
			      "\"primary_organization_name\": NAME or null}");
	ids = YAJL_IS_STRING(id) ? YAJL_GET_STRING(id) : NULL;
	if (ids && (!id_is_numeric(ids) || strlen(ids) >= sizeof m->primary_org_id))
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "\"account\": primary_organization_id is not an IT Glue id");
	snapshot_manifest_set_account(m, ids, YAJL_IS_STRING(name) ? YAJL_GET_STRING(name) : NULL);
	return 0;
}

/*
 * One id list of the organizations entry: an array of numeric id strings,
 * strictly ascending (so unique).  Kept in out when out is not NULL.
 */
static int read_ids(yajl_val arr, const char *path, const char *key, struct snapshot_ids *out,
		    struct itg_err *e)
{
	const char *prev = NULL;

	if (!YAJL_IS_ARRAY(arr))
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "organizations: \"%s\" must be an array of id strings", key);
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val v = arr->u.array.values[i];
		const char *id = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
		if (!id || !id_is_numeric(id))
			return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				      "organizations: \"%s\" entry %zu is not an id string", key,
				      i + 1);
		if (prev && ids_cmp(&prev, &id) >= 0)
			return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				      "organizations: \"%s\" is not in ascending id order at "
				      "entry %zu (\"%s\")",
				      key, i + 1, id);
		prev = id;
		if (out)
			snapshot_ids_add(out, id);
	}
	return 0;
}

/* Both lists or neither; no id confirmed deleted and unconfirmed at once. */
static int read_missing(yajl_val org, const char *path, struct snapshot_manifest *m, int keep,
			struct itg_err *e)
{
	yajl_val del = json_get(org, "confirmed_deleted"), unc = json_get(org, "unconfirmed_missing");
	struct strmap *seen;
	int rc = 0;

	if (!del && !unc)
		return 0;
	if (!del || !unc)
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "organizations: has \"%s\" but not \"%s\": both or neither",
			      del ? "confirmed_deleted" : "unconfirmed_missing",
			      del ? "unconfirmed_missing" : "confirmed_deleted");
	if (read_ids(del, path, "confirmed_deleted", keep ? &m->confirmed_deleted : NULL, e) != 0 ||
	    read_ids(unc, path, "unconfirmed_missing", keep ? &m->unconfirmed_missing : NULL, e) != 0)
		return -1;
	seen = strmap_new(del->u.array.len);
	for (size_t i = 0; i < del->u.array.len; i++)
		strmap_put(seen, YAJL_GET_STRING(del->u.array.values[i]), NULL);
	for (size_t i = 0; i < unc->u.array.len && rc == 0; i++) {
		const char *id = YAJL_GET_STRING(unc->u.array.values[i]);
		if (strmap_has(seen, id))
			rc = err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				    "organizations: id %s is both confirmed_deleted and "
				    "unconfirmed_missing",
				    id);
	}
	strmap_free(seen, NULL);
	if (rc == 0)
		m->has_missing = 1;
	return rc;
}

static int manifest_read(const char *dir, struct snapshot_manifest *m, int keep_ids,
			 struct itg_err *e)
{
	char *path = fs_join(dir, "manifest.json");
	struct buf b = {0};
	char errbuf[256];
	yajl_val root = NULL, res;
	int rc = -1;

	memset(m, 0, sizeof *m);
	if (fs_read_all(path, &b, 1 << 20, e) != 0) {
		err_set(e, ITG_EXIT_USAGE, "%s: not a snapshot (no complete manifest.json)", dir);
		goto out;
	}
	root = json_parse(b.p, b.len, errbuf, sizeof errbuf);
	/* yajl's first line says what; the (flattened, indented) lines after it
	 * quote the text around the fault: keep only the first */
	{
		char *excerpt = strstr(errbuf, "  ");

		if (excerpt)
			*excerpt = '\0';
	}
	if (!root || !YAJL_IS_OBJECT(root)) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0, "not a snapshot manifest: %s",
		       root ? "not an object" : errbuf);
		goto out;
	}
	m->format = (int)json_get_int(root, "format", 0);
	if (m->format != SNAPSHOT_FORMAT) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0, "unsupported snapshot format %d (expected %d)",
		       m->format, SNAPSHOT_FORMAT);
		goto out;
	}
	copy_str(m->region, sizeof m->region, json_get_str(root, "region"));
	copy_str(m->base_url, sizeof m->base_url, json_get_str(root, "base_url"));
	copy_str(m->started_at, sizeof m->started_at, json_get_str(root, "started_at"));
	copy_str(m->finished_at, sizeof m->finished_at, json_get_str(root, "finished_at"));
	if (read_account(root, path, m, e) != 0 || read_mode(root, path, m, e) != 0)
		goto out;
	res = json_get(root, "resources");
	if (!res || !YAJL_IS_OBJECT(res)) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0, "no \"resources\" object");
		goto out;
	}
	for (size_t i = 0; i < res->u.object.len; i++) {
		int r = resource_from_name(res->u.object.keys[i]);
		yajl_val o = res->u.object.values[i];
		const char *file = json_get_str(o, "file"), *crc = json_get_str(o, "crc32");
		yajl_val rec = json_get(o, "records"), bytes = json_get(o, "bytes");
		char want[64];
		if (r < 0) {
			err_at(e, ITG_EXIT_USAGE, path, 0, 0, "unknown resource \"%s\"",
			       res->u.object.keys[i]);
			goto out;
		}
		if (!file || !crc || !rec || !YAJL_IS_INTEGER(rec) || YAJL_GET_INTEGER(rec) < 0 ||
		    !bytes || !YAJL_IS_INTEGER(bytes) || YAJL_GET_INTEGER(bytes) < 0) {
			err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			       "resource \"%s\" lacks file, records, crc32 or bytes",
			       resource_names[r]);
			goto out;
		}
		/* the file name is fixed by the resource: never a path of the
		 * manifest's choosing */
		snprintf(want, sizeof want, "%s.ndjson.gz", resource_names[r]);
		if (strcmp(file, want) != 0) {
			err_at(e, ITG_EXIT_USAGE, path, 0, 0, "resource \"%s\": file \"%s\" is not %s",
			       resource_names[r], file, want);
			goto out;
		}
		if (strlen(crc) != 8 || strspn(crc, "0123456789abcdefABCDEF") != 8) {
			err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			       "resource \"%s\": crc32 \"%s\" is not 8 hex digits", resource_names[r],
			       crc);
			goto out;
		}
		m->res[r].present = 1;
		copy_str(m->res[r].file, sizeof m->res[r].file, file);
		m->res[r].records = (uint64_t)YAJL_GET_INTEGER(rec);
		m->res[r].bytes = (uint64_t)YAJL_GET_INTEGER(bytes);
		m->res[r].crc32 = (uint32_t)strtoul(crc, NULL, 16);
		if (r == RES_ORGANIZATIONS && read_missing(o, path, m, keep_ids, e) != 0)
			goto out;
	}
	rc = 0;
out:
	yajl_tree_free(root);
	buf_free(&b);
	free(path);
	if (rc != 0) {
		size_t n = strlen(e->msg);

		/* every refusal of a manifest has the same remedy */
		if (!strstr(e->msg, "extract it again") && n < sizeof e->msg)
			snprintf(e->msg + n, sizeof e->msg - n,
				 ": the snapshot is damaged or not one, extract it again");
		snapshot_manifest_free(m);
	}
	return rc;
}

int snapshot_manifest_read(const char *dir, struct snapshot_manifest *m, struct itg_err *e)
{
	return manifest_read(dir, m, 0, e);
}

int snapshot_manifest_load(const char *dir, struct snapshot_manifest *m, struct itg_err *e)
{
	return manifest_read(dir, m, 1, e);
}

int snapshot_verify(const char *dir, const struct snapshot_manifest *m, struct itg_err *e)
{
	for (int i = 0; i < RES_COUNT; i++) {
		const struct snapshot_resource *r = &m->res[i];
		struct ndjson_reader rd;
		const char *line;
		size_t len;
		char *path;
		int st;

		if (!r->present)
			continue;
		path = fs_join(dir, r->file);
		if (ndjson_reader_open(&rd, path, e) != 0) {
			free(path);
			return -1;
		}
		while ((st = ndjson_reader_next(&rd, &line, &len, e)) == 1)
			;
		if (st == 0 && (rd.records != r->records || rd.crc != r->crc32 ||
				rd.bytes != r->bytes)) {
			err_set(e, ITG_EXIT_USAGE,
				"%s: does not match the snapshot manifest (%" PRIu64
				" records, crc32 %08" PRIx32 ", %" PRIu64 " bytes; manifest says %" PRIu64
				", %08" PRIx32 ", %" PRIu64 "): the snapshot is damaged, extract it again",
				path, rd.records, rd.crc, rd.bytes, r->records, r->crc32, r->bytes);
			st = -1;
		}
		ndjson_reader_close(&rd);
		free(path);
		if (st != 0)
			return -1;
	}
	return 0;
}
