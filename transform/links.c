/*
 * links.c - judging the store's existing links: rules 1-3, docs/rules.md 1, 2.
 *
 * Order of judgement for a link: its IT Glue org is gone and the snapshot
 * confirms the deletion -> unlink itglue_deleted ("the IT Glue organization
 * column indicates None"); gone without that confirmation -> kept, with a
 * review unconfirmed_deletion (a short or hand-made snapshot never deletes
 * the operator's links); else out of scope -> unlink filtered_out ("all the
 * inactive status links are removed").  Only the surviving links, the kept
 * unconfirmed ones included, meet rule 3, one-to-one, where a manual link
 * wins over an auto or import link to either of its orgs.  A kept
 * unconfirmed link holds its product org: it is not linked after the plan
 * (nothing renames it or touches its users) and never auto-links.
 * Collisions are judged on the store as read: a group of links sharing an
 * org must hold exactly one manual link, else the store is inconsistent.
 */
#include "rules.h"

#include "reasons.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static const struct model *sort_model;
static int sort_by_itg;

static int link_key_cmp(const void *a, const void *b)
{
	const struct store_link *x = &sort_model->links[*(const size_t *)a];
	const struct store_link *y = &sort_model->links[*(const size_t *)b];
	int c = sort_by_itg ? id_cmp(x->itg_id, y->itg_id) : id_cmp(x->org_id, y->org_id);

	if (c == 0)
		c = (x->line > y->line) - (x->line < y->line);
	return c;
}

/* Checks the groups of links sharing an IT Glue org (by_itg) or a product org. */
static int check_collisions(struct model *m, int by_itg, struct itg_err *e)
{
	size_t *ix = xmalloc((m->nlinks ? m->nlinks : 1) * sizeof *ix);
	int rc = 0;

	for (size_t i = 0; i < m->nlinks; i++)
		ix[i] = i;
	sort_model = m;
	sort_by_itg = by_itg;
	if (m->nlinks)
		qsort(ix, m->nlinks, sizeof *ix, link_key_cmp);
	for (size_t i = 0; i < m->nlinks && rc == 0;) {
		size_t j = i, manual = 0;
		const struct store_link *first = &m->links[ix[i]];
		while (j < m->nlinks &&
		       !id_cmp(by_itg ? m->links[ix[j]].itg_id : m->links[ix[j]].org_id,
			       by_itg ? first->itg_id : first->org_id))
			manual += !strcmp(m->links[ix[j++]].source, SOURCE_MANUAL);
		if (j - i > 1 && manual != 1) {
			const struct store_link *last = &m->links[ix[j - 1]];
			rc = err_at(e, ITG_EXIT_USAGE, m->store.tab[STORE_LINKS].path, last->line, 0,
				    "%s %s is linked %zu times (lines %ld and %ld) with %s: keep "
				    "one of these links or mark exactly one of them manual",
				    by_itg ? "IT Glue organization" : "organization",
				    by_itg ? last->itg_id : last->org_id, j - i, first->line,
				    last->line,
				    manual ? "more than one manual link" : "no manual link");
		}
		i = j;
	}
	free(ix);
	return rc;
}

int links_judge(struct model *m, struct itg_err *e)
{
	struct strmap *manual_itg, *manual_org;

	if (check_collisions(m, 1, e) != 0 || check_collisions(m, 0, e) != 0)
		return -1;
	manual_itg = strmap_new(m->nlinks);
	manual_org = strmap_new(m->nlinks);
	for (size_t i = 0; i < m->nlinks; i++) {
		struct store_link *l = &m->links[i];
		if (!l->itg && model_deletion_confirmed(m, l->itg_id)) {
			l->unlink_reason = REASON_ITGLUE_DELETED;
			continue;
		}
		if (!l->itg)
			l->unconfirmed = 1;   /* kept: it survives into rule 3 */
		else if (!l->itg->in_scope) {
			l->unlink_reason = REASON_FILTERED_OUT;
			continue;
		}
		if (!strcmp(l->source, SOURCE_MANUAL)) {
			strmap_put(manual_itg, l->itg_id, l);
			strmap_put(manual_org, l->org_id, l);
		}
	}
	for (size_t i = 0; i < m->nlinks; i++) {
		struct store_link *l = &m->links[i];
		if (l->unlink_reason)
			continue;
		if (strcmp(l->source, SOURCE_MANUAL) &&
		    (strmap_has(manual_itg, l->itg_id) || strmap_has(manual_org, l->org_id)))
			l->unlink_reason = REASON_SUPERSEDED_BY_MANUAL;
		else if (l->unconfirmed)
			l->org->held = 1;
		else
			model_set_link(l->org, l->itg);
	}
	strmap_free(manual_itg, NULL);
	strmap_free(manual_org, NULL);
	return 0;
}

static int unlink_cmp(const void *a, const void *b)
{
	const struct store_link *x = *(const struct store_link *const *)a;
	const struct store_link *y = *(const struct store_link *const *)b;
	int c = id_cmp(x->itg_id, y->itg_id);

	if (c == 0)
		c = id_cmp(x->org_id, y->org_id);
	if (c == 0)
		c = (x->line > y->line) - (x->line < y->line);
	return c;
}

int links_write_unlinks(const struct model *m, struct plan_writer *w, struct itg_err *e)
{
	const struct store_link **v = xmalloc((m->nlinks ? m->nlinks : 1) * sizeof *v);
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < m->nlinks; i++)
		if (m->links[i].unlink_reason)
			v[n++] = &m->links[i];
	if (n)
		qsort(v, n, sizeof *v, unlink_cmp);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = plan_write_unlink(w, v[i]->org_id, v[i]->itg_id, v[i]->unlink_reason, v[i]->source,
				 e);
	free(v);
	return rc;
}

static int new_link_cmp(const void *a, const void *b)
{
	const struct new_link *x = a, *y = b;

	return id_cmp(x->itg->id, y->itg->id);
}

int links_write_links(const struct model *m, struct plan_writer *w, struct itg_err *e)
{
	struct new_link *v = xmalloc((m->nnew_links ? m->nnew_links : 1) * sizeof *v);
	int rc = 0;

	if (m->nnew_links)
		memcpy(v, m->new_links, m->nnew_links * sizeof *v);
	if (m->nnew_links)
		qsort(v, m->nnew_links, sizeof *v, new_link_cmp);
	for (size_t i = 0; i < m->nnew_links && rc == 0; i++)
		rc = plan_write_link(w, v[i].org->id, v[i].itg->id, v[i].match, v[i].score,
			       v[i].org->name, v[i].itg->name, e);
	free(v);
	return rc;
}

/* The kept unconfirmed links, ascending IT Glue id, then product id, then line. */
int links_write_unconfirmed(const struct model *m, struct plan_writer *w, struct itg_err *e)
{
	const struct store_link **v = xmalloc((m->nlinks ? m->nlinks : 1) * sizeof *v);
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < m->nlinks; i++)
		if (m->links[i].unconfirmed && !m->links[i].unlink_reason)
			v[n++] = &m->links[i];
	if (n)
		qsort(v, n, sizeof *v, unlink_cmp);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = plan_write_review_unconfirmed(w, v[i]->itg_id, v[i]->org_id, v[i]->source, e);
	free(v);
	return rc;
}
