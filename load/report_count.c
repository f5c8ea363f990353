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
		if (p->lines[i].action == a && (!changed_only || r->lines[i].changed))
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
		if (p->lines[i].action != action)
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
