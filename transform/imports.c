/*
 * imports.c - rule 6 (import) and rule 8 (licenses), docs/rules.md 14-17, 25, 26.
 *
 * In-scope, unlinked IT Glue orgs chosen by import.select become new product
 * orgs with the defaults and overrides ("Industry and Employee Count are the
 * mandatory fields").  An org already linked is never imported twice, and
 * an org under review is never imported.  A select entry that matches no
 * org is no error (an imported org that IT Glue renames or deletes must not
 * halt every later run): it becomes a review line select_not_found naming
 * the orgs whose normalized name equals it.  Turning phishing or training on
 * for an imported org never pushes the seats used past the license: first
 * fit in ascending IT Glue id, the module is left off otherwise.
 */
#include "strmap.h"
#include "rules.h"

#include "log.h"
#include "names.h"
#include "reasons.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Folded and normalized org names, computed once when a list needs them. */
struct namefold {
	char **folded;
	char **keys;     /* docs/rules.md 7 keys, for the candidates of select_not_found */
};

static void namefold_free(struct namefold *nf, size_t n)
{
	for (size_t i = 0; nf->folded && i < n; i++)
		free(nf->folded[i]);
	for (size_t i = 0; nf->keys && i < n; i++)
		free(nf->keys[i]);
	free(nf->folded);
	free(nf->keys);
}

/*
 * docs/rules.md 15: a YAML integer is an id; a string is an exact name, else a
 * case-insensitive name, else (all digits) an id.  A name shared by several
 * orgs selects them all.  Calls mark(org) for each; returns the number.
 */
static size_t resolve_entry(struct model *m, struct namefold *nf, const struct sel_entry *en,
			    void (*mark)(struct itg_org *, void *), void *ctx)
{
	size_t n = 0;
	struct itg_org *g;

	if (!en->is_int) {
		char *want;
		for (size_t i = 0; i < m->norgs; i++)
			if (!strcmp(m->orgs[i].name, en->text)) {
				mark(&m->orgs[i], ctx);
				n++;
			}
		if (n)
			return n;
		if (!nf->folded) {
			nf->folded = xmalloc((m->norgs ? m->norgs : 1) * sizeof *nf->folded);
			for (size_t i = 0; i < m->norgs; i++)
				nf->folded[i] = model_fold(m->orgs[i].name);
		}
		want = model_fold(en->text);
		for (size_t i = 0; i < m->norgs; i++)
			if (*want && !strcmp(nf->folded[i], want)) {
				mark(&m->orgs[i], ctx);
				n++;
			}
		free(want);
		if (n || !id_is_numeric(en->text))
			return n;
	}
	g = model_itg_org(m, en->text);
	if (g) {
		mark(g, ctx);
		n++;
	}
	return n;
}

size_t imports_resolve_entry(struct model *m, const struct sel_entry *en,
			     void (*mark)(struct itg_org *, void *), void *ctx)
{
	struct namefold nf = {0};
	size_t n = resolve_entry(m, &nf, en, mark, ctx);

	namefold_free(&nf, m->norgs);
	return n;
}

static void mark_listed(struct itg_org *g, void *ctx)
{
	(void)ctx;
	g->selected = 2;
}

static void apply_override(struct itg_org *g, void *ctx)
{
	const struct import_override *ov = ctx;

	if (ov->employee_count)
		g->employee_count = ov->employee_count;
	if (ov->industry)
		g->industry = ov->industry;
	if (ov->phishing >= 0)
		g->phishing = ov->phishing;
	if (ov->training >= 0)
		g->training = ov->training;
}

/*
 * docs/rules.md 15: the review of a select entry that matches nothing names, as
 * candidates, every org (in scope or not) whose normalized key equals the
 * entry's, ascending id (m->orgs is sorted); an empty key names none.
 */
static void add_miss(struct model *m, struct namefold *nf, const struct sel_entry *en)
{
	struct select_miss *ms;
	char *want = names_normalized_key(en->text);

	if (!nf->keys) {
		nf->keys = xmalloc((m->norgs ? m->norgs : 1) * sizeof *nf->keys);
		for (size_t i = 0; i < m->norgs; i++)
			nf->keys[i] = names_normalized_key(m->orgs[i].name);
	}
	xgrow((void **)&m->misses, &m->capmisses, m->nmisses + 1, sizeof *m->misses);
	ms = &m->misses[m->nmisses++];
	memset(ms, 0, sizeof *ms);
	ms->name = en->text;
	ms->cand_ids = xmalloc((m->norgs ? m->norgs : 1) * sizeof *ms->cand_ids);
	ms->cand_names = xmalloc((m->norgs ? m->norgs : 1) * sizeof *ms->cand_names);
	for (size_t i = 0; *want && i < m->norgs; i++)
		if (!strcmp(nf->keys[i], want)) {
			ms->cand_ids[ms->ncand] = m->orgs[i].id;
			ms->cand_names[ms->ncand++] = m->orgs[i].name;
		}
	free(want);
}

