/*
 * autolink.c - rule 4, docs/rules.md 6-12: linking by name.
 *
 * "If BullPhish ID has an SMB organization with the name Test SMB and IT
 * Glue has an SMB organization with the name Test SMB the synchronization
 * link automatically establishes."  Unlinked product orgs (those freed by
 * rules 1-3 in this plan included) and unlinked in-scope IT Glue orgs are
 * grouped by name key (names.h); a product org whose link is kept under
 * unconfirmed_deletion (links.c) is not unlinked and takes no part.  A
 * group of exactly one of each links; any larger group is ambiguous and
 * reported for review, and its IT Glue orgs are never imported.  `fuzzy` then compares what is left by trigram
 * similarity, linking only a mutual, clear best.
 */
#include "rules.h"

#include "names.h"
#include "reasons.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define FUZZY_MARGIN 0.05

struct group {
	size_t *p, np, capp;   /* indexes into m->porgs */
	size_t *g, ng, capg;   /* indexes into m->orgs */
};

static char *name_key(enum auto_link mode, const char *name)
{
	return mode == AUTO_LINK_EXACT ? names_exact_key(name) : names_normalized_key(name);
}

static void add_link(struct model *m, struct prod_org *o, struct itg_org *g, const char *match,
		     double score)
{
	struct new_link *l;

	xgrow((void **)&m->new_links, &m->capnew_links, m->nnew_links + 1, sizeof *m->new_links);
	l = &m->new_links[m->nnew_links++];
	l->org = o;
	l->itg = g;
	l->match = match;
	l->score = score;
	model_set_link(o, g);
	g->link_match = match;
	g->link_score = score;
}

struct cand {
	const char *id, *name;
};

static int cand_cmp(const void *a, const void *b)
{
	return id_cmp(((const struct cand *)a)->id, ((const struct cand *)b)->id);
}

/* Adds a review line; cands are copied and sorted by id. */
static void add_review(struct model *m, struct itg_org *g, struct prod_org *o, const char *match,
		       struct cand *cands, size_t n)
{
	struct review *r;

	qsort(cands, n, sizeof *cands, cand_cmp);
	xgrow((void **)&m->reviews, &m->capreviews, m->nreviews + 1, sizeof *m->reviews);
	r = &m->reviews[m->nreviews++];
	r->itg = g;
	r->org = o;
	r->match = match;
	r->ncand = n;
	r->cand_ids = xmalloc((n ? n : 1) * sizeof *r->cand_ids);
	r->cand_names = xmalloc((n ? n : 1) * sizeof *r->cand_names);
	for (size_t i = 0; i < n; i++) {
		r->cand_ids[i] = cands[i].id;
		r->cand_names[i] = cands[i].name;
	}
}

static void free_group(void *v)
{
	struct group *gr = v;

	free(gr->p);
	free(gr->g);
	free(gr);
}

static struct group *group_of(struct strmap *groups, const char *key)
{
	struct group *gr = strmap_get(groups, key);

	if (!gr) {
		gr = xcalloc(1, sizeof *gr);
		strmap_put(groups, key, gr);
	}
	return gr;
}

/* The key pass: exact or normalized.  held_p marks product orgs of
 * ambiguous groups so the fuzzy pass leaves them alone. */
