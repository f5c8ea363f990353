#include "records.h"

#include "ids.h"
#include "json.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One record of each resource, for messages: "... is not a contact". */
static const char *const record_nouns[RES_COUNT] = {
	[RES_ORGANIZATIONS] = "an organization",
	[RES_ORGANIZATION_TYPES] = "an organization type",
	[RES_ORGANIZATION_STATUSES] = "an organization status",
	[RES_CONTACTS] = "a contact",
	[RES_CONTACT_TYPES] = "a contact type",
	[RES_DOMAINS] = "a domain",
};

/* "3.05 MiB", "1 MiB", "512 KiB": whole, or two decimals under ten, else one. */
static void format_size(char *out, size_t n, size_t bytes)
{
	double v = (double)bytes;
	const char *unit = "bytes";

	if (bytes >= (size_t)1 << 20) {
		v /= 1048576.0;
		unit = "MiB";
	} else if (bytes >= 1024) {
		v /= 1024.0;
		unit = "KiB";
	}
	if (v == (double)(long long)v)
		snprintf(out, n, "%lld %s", (long long)v, unit);
	else
		snprintf(out, n, v < 10 ? "%.2f %s" : "%.1f %s", v, unit);
}

int records_check_size(int resource, const char *id, size_t len, struct itg_err *e)
{
	char got[32], cap[32];

	if (len <= RECORDS_MAX_RECORD_BYTES)
		return 0;
	format_size(got, sizeof got, len);
	format_size(cap, sizeof cap, RECORDS_MAX_RECORD_BYTES);
	return err_set(e, ITG_EXIT_RUNTIME,
		       "%s record %.40s is %s of JSON, more than the %s a record may hold: IT "
		       "Glue answered something that is not %s; nothing was published",
		       resource_names[resource], id, got, cap, record_nouns[resource]);
}

/* A run's record: its page, then its id and its JSON. */
static const struct spill_spec run_spec = {
	.what = "sort run", .nints = 1, .nstrs = 2, .io_buffer = (size_t)64 << 10,
};

/*
 * Sort order of copies: numeric id, then the id's own bytes (so "07" and
 * "7", equal to id_cmp, stay apart and in a fixed order), then page.  Equal
 * keys keep the order they were added in: the sort is stable and the merge
 * breaks ties by source, oldest run first.
 */
static int key_cmp(const char *ida, long long pagea, const char *idb, long long pageb)
{
	int c = id_cmp(ida, idb);

	if (c == 0)
		c = strcmp(ida, idb);
	if (c == 0 && pagea != pageb)
		c = pagea < pageb ? -1 : 1;
	return c;
}

static int record_cmp(const struct record *a, const struct record *b)
{
	return key_cmp(a->id, a->page, b->id, b->page);
}

/* A stable merge sort: qsort is not stable, and ties must keep the order added. */
static void sort_stable(struct record *v, struct record *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	sort_stable(v, tmp, h);
	sort_stable(v + h, tmp, n - h);
	if (record_cmp(&v[h - 1], &v[h]) <= 0)
		return;
	memcpy(tmp, v, h * sizeof *v);
	while (i < h && j < n)
		v[k++] = record_cmp(&v[j], &tmp[i]) < 0 ? v[j++] : tmp[i++];
	while (i < h)
		v[k++] = tmp[i++];
}

static void sort_chunk(struct records *r)
{
	struct record *tmp;

	if (r->n < 2)
		return;
	tmp = xmalloc(r->n * sizeof *tmp);
	sort_stable(r->v, tmp, r->n);
	free(tmp);
}

static void free_chunk(struct records *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].id);
	r->n = 0;
	r->bytes = 0;
}

size_t records_budget_from_env(void)
{
	const char *s = getenv("ITG_EXTRACT_SORT_BUDGET");
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return RECORDS_DEFAULT_BUDGET;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > SIZE_MAX)
		return RECORDS_DEFAULT_BUDGET;
	return (size_t)v;
}

void records_init(struct records *r, const char *dir, const char *name, size_t budget)
{
	*r = (struct records){0};
	r->dir = xstrdup(dir);
	r->name = xstrdup(name);
	r->budget = budget ? budget : 1;
}

static void remove_runs(struct records *r)
{
	for (size_t i = 0; i < r->nruns; i++)
		spill_close(&r->runs[i]);
	r->nruns = 0;
}

