/*
 * handedits.c - links.csv compared with the copy the last applied load left
 * (handedits.h).
 */
#include "handedits.h"

#include "fsutil.h"
#include "store.h"
#include "utf8.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *handedits_reason_name(enum hand_reason r)
{
	static const char *const names[HAND_NREASONS] = {HAND_REASON_ADDED, HAND_REASON_REMOVED,
							 HAND_REASON_CHANGED};

	return r >= 0 && r < HAND_NREASONS ? names[r] : "";
}

/* One row of either table, as the comparison sorts and matches them. */
struct ref {
	const char *org, *itg, *source, *linked_at;
	size_t row;
	int matched;
};

struct side {
	const struct csv_table *t;
	struct ref *r;
	size_t n;
};

static void side_init(struct side *s, const struct csv_table *t)
{
	int c_org = csvtab_col(t, "organization_id");
	int c_itg = csvtab_col(t, "itglue_organization_id");
	int c_src = csvtab_col(t, "source"), c_at = csvtab_col(t, "linked_at");

	s->t = t;
	s->n = t->nrows;
	s->r = xcalloc(s->n ? s->n : 1, sizeof *s->r);
	for (size_t i = 0; i < s->n; i++)
		s->r[i] = (struct ref){csvtab_get(t, i, c_org), csvtab_get(t, i, c_itg),
				       csvtab_get(t, i, c_src), csvtab_get(t, i, c_at), i, 0};
}

static int key_cmp(const struct ref *x, const struct ref *y)
{
	int c = strcmp(x->org, y->org);

	return c ? c : strcmp(x->itg, y->itg);
}

/* Key, then source and linked_at, then file order: equal rows of a key side by side. */
static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = key_cmp(x, y);

	if (!c)
		c = strcmp(x->source, y->source);
	if (!c)
		c = strcmp(x->linked_at, y->linked_at);
	return c ? c : x->row < y->row ? -1 : x->row > y->row;
}

static int row_cmp(const void *a, const void *b)
{
	const struct ref *const *x = a, *const *y = b;

	return (*x)->row < (*y)->row ? -1 : (*x)->row > (*y)->row;
}

static void push(struct handedits *h, size_t *cap, const struct hand_edit *ed)
{
	xgrow((void **)&h->v, cap, h->n + 1, sizeof *h->v);
	h->v[h->n++] = *ed;
	h->count[ed->reason]++;
}

static char *dup(struct handedits *h, const char *s)
{
	return arena_strdup(&h->strs, s ? s : "");
}

/* An edit of the key of ref k, its strings copied into h. */
static struct hand_edit edit_of(struct handedits *h, enum hand_reason reason,
				const struct ref *k)
{
	struct hand_edit ed = {0};
	struct buf b = {0};

	ed.reason = reason;
	ed.org_id = dup(h, k->org);
	ed.itglue_org_id = dup(h, k->itg);
	buf_addf(&b, "%s/%s", k->org, k->itg);
	ed.key = dup(h, buf_str(&b));
	buf_free(&b);
	return ed;
}

/* Every non-empty cell of row r of t, as the new side (added) or the old (removed). */
static void whole_row(struct handedits *h, struct hand_edit *ed, const struct csv_table *t,
		      size_t r, int new_side)
{
	size_t n = 0;

	for (size_t c = 0; c < t->ncols; c++)
		n += *csvtab_get(t, r, (int)c) != '\0';
	ed->f = arena_alloc(&h->strs, (n ? n : 1) * sizeof *ed->f, _Alignof(struct field_change));
	for (size_t c = 0; c < t->ncols; c++) {
		const char *v = csvtab_get(t, r, (int)c);
		if (!*v)
			continue;
		ed->f[ed->nf++] = (struct field_change){dup(h, t->cols[c]), new_side ? "" : dup(h, v),
							new_side ? dup(h, v) : ""};
	}
}

static void added(struct handedits *h, size_t *cap, const struct side *cur, const struct ref *k)
{
	struct hand_edit ed = edit_of(h, HAND_ADDED, k);

	ed.line = csvtab_line(cur->t, k->row);
	whole_row(h, &ed, cur->t, k->row, 1);
	push(h, cap, &ed);
}

static void removed(struct handedits *h, size_t *cap, const struct side *last,
		    const struct ref *k)
{
	struct hand_edit ed = edit_of(h, HAND_REMOVED, k);

	ed.last_run_line = csvtab_line(last->t, k->row);
	whole_row(h, &ed, last->t, k->row, 0);
	push(h, cap, &ed);
}

static void changed(struct handedits *h, size_t *cap, const struct side *cur,
		    const struct ref *now, const struct side *last, const struct ref *was)
{
	struct hand_edit ed = edit_of(h, HAND_CHANGED, now);

	ed.line = csvtab_line(cur->t, now->row);
	ed.last_run_line = csvtab_line(last->t, was->row);
	ed.f = arena_alloc(&h->strs, 2 * sizeof *ed.f, _Alignof(struct field_change));
	if (strcmp(was->source, now->source))
		ed.f[ed.nf++] = (struct field_change){"source", dup(h, was->source),
						       dup(h, now->source)};
	if (strcmp(was->linked_at, now->linked_at))
		ed.f[ed.nf++] = (struct field_change){"linked_at", dup(h, was->linked_at),
						       dup(h, now->linked_at)};
	push(h, cap, &ed);
}