static void key_pass(struct model *m, enum auto_link mode, char *held_p)
{
	const char *match_mode = mode == AUTO_LINK_EXACT ? MATCH_EXACT : MATCH_NORMALIZED;
	struct strmap *groups = strmap_new(m->nporgs + m->norgs);
	size_t it = 0, np = 0;
	const char *key;
	void *val;

	for (size_t i = 0; i < m->nporgs; i++) {
		char *k;
		if (m->porgs[i].link || m->porgs[i].held)
			continue;
		k = name_key(mode, m->porgs[i].name);
		if (*k) {
			struct group *gr = group_of(groups, k);
			xgrow((void **)&gr->p, &gr->capp, gr->np + 1, sizeof *gr->p);
			gr->p[gr->np++] = i;
			np++;
		}
		free(k);
	}
	/* no product org to link (a new store): no IT Glue name to key */
	for (size_t i = 0; np && i < m->norgs; i++) {
		char *k;
		if (m->orgs[i].link || !m->orgs[i].in_scope)
			continue;
		k = name_key(mode, m->orgs[i].name);
		if (*k) {
			struct group *gr = group_of(groups, k);
			xgrow((void **)&gr->g, &gr->capg, gr->ng + 1, sizeof *gr->g);
			gr->g[gr->ng++] = i;
		}
		free(k);
	}
	while (strmap_next(groups, &it, &key, &val)) {
		struct group *gr = val;
		struct cand *c;
		if (!gr->np || !gr->ng)
			continue;
		if (gr->np == 1 && gr->ng == 1) {
			struct prod_org *o = &m->porgs[gr->p[0]];
			struct itg_org *g = &m->orgs[gr->g[0]];
			char *a = names_exact_key(o->name), *b = names_exact_key(g->name);
			add_link(m, o, g, strcmp(a, b) ? match_mode : MATCH_EXACT, -1);
			free(a);
			free(b);
			continue;
		}
		/* ambiguous, even if one pair inside is an exact match (docs/rules.md 9) */
		for (size_t j = 0; j < gr->ng; j++)
			m->orgs[gr->g[j]].review = 1;
		for (size_t j = 0; j < gr->np; j++)
			held_p[gr->p[j]] = 1;
		if (gr->np > 1) {
			c = xmalloc(gr->np * sizeof *c);
			for (size_t j = 0; j < gr->ng; j++) {
				for (size_t k = 0; k < gr->np; k++)
					c[k] = (struct cand){m->porgs[gr->p[k]].id,
							     m->porgs[gr->p[k]].name};
				add_review(m, &m->orgs[gr->g[j]], NULL, match_mode, c, gr->np);
			}
			free(c);
		}
		if (gr->ng > 1) {
			c = xmalloc(gr->ng * sizeof *c);
			for (size_t j = 0; j < gr->np; j++) {
				for (size_t k = 0; k < gr->ng; k++)
					c[k] = (struct cand){m->orgs[gr->g[k]].id,
							     m->orgs[gr->g[k]].name};
				add_review(m, NULL, &m->porgs[gr->p[j]], match_mode, c, gr->ng);
			}
			free(c);
		}
	}
	strmap_free(groups, free_group);
}

/* One side's view of the fuzzy pass: its best candidate on the other side. */
struct side {
	size_t n;
	size_t *ix;        /* index into m->porgs or m->orgs */
	char **text;       /* fuzzy text */
	long *best;        /* other side's item, -1 when none reaches the threshold */
	int *clear;        /* best beats the runner-up by more than the margin */
	double *score;
};

static void side_free(struct side *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->text[i]);
	free(s->ix);
	free(s->text);
	free(s->best);
	free(s->clear);
	free(s->score);
}

static void side_alloc(struct side *s, size_t cap)
{
	cap = cap ? cap : 1;
	s->n = 0;
	s->ix = xmalloc(cap * sizeof *s->ix);
	s->text = xmalloc(cap * sizeof *s->text);
	s->best = xmalloc(cap * sizeof *s->best);
	s->clear = xmalloc(cap * sizeof *s->clear);
	s->score = xmalloc(cap * sizeof *s->score);
}

/* For each item of `from`, its best in `to` (indexed by ix_to).  An unclear
 * best gives a review line; is_itg says which side `from` is. */
static void fuzzy_side(struct model *m, struct side *from, const struct side *to,
		       const struct names_index *ix_to, int from_is_itg)
{
	double thr = m->p->fuzzy_threshold;

	for (size_t i = 0; i < from->n; i++) {
		struct names_hit *hits = NULL;
		size_t nh = names_index_query(ix_to, from->text[i], thr - FUZZY_MARGIN - 1e-9,
					      &hits);
		size_t within = 0;
		from->best[i] = -1;
		from->clear[i] = 0;
		if (nh && hits[0].score >= thr) {
			double best = hits[0].score;
			while (within < nh && best - hits[within].score <= FUZZY_MARGIN)
				within++;
			from->best[i] = (long)hits[0].item;
			from->score[i] = best;
			from->clear[i] = within == 1;
			if (within > 1) {
				struct cand *c = xmalloc(within * sizeof *c);
				for (size_t k = 0; k < within; k++) {
					size_t other = to->ix[hits[k].item];
					c[k] = from_is_itg ? (struct cand){m->porgs[other].id,
									   m->porgs[other].name}
							   : (struct cand){m->orgs[other].id,
									   m->orgs[other].name};
					if (!from_is_itg)
						m->orgs[other].review = 1;
				}
				if (from_is_itg) {
					m->orgs[from->ix[i]].review = 1;
					add_review(m, &m->orgs[from->ix[i]], NULL, MATCH_FUZZY, c,
						   within);
				} else {
					add_review(m, NULL, &m->porgs[from->ix[i]], MATCH_FUZZY, c,
						   within);
				}
				free(c);
			}
		}
		free(hits);
	}
}

