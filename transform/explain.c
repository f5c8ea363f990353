/*
 * explain.c - itg-transform --explain ORG.
 *
 * An operator asks "why was X not linked?"; the answer is every rule's
 * decision for X, in the order the rules run, taken from the plan that the
 * same inputs give (the judged model, and the plan file for the contact
 * and domain lines).  Nothing here decides anything: what is printed is
 * what rules.h's functions decided, the inventory's state included
 * (inventory_org_state), so the explanation cannot drift from the plan.
 */
#include "explain.h"

#include "inventory.h"
#include "json.h"
#include "names.h"
#include "planfmt.h"
#include "reasons.h"
#include "rules.h"
#include "xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* How much "in short" is. */
#define FIRST_CONTACTS 8
#define CLOSEST_NAMES 5
#define CLOSEST_SHOWN 3
/* below this trigram similarity a name is not worth showing as "close" */
#define CLOSE_ENOUGH 0.25

/* ---- finding the organization ------------------------------------------------- */

/* Tier 0: an id or the name as written; 1: folded name; 2: normalized key. */
static int matches(int tier, const char *id, const char *name, const char *query,
		   const char *folded, const char *key)
{
	char *k;
	int yes;

	if (tier == 0)
		return (id_is_numeric(query) && !id_cmp(id, query)) || !strcmp(name, query);
	k = tier == 1 ? model_fold(name) : names_normalized_key(name);
	yes = tier == 1 ? *folded && !strcmp(k, folded) : *key && !strcmp(k, key);
	free(k);
	return yes;
}

struct close_name {
	double score;
	int itg;              /* 1: IT Glue, 0: product */
	const char *id, *name;
};

/* Keeps the CLOSEST_NAMES best, the earlier one first on a tie. */
static void keep_close(struct close_name *best, size_t *n, struct close_name c)
{
	size_t at = *n;

	if (c.score <= 0)
		return;
	while (at > 0 && best[at - 1].score < c.score)
		at--;
	if (at >= CLOSEST_NAMES)
		return;
	if (*n < CLOSEST_NAMES)
		(*n)++;
	memmove(&best[at + 1], &best[at], (*n - at - 1) * sizeof *best);
	best[at] = c;
}

static int not_found(const struct model *m, const char *query, struct itg_err *e)
{
	struct close_name best[CLOSEST_NAMES];
	char *fq = names_fuzzy_text(query);
	struct buf b = {0};
	size_t n = 0;
	int rc;

	for (size_t i = 0; *fq && i < m->norgs + m->nporgs; i++) {
		int itg = i < m->norgs;
		const char *id = itg ? m->orgs[i].id : m->porgs[i - m->norgs].id;
		const char *name = itg ? m->orgs[i].name : m->porgs[i - m->norgs].name;
		char *t = names_fuzzy_text(name);
		double score = names_trigram_jaccard(fq, t);
		if (score >= CLOSE_ENOUGH)
			keep_close(best, &n, (struct close_name){score, itg, id, name});
		free(t);
	}
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s\"%s\" (%s %s)", i ? ", " : "", best[i].name,
			 best[i].itg ? "IT Glue" : "product", best[i].id);
	if (n)
		rc = err_set(e, ITG_EXIT_USAGE,
			     "no IT Glue or product organization has the id or name \"%s\"; the "
			     "closest names: %s: give one of these names or an id",
			     query, buf_str(&b));
	else
		rc = err_set(e, ITG_EXIT_USAGE,
			     "no IT Glue or product organization has the id or name \"%s\", and no "
			     "name is close: give a name as IT Glue or organizations.csv writes it, "
			     "or an id",
			     query);
	buf_free(&b);
	free(fq);
	return rc;
}

int explain_find(const struct model *m, const char *query, struct explain_hits *h,
		 struct itg_err *e)
{
	char *folded = model_fold(query), *key = names_normalized_key(query);

	memset(h, 0, sizeof *h);
	h->itg = xmalloc((m->norgs ? m->norgs : 1) * sizeof *h->itg);
	h->prod = xmalloc((m->nporgs ? m->nporgs : 1) * sizeof *h->prod);
	for (int tier = 0; tier < 3 && !h->nitg && !h->nprod; tier++) {
		for (size_t i = 0; i < m->norgs; i++)
			if (matches(tier, m->orgs[i].id, m->orgs[i].name, query, folded, key))
				h->itg[h->nitg++] = &m->orgs[i];
		for (size_t i = 0; i < m->nporgs; i++)
			if (matches(tier, m->porgs[i].id, m->porgs[i].name, query, folded, key))
				h->prod[h->nprod++] = &m->porgs[i];
	}
	free(folded);
	free(key);
	if (h->nitg || h->nprod)
		return 0;
	explain_hits_free(h);
	return not_found(m, query, e);
}

void explain_hits_free(struct explain_hits *h)
{
	free(h->itg);
	free(h->prod);
	memset(h, 0, sizeof *h);
}

/* ---- output -------------------------------------------------------------------------- */

struct ex {
	FILE *out;
	struct model *m;
	const char *plan_path;
	struct inventory_links ix;
	struct strmap *key_ambiguous;   /* product ids in an ambiguous key group */
};

