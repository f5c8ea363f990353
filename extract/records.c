#include "records.h"

#include "strmap.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUN_IO_BUFFER ((size_t)64 << 10)

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
	for (size_t i = 0; i < r->nruns; i++) {
		unlink(r->runs[i]);
		free(r->runs[i]);
	}
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

/* ---- run files: per record page (int64), id length (uint32), json length (uint64), id, json ---- */

struct run_writer {
	FILE *fp;
	char *path;
};

static int run_create(struct records *r, struct run_writer *rw, struct itg_err *e)
{
	int fd;

	rw->path = xasprintf("%s/.run-%s-%lu", r->dir, r->name, ++r->run_seq);
	fd = open(rw->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || !(rw->fp = fdopen(fd, "wb"))) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot create sort run %s: %s", rw->path,
			strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(rw->path);
		}
		free(rw->path);
		rw->path = NULL;
		return -1;
	}
	setvbuf(rw->fp, NULL, _IOFBF, RUN_IO_BUFFER);
	return 0;
}

static int run_put(struct run_writer *rw, const char *id, const char *json, size_t len,
		   long long page)
{
	int64_t pg = page;
	size_t idlen = strlen(id);
	uint32_t il = (uint32_t)idlen;
	uint64_t jl = len;

	return fwrite(&pg, sizeof pg, 1, rw->fp) == 1 && fwrite(&il, sizeof il, 1, rw->fp) == 1 &&
			       fwrite(&jl, sizeof jl, 1, rw->fp) == 1 &&
			       fwrite(id, 1, idlen, rw->fp) == idlen &&
			       fwrite(json, 1, len, rw->fp) == len
		       ? 0
		       : -1;
}

/* Closes the run; on failure (or when failed is set) removes it and frees the path. */
static int run_finish(struct run_writer *rw, int failed, struct itg_err *e)
{
	int saved = errno;

	if (fclose(rw->fp) != 0 && !failed) {
		failed = 1;
		saved = errno;
	}
	rw->fp = NULL;
	if (!failed)
		return 0;
	unlink(rw->path);
	if (!e->code)
		err_set(e, ITG_EXIT_RUNTIME, "cannot write sort run %s: %s", rw->path,
			strerror(saved ? saved : EIO));
	free(rw->path);
	rw->path = NULL;
	return -1;
}

static void add_run(struct records *r, char *path)
{
	xgrow((void **)&r->runs, &r->capruns, r->nruns + 1, sizeof *r->runs);
	r->runs[r->nruns++] = path;
}

/* Sorts the chunk and writes it as one run, dropping later copies of an id. */
static int spill(struct records *r, struct itg_err *e)
{
	struct run_writer rw = {0};
	int failed = 0;

	sort_chunk(r);
	if (run_create(r, &rw, e) != 0)
		return -1;
	for (size_t i = 0; i < r->n && !failed; i++) {
		if (i > 0 && strcmp(r->v[i].id, r->v[i - 1].id) == 0) {
			r->duplicates++;
			continue;
		}
		failed = run_put(&rw, r->v[i].id, r->v[i].json, r->v[i].len, r->v[i].page) != 0;
	}
	if (run_finish(&rw, failed, e) != 0)
		return -1;
	add_run(r, rw.path);
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
		return spill(r, e);
	return 0;
}

/* ---- the merge ---- */

/* One sorted input of a merge: a run file or the chunk in memory. */
struct source {
	size_t order;          /* earlier sources hold copies added earlier */
	FILE *fp;              /* a run ... */
	const char *path;
	struct buf data;       /* id NUL json NUL of the current record */
	const struct record *v;/* ... or the sorted chunk */
	size_t n, pos;
	/* the current record */
	const char *id;
	const char *json;
	size_t len;
	long long page;
};

static int read_exact(struct source *s, void *p, size_t n, int at_start, struct itg_err *e)
{
	size_t got = fread(p, 1, n, s->fp);

	if (got == n)
		return 1;
	if (ferror(s->fp))
		return err_set(e, ITG_EXIT_RUNTIME, "cannot read sort run %s: %s", s->path,
			       strerror(errno));
	if (got == 0 && at_start)
		return 0;
	return err_set(e, ITG_EXIT_RUNTIME, "cannot read sort run %s: truncated", s->path);
}

