/*
 * report_inventory.c - the plan's inventory.ndjson (written by itg-transform
 * beside plan.ndjson; docs/file-formats.md section 2): the sync filters, the
 * account's organization types, statuses and contact types with their
 * counts, and every IT Glue organization with its state after the plan.
 * itg-load never reads the snapshot; this file is how its report shows the
 * IT Glue side of the integration.
 *
 * The manifest's "inventory" key names the file with its line count, byte
 * length and CRC-32, checked as plan.ndjson's are.  The file is streamed
 * once, one line parsed at a time; only the strings the report shows are
 * kept.
 */
#include "report.h"
#include "fsutil.h"
#include "json.h"
#include "planfmt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define INVENTORY_MAX_MANIFEST (1 << 20)

static const char *keep(struct report_inventory *inv, const char *s)
{
	return arena_strdup(&inv->a, s);
}

/* Appends one element of size to *v (of *n), growing it in the arena by doubling. */
static void *push(struct report_inventory *inv, void **v, size_t *n, size_t *cap, size_t size,
		  size_t align)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *nv = arena_alloc(&inv->a, ncap * size, align);
		if (*n)
			memcpy(nv, *v, *n * size);
		*v = nv;
		*cap = ncap;
	}
	return (char *)*v + (*n)++ * size;
}

struct inv_reader {
	struct report_inventory *inv;
	size_t cap_filters, cap_types, cap_orgs, cap_missing;
	const char *file;
};

static int bad(struct inv_reader *r, long line, struct itg_err *e, const char *what)
{
	return err_at(e, ITG_EXIT_USAGE, r->file, line, 0, "%s, make the plan again", what);
}

static int read_filter(struct inv_reader *r, yajl_val v, long line, struct itg_err *e)
{
	struct report_inventory *inv = r->inv;
	struct inv_filter *f;
	yajl_val entries = json_get(v, "entries");
	const char *name = json_get_str(v, "filter");

	if (!name || (entries && !YAJL_IS_ARRAY(entries)))
		return bad(r, line, e, "filter line without \"filter\" or with \"entries\" not an array");
	f = push(inv, (void **)&inv->filters, &inv->nfilters, &r->cap_filters, sizeof *f,
		 _Alignof(struct inv_filter));
	memset(f, 0, sizeof *f);
	f->filter = keep(inv, name);
	f->all = json_get_bool(v, "all", 0);
	if (!entries)
		return 0;
	f->n = entries->u.array.len;
	f->entries = arena_alloc(&inv->a, (f->n ? f->n : 1) * sizeof *f->entries,
				 _Alignof(struct inv_entry));
	for (size_t i = 0; i < f->n; i++) {
		yajl_val en = entries->u.array.values[i], ids = json_get(en, "ids");
		struct inv_entry *x = &f->entries[i];
		x->text = keep(inv, json_str_or_number(json_get(en, "text")));
		x->nids = ids && YAJL_IS_ARRAY(ids) ? ids->u.array.len : 0;
		x->ids = arena_alloc(&inv->a, (x->nids ? x->nids : 1) * sizeof *x->ids,
				     _Alignof(const char *));
		for (size_t k = 0; k < x->nids; k++)
			x->ids[k] = keep(inv, json_str_or_number(ids->u.array.values[k]));
	}
	return 0;
}

static int read_type(struct inv_reader *r, yajl_val v, long line, struct itg_err *e)
{
	struct report_inventory *inv = r->inv;
	struct inv_type *t;
	const char *res = json_get_str(v, "resource");

	if (!res)
		return bad(r, line, e, "type line without \"resource\"");
	t = push(inv, (void **)&inv->types, &inv->ntypes, &r->cap_types, sizeof *t,
		 _Alignof(struct inv_type));
	t->resource = keep(inv, res);
	t->id = keep(inv, json_get_id(v, "id"));
	t->name = keep(inv, json_get_str(v, "name"));
	t->selected = json_get_bool(v, "selected", 0);
	t->count = json_get_int(v, "count", 0);
	return 0;
}