static void say(struct ex *x, int depth, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(struct ex *x, int depth, const char *fmt, ...)
{
	va_list ap;

	fprintf(x->out, "%*s", depth * 2, "");
	va_start(ap, fmt);
	vfprintf(x->out, fmt, ap);
	va_end(ap);
	fputc('\n', x->out);
}

static const char *or_null(const char *s)
{
	return s ? s : "null";
}

static char *name_key(const struct model *m, const char *name)
{
	return m->p->auto_link == AUTO_LINK_EXACT ? names_exact_key(name)
						  : names_normalized_key(name);
}

static const char *key_rule(const struct model *m)
{
	return m->p->auto_link == AUTO_LINK_EXACT ? "exact, docs/rules.md 8"
						  : "normalized, docs/rules.md 7";
}

/* ---- the plan's lines that name the organization ------------------------------------- */

struct plines {
	yajl_val *v;
	size_t n, cap;
};

static void plines_free(struct plines *pl)
{
	for (size_t i = 0; i < pl->n; i++)
		yajl_tree_free(pl->v[i]);
	free(pl->v);
	memset(pl, 0, sizeof *pl);
}

static int id_is(yajl_val v, const char *key, const char *want)
{
	const char *s = json_get_id(v, key);

	return want && s && !strcmp(s, want);
}

/*
 * Every plan line whose itglue_organization_id is gid, whose
 * organization_id is pid, or whose organization_ref is ref (either may be
 * NULL).  A cheap substring test spares parsing the other lines.
 */
static int plan_lines(const char *path, const char *gid, const char *pid, const char *ref,
		      struct plines *pl, struct itg_err *e)
{
	char *qg = gid ? xasprintf("\"%s\"", gid) : NULL, *qp = pid ? xasprintf("\"%s\"", pid) : NULL;
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	memset(pl, 0, sizeof *pl);
	if (!fp) {
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		char why[128];
		yajl_val v;
		if (!(qg && strstr(line, qg)) && !(qp && strstr(line, qp)))
			continue;
		v = json_parse(line, (size_t)len, why, sizeof why);
		if (!v) {
			rc = err_set(e, ITG_EXIT_RUNTIME, "%s: a line is not JSON (%s)", path, why);
			break;
		}
		if (!id_is(v, PK_ITGLUE_ORGANIZATION_ID, gid) && !id_is(v, PK_ORGANIZATION_ID, pid) &&
		    !(ref && json_get_str(v, PK_ORGANIZATION_REF) &&
		      !strcmp(json_get_str(v, PK_ORGANIZATION_REF), ref))) {
			yajl_tree_free(v);
			continue;
		}
		xgrow((void **)&pl->v, &pl->cap, pl->n + 1, sizeof *pl->v);
		pl->v[pl->n++] = v;
	}
	if (rc == 0 && ferror(fp))
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: %s", path, strerror(errno));
	fclose(fp);
out:
	free(line);
	free(qg);
	free(qp);
	return rc;
}

/* "plan lines naming it: link 1, import_user 4" */
static void plan_summary(struct ex *x, const struct plines *pl)
{
	unsigned long n[PA_COUNT] = {0};
	struct buf b = {0};

	for (size_t i = 0; i < pl->n; i++) {
		enum plan_action a = plan_action_parse(json_get_str(pl->v[i], PK_ACTION));
		if (a < PA_COUNT)
			n[a]++;
	}
	for (int a = 0; a < PA_COUNT; a++)
		if (n[a])
			buf_addf(&b, "%s%s %lu", b.len ? ", " : "", plan_action_name(a), n[a]);
	say(x, 1, "plan lines naming it: %s", b.len ? buf_str(&b) : "none");
	buf_free(&b);
}

/* ---- scope (rule 1) ------------------------------------------------------------------ */

/* The first entry of a filter that selects id, as scope_apply reads it. */
static const struct sel_entry *entry_selecting(const struct selector *sel,
					       const struct strmap *names, const char *id)
{
	for (size_t i = 0; id && i < sel->n; i++) {
		struct strmap *set = strmap_new(8);
		int yes;
		scope_entry_match(&sel->v[i], names, set, NULL);
		yes = strmap_has(set, id);
		strmap_free(set, NULL);
		if (yes)
			return &sel->v[i];
	}
	return NULL;
}

static void entries_text(const struct selector *sel, struct buf *b)
{
	buf_addc(b, '[');
	for (size_t i = 0; i < sel->n; i++)
		buf_addf(b, "%s%s", i ? ", " : "", sel->v[i].text);
	buf_addc(b, ']');
}

static void filter_decision(struct ex *x, const char *what, const char *key,
			    const struct selector *sel, const struct strmap *names, const char *id)
{
	const char *name = id && names ? strmap_get(names, id) : NULL;
	const struct sel_entry *en;
	struct buf b = {0}, list = {0};

	if (id)
		buf_addf(&b, "%s %s%s%s%s", what, id, name ? " \"" : "", name ? name : "",
			 name ? "\"" : "");
	else
		buf_addf(&b, "%s null", what);
	entries_text(sel, &list);
	if (sel->all)
		say(x, 2, "%s: selected (%s: all)", buf_str(&b), key);
	else if (!id)
		say(x, 2, "%s: not selected: a null %s is selected only by all (docs/rules.md 3)",
		    buf_str(&b), what);
	else if ((en = entry_selecting(sel, names, id)))
		say(x, 2, "%s: selected by %s entry \"%s\" (line %d)", buf_str(&b), key, en->text,
		    en->line);
	else
		say(x, 2, "%s: not selected: no entry of %s %s names it", buf_str(&b), key,
		    buf_str(&list));
	buf_free(&b);
	buf_free(&list);
}

static void explain_scope(struct ex *x, const struct itg_org *g)
{
	const struct pipeline *p = x->m->p;
	const char *by = scope_excluded_by(x->m, g);

	if (g->in_scope)
		say(x, 1, "scope: in scope");
	else
		say(x, 1, "scope: out of scope (excluded by %s)", by ? by : "a filter");
	filter_decision(x, "type", "sync.organization_types", &p->organization_types,
			x->m->type_names, g->type_id);
	filter_decision(x, "status", "sync.organization_statuses", &p->organization_statuses,
			x->m->status_names, g->status_id);
}

/* ---- existing links (rules 1-3) ------------------------------------------------------ */

/* The manual link that supersedes l (sharing one of its orgs). */
static const struct store_link *superseding(const struct model *m, const struct store_link *l)
{
	for (size_t i = 0; i < m->nlinks; i++) {
		const struct store_link *o = &m->links[i];
		if (o != l && !strcmp(o->source, SOURCE_MANUAL) &&
		    (!id_cmp(o->itg_id, l->itg_id) || !id_cmp(o->org_id, l->org_id)))
			return o;
	}
	return NULL;
}

static void explain_link(struct ex *x, const struct store_link *l)
{
	const char *r = l->unlink_reason;
	const struct store_link *o;

	say(x, 2, "links.csv line %ld: product organization %s \"%s\" to IT Glue organization %s, "
		  "source %s",
	    l->line, l->org_id, l->org->name, l->itg_id, l->source);
	if (!r && l->unconfirmed)
		say(x, 3, "kept, under review (review unconfirmed_deletion): IT Glue organization %s "
			  "is not in the snapshot, which does not confirm its deletion; the product "
			  "organization is held: not auto-linked, renamed or given contact lines",
		    l->itg_id);
	else if (!r)
		say(x, 3, "kept");
	else if (!strcmp(r, REASON_FILTERED_OUT))
		say(x, 3, "removed (unlink filtered_out): the IT Glue organization is out of scope");
	else if (!strcmp(r, REASON_ITGLUE_DELETED))
		say(x, 3, "removed (unlink itglue_deleted): IT Glue answered 404 for organization %s "
			  "(the snapshot's confirmed_deleted)",
		    l->itg_id);
	else if (!strcmp(r, REASON_SUPERSEDED_BY_MANUAL) && (o = superseding(x->m, l)))
		say(x, 3, "removed (unlink superseded_by_manual): the manual link of line %ld "
			  "(product %s, IT Glue %s) wins",
		    o->line, o->org_id, o->itg_id);
	else if (!strcmp(r, REASON_DISCONNECT))
		say(x, 3, "removed (unlink disconnect): a disconnect removes every link");
	else
		say(x, 3, "removed (unlink %s)", r);
}

static void explain_links(struct ex *x, const struct itg_org *g, const struct prod_org *p)
{
	size_t n = 0;

	say(x, 1, "existing links:");
	for (size_t i = 0; i < x->m->nlinks; i++) {
		const struct store_link *l = &x->m->links[i];
		if ((g && l->itg == g) || (p && l->org == p)) {
			explain_link(x, l);
			n++;
		}
	}
	if (!n)
		say(x, 2, "none in links.csv");
}

/* ---- auto-link (rule 4) --------------------------------------------------------------- */

static const struct review *review_of(const struct model *m, const struct itg_org *g,
				      const struct prod_org *p)
{
	for (size_t i = 0; i < m->nreviews; i++)
		if ((g && m->reviews[i].itg == g) || (p && m->reviews[i].org == p))
			return &m->reviews[i];
	return NULL;
}

/* A review of the other side listing id among its candidates. */
static const struct review *review_naming(const struct model *m, const char *id, int itg_side)
{
	for (size_t i = 0; i < m->nreviews; i++) {
		const struct review *r = &m->reviews[i];
		if (itg_side ? !r->itg : !r->org)
			continue;
		for (size_t k = 0; k < r->ncand; k++)
			if (!strcmp(r->cand_ids[k], id))
				return r;
	}
	return NULL;
}

static void cand_list(const struct review *r, struct buf *b)
{
	for (size_t k = 0; k < r->ncand; k++)
		buf_addf(b, "%s%s \"%s\"", k ? ", " : "", r->cand_ids[k], r->cand_names[k]);
}

static void prod_status(const struct prod_org *p, struct buf *b)
{
	if (p->held)
		buf_adds(b, "held by an unconfirmed deletion: takes no part");
	else if (p->link && !p->link->link_match)
		buf_addf(b, "already linked to IT Glue %s: takes no part", p->link->id);
	else if (p->link)
		buf_addf(b, "was free; linked to IT Glue %s by this plan", p->link->id);
	else
		buf_adds(b, "free; unlinked after the plan");
}

static void itg_status(const struct ex *x, const struct itg_org *g, struct buf *b)
{
	if (!g->in_scope)
		buf_adds(b, "out of scope: takes no part");
	else if (x->ix.kept[g - x->m->orgs])
		buf_addf(b, "already linked to product %s: takes no part", g->link->id);
	else if (g->link)
		buf_addf(b, "was free; linked to product %s by this plan", g->link->id);
	else if (g->review)
		buf_adds(b, "free; under review");
	else
		buf_adds(b, "free; unlinked after the plan");
}

/* The few names of the other side closest to name (trigram similarity). */
static void closest_other(struct ex *x, const char *name, int other_is_itg)
{
	const struct model *m = x->m;
	struct close_name best[CLOSEST_NAMES];
	char *t = names_fuzzy_text(name);
	size_t n = 0, count = other_is_itg ? m->norgs : m->nporgs;

	for (size_t i = 0; *t && i < count; i++) {
		const char *id = other_is_itg ? m->orgs[i].id : m->porgs[i].id;
		const char *nm = other_is_itg ? m->orgs[i].name : m->porgs[i].name;
		char *o = names_fuzzy_text(nm);
		double score = names_trigram_jaccard(t, o);
		if (score >= CLOSE_ENOUGH)
			keep_close(best, &n, (struct close_name){score, other_is_itg, id, nm});
		free(o);
	}
	free(t);
	if (n)
		say(x, 3, "the closest %s names:", other_is_itg ? "IT Glue" : "product");
	for (size_t i = 0; i < n && i < CLOSEST_SHOWN; i++) {
		char *k = name_key(m, best[i].name);
		say(x, 4, "%s \"%s\": key \"%s\", similarity %.4f", best[i].id, best[i].name, k,
		    best[i].score);
		free(k);
	}
}

/* A product org the fuzzy pass compared: not held, not in an ambiguous key
 * group, not linked except by the fuzzy pass itself. */
static int fuzzy_free_prod(const struct ex *x, const struct prod_org *p)
{
	return !p->held && !strmap_has(x->key_ambiguous, p->id) &&
	       (!p->link || (p->link->link_match && !strcmp(p->link->link_match, MATCH_FUZZY)));
}

/* The fuzzy pass from the IT Glue side: the best candidates and their scores. */
static void explain_fuzzy(struct ex *x, const struct itg_org *g)
{
	const struct model *m = x->m;
	struct close_name best[CLOSEST_NAMES];
	double thr = m->p->fuzzy_threshold;
	char *t = names_fuzzy_text(g->name);
	size_t n = 0;

	for (size_t i = 0; *t && i < m->nporgs; i++) {
		char *o;
		if (!fuzzy_free_prod(x, &m->porgs[i]))
			continue;
		o = names_fuzzy_text(m->porgs[i].name);
		keep_close(best, &n, (struct close_name){names_trigram_jaccard(t, o), 0,
							 m->porgs[i].id, m->porgs[i].name});
		free(o);
	}
	free(t);
	say(x, 2, "fuzzy pass (sync.fuzzy_threshold %.2f, a clear best leads the runner-up by "
		  "more than 0.05, and both sides must name each other):",
	    thr);
	for (size_t i = 0; i < n && i < CLOSEST_SHOWN; i++)
		say(x, 3, "product %s \"%s\": similarity %.4f", best[i].id, best[i].name,
		    best[i].score);
	if (g->link_match && !strcmp(g->link_match, MATCH_FUZZY))
		say(x, 3, "linked: product %s is the mutual, clear best (score %.4f)", g->link->id,
		    g->link_score);
	else if (!n || best[0].score < thr)
		say(x, 3, "no product organization reaches the threshold");
	else if (g->review)
		say(x, 3, "not linked: the best is not clear (under review)");
	else
		say(x, 3, "not linked: product %s's own best is another IT Glue organization, or "
			  "not clear",
		    best[0].id);
}

static void explain_autolink_itg(struct ex *x, const struct itg_org *g)
{
	const struct model *m = x->m;
	enum auto_link mode = m->p->auto_link;
	const struct store_link *kept = x->ix.kept[g - m->orgs];
	const struct review *r;
	char *key;
	size_t ncand = 0;
	int key_ambiguous = 0;

	say(x, 1, "auto-link (sync.auto_link: %s):", auto_link_name(mode));
	if (mode == AUTO_LINK_OFF) {
		say(x, 2, "not tried: auto-link is off");
		return;
	}
	key = name_key(m, g->name);
	say(x, 2, "name key (%s): \"%s\"", key_rule(m), key);
	if (!g->in_scope) {
		say(x, 2, "not tried: out of scope");
	} else if (kept) {
		say(x, 2, "not tried: already linked (links.csv line %ld)", kept->line);
	} else {
		for (size_t i = 0; *key && i < m->nporgs; i++) {
			char *k = name_key(m, m->porgs[i].name);
			if (!strcmp(k, key)) {
				struct buf b = {0};
				if (!ncand++)
					say(x, 2, "product organizations with this key:");
				prod_status(&m->porgs[i], &b);
				say(x, 3, "%s \"%s\": %s", m->porgs[i].id, m->porgs[i].name, buf_str(&b));
				buf_free(&b);
			}
			free(k);
		}
		r = review_of(m, g, NULL);
		if (g->link_match && strcmp(g->link_match, MATCH_FUZZY)) {
			say(x, 2, "linked to product organization %s \"%s\" by this plan (link "
				  "name_match, match %s)",
			    g->link->id, g->link->name, g->link_match);
		} else if (r && strcmp(r->match, MATCH_FUZZY)) {
			struct buf b = {0};
			cand_list(r, &b);
			say(x, 2, "not linked: ambiguous (review ambiguous_name, match %s): %zu product "
				  "organizations share the key: %s; link it by hand with a manual row "
				  "in links.csv",
			    r->match, r->ncand, buf_str(&b));
			buf_free(&b);
			key_ambiguous = 1;
		} else if ((r = review_naming(m, g->id, 0)) && strcmp(r->match, MATCH_FUZZY)) {
			struct buf b = {0};
			cand_list(r, &b);
			say(x, 2, "not linked: ambiguous (review ambiguous_name of product organization "
				  "%s \"%s\", match %s): %zu IT Glue organizations share its key: %s",
			    r->org->id, r->org->name, r->match, r->ncand, buf_str(&b));
			buf_free(&b);
			key_ambiguous = 1;
		} else if (!*key) {
			say(x, 2, "not linked by key: the name has no key (nothing but punctuation or "
				  "legal suffixes), so it never auto-links");
		} else if (!ncand) {
			say(x, 2, "not linked by key: no product organization has this key");
			closest_other(x, g->name, 0);
		} else if (!g->link) {
			say(x, 2, "not linked by key: every product organization with this key is "
				  "linked or held");
		}
		if (mode == AUTO_LINK_FUZZY && !key_ambiguous &&
		    (!g->link_match || !strcmp(g->link_match, MATCH_FUZZY)))
			explain_fuzzy(x, g);
	}
	free(key);
}

static void explain_autolink_prod(struct ex *x, const struct prod_org *p)
{
	const struct model *m = x->m;
	enum auto_link mode = m->p->auto_link;
	const struct review *r;
	char *key;
	size_t ncand = 0;

	say(x, 1, "auto-link (sync.auto_link: %s):", auto_link_name(mode));
	if (mode == AUTO_LINK_OFF) {
		say(x, 2, "not tried: auto-link is off");
		return;
	}
	key = name_key(m, p->name);
	say(x, 2, "name key (%s): \"%s\"", key_rule(m), key);
	if (p->held) {
		say(x, 2, "not tried: held by its link kept under unconfirmed_deletion");
	} else if (p->link && !p->link->link_match) {
		say(x, 2, "not tried: already linked to IT Glue organization %s", p->link->id);
	} else {
		for (size_t i = 0; *key && i < m->norgs; i++) {
			char *k = name_key(m, m->orgs[i].name);
			if (!strcmp(k, key)) {
				struct buf b = {0};
				if (!ncand++)
					say(x, 2, "IT Glue organizations with this key:");
				itg_status(x, &m->orgs[i], &b);
				say(x, 3, "%s \"%s\": %s", m->orgs[i].id, m->orgs[i].name, buf_str(&b));
				buf_free(&b);
			}
			free(k);
		}
		r = review_of(m, NULL, p);
		if (p->link) {
			if (strcmp(p->link->link_match, MATCH_FUZZY))
				say(x, 2, "linked to IT Glue organization %s \"%s\" by this plan (link "
					  "name_match, match %s)",
				    p->link->id, p->link->name, p->link->link_match);
			else
				say(x, 2, "linked to IT Glue organization %s \"%s\" by this plan (link "
					  "name_match, match fuzzy, score %.4f)",
				    p->link->id, p->link->name, p->link->link_score);
		} else if (r) {
			struct buf b = {0};
			cand_list(r, &b);
			say(x, 2, "not linked: ambiguous (review ambiguous_name, match %s): %zu IT Glue "
				  "organizations: %s; link it by hand with a manual row in links.csv",
			    r->match, r->ncand, buf_str(&b));
			buf_free(&b);
		} else if ((r = review_naming(m, p->id, 1))) {
			struct buf b = {0};
			cand_list(r, &b);
			say(x, 2, "not linked: ambiguous (review ambiguous_name of IT Glue organization "
				  "%s \"%s\", match %s): %zu product organizations share its key: %s",
			    r->itg->id, r->itg->name, r->match, r->ncand, buf_str(&b));
			buf_free(&b);
		} else if (!*key) {
			say(x, 2, "not linked: the name has no key (nothing but punctuation or legal "
				  "suffixes), so it never auto-links");
		} else if (!ncand) {
			say(x, 2, "not linked: no IT Glue organization has this key");
			closest_other(x, p->name, 1);
		} else {
			say(x, 2, "not linked: every IT Glue organization with this key is out of "
				  "scope, linked or under review");
		}
	}
	free(key);
}

/* ---- rename (rule 5) ------------------------------------------------------------------- */

static void explain_rename(struct ex *x, const struct itg_org *g)
{
	const struct prod_org *p = g->link;

	if (!p)
		return;
	if (!*g->name)
		say(x, 1, "rename: none: an empty IT Glue name never renames");
	else if (strcmp(p->name, g->name))
		say(x, 1, "rename: product organization %s \"%s\" becomes \"%s\"", p->id, p->name,
		    g->name);
	else
		say(x, 1, "rename: none: the names are equal");
}

/* ---- import (rules 6, 8) --------------------------------------------------------------- */

struct hit_ctx {
	const struct itg_org *want;
	int hit;
};

static void mark_hit(struct itg_org *g, void *ctx)
{
	struct hit_ctx *h = ctx;

	if (g == h->want)
		h->hit = 1;
}

static int entry_names(struct model *m, const struct sel_entry *en, const struct itg_org *g)
{
	struct hit_ctx h = {g, 0};

	imports_resolve_entry(m, en, mark_hit, &h);
	return h.hit;
}

/* Seats of a module used before g's import took its own (docs/rules.md 25, 26). */
static long long seats_before(const struct model *m, const struct itg_org *g, int phishing)
{
	long long seats = 0;

	for (size_t i = 0; i < m->nporgs; i++)
		if (phishing ? m->porgs[i].phishing : m->porgs[i].training)
			seats += (long long)m->porgs[i].nusers + m->porgs[i].imported_users;
	for (const struct itg_org *h = m->orgs; h < g; h++)
		if (h->import && (phishing ? h->phishing && !h->phishing_limited
					   : h->training && !h->training_limited))
			seats += (long long)h->import_users;
	return seats;
}

static void explain_module(struct ex *x, const struct itg_org *g, const char *module,
			   int requested, int limited, int from_line, long long license)
{
	char src[64];

	if (from_line)
		snprintf(src, sizeof src, "override line %d", from_line);
	else
		snprintf(src, sizeof src, "import.defaults.%s", module);
	if (!requested) {
		say(x, 3, "%s: off (%s)", module, src);
		return;
	}
	if (license == LICENSE_UNLIMITED) {
		say(x, 3, "%s: on (%s; licenses.%s is unlimited)", module, src, module);
		return;
	}
	say(x, 3, "%s: %s (%s): needs %zu seats (one per imported user), %lld of the %lld "
		  "were used before it (first fit in ascending IT Glue id)%s",
	    module, limited ? "requested, left off by the license" : "on", src, g->import_users,
	    seats_before(x->m, g, !strcmp(module, PK_PHISHING)), license,
	    limited ? " (license_limit)" : "");
}

static void explain_import(struct ex *x, struct itg_org *g)
{
	struct model *m = x->m;
	const struct pipeline *p = m->p;
	const struct selector *sel = &p->import_select;
	int ec_line = 0, ind_line = 0, ph_line = 0, tr_line = 0, named = 0;

	if (sel->none)
		say(x, 1, "import (import.select: none): nothing is selected");
	else if (sel->all)
		say(x, 1, "import (import.select: all): every in-scope organization is selected");
	else
		say(x, 1, "import (import.select: %zu entries):", sel->n);
	for (size_t i = 0; !sel->all && !sel->none && i < sel->n; i++)
		if (entry_names(m, &sel->v[i], g)) {
			say(x, 2, "entry \"%s\" (line %d) names it", sel->v[i].text, sel->v[i].line);
			named = 1;
		}
	if (!sel->all && !sel->none && !named)
		say(x, 2, "no entry names it");
	for (size_t i = 0; i < p->n_overrides; i++) {
		const struct import_override *ov = &p->overrides[i];
		struct buf b = {0};
		if (!entry_names(m, &ov->target, g))
			continue;
		if (ov->employee_count) {
			buf_addf(&b, ", employee_count %s", ov->employee_count);
			ec_line = ov->target.line;
		}
		if (ov->industry) {
			buf_addf(&b, ", industry %s", ov->industry);
			ind_line = ov->target.line;
		}
		if (ov->phishing >= 0) {
			buf_addf(&b, ", phishing %s", ov->phishing ? "true" : "false");
			ph_line = ov->target.line;
		}
		if (ov->training >= 0) {
			buf_addf(&b, ", training %s", ov->training ? "true" : "false");
			tr_line = ov->target.line;
		}
		say(x, 2, "override \"%s\" (line %d) names it%s", ov->target.text, ov->target.line,
		    buf_str(&b));
		buf_free(&b);
	}
	if (g->import) {
		char *ref = plan_write_ref(g->id);
		say(x, 2, "imported: import_organization %s \"%s\"", ref, g->name);
		free(ref);
		say(x, 3, "employee_count %s (%s), industry %s (%s)", g->employee_count,
		    ec_line ? "override" : "import.defaults", g->industry,
		    ind_line ? "override" : "import.defaults");
		if (m->product == PRODUCT_BULLPHISH) {
			explain_module(x, g, PK_PHISHING, g->phishing, g->phishing_limited, ph_line,
				       p->license_phishing);
			explain_module(x, g, PK_TRAINING, g->training, g->training_limited, tr_line,
				       p->license_training);
		}
	} else if (g->skip_not_in_scope) {
		say(x, 2, "not imported: named by import.select but out of scope (skip "
			  "not_in_scope)");
	} else if (g->selected && !g->in_scope) {
		say(x, 2, "not imported: out of scope (select: all takes in-scope organizations)");
	} else if (g->selected && g->link) {
		say(x, 2, "not imported: already linked");
	} else if (g->selected && g->review) {
		say(x, 2, "not imported: under review: an ambiguous name is never imported "
			  "(docs/rules.md 11)");
	} else if (g->link) {
		say(x, 2, "not imported: linked (nothing to import)");
	} else {
		say(x, 2, "not imported: not selected");
	}
}

/* ---- after the plan ---------------------------------------------------------------------- */

static void explain_state(struct ex *x, const struct itg_org *g)
{
	struct inventory_state st;
	struct buf b = {0};
	char *ref = NULL;

	inventory_org_state(x->m, 0, &x->ix, g, &st);
	buf_addf(&b, "state %s", st.state);
	if (st.excluded_by)
		buf_addf(&b, ", excluded_by %s", st.excluded_by);
	if (st.imported)
		ref = plan_write_ref(g->id);
	if (st.org_id || ref)
		buf_addf(&b, ", organization %s, source %s", ref ? ref : st.org_id, st.source);
	buf_addf(&b, ", reason %s", or_null(st.reason));
	say(x, 1, "after the plan (inventory.ndjson): %s", buf_str(&b));
	free(ref);
	buf_free(&b);
}

/* ---- contacts (rule 7) --------------------------------------------------------------- */

struct contact {
	char *id, *first, *last, *type_id, *type_name;
	yajl_val lines[2];      /* the plan's lines for it, in plan order */
};

static void contacts_free(struct contact *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].id);
		free(c[i].first);
		free(c[i].last);
		free(c[i].type_id);
		free(c[i].type_name);
	}
	free(c);
}

