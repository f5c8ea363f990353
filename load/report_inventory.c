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

static const char *keep(struct report_inventory *inv, const char *s)
{
	return arena_strdup(&inv->a, s);
}

/* Appends one zeroed element of size to *v (of *n). */
static void *push(void **v, size_t *n, size_t *cap, size_t size)
{
	void *x;

	xgrow(v, cap, *n + 1, size);
	x = (char *)*v + (*n)++ * size;
	memset(x, 0, size);
	return x;
}

struct inv_reader {
	struct report_inventory *inv;
	struct strmap *words;   /* the values many orgs share (states, types, reasons), kept once */
	size_t cap_filters, cap_types, cap_orgs, cap_missing;
	const char *file;
};

/* A copy of s shared by every org that has the same value (NULL in, NULL out). */
static const char *word(struct inv_reader *r, const char *s)
{
	const char *w;

	if (!s)
		return NULL;
	if (!r->words)
		r->words = strmap_new(64);
	w = strmap_get(r->words, s);
	if (!w) {
		w = keep(r->inv, s);
		strmap_put(r->words, s, (void *)w);
	}
	return w;
}

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
	f = push((void **)&inv->filters, &inv->nfilters, &r->cap_filters, sizeof *f);
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
	t = push((void **)&inv->types, &inv->ntypes, &r->cap_types, sizeof *t);
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
		o = push((void **)&inv->missing, &inv->nmissing, &r->cap_missing, sizeof *o);
	else
		o = push((void **)&inv->orgs, &inv->norgs, &r->cap_orgs, sizeof *o);
	memset(o, 0, sizeof *o);
	o->itglue_id = keep(inv, id);
	o->state = word(r, state);
	o->name = keep(inv, json_get_str(v, "name"));
	o->type_name = word(r, json_get_str(v, "type_name"));
	o->status_name = word(r, json_get_str(v, "status_name"));
	o->in_scope = json_get_bool(v, "in_scope", 0);
	o->excluded_by = word(r, json_get_str(v, "excluded_by"));
	o->organization_id = keep(inv, json_get_id(v, "organization_id"));
	o->source = word(r, json_get_str(v, "source"));
	o->reason = word(r, json_get_str(v, "reason"));
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
	struct inv_reader r = {inv, NULL, 0, 0, 0, 0, file};
	long line = 0;

	memset(inv, 0, sizeof *inv);
	for (size_t off = 0; off < len;) {
		const char *start = text + off, *nl = memchr(start, '\n', len - off);
		size_t n = nl ? (size_t)(nl - start) : len - off;
		off += n + (nl ? 1 : 0);
		if (read_line(&r, start, n, ++line, e) != 0) {
			strmap_free(r.words, NULL);
			report_inventory_free(inv);
			return -1;
		}
	}
	strmap_free(r.words, NULL);
	index_orgs(inv);
	return 0;
}

int report_inventory_read(const struct plan *p, struct report_inventory *inv,
			  struct itg_err *e)
{
	struct inv_reader r = {inv, NULL, 0, 0, 0, 0, NULL};
	char *path = NULL, *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lines = 0;
	unsigned long long bytes = 0;
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
	FILE *fp = NULL;
	int rc = -1;

	memset(inv, 0, sizeof *inv);
	if (!p->inventory.present)
		return 0;
	path = fs_join(p->dir, PLAN_INVENTORY_FILE);
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
	if ((uint64_t)lines != p->inventory.lines || bytes != p->inventory.bytes ||
	    crc != p->inventory.crc32) {
		err_set(e, ITG_EXIT_USAGE,
			"%s: %ld lines, %llu bytes, crc32 %08" PRIx32 " where the manifest says "
			"%llu, %llu, %08" PRIx32 ": make the plan again", path, lines, bytes, crc,
			(unsigned long long)p->inventory.lines,
			(unsigned long long)p->inventory.bytes, p->inventory.crc32);
		goto out;
	}
	index_orgs(inv);
	rc = 0;
out:
	strmap_free(r.words, NULL);
	if (fp)
		fclose(fp);
	if (rc != 0)
		report_inventory_free(inv);
	free(line);
	free(path);
	return rc;
}

void report_inventory_free(struct report_inventory *inv)
{
	if (inv->by_itglue)
		strmap_free(inv->by_itglue, NULL);
	free(inv->filters);
	free(inv->types);
	free(inv->orgs);
	free(inv->missing);
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