void records_free(struct records *r)
{
	free_chunk(r);
	free(r->v);
	remove_runs(r);
	free(r->runs);
	free(r->dir);
	free(r->name);
	*r = (struct records){0};
}

/* ---- run files: one spill file per run, records in sort order ---- */

static int run_create(struct records *r, struct spill *run, struct itg_err *e)
{
	char *prefix = xasprintf(".run-%s-", r->name);
	int rc = spill_create(run, r->dir, prefix, &run_spec, e);

	free(prefix);
	return rc;
}

static int run_put(struct spill *run, const char *id, const char *json, size_t len,
		   long long page, struct itg_err *e)
{
	int64_t pg = page;
	struct spill_str strs[2] = {{id, strlen(id)}, {json, len}};

	return spill_put(run, &pg, strs, e);
}

/* Closes the run's writer; on failure (or when failed is set) removes the run. */
static int run_finish(struct spill *run, int failed, struct itg_err *e)
{
	if (!failed && spill_finish(run, e) == 0)
		return 0;
	spill_close(run);
	return -1;
}

/* r takes over run (moved, not copied: only r's copy is used afterwards). */
static void add_run(struct records *r, const struct spill *run)
{
	xgrow((void **)&r->runs, &r->capruns, r->nruns + 1, sizeof *r->runs);
	r->runs[r->nruns++] = *run;
}

/* Sorts the chunk and writes it as one run, dropping later copies of an id. */
static int write_run(struct records *r, struct itg_err *e)
{
	struct spill run;
	int failed = 0;

	sort_chunk(r);
	if (run_create(r, &run, e) != 0)
		return -1;
	for (size_t i = 0; i < r->n && !failed; i++) {
		if (i > 0 && strcmp(r->v[i].id, r->v[i - 1].id) == 0) {
			r->duplicates++;
			continue;
		}
		failed = run_put(&run, r->v[i].id, r->v[i].json, r->v[i].len, r->v[i].page, e) != 0;
	}
	if (run_finish(&run, failed, e) != 0)
		return -1;
	add_run(r, &run);
	free_chunk(r);
	return 0;
}

int records_add(struct records *r, const char *id, const char *json, size_t len,
		long long page, struct itg_err *e)
{
	size_t idlen = strlen(id);
	struct record *rec;

	xgrow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v);
	rec = &r->v[r->n++];
	rec->id = xmalloc(idlen + 1 + len + 1);
	memcpy(rec->id, id, idlen + 1);
	rec->json = rec->id + idlen + 1;
	memcpy(rec->json, json, len);
	rec->json[len] = '\0';
	rec->len = len;
	rec->page = page;
	r->added++;
	r->bytes += sizeof *rec + idlen + len + 2;
	if (r->bytes >= r->budget)
		return write_run(r, e);
	return 0;
}

/* ---- the merge ---- */

/* The base file of records_write_merged, read as a source. */
struct base_src {
	struct records_base *b;
	struct ndjson_reader rd;
	struct buf id[2];      /* the current line's id and the one before it */
	int cur;               /* which of id[] is current */
	int have_prev;
};

/* One sorted input of a merge: a run file, the chunk in memory or a base file. */
struct source {
	size_t order;          /* earlier sources hold copies added earlier */
	struct spill *run;     /* a run (borrowed, open for reading) ... */
	struct base_src *base; /* ... or a base snapshot's file ... */
	const struct record *v;/* ... or the sorted chunk */
	size_t n, pos;
	/* the current record */
	const char *id;
	const char *json;
	size_t len;
	long long page;
};

int records_line_id(const char *line, size_t len, struct buf *out)
{
	static const char head[] = "{\"id\":\"";
	size_t n = sizeof head - 1, k = 0;
	char err[64];
	yajl_val doc;
	const char *id;
	int rc = -1;

	buf_reset(out);
	/* the usual shape, as IT Glue and itg-extract write it: no parse needed */
	if (len > n && memcmp(line, head, n) == 0) {
		while (n + k < len && line[n + k] >= '0' && line[n + k] <= '9')
			k++;
		if (k > 0 && n + k < len && line[n + k] == '"') {
			buf_add(out, line + n, k);
			return id_is_numeric(buf_str(out)) ? 0 : -1;
		}
	}
	doc = json_parse(line, len, err, sizeof err);
	id = doc && YAJL_IS_OBJECT(doc) ? json_get_id(doc, "id") : NULL;
	if (id && id_is_numeric(id)) {
		buf_adds(out, id);
		rc = 0;
	}
	yajl_tree_free(doc);
	return rc;
}