/* What read_contacts pulls from each contact (lib/recread). */
enum { XC_ORG, XC_FIRST, XC_LAST, XC_TYPE_ID, XC_TYPE_NAME };
static const struct recread_spec contact_spec = {
	.attrs = {"organization-id", "first-name", "last-name", "contact-type-id",
		  "contact-type-name", NULL},
};

/* The snapshot's contacts of IT Glue org gid, in the snapshot's order
 * (ascending id), streamed: only the org's contacts are copied. */
static int read_contacts(struct model *m, const char *gid, struct contact **out, size_t *nout,
			 struct itg_err *e)
{
	struct recread r;
	struct contact *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	if (model_open_records(m, RES_CONTACTS, &contact_spec, &r, e) != 0)
		return -1;
	while ((rc = model_next_record(m, RES_CONTACTS, &r, e)) == 1) {
		const char *org = recread_id_text(&r.attr[XC_ORG]);
		if (org && !strcmp(org, gid)) {
			xgrow((void **)&v, &cap, n + 1, sizeof *v);
			memset(&v[n], 0, sizeof v[n]);
			v[n].id = xstrdup(recread_id_text(&r.id));
			v[n].first = xstrdup(recread_str(&r.attr[XC_FIRST]));
			v[n].last = xstrdup(recread_str(&r.attr[XC_LAST]));
			v[n].type_id = xstrdup(recread_id_text(&r.attr[XC_TYPE_ID]));
			v[n].type_name = xstrdup(recread_str(&r.attr[XC_TYPE_NAME]));
			n++;
		}
	}
	recread_close(&r);
	if (rc < 0) {
		contacts_free(v, n);
		return -1;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* What the plan does with one contact, in words; key: the outcome counted. */
static void contact_outcome(const struct ex *x, const struct contact *c, const struct prod_org *p,
			    struct buf *words, struct buf *key)
{
	const struct model *m = x->m;

	for (int i = 0; i < 2 && c->lines[i]; i++) {
		yajl_val v = c->lines[i];
		const char *a = json_get_str(v, PK_ACTION), *reason = json_get_str(v, PK_REASON);
		buf_addf(key, "%s%s", i ? "+" : "", a);
		buf_addf(words, "%s%s", i ? ", then " : "", a);
		if (reason) {
			buf_addf(key, " %s", reason);
			buf_addf(words, " %s", reason);
		}
		if (!strcmp(a, plan_action_name(PA_IMPORT_USER)))
			buf_addf(words, " %s, group \"%s\"", or_null(json_get_str(v, PK_EMAIL)),
				 or_null(json_get_str(v, PK_GROUP)));
		else if (json_get_id(v, PK_USER_ID))
			buf_addf(words, " (user %s)", json_get_id(v, PK_USER_ID));
		if (!strcmp(a, plan_action_name(PA_UPDATE_USER))) {
			yajl_val after = json_get(v, PK_AFTER);
			for (size_t k = 0; after && YAJL_IS_OBJECT(after) && k < after->u.object.len; k++)
				buf_addf(words, "%s%s", k ? ", " : ": ", after->u.object.keys[k]);
		}
	}
	if (!scope_contact_type_selected(m, c->type_id, c->type_name)) {
		const char *name = c->type_id ? strmap_get(m->ctype_names, c->type_id) : NULL;
		name = name ? name : c->type_name ? c->type_name : or_null(c->type_id);
		if (c->lines[0]) {
			buf_addf(words, ": its contact type %s is not selected", name);
			return;
		}
		buf_adds(key, "no line (contact type not selected)");
		buf_addf(words, "no line: contact type %s not selected", name);
	} else if (c->lines[0]) {
		return;
	} else {
		const struct store_user *u = model_user_by_contact(m, c->id);
		if (u && p && u->org == p) {
			buf_adds(key, "no line (up to date)");
			buf_addf(words, "no line: user %s is up to date", u->id);
		} else {
			buf_adds(key, "no line");
			buf_adds(words, "no line");
		}
	}
}

struct tally {
	char **keys;
	size_t *n;
	size_t len, cap, capn;
};

static void tally_add(struct tally *t, const char *key)
{
	for (size_t i = 0; i < t->len; i++)
		if (!strcmp(t->keys[i], key)) {
			t->n[i]++;
			return;
		}
	xgrow((void **)&t->keys, &t->cap, t->len + 1, sizeof *t->keys);
	xgrow((void **)&t->n, &t->capn, t->len + 1, sizeof *t->n);
	t->keys[t->len] = xstrdup(key);
	t->n[t->len++] = 1;
}

static void tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->len; i++)
		free(t->keys[i]);
	free(t->keys);
	free(t->n);
}