/*
 * One key's rows on both sides (c[0..nc), p[0..np), each in ref_cmp order).
 * Rows with the same source and linked_at pair off first, by a merge; the
 * rest pair off in file order as changed; what is left is added or removed.
 */
static void compare_key(struct handedits *h, size_t *cap, const struct side *cur,
			struct ref *c, size_t nc, const struct side *last, struct ref *p,
			size_t np)
{
	size_t i = 0, j = 0, uc = 0, up = 0;
	struct ref **lc, **lp;

	while (i < nc && j < np) {
		int d = strcmp(c[i].source, p[j].source);
		if (!d)
			d = strcmp(c[i].linked_at, p[j].linked_at);
		if (d < 0) {
			i++;
		} else if (d > 0) {
			j++;
		} else {
			c[i++].matched = 1;
			p[j++].matched = 1;
		}
	}
	lc = xcalloc(nc ? nc : 1, sizeof *lc);
	lp = xcalloc(np ? np : 1, sizeof *lp);
	for (i = 0; i < nc; i++)
		if (!c[i].matched)
			lc[uc++] = &c[i];
	for (j = 0; j < np; j++)
		if (!p[j].matched)
			lp[up++] = &p[j];
	qsort(lc, uc, sizeof *lc, row_cmp);
	qsort(lp, up, sizeof *lp, row_cmp);
	for (i = 0; i < uc || i < up; i++) {
		if (i < uc && i < up)
			changed(h, cap, cur, lc[i], last, lp[i]);
		else if (i < uc)
			added(h, cap, cur, lc[i]);
		else
			removed(h, cap, last, lp[i]);
	}
	free(lc);
	free(lp);
}

/* Added and changed by their line in links.csv, then removed by their line in the copy. */
static int edit_order(const void *a, const void *b)
{
	const struct hand_edit *x = a, *y = b;
	int xr = x->reason == HAND_REMOVED, yr = y->reason == HAND_REMOVED;
	long xl = xr ? x->last_run_line : x->line, yl = yr ? y->last_run_line : y->line;

	if (xr != yr)
		return xr - yr;
	return xl < yl ? -1 : xl > yl;
}

void handedits_compare(const struct csv_table *cur, const struct csv_table *last,
		       struct handedits *h)
{
	struct side a, b;
	size_t i = 0, j = 0, cap = 0;

	memset(h, 0, sizeof *h);
	h->compared = 1;
	side_init(&a, cur);
	side_init(&b, last);
	qsort(a.r, a.n, sizeof *a.r, ref_cmp);
	qsort(b.r, b.n, sizeof *b.r, ref_cmp);
	while (i < a.n || j < b.n) {
		size_t i2 = i, j2 = j;
		const struct ref *k = i < a.n && (j >= b.n || key_cmp(&a.r[i], &b.r[j]) <= 0)
					      ? &a.r[i]
					      : &b.r[j];

		while (i2 < a.n && key_cmp(&a.r[i2], k) == 0)
			i2++;
		while (j2 < b.n && key_cmp(&b.r[j2], k) == 0)
			j2++;
		compare_key(h, &cap, &a, a.r + i, i2 - i, &b, b.r + j, j2 - j);
		i = i2;
		j = j2;
	}
	if (h->n > 1)
		qsort(h->v, h->n, sizeof *h->v, edit_order);
	free(a.r);
	free(b.r);
}

/* The first cell (or header name) of t that is not UTF-8: its line, or 0. */
static long first_bad_utf8(const struct csv_table *t)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (!utf8_valid(t->cols[c]))
			return 1;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			if (!utf8_valid(csvtab_get(t, r, (int)c)))
				return csvtab_line(t, r);
	return 0;
}

int handedits_find(const char *store, const struct csv_table *cur, struct handedits *h,
		   struct itg_err *e)
{
	char *path = fs_join(store, STORE_FILE_LINKS_LAST_RUN);
	struct csv_table last;
	struct itg_err why = {0};
	struct stat st;
	long bad;
	int rc = 0;

	memset(h, 0, sizeof *h);
	if (lstat(path, &st) != 0) {
		if (errno != ENOENT)
			rc = err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: %s", path,
				     strerror(errno));
		goto out;   /* no copy: the store's first load, or an older itg-load's */
	}
	if (S_ISLNK(st.st_mode)) {
		rc = fs_link_refused(path, e);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(e, ITG_EXIT_USAGE,
			     "%s is not a plain file: remove it (the next load writes a new one)",
			     path);
		goto out;
	}
	/* links.csv has the same columns in both products' stores */
	if (csvtab_read(path, store_contract_cols(PRODUCT_BULLPHISH, STORE_LINKS),
			store_required_cols(STORE_LINKS), &last, &why) != 0) {
		if (why.code == ITG_EXIT_RUNTIME) {
			*e = why;
			rc = -1;
		} else {
			h->problem = xstrdup(why.msg);
		}
		goto out;
	}
	bad = first_bad_utf8(&last);
	if (bad)
		h->problem = xasprintf("%s:%ld: holds bytes that are not UTF-8", path, bad);
	else
		handedits_compare(cur, &last, h);
	csvtab_free(&last);
out:
	free(path);
	return rc;
}

void handedits_free(struct handedits *h)
{
	free(h->v);
	free(h->problem);
	arena_free(&h->strs);
	memset(h, 0, sizeof *h);
}
