/*
 * report_integration.c - the state of the integration after the plan, as
 * the products' integration pages show it: every product organization with
 * its IT Glue organization (or None), the link's source and last sync; then
 * every IT Glue organization in scope that is not linked, and why (under
 * review, available to import, held by a rule); the organizations outside
 * the sync filters, counted by the filter that excluded them; the filters
 * in effect; and the account's organization types, statuses and contact
 * types with the records each holds.  mapping.csv beside the report holds
 * every row of both tables.
 *
 * The product side comes from the store after the plan, the IT Glue side
 * from the plan's inventory (report_inventory.c); without an inventory the
 * section says so and shows what the store and the plan give.
 */
#include "report.h"
#include "csvtab.h"
#include "reasons.h"
#include "store.h"

#include <stdint.h>
#include <string.h>

static const char *const mapping_head[] = {
	"side", "organization_id", "organization_name", "itglue_organization_id", "itglue_name",
	"state", "source", "linked_at", "last_sync", "type", "status", "excluded_by", "reason",
	NULL};
#define MAPPING_COLS 13

static const char *s_or(const char *s)
{
	return s ? s : "";
}

/* What a state of the inventory means, for the table. */
static const char *state_text(const char *state)
{
	if (strcmp(state, "review") == 0)
		return "under review";
	if (strcmp(state, "available") == 0)
		return "available: not selected for import";
	if (strcmp(state, "held") == 0)
		return "held by a rule";
	if (strcmp(state, "out_of_scope") == 0)
		return "outside the sync filters";
	return state;
}

static const char *filter_title(const char *filter)
{
	if (strcmp(filter, "organization_types") == 0)
		return "Organization types";
	if (strcmp(filter, "organization_statuses") == 0)
		return "Organization statuses";
	if (strcmp(filter, "contact_types") == 0)
		return "Contact types";
	return filter;
}

static void filters(struct rdoc *d, const struct report_inventory *inv)
{
	struct rtable *t;
	struct buf b = {0};

	rdoc_block(d, RB_H3, "Sync filters in effect");
	if (!inv->nfilters) {
		rdoc_para(d, "The inventory lists no filter.");
		return;
	}
	t = rdoc_table(d, (const char *const[]){"Filter", "Setting", "Entries and the ids they "
						"matched", NULL});
	for (size_t i = 0; i < inv->nfilters; i++) {
		const struct inv_filter *f = &inv->filters[i];
		buf_reset(&b);
		for (size_t k = 0; k < f->n; k++) {
			const struct inv_entry *en = &f->entries[k];
			buf_addf(&b, "%s%s: ", k ? "; " : "", s_or(en->text));
			if (!en->nids)
				buf_adds(&b, "matched nothing");
			for (size_t j = 0; j < en->nids; j++)
				buf_addf(&b, "%s%s", j ? ", " : "", en->ids[j]);
		}
		rdoc_row(t, filter_title(f->filter), f->all ? "all" : "only the entries",
			 f->all ? "every one, null included" : buf_str(&b));
	}
	buf_free(&b);
}

/* One table per reference resource: id, name, selected, records. */
static void types(struct rdoc *d, const struct report_inventory *inv, struct report_files *f,
		  const char *resource)
{
	int contacts = strcmp(resource, "contact_types") == 0;
	struct rtab t;
	char n[32], raw[32];
	size_t rows = 0;

	for (size_t i = 0; i < inv->ntypes; i++)
		rows += strcmp(inv->types[i].resource, resource) == 0;
	if (!rows)
		return;
	rdoc_block(d, RB_H3, filter_title(resource));
	rtab_open(&t, d, f, resource,
		  (const char *const[]){"Id", "Name", "Selected",
					contacts ? "Contacts" : "Organizations", NULL},
		  (const char *const[]){"id", "name", "selected", contacts ? "contacts" : "organizations",
					NULL});
	for (size_t i = 0; i < inv->ntypes; i++) {
		const struct inv_type *ty = &inv->types[i];
		if (strcmp(ty->resource, resource) != 0)
			continue;
		snprintf(raw, sizeof raw, "%lld", ty->count);
		rtab_row(&t, 1,
			 (const char *const[]){ty->id ? ty->id : "(none)",
					       ty->id ? s_or(ty->name) : "(null)",
					       ty->selected ? "yes" : "no", rdoc_num(ty->count, n)},
			 (const char *const[]){ty->id, ty->name, ty->selected ? "yes" : "no", raw},
			 NULL, 1, 0);
	}
	rtab_close(&t, "None.");
}