static int explain_contacts(struct ex *x, const struct itg_org *g, const struct plines *pl,
			    struct itg_err *e)
{
	struct model *m = x->m;
	const struct prod_org *p = g->link;
	struct strmap *by_id;
	struct contact *c;
	struct tally t = {0};
	struct buf b = {0};
	size_t n, gone = 0;

	if (!m->contacts_on) {
		say(x, 1, "contacts: not synced (sync.contacts.enabled is false)");
		return 0;
	}
	if (g->rank < 0) {
		say(x, 1, "contacts: none planned: the organization is not linked after the plan");
		return 0;
	}
	if (read_contacts(m, g->id, &c, &n, e) != 0)
		return -1;
	by_id = strmap_new(n);
	for (size_t i = 0; i < n; i++)
		strmap_put(by_id, c[i].id, &c[i]);
	for (size_t i = 0; i < pl->n; i++) {
		const char *cid = json_get_id(pl->v[i], PK_ITGLUE_CONTACT_ID);
		struct contact *k = cid ? strmap_get(by_id, cid) : NULL;
		if (k && !k->lines[0])
			k->lines[0] = pl->v[i];
		else if (k && !k->lines[1])
			k->lines[1] = pl->v[i];
		else if (cid)
			gone++;
	}
	for (size_t i = 0; i < n; i++) {
		struct buf w = {0}, k = {0};
		contact_outcome(x, &c[i], p, &w, &k);
		tally_add(&t, buf_str(&k));
		buf_free(&w);
		buf_free(&k);
	}
	for (size_t i = 0; i < t.len; i++)
		buf_addf(&b, "%s%s %zu", i ? ", " : "", t.keys[i], t.n[i]);
	say(x, 1, "contacts: %zu in the snapshot%s%s", n, n ? ": " : "", buf_str(&b));
	for (size_t i = 0; i < n && i < FIRST_CONTACTS; i++) {
		struct buf w = {0}, k = {0};
		contact_outcome(x, &c[i], p, &w, &k);
		say(x, 2, "%s %s %s: %s", c[i].id, c[i].first ? c[i].first : "",
		    c[i].last ? c[i].last : "", buf_str(&w));
		buf_free(&w);
		buf_free(&k);
	}
	if (n > FIRST_CONTACTS)
		say(x, 2, "... and %zu more", n - FIRST_CONTACTS);
	/* users whose contact is gone from the snapshot or now in another org */
	for (size_t i = 0; gone && i < pl->n; i++) {
		const char *cid = json_get_id(pl->v[i], PK_ITGLUE_CONTACT_ID);
		if (cid && !strmap_has(by_id, cid))
			say(x, 2, "user %s (its contact %s is not among these): %s %s",
			    or_null(json_get_id(pl->v[i], PK_USER_ID)), cid,
			    json_get_str(pl->v[i], PK_ACTION),
			    or_null(json_get_str(pl->v[i], PK_REASON)));
	}
	buf_free(&b);
	tally_free(&t);
	strmap_free(by_id, NULL);
	contacts_free(c, n);
	return 0;
}