/* The next line of a base file: 1, 0 at its end (checked against its manifest), -1. */
static int base_next(struct source *s, struct itg_err *e)
{
	struct base_src *bs = s->base;
	struct buf *id = &bs->id[!bs->cur], *prev = &bs->id[bs->cur];
	const char *line;
	size_t len;
	int rc = ndjson_reader_next(&bs->rd, &line, &len, e);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (bs->rd.records != bs->b->records || bs->rd.crc != bs->b->crc32 ||
		    bs->rd.bytes != bs->b->bytes)
			return err_set(e, ITG_EXIT_RUNTIME,
				       "%s: does not match its snapshot manifest any more (it "
				       "changed while it was read)",
				       bs->b->path);
		return 0;
	}
	if (records_line_id(line, len, id) != 0)
		return err_set(e, ITG_EXIT_RUNTIME,
			       "%s:%ld: not a resource object with a numeric id: not a snapshot "
			       "itg-extract wrote",
			       bs->b->path, bs->rd.lineno);
	if (bs->have_prev && key_cmp(buf_str(prev), 0, buf_str(id), 0) >= 0)
		return err_set(e, ITG_EXIT_RUNTIME,
			       "%s:%ld: id %.40s comes after %.40s: the file is not sorted by id as "
			       "itg-extract writes it",
			       bs->b->path, bs->rd.lineno, buf_str(id), buf_str(prev));
	bs->have_prev = 1;
	bs->cur = !bs->cur;
	s->id = buf_str(id);
	s->json = line;
	s->len = len;
	s->page = RECORDS_PAGE_BASE;
	return 1;
}

/* Moves s to its next record: 1, 0 at its end, -1 on a read error. */
static int source_next(struct source *s, struct itg_err *e)
{
	int64_t pg;
	struct spill_str strs[2];
	int rc;

	if (s->base)
		return base_next(s, e);
	if (!s->run) {
		if (s->pos == s->n)
			return 0;
		s->id = s->v[s->pos].id;
		s->json = s->v[s->pos].json;
		s->len = s->v[s->pos].len;
		s->page = s->v[s->pos].page;
		s->pos++;
		return 1;
	}
	rc = spill_next(s->run, &pg, strs, e);
	if (rc <= 0)
		return rc;
	s->id = strs[0].p;
	s->json = strs[1].p;
	s->len = strs[1].len;
	s->page = pg;
	return 1;
}

static int source_less(const struct source *a, const struct source *b)
{
	int c = key_cmp(a->id, a->page, b->id, b->page);

	return c < 0 || (c == 0 && a->order < b->order);
}