static void fuzzy_pass(struct model *m, const char *held_p)
{
	struct side ps, gs;
	struct names_index *ix_p = names_index_new(), *ix_g = names_index_new();

	side_alloc(&ps, m->nporgs);
	side_alloc(&gs, m->norgs);
	for (size_t i = 0; i < m->nporgs; i++) {
		char *t;
		if (m->porgs[i].link || m->porgs[i].held || held_p[i])
			continue;
		t = names_fuzzy_text(m->porgs[i].name);
		if (!*t) {
			free(t);
			continue;
		}
		ps.ix[ps.n] = i;
		ps.text[ps.n] = t;
		names_index_add(ix_p, ps.n, t);
		ps.n++;
	}
	for (size_t i = 0; ps.n && i < m->norgs; i++) {
		char *t;
		if (m->orgs[i].link || !m->orgs[i].in_scope || m->orgs[i].review)
			continue;
		t = names_fuzzy_text(m->orgs[i].name);
		if (!*t) {
			free(t);
			continue;
		}
		gs.ix[gs.n] = i;
		gs.text[gs.n] = t;
		names_index_add(ix_g, gs.n, t);
		gs.n++;
	}
	fuzzy_side(m, &gs, &ps, ix_p, 1);
	fuzzy_side(m, &ps, &gs, ix_g, 0);
	/* a mutual, clear best links */
	for (size_t i = 0; i < gs.n; i++) {
		long p = gs.best[i];
		if (p < 0 || !gs.clear[i] || !ps.clear[p] || ps.best[p] != (long)i)
			continue;
		add_link(m, &m->porgs[ps.ix[p]], &m->orgs[gs.ix[i]], MATCH_FUZZY, gs.score[i]);
	}
	names_index_free(ix_p);
	names_index_free(ix_g);
	side_free(&ps);
	side_free(&gs);
}

void autolink_run(struct model *m)
{
	enum auto_link mode = m->p->auto_link;
	char *held_p;

	if (mode == AUTO_LINK_OFF)
		return;
	held_p = xcalloc(m->nporgs ? m->nporgs : 1, 1);
	key_pass(m, mode == AUTO_LINK_EXACT ? AUTO_LINK_EXACT : AUTO_LINK_NORMALIZED, held_p);
	if (mode == AUTO_LINK_FUZZY)
		fuzzy_pass(m, held_p);
	free(held_p);
}

/* IT Glue-side reviews first, by IT Glue id; then product-side, by id. */
static int review_cmp(const void *a, const void *b)
{
	const struct review *x = a, *y = b;

	if (x->itg && y->itg)
		return id_cmp(x->itg->id, y->itg->id);
	if (x->itg || y->itg)
		return x->itg ? -1 : 1;
	return id_cmp(x->org->id, y->org->id);
}

int autolink_write_reviews(const struct model *m, struct plan_writer *w, struct itg_err *e)
{
	struct review *v = xmalloc((m->nreviews ? m->nreviews : 1) * sizeof *v);
	int rc = 0;

	if (m->nreviews) {
		memcpy(v, m->reviews, m->nreviews * sizeof *v);
		qsort(v, m->nreviews, sizeof *v, review_cmp);
	}
	for (size_t i = 0; i < m->nreviews && rc == 0; i++)
		rc = plan_write_review(w, v[i].itg ? v[i].itg->id : NULL, v[i].org ? v[i].org->id : NULL,
				 v[i].match, v[i].itg ? v[i].itg->name : v[i].org->name,
				 v[i].ncand, v[i].cand_ids, v[i].cand_names, e);
	free(v);
	return rc;
}
