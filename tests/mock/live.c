/*
 * live.c - the mock's data set as it is now.
 *
 * Tests of incremental extracts change IT Glue between two runs: they edit
 * the --data files, or the --mutate file (records to put, by id, and ids to
 * delete, on top of the fixture or generated data).  Every request looks
 * at those files (mtime, size, inode) and, when one changed, reads them
 * again under one lock before it is served: the new view replaces the old
 * in one step, and requests already under way keep the view they took
 * (views and the data sets under them are counted references, freed by
 * whoever lets go last).  A change that cannot be read (a file being
 * written, broken JSON) is reported once on stderr and the previous view
 * stays until the files change again.
 *
 * The --mutate file:
 *   {"organizations": {"put": [RESOURCE OBJECT, ...], "delete": ["17", ...]},
 *    "contacts": {"put": [...]}, ...}
 * A put record replaces the record of the same id or is added; rendered as
 * written (its "type" is the resource's); an id both put and deleted is
 * deleted.  Keys are resource paths.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "json.h"
#include "log.h"
#include "mock.h"
#include "xalloc.h"

#define MUTATE_MAX_BYTES (64u * 1024 * 1024)

/* What the watched files look like: a change of any part means read again. */
struct file_sig {
	int exists;
	long long mtime_s, mtime_ns, size, ino;
};

struct data_set {
	struct mock_data d;
	int refs;                /* views made of it */
};

struct mock_view {
	struct data_set *set;
	struct mock_table t[MOCK_RESOURCE_COUNT];
	int own[MOCK_RESOURCE_COUNT];        /* t[r] is this view's, not the set's */
	yajl_val mutate;                     /* the --mutate document, or NULL */
	yajl_val put[MOCK_RESOURCE_COUNT];   /* its put arrays (borrowed from mutate) */
	int refs;                            /* the live current one, and each request */
};

struct mock_live {
	pthread_mutex_t lock;
	struct mock_source src;
	struct mock_gen_params gen;
	struct data_set *set;
	struct mock_view *cur;
	struct file_sig data_sig[MOCK_RESOURCE_COUNT], mutate_sig;
	struct file_sig bad_data[MOCK_RESOURCE_COUNT], bad_mutate; /* the last change refused */
	int have_bad;
};

const struct mock_table *mock_view_table(const struct mock_view *v, int r)
{
	return &v->t[r];
}

void mock_view_render(const struct mock_view *v, int r, const struct mock_rec *rec, yajl_gen g)
{
	if (rec->layer)
		mock_render_object(r, v->put[r]->u.array.values[rec->src], rec->id, g);
	else
		mock_data_render(&v->set->d, r, rec, g);
}

int mock_view_generated(const struct mock_view *v)
{
	return v->set->d.gen != NULL;
}

static void sig_of(const char *path, struct file_sig *s)
{
	struct stat st;

	memset(s, 0, sizeof *s);
	if (!path || stat(path, &st) != 0)
		return;
	s->exists = 1;
	s->mtime_s = (long long)st.st_mtim.tv_sec;
	s->mtime_ns = (long long)st.st_mtim.tv_nsec;
	s->size = (long long)st.st_size;
	s->ino = (long long)st.st_ino;
}

static int sig_eq(const struct file_sig *a, const struct file_sig *b)
{
	return a->exists == b->exists && a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns &&
	       a->size == b->size && a->ino == b->ino;
}

/* The watched files as they are now. */
static void sigs_now(const struct mock_live *l, struct file_sig data[MOCK_RESOURCE_COUNT],
		     struct file_sig *mutate)
{
	for (int r = 0; r < MOCK_RESOURCE_COUNT; r++) {
		char *path = l->src.data_dir
				     ? xasprintf("%s/%s.json", l->src.data_dir, mock_resource_path(r))
				     : NULL;
		sig_of(path, &data[r]);
		free(path);
	}
	sig_of(l->src.mutate, mutate);
}

static void set_release(struct data_set *set)
{
	if (set && --set->refs == 0) {
		mock_data_free(&set->d);
		free(set);
	}
}

static void view_free(struct mock_view *v)
{
	for (int r = 0; r < MOCK_RESOURCE_COUNT; r++)
		if (v->own[r]) {
			free(v->t[r].recs);
			free(v->t[r].by_default);
			free(v->t[r].by_id);
			free(v->t[r].by_updated);
		}
	if (v->mutate)
		yajl_tree_free(v->mutate);
	set_release(v->set);
	free(v);
}

static void view_release(struct mock_view *v)
{
	if (v && --v->refs == 0)
		view_free(v);
}

static struct data_set *set_read(const struct mock_live *l, struct itg_err *e)
{
	struct data_set *set = xcalloc(1, sizeof *set);
	int rc = l->src.data_dir ? mock_data_load(&set->d, l->src.data_dir, e)
				 : mock_data_generate(&set->d, l->src.gen ? &l->gen : NULL, e);

