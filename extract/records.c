#include "records.h"

#include "strmap.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>

void records_init(struct records *r)
{
	*r = (struct records){0};
	r->index = strmap_new(1024);
}

void records_free(struct records *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].json);
	}
	free(r->v);
	if (r->index)
		strmap_free(r->index, NULL);
	*r = (struct records){0};
}

void records_add(struct records *r, const char *id, const char *json, size_t len,
		 long long page)
{
	void *found = strmap_get(r->index, id);
	struct record *rec;

	if (found) {
		rec = &r->v[(uintptr_t)found - 1];
		r->duplicates++;
		if (page < rec->page) {
			free(rec->json);
			rec->json = xstrndup(json, len);
			rec->len = len;
			rec->page = page;
		}
		return;
	}
	xgrow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v);
	rec = &r->v[r->n++];
	rec->id = xstrdup(id);
	rec->json = xstrndup(json, len);
	rec->len = len;
	rec->page = page;
	strmap_put(r->index, id, (void *)(uintptr_t)r->n);
}

static int by_id(const void *a, const void *b)
{
	return id_cmp(((const struct record *)a)->id, ((const struct record *)b)->id);
}

void records_sort(struct records *r)
{
	if (r->index) {
		strmap_free(r->index, NULL);
		r->index = NULL;
	}
	if (r->n > 1)
		qsort(r->v, r->n, sizeof *r->v, by_id);
}
