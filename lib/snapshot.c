#include "snapshot.h"
#include "fsutil.h"
#include "json.h"
#include "ndjson.h"

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
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	json_gen_take(g, &b);
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

int snapshot_manifest_read(const char *dir, struct snapshot_manifest *m, struct itg_err *e)
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
	}
	rc = 0;
out:
	yajl_tree_free(root);
	buf_free(&b);
	free(path);
	return rc;
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