static int read_org(struct inv_reader *r, yajl_val v, long line, int missing,
		    struct itg_err *e)
{
	struct report_inventory *inv = r->inv;
	struct inv_org *o;
	const char *id = json_get_id(v, "itglue_organization_id");
	const char *state = missing ? "missing" : json_get_str(v, "state");

	if (!id || !state)
		return bad(r, line, e, missing ? "missing line without \"itglue_organization_id\""
					       : "org line without \"itglue_organization_id\" or "
						 "\"state\"");
	if (missing)
		o = push(inv, (void **)&inv->missing, &inv->nmissing, &r->cap_missing, sizeof *o,
			 _Alignof(struct inv_org));
	else
		o = push(inv, (void **)&inv->orgs, &inv->norgs, &r->cap_orgs, sizeof *o,
			 _Alignof(struct inv_org));
	memset(o, 0, sizeof *o);
	o->itglue_id = keep(inv, id);
	o->state = keep(inv, state);
	o->name = keep(inv, json_get_str(v, "name"));
	o->type_name = keep(inv, json_get_str(v, "type_name"));
	o->status_name = keep(inv, json_get_str(v, "status_name"));
	o->in_scope = json_get_bool(v, "in_scope", 0);
	o->excluded_by = keep(inv, json_get_str(v, "excluded_by"));
	o->organization_id = keep(inv, json_get_id(v, "organization_id"));
	o->source = keep(inv, json_get_str(v, "source"));
	o->reason = keep(inv, json_get_str(v, "reason"));
	return 0;
}

static int read_line(struct inv_reader *r, const char *text, size_t len, long line,
		     struct itg_err *e)
{
	char errbuf[256];
	yajl_val v;
	const char *kind;
	int rc = 0;

	if (len == 0)
		return bad(r, line, e, "empty line");
	v = json_parse(text, len, errbuf, sizeof errbuf);
	if (!v)
		return bad(r, line, e, errbuf);
	kind = json_get_str(v, "kind");
	if (!YAJL_IS_OBJECT(v) || !kind)
		rc = bad(r, line, e, "not an object with a \"kind\"");
	else if (strcmp(kind, "filter") == 0)
		rc = read_filter(r, v, line, e);
	else if (strcmp(kind, "type") == 0)
		rc = read_type(r, v, line, e);
	else if (strcmp(kind, "org") == 0)
		rc = read_org(r, v, line, 0, e);
	else if (strcmp(kind, "missing") == 0)
		rc = read_org(r, v, line, 1, e);
	/* a kind this version does not know is left out: a newer transform may add some */
	yajl_tree_free(v);
	return rc;
}

/* The look-up by IT Glue id, once every line is in (the arrays no longer move). */
static void index_orgs(struct report_inventory *inv)
{
	inv->by_itglue = strmap_new(inv->norgs + inv->nmissing);
	for (size_t i = 0; i < inv->norgs; i++)
		strmap_put(inv->by_itglue, inv->orgs[i].itglue_id, &inv->orgs[i]);
	for (size_t i = 0; i < inv->nmissing; i++)
		if (!strmap_has(inv->by_itglue, inv->missing[i].itglue_id))
			strmap_put(inv->by_itglue, inv->missing[i].itglue_id, &inv->missing[i]);
	inv->present = 1;
}

int report_inventory_parse(const char *text, size_t len, const char *file,
			   struct report_inventory *inv, struct itg_err *e)
{
	struct inv_reader r = {inv, 0, 0, 0, 0, file};
	long line = 0;

	memset(inv, 0, sizeof *inv);
	for (size_t off = 0; off < len;) {
		const char *start = text + off, *nl = memchr(start, '\n', len - off);
		size_t n = nl ? (size_t)(nl - start) : len - off;
		off += n + (nl ? 1 : 0);
		if (read_line(&r, start, n, ++line, e) != 0) {
			report_inventory_free(inv);
			return -1;
		}
	}
	index_orgs(inv);
	return 0;
}

/* The manifest's "inventory": file name and the figures to check it by. */
struct inv_manifest {
	int present;
	char *file;
	long long lines, bytes;
	uint32_t crc;
};