/* ---- domains (rule 9) ---------------------------------------------------------------- */

/* What explain_domains pulls from each domain (lib/recread). */
enum { XD_ORG, XD_NAME };
static const struct recread_spec domain_spec = {
	.attrs = {"organization-id", "name", NULL},
};

static int explain_domains(struct ex *x, const struct itg_org *g, const struct plines *pl,
			   struct itg_err *e)
{
	struct model *m = x->m;
	struct strmap *planned = strmap_new(pl->n + 1);
	struct recread r;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < pl->n; i++) {
		const char *did = json_get_id(pl->v[i], PK_ITGLUE_DOMAIN_ID);
		if (did)
			strmap_put(planned, did, pl->v[i]);
	}
	if (model_open_records(m, RES_DOMAINS, &domain_spec, &r, e) != 0) {
		strmap_free(planned, NULL);
		return -1;
	}
	say(x, 1, "domains:");
	while ((rc = model_next_record(m, RES_DOMAINS, &r, e)) == 1) {
		const char *org = recread_id_text(&r.attr[XD_ORG]), *id, *name;
		yajl_val v;
		if (!org || strcmp(org, g->id))
			continue;
		n++;
		id = recread_id_text(&r.id);
		name = recread_str(&r.attr[XD_NAME]);
		v = strmap_get(planned, id);
		if (v)
			say(x, 2, "%s \"%s\": import_domain %s%s%s", id, or_null(name),
			    or_null(json_get_str(v, PK_STATUS)),
			    json_get_str(v, PK_REASON) ? " " : "",
			    json_get_str(v, PK_REASON) ? json_get_str(v, PK_REASON) : "");
		else if (g->rank < 0)
			say(x, 2, "%s \"%s\": no line: the organization is not linked after the plan",
			    id, or_null(name));
		else
			say(x, 2, "%s \"%s\": no line: already imported (domains.csv)", id,
			    or_null(name));
	}
	recread_close(&r);
	if (rc == 0 && !n)
		say(x, 2, "none in the snapshot");
	strmap_free(planned, NULL);
	return rc < 0 ? -1 : 0;
}