	if (rc != 0) {
		mock_data_free(&set->d);
		free(set);
		return NULL;
	}
	set->refs = 0;
	return set;
}

static int id_cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The ids of a "delete" list (strings or numbers of digits), sorted. */
static int read_deletes(yajl_val del, const char *path, const char *res, int64_t **out,
			size_t *n, struct itg_err *e)
{
	*out = NULL;
	*n = 0;
	if (!del)
		return 0;
	if (!YAJL_IS_ARRAY(del))
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0, "%s.delete must be an array of ids",
			      res);
	*out = xcalloc(del->u.array.len ? del->u.array.len : 1, sizeof **out);
	for (size_t i = 0; i < del->u.array.len; i++) {
		const char *s = json_str_or_number(del->u.array.values[i]);

		if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 18) {
			free(*out);
			*out = NULL;
			return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				      "%s.delete entry %zu is not an id", res, i + 1);
		}
		(*out)[(*n)++] = strtoll(s, NULL, 10);
	}
	qsort(*out, *n, sizeof **out, id_cmp64);
	return 0;
}

static int has_id(const int64_t *v, size_t n, int64_t id)
{
	return n && bsearch(&id, v, n, sizeof *v, id_cmp64) != NULL;
}

/*
 * Table r of the view: the set's records less those deleted or put again,
 * then the put ones.
 */
static int mutate_table(struct mock_view *v, int r, yajl_val entry, const char *path,
			struct itg_err *e)
{
	const struct mock_table *base = &v->set->d.t[r];
	const char *res = mock_resource_path(r);
	yajl_val put = json_get(entry, "put");
	int64_t *gone = NULL, *deleted;
	size_t ngone = 0, ndeleted, nput, k = 0;
	struct mock_rec *added = NULL;
	struct mock_table *t = &v->t[r];

	if (!YAJL_IS_OBJECT(entry))
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			      "%s must be {\"put\": [records], \"delete\": [ids]}", res);
	for (size_t i = 0; i < entry->u.object.len; i++)
		if (strcmp(entry->u.object.keys[i], "put") != 0 &&
		    strcmp(entry->u.object.keys[i], "delete") != 0)
			return err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				      "%s: unknown key \"%s\": use put and delete", res,
				      entry->u.object.keys[i]);
	if (put && !YAJL_IS_ARRAY(put))
		return err_at(e, ITG_EXIT_USAGE, path, 0, 0, "%s.put must be an array of records",
			      res);
	if (read_deletes(json_get(entry, "delete"), path, res, &gone, &ngone, e) != 0)
		return -1;
	deleted = xcalloc(ngone ? ngone : 1, sizeof *deleted);
	if (ngone)
		memcpy(deleted, gone, ngone * sizeof *gone);
	ndeleted = ngone;
	nput = put ? put->u.array.len : 0;
	added = xcalloc(nput ? nput : 1, sizeof *added);
	if (put && mock_records_parse(put, r, added, 1, path, e) != 0) {
		free(added);
		free(gone);
		free(deleted);
		return -1;
	}
	/* what is put again replaces the set's copy: both lists hold the ids to drop */
	gone = xrealloc(gone, (ngone + nput + 1) * sizeof *gone);
	for (size_t i = 0; i < nput; i++)
		gone[ngone++] = added[i].id;
	qsort(gone, ngone, sizeof *gone, id_cmp64);
	for (size_t i = 0; i < nput; i++)
		for (size_t j = i + 1; j < nput; j++)
			if (added[i].id == added[j].id) {
				err_at(e, ITG_EXIT_USAGE, path, 0, 0,
				       "%s.put holds id %lld twice: one record per id", res,
				       (long long)added[i].id);
				free(added);
				free(gone);
				free(deleted);
				return -1;
			}
	t->recs = xcalloc(base->n + nput + 1, sizeof *t->recs);
	for (size_t i = 0; i < base->n; i++)
		if (!has_id(gone, ngone, base->recs[i].id))
			t->recs[k++] = base->recs[i];
	/* an id both put and deleted is deleted */
	for (size_t i = 0; i < nput; i++)
		if (!has_id(deleted, ndeleted, added[i].id))
			t->recs[k++] = added[i];
	t->n = k;
	mock_table_index(t);
	v->own[r] = 1;
	v->put[r] = put;
	free(added);
	free(gone);
	free(deleted);
	return 0;
}

/* A view of set with the --mutate file applied (none: the set as it is). */
static struct mock_view *view_make(struct mock_live *l, struct data_set *set, struct itg_err *e)
{
	struct mock_view *v = xcalloc(1, sizeof *v);
	struct buf text = {0};
	char why[256];