static void heap_down(struct source **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct source *t;

		if (l < n && source_less(h[l], h[m]))
			m = l;
		if (l + 1 < n && source_less(h[l + 1], h[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Where merged records go: a run or the snapshot file (w). */
struct sink {
	struct spill *run;
	struct ndjson_writer *w;
};

/*
 * Merges k sorted sources into out, the first copy of each id only (sources
 * are in order added, so that is the lowest page's, and the first added
 * among equals).
 */
static int merge(struct records *r, struct source *src, size_t k, struct sink *out,
		 struct itg_err *e)
{
	struct source **heap = xcalloc(k ? k : 1, sizeof *heap);
	struct buf prev = {0};
	size_t n = 0;
	int have_prev = 0, rc = -1, got;

	for (size_t i = 0; i < k; i++) {
		got = source_next(&src[i], e);
		if (got < 0)
			goto out;
		if (got)
			heap[n++] = &src[i];
	}
	for (size_t i = n / 2; i-- > 0;)
		heap_down(heap, n, i);
	while (n > 0) {
		struct source *s = heap[0];

		if (have_prev && strcmp(s->id, prev.p) == 0) {
			if (s->base)
				s->base->b->replaced++;
			else
				r->duplicates++;
		} else {
			if (out->run ? run_put(out->run, s->id, s->json, s->len, s->page, e) != 0
				     : ndjson_writer_line(out->w, s->json, s->len, e) != 0)
				goto out;
			if (s->base)
				s->base->b->kept++;
			buf_reset(&prev);
			buf_adds(&prev, s->id);
			have_prev = 1;
		}
		got = source_next(s, e);
		if (got < 0)
			goto out;
		if (!got)
			heap[0] = heap[--n];
		heap_down(heap, n, 0);
	}
	rc = 0;
out:
	buf_free(&prev);
	free(heap);
	return rc;
}

/* Opens runs[0..k) for reading as sources; -1 with e set on failure. */
static int open_runs(struct spill *runs, size_t k, struct source *src, struct itg_err *e)
{
	for (size_t i = 0; i < k; i++) {
		src[i] = (struct source){.order = i, .run = &runs[i]};
		if (spill_rewind(&runs[i], e) != 0)
			return -1;
	}
	return 0;
}

/*
 * Merges runs[0..k) into one new run (*merged); the inputs are removed on
 * success.  On failure they stay listed in r for records_free.
 */
static int merge_runs(struct records *r, struct spill *runs, size_t k, struct spill *merged,
		      struct itg_err *e)
{
	struct source *src = xcalloc(k, sizeof *src);
	struct sink out = {.run = merged};
	int failed;

	if (open_runs(runs, k, src, e) != 0) {
		free(src);
		return -1;
	}
	if (run_create(r, merged, e) != 0) {
		free(src);
		return -1;
	}
	failed = merge(r, src, k, &out, e) != 0;
	free(src);
	if (run_finish(merged, failed, e) != 0)
		return -1;
	for (size_t i = 0; i < k; i++)
		spill_close(&runs[i]);
	return 0;
}

/*
 * Merges consecutive groups of runs until at most fan_in are left, so the
 * final merge never holds more files open.  Groups keep their place in the
 * list, so the oldest copies still come first.
 */
static int reduce_runs(struct records *r, size_t fan_in, struct itg_err *e)
{
	while (r->nruns > fan_in) {
		size_t out = 0, i;

		for (i = 0; i < r->nruns; i += fan_in) {
			size_t k = r->nruns - i < fan_in ? r->nruns - i : fan_in;
			struct spill merged;

			if (k == 1) {
				r->runs[out++] = r->runs[i];
				continue;
			}
			if (merge_runs(r, &r->runs[i], k, &merged, e) != 0) {
				/* keep every run still on disk listed, for records_free */
				memmove(&r->runs[out], &r->runs[i], (r->nruns - i) * sizeof *r->runs);
				r->nruns = out + (r->nruns - i);
				return -1;
			}
			r->runs[out++] = merged;
		}
		r->nruns = out;
	}
	return 0;
}

int records_write(struct records *r, struct ndjson_writer *w, struct itg_err *e)
{
	return records_write_merged(r, NULL, w, e);
}

int records_write_merged(struct records *r, struct records_base *base, struct ndjson_writer *w,
			 struct itg_err *e)
{
	struct sink out = {.w = w};
	struct base_src bs = {0};
	struct source *src;
	size_t k;
	int rc;

	/* the chunk joins the final merge unless that would open too many files */
	if (r->n > 0 && r->nruns >= RECORDS_MERGE_FAN_IN && write_run(r, e) != 0)
		return -1;
	if (reduce_runs(r, RECORDS_MERGE_FAN_IN, e) != 0)
		return -1;
	sort_chunk(r);
	k = r->nruns + 1 + (base != NULL);
	src = xcalloc(k, sizeof *src);
	if (open_runs(r->runs, r->nruns, src, e) != 0) {
		free(src);
		return -1;
	}
	src[r->nruns] = (struct source){.order = r->nruns, .v = r->v, .n = r->n};
	if (base) {
		/* the base comes last: its copy of an id loses to any other */
		base->kept = base->replaced = 0;
		bs.b = base;
		if (ndjson_reader_open(&bs.rd, base->path, e) != 0) {
			free(src);
			return -1;
		}
		src[k - 1] = (struct source){.order = k - 1, .base = &bs};
	}
	rc = merge(r, src, k, &out, e);
	if (base) {
		ndjson_reader_close(&bs.rd);
		buf_free(&bs.id[0]);
		buf_free(&bs.id[1]);
	}
	free(src);
	free_chunk(r);
	remove_runs(r);
	return rc;
}