/* ---- one organization ------------------------------------------------------------------- */

static int explain_members(struct ex *x, const struct itg_org *g, const struct plines *pl,
			   struct itg_err *e)
{
	if (x->m->product == PRODUCT_DARKWEBID)
		return explain_domains(x, g, pl, e);
	return explain_contacts(x, g, pl, e);
}

static int explain_itg(struct ex *x, struct itg_org *g, struct itg_err *e)
{
	struct plines pl;
	char *ref = g->import ? plan_write_ref(g->id) : NULL;
	int rc;

	say(x, 0, "IT Glue organization %s \"%s\"", g->id, g->name);
	explain_scope(x, g);
	explain_links(x, g, NULL);
	explain_autolink_itg(x, g);
	explain_rename(x, g);
	explain_import(x, g);
	explain_state(x, g);
	rc = plan_lines(x->plan_path, g->id, g->link ? g->link->id : NULL, ref, &pl, e);
	free(ref);
	if (rc != 0)
		return -1;
	rc = explain_members(x, g, &pl, e);
	if (rc == 0)
		plan_summary(x, &pl);
	plines_free(&pl);
	return rc;
}

static int explain_prod(struct ex *x, struct prod_org *p, struct itg_err *e)
{
	const struct model *m = x->m;
	struct plines pl;
	int rc;

	say(x, 0, "product organization %s \"%s\" (organizations.csv line %ld)", p->id, p->name,
	    p->line);
	explain_links(x, NULL, p);
	explain_autolink_prod(x, p);
	if (p->link) {
		say(x, 1, "after the plan: linked to IT Glue organization %s \"%s\" (--explain %s "
			  "tells its scope and import)",
		    p->link->id, p->link->name, p->link->id);
		explain_rename(x, p->link);
	} else if (p->held) {
		say(x, 1, "after the plan: its link is kept under review (unconfirmed_deletion); "
			  "not linked to any IT Glue organization of the snapshot");
	} else {
		say(x, 1, "after the plan: not linked (IT Glue organization: None)");
	}
	if (m->product == PRODUCT_BULLPHISH) {
		size_t linked = 0;
		for (size_t i = 0; i < p->nusers; i++)
			linked += *p->users[i]->contact_id != '\0';
		say(x, 1, "users.csv: %zu users, %zu of them linked to an IT Glue contact", p->nusers,
		    linked);
	}
	if (plan_lines(x->plan_path, p->link ? p->link->id : NULL, p->id, NULL, &pl, e) != 0)
		return -1;
	rc = p->link ? explain_members(x, p->link, &pl, e) : 0;
	if (rc == 0)
		plan_summary(x, &pl);
	plines_free(&pl);
	return rc;
}