/* Moves s to its next record: 1, 0 at its end, -1 on a read error. */
static int source_next(struct source *s, struct itg_err *e)
{
	int64_t pg;
	uint32_t il;
	uint64_t jl;
	int rc;

	if (!s->fp) {
		if (s->pos == s->n)
			return 0;
		s->id = s->v[s->pos].id;
		s->json = s->v[s->pos].json;
		s->len = s->v[s->pos].len;
		s->page = s->v[s->pos].page;
		s->pos++;
		return 1;
	}
	rc = read_exact(s, &pg, sizeof pg, 1, e);
	if (rc <= 0)
		return rc;
	if (read_exact(s, &il, sizeof il, 0, e) < 0 || read_exact(s, &jl, sizeof jl, 0, e) < 0)
		return -1;
	if (jl > SIZE_MAX - il - 2)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot read sort run %s: corrupt", s->path);
	buf_reset(&s->data);
	xgrow((void **)&s->data.p, &s->data.cap, (size_t)il + (size_t)jl + 2, 1);
	if (read_exact(s, s->data.p, il, 0, e) < 0 ||
	    read_exact(s, s->data.p + il + 1, (size_t)jl, 0, e) < 0)
		return -1;
	s->data.p[il] = '\0';
	s->data.p[il + 1 + jl] = '\0';
	s->data.len = il + 1 + (size_t)jl;
	s->id = s->data.p;
	s->json = s->data.p + il + 1;
	s->len = (size_t)jl;
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

/* Where merged records go: a run (rw) or the snapshot file (w). */
struct sink {
	struct run_writer *rw;
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
			r->duplicates++;
		} else {
			if (out->rw ? run_put(out->rw, s->id, s->json, s->len, s->page) != 0
				    : ndjson_writer_line(out->w, s->json, s->len, e) != 0)
				goto out;
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

/* Opens runs[0..k) as sources; -1 with e set (and nothing open) on failure. */
static int open_runs(char **runs, size_t k, struct source *src, struct itg_err *e)
{
	for (size_t i = 0; i < k; i++) {
		src[i] = (struct source){.order = i, .path = runs[i]};
		src[i].fp = fopen(runs[i], "rbe");
		if (!src[i].fp) {
			err_set(e, ITG_EXIT_RUNTIME, "cannot open sort run %s: %s", runs[i],
				strerror(errno));
			while (i-- > 0)
				fclose(src[i].fp);
			return -1;
		}
		setvbuf(src[i].fp, NULL, _IOFBF, RUN_IO_BUFFER);
	}
	return 0;
}

static void close_sources(struct source *src, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		if (src[i].fp)
			fclose(src[i].fp);
		buf_free(&src[i].data);
	}
}

/* Merges runs[0..k) into one new run (*merged); the inputs are removed on success. */
static int merge_runs(struct records *r, char **runs, size_t k, char **merged,
		      struct itg_err *e)
{
	struct source *src = xcalloc(k, sizeof *src);
	struct run_writer rw = {0};
	struct sink out = {.rw = &rw};
	int failed;

	if (open_runs(runs, k, src, e) != 0) {
		free(src);
		return -1;
	}
	if (run_create(r, &rw, e) != 0) {
		close_sources(src, k);
		free(src);
		return -1;
	}
	failed = merge(r, src, k, &out, e) != 0;
	close_sources(src, k);
	free(src);
	if (run_finish(&rw, failed, e) != 0)
		return -1;
	for (size_t i = 0; i < k; i++) {
		unlink(runs[i]);
		free(runs[i]);
	}
	*merged = rw.path;
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
			char *merged;

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
	struct sink out = {.w = w};
	struct source *src;
	size_t k;
	int rc;

	/* the chunk joins the final merge unless that would open too many files */
	if (r->n > 0 && r->nruns >= RECORDS_MERGE_FAN_IN && spill(r, e) != 0)
		return -1;
	if (reduce_runs(r, RECORDS_MERGE_FAN_IN, e) != 0)
		return -1;
	sort_chunk(r);
	k = r->nruns + 1;
	src = xcalloc(k, sizeof *src);
	if (open_runs(r->runs, r->nruns, src, e) != 0) {
		free(src);
		return -1;
	}
	src[r->nruns] = (struct source){.order = r->nruns, .v = r->v, .n = r->n};
	rc = merge(r, src, k, &out, e);
	close_sources(src, k);
	free(src);
	free_chunk(r);
	remove_runs(r);
	return rc;
}
