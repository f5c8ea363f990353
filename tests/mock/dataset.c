/*
 * dataset.c - the mock's tables: loading fixture files and ordering records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "json.h"
#include "mock.h"
#include "timefmt.h"
#include "xalloc.h"

#define FIXTURE_MAX_BYTES (256u * 1024 * 1024)

static const char *const resource_paths[MOCK_RESOURCE_COUNT] = {
	"organizations", "organization_types", "organization_statuses",
	"contacts",      "contact_types",      "domains",
};
static const char *const resource_types[MOCK_RESOURCE_COUNT] = {
	"organizations", "organization-types", "organization-statuses",
	"contacts",      "contact-types",      "domains",
};

const char *mock_resource_path(int r)
{
	return r >= 0 && r < MOCK_RESOURCE_COUNT ? resource_paths[r] : NULL;
}

const char *mock_resource_type(int r)
{
	return r >= 0 && r < MOCK_RESOURCE_COUNT ? resource_types[r] : NULL;
}

int mock_resource_lookup(const char *name)
{
	for (int r = 0; r < MOCK_RESOURCE_COUNT; r++)
		if (strcmp(name, resource_paths[r]) == 0 || strcmp(name, resource_types[r]) == 0)
			return r;
	return -1;
}

/* Sorting helpers: self-contained entries so qsort needs no context. */
struct order_entry {
	int64_t k;
	int64_t id;
	uint32_t idx;
};

static int order_cmp(const void *pa, const void *pb)
{
	const struct order_entry *a = pa, *b = pb;

	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

static uint32_t *make_order(const struct mock_table *t, int which)
{
	struct order_entry *e = xcalloc(t->n ? t->n : 1, sizeof *e);
	uint32_t *out = xcalloc(t->n ? t->n : 1, sizeof *out);

	for (size_t i = 0; i < t->n; i++) {
		e[i].k = which == 0 ? (int64_t)t->recs[i].key : which == 1 ? 0 : t->recs[i].updated;
		e[i].id = t->recs[i].id;
		e[i].idx = (uint32_t)i;
	}
	qsort(e, t->n, sizeof *e, order_cmp);
	for (size_t i = 0; i < t->n; i++)
		out[i] = e[i].idx;
	free(e);
	return out;
}

void mock_table_index(struct mock_table *t)
{
	t->by_default = make_order(t, 0);
	t->by_id = make_order(t, 1);
	t->by_updated = make_order(t, 2);
}

/* Ranks of a string attribute (NULL sorts first), ties broken by id. */
struct rank_entry {
	const char *s;
	int64_t id;
	uint32_t idx;
};

static int rank_cmp(const void *pa, const void *pb)
{
	const struct rank_entry *a = pa, *b = pb;
	int c;

	if (!a->s || !b->s)
		c = (a->s != NULL) - (b->s != NULL);
	else
		c = strcmp(a->s, b->s);
	if (c)
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

static void rank_by(struct mock_table *t, yajl_val arr, const char *attr)
{
	struct rank_entry *e = xcalloc(t->n ? t->n : 1, sizeof *e);

	for (size_t i = 0; i < t->n; i++) {
		yajl_val attrs = json_get(arr->u.array.values[t->recs[i].src], "attributes");
		e[i].s = json_get_str(attrs, attr);
		e[i].id = t->recs[i].id;
		e[i].idx = (uint32_t)i;
	}
	qsort(e, t->n, sizeof *e, rank_cmp);
	for (size_t i = 0; i < t->n; i++)
		t->recs[e[i].idx].key = i;
	free(e);
}

/* A decimal id from a JSON string or number; -1 when it is not one. */
static int parse_id(yajl_val v, int64_t *out)
{
	const char *s = json_str_or_number(v);
	char *end;
	long long n;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = n;
	return 0;
}

/* An optional foreign key: absent or null is 0; anything else must be an id. */
static int parse_fk(yajl_val attrs, const char *key, int64_t *out)
{
	yajl_val v = json_get(attrs, key);

	*out = 0;
	if (!v || YAJL_IS_NULL(v))
		return 0;
	return parse_id(v, out);
}

int mock_records_parse(yajl_val arr, int r, struct mock_rec *recs, uint8_t layer,
		       const char *path, struct itg_err *e)
{
	const char *type_key = r == MOCK_CONTACTS ? "contact-type-id" : "organization-type-id";

	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val obj = arr->u.array.values[i];
		yajl_val attrs = json_get(obj, "attributes");
		struct mock_rec *rec = &recs[i];
		const char *updated;
		long long ms;

		memset(rec, 0, sizeof *rec);
		rec->src = (uint32_t)i;
		rec->layer = layer;
		if (!YAJL_IS_OBJECT(obj) || parse_id(json_get(obj, "id"), &rec->id) != 0)
			return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				      "%s record %zu: needs an object with a decimal \"id\": fix the "
				      "file",
				      resource_paths[r], i + 1);
		if (attrs && !YAJL_IS_OBJECT(attrs))
			return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				      "%s record %zu: \"attributes\" must be an object: fix the file",
				      resource_paths[r], i + 1);
		if (parse_fk(attrs, "organization-id", &rec->org) != 0 ||
		    parse_fk(attrs, type_key, &rec->type) != 0 ||
		    parse_fk(attrs, "organization-status-id", &rec->status) != 0)
			return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				      "%s record %zu: a foreign key attribute is not a number: fix "
				      "the file",
				      resource_paths[r], i + 1);
		updated = json_get_str(attrs, "updated-at");
		rec->updated = updated && time_parse_rfc3339(updated, &ms) == 0 ? ms : MOCK_NO_TIME;
		/* without a name rank (a --mutate record), updated-at orders them */
		rec->key = rec->updated == MOCK_NO_TIME ? 0 : (uint64_t)rec->updated;
	}
	return 0;
}