/* The product organizations after the plan, each with its IT Glue org or None. */
static void product_orgs(struct rdoc *d, const struct report_input *in,
			 const struct report_names *nm, struct report_files *f, FILE *map)
{
	const struct csv_table *o = &in->after->st.tab[STORE_ORGS];
	const struct csv_table *k = &in->after->st.tab[STORE_LINKS];
	size_t linked = 0, by_src[3] = {0, 0, 0};
	static const char *const srcs[3] = {SOURCE_AUTO, SOURCE_MANUAL, SOURCE_IMPORT};
	struct rtab t;
	char a[32], b[32], c[32], x[32], y[32], z[32];

	for (size_t r = 0; r < o->nrows; r++) {
		long lr = report_org_link(nm, csvtab_get(o, r, nm->o_id));
		if (lr < 0)
			continue;
		linked++;
		for (int s = 0; s < 3; s++)
			by_src[s] += strcmp(csvtab_get(k, (size_t)lr, nm->l_src), srcs[s]) == 0;
	}
	rdoc_block(d, RB_H3, "Product organizations");
	rdoc_para(d, "%s product organizations: %s linked to an IT Glue organization (auto %s, "
		     "manual %s, import %s), %s with none (None).",
		  rdoc_num((long long)o->nrows, a), rdoc_num((long long)linked, b),
		  rdoc_num((long long)by_src[0], c), rdoc_num((long long)by_src[1], x),
		  rdoc_num((long long)by_src[2], y),
		  rdoc_num((long long)(o->nrows - linked), z));
	rtab_open(&t, d, f, "mapping.csv",
		  (const char *const[]){"Product org", "IT Glue org", "Source", "Linked at",
					"Last sync", "Reason", NULL},
		  NULL);
	for (size_t r = 0; r < o->nrows; r++) {
		const char *id = csvtab_get(o, r, nm->o_id), *itg = NULL, *src = "", *at = "";
		const char *reason = strmap_get(nm->notes, id);
		long lr = report_org_link(nm, id);
		const struct inv_org *io;
		const char *itg_label;

		if (lr >= 0) {
			itg = csvtab_get(k, (size_t)lr, nm->l_itg);
			src = csvtab_get(k, (size_t)lr, nm->l_src);
			at = csvtab_get(k, (size_t)lr, nm->l_at);
			io = report_inventory_org(in->inv, itg);
			/* a linked org's note is only the review that keeps its link */
			if (reason && strcmp(reason, REASON_UNCONFIRMED_DELETION) != 0)
				reason = NULL;
			if (io && io->reason)
				reason = strcmp(io->reason, SOURCE_IMPORT) == 0 ? REASON_IMPORT_SELECTED
										: io->reason;
		}
		itg_label = itg ? report_itglue_label(nm, itg, rtab_buf(&t)) : "None";
		report_file_row(f, map,
				(const char *const[]){"product", id, report_org_name(nm, id), itg,
						      itg ? report_itglue_name(nm, itg) : NULL,
						      itg ? "linked" : "none", src, at,
						      csvtab_get(o, r, nm->o_sync), NULL, NULL, NULL,
						      reason},
				MAPPING_COLS);
		rtab_row(&t, 1,
			 (const char *const[]){report_org_label(nm, id, rtab_buf(&t)), itg_label, src,
					       at, csvtab_get(o, r, nm->o_sync), s_or(reason)},
			 NULL, reason, 1, 0);
	}
	rtab_close(&t, "The store has no organization.");
}