	v->set = set;
	set->refs++;
	for (int r = 0; r < MOCK_RESOURCE_COUNT; r++)
		v->t[r] = set->d.t[r];
	if (!l->src.mutate || !fs_exists(l->src.mutate))
		return v;
	if (fs_read_all(l->src.mutate, &text, MUTATE_MAX_BYTES, e) != 0)
		goto fail;
	v->mutate = json_parse(buf_str(&text), text.len, why, sizeof why);
	buf_free(&text);
	if (!v->mutate || !YAJL_IS_OBJECT(v->mutate)) {
		err_at(e, ITG_EXIT_USAGE, l->src.mutate, 0, 0,
		       "%s: give {\"RESOURCE\": {\"put\": [..], \"delete\": [..]}, ...}",
		       v->mutate ? "not an object" : why);
		goto fail;
	}
	for (size_t i = 0; i < v->mutate->u.object.len; i++) {
		int r = mock_resource_lookup(v->mutate->u.object.keys[i]);

		if (r < 0 || strcmp(v->mutate->u.object.keys[i], mock_resource_path(r)) != 0) {
			err_at(e, ITG_EXIT_USAGE, l->src.mutate, 0, 0,
			       "unknown resource \"%s\": use organizations, contacts, ...",
			       v->mutate->u.object.keys[i]);
			goto fail;
		}
		if (v->own[r]) {
			err_at(e, ITG_EXIT_USAGE, l->src.mutate, 0, 0, "%s is given twice",
			       mock_resource_path(r));
			goto fail;
		}
		if (mutate_table(v, r, v->mutate->u.object.values[i], l->src.mutate, e) != 0)
			goto fail;
	}
	return v;
fail:
	view_free(v);
	return NULL;
}

struct mock_live *mock_live_open(const struct mock_source *src, struct itg_err *e)
{
	struct mock_live *l = xcalloc(1, sizeof *l);

	l->src = *src;
	if (src->gen)
		l->gen = *src->gen;
	pthread_mutex_init(&l->lock, NULL);
	sigs_now(l, l->data_sig, &l->mutate_sig);
	l->set = set_read(l, e);
	if (l->set)
		l->set->refs++;   /* the live's own */
	l->cur = l->set ? view_make(l, l->set, e) : NULL;
	if (!l->cur) {
		mock_live_close(l);
		return NULL;
	}
	l->cur->refs = 1;
	return l;
}

/*
 * Reads the changed files into a new current view.  The data files are
 * read again only when one of them changed; the --mutate file is applied
 * to whichever set is current.
 */
static void reload(struct mock_live *l, const struct file_sig data[MOCK_RESOURCE_COUNT],
		   const struct file_sig *mutate)
{
	struct itg_err e = {0};
	struct data_set *set = l->set;
	struct mock_view *v;
	int data_changed = 0;

	for (int r = 0; r < MOCK_RESOURCE_COUNT; r++)
		data_changed |= !sig_eq(&data[r], &l->data_sig[r]);
	if (data_changed) {
		set = set_read(l, &e);
		if (!set)
			goto refused;
	}
	/* a view that cannot be made takes a new set down with it */
	v = view_make(l, set, &e);
	if (!v)
		goto refused;
	if (set != l->set) {
		set->refs++;
		set_release(l->set);
		l->set = set;
	}
	v->refs = 1;
	view_release(l->cur);
	l->cur = v;
	memcpy(l->data_sig, data, sizeof l->data_sig);
	l->mutate_sig = *mutate;
	l->have_bad = 0;
	log_info("the data changed: serving %s%s%s as it is now",
		 l->src.data_dir ? l->src.data_dir : "the generated data",
		 l->src.mutate ? " with " : "", l->src.mutate ? l->src.mutate : "");
	return;
refused:
	memcpy(l->bad_data, data, sizeof l->bad_data);
	l->bad_mutate = *mutate;
	l->have_bad = 1;
	log_warn("the data changed but cannot be read (%s): still serving what was read before; "
		 "fix the file",
		 e.msg);
}

struct mock_view *mock_live_get(struct mock_live *l)
{
	struct file_sig data[MOCK_RESOURCE_COUNT], mutate;
	struct mock_view *v;
	int same = 1, bad = l->have_bad;

	pthread_mutex_lock(&l->lock);
	if (l->src.data_dir || l->src.mutate) {
		sigs_now(l, data, &mutate);
		for (int r = 0; r < MOCK_RESOURCE_COUNT; r++) {
			same &= sig_eq(&data[r], &l->data_sig[r]);
			bad &= sig_eq(&data[r], &l->bad_data[r]);
		}
		same &= sig_eq(&mutate, &l->mutate_sig);
		bad &= sig_eq(&mutate, &l->bad_mutate);
		if (!same && !bad)
			reload(l, data, &mutate);
	}
	v = l->cur;
	v->refs++;
	pthread_mutex_unlock(&l->lock);
	return v;
}

void mock_live_put(struct mock_live *l, struct mock_view *v)
{
	if (!v)
		return;
	pthread_mutex_lock(&l->lock);
	view_release(v);
	pthread_mutex_unlock(&l->lock);
}

void mock_live_close(struct mock_live *l)
{
	if (!l)
		return;
	view_release(l->cur);
	set_release(l->set);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