static int load_one(struct mock_data *d, int r, const char *dir, struct itg_err *e)
{
	char *path = xasprintf("%s/%s.json", dir, resource_paths[r]);
	struct buf text = {0};
	char why[256];
	struct mock_table *t = &d->t[r];
	yajl_val arr;
	int rc = -1;

	if (!fs_exists(path)) {
		mock_table_index(t);
		free(path);
		return 0;
	}
	if (fs_read_all(path, &text, FIXTURE_MAX_BYTES, e) != 0)
		goto out;
	arr = json_parse(buf_str(&text), text.len, why, sizeof why);
	if (!arr) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0, "not valid JSON: %s: fix the fixture file", why);
		goto out;
	}
	d->tree[r] = arr;
	if (!YAJL_IS_ARRAY(arr)) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0,
		       "expected a JSON array of resource objects: fix the fixture file");
		goto out;
	}
	t->n = arr->u.array.len;
	t->recs = xcalloc(t->n ? t->n : 1, sizeof *t->recs);
	if (mock_records_parse(arr, r, t->recs, 0, path, e) != 0)
		goto out;
	/*
	 * IT Glue's unsorted order is not id order; serve organizations and
	 * contacts by name so that a client relying on server order is caught.
	 */
	if (r == MOCK_ORGANIZATIONS || r == MOCK_CONTACTS)
		rank_by(t, arr, "name");
	mock_table_index(t);
	rc = 0;
out:
	buf_free(&text);
	free(path);
	return rc;
}

int mock_data_load(struct mock_data *d, const char *dir, struct itg_err *e)
{
	if (!fs_is_dir(dir))
		return err_set(e, ITG_EXIT_USAGE, "--data %s: not a folder: give the fixture folder",
			       dir);
	for (int r = 0; r < MOCK_RESOURCE_COUNT; r++)
		if (load_one(d, r, dir, e) != 0)
			return -1;
	return 0;
}

void mock_render_object(int r, yajl_val obj, int64_t rid, yajl_gen g)
{
	yajl_val rel;
	char id[32];

	snprintf(id, sizeof id, "%lld", (long long)rid);
	yajl_gen_map_open(g);
	json_kv_str(g, "id", id);   /* ids are strings in data[].id */
	json_kv_str(g, "type", resource_types[r]);
	json_key(g, "attributes");
	json_gen_value(g, json_get(obj, "attributes"));
	json_key(g, "relationships");
	rel = json_get(obj, "relationships");
	if (rel) {
		json_gen_value(g, rel);
	} else {
		yajl_gen_map_open(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

void mock_data_render(const struct mock_data *d, int r, const struct mock_rec *rec,
		      yajl_gen g)
{
	if (d->gen)
		mock_gen_render(d->gen, r, rec->src, g);
	else
		mock_render_object(r, d->tree[r]->u.array.values[rec->src], rec->id, g);
}

void mock_data_free(struct mock_data *d)
{
	for (int r = 0; r < MOCK_RESOURCE_COUNT; r++) {
		struct mock_table *t = &d->t[r];
		free(t->recs);
		free(t->by_default);
		free(t->by_id);
		free(t->by_updated);
		if (d->tree[r])
			yajl_tree_free(d->tree[r]);
	}
	if (d->gen)
		mock_gen_free(d->gen);
	memset(d, 0, sizeof *d);
}