static int read_manifest(const char *plan_dir, struct inv_manifest *m, struct itg_err *e)
{
	char *path = fs_join(plan_dir, PLAN_MANIFEST_FILE);
	struct buf b = {0};
	char errbuf[256];
	yajl_val doc = NULL, v;
	const char *file, *crc;
	char *end = NULL;
	unsigned long x = 0;
	int rc = -1;

	memset(m, 0, sizeof *m);
	if (fs_read_all(path, &b, INVENTORY_MAX_MANIFEST, e) != 0)
		goto out;
	doc = json_parse(buf_str(&b), b.len, errbuf, sizeof errbuf);
	if (!doc) {
		err_set(e, ITG_EXIT_USAGE, "%s: %s, make the plan again", path, errbuf);
		goto out;
	}
	v = json_get(doc, "inventory");
	if (!v || YAJL_IS_NULL(v)) {
		rc = 0;
		goto out;
	}
	file = json_get_str(v, "file");
	crc = json_get_str(v, "crc32");
	m->lines = json_get_int(v, "lines", -1);
	m->bytes = json_get_int(v, "bytes", -1);
	if (crc) {
		errno = 0;
		x = strtoul(crc, &end, 16);
	}
	if (!file || !*file || strchr(file, '/') || file[0] == '.' || !crc || strlen(crc) != 8 ||
	    *end || errno || m->lines < 0 || m->bytes < 0) {
		err_set(e, ITG_EXIT_USAGE,
			"%s: \"inventory\" needs file (a name in the plan folder), lines, bytes and "
			"crc32, make the plan again", path);
		goto out;
	}
	m->present = 1;
	m->file = xstrdup(file);
	m->crc = (uint32_t)x;
	rc = 0;
out:
	if (doc)
		yajl_tree_free(doc);
	buf_free(&b);
	free(path);
	return rc;
}

int report_inventory_read(const char *plan_dir, struct report_inventory *inv,
			  struct itg_err *e)
{
	struct inv_manifest m;
	struct inv_reader r = {inv, 0, 0, 0, 0, NULL};
	char *path = NULL, *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lines = 0;
	unsigned long long bytes = 0;
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
	FILE *fp = NULL;
	int rc = -1;

	memset(inv, 0, sizeof *inv);
	if (read_manifest(plan_dir, &m, e) != 0)
		return -1;
	if (!m.present)
		return 0;
	path = fs_join(plan_dir, m.file);
	r.file = path;
	fp = fopen(path, "rb");
	if (!fp) {
		err_set(e, ITG_EXIT_USAGE, "cannot read %s: %s (the plan's manifest lists it), "
					   "make the plan again", path, strerror(errno));
		goto out;
	}
	while ((n = getline(&line, &cap, fp)) > 0) {
		size_t len = (size_t)n;
		crc = (uint32_t)crc32(crc, (const Bytef *)line, (unsigned)len);
		bytes += len;
		lines++;
		if (line[len - 1] == '\n')
			len--;
		if (read_line(&r, line, len, lines, e) != 0)
			goto out;
	}
	if (ferror(fp)) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (lines != m.lines || bytes != (unsigned long long)m.bytes || crc != m.crc) {
		err_set(e, ITG_EXIT_USAGE,
			"%s: %ld lines, %llu bytes, crc32 %08" PRIx32 " where the manifest says "
			"%lld, %lld, %08" PRIx32 ": make the plan again", path, lines, bytes, crc,
			m.lines, m.bytes, m.crc);
		goto out;
	}
	index_orgs(inv);
	rc = 0;
out:
	if (fp)
		fclose(fp);
	if (rc != 0)
		report_inventory_free(inv);
	free(line);
	free(path);
	free(m.file);
	return rc;
}

void report_inventory_free(struct report_inventory *inv)
{
	if (inv->by_itglue)
		strmap_free(inv->by_itglue, NULL);
	arena_free(&inv->a);
	memset(inv, 0, sizeof *inv);
}

const struct inv_org *report_inventory_org(const struct report_inventory *inv,
					   const char *itglue_id)
{
	if (!inv || !inv->present || !itglue_id)
		return NULL;
	return strmap_get(inv->by_itglue, itglue_id);
}