/* The IT Glue organizations not linked after the plan: in scope (with why), then out of it. */
static void itglue_orgs(struct rdoc *d, const struct report_input *in,
			const struct report_names *nm, struct report_files *f, FILE *map)
{
	const struct report_inventory *inv = in->inv;
	size_t n_linked = 0, n_review = 0, n_avail = 0, n_held = 0, n_out = 0;
	struct rcount excluded = {0};
	struct rtab t;
	char a[32], b[32], c[32], x[32], y[32], z[32];

	for (size_t i = 0; i < inv->norgs; i++) {
		const struct inv_org *o = &inv->orgs[i];
		if (strcmp(o->state, "linked") == 0)
			n_linked++;
		else if (strcmp(o->state, "review") == 0)
			n_review++;
		else if (strcmp(o->state, "available") == 0)
			n_avail++;
		else if (strcmp(o->state, "held") == 0)
			n_held++;
		else if (strcmp(o->state, "out_of_scope") == 0) {
			n_out++;
			rcount_add(&excluded, o->excluded_by ? o->excluded_by : "(not said)", 1,
				   o->reason ? 1 : 0);
		}
	}
	rdoc_block(d, RB_H3, "IT Glue organizations not linked");
	rdoc_para(d, "%s IT Glue organizations in the snapshot: %s linked, %s under review, %s "
		     "available to import (not selected), %s held by a rule, %s outside the "
		     "sync filters.",
		  rdoc_num((long long)inv->norgs, a), rdoc_num((long long)n_linked, b),
		  rdoc_num((long long)n_review, c), rdoc_num((long long)n_avail, x),
		  rdoc_num((long long)n_held, y), rdoc_num((long long)n_out, z));
	rtab_open(&t, d, f, "mapping.csv",
		  (const char *const[]){"IT Glue org", "Type", "Status", "State", "Reason", NULL},
		  NULL);
	for (size_t i = 0; i < inv->norgs; i++) {
		const struct inv_org *o = &inv->orgs[i];
		int out = strcmp(o->state, "out_of_scope") == 0;
		if (strcmp(o->state, "linked") == 0)
			continue;
		report_file_row(f, map,
				(const char *const[]){"itglue", NULL, NULL, o->itglue_id, o->name,
						      o->state, NULL, NULL, NULL, o->type_name,
						      o->status_name, o->excluded_by, o->reason},
				MAPPING_COLS);
		if (out)
			continue;
		rtab_row(&t, 1,
			 (const char *const[]){report_itglue_label(nm, o->itglue_id, rtab_buf(&t)),
					       s_or(o->type_name), s_or(o->status_name),
					       state_text(o->state), s_or(o->reason)},
			 NULL, o->reason, 1, 0);
	}
	rtab_close(&t, "Every IT Glue organization in the sync filters is linked.");
	if (excluded.n) {
		struct rtable *tt;
		rdoc_block(d, RB_H3, "Outside the sync filters");
		rdoc_para(d, "Counted by the first filter that excluded them (types first); every one "
			     "is in mapping.csv with state out_of_scope. Those with a reason had a "
			     "link removed (filtered_out) or were named in import.select "
			     "(not_in_scope) this run.");
		tt = rdoc_table(d, (const char *const[]){"Excluded by", "Organizations",
							 "With a reason this run", NULL});
		for (size_t i = 0; i < excluded.n; i++)
			rdoc_row(tt, filter_title(excluded.v[i].code),
				 rdoc_num((long long)excluded.v[i].lines, a),
				 rdoc_num((long long)excluded.v[i].changed, b));
	}
	rcount_free(&excluded);
}

void report_integration(struct rdoc *d, const struct report_input *in,
			const struct report_names *nm, struct report_files *f)
{
	const struct report_inventory *inv = in->inv;
	int have = inv && inv->present;
	FILE *map;
	size_t rows = in->after->st.tab[STORE_ORGS].nrows;

	rdoc_block(d, RB_H2, "The integration after this run");
	rdoc_para(d, "As the products' integration pages show it: every product organization "
		     "with its IT Glue organization, or None, with the link's source and last "
		     "sync; then the IT Glue organizations that are not linked, and why. "
		     "mapping.csv beside this report holds every row.");
	if (!have)
		rdoc_para(d, "This plan has no inventory (inventory.ndjson, which itg-transform "
			     "writes beside the plan), so the IT Glue organizations that are not "
			     "linked, the sync filters and the account's types and statuses cannot "
			     "be shown; IT Glue names are given where the plan's lines carry them.");
	map = report_file_open(f, "mapping.csv", mapping_head);
	product_orgs(d, in, nm, f, map);
	if (have) {
		itglue_orgs(d, in, nm, f, map);
		for (size_t i = 0; i < inv->norgs; i++)
			rows += strcmp(inv->orgs[i].state, "linked") != 0;
		filters(d, inv);
		types(d, inv, f, "organization_types");
		types(d, inv, f, "organization_statuses");
		types(d, inv, f, "contact_types");
	}
	report_file_close(f, map, "mapping.csv", rows);
}