/* Product orgs of ambiguous key groups: the fuzzy pass leaves them alone. */
static struct strmap *key_ambiguous_prods(const struct model *m)
{
	struct strmap *s = strmap_new(m->nreviews + 1);

	for (size_t i = 0; i < m->nreviews; i++) {
		const struct review *r = &m->reviews[i];
		if (!strcmp(r->match, MATCH_FUZZY))
			continue;
		if (r->org)
			strmap_put(s, r->org->id, (void *)1);
		else
			for (size_t k = 0; k < r->ncand; k++)
				strmap_put(s, r->cand_ids[k], (void *)1);
	}
	return s;
}

int explain_print(FILE *out, struct model *m, const struct explain_hits *h,
		  const char *plan_path, struct itg_err *e)
{
	struct ex x = {out, m, plan_path, {0}, NULL};
	size_t total = h->nitg + h->nprod;
	int rc = 0;

	inventory_links_build(m, &x.ix);
	x.key_ambiguous = key_ambiguous_prods(m);
	if (total > 1)
		say(&x, 0, "%zu organizations match; each is explained below (--explain ID picks "
			   "one)",
		    total);
	for (size_t i = 0; i < h->nitg && rc == 0; i++) {
		if (total > 1)
			fputc('\n', out);
		rc = explain_itg(&x, h->itg[i], e);
	}
	for (size_t i = 0; i < h->nprod && rc == 0; i++) {
		if (total > 1)
			fputc('\n', out);
		rc = explain_prod(&x, h->prod[i], e);
	}
	strmap_free(x.key_ambiguous, NULL);
	inventory_links_free(&x.ix);
	return rc;
}
