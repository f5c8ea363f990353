/*
 * report_changes.c - changes.csv: one row per changed field of every event
 * the apply recorded (eventlog.h), in the order applied, {run_id, table,
 * key, field, old, new, action, reason}, then what the row names (name,
 * organization, itglue) and its plan_line.  The reason is the plan line's,
 * or the report's word for a change whose line carries none
 * (report_event_reason), so that no row is left without one.  Every cell
 * goes through report_csv_cell, so that a value a spreadsheet would run as a formula is
 * written as text.
 */
#include "report.h"
#include "csvtab.h"
#include "product.h"
#include "store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int report_csv_cell(FILE *fp, const char *s)
{
	if (!s)
		s = "";
	if (strchr("=+-@\t\r", s[0]) && s[0]) {
		char *q = xasprintf("'%s", s);
		int rc = csvtab_write_field(fp, q);
		free(q);
		return rc;
	}
	return csvtab_write_field(fp, s);
}

/* Per event: what the key names, its product org, its IT Glue side (changes.csv's last columns). */
struct change_names {
	const struct report_names *nm;
	const struct csv_table *dom;
	struct strmap *domains;     /* domain id -> row + 1 */
	int d_id, d_org, d_domain, d_itg;
	struct buf name, org, itg, tmp;
};

static void describe(struct change_names *c, const struct load_event *ev)
{
	const struct report_names *nm = c->nm;
	const char *slash;

	buf_reset(&c->name);
	buf_reset(&c->org);
	buf_reset(&c->itg);
	if (strcmp(ev->table, "organizations") == 0) {
		long lr = report_org_link(nm, ev->key);
		buf_adds(&c->name, report_org_name(nm, ev->key) ? report_org_name(nm, ev->key) : "");
		report_org_label(nm, ev->key, &c->org);
		if (lr >= 0)
			report_itglue_label(nm, csvtab_get(&nm->s->st.tab[STORE_LINKS], (size_t)lr,
							   nm->l_itg),
					    &c->itg);
	} else if (strcmp(ev->table, "links") == 0 && (slash = strchr(ev->key, '/'))) {
		char *org = xstrndup(ev->key, (size_t)(slash - ev->key));
		const char *on = report_org_name(nm, org), *in = report_itglue_name(nm, slash + 1);
		buf_addf(&c->name, "%s / %s", on ? on : org, in ? in : slash + 1);
		report_org_label(nm, org, &c->org);
		report_itglue_label(nm, slash + 1, &c->itg);
		free(org);
	} else if (strcmp(ev->table, "users") == 0) {
		const char *first = report_user_cell(nm, ev->key, nm->u_first);
		const char *last = report_user_cell(nm, ev->key, nm->u_last);
		const char *email = report_user_cell(nm, ev->key, nm->u_email);
		const char *contact = report_user_cell(nm, ev->key, nm->u_contact);
		buf_addf(&c->name, "%s%s%s", first, *first && *last ? " " : "", last);
		if (*email)
			buf_addf(&c->name, "%s<%s>", c->name.len ? " " : "", email);
		report_org_label(nm, report_user_cell(nm, ev->key, nm->u_org), &c->org);
		/* an unlinked user's contact is the value the change removed */
		for (size_t f = 0; !*contact && f < ev->nf; f++)
			if (strcmp(ev->f[f].field, "itglue_contact_id") == 0)
				contact = ev->f[f].old;
		buf_adds(&c->itg, contact);
	} else if (strcmp(ev->table, "domains") == 0 && c->domains) {
		uintptr_t r = (uintptr_t)strmap_get(c->domains, ev->key);
		if (r) {
			buf_adds(&c->name, csvtab_get(c->dom, r - 1, c->d_domain));
			report_org_label(nm, csvtab_get(c->dom, r - 1, c->d_org), &c->org);
			buf_adds(&c->itg, csvtab_get(c->dom, r - 1, c->d_itg));
		}
	} else if (strcmp(ev->table, "integration") == 0) {
		buf_adds(&c->name, "integration status");
	}
}