void imports_select(struct model *m)
{
	const struct pipeline *p = m->p;
	const struct selector *sel = &p->import_select;
	struct namefold nf = {0};

	if (sel->all) {
		for (size_t i = 0; i < m->norgs; i++)
			if (m->orgs[i].in_scope)
				m->orgs[i].selected = 1;
	} else if (!sel->none) {
		for (size_t i = 0; i < sel->n; i++) {
			const struct sel_entry *en = &sel->v[i];
			if (resolve_entry(m, &nf, en, mark_listed, NULL) == 0) {
				add_miss(m, &nf, en);
				log_warn("%s:%d:%d: import.select entry \"%s\" matches no IT Glue "
					 "organization in the snapshot: planned as a review "
					 "(select_not_found); fix the name or id, or remove the entry",
					 p->path, en->line, en->col, en->text);
			}
		}
	}
	for (size_t i = 0; i < m->norgs; i++) {
		struct itg_org *g = &m->orgs[i];
		if (!g->selected)
			continue;
		if (!g->in_scope) {
			/* only an explicit listing reports it (docs/rules.md 14) */
			g->skip_not_in_scope = g->selected == 2;
			continue;
		}
		if (g->link || g->review)
			continue;
		g->import = 1;
		g->employee_count = p->default_employee_count;
		g->industry = p->default_industry;
		g->phishing = p->default_phishing;
		g->training = p->default_training;
	}
	/* later overrides win */
	for (size_t i = 0; i < p->n_overrides; i++) {
		const struct import_override *ov = &p->overrides[i];
		size_t n = resolve_entry(m, &nf, &ov->target, apply_override, (void *)ov);
		if (n == 0)
			log_warn("%s:%d:%d: import override \"%s\" matches no IT Glue organization",
				 p->path, ov->target.line, ov->target.col, ov->target.text);
	}
	/* the override loop touched orgs that are not imported too: reset them */
	for (size_t i = 0; i < m->norgs; i++) {
		struct itg_org *g = &m->orgs[i];
		if (!g->import) {
			g->employee_count = g->industry = NULL;
			g->phishing = g->training = 0;
		}
	}
	namefold_free(&nf, m->norgs);
}

void imports_rank_linked(struct model *m)
{
	size_t n = 0;

	free(m->linked);
	m->linked = xmalloc((m->norgs ? m->norgs : 1) * sizeof *m->linked);
	for (size_t i = 0; i < m->norgs; i++) {
		struct itg_org *g = &m->orgs[i];
		g->rank = -1;
		if (g->link || g->import) {
			g->rank = (long)n;
			m->linked[n++] = g;
		}
	}
	m->nlinked = n;
}

/* One module's first fit (docs/rules.md 26).  Returns 1 when the module is left off. */
static int fit(long long *seats, long long license, size_t need)
{
	if (license != LICENSE_UNLIMITED && *seats + (long long)need > license)
		return 1;
	*seats += (long long)need;
	return 0;
}

void imports_licenses(struct model *m)
{
	const struct pipeline *p = m->p;

	if (m->product != PRODUCT_BULLPHISH)
		return;
	/* docs/rules.md 25: users (linked or not) of product orgs with the module on,
	 * plus this plan's import_user lines into existing orgs with it on */
	m->seats_phishing = m->seats_training = 0;
	for (size_t i = 0; i < m->nporgs; i++) {
		const struct prod_org *o = &m->porgs[i];
		long long users = (long long)o->nusers + o->imported_users;
		if (o->phishing)
			m->seats_phishing += users;
		if (o->training)
			m->seats_training += users;
	}
	for (size_t i = 0; i < m->norgs; i++) {
		struct itg_org *g = &m->orgs[i];
		if (!g->import)
			continue;
		if (g->phishing)
			g->phishing_limited =
				fit(&m->seats_phishing, p->license_phishing, g->import_users);
		if (g->training)
			g->training_limited =
				fit(&m->seats_training, p->license_training, g->import_users);
	}
}

int imports_write(const struct model *m, struct plan_writer *w, struct itg_err *e)
{
	int bp = m->product == PRODUCT_BULLPHISH;

	for (size_t i = 0; i < m->norgs; i++) {
		const struct itg_org *g = &m->orgs[i];
		int rc = 0;
		if (g->import) {
			struct plan_import_org o = {
				.itg_id = g->id,
				.name = g->name,
				.employee_count = g->employee_count,
				.industry = g->industry,
				.bullphish = bp,
				.phishing = g->phishing && !g->phishing_limited,
				.training = g->training && !g->training_limited,
				.limited_phishing = g->phishing_limited,
				.limited_training = g->training_limited,
			};
			rc = plan_write_import_org(w, &o, e);
		} else if (g->skip_not_in_scope) {
			rc = plan_write_skip_org(w, g->id, REASON_NOT_IN_SCOPE, g->name, e);
		}
		if (rc != 0)
			return -1;
	}
	return 0;
}

int imports_write_misses(const struct model *m, struct plan_writer *w, struct itg_err *e)
{
	for (size_t i = 0; i < m->nmisses; i++) {
		const struct select_miss *ms = &m->misses[i];
		if (plan_write_review_not_found(w, ms->name, ms->ncand, ms->cand_ids, ms->cand_names,
						e) != 0)
			return -1;
	}
	return 0;
}
