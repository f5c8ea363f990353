/*
 * report_count.c - the figures of a report: plan lines per action (and how
 * many changed something), the lines that need a person, and the licenses in
 * use after the plan.  The sections and summary.json both take them from
 * here, so the two files never disagree.
 */
#include "report.h"
#include "csvtab.h"
#include "json.h"
#include "planfmt.h"
#include "product.h"
#include "reasons.h"
#include "store.h"
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *report_would_refuse(const struct report_input *in)
{
	if (in->dry_run && in->breaker && in->breaker->tripped && !in->allow_mass_unlink)
		return BREAKER_WOULD_REFUSE;
	return NULL;
}

size_t report_count_action(const struct plan *p, enum plan_action a,
			   const struct apply_result *r, int changed_only)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		if (plan_action_at(p, i) == a && (!changed_only || apply_line_changed(r, i)))
			n++;
	return n;
}

int report_line_unimported(const struct plan_line *l)
{
	const char *st = plan_str(l, PK_STATUS);

	return l->action == PA_IMPORT_DOMAIN && st && strcmp(st, DOMAIN_UNIMPORTED) == 0;
}

int report_line_license_limited(const struct plan_line *l)
{
	yajl_val v = json_get(l->v, PK_LICENSE_LIMITED);

	return l->action == PA_IMPORT_ORGANIZATION && v && YAJL_IS_ARRAY(v) &&
	       v->u.array.len > 0;
}

size_t report_count_lines(const struct plan *p, enum plan_action action,
			  int (*pred)(const struct plan_line *))
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct plan_line l;
		if (plan_action_at(p, i) != action)
			continue;
		if (!pred) {
			n++;
			continue;
		}
		plan_line_open(p, i, &l);
		n += pred(&l) != 0;
		plan_line_close(&l);
	}
	return n;
}

size_t report_count_unimported(const struct plan *p)
{
	return report_count_lines(p, PA_IMPORT_DOMAIN, report_line_unimported);
}

size_t report_count_license_limited(const struct plan *p)
{
	return report_count_lines(p, PA_IMPORT_ORGANIZATION, report_line_license_limited);
}

void report_count_licenses(const struct lstore *s, struct report_licenses *l)
{
	memset(l, 0, sizeof *l);
	if (s->st.product == PRODUCT_BULLPHISH) {
		const struct csv_table *o = &s->st.tab[STORE_ORGS], *u = &s->st.tab[STORE_USERS];
		struct strmap *mods = strmap_new(o->nrows);
		int id = csvtab_col(o, "id"), ph = csvtab_col(o, "phishing");
		int tr = csvtab_col(o, "training"), uorg = csvtab_col(u, "organization_id");

		for (size_t r = 0; r < o->nrows; r++) {
			uintptr_t m =
				(uintptr_t)(store_parse_bool(csvtab_get(o, r, ph)) == 1 ? 1 : 0) |
				(uintptr_t)(store_parse_bool(csvtab_get(o, r, tr)) == 1 ? 2 : 0);
			strmap_put(mods, csvtab_get(o, r, id), (void *)(m | 4));
		}
		/* docs/rules.md 25: every user of an org with the module on takes a seat */
		for (size_t r = 0; r < u->nrows; r++) {
			uintptr_t m = (uintptr_t)strmap_get(mods, csvtab_get(u, r, uorg));
			l->phishing_used += (m & 1) != 0;
			l->training_used += (m & 2) != 0;
		}
		strmap_free(mods, NULL);
	} else if (s->st.product == PRODUCT_DARKWEBID) {
		const struct csv_table *t = &s->st.tab[STORE_DOMAINS];
		int st = csvtab_col(t, "status");

		for (size_t r = 0; r < t->nrows; r++)
			l->domains_used += strcmp(csvtab_get(t, r, st), DOMAIN_IMPORTED) == 0;
	}
}

/* The report's word for why a line of action a that carries no reason is there. */
static const char *implied_reason(enum plan_action a)
{
	switch (a) {
	case PA_LINK:
		return REASON_NAME_MATCH;
	case PA_RENAME:
		return REASON_ITGLUE_RENAMED;
	case PA_IMPORT_ORGANIZATION:
		return REASON_IMPORT_SELECTED;
	case PA_IMPORT_USER:
		return REASON_NEW_CONTACT;
	case PA_LINK_USER:
		return REASON_EMAIL_MATCH;
	case PA_UPDATE_USER:
		return REASON_CONTACT_CHANGED;
	case PA_IMPORT_DOMAIN:
		return REASON_DOMAIN_IMPORTED;
	default:
		return NULL;
	}
}

const char *report_line_reason(const struct plan_line *l)
{
	const char *r = plan_str(l, PK_REASON);

	return r && *r ? r : implied_reason(l->action);
}

const char *report_event_reason(const char *action, const char *reason, int disconnect)
{
	const char *r;

	if (reason && *reason)
		return reason;
	if (action && strcmp(action, "integration") == 0)
		return disconnect ? REASON_DISCONNECT : REASON_INTEGRATION_CONNECTED;
	r = implied_reason(plan_action_parse(action));
	return r ? r : "";
}

void rcount_add(struct rcount *c, const char *code, size_t lines, size_t changed)
{
	size_t i;

	if (!code)
		return;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].code, code) == 0)
			break;
	if (i == c->n) {
		xgrow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v);
		c->v[c->n].code = xstrdup(code);
		c->v[c->n].lines = 0;
		c->v[c->n].changed = 0;
		c->n++;
	}
	c->v[i].lines += lines;
	c->v[i].changed += changed;
}

void rcount_free(struct rcount *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].code);
	free(c->v);
	memset(c, 0, sizeof *c);
}