/* The changes.csv rows of one event: one per changed field. */
static int event_rows(FILE *fp, const struct report_input *in, const struct change_names *cn,
		      const struct load_event *ev, const char *reason)
{
	char line[32];

	if (ev->plan_line > 0)
		snprintf(line, sizeof line, "%ld", ev->plan_line);
	else
		line[0] = '\0';
	for (size_t f = 0; f < ev->nf; f++) {
		const char *cells[] = {in->run_id, ev->table, ev->key, ev->f[f].field,
				       ev->f[f].old, ev->f[f].new, ev->action, reason,
				       buf_str(&cn->name), buf_str(&cn->org), buf_str(&cn->itg),
				       line};

		for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++)
			if ((c && putc(',', fp) == EOF) || report_csv_cell(fp, cells[c]) != 0)
				return -1;
		if (putc('\n', fp) == EOF)
			return -1;
	}
	return 0;
}

int report_write_changes(FILE *fp, const struct report_input *in)
{
	static const char *const head[] = {"run_id", "table", "key", "field", "old", "new",
					   "action", "reason", "name", "organization", "itglue",
					   "plan_line"};
	enum { NCOLS = sizeof head / sizeof head[0] };
	const struct apply_result *r = in->res;
	struct load_event view = {0};
	const struct load_event *ev = &view;
	struct report_names nm;
	struct change_names cn = {0};
	size_t pos = 0;
	int rc = 0, got;

	report_names_init(&nm, in);
	cn.nm = &nm;
	if (in->after->st.product == PRODUCT_DARKWEBID) {
		cn.dom = &in->after->st.tab[STORE_DOMAINS];
		cn.d_id = csvtab_col(cn.dom, "id");
		cn.d_org = csvtab_col(cn.dom, "organization_id");
		cn.d_domain = csvtab_col(cn.dom, "domain");
		cn.d_itg = csvtab_col(cn.dom, "itglue_domain_id");
		cn.domains = strmap_new(cn.dom->nrows);
		for (size_t i = 0; i < cn.dom->nrows; i++)
			strmap_put(cn.domains, csvtab_get(cn.dom, i, cn.d_id), (void *)(uintptr_t)(i + 1));
	}
	for (size_t c = 0; c < NCOLS; c++)
		if ((c && putc(',', fp) == EOF) || csvtab_write_field(fp, head[c]) != 0)
			rc = -1;
	if (rc == 0 && putc('\n', fp) == EOF)
		rc = -1;
	/* the operator's hand edits first: they came before this run's changes */
	for (size_t i = 0; rc == 0 && in->hand && in->hand->compared && i < in->hand->n; i++) {
		const struct hand_edit *ed = &in->hand->v[i];
		struct load_event hv = {.action = HAND_EDIT_ACTION,
					.table = store_table_names[STORE_LINKS],
					.key = ed->key,
					.reason = handedits_reason_name(ed->reason),
					.nf = ed->nf,
					.f = ed->f};

		describe(&cn, &hv);
		rc = event_rows(fp, in, &cn, &hv, hv.reason);
	}
	while (rc == 0 && (got = eventlog_next(&r->events, &pos, &view)) != 0) {
		if (got < 0) {
			rc = -1;
			break;
		}
		describe(&cn, ev);
		rc = event_rows(fp, in, &cn, ev,
				report_event_reason(ev->action, ev->reason, in->plan->disconnect));
	}
	load_event_free(&view);
	if (cn.domains)
		strmap_free(cn.domains, NULL);
	buf_free(&cn.name);
	buf_free(&cn.org);
	buf_free(&cn.itg);
	buf_free(&cn.tmp);
	report_names_free(&nm);
	return rc != 0 || ferror(fp) ? -1 : 0;
}
